"""OWL 2 RL inference in the store: each rule on a tiny graph with the exact triples it must add, the API's
promises, and owlrl as the oracle on the shipped graph and on a generated sample.

The oracle comparison: owlrl's ``DeductiveClosure(OWLRL_Semantics)`` closure of the same triples, minus those
triples, cleaned as :mod:`kzgraph.reasoning` cleans its own (``worth_keeping`` below: no literal subject, nothing
about owl:Thing/owl:Nothing/rdfs:Resource, no reflexive sameAs/subClassOf/subPropertyOf/equivalences, nothing said
of a term of the rdf:/rdfs:/owl:/xsd: vocabularies, no blank node as predicate), must equal what ``infer`` adds, triple for triple, schema and
instances alike. The cleaning removes exactly owlrl's noise: one ``x owl:sameAs x`` per resource, literals as
subjects, ``c rdfs:subClassOf owl:Thing``, and its axioms about the built-in vocabularies (``xsd:string a
rdfs:Datatype``, ``rdfs:label a owl:AnnotationProperty``, ...). Blank nodes are skolemized to IRIs for owlrl's
round trip through rdflib, so they are compared by identity.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kzgraph import Settings, reasoning, resources
from kzgraph.loader import parse_rdf_files
from kzgraph.reasoning import infer, infer_triples

REPO = Path(__file__).resolve().parent.parent
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
TYPE = f"<{RDF}type>"
PREFIXES = b"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix : <urn:> .
"""


def parse(ttl: bytes) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(PREFIXES + ttl, format=ox.RdfFormat.TURTLE)]


def entailed(ttl: bytes) -> set[str]:
    return {str(t) for t in infer_triples(parse(ttl))}


# ---------------------------------------------------------------- each rule family, exact answers

