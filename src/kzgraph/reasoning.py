"""OWL 2 RL entailments computed inside a pyoxigraph store, cleaned so that they are plain RDF worth storing.

The rules are the OWL 2 RL rules (W3C OWL 2 Profiles, section 4.3) for the
constructs the kzgraph ontology uses, written as SPARQL updates that read the
union of the source graphs and of the target graph (``USING``) and insert
into the target what is not there yet. The schema rules run first to a
fixpoint (their input is small). Then the instance rules that read one
resource triple are compiled, by the rules themselves, into one update per
property and class (:func:`compile_templates`), and the rules that join
resources run semi-naively to a fixpoint; an odd schema leaves every
instance rule to the rounds. Only the types leave the store: each
resource's classes are gathered in Python, one shared set for the many
resources typed alike, while the store applies the other conclusions.

Supported, by rule name:

* classes: ``scm-sco``, ``scm-eqc1``, ``scm-eqc2``, ``scm-uni`` (and so
  ``cls-uni``), ``cax-sco`` (and so ``cax-eqc1``/``cax-eqc2``);
* properties: ``scm-spo``, ``scm-eqp1``, ``scm-eqp2``, ``scm-dom1``,
  ``scm-dom2``, ``scm-rng1``, ``scm-rng2``, ``prp-dom``, ``prp-rng``,
  ``prp-spo1`` (and so ``prp-eqp1``/``prp-eqp2``), ``prp-spo2`` (property
  chains of any length, the ``rdf:List`` walked in SPARQL, a member being
  a property or the inverse of one), ``prp-inv1``,
  ``prp-inv2``, ``prp-symp``, ``prp-trp``.

:data:`VOCABULARY` lists the terms these rules read; the ontology tests check
that the ontology uses no other OWL construct.

What is added is then cleaned: no reflexive ``owl:sameAs``, ``subClassOf``,
``subPropertyOf`` or equivalences, nothing about ``owl:Thing``,
``owl:Nothing`` or ``rdfs:Resource``, and nothing said of a term of the
built-in ``rdf:``, ``rdfs:``, ``owl:`` and ``xsd:`` vocabularies (such as
``xsd:gYear rdfs:subClassOf kz:PartialDate``, true but of no use to a query).
Literal subjects cannot occur: RDF has none (so what a reasoner over
generalized RDF, such as owlrl, concludes from a literal typed by a range,
when ``rdf:type`` itself has a range, is not concluded here). Blank nodes
keep their identity.

>>> import pyoxigraph as ox
>>> ttl = b'''@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... <urn:A> rdfs:subClassOf <urn:B> . <urn:x> a <urn:A> .'''
>>> [str(t) for t in infer_triples(list(ox.parse(ttl, format=ox.RdfFormat.TURTLE)))]
['<urn:x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:B>']
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox

OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"

VOCABULARY = frozenset({
    RDF + "type", RDF + "first", RDF + "rest", RDF + "nil",
    RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range",
    OWL + "equivalentClass", OWL + "equivalentProperty", OWL + "unionOf", OWL + "inverseOf",
    OWL + "SymmetricProperty", OWL + "TransitiveProperty", OWL + "propertyChainAxiom",
})
"""The terms the rules read. Other OWL terms (owl:Class, owl:ObjectProperty, ...) only declare."""

_PREFIXES = f"PREFIX rdf: <{RDF}>\nPREFIX rdfs: <{RDFS}>\nPREFIX owl: <{OWL}>\n"


@dataclass(frozen=True)
class Rule:
    """``head`` (one triple pattern) holds wherever the body matches; ``name`` as in OWL 2 RL.

    The body is ``schema`` (patterns over classes and properties), then
    ``atoms`` (patterns over resources: each one triple pattern, or a tuple
    of triple patterns that are alternatives), then ``condition`` (a FILTER
    expression, or empty). Keeping the atoms apart lets a round match one of
    them against only what the previous round added.
    """

    name: str
    head: str
    schema: str
    atoms: tuple[str | tuple[str, ...], ...] = ()
    condition: str = ""

    def body(self, delta: ox.NamedNode | None = None, position: int = 0) -> str:
        """The WHERE clause; with ``delta``, atom ``position`` is matched in that graph only."""
        if not self.atoms:
            return self.schema
        atoms = []
        for i, atom in enumerate(self.atoms):
            patterns = (atom,) if isinstance(atom, str) else atom
            if delta is not None and i == position:
                patterns = tuple(f"GRAPH {delta} {{ {p} }}" for p in patterns)
            atoms.append(" UNION ".join(f"{{ {p} }}" for p in patterns) if len(patterns) > 1 else patterns[0])
        # The schema patterns in a subquery of their own: evaluated first, they bind the few classes
        # and properties that the resource patterns then look up (about ten times faster at 100k triples).
        schema = f"{{ SELECT * WHERE {{ {self.schema} }} }} " if self.schema else ""
        condition = f" FILTER ({self.condition})" if self.condition else ""
        return schema + " . ".join(atoms) + condition


SCHEMA_RULES = (
    Rule("scm-sco", "?c1 rdfs:subClassOf ?c3", "?c1 rdfs:subClassOf ?c2 . ?c2 rdfs:subClassOf ?c3"),
    Rule("scm-eqc1a", "?c1 rdfs:subClassOf ?c2", "?c1 owl:equivalentClass ?c2"),
    Rule("scm-eqc1b", "?c2 rdfs:subClassOf ?c1", "?c1 owl:equivalentClass ?c2"),
    Rule("scm-eqc2", "?c1 owl:equivalentClass ?c2", "?c1 rdfs:subClassOf ?c2 . ?c2 rdfs:subClassOf ?c1"),
    Rule("scm-uni", "?ci rdfs:subClassOf ?c", "?c owl:unionOf ?list . ?list rdf:rest*/rdf:first ?ci"),
    Rule("scm-spo", "?p1 rdfs:subPropertyOf ?p3", "?p1 rdfs:subPropertyOf ?p2 . ?p2 rdfs:subPropertyOf ?p3"),
    Rule("scm-eqp1a", "?p1 rdfs:subPropertyOf ?p2", "?p1 owl:equivalentProperty ?p2"),
    Rule("scm-eqp1b", "?p2 rdfs:subPropertyOf ?p1", "?p1 owl:equivalentProperty ?p2"),
    Rule("scm-eqp2", "?p1 owl:equivalentProperty ?p2", "?p1 rdfs:subPropertyOf ?p2 . ?p2 rdfs:subPropertyOf ?p1"),
    Rule("scm-dom1", "?p rdfs:domain ?c2", "?p rdfs:domain ?c1 . ?c1 rdfs:subClassOf ?c2"),
    Rule("scm-dom2", "?p1 rdfs:domain ?c", "?p2 rdfs:domain ?c . ?p1 rdfs:subPropertyOf ?p2"),
    Rule("scm-rng1", "?p rdfs:range ?c2", "?p rdfs:range ?c1 . ?c1 rdfs:subClassOf ?c2"),
    Rule("scm-rng2", "?p1 rdfs:range ?c", "?p2 rdfs:range ?c . ?p1 rdfs:subPropertyOf ?p2"),
)
"""Rules whose conclusions are about classes and properties; they run to a fixpoint first."""

# A domain or range that another, narrower one of the same property implies is left to cax-sco.
_NARROWEST = ("FILTER NOT EXISTS {{ ?p {0} ?c0 . ?c0 rdfs:subClassOf ?c FILTER (?c0 != ?c) "
              "FILTER NOT EXISTS {{ ?c rdfs:subClassOf ?c0 }} }}")

PROPERTY_RULES = (
    Rule("prp-spo1", "?x ?p2 ?y", "?p1 rdfs:subPropertyOf ?p2", ("?x ?p1 ?y",)),
    Rule("prp-inv1", "?y ?p2 ?x", "?p1 owl:inverseOf ?p2", ("?x ?p1 ?y",), "!isLiteral(?y)"),
    Rule("prp-inv2", "?y ?p1 ?x", "?p1 owl:inverseOf ?p2", ("?x ?p2 ?y",), "!isLiteral(?y)"),
    Rule("prp-symp", "?y ?p ?x", "?p a owl:SymmetricProperty", ("?x ?p ?y",), "!isLiteral(?y)"),
    Rule("prp-trp", "?x ?p ?z", "?p a owl:TransitiveProperty", ("?x ?p ?y", "?y ?p ?z")),
)
"""Instance rules that conclude property values; property chains (prp-spo2) follow them, one rule per chain."""

TYPE_RULES = (
    Rule("prp-dom", "?x a ?c", "?p rdfs:domain ?c " + _NARROWEST.format("rdfs:domain"), ("?x ?p ?y",)),
    Rule("prp-rng", "?y a ?c", "?p rdfs:range ?c " + _NARROWEST.format("rdfs:range"), ("?x ?p ?y",), "!isLiteral(?y)"),
    Rule("cax-sco", "?x a ?c2", "?c1 rdfs:subClassOf ?c2", ("?x a ?c1",)),
)
"""Instance rules that conclude types; last in a round, so that a round types what it concluded."""


@dataclass(frozen=True)
class Chain:
    """``property`` holds wherever its chain of ``members`` does: each a property and whether it is taken inverted."""

    property: ox.NamedNode
    members: tuple[tuple[ox.NamedNode, bool], ...]


def chain_rule(chain: Chain) -> Rule:
    """prp-spo2 for one property chain, its properties written into the rule.

    A member ``[ owl:inverseOf P ]`` is matched backwards through ``P``.
    (Properties as constants let the store order the joins by what each
    property holds; with the list walked inside the rule, a chain of three
    took minutes at 100k triples.)

    >>> kz = "https://w3id.org/kzgraph/ontology#"
    >>> rule = chain_rule(Chain(ox.NamedNode(kz + "participatedIn"),
    ...     ((ox.NamedNode(kz + "officeOf"), True), (ox.NamedNode(kz + "participatedIn"), False))))
    >>> print(rule.head, "<=", rule.body())  # doctest: +NORMALIZE_WHITESPACE
    ?u0 <https://w3id.org/kzgraph/ontology#participatedIn> ?u2 <= ?u1 <https://w3id.org/kzgraph/ontology#officeOf> ?u0 .
        ?u1 <https://w3id.org/kzgraph/ontology#participatedIn> ?u2
    """
    links = tuple(f"?u{i} {p} ?u{i - 1}" if inverse else f"?u{i - 1} {p} ?u{i}"
                  for i, (p, inverse) in enumerate(chain.members, 1))
    shape = " ".join(f"^{p}" if inverse else str(p) for p, inverse in chain.members)
    return Rule(f"prp-spo2 {chain.property} ({shape})", f"?u0 {chain.property} ?u{len(links)}", "", links)


def infer(store: ox.Store, *, sources: Sequence[str], target: str,
          on_new: Callable[[ox.NamedNode], None] | None = None, compiled: bool = True) -> int:
    """Write into the named graph ``target`` the OWL 2 RL entailments of the union of the named graphs ``sources``.

    Works in place: the entailments of what ``target`` already holds count
    too, and only triples that are in none of the graphs are added, so a
    second call adds nothing. Returns how many triples were added.

    The schema rules run first, to a fixpoint. Then, unless the schema is
    odd (see :func:`compile_templates`) or ``compiled`` is false, the rules
    with one resource pattern are applied through templates compiled from
    them, each property's and each class's consequences in one pass over its
    triples, and only the rules that join resources (``prp-trp``,
    ``prp-spo2``) run in rounds. Otherwise every instance rule runs in
    rounds. Both give the same triples.

    The rounds are semi-naive: the first matches every rule against
    everything, each later one matches one resource pattern of each rule
    against only the triples the round before added (kept in a scratch graph
    of the store, dropped at the end).

    ``on_new``, if given, is called with a graph of the store that holds
    triples just added to ``target``, while that graph is there: ``target``
    itself after the compiled pass or a first round, then each later round's
    scratch graph.
    Together they hold all of ``target`` at the end (a triple may come
    twice), before it is cleaned: :func:`kept` gives what the cleaning
    keeps of a graph. So a caller can write the entailments out while the
    rules still run.

    Raises:
        ValueError: no source, ``target`` is one of the ``sources``, or an IRI is invalid.

    >>> store = ox.Store()
    >>> store.update('INSERT DATA { GRAPH <urn:g> { <urn:p> a <http://www.w3.org/2002/07/owl#TransitiveProperty> . '
    ...              '<urn:a> <urn:p> <urn:b> . <urn:b> <urn:p> <urn:c> . <urn:c> <urn:p> <urn:d> } }')
    >>> infer(store, sources=["urn:g"], target="urn:inferred")
    3
    >>> infer(store, sources=["urn:g"], target="urn:inferred")
    0
    """
    if not sources:
        raise ValueError("infer needs at least one source graph")
    if target in sources:
        raise ValueError(f"the target graph <{target}> is also a source")
    graphs = [ox.NamedNode(g) for g in (*sources, target)]  # validates the IRIs before they enter an update
    target_node = graphs[-1]
    on_new = on_new or (lambda graph: None)
    before = _count(store, target_node)
    with ThreadPoolExecutor(1) as pool:
        # Found while the rules run: the rules move terms about, and never make up an IRI.
        built_in = pool.submit(_built_in_terms, store, graphs)
        while _run_round(store, SCHEMA_RULES, graphs, target_node):
            pass
        templates = compile_templates(store, graphs) if compiled else None
        if templates is not None:
            _run_compiled(store, templates, graphs, target_node, on_new)
        else:
            while True:
                _run_instance_rules(store, graphs, target_node, on_new)
                # An instance rule concludes a schema triple only from odd data (a subproperty of
                # rdfs:subClassOf, say); then the schema rules run again, and the instance rules after them.
                if not _run_round(store, SCHEMA_RULES, graphs, target_node):
                    break
        _clean(store, target_node, built_in.result())
    return _count(store, target_node) - before


def infer_triples(triples: Iterable[ox.Triple | ox.Quad]) -> list[ox.Triple]:
    """The entailments of ``triples`` that are not already among them, sorted (graph names are dropped)."""
    source, target = ox.NamedNode("urn:kzgraph:reasoning:source"), ox.NamedNode("urn:kzgraph:reasoning:target")
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, source) for t in triples)
    infer(store, sources=[source.value], target=target.value)
    return sorted((ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, target)),
                  key=str)


_PROBE = "urn:kzgraph:reasoning:probe:"

_SCHEMA_TERMS = frozenset(VOCABULARY - {RDF + "type"})
"""Predicates of the triples that make up the schema (with ``rdf:type`` of a symmetric or transitive property)."""


@dataclass(frozen=True)
class Template:
    """What one resource triple entails on its own: the ``conclusions`` (triples of terms, with
    ``"?x"`` and ``"?y"`` for the triple's subject and object) wherever ``?x <predicate> ?y``
    holds, ``?y`` a literal or not as ``literal`` says; for a class, ``predicate`` is
    ``rdf:type`` and ``value`` the class."""

    predicate: ox.NamedNode
    value: ox.NamedNode | None
    literal: bool | None
    conclusions: tuple[tuple[object, ox.NamedNode, object], ...]

    @property
    def head(self) -> tuple[str, ...]:
        """The conclusions that name no blank node, as the triple patterns of an update's template."""
        return tuple(f"{s} {p} {o}" for s, p, o in self.conclusions if not _names_blank(s, o))

    @property
    def blank(self) -> tuple[tuple[object, ox.NamedNode, object], ...]:
        """The conclusions that name a blank node of the schema (an anonymous class, say): a blank
        node in an update's template would be a fresh one, so these are added from Python."""
        return tuple(c for c in self.conclusions if _names_blank(c[0], c[2]))

    def body(self, x: str = "?x", y: str = "?y") -> str:
        """The WHERE clause; ``x`` and ``y`` name the variables."""
        pattern = f"{x} {self.predicate} {self.value if self.value is not None else y}"
        if self.literal is None:
            return pattern
        return f"{pattern} FILTER ({'' if self.literal else '!'}isLiteral({y}))"

    def types(self) -> dict[str, frozenset[ox.NamedNode]]:
        """The named classes the conclusions give ``?x`` and ``?y``, by variable."""
        found: dict[str, set[ox.NamedNode]] = {}
        for subject, predicate, value in self.conclusions:
            if predicate.value == RDF + "type" and subject in ("?x", "?y") and isinstance(value, ox.NamedNode):
                found.setdefault(subject, set()).add(value)
        return {node: frozenset(classes) for node, classes in found.items()}

    def without_types(self) -> Template:
        """The template with only the conclusions that are not the types :meth:`types` gives."""
        typed = {(node, ox.NamedNode(RDF + "type"), c) for node, classes in self.types().items() for c in classes}
        return Template(self.predicate, self.value, self.literal, tuple(c for c in self.conclusions if c not in typed))


def _names_blank(subject, value) -> bool:
    return isinstance(subject, ox.BlankNode) or isinstance(value, ox.BlankNode)


def compile_templates(store: ox.Store, graphs: Sequence[ox.NamedNode]) -> list[Template] | None:
    """The consequences of every single resource triple, found by the rules themselves.

    The schema (the triples whose predicate is a term of :data:`VOCABULARY`,
    ``rdf:type`` only of symmetric and transitive properties) is copied into
    a store of its own, with probe triples: for every IRI the schema names,
    ``probe:s:i <IRI> probe:o:i`` (an IRI as object), ``probe:l:i <IRI>
    "probe"`` (a literal) and ``probe:c:i a <IRI>``. Running the rules (all
    of them, in rounds) over that store concludes, of each probe, exactly
    what one triple of its shape entails, with the schema alone; written
    with ``?x`` and ``?y`` for the probe's terms, that is its template.

    Returns None when the schema is odd, and a template would not hold for
    every triple of its shape: a probe concludes a schema triple, or a type
    whose class is the probe's object, or the probes conclude anything
    that mentions no probe and that ``graphs`` do not already hold (the
    schema's own instance-level consequences: a domain of
    ``rdfs:subClassOf``, say). The caller then runs every rule in rounds.
    """
    union = list(graphs)
    schema = list(store.query(
        f"{_PREFIXES}CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ VALUES ?p {{ {' '.join(f'<{t}>' for t in sorted(_SCHEMA_TERMS))} }} "
        "?s ?p ?o } UNION { VALUES ?o { owl:SymmetricProperty owl:TransitiveProperty } ?s a ?o BIND (rdf:type AS ?p) } }",
        default_graph=union))
    terms = sorted({t for triple in schema for t in (triple.subject, triple.object) if isinstance(t, ox.NamedNode)},
                   key=str)
    source, target = ox.NamedNode(_PROBE + "source"), ox.NamedNode(_PROBE + "target")
    probes = ox.Store()
    probes.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, source) for t in schema)
    rdf_type = ox.NamedNode(RDF + "type")
    for i, term in enumerate(terms):
        probes.extend([
            ox.Quad(ox.NamedNode(f"{_PROBE}s:{i}"), term, ox.NamedNode(f"{_PROBE}o:{i}"), source),
            ox.Quad(ox.NamedNode(f"{_PROBE}l:{i}"), term, ox.Literal("probe"), source),
            ox.Quad(ox.NamedNode(f"{_PROBE}c:{i}"), rdf_type, term, source),
        ])
    infer(probes, sources=[source.value], target=target.value, compiled=False)
    conclusions: dict[tuple[str, int], set[tuple[object, ox.NamedNode, object]]] = {}
    for quad in probes.quads_for_pattern(None, None, None, target):
        probe = next((t.value for t in (quad.subject, quad.object)
                      if isinstance(t, ox.NamedNode) and t.value.startswith(_PROBE)), None)
        if probe is None:
            if not _held(store, union, quad.subject, quad.predicate, quad.object):
                return None  # the schema entails instance triples of its own
            continue
        kind, number = probe[len(_PROBE):].split(":")
        if quad.predicate.value in _SCHEMA_TERMS or (quad.predicate == rdf_type and _is_probe(quad.object, "o")):
            return None  # a resource triple entails schema, or a type of a class that varies
        key = ("s" if kind == "o" else kind, int(number))
        conclusions.setdefault(key, set()).add((_variable(quad.subject), quad.predicate, _variable(quad.object)))
    templates = []
    for (kind, number), concluded in sorted(conclusions.items()):
        concluded = tuple(sorted(concluded, key=str))
        if kind == "c":
            templates.append(Template(rdf_type, terms[number], None, concluded))
        else:
            templates.append(Template(terms[number], None, kind == "l", concluded))
    return templates


