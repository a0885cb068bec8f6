"""Every SHACL constraint is proven by a fixture that trips it.

Each file in shapes/invalid/ is named <Shape>--<what>.ttl and breaks one
constraint of that shape, which its ``# Breaks`` comment line names by path
and parameter (a node-level constraint has no path):

    # Breaks kz:date sh:maxCount: a meeting with two dates.
    # Breaks sh:or: an agreement with one party and no meeting.

Validated with the shipped data, a fixture must be reported for exactly that
constraint (``sh:sourceShape`` and ``sh:sourceConstraintComponent``), on its
own resources only. The list of constraints is read from the shapes graph
itself, so a constraint added without a fixture fails
``test_every_constraint_is_tripped_by_a_fixture``, and a constraint removed
from a shape fails the test of the fixture that names it.

Speed: all fixtures are validated together in one pass. Each fixture's own
IRIs get a suffix naming the fixture (shipped IRIs are shared, blank nodes are
kept apart), so no two fixtures share a resource and every result is
attributed to the fixture whose resource it falls on.
``test_one_pass_agrees_with_validating_a_fixture_alone`` checks that this
gives what validating the shipped data with a single fixture gives.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from kzgraph import resources
from kzgraph.interop import to_rdflib_graph
from kzgraph.dates import derive_date_bounds
from kzgraph.loader import parse_rdf_file, parse_rdf_files
from kzgraph.namespaces import DATA_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH
from kzgraph.reasoning import infer_triples
from kzgraph.results import compact
from kzgraph.validate import expanded_graph, node_shape_of, validate_files, validate_graph

INVALID = sorted((Path(__file__).parent / "shapes" / "invalid").glob("*.ttl"))

# SHACL Core and SPARQL constraint parameters, each with the component that reports it.
_PARAMETERS = (
    "and class closed datatype disjoint equals hasValue in languageIn lessThan lessThanOrEquals"
    " maxCount maxExclusive maxInclusive maxLength minCount minExclusive minInclusive minLength"
    " node nodeKind not or pattern qualifiedMaxCount qualifiedMinCount uniqueLang xone"
).split()
COMPONENTS = {SH[p]: SH[p[0].upper() + p[1:] + "ConstraintComponent"] for p in _PARAMETERS}
COMPONENTS[SH.sparql] = SH.SPARQLConstraintComponent
PARAMETER_OF = {component: parameter for parameter, component in COMPONENTS.items()}

# What a shape may say besides its constraints: targets, wiring, messages, and the
# parameters that only qualify another one (sh:flags qualifies sh:pattern, ...).
NOT_CONSTRAINTS = {
    RDF.type, RDFS.comment, RDFS.label, SH.deactivated, SH.description, SH.flags, SH.group,
    SH.ignoredProperties, SH.message, SH.name, SH.order, SH.path, SH.property,
    SH.qualifiedValueShape, SH.qualifiedValueShapesDisjoint, SH.severity, SH.targetClass,
    SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf,
}


class Constraint(NamedTuple):
    """One constraint of one shape: ``kzsh:ActivityShape kz:date sh:maxCount``."""

    shape: str  # the node shape, e.g. "kzsh:ActivityShape"
    path: str  # the property shape's path, e.g. "kz:date" or "^kz:hasBody"; "" at node level
    parameter: str  # e.g. "sh:maxCount"

    def __str__(self) -> str:
        return " ".join(part for part in self if part)


def C(shape: str, path: str, parameter: str) -> Constraint:
    """Shorthand for the tables below: ``C("ActivityShape", "kz:date", "maxCount")``."""
    return Constraint("kzsh:" + shape, path, "sh:" + parameter)


# Constraints no data can break, so no fixture can prove them. Each is kept only while
# it stays unbreakable: test_known_exceptions_are_still_true fails once one fires.
NEVER_FIRES = {
    C("OrganizationBodyShape", "^kz:hasBody", "class"): (
        "the values are the subjects of kz:hasBody, whose rdfs:domain is kz:Organization, so OWL RL"
        " types each of them an organization before validation (and a literal cannot be a subject)"
    ),
}

# Constraints that no data can break alone: whatever breaks the first also breaks the others.
# Their fixture names the first and is expected to be reported for all of them.
BREAKS_ALONG = {
    C("SourceArticleShape", "", "nodeKind"): (
        {C("SourceArticleShape", "", "pattern")},
        "a node that is not an IRI is a blank node (a literal cannot be typed), and sh:pattern fails"
        " on every blank node",
    ),
    C("CitationShape", "kz:quote", "datatype"): (
        {C("CitationShape", "kz:quote", "languageIn")},
        "a value that is not an rdf:langString has no language tag, so it is not in ( \"en\" ) either",
    ),
    C("AddressShape", "kz:deliveredBy", "class"): (
        {C("ActivityShape", "kz:participant", "class")},
        "the rdfs:range makes every IRI speaker a kz:Person, so only a literal breaks it; kz:deliveredBy"
        " is a sub-property of kz:participant, so the literal is a participant that is no kz:Agent",
    ),
    C("VisitShape", "kz:visitor", "class"): (
        {C("ActivityShape", "kz:participant", "class")},
        "the rdfs:range makes every IRI visitor a kz:Agent, so only a literal breaks it; kz:visitor"
        " is a sub-property of kz:participant, so the literal is a participant that is no kz:Agent",
    ),
    C("VisitShape", "kz:destination", "class"): (
        {C("ActivityShape", "kz:location", "class")},
        "the rdfs:range makes every IRI destination a kz:Place, so only a literal breaks it;"
        " kz:destination is a sub-property of kz:location, so the literal is a location that is no kz:Place",
    ),
    C("DocumentShape", "kz:signedAt", "class"): (
        {C("DocumentShape", "kz:outcomeOf", "class")},
        "the rdfs:range makes every IRI a kz:Meeting, so only a literal breaks it; kz:signedAt is a"
        " sub-property of kz:outcomeOf, so the literal is an outcome of something that is no kz:Activity",
    ),
}

_BREAKS = re.compile(r"^# Breaks (?:(?P<path>\^?[\w-]+:[\w-]+) )?(?P<parameter>sh:\w+): \S")


def show(term) -> str:
    return compact(ox.NamedNode(str(term)))


def path_text(shapes: rdflib.Graph, shape) -> str:
    """A property shape's path as the ``# Breaks`` line writes it; "" for a node shape."""
    path = shapes.value(shape, SH.path)
    if path is None:
        return ""
    if isinstance(path, rdflib.URIRef):
        return show(path)
    inverse = shapes.value(path, SH.inversePath)
    if isinstance(inverse, rdflib.URIRef):
        return "^" + show(inverse)
    raise AssertionError(f"{show(node_shape_of(shape, shapes))}: this test reads only predicate and inverse paths")


