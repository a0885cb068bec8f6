"""RDF descriptions of the service: the SPARQL 1.1 Service Description of the
endpoint and the VoID description of the dataset, from counts the backend gave."""

from __future__ import annotations

import pyoxigraph as ox

from kzgraph import __version__
from kzgraph.backends import Stats
from kzgraph.formats import FORMATS
from kzgraph.namespaces import (
    BASE,
    DATA_GRAPH,
    DCTERMS,
    INFERRED_GRAPH,
    KZ,
    ONTOLOGY_GRAPH,
    RDF,
    SD,
    VOID,
    W3C_FORMATS,
    XSD,
)

DATASET = BASE + "dataset"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
_GRAPH_TITLES = {ONTOLOGY_GRAPH: "ontology", DATA_GRAPH: "data", INFERRED_GRAPH: "inferred"}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD.integer))


def graph_title(name: str) -> str:
    """``kzgraph data graph``, or for a user's file ``kzgraph user graph NAME``."""
    if name in _GRAPH_TITLES:
        return f"kzgraph {_GRAPH_TITLES[name]} graph"
    return f"kzgraph {name.removeprefix(BASE + 'graph/').replace('/', ' graph ', 1)}"


def service_description(endpoint: str, stats: Stats) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``."""
    service = _n(endpoint)
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")
    a = _n(RDF.type)
    triples = [
        ox.Triple(service, a, _n(SD.Service)),
        ox.Triple(service, _n(SD.endpoint), service),
        ox.Triple(service, _n(SD.supportedLanguage), _n(SD.SPARQL11Query)),
        ox.Triple(service, _n(SD.feature), _n(SD.UnionDefaultGraph)),
        ox.Triple(service, _n(SD.feature), _n(SD.BasicFederatedQuery)),
        ox.Triple(service, _n(SD.defaultDataset), dataset),
        ox.Triple(dataset, a, _n(SD.Dataset)),
        ox.Triple(dataset, _n(SD.defaultGraph), default),
        ox.Triple(default, a, _n(SD.Graph)),
        ox.Triple(default, _n(VOID.triples), _int(stats.triples)),
    ]
    triples += [ox.Triple(service, _n(SD.resultFormat), _n(W3C_FORMATS + f.w3c_name)) for f in FORMATS]
    for name, size in stats.graph_sizes.items():
        key = name.removeprefix(BASE + "graph/").replace("/", "-")
        named, graph = ox.BlankNode("named-" + key), ox.BlankNode("graph-" + key)
        triples += [
            ox.Triple(dataset, _n(SD.namedGraph), named),
            ox.Triple(named, a, _n(SD.NamedGraph)),
            ox.Triple(named, _n(SD.name), _n(name)),
            ox.Triple(named, _n(SD.graph), graph),
            ox.Triple(graph, a, _n(SD.Graph)),
            ox.Triple(graph, _n(VOID.triples), _int(size)),
        ]
    return triples


def void_description(root: str, stats: Stats) -> list[ox.Triple]:
    """The VoID description of the dataset served at ``root`` (the server's base URL)."""
    ds = _n(DATASET)
    a = _n(RDF.type)
    triples = [
        ox.Triple(ds, a, _n(VOID.Dataset)),
        ox.Triple(ds, _n(DCTERMS.title), ox.Literal("kzgraph: Kazakhstan's diplomacy in 2025", language="en")),
        ox.Triple(ds, _n(DCTERMS.description), ox.Literal(
            "States, organizations, people, places, meetings, proposals and documents of Kazakhstan's "
            "diplomacy in 2025, curated from two articles, each fact with its source and quote.", language="en")),
        ox.Triple(ds, _n(DCTERMS.license), _n(LICENSE)),
        ox.Triple(ds, _n(DCTERMS.hasVersion), ox.Literal(__version__)),
        ox.Triple(ds, _n(VOID.sparqlEndpoint), _n(root + "sparql")),
        ox.Triple(ds, _n(VOID.dataDump), _n(root + "rdf-graph-store?default")),
        ox.Triple(ds, _n(VOID.uriSpace), ox.Literal(BASE + "resource/")),
        ox.Triple(ds, _n(VOID.vocabulary), _n(KZ)),
        ox.Triple(ds, _n(VOID.triples), _int(stats.triples)),
        ox.Triple(ds, _n(VOID.entities), _int(stats.entities)),
        ox.Triple(ds, _n(VOID.classes), _int(stats.classes)),
        ox.Triple(ds, _n(VOID.properties), _int(stats.properties)),
        ox.Triple(ds, _n(VOID.distinctSubjects), _int(stats.distinct_subjects)),
        ox.Triple(ds, _n(VOID.distinctObjects), _int(stats.distinct_objects)),
    ]
    triples += [ox.Triple(ds, _n(DCTERMS.source), _n(article)) for article in stats.sources]
    for name, size in stats.graph_sizes.items():
        triples += [
            ox.Triple(ds, _n(VOID.subset), _n(name)),
            ox.Triple(_n(name), a, _n(VOID.Dataset)),
            ox.Triple(_n(name), _n(DCTERMS.title), ox.Literal(graph_title(name), language="en")),
            ox.Triple(_n(name), _n(VOID.dataDump), _n(f"{root}rdf-graph-store?graph={name}")),
            ox.Triple(_n(name), _n(VOID.triples), _int(size)),
        ]
    return triples