def _is_probe(term, kind: str) -> bool:
    return isinstance(term, ox.NamedNode) and term.value.startswith(f"{_PROBE}{kind}:")


def _variable(term):
    """A term of a probe's conclusion in a template: the probe's subject ``"?x"``, its object ``"?y"``, else itself."""
    if _is_probe(term, "o") or term == ox.Literal("probe"):
        return "?y"
    if isinstance(term, ox.NamedNode) and term.value.startswith(_PROBE):
        return "?x"
    return term


def _held(store: ox.Store, graphs: Collection[ox.NamedNode], subject, predicate: ox.NamedNode, value) -> bool:
    """Whether one of ``graphs`` holds the triple: one lookup, which gives the few graphs that hold it."""
    return any(quad.graph_name in graphs for quad in store.quads_for_pattern(subject, predicate, value))


def _run_compiled(store: ox.Store, templates: Sequence[Template], graphs: list[ox.NamedNode],
                  target: ox.NamedNode, on_new: Callable[[ox.NamedNode], None]) -> None:
    """The instance rules through ``templates``, then the rules that join resources in rounds.

    The templates' types are gathered apart (:func:`_apply_types`); their
    other heads are written straight into ``target``, and what a source
    already states is then taken out of it again, in one pass (cheaper
    than asking, for every conclusion, whether it is new). Each round of
    the joining rules adds its conclusions and the consequences that the
    templates of their properties give (:func:`_consequences`), which the
    next round reads.
    """
    # A template gives every consequence of its triple, those of the triples it concludes included:
    # so it reads the sources alone, unless ``target`` held triples of its own already.
    read = graphs if _count(store, target) else graphs[:-1]
    # The types are gathered in Python while the store, which lets go of the interpreter as it
    # works, applies the other heads: on two cores, both at once.
    with ThreadPoolExecutor(1) as pool:
        types = pool.submit(_apply_types, store, templates, read, target)
        properties = set()
        for template in templates:
            template = template.without_types()
            if template.head or template.blank:
                _apply(store, template, read, target)
                # (those naming a blank node were added only where no graph held them)
                properties.update(str(p) for s, p, o in template.conclusions if not _names_blank(s, o))
        # Only a property that a source states can be concluded twice.
        properties = {p for p in properties
                      if store.query(f"ASK {{ ?s {p} ?o }}", default_graph=list(graphs[:-1]))}
        if properties:
            using = "".join(f"USING {g}\n" for g in graphs[:-1])
            store.update(f"DELETE {{ GRAPH {target} {{ ?s ?p ?o }} }}\n{using}USING NAMED {target}\n"
                         f"WHERE {{ VALUES ?p {{ {' '.join(sorted(properties))} }} GRAPH {target} {{ ?s ?p ?o }} ?s ?p ?o }}")
        types.result()
    on_new(target)
    joins = [rule for rule in PROPERTY_RULES if len(rule.atoms) > 1] + [chain_rule(c) for c in _chains(store, graphs)]
    if not joins:
        return
    delta, round_ = None, 1
    while True:
        fresh = ox.NamedNode(f"{_DELTA}{round_}")
        store.remove_graph(fresh)
        for rule in joins:
            if delta is None:
                _insert(store, rule, rule.body(), graphs, [target, fresh])
            else:
                for position in range(len(rule.atoms)):
                    _insert(store, rule, rule.body(delta, position), graphs, [target, fresh], named=delta)
        if delta is not None:
            store.remove_graph(delta)
        if not _count(store, fresh):
            store.remove_graph(fresh)
            return
        new = _consequences(store, _matching(store, templates, fresh), fresh, graphs)
        store.extend(ox.Quad(s, p, o, graph) for graph in (target, fresh) for s, p, o in new)
        on_new(fresh)
        delta, round_ = fresh, round_ + 1


