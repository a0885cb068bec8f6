"""What a resource page shows, provenance first: the sources with their
quotes, a claim set apart as a claim, asserted facts before inferred ones,
and what refers to the resource split into claims and facts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kzgraph.namespaces import DATA_GRAPH, GRAPH, INFERRED_GRAPH, KZ
from kzgraph.web.display import Shown, show, show_iri
from kzgraph.web.state import state

REFERENCE_GRAPH = GRAPH + "reference"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HIDDEN = {KZ + "citation", RDF_TYPE}


@dataclass
class Statement:
    predicate: Shown
    values: list[tuple[Shown, str]] = field(default_factory=list)
    """(value, mark): mark is "" for a curated fact, "reference" for the reference layer,
    "reading" for a statement that reads more than the source's words (a kz:Reading says why)."""


@dataclass(frozen=True)
class SourceCited:
    article: Shown
    outlet: str
    date: str
    genre: str
    reader: str
    """The source reader's address, or "" when the article's text is not here."""
    quotes: tuple[str, ...]


def resource_model(iri: str, reader_for) -> dict | None:
    """Everything the page shows, or None when the graph says nothing about ``iri``.

    ``reader_for`` maps an article IRI to its reader page's address (or "").
    """
    kg = state()
    labels = kg.labels
    rows = kg.select("SELECT ?x ?p ?o ?g WHERE { GRAPH ?g { ?x ?p ?o } }", x=iri)
    if not rows:
        return None
    graphs: dict[tuple[str, str], set[str]] = defaultdict(set)
    terms: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (row["p"]["value"], row["o"]["type"] + " " + row["o"]["value"] + row["o"].get("datatype", ""))
        graphs[key].add(row["g"]["value"])
        terms[key] = row["o"]
    read = {(row["p"]["value"], row["o"]["type"] + " " + row["o"]["value"] + row["o"].get("datatype", ""))
            for row in kg.select("SELECT ?x ?p ?o WHERE { ?r a kz:Reading ; rdf:subject ?x ; rdf:predicate ?p ; "
                                 "rdf:object ?o }", x=iri)}
    asserted: dict[str, Statement] = {}
    inferred: dict[str, Statement] = {}
    types, inferred_types = [], []
    for key in sorted(terms, key=lambda k: (labels.get(k[0], k[0]), k[1])):
        predicate, term = key[0], terms[key]
        in_graphs = graphs[key]
        curated = bool(in_graphs - {INFERRED_GRAPH})
        if predicate == RDF_TYPE:
            (types if curated else inferred_types).append(show(term, labels))
            continue
        if predicate in HIDDEN:
            continue
        table = asserted if curated else inferred
        mark = "reference" if in_graphs & {REFERENCE_GRAPH} and not in_graphs & {DATA_GRAPH} else \
            "reading" if key in read else ""
        table.setdefault(predicate, Statement(show_iri(predicate, labels))).values.append((show(term, labels), mark))
    type_iris = {term["value"] for key, term in terms.items() if key[0] == RDF_TYPE}
    return {
        "iri": iri,
        "label": labels.get(iri, iri),
        "types": types,
        "inferred_types": inferred_types,
        "claim": _claim(iri, type_iris, reader_for),
        "sources": _sources(iri, reader_for),
        "statements": list(asserted.values()),
        "inferred": list(inferred.values()),
        **_referenced_by(iri),
    }


def _claim(iri: str, types: set[str], reader_for) -> list[dict] | None:
    """Who makes the claim, when the resource is a claim: an agent, or an article with its outlet."""
    if KZ + "Claim" not in types:
        return None
    kg = state()
    rows = kg.select("SELECT ?x ?by ?outlet WHERE { ?x kz:claimedBy ?by OPTIONAL { ?by dcterms:publisher ?outlet } }",
                     x=iri)
    return [{"by": show(row["by"], kg.labels), "reader": reader_for(row["by"]["value"]),
             "outlet": show(row["outlet"], kg.labels) if "outlet" in row else None} for row in rows]


def _sources(iri: str, reader_for) -> list[SourceCited]:
    kg = state()
    rows = kg.select(
        """SELECT ?x ?source ?quote ?outlet ?date ?genre WHERE {
             ?x kz:citation ?c . ?c kz:quote ?quote ; kz:sourceArticle ?source .
             OPTIONAL { ?source dcterms:publisher ?outlet }
             OPTIONAL { ?source dcterms:date ?date }
             OPTIONAL { ?source schema:genre ?genre }
           } ORDER BY ?source ?quote""",
        x=iri,
    )
    by_source: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_source[row["source"]["value"]].append(row)
    cited = []
    for source, group in by_source.items():
        first = group[0]
        cited.append(SourceCited(
            article=show(first["source"], kg.labels),
            outlet=show(first["outlet"], kg.labels).text if "outlet" in first else "",
            date=show(first["date"], kg.labels).text if "date" in first else "",
            genre=first["genre"]["value"] if "genre" in first else "",
            reader=reader_for(source),
            quotes=tuple(dict.fromkeys(row["quote"]["value"] for row in group)),
        ))
    return cited


def _referenced_by(iri: str) -> dict:
    """Curated statements pointing at the resource: those made by claims apart from the facts."""
    kg = state()
    rows = kg.select(
        """SELECT DISTINCT ?x ?s ?p ?claim WHERE {
             GRAPH ?g { ?s ?p ?x } FILTER (isIRI(?s) && ?g != <%s>)
             BIND (EXISTS { ?s a kz:Claim } AS ?claim)
           }""" % INFERRED_GRAPH,
        x=iri,
    )
    facts, claims = [], []
    for row in rows:
        entry = (show(row["s"], kg.labels), show(row["p"], kg.labels))
        (claims if row["claim"]["value"] == "true" else facts).append(entry)
    order = lambda e: (e[1].text, e[0].text)  # noqa: E731
    return {"referenced_facts": sorted(facts, key=order), "referenced_claims": sorted(claims, key=order)}
