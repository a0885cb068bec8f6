"""Deterministic export of the ontology and data as one document.

The same input gives byte-identical output in every format, whatever the
process: blank nodes are canonicalized (RDFC-1.0), triples are sorted before
they reach a serializer, and Turtle is written by rdflib's ``longturtle``
(one predicate a line, sorted prefixes).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kzgraph.errors import ExportError
from kzgraph.namespaces import DATA_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from kzgraph.store import KnowledgeStore

EXPORT_FORMATS = ("turtle", "nt", "nquads", "jsonld", "xml", "trig")
_RDFLIB_NAMES = {"turtle": "longturtle", "jsonld": "json-ld", "xml": "pretty-xml", "trig": "trig"}


def export_graph(store: KnowledgeStore, fmt: str = "turtle", *, inferred: bool = False) -> bytes:
    """The ontology and data graphs (and the inferred one if asked) in ``fmt``.

    Triple formats merge the graphs; ``nquads`` and ``trig`` keep them apart.

    Raises:
        ExportError: unknown format, or ``inferred`` asked of a store built without reasoning.
    """
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")
    graphs = [ONTOLOGY_GRAPH, DATA_GRAPH] + ([INFERRED_GRAPH] if inferred else [])
    if inferred and INFERRED_GRAPH not in store.graph_names():
        raise ExportError("no inferred graph: the store was loaded with reasoning off")
    quads = _canonical_quads(q for g in graphs for q in store.quads(g))
    if fmt == "nquads":
        return _lines(quads, ox.RdfFormat.N_QUADS)
    if fmt == "nt":
        return _lines(_as_triples(quads), ox.RdfFormat.N_TRIPLES)
    return _rdflib_serialize(quads, fmt)


def _canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=str)


def _as_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    return sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)


def _lines(items: Iterable, fmt: ox.RdfFormat) -> bytes:
    lines = ox.serialize(items, format=fmt).decode("utf-8").splitlines(keepends=True)
    return "".join(sorted(lines)).encode("utf-8")


def _rdflib_serialize(quads: list[ox.Quad], fmt: str) -> bytes:
    import rdflib

    nquads = _lines(quads, ox.RdfFormat.N_QUADS)
    if fmt == "trig":
        target: rdflib.Graph = rdflib.Dataset()
        target.parse(data=nquads, format="nquads")
    else:
        target = rdflib.Graph()
        target.parse(data=_lines(_as_triples(quads), ox.RdfFormat.N_TRIPLES), format="nt")
    for prefix, iri in PREFIXES.items():
        target.bind(prefix, iri, override=True, replace=True)
    options = {"canon": True} if fmt == "turtle" else {}
    if fmt == "jsonld":
        options = {"context": dict(PREFIXES), "sort_keys": True, "indent": 2}
    return target.serialize(format=_RDFLIB_NAMES[fmt], encoding="utf-8", **options)