def _consequences(store: ox.Store, templates: Sequence[Template], graph: ox.NamedNode,
                  held: Sequence[ox.NamedNode]) -> set[tuple]:
    """What ``templates`` conclude from the triples of ``graph`` that none of the graphs ``held`` holds.

    For the few triples a round of the joining rules adds: each conclusion
    is looked up once, with all its terms, where a SPARQL update would
    match it against the union of every graph.
    """
    holding = set(held)
    by_predicate: dict[ox.NamedNode, list[Template]] = {}
    for template in templates:
        by_predicate.setdefault(template.predicate, []).append(template)
    new: set[tuple] = set()
    for quad in store.quads_for_pattern(None, None, None, graph):
        literal = isinstance(quad.object, ox.Literal)
        for template in by_predicate.get(quad.predicate, ()):
            if (template.value is not None and quad.object != template.value
                    or template.literal is not None and template.literal != literal):
                continue
            for subject, predicate, value in template.conclusions:
                subject, value = (quad.subject if term == "?x" else quad.object if term == "?y" else term
                                  for term in (subject, value))
                if not isinstance(subject, (ox.NamedNode, ox.BlankNode)) or (subject, predicate, value) in new:
                    continue
                if not _held(store, holding, subject, predicate, value):
                    new.add((subject, predicate, value))
    return new