def constraints_of(shapes: rdflib.Graph) -> set[Constraint]:
    """Every constraint of every shape, and of each property shape it holds."""
    found = set()
    named = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    for node_shape in named:
        for shape in (node_shape, *shapes.objects(node_shape, SH.property)):
            for predicate in set(shapes.predicates(shape)):
                if predicate in COMPONENTS:
                    found.add(Constraint(show(node_shape), path_text(shapes, shape), show(predicate)))
                else:
                    assert predicate in NOT_CONSTRAINTS, f"{show(node_shape)}: unknown shape parameter {predicate}"
    return found


def constraint_of_result(report: rdflib.Graph, result, shapes: rdflib.Graph) -> Constraint:
    source = report.value(result, SH.sourceShape)
    component = report.value(result, SH.sourceConstraintComponent)
    parameter = PARAMETER_OF.get(component, component)
    return Constraint(show(node_shape_of(source, shapes)), path_text(shapes, source), show(parameter))


def named_constraint(case: Path) -> Constraint:
    """The constraint a fixture says it breaks: the shape from its name, the rest from its ``# Breaks`` line."""
    for line in case.read_text(encoding="utf-8").splitlines():
        if match := _BREAKS.match(line):
            return Constraint("kzsh:" + case.stem.split("--")[0], match["path"] or "", match["parameter"])
    raise AssertionError(f"{case.name}: no '# Breaks PATH sh:PARAMETER: why' line")


def expected_constraints(case: Path) -> set[Constraint]:
    named = named_constraint(case)
    return {named} | BREAKS_ALONG.get(named, (set(), ""))[0]


@pytest.fixture(scope="module")
def shapes(settings) -> rdflib.Graph:
    return to_rdflib_graph(parse_rdf_files(resources.shape_files(settings)))


def reported_constraints(report: rdflib.Graph, shapes: rdflib.Graph) -> set[Constraint]:
    return {constraint_of_result(report, r, shapes) for r in report.subjects(RDF.type, SH.ValidationResult)}


class OnePass(NamedTuple):
    by_fixture: dict[str, set[Constraint]]  # fixture stem -> constraints reported on its resources
    elsewhere: list[str]  # results on resources no fixture owns, as text


