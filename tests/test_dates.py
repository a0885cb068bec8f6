"""kzgraph.dates: the first and last day each precision allows, on any quads."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kzgraph.dates import derive_date_bounds, literal_bounds
from kzgraph.namespaces import DATES_GRAPH

XSD = "http://www.w3.org/2001/XMLSchema#"


def lit(value: str, kind: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + kind))


@pytest.mark.parametrize(("value", "kind", "first", "last"), [
    ("2025-06-17", "date", "2025-06-17", "2025-06-17"),
    ("2025-08", "gYearMonth", "2025-08-01", "2025-08-31"),
    ("2024-02", "gYearMonth", "2024-02-01", "2024-02-29"),  # a leap year
    ("2025-02", "gYearMonth", "2025-02-01", "2025-02-28"),
    ("2026", "gYear", "2026-01-01", "2026-12-31"),
])
def test_each_precision_gives_its_first_and_last_day(value, kind, first, last):
    assert [d.isoformat() for d in literal_bounds(lit(value, kind))] == [first, last]


@pytest.mark.parametrize(("value", "kind"), [
    ("--03-26", "gMonthDay"),  # no year
    ("2025-02-30", "date"),  # no such day
    ("2025-13", "gYearMonth"),
    ("sometime in 2025", "string"),
])
def test_no_bounds_without_a_year_or_for_an_invalid_date(value, kind):
    assert literal_bounds(lit(value, kind)) is None


def test_a_span_and_several_dates_give_the_widest_bounds():
    ttl = b"""@prefix kz: <https://w3id.org/kzgraph/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <urn:visit> kz:startDate "2025-08-30"^^xsd:date ; kz:endDate "2025-09-03"^^xsd:date .
    <urn:proposal> kz:circulatedOn "2025-04"^^xsd:gYearMonth ; kz:plannedFor "2027"^^xsd:gYear .
    <urn:other> <urn:unrelated> "2025"^^xsd:gYear ."""
    found = {(q.subject.value, q.predicate.value.split("#")[1], q.object.value, q.graph_name.value)
             for q in derive_date_bounds(ox.parse(ttl, format=ox.RdfFormat.TURTLE))}
    assert found == {
        ("urn:visit", "earliestDate", "2025-08-30", DATES_GRAPH),
        ("urn:visit", "latestDate", "2025-09-03", DATES_GRAPH),
        ("urn:proposal", "earliestDate", "2025-04-01", DATES_GRAPH),
        ("urn:proposal", "latestDate", "2027-12-31", DATES_GRAPH),
    }


def test_bounds_are_typed_xsd_date():
    ttl = b'<urn:a> <http://purl.org/dc/terms/date> "2025-12"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> .'
    quads = derive_date_bounds(ox.parse(ttl, format=ox.RdfFormat.TURTLE))
    assert {q.object.datatype.value for q in quads} == {XSD + "date"}