def _matching(store: ox.Store, templates: Sequence[Template], graph: ox.NamedNode) -> list[Template]:
    """The templates of the properties that ``graph`` holds triples of (the few that joining rules conclude)."""
    predicates = {row["p"] for row in store.query(f"SELECT DISTINCT ?p WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")}
    return [template for template in templates if template.predicate in predicates]


def _apply_types(store: ox.Store, templates: Sequence[Template], graphs: list[ox.NamedNode],
                 target: ox.NamedNode) -> None:
    """Insert into ``target`` the types that ``templates`` give, each type of each resource once.

    Most resources are typed by several of their properties and by their
    own type's superclasses, so adding each template's types blindly would
    try the same triple many times over, and asking the store, for each
    one, whether a graph holds it costs more than the insert. So the types
    are gathered here instead, in one pass over the triples of the
    templated properties and classes: each resource's classes as one set
    (the few distinct sets shared), less the types that a graph states.
    """
    by_predicate: dict[ox.NamedNode, list[tuple[ox.NamedNode | None, bool | None, frozenset, frozenset]]] = {}
    for template in templates:
        types = template.types()
        if types:
            x, y = (types.get(node, frozenset()) for node in ("?x", "?y"))
            by_predicate.setdefault(template.predicate, []).append((template.value, template.literal, x, y))
    found: dict[ox.NamedNode | ox.BlankNode, frozenset] = {}
    unions: dict[tuple[frozenset, frozenset], frozenset] = {}

    def add(node, classes: frozenset) -> None:
        have = found.get(node)
        if have is None:
            found[node] = classes
        elif not classes <= have:
            found[node] = unions.get((have, classes)) or unions.setdefault((have, classes), have | classes)

    rdf_type = ox.NamedNode(RDF + "type")
    by_predicate.setdefault(rdf_type, [])  # read in any case, for the types stated
    stated: dict[ox.NamedNode | ox.BlankNode, list[ox.NamedNode]] = {}
    for predicate, entries in by_predicate.items():
        by_class = {value: x for value, _, x, _ in entries if value is not None}
        general = [entry for entry in entries if entry[0] is None]
        for graph in graphs:
            for quad in store.quads_for_pattern(None, predicate, None, graph):
                if predicate == rdf_type:
                    stated.setdefault(quad.subject, []).append(quad.object)
                    if (classes := by_class.get(quad.object)) is not None:
                        add(quad.subject, classes)
                literal = isinstance(quad.object, ox.Literal)
                for _, literal_only, x, y in general:
                    if literal_only is None or literal_only == literal:
                        if x:
                            add(quad.subject, x)
                        if y and isinstance(quad.object, (ox.NamedNode, ox.BlankNode)):
                            add(quad.object, y)
    store.extend(ox.Quad(node, rdf_type, c, target)
                 for node, classes in found.items() for c in classes.difference(stated.get(node, ())))


