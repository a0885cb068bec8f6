"""Deterministic export of the ontology and data as one document.

The same input gives byte-identical output in every format, whatever the
process: blank nodes are canonicalized (RDFC-1.0) and triples sorted before
they reach a serializer that keeps their order (pyoxigraph's); Turtle is
written by rdflib's ``longturtle`` (one predicate a line, sorted prefixes).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kzgraph import formats
from kzgraph.errors import ExportError
from kzgraph.formats import Kind
from kzgraph.namespaces import INFERRED_GRAPH, PREFIXES
from kzgraph.results import engine_format
from kzgraph.store import KnowledgeStore

EXPORT_FORMATS = tuple(f.name for f in formats.formats_for(Kind.GRAPH))
"""Every RDF format: the triple formats merge the graphs, the quad formats keep them apart."""


def export_graph(store: KnowledgeStore, fmt: str = "turtle", *, inferred: bool = False) -> bytes:
    """Every asserted graph (ontology, data, the user's files; the inferred one if asked) in ``fmt``.

    Triple formats merge the graphs; ``nquads`` and ``trig`` keep them apart.

    Raises:
        ExportError: unknown format, or ``inferred`` asked of a store built without reasoning.
    """
    chosen = formats.find(fmt, Kind.DATASET)
    if chosen is None:
        raise ExportError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")
    fmt = chosen.name
    if inferred and INFERRED_GRAPH not in store.graph_names():
        raise ExportError("no inferred graph: the store was loaded with reasoning off")
    graphs = [g for g in store.graph_names() if g != INFERRED_GRAPH] + ([INFERRED_GRAPH] if inferred else [])
    quads = _canonical_quads(q for g in graphs for q in store.quads(g))
    if fmt == "nquads":
        return _sorted_lines(quads, ox.RdfFormat.N_QUADS)
    if fmt == "nt":
        return _sorted_lines(_as_triples(quads), ox.RdfFormat.N_TRIPLES)
    if fmt == "turtle":
        return _longturtle(_as_triples(quads))
    items = quads if fmt == "trig" else _as_triples(quads)
    prefixes = PREFIXES if fmt != "jsonld" else None
    return ox.serialize(items, format=engine_format(chosen), prefixes=prefixes)


def _canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Blank nodes relabelled by RDFC-1.0, quads sorted: the same graph gives the same list."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=str)


def _as_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    return sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)


def _sorted_lines(items: Iterable, fmt: ox.RdfFormat) -> bytes:
    lines = ox.serialize(items, format=fmt).decode("utf-8").splitlines(keepends=True)
    return "".join(sorted(lines)).encode("utf-8")


def _longturtle(triples: list[ox.Triple]) -> bytes:
    """rdflib's longturtle: one predicate a line, subjects sorted, prefixes bound."""
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=_sorted_lines(triples, ox.RdfFormat.N_TRIPLES), format="nt")
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph.serialize(format="longturtle", encoding="utf-8", canon=True)
