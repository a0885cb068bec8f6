"""RDF descriptions of the service: the SPARQL 1.1 Service Description of the
endpoint and the VoID description of the dataset."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kzgraph import __version__
from kzgraph.namespaces import BASE, DATA_GRAPH, DATES_GRAPH, INFERRED_GRAPH, KZ, ONTOLOGY_GRAPH, REFERENCE_GRAPH
from kzgraph.store import KnowledgeStore

DATASET = BASE + "dataset"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
_GRAPH_TITLES = {ONTOLOGY_GRAPH: "ontology", DATA_GRAPH: "data", INFERRED_GRAPH: "inferred",
                 REFERENCE_GRAPH: "reference", DATES_GRAPH: "dates"}

_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                   "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n("http://www.w3.org/2001/XMLSchema#integer"))


@dataclass(frozen=True)
class DatasetStats:
    """What the descriptions say about the dataset, counted once: the graph is read-only."""

    triples: int
    graph_sizes: dict[str, int]
    entities: int
    classes: int
    properties: int
    distinct_subjects: int
    distinct_objects: int
    sources: tuple[str, ...]


def dataset_stats(store: KnowledgeStore) -> DatasetStats:
    """Count what the Service Description and the VoID description report."""
    return DatasetStats(
        triples=len(store),
        graph_sizes={name: sum(1 for _ in store.quads(name)) for name in store.graph_names()},
        entities=_count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER (STRSTARTS(STR(?s), STR(kzr:))) }"),
        classes=_count(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"),
        properties=_count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"),
        distinct_subjects=_count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        distinct_objects=_count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
        sources=tuple(sorted(row["a"].value for row in store.select("SELECT DISTINCT ?a WHERE { ?a a kz:SourceArticle }"))),
    )


def _count(store: KnowledgeStore, query: str) -> int:
    return int(store.select(query)[0]["n"].value)


def service_description(endpoint: str, stats: DatasetStats) -> list[ox.Triple]:
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
        ox.Triple(default, _n(VOID + "triples"), _int(stats.triples)),
    ]
    triples += [ox.Triple(service, _n(SD + "resultFormat"), _n("http://www.w3.org/ns/formats/" + f))
                for f in _RESULT_FORMATS]
    for name, size in stats.graph_sizes.items():
        key = name.rsplit("/", 1)[-1]
        named, graph = ox.BlankNode("named-" + key), ox.BlankNode("graph-" + key)
        triples += [
            ox.Triple(dataset, _n(SD + "namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _n(SD + "NamedGraph")),
            ox.Triple(named, _n(SD + "name"), _n(name)),
            ox.Triple(named, _n(SD + "graph"), graph),
            ox.Triple(graph, RDF_TYPE, _n(SD + "Graph")),
            ox.Triple(graph, _n(VOID + "triples"), _int(size)),
        ]
    return triples


def void_description(root: str, stats: DatasetStats) -> list[ox.Triple]:
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
        ox.Triple(ds, _n(VOID + "triples"), _int(stats.triples)),
        ox.Triple(ds, _n(VOID + "entities"), _int(stats.entities)),
        ox.Triple(ds, _n(VOID + "classes"), _int(stats.classes)),
        ox.Triple(ds, _n(VOID + "properties"), _int(stats.properties)),
        ox.Triple(ds, _n(VOID + "distinctSubjects"), _int(stats.distinct_subjects)),
        ox.Triple(ds, _n(VOID + "distinctObjects"), _int(stats.distinct_objects)),
    ]
    triples += [ox.Triple(ds, _n(DCTERMS + "source"), _n(article)) for article in stats.sources]
    for name, size in stats.graph_sizes.items():
        triples += [
            ox.Triple(ds, _n(VOID + "subset"), _n(name)),
            ox.Triple(_n(name), RDF_TYPE, _n(VOID + "Dataset")),
            ox.Triple(_n(name), _n(DCTERMS + "title"), ox.Literal(f"kzgraph {_GRAPH_TITLES[name]} graph", language="en")),
            ox.Triple(_n(name), _n(VOID + "dataDump"), _n(f"{root}rdf-graph-store?graph={name}")),
            ox.Triple(_n(name), _n(VOID + "triples"), _int(size)),
        ]
    return triples