def _apply(store: ox.Store, template: Template, graphs: Sequence[ox.NamedNode], into: ox.NamedNode) -> None:
    """Insert into ``into`` what ``template`` concludes from the triples of ``graphs`` (their union)."""
    using, body = "".join(f"USING {g}\n" for g in graphs), template.body()
    if template.head:
        store.update(f"INSERT {{ GRAPH {into} {{ {' . '.join(template.head)} }} }}\n{using}WHERE {{ {body} }}")
    if template.blank:
        # Rare (a conclusion about an anonymous class): the matches come here, and the triples go back
        # with the schema's own blank node, unless a graph already holds them.
        quads = set()
        for row in store.query(f"SELECT * WHERE {{ {body} }}", default_graph=list(graphs)):
            for subject, predicate, value in template.blank:
                subject, value = _bound(subject, row), _bound(value, row)
                if isinstance(subject, ox.Literal):
                    continue
                if not _held(store, [*graphs, into], subject, predicate, value):
                    quads.add(ox.Quad(subject, predicate, value, into))
        store.extend(quads)


def _bound(term, row: ox.QuerySolution):
    return row[term[1:]] if isinstance(term, str) else term


_DELTA = "urn:kzgraph:reasoning:delta:"


def _run_round(store: ox.Store, rules: Sequence[Rule], graphs: list[ox.NamedNode], target: ox.NamedNode) -> int:
    """One round of ``rules`` matched against everything; how many triples it added to ``target``."""
    scratch = ox.NamedNode(_DELTA + "schema")
    store.remove_graph(scratch)
    for rule in rules:
        _insert(store, rule, rule.body(), graphs, [target, scratch])
    added = _count(store, scratch)
    store.remove_graph(scratch)
    return added