# Each case: (Turtle, the exact entailments as N-Triples without the final dot). Used one by one below and, all
# together, to prove that every rule is needed.
CASES = {
    "subclass-transitive": (
        b":A rdfs:subClassOf :B . :B rdfs:subClassOf :C . :x a :A .",
        {"<urn:A> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <urn:C>",
         f"<urn:x> {TYPE} <urn:B>", f"<urn:x> {TYPE} <urn:C>"},
    ),
    "subproperty-transitive": (
        b":p1 rdfs:subPropertyOf :p2 . :p2 rdfs:subPropertyOf :p3 . :x :p1 :y .",
        {"<urn:p1> <http://www.w3.org/2000/01/rdf-schema#subPropertyOf> <urn:p3>",
         "<urn:x> <urn:p2> <urn:y>", "<urn:x> <urn:p3> <urn:y>"},
    ),
    "equivalent-class": (
        b":E1 owl:equivalentClass :E2 . :e a :E1 .",
        {f"<urn:E1> <{RDFS}subClassOf> <urn:E2>", f"<urn:E2> <{RDFS}subClassOf> <urn:E1>",
         f"<urn:E2> <{OWL}equivalentClass> <urn:E1>", f"<urn:e> {TYPE} <urn:E2>"},
    ),
    "mutual-subclasses-are-equivalent": (
        b":M1 rdfs:subClassOf :M2 . :M2 rdfs:subClassOf :M1 .",
        {f"<urn:M1> <{OWL}equivalentClass> <urn:M2>", f"<urn:M2> <{OWL}equivalentClass> <urn:M1>"},
    ),
    "equivalent-property": (
        b":q1 owl:equivalentProperty :q2 . :a :q2 :b .",
        {f"<urn:q1> <{RDFS}subPropertyOf> <urn:q2>", f"<urn:q2> <{RDFS}subPropertyOf> <urn:q1>",
         f"<urn:q2> <{OWL}equivalentProperty> <urn:q1>", "<urn:a> <urn:q1> <urn:b>"},
    ),
    "mutual-subproperties-are-equivalent": (
        b":r1 rdfs:subPropertyOf :r2 . :r2 rdfs:subPropertyOf :r1 .",
        {f"<urn:r1> <{OWL}equivalentProperty> <urn:r2>", f"<urn:r2> <{OWL}equivalentProperty> <urn:r1>"},
    ),
    "domain-and-range": (
        b""":text rdfs:domain :Note ; rdfs:range xsd:string . :about rdfs:domain :Note ; rdfs:range :Topic .
        :n :text "quoted" ; :about :t .""",
        {f"<urn:n> {TYPE} <urn:Note>", f"<urn:t> {TYPE} <urn:Topic>"},
    ),
    "domain-and-range-along-the-hierarchies": (
        b""":sub rdfs:subPropertyOf :super . :super rdfs:domain :D ; rdfs:range :R . :D rdfs:subClassOf :D2 .
        :s :sub :o .""",
        {f"<urn:sub> <{RDFS}domain> <urn:D>", f"<urn:sub> <{RDFS}range> <urn:R>",
         f"<urn:sub> <{RDFS}domain> <urn:D2>", f"<urn:super> <{RDFS}domain> <urn:D2>",
         "<urn:s> <urn:super> <urn:o>", f"<urn:s> {TYPE} <urn:D>", f"<urn:s> {TYPE} <urn:D2>", f"<urn:o> {TYPE} <urn:R>"},
    ),
    "inverse-and-subproperty": (
        b""":chair rdfs:subPropertyOf :participant . :participant owl:inverseOf :participatedIn .
        :participatedIn rdfs:subPropertyOf :P1344 . :summit :chair :president . :state :participatedIn :forum .""",
        {"<urn:summit> <urn:participant> <urn:president>", "<urn:president> <urn:participatedIn> <urn:summit>",
         "<urn:president> <urn:P1344> <urn:summit>", "<urn:forum> <urn:participant> <urn:state>",
         "<urn:state> <urn:P1344> <urn:forum>"},
    ),
    "symmetric": (
        b":borders a owl:SymmetricProperty . :kz :borders :uz .",
        {"<urn:uz> <urn:borders> <urn:kz>"},
    ),
    "transitive-over-four-hops": (
        b":within a owl:TransitiveProperty . :a :within :b . :b :within :c . :c :within :d . :d :within :e .",
        {f"<urn:{x}> <urn:within> <urn:{y}>" for x, y in ("ac", "ad", "ae", "bd", "be", "ce")},
    ),
    "chain-of-two": (
        b""":hasPartParticipant owl:propertyChainAxiom ( :hasPart :attendee ) .
        :session :hasPart :address . :address :attendee :tokayev .""",
        {"<urn:session> <urn:hasPartParticipant> <urn:tokayev>"},
    ),
    "chain-of-three-feeding-itself": (
        # a meeting's attendees include the agents whose office holders attend it, and those of its parts
        b""":attends owl:propertyChainAxiom ( :attends :holdsOffice :officeOf ) .
        :attends owl:propertyChainAxiom ( :hasPart :attends ) .
        :session :hasPart :address . :address :attends :tokayev . :tokayev :holdsOffice :president .
        :president :officeOf :kazakhstan . :kazakhstan :holdsOffice :seat . :seat :officeOf :bloc .""",
        {"<urn:address> <urn:attends> <urn:kazakhstan>", "<urn:address> <urn:attends> <urn:bloc>",
         "<urn:session> <urn:attends> <urn:tokayev>", "<urn:session> <urn:attends> <urn:kazakhstan>",
         "<urn:session> <urn:attends> <urn:bloc>"},
    ),
    "chain-then-inverse-then-domain": (
        # concluded only in round 2: the type rules must read what that round concluded
        b""":via owl:propertyChainAxiom ( :leg1 :leg2 ) . :via owl:inverseOf :reachedFrom . :reachedFrom rdfs:domain :Stop .
        :x :leg1 :m . :m :leg2 :z .""",
        {"<urn:x> <urn:via> <urn:z>", "<urn:z> <urn:reachedFrom> <urn:x>", f"<urn:z> {TYPE} <urn:Stop>"},
    ),
    "chain-through-inverses": (
        # a state takes part in what the holder of its office takes part in
        b""":takesPartIn owl:propertyChainAxiom ( [ owl:inverseOf :postIn ] [ owl:inverseOf :holds ] :takesPartIn ) .
        :presidency :postIn :kazakhstan . :tokayev :holds :presidency . :tokayev :takesPartIn :summit .""",
        {"<urn:kazakhstan> <urn:takesPartIn> <urn:summit>"},
    ),
    "union": (
        b""":Actor owl:unionOf ( :State :Person ) . :kz a :State .""",
        {f"<urn:State> <{RDFS}subClassOf> <urn:Actor>", f"<urn:Person> <{RDFS}subClassOf> <urn:Actor>",
         f"<urn:kz> {TYPE} <urn:Actor>"},
    ),
    "datatype-union-says-nothing-of-xsd": (
        b""":Partial owl:unionOf ( xsd:date xsd:gYear ) . :when rdfs:range xsd:gYear . :e :when "2025"^^xsd:gYear .""",
        {f"<urn:when> <{RDFS}range> <urn:Partial>"},
    ),
    "no-owl-thing-no-reflexive-axioms": (
        b""":T rdfs:subClassOf owl:Thing . :T owl:equivalentClass :T . :t a :T . :any rdfs:domain rdfs:Resource .
        :t :any :u . :u owl:sameAs :u .""",
        set(),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_family_adds_exactly_what_it_should(name):
    ttl, expected = CASES[name]
    assert entailed(ttl) == expected


def all_cases() -> bytes:
    return b"\n".join(ttl for ttl, _ in CASES.values())


def all_expected() -> set[str]:
    return set().union(*(expected for _, expected in CASES.values()))


def test_the_cases_do_not_interfere():
    assert entailed(all_cases()) == all_expected()


RULES = [("SCHEMA_RULES", r.name) for r in reasoning.SCHEMA_RULES] + [
    ("PROPERTY_RULES", r.name) for r in reasoning.PROPERTY_RULES] + [("TYPE_RULES", r.name) for r in reasoning.TYPE_RULES]


@pytest.mark.parametrize("table,name", RULES, ids=[name for _, name in RULES])
def test_every_rule_is_needed(monkeypatch, table, name):
    """Without any one rule, the cases above get a different answer (so each is tested)."""
    monkeypatch.setattr(reasoning, table, tuple(r for r in getattr(reasoning, table) if r.name != name))
    assert entailed(all_cases()) != all_expected()


@pytest.mark.parametrize("length", [2, 3])
def test_without_chains_of_a_length_the_chain_cases_fail(monkeypatch, length):
    real = reasoning._chains
    monkeypatch.setattr(reasoning, "_chains", lambda *args: [c for c in real(*args) if len(c.members) != length])
    assert entailed(all_cases()) != all_expected()


def test_a_range_on_rdf_type_types_the_classes_too():
    """Typing a resource types its class in turn: the type rules must then read the types of the round before.

    (Kept out of CASES: it types every class of the other cases. Its data has no typed literal: owlrl, which
    reasons over generalized RDF, would also type the datatypes of literals, through triples with a literal
    subject that no store holds.)
    """
    ttl = b"""@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
    rdf:type rdfs:range :Kind . :made rdfs:range :Product . :factory :made :tractor ."""
    expected = {f"<urn:tractor> {TYPE} <urn:Product>", f"<urn:Product> {TYPE} <urn:Kind>", f"<urn:Kind> {TYPE} <urn:Kind>"}
    assert entailed(ttl) == expected
    assert assert_agrees_with_owlrl(parse(ttl)) == expected


def test_blank_nodes_keep_their_identity():
    triples = parse(b":text rdfs:domain :Note . :s :note [ :text \"quoted\" ] .")
    note = next(t.object for t in triples if t.predicate.value == "urn:note")
    assert [str(t) for t in infer_triples(triples)] == [f"{note} {TYPE} <urn:Note>"]


# ---------------------------------------------------------------- the store API

def store_with(**graphs: bytes) -> ox.Store:
    store = ox.Store()
    for name, ttl in graphs.items():
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(f"urn:graph:{name}")) for t in parse(ttl))
    return store


