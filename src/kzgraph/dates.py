"""One date axis: the first and the last day each dated resource may fall on.

The sources give dates at several precisions (a day, a month, a year) on
several properties. :func:`derive_date_bounds` reads them and states, for every
dated resource, ``kz:earliestDate`` and ``kz:latestDate`` as ``xsd:date``: the
first and the last day the source allows, over all of the resource's dates
(a day gives that day twice, ``2025-08`` gives 1 and 31 August, ``2026`` gives
1 January and 31 December, a span gives its start and its end). The precise
values stay as they are, for display.

A recurring day (``xsd:gMonthDay``, such as an international day) has no
year, so it has no bounds; a value that is not a valid date gives none
either, and the shapes report the resource.

The function is pure: quads in, derived quads out, so it runs on any store.

>>> import pyoxigraph as ox
>>> ttl = b'''@prefix kz: <https://w3id.org/kzgraph/ontology#> .
... @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
... <urn:visit> kz:date "2025-08"^^xsd:gYearMonth .'''
>>> for q in derive_date_bounds(ox.parse(ttl, format=ox.RdfFormat.TURTLE)):
...     print(q.predicate.value.split("#")[1], q.object.value)
earliestDate 2025-08-01
latestDate 2025-08-31
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterable

import pyoxigraph as ox

from kzgraph.namespaces import DATES_GRAPH, KZ

XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS_DATE = "http://purl.org/dc/terms/date"

DATED_PROPERTIES = frozenset(
    {
        KZ + "date",
        KZ + "startDate",
        KZ + "endDate",
        KZ + "circulatedOn",
        KZ + "plannedFor",
        KZ + "observedOn",
        DCTERMS_DATE,
    }
)
"""The properties whose values place a resource in time."""

EARLIEST = ox.NamedNode(KZ + "earliestDate")
LATEST = ox.NamedNode(KZ + "latestDate")

_PATTERNS = {
    XSD + "date": re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
    XSD + "gYearMonth": re.compile(r"^(\d{4})-(\d{2})$"),
    XSD + "gYear": re.compile(r"^(\d{4})$"),
}


def literal_bounds(literal: ox.Literal) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day a date literal allows, or None (no year, or not a valid date).

    >>> import pyoxigraph as ox
    >>> gyear = ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")
    >>> [d.isoformat() for d in literal_bounds(ox.Literal("2026", datatype=gyear))]
    ['2026-01-01', '2026-12-31']
    >>> literal_bounds(ox.Literal("--03-26", datatype=ox.NamedNode(XSD + "gMonthDay"))) is None
    True
    """
    pattern = _PATTERNS.get(literal.datatype.value)
    match = pattern.match(literal.value) if pattern else None
    if match is None:
        return None
    parts = [int(p) for p in match.groups()]
    try:
        if len(parts) == 3:
            day = datetime.date(*parts)
            return day, day
        if len(parts) == 2:
            year, month = parts
            return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])
        (year,) = parts
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    except ValueError:  # month 13, 30 February...
        return None


def derive_date_bounds(quads: Iterable[ox.Quad | ox.Triple], graph: str = DATES_GRAPH) -> list[ox.Quad]:
    """``kz:earliestDate`` and ``kz:latestDate`` of every dated subject, in ``graph``, sorted."""
    bounds: dict[ox.NamedNode | ox.BlankNode, tuple[datetime.date, datetime.date]] = {}
    for quad in quads:
        if quad.predicate.value not in DATED_PROPERTIES or not isinstance(quad.object, ox.Literal):
            continue
        found = literal_bounds(quad.object)
        if found is None:
            continue
        first, last = found
        if quad.subject in bounds:
            old_first, old_last = bounds[quad.subject]
            first, last = min(first, old_first), max(last, old_last)
        bounds[quad.subject] = (first, last)
    target = ox.NamedNode(graph)
    date = ox.NamedNode(XSD + "date")
    derived = []
    for subject, (first, last) in bounds.items():
        derived.append(ox.Quad(subject, EARLIEST, ox.Literal(first.isoformat(), datatype=date), target))
        derived.append(ox.Quad(subject, LATEST, ox.Literal(last.isoformat(), datatype=date), target))
    return sorted(derived, key=str)