def _run_instance_rules(store: ox.Store, graphs: list[ox.NamedNode], target: ox.NamedNode,
                        on_new: Callable[[ox.NamedNode], None]) -> None:
    """The instance rules, semi-naively to a fixpoint.

    Round 1 matches everything and writes into ``target``. From round 2 on,
    each round also writes its conclusions into a scratch graph of its own,
    and a rule matches one of its resource patterns at a time against new
    triples only; it stops when a round concludes nothing new.

    Which new triples: a property rule reads the previous round's (for round
    2, all of ``target``: round 1's conclusions, and whatever ``target`` held
    before, a superset doing no harm). A type rule reads only the current
    round's scratch graph, that is, what the rules before it concluded in
    this round: in the previous round it ran after every property rule and
    saw their conclusions, and the type rules after it concluded only
    ``rdf:type`` triples, which it does not read (unless ``rdf:type`` itself
    has a domain or range: then it reads the previous round's too) or, for
    cax-sco, which the closed class hierarchy has already taken as far as
    they go.
    """
    rules = PROPERTY_RULES + tuple(chain_rule(chain) for chain in _chains(store, graphs))
    types_read_types = store.query(f"{_PREFIXES}ASK {{ rdf:type rdfs:domain|rdfs:range ?c }}", default_graph=graphs)
    for rule in rules + TYPE_RULES:
        _insert(store, rule, rule.body(), graphs, [target])
    on_new(target)
    delta, round_ = target, 1
    while True:
        round_ += 1
        fresh = ox.NamedNode(f"{_DELTA}{round_}")
        store.remove_graph(fresh)
        for rule in rules + TYPE_RULES:
            reads = [delta] if rule in rules else [fresh, delta] if types_read_types else [fresh]
            for graph in reads:
                for position in range(len(rule.atoms)):
                    _insert(store, rule, rule.body(graph, position), graphs, [target, fresh], named=graph)
        if delta != target:
            store.remove_graph(delta)
        if not _count(store, fresh):
            store.remove_graph(fresh)
            return
        on_new(fresh)
        delta = fresh


def _insert(store: ox.Store, rule: Rule, body: str, graphs: list[ox.NamedNode], into: list[ox.NamedNode],
            named: ox.NamedNode | None = None) -> None:
    """Insert into each of ``into`` the conclusions of ``rule`` that are in none of ``graphs`` (their union is read)."""
    using = "".join(f"USING {g}\n" for g in graphs) + (f"USING NAMED {named}\n" if named is not None else "")
    template = " ".join(f"GRAPH {g} {{ {rule.head} }}" for g in into)
    store.update(f"{_PREFIXES}INSERT {{ {template} }}\n{using}WHERE {{ {body} FILTER NOT EXISTS {{ {rule.head} }} }}")


def _chains(store: ox.Store, graphs: list[ox.NamedNode]) -> list[Chain]:
    """The property chains stated in ``graphs``, their ``rdf:List`` walked in SPARQL and followed here in order.

    A chain with a member that is neither a property nor ``[ owl:inverseOf P ]``
    (or a list that does not end) concludes nothing, and is left out.
    """
    rows = store.query(
        f"{_PREFIXES}SELECT ?p ?list ?cell ?next ?member ?of WHERE {{ ?p owl:propertyChainAxiom ?list . "
        "?list rdf:rest* ?cell . ?cell rdf:first ?member ; rdf:rest ?next "
        "OPTIONAL { ?member owl:inverseOf ?of FILTER (isBlank(?member)) } }",
        default_graph=graphs,
    )
    cells, heads = {}, set()
    for row in rows:
        member, of = row["member"], row["of"]
        cells[row["cell"]] = (row["next"], (of, True) if of is not None else (member, False))
        if isinstance(row["p"], ox.NamedNode):
            heads.add((row["p"], row["list"]))
    chains = set()
    for prop, cell in heads:
        members = []
        while cell in cells and len(members) <= len(cells):  # the bound stops a list that loops
            cell, member = cells[cell]
            members.append(member)
        if cell == ox.NamedNode(RDF + "nil") and all(isinstance(m, ox.NamedNode) for m, _ in members):
            chains.add(Chain(prop, tuple(members)))
    return sorted(chains, key=lambda c: (str(c.property), [(str(m), i) for m, i in c.members]))


