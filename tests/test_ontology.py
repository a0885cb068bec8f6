"""Ontology hygiene, checked with SPARQL over the shipped files (as schema.org's test_graphs.py does)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kzgraph import resources
from kzgraph.config import Settings
from kzgraph.namespaces import PREFIXES

KNOWN_VOCABULARIES = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://purl.org/dc/terms/",
    "https://schema.org/",
    "http://www.w3.org/ns/org#",
    "http://www.w3.org/ns/prov#",
    "http://www.wikidata.org/prop/direct/",
    "http://www.wikidata.org/entity/",
)


def rows(store, query: str) -> list[str]:
    return sorted(str(next(iter(r.values())).value) for r in store.select(query))


def test_every_term_has_an_english_label_a_definition_and_is_defined_by_the_ontology(plain_store):
    assert rows(plain_store, """
        SELECT ?term WHERE {
          GRAPH <https://w3id.org/kzgraph/graph/ontology> { ?term a ?kind }
          VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty rdfs:Datatype }
          FILTER (STRSTARTS(STR(?term), STR(kz:)))
          FILTER NOT EXISTS {
            ?term rdfs:label ?label ; skos:definition ?definition ;
                  rdfs:isDefinedBy <https://w3id.org/kzgraph/ontology> .
            FILTER (LANG(?label) = "en" && LANG(?definition) = "en" && STRENDS(STR(?definition), "."))
          }
        }""") == []


def test_every_property_has_a_domain_or_range_stated(plain_store):
    assert rows(plain_store, """
        SELECT ?p WHERE {
          ?p a owl:ObjectProperty FILTER (STRSTARTS(STR(?p), STR(kz:)))
          FILTER NOT EXISTS { ?p rdfs:domain ?d } FILTER NOT EXISTS { ?p rdfs:range ?r }
          FILTER NOT EXISTS { ?p rdfs:subPropertyOf ?super . ?super rdfs:domain|rdfs:range ?x }
          FILTER NOT EXISTS { ?p owl:inverseOf|^owl:inverseOf ?inverse . ?inverse rdfs:domain|rdfs:range ?y }
          # deliberately open: they link resources of many kinds
          FILTER (?p NOT IN (kz:about, kz:relatedTo, kz:location, kz:supportedBy, kz:establishes,
                             kz:resultedIn, kz:outcomeOf))
        }""") == []


def test_every_datatype_property_has_a_range(plain_store):
    assert rows(plain_store, """
        SELECT ?p WHERE { ?p a owl:DatatypeProperty FILTER (STRSTARTS(STR(?p), STR(kz:))) FILTER NOT EXISTS { ?p rdfs:range ?r } }
        """) == []


def test_inverse_pairs_answer_in_either_direction(store):
    assert store.ask("ASK { kzr:person-tokayev kz:participatedIn kzr:event-2025-11-06-c5-plus-1-summit }")
    assert store.ask("ASK { kzr:office-president-of-kazakhstan kz:heldBy kzr:person-tokayev }")
    assert store.ask("ASK { kzr:country-KAZ kz:proposed kzr:proposal-2025-sco-investment-office }")
    assert store.ask("ASK { kzr:org-un-sdg-centre kz:establishedBy kzr:resolution-2025-03-04-un-sdg-centre }")


def test_no_term_is_used_that_no_vocabulary_defines(plain_store):
    """Every predicate and class used in the data is declared in the ontology or comes from a known vocabulary."""
    undefined = rows(plain_store, """
        SELECT DISTINCT ?term WHERE {
          GRAPH <https://w3id.org/kzgraph/graph/data> { { ?s ?term ?o } UNION { ?s a ?term } }
          FILTER NOT EXISTS { GRAPH <https://w3id.org/kzgraph/graph/ontology> { ?term a ?kind } }
        }""")
    assert [t for t in undefined if not t.startswith(KNOWN_VOCABULARIES)] == []


CURATED = "VALUES ?g { <https://w3id.org/kzgraph/graph/data> <https://w3id.org/kzgraph/graph/reference> }"
USED = CURATED[:-1] + "<https://w3id.org/kzgraph/graph/dates> }"


def test_no_orphan_classes(plain_store):
    """Each kz class is used in the data or the reference layer, or is the superclass of one that is."""
    assert rows(plain_store, """
        SELECT ?class WHERE {
          ?class a owl:Class FILTER (STRSTARTS(STR(?class), STR(kz:)))
          FILTER NOT EXISTS { ?sub rdfs:subClassOf* ?class . %s GRAPH ?g { ?x a ?sub } }
        }""" % CURATED) == []


def test_no_unused_properties(plain_store):
    """Each kz property is used in the data, the reference layer or the date bounds, or is derived by a chain."""
    assert rows(plain_store, """
        SELECT ?p WHERE {
          ?p a ?kind VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty } FILTER (STRSTARTS(STR(?p), STR(kz:)))
          FILTER NOT EXISTS { ?p owl:propertyChainAxiom ?chain }
          FILTER NOT EXISTS { ?sub rdfs:subPropertyOf* ?p . %s GRAPH ?g { ?x ?sub ?y } }
          FILTER NOT EXISTS { ?p owl:inverseOf|^owl:inverseOf ?inv . %s GRAPH ?g { ?x ?inv ?y } }
        }""" % (USED, USED)) == []


def test_links_to_wikidata_use_skos_not_owl_same_as(plain_store):
    assert not plain_store.ask("ASK { ?s owl:sameAs ?o }")


def test_inferred_graph_is_plain_rdf(store):
    """No literal subjects, no reflexive sameAs, nothing about owl:Thing."""
    assert not store.ask("""ASK { GRAPH <https://w3id.org/kzgraph/graph/inferred> {
        { ?s owl:sameAs ?s } UNION { ?s a owl:Thing } UNION { ?s ?p ?o FILTER (isLiteral(?s)) } } }""")


RDF_FILES = sorted(
    p for folder in ("ontology", "data", "reference", "shapes") for p in (resources.project_root(Settings()) / folder).glob("*.ttl")
)


@pytest.mark.parametrize("path", RDF_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_file_declares_only_canonical_prefixes_it_uses_sorted(path: Path):
    text = path.read_text(encoding="utf-8")
    declared = re.findall(r"^@prefix (\w*): <([^>]*)> \.$", text, re.MULTILINE)
    names = [name for name, _ in declared]
    assert names == sorted(names), "prefixes not sorted A→Z"
    for name, iri in declared:
        assert PREFIXES.get(name) == iri, f"{name}: is not the canonical prefix for <{iri}>"
        body = text.split("\n", len(declared) + 1)[-1]
        assert re.search(rf"(?<![\w/#-]){name}:", body), f"{name}: declared but not used"
    assert text.startswith(f"# {path.parent.name}/{path.name}:"), "file opens with a header comment naming it"


def test_every_term_the_code_names_is_declared_in_the_ontology(store):
    from kzgraph.namespaces import KZ_TERMS

    assert len(KZ_TERMS.terms) >= 10
    for term in sorted(KZ_TERMS.terms):
        assert store.ask(f"ASK {{ GRAPH <https://w3id.org/kzgraph/graph/ontology> {{ kz:{term} a ?kind }} }}"), term


def test_a_misspelt_term_fails_at_once():
    from kzgraph.namespaces import DCTERMS, KZ_TERMS

    assert DCTERMS.title == "http://purl.org/dc/terms/title"  # a term named like a str method is still the term
    with pytest.raises(AttributeError, match="no term 'Stat'"):
        KZ_TERMS.Stat
