"""OWL RL entailments, cleaned so that they are plain RDF worth storing.

The reasoner (``reasonable``, an OWL 2 RL engine) returns the closure; we keep
only what is new and meaningful: no literal subjects, no reflexive
``owl:sameAs``/``subClassOf``/``subPropertyOf``/equivalences, and nothing
about ``owl:Thing``, ``owl:Nothing`` or ``rdfs:Resource``.

>>> import pyoxigraph as ox
>>> ttl = b'''@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... <urn:A> rdfs:subClassOf <urn:B> . <urn:x> a <urn:A> .'''
>>> [str(t) for t in infer_triples(list(ox.parse(ttl, format=ox.RdfFormat.TURTLE)))]
['<urn:x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:B>']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_NOISE_TERMS = {OWL + "Thing", OWL + "Nothing", RDFS + "Resource"}
_REFLEXIVE_NOISE = {
    OWL + "sameAs",
    OWL + "equivalentClass",
    OWL + "equivalentProperty",
    RDFS + "subClassOf",
    RDFS + "subPropertyOf",
}


def infer_triples(triples: Iterable[ox.Triple | ox.Quad]) -> list[ox.Triple]:
    """The entailments of ``triples`` that are not already among them, sorted."""
    import rdflib
    import reasonable

    from kzgraph.interop import from_rdflib_graph, to_rdflib_graph

    base = {_skolemize(ox.Triple(t.subject, t.predicate, t.object)) for t in triples}
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(to_rdflib_graph(base))
    closure = rdflib.Graph()
    for triple in reasoner.reason():
        closure.add(triple)
    new = set(from_rdflib_graph(closure)) - base
    return sorted((_unskolemize(t) for t in new if _worth_keeping(t)), key=str)


_SKOLEM = "urn:kzgraph:skolem:"


def _skolemize(triple: ox.Triple) -> ox.Triple:
    """Blank nodes become IRIs for the round trip, so their identity survives it."""
    s, o = triple.subject, triple.object
    if isinstance(s, ox.BlankNode):
        s = ox.NamedNode(_SKOLEM + s.value)
    if isinstance(o, ox.BlankNode):
        o = ox.NamedNode(_SKOLEM + o.value)
    return ox.Triple(s, triple.predicate, o)


def _unskolemize(triple: ox.Triple) -> ox.Triple:
    def back(term):
        if isinstance(term, ox.NamedNode) and term.value.startswith(_SKOLEM):
            return ox.BlankNode(term.value[len(_SKOLEM):])
        return term

    return ox.Triple(back(triple.subject), triple.predicate, back(triple.object))


def _worth_keeping(triple: ox.Triple) -> bool:
    s, p, o = triple.subject, triple.predicate.value, triple.object
    if isinstance(s, ox.Literal):
        return False
    if getattr(s, "value", None) in _NOISE_TERMS or getattr(o, "value", None) in _NOISE_TERMS:
        return False
    if p in _REFLEXIVE_NOISE and s == o:
        return False
    return True


def infer(store: ox.Store, *, sources: Sequence[str], target: str) -> int:
    """Add the entailments of the union of the graphs ``sources`` to the graph ``target``; how many."""
    graph = ox.NamedNode(target)
    quads = [q for name in sources for q in store.quads_for_pattern(None, None, None, ox.NamedNode(name))]
    inferred = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in infer_triples(quads)]
    store.extend(inferred)
    return len(inferred)