_USELESS = "owl:Thing owl:Nothing rdfs:Resource"
_REFLEXIVE = "owl:sameAs owl:equivalentClass owl:equivalentProperty rdfs:subClassOf rdfs:subPropertyOf"
_BUILT_IN = " || ".join(f'STRSTARTS(STR(?s), "{namespace}")' for namespace in (RDF, RDFS, OWL, XSD))

_WORTHLESS = (f"?s IN ({', '.join(_USELESS.split())}) || ?o IN ({', '.join(_USELESS.split())})\n"
              f"    || (?s = ?o && ?p IN ({', '.join(_REFLEXIVE.split())}))\n"
              f"    || (isIRI(?s) && ({_BUILT_IN}))")
"""A triple ``?s ?p ?o`` that says nothing worth storing (see the module's doc); it depends on the triple alone."""


def _built_in_terms(store: ox.Store, graphs: Sequence[ox.NamedNode]) -> list[ox.NamedNode]:
    """The IRIs of the built-in vocabularies that ``graphs`` hold as subjects or objects."""
    in_built_in = _BUILT_IN.replace("?s", "?t")
    return [row["t"] for row in store.query(
        f"SELECT DISTINCT ?t WHERE {{ {{ ?t ?p ?o }} UNION {{ ?s ?p ?t }} FILTER (isIRI(?t) && ({in_built_in})) }}",
        default_graph=list(graphs))]


def _clean(store: ox.Store, target: ox.NamedNode, built_in: Sequence[ox.NamedNode]) -> None:
    """Drop from ``target`` the entailments that say nothing worth storing: :data:`_WORTHLESS`.

    They are found through what the store indexes: the terms of no use as
    objects, the reflexive triples by predicate, and the subjects of the
    built-in vocabularies (those of no use among them) among ``built_in``,
    which must hold every such IRI that the entailments' sources hold
    (spelling out the subject of every entailment, as the filter alone
    would, is what costs).
    """
    subjects = " ".join(str(term) for term in built_in)
    store.update(f"{_PREFIXES}DELETE {{ GRAPH {target} {{ ?s ?p ?o }} }} WHERE {{\n"
                 f"  {{ VALUES ?o {{ {_USELESS} }} GRAPH {target} {{ ?s ?p ?o }} }}\n"
                 f"  UNION {{ VALUES ?p {{ {_REFLEXIVE} }} GRAPH {target} {{ ?s ?p ?o }} FILTER (?s = ?o) }}\n"
                 f"  UNION {{ VALUES ?s {{ {subjects} }} GRAPH {target} {{ ?s ?p ?o }} }} }}")


def kept(store: ox.Store, graph: ox.NamedNode) -> ox.QueryTriples:
    """The triples of ``graph`` that cleaning the entailments keeps."""
    return store.query(f"{_PREFIXES}CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }}\n"
                       f"  FILTER (!({_WORTHLESS})) }}")


def _count(store: ox.Store, graph: ox.NamedNode) -> int:
    """How many triples ``graph`` holds."""
    row = next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")))
    return int(row["n"].value)
