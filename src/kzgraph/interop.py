"""Move triples between pyoxigraph (parsing, querying) and rdflib (SHACL,
serializers) through N-Triples, which both read and write exactly.

>>> import pyoxigraph as ox
>>> len(to_rdflib_graph([ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("x"))]))
1
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib


def to_rdflib_graph(triples: Iterable[ox.Triple | ox.Quad]) -> rdflib.Graph:
    """One rdflib graph holding the triples (graph names are dropped)."""
    plain = (ox.Triple(t.subject, t.predicate, t.object) for t in triples)
    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(plain, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph
