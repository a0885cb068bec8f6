"""RDF descriptions of the service: the SPARQL 1.1 Service Description of the
endpoint and the VoID description of the dataset."""

from __future__ import annotations

import pyoxigraph as ox

from kzgraph import __version__
from kzgraph.namespaces import BASE, DATA_GRAPH, INFERRED_GRAPH, KZ, ONTOLOGY_GRAPH
from kzgraph.store import KnowledgeStore

DATASET = BASE + "dataset"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"

_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                   "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n("http://www.w3.org/2001/XMLSchema#integer"))


def service_description(endpoint: str, store: KnowledgeStore) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``."""
    service = _n(endpoint)
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")
    triples = [
        ox.Triple(service, RDF_TYPE, _n(SD + "Service")),
        ox.Triple(service, _n(SD + "endpoint"), service),
        ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(service, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        ox.Triple(service, _n(SD + "feature"), _n(SD + "BasicFederatedQuery")),
        ox.Triple(service, _n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _n(SD + "Dataset")),
        ox.Triple(dataset, _n(SD + "defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, _n(SD + "Graph")),
        ox.Triple(default, _n(VOID + "triples"), _int(len(store))),
        ox.Triple(dataset, _n(DCTERMS + "source"), _n(DATASET)),
    ]
    triples += [ox.Triple(service, _n(SD + "resultFormat"), _n("http://www.w3.org/ns/formats/" + f))
                for f in _RESULT_FORMATS]
    for name in store.graph_names():
        named = ox.BlankNode("graph-" + name.rsplit("/", 1)[-1])
        graph = ox.BlankNode("g-" + name.rsplit("/", 1)[-1])
        triples += [
            ox.Triple(dataset, _n(SD + "namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _n(SD + "NamedGraph")),
            ox.Triple(named, _n(SD + "name"), _n(name)),
            ox.Triple(named, _n(SD + "graph"), graph),
            ox.Triple(graph, RDF_TYPE, _n(SD + "Graph")),
            ox.Triple(graph, _n(VOID + "triples"), _int(_count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"))),
        ]
    return triples


def void_description(root: str, store: KnowledgeStore) -> list[ox.Triple]:
    """The VoID description of the dataset served at ``root`` (the server's base URL)."""
    ds = _n(DATASET)
    triples = [
        ox.Triple(ds, RDF_TYPE, _n(VOID + "Dataset")),
        ox.Triple(ds, _n(DCTERMS + "title"), ox.Literal("kzgraph: Kazakhstan's diplomacy in 2025", language="en")),
        ox.Triple(ds, _n(DCTERMS + "description"), ox.Literal(
            "States, organizations, people, places, meetings, proposals and documents of Kazakhstan's "
            "diplomacy in 2025, curated from two articles, each fact with its source and quote.", language="en")),
        ox.Triple(ds, _n(DCTERMS + "license"), _n(LICENSE)),
        ox.Triple(ds, _n(DCTERMS + "hasVersion"), ox.Literal(__version__)),
        ox.Triple(ds, _n(VOID + "sparqlEndpoint"), _n(root + "sparql")),
        ox.Triple(ds, _n(VOID + "dataDump"), _n(root + "rdf-graph-store?default")),
        ox.Triple(ds, _n(VOID + "uriSpace"), ox.Literal(BASE + "resource/")),
        ox.Triple(ds, _n(VOID + "vocabulary"), _n(KZ)),
        ox.Triple(ds, _n(VOID + "triples"), _int(len(store))),
        ox.Triple(ds, _n(VOID + "entities"), _int(_count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER (STRSTARTS(STR(?s), STR(kzr:))) }"))),
        ox.Triple(ds, _n(VOID + "classes"), _int(_count(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"))),
        ox.Triple(ds, _n(VOID + "properties"), _int(_count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"))),
        ox.Triple(ds, _n(VOID + "distinctSubjects"), _int(_count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"))),
        ox.Triple(ds, _n(VOID + "distinctObjects"), _int(_count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"))),
    ]
    for row in store.select("SELECT DISTINCT ?article WHERE { ?article a kz:SourceArticle }"):
        triples.append(ox.Triple(ds, _n(DCTERMS + "source"), row["article"]))
    for name, label in ((ONTOLOGY_GRAPH, "ontology"), (DATA_GRAPH, "data"), (INFERRED_GRAPH, "inferred")):
        if name in store.graph_names():
            triples += [
                ox.Triple(ds, _n(VOID + "subset"), _n(name)),
                ox.Triple(_n(name), RDF_TYPE, _n(VOID + "Dataset")),
                ox.Triple(_n(name), _n(DCTERMS + "title"), ox.Literal(f"kzgraph {label} graph", language="en")),
                ox.Triple(_n(name), _n(VOID + "dataDump"), _n(f"{root}rdf-graph-store?graph={name}")),
                ox.Triple(_n(name), _n(VOID + "triples"), _int(_count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"))),
            ]
    return triples


def _count(store: KnowledgeStore, query: str) -> int:
    return int(store.select(query)[0]["n"].value)