def graph(store: ox.Store, name: str) -> set[str]:
    return {str(ox.Triple(q.subject, q.predicate, q.object))
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(f"urn:graph:{name}"))}


def test_infer_reads_the_union_of_its_sources_and_writes_only_the_target():
    store = store_with(schema=b":A rdfs:subClassOf :B . :B rdfs:subClassOf :C .", data=b":x a :A . :y a :C .",
                       other=b":C rdfs:subClassOf :D .")
    added = infer(store, sources=["urn:graph:schema", "urn:graph:data"], target="urn:graph:inferred")
    assert graph(store, "inferred") == {f"<urn:A> <{RDFS}subClassOf> <urn:C>", f"<urn:x> {TYPE} <urn:B>",
                                        f"<urn:x> {TYPE} <urn:C>"}
    assert added == 3
    assert sorted(g.value for g in store.named_graphs()) == ["urn:graph:data", "urn:graph:inferred",
                                                             "urn:graph:other", "urn:graph:schema"]
    assert len(store) == 2 + 2 + 1 + 3


def test_infer_adds_nothing_a_source_already_states():
    store = store_with(schema=b":A rdfs:subClassOf :B .", data=b":x a :A , :B .")
    assert infer(store, sources=["urn:graph:schema", "urn:graph:data"], target="urn:graph:inferred") == 0
    assert graph(store, "inferred") == set()


