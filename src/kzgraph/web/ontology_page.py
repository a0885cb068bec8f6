"""The ontology as a page: every class and property with its label,
definition, domain, range, super- and sub-terms, alignments and how often
the data uses it, one anchor per term."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kzgraph.namespaces import KZ, ONTOLOGY_GRAPH
from kzgraph.web.display import Shown, show_iri
from kzgraph.web.state import cached, state

OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
KINDS = {OWL + "Class": "class", OWL + "ObjectProperty": "property", OWL + "DatatypeProperty": "property",
         OWL + "AnnotationProperty": "property", "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property": "property"}
ALIGNMENTS = {SKOS + "exactMatch": "exact match", SKOS + "closeMatch": "close match",
              OWL + "equivalentClass": "equivalent class", OWL + "equivalentProperty": "equivalent property"}
SUPER = {RDFS + "subClassOf", RDFS + "subPropertyOf"}


@dataclass
class Term:
    iri: str
    name: str
    label: str = ""
    kind: str = ""
    definition: str = ""
    domain: list[Shown] = field(default_factory=list)
    range: list[Shown] = field(default_factory=list)
    supers: list[Shown] = field(default_factory=list)
    subs: list[Shown] = field(default_factory=list)
    alignments: list[tuple[str, Shown]] = field(default_factory=list)
    count: int = 0


def ontology_terms() -> dict[str, list[Term]]:
    """{"class": [...], "property": [...]}, each A→Z by label; computed once per application."""
    return cached("ontology-terms", _build)


def _build() -> dict[str, list[Term]]:
    kg = state()
    labels = kg.labels
    rows = kg.select(f"SELECT ?t ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?t ?p ?o }} }}")
    terms: dict[str, Term] = {}
    subs: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        iri = row["t"]["value"]
        if row["t"]["type"] != "uri" or not iri.startswith(KZ):
            continue
        term = terms.setdefault(iri, Term(iri, iri[len(KZ):]))
        predicate, value = row["p"]["value"], row["o"]["value"]
        if predicate == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" and value in KINDS:
            term.kind = KINDS[value]
        elif predicate == RDFS + "label" and row["o"].get("xml:lang", "en") == "en":
            term.label = value
        elif predicate == SKOS + "definition":
            term.definition = value
        elif predicate == RDFS + "domain" and row["o"]["type"] == "uri":
            term.domain.append(show_iri(value, labels))
        elif predicate == RDFS + "range" and row["o"]["type"] == "uri":
            term.range.append(show_iri(value, labels))
        elif predicate in SUPER and row["o"]["type"] == "uri":
            if value.startswith(KZ):
                term.supers.append(show_iri(value, labels))
                subs[value].append(iri)
            else:
                term.alignments.append(("sub-term of", show_iri(value, labels)))
        elif predicate in ALIGNMENTS:
            term.alignments.append((ALIGNMENTS[predicate], show_iri(value, labels)))
    counts = {row["c"]["value"]: int(row["n"]["value"]) for row in
              kg.select("SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c")}
    counts |= {row["p"]["value"]: int(row["n"]["value"]) for row in
               kg.select("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")}
    grouped: dict[str, list[Term]] = {"class": [], "property": []}
    for iri, term in terms.items():
        if not term.kind:
            continue
        term.subs = sorted((show_iri(s, labels) for s in subs[iri]), key=lambda s: s.text)
        term.label = term.label or term.name
        term.count = counts.get(iri, 0)
        grouped[term.kind].append(term)
    for group in grouped.values():
        group.sort(key=lambda t: t.label.casefold())
    return grouped