def own_terms(quads: list[ox.Quad], stem: str, shipped_iris: set[str], fixture_of: dict[str, str]) -> list[ox.Quad]:
    """A fixture's triples with its own IRIs suffixed by its name and its blank nodes kept apart.

    IRIs of the shipped ontology and data, predicates and classes are left as they are.
    """

    def own(term):
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(f"{stem}-{term.value}")
        if isinstance(term, ox.NamedNode) and term.value not in shipped_iris:
            renamed = f"{term.value}--{stem}"
            fixture_of[renamed] = stem
            return ox.NamedNode(renamed)
        return term

    data_graph = ox.NamedNode(DATA_GRAPH)
    typing = str(RDF.type)
    return [
        ox.Quad(own(q.subject), q.predicate, q.object if q.predicate.value == typing else own(q.object), data_graph)
        for q in quads
    ]


@pytest.fixture(scope="module")
def one_pass(settings, shapes) -> OnePass:
    """Validate the shipped data with every fixture at once; attribute each result to its fixture."""
    quads = parse_rdf_files(resources.ontology_files(settings), ONTOLOGY_GRAPH)
    quads += parse_rdf_files(resources.data_files(settings), DATA_GRAPH)
    quads += parse_rdf_files(resources.reference_files(settings), REFERENCE_GRAPH)
    shipped_iris = {t.value for q in quads for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
    fixture_of: dict[str, str] = {}  # a fixture's own (renamed) IRI -> the fixture's name
    for case in INVALID:
        quads += own_terms(parse_rdf_file(case), case.stem, shipped_iris, fixture_of)
    # the date bounds, derived as the loader derives them, then the entailments
    quads += derive_date_bounds(q for q in quads if q.graph_name.value != ONTOLOGY_GRAPH)
    data = to_rdflib_graph(quads + infer_triples(quads))
    report = validate_graph(data, shapes).graph

    by_fixture: dict[str, set[Constraint]] = {case.stem: set() for case in INVALID}
    elsewhere = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        owner = report.value(result, SH.focusNode)
        for _ in range(10):  # a blank node belongs to the resource that points to it
            if not isinstance(owner, rdflib.BNode):
                break
            owner = next(data.subjects(None, owner), None)
        constraint = constraint_of_result(report, result, shapes)
        if str(owner) in fixture_of:
            by_fixture[fixture_of[str(owner)]].add(constraint)
        else:
            elsewhere.append(f"{owner}: {constraint}: {report.value(result, SH.resultMessage)}")
    return OnePass(by_fixture, elsewhere)


def test_fixtures_name_real_shapes(shapes):
    assert len(INVALID) >= 100  # a wrong glob must not pass vacuously
    names = {show(s) for s in shapes.subjects(RDF.type, SH.NodeShape)}
    assert {"kzsh:" + path.stem.split("--")[0] for path in INVALID} <= names


def test_shipped_data_conforms(settings):
    report = validate_files(settings)
    assert report.conforms, report.text


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_fixture_breaks_exactly_the_constraint_it_names(one_pass, case):
    assert one_pass.by_fixture[case.stem] == expected_constraints(case)


def test_fixtures_break_nothing_on_shipped_resources(one_pass):
    # The shipped data conforms, so a result on a shipped resource comes from a fixture that
    # is not minimal; a result on a blank node that nothing points to cannot be attributed.
    assert one_pass.elsewhere == []


def test_every_constraint_is_tripped_by_a_fixture(shapes, one_pass):
    constraints = constraints_of(shapes)
    assert len(constraints) >= 100
    tripped = set().union(*one_pass.by_fixture.values())
    untested = constraints - tripped - NEVER_FIRES.keys()
    assert not untested, "constraints no fixture trips:\n" + "\n".join(sorted(map(str, untested)))


def test_every_fixture_names_a_constraint_of_the_shapes(shapes):
    constraints = constraints_of(shapes)
    unknown = {case.name: str(named_constraint(case)) for case in INVALID if named_constraint(case) not in constraints}
    assert unknown == {}


def test_known_exceptions_are_still_true(shapes, one_pass):
    constraints = constraints_of(shapes)
    assert NEVER_FIRES.keys() <= constraints
    assert not NEVER_FIRES.keys() & set().union(*one_pass.by_fixture.values())
    for named, (along, _) in BREAKS_ALONG.items():
        assert {named} | along <= constraints, named


# A plain case, a blank focus node, a node-level constraint, a focus node found by inference,
# and a blank node two levels down that breaks two constraints.
ALONE = [
    "ActivityShape--date-max-count",
    "QuantityShape--value",
    "AgreementShape--parties-or-meeting",
    "OfficeShape--held-office-is-not-an-office",
    "SourceArticleShape--node-kind",
]


@pytest.mark.parametrize("stem", ALONE)
def test_one_pass_agrees_with_validating_a_fixture_alone(settings, shapes, one_pass, stem):
    case = next(path for path in INVALID if path.stem == stem)
    report = validate_graph(expanded_graph(settings, [case]), shapes)
    assert not report.conforms
    assert reported_constraints(report.graph, shapes) == one_pass.by_fixture[stem]
