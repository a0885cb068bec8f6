"""The OWL RL entailments we store agree with owlrl's on what we rely on: subclasses, subproperties, inverses."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from conftest import NEEDS_CHAINS
from kzgraph.reasoning import infer_triples

TTL = b"""
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<urn:Summit> rdfs:subClassOf <urn:Meeting> . <urn:Meeting> rdfs:subClassOf <urn:Activity> .
<urn:chair> rdfs:subPropertyOf <urn:participant> . <urn:participant> owl:inverseOf <urn:participatedIn> .
<urn:text> rdfs:domain <urn:Note> .
<urn:s> a <urn:Summit> ; <urn:chair> <urn:p> ; <urn:note> [ <urn:text> "quoted" ] .
"""
QUADS = list(ox.parse(TTL, format=ox.RdfFormat.TURTLE))


@pytest.fixture(scope="module")
def entailed() -> set[str]:
    return {str(t) for t in infer_triples(QUADS)}


def expected_by_owlrl() -> set[str]:
    import owlrl
    import rdflib

    graph = rdflib.Graph().parse(data=TTL, format="turtle")
    # improved_datatypes=False: owlrl's own literal converters would stay registered in rdflib for the
    # rest of the process and make valid literals such as "--03-26"^^xsd:gMonthDay look ill-typed.
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, improved_datatypes=False).expand(graph)
    wanted = ("<urn:s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:", "<urn:s> <urn:participant>",
              "<urn:p> <urn:participatedIn>")
    return {f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in graph if f"{s.n3()} {p.n3()} {o.n3()}".startswith(wanted)}


def test_subclass_subproperty_and_inverse_entailments(entailed):
    assert entailed >= {
        "<urn:s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:Meeting>",
        "<urn:s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:Activity>",
        "<urn:s> <urn:participant> <urn:p>",
        "<urn:p> <urn:participatedIn> <urn:s>",
    }


def test_agrees_with_owlrl_on_those(entailed):
    ours = {t for t in entailed if not t.endswith("owl#Thing>")}
    assert expected_by_owlrl() - {"<urn:s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:Summit>"} <= ours


def test_no_noise(entailed):
    assert not any("owl#Thing" in t or "owl#sameAs" in t or t.startswith('"') for t in entailed)


def test_blank_nodes_keep_their_identity_through_the_reasoner(entailed):
    note = next(q.object for q in QUADS if q.predicate.value == "urn:note")
    assert f"{note} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:Note>" in entailed
    assert [t for t in entailed if "_:" in t] == [f"{note} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:Note>"]


# ---------------------------------------------- the shipped ontology's property chains

KZ = "https://w3id.org/kzgraph/ontology#"
KZR = "https://w3id.org/kzgraph/resource/"
CHAINED = (KZ + "participant", KZ + "participatedIn", "http://www.wikidata.org/prop/direct/P710")


@pytest.fixture(scope="module")
def owlrl_closure():
    """owlrl's OWL RL closure of the shipped ontology, data and reference layer: the oracle."""
    import owlrl
    import rdflib

    from kzgraph.config import Settings
    from kzgraph.interop import to_rdflib_graph
    from kzgraph.loader import dataset_inputs, parse_rdf_files

    graph = to_rdflib_graph([q for item in dataset_inputs(Settings()) for q in parse_rdf_files(item.paths)])
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, improved_datatypes=False).expand(graph)
    return {(str(s), str(p), str(o)) for s, p, o in graph
            if str(p) in CHAINED and isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef)}


def test_owlrl_entails_participation_through_offices_and_parts(owlrl_closure):
    """The axioms themselves: Kazakhstan takes part through its President, a session through its address."""
    assert (KZR + "event-2025-06-17-china-central-asia-summit", KZ + "participant", KZR + "country-KAZ") in owlrl_closure
    assert (KZR + "event-2025-unga80", KZ + "participant", KZR + "person-tokayev") in owlrl_closure
    assert (KZR + "event-2025-unga80", KZ + "participant", KZR + "country-KAZ") in owlrl_closure
    assert (KZR + "org-un", KZ + "participatedIn", KZR + "event-2025-08-guterres-visit-astana") in owlrl_closure
    assert (KZR + "event-2025-sco-plus-summit-tianjin", "http://www.wikidata.org/prop/direct/P710",
            KZR + "country-KAZ") in owlrl_closure
    # a state is not a participant because a group it belongs to is
    assert (KZR + "event-2025-06-17-china-central-asia-summit", KZ + "participant", KZR + "country-KGZ") not in owlrl_closure


@NEEDS_CHAINS
def test_the_loaders_inference_agrees_with_owlrl_on_participation(store, owlrl_closure):
    ours = {
        (row["s"].value, row["p"].value, row["o"].value)
        for row in store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER (?p IN (kz:participant, kz:participatedIn, wdt:P710)) "
                                "FILTER (isIRI(?s) && isIRI(?o)) }")
    }
    assert ours == owlrl_closure