def test_infer_twice_adds_nothing_the_second_time():
    store = store_with(data=all_cases())
    first = infer(store, sources=["urn:graph:data"], target="urn:graph:inferred")
    assert first == len(all_expected())
    assert infer(store, sources=["urn:graph:data"], target="urn:graph:inferred") == 0
    assert graph(store, "inferred") == all_expected()


def test_infer_builds_on_what_the_target_holds():
    store = store_with(data=b":A rdfs:subClassOf :B .", inferred=b":x a :A .")
    assert infer(store, sources=["urn:graph:data"], target="urn:graph:inferred") == 1
    assert graph(store, "inferred") == {f"<urn:x> {TYPE} <urn:A>", f"<urn:x> {TYPE} <urn:B>"}


def test_infer_leaves_no_scratch_graph_behind():
    store = store_with(data=all_cases())
    infer(store, sources=["urn:graph:data"], target="urn:graph:inferred")
    assert sorted(g.value for g in store.named_graphs()) == ["urn:graph:data", "urn:graph:inferred"]


# A subproperty of rdfs:subClassOf: an instance rule concludes a schema triple, and the rules run again.
SCHEMA_FROM_DATA = (b":sub rdfs:subPropertyOf rdfs:subClassOf . :A :sub :B . :B rdfs:subClassOf :C . :x a :A . "
                    b":p rdfs:domain owl:Thing . :x :p :y .")


@pytest.mark.parametrize("ttl", [pytest.param(all_cases(), id="rule cases"),
                                 pytest.param(SCHEMA_FROM_DATA, id="schema from data")])
def test_what_infer_reports_as_new_as_it_goes_is_the_whole_cleaned_target(ttl):
    store = store_with(data=ttl)
    reported, calls = set(), []

    def on_new(graph):
        calls.append(graph)
        reported.update(str(t) for t in reasoning.kept(store, graph))

    infer(store, sources=["urn:graph:data"], target="urn:graph:inferred", on_new=on_new)
    assert reported == graph(store, "inferred")
    assert len(calls) >= 2 and calls[0] == ox.NamedNode("urn:graph:inferred")
    if ttl == SCHEMA_FROM_DATA:
        assert {f"<urn:x> {TYPE} <urn:B>", f"<urn:x> {TYPE} <urn:C>"} <= reported
        assert not any("owl#Thing" in t for t in reported)  # concluded, then cleaned


@pytest.mark.parametrize("sources,target,message", [
    ([], "urn:graph:t", "at least one source"),
    (["urn:graph:a"], "urn:graph:a", "also a source"),
])
def test_infer_refuses_a_wrong_call(sources, target, message):
    with pytest.raises(ValueError, match=message):
        infer(ox.Store(), sources=sources, target=target)


def test_the_ontology_uses_only_constructs_the_rules_implement():
    """An OWL or RDFS term the rules do not read would be ignored silently: a new construct must come with its rule."""
    declarations = {OWL + t for t in ("Class", "ObjectProperty", "DatatypeProperty", "Ontology", "versionInfo")}
    declarations |= {RDFS + t for t in ("label", "comment", "isDefinedBy", "Datatype")}
    store = ox.Store()
    store.bulk_extend(parse_rdf_files(resources.ontology_files(Settings())))
    used = {row["t"].value for row in store.query(
        "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } "
        f'FILTER (STRSTARTS(STR(?t), "{OWL}") || STRSTARTS(STR(?t), "{RDFS}")) }}', use_default_graph_as_union=True)}
    assert used, "the query found no term at all"
    assert used - declarations <= reasoning.VOCABULARY


# ---------------------------------------------------------------- owlrl, the oracle

SKOLEM = "urn:kzgraph:test-skolem:"
NOISE = {OWL + "Thing", OWL + "Nothing", RDFS + "Resource"}
REFLEXIVE = {OWL + "sameAs", OWL + "equivalentClass", OWL + "equivalentProperty", RDFS + "subClassOf",
             RDFS + "subPropertyOf"}


def worth_keeping(s, p, o) -> bool:
    import rdflib

    if isinstance(s, rdflib.Literal) or str(s) in NOISE or str(o) in NOISE:
        return False
    if str(p) in REFLEXIVE and s == o:
        return False
    if str(p).startswith(SKOLEM):  # a blank node as predicate (generalized RDF: owlrl's prp-inv on [ owl:inverseOf P ])
        return False
    return not str(s).startswith((RDF, RDFS, OWL, XSD))


def owlrl_entailments(triples: list[ox.Triple]) -> set[str]:
    """What owlrl's OWL RL closure adds to ``triples``, cleaned (see the module's doc), as N-Triples."""
    import owlrl
    import rdflib

    def skolem(term):
        return ox.NamedNode(SKOLEM + term.value) if isinstance(term, ox.BlankNode) else term

    plain = [ox.Triple(skolem(t.subject), t.predicate, skolem(t.object)) for t in triples]
    graph = rdflib.Graph().parse(data=ox.serialize(plain, format=ox.RdfFormat.N_TRIPLES), format="nt")
    before = set(graph)
    # improved_datatypes=False: owlrl's own literal converters would otherwise stay registered in rdflib for the
    # rest of the process and make valid literals such as "--03-26"^^xsd:gMonthDay look ill-typed.
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, improved_datatypes=False).expand(graph)
    added = rdflib.Graph()
    for triple in set(graph) - before:
        if worth_keeping(*triple):
            added.add(triple)
    out = set()
    for t in ox.parse(added.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES):
        s = ox.BlankNode(t.subject.value[len(SKOLEM):]) if t.subject.value.startswith(SKOLEM) else t.subject
        o = t.object
        if isinstance(o, ox.NamedNode) and o.value.startswith(SKOLEM):
            o = ox.BlankNode(o.value[len(SKOLEM):])
        out.add(str(ox.Triple(s, t.predicate, o)))
    return out


def assert_agrees_with_owlrl(triples: list[ox.Triple]) -> set[str]:
    ours = {str(t) for t in infer_triples(triples)}
    oracle = owlrl_entailments(triples)
    only_ours, only_owlrl = sorted(ours - oracle), sorted(oracle - ours)
    assert (only_ours[:10], only_owlrl[:10]) == ([], []), f"{len(only_ours)} only ours, {len(only_owlrl)} only owlrl"
    return ours


def instance_level(triples: set[str]) -> set[str]:
    schema = (f"<{RDFS}subClassOf>", f"<{RDFS}subPropertyOf>", f"<{RDFS}domain>", f"<{RDFS}range>",
              f"<{OWL}equivalentClass>", f"<{OWL}equivalentProperty>")
    return {t for t in triples if t.split(" ")[1] not in schema}


def test_owlrl_agrees_on_the_rule_cases():
    assert assert_agrees_with_owlrl(parse(all_cases())) == all_expected()


def test_owlrl_agrees_on_the_shipped_graph():
    settings = Settings()
    quads = parse_rdf_files(resources.ontology_files(settings) + resources.data_files(settings))
    ours = assert_agrees_with_owlrl([ox.Triple(q.subject, q.predicate, q.object) for q in quads])
    assert len(instance_level(ours)) > 1000  # the comparison is not vacuous


CHAINS = b"""@prefix kz: <https://w3id.org/kzgraph/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
kz:participant owl:propertyChainAxiom ( kz:participant kz:holdsOffice kz:officeOf ) .
kz:participant owl:propertyChainAxiom ( kz:hasPart kz:participant ) .
kz:participatedIn owl:propertyChainAxiom ( [ owl:inverseOf kz:officeOf ] kz:heldBy kz:participatedIn ) .
"""


@pytest.fixture(scope="module")
def generated_sample(tmp_path_factory) -> list[ox.Triple]:
    """A few thousand generated triples, with the ontology and two property chain axioms."""
    path = tmp_path_factory.mktemp("sample") / "sample.ttl"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "--triples", "2000", "--seed", "7",
                    "-o", str(path)], check=True, capture_output=True)
    quads = parse_rdf_files([*resources.ontology_files(Settings()), path])
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads] + [
        ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(CHAINS, format=ox.RdfFormat.TURTLE)]


def test_owlrl_agrees_on_a_generated_sample_with_property_chains(generated_sample):
    ours = assert_agrees_with_owlrl(generated_sample)
    # the chains did conclude something: a state takes part in a meeting through its office holder
    through_office = {t for t in ours if t.startswith("<https://w3id.org/kzgraph/resource/gen-event-")
                      and "#participant> <https://w3id.org/kzgraph/resource/gen-state-" in t}
    assert through_office
    through_inverse = {t for t in ours if t.startswith("<https://w3id.org/kzgraph/resource/gen-state-")
                       and "#participatedIn> <https://w3id.org/kzgraph/resource/gen-event-" in t}
    assert through_inverse
    assert len(instance_level(ours)) > 2000


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


def test_the_loaders_inference_agrees_with_owlrl_on_participation(store, owlrl_closure):
    ours = {
        (row["s"].value, row["p"].value, row["o"].value)
        for row in store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER (?p IN (kz:participant, kz:participatedIn, wdt:P710)) "
                                "FILTER (isIRI(?s) && isIRI(?o)) }")
    }
    assert ours == owlrl_closure


# ------------------------------------- compiled templates against the rules in rounds

def closure(triples: list[ox.Triple], *, compiled: bool) -> set[str]:
    """What ``infer`` adds to ``triples``, through the compiled templates or with every rule in rounds."""
    source, target = "urn:test:source", "urn:test:target"
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(source)) for t in triples)
    infer(store, sources=[source], target=target, compiled=compiled)
    return {str(ox.Triple(q.subject, q.predicate, q.object))
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(target))}


def schema_graphs(triples: list[ox.Triple]) -> tuple[ox.Store, list[ox.NamedNode]]:
    """A store of ``triples`` whose schema is closed, as ``infer`` closes it before it compiles templates."""
    store = ox.Store()
    graphs = [ox.NamedNode("urn:test:source"), ox.NamedNode("urn:test:target")]
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, graphs[0]) for t in triples)
    while reasoning._run_round(store, reasoning.SCHEMA_RULES, graphs, graphs[1]):
        pass
    return store, graphs


def shipped_triples() -> list[ox.Triple]:
    settings = Settings()
    quads = parse_rdf_files(resources.ontology_files(settings) + resources.data_files(settings)
                            + resources.reference_files(settings))
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


def test_the_shipped_ontology_is_compiled_not_left_to_the_rounds():
    store, graphs = schema_graphs(shipped_triples())
    templates = reasoning.compile_templates(store, graphs)
    assert templates is not None
    participant = next(t for t in templates if t.predicate.value == KZ + "participant" and t.literal is False)
    # a participant is a participant both ways round, and in Wikidata's and schema.org's words
    assert f"?y <{KZ}participatedIn> ?x" in participant.head
    assert "?x <http://www.wikidata.org/prop/direct/P710> ?y" in participant.head


def test_compiled_templates_conclude_what_the_rounds_do_on_the_shipped_graph():
    triples = shipped_triples()
    compiled = closure(triples, compiled=True)
    assert compiled == closure(triples, compiled=False)
    assert len(compiled) > 1500


def test_compiled_templates_conclude_what_the_rounds_do_on_a_generated_sample(generated_sample):
    compiled = closure(generated_sample, compiled=True)
    assert compiled == closure(generated_sample, compiled=False)
    assert len(compiled) > 2000


def test_compiled_templates_conclude_what_the_rounds_do_on_the_rule_cases():
    assert closure(parse(all_cases()), compiled=True) == closure(parse(all_cases()), compiled=False) == all_expected()


def test_a_resource_gets_every_type_its_triples_give_not_only_the_last_ones():
    triples = parse(b""":p rdfs:domain :A . :q rdfs:domain :B . :C rdfs:subClassOf :D .
                       :x :p :y . :x :q :z . :x a :C . :y :q :x .""")
    compiled = closure(triples, compiled=True)
    assert {t for t in compiled if t.startswith("<urn:x>")} == {f"<urn:x> {TYPE} <urn:{c}>" for c in "ABD"}
    assert compiled == closure(triples, compiled=False)


def test_a_literal_value_gives_its_subject_no_type_that_only_a_resource_value_would():
    """Through the inverse, ``:x :p :y`` makes ``:x`` a value of ``:q``, in its range; ``:x :p "y"`` does not."""
    triples = parse(b""":p owl:inverseOf :q . :q rdfs:range :R . :x :p :y . :w :p "y" .""")
    compiled = closure(triples, compiled=True)
    assert f"<urn:x> {TYPE} <urn:R>" in compiled
    assert not {t for t in compiled if t.startswith("<urn:w>")}
    assert compiled == closure(triples, compiled=False)


def test_what_is_concluded_about_a_built_in_term_that_only_a_subject_names_is_cleaned_away():
    """``rdfs:label`` is no object here, yet ``rdfs:label rdfs:subPropertyOf :title`` follows; it is not kept."""
    triples = parse(b"""rdfs:label rdfs:subPropertyOf :name . :name rdfs:subPropertyOf :title . :x rdfs:label "a" .""")
    for compiled in (True, False):
        concluded = closure(triples, compiled=compiled)
        assert '<urn:x> <urn:title> "a"' in concluded
        assert not [t for t in concluded if t.startswith(f"<{RDFS}label>")]


def test_a_type_by_an_anonymous_class_keeps_the_schemas_blank_node():
    """A blank node in an update's template would be a fresh one each time: such conclusions are added from Python."""
    triples = parse(b""":when rdfs:range _:u . _:u owl:unionOf ( :Day :Year ) . :e :when :d2025 . :f :when :d2025 .
                       :g :when "2025"^^xsd:gYear . :g :when :d2024 . :d2024 a _:u .""")
    union = next(t.object for t in triples if t.predicate.value == RDFS + "range")
    expected = {f"<urn:d2025> {TYPE} {union}"}
    compiled = closure(triples, compiled=True)
    assert {t for t in compiled if t.startswith("<urn:d2025>") or t.startswith("<urn:d2024>")} == expected
    assert compiled == closure(triples, compiled=False)


@pytest.mark.parametrize("odd,ttl", [
    pytest.param(b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> rdfs:range :Kind .", b":a :p :b .",
                 id="a range on rdf:type"),
    pytest.param(b":narrower rdfs:subPropertyOf rdfs:subClassOf .", b":A :narrower :B . :x a :A .",
                 id="a subproperty of rdfs:subClassOf"),
    pytest.param(b":kindOf rdfs:subPropertyOf <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> .", b":x :kindOf :K .",
                 id="a subproperty of rdf:type"),
])
def test_an_odd_schema_is_left_to_the_rounds_and_still_concluded_in_full(odd, ttl):
    triples = parse(odd + b"\n" + ttl)
    assert reasoning.compile_templates(*schema_graphs(triples)) is None
    assert reasoning.compile_templates(*schema_graphs(parse(ttl))) is not None  # the odd axiom is what it takes
    assert closure(triples, compiled=True) == closure(triples, compiled=False)
