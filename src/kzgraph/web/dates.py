"""Dates as the sources give them: written at their precision, and as the span
of days they cover (for the timeline).

The graph keeps each date at the precision its source gives: a day
(``xsd:date``), a month (``xsd:gYearMonth``), a year (``xsd:gYear``) or a
day of every year (``xsd:gMonthDay``). This module is the one place that
reads those lexical forms.

>>> describe_date("2025-08", XSD + "gYearMonth")
'August 2025'
>>> describe_date("--03-26", XSD + "gMonthDay")
'26 March'
>>> span("2025-08", XSD + "gYearMonth")
(datetime.date(2025, 8, 1), datetime.date(2025, 8, 31))
"""

from __future__ import annotations

import calendar
import re
from datetime import date

XSD = "http://www.w3.org/2001/XMLSchema#"
DATE_TYPES = {XSD + "date", XSD + "gYearMonth", XSD + "gYear", XSD + "gMonthDay", XSD + "dateTime"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")

_PATTERNS = {
    XSD + "date": re.compile(r"(\d{4})-(\d{2})-(\d{2})"),
    XSD + "dateTime": re.compile(r"(\d{4})-(\d{2})-(\d{2})T"),
    XSD + "gYearMonth": re.compile(r"(\d{4})-(\d{2})"),
    XSD + "gYear": re.compile(r"(\d{4})"),
    XSD + "gMonthDay": re.compile(r"--(\d{2})-(\d{2})"),
}


def _parts(value: str, datatype: str) -> tuple[int, ...] | None:
    pattern = _PATTERNS.get(datatype)
    match = pattern.match(value) if pattern else None
    return tuple(int(g) for g in match.groups()) if match else None


def describe_date(value: str, datatype: str) -> str | None:
    """The date written for a reader at its own precision, or None if it is not a date.

    >>> describe_date("2025-06-17", XSD + "date"), describe_date("2025", XSD + "gYear")
    ('17 June 2025', '2025')
    """
    parts = _parts(value, datatype)
    if parts is None:
        return None
    if datatype in {XSD + "date", XSD + "dateTime"}:
        year, month, day = parts
        return f"{day} {MONTHS[month - 1]} {year}"
    if datatype == XSD + "gYearMonth":
        year, month = parts
        return f"{MONTHS[month - 1]} {year}"
    if datatype == XSD + "gYear":
        return str(parts[0])
    month, day = parts
    return f"{day} {MONTHS[month - 1]}"


def span(value: str, datatype: str, *, year: int | None = None) -> tuple[date, date] | None:
    """The first and last day the date covers; a day of every year (gMonthDay) needs ``year``.

    >>> span("2026", XSD + "gYear")
    (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    >>> span("--03-26", XSD + "gMonthDay", year=2025)
    (datetime.date(2025, 3, 26), datetime.date(2025, 3, 26))
    """
    parts = _parts(value, datatype)
    if parts is None:
        return None
    if datatype in {XSD + "date", XSD + "dateTime"}:
        day = date(*parts)
        return day, day
    if datatype == XSD + "gYearMonth":
        first_year, month = parts
        return date(first_year, month, 1), date(first_year, month, calendar.monthrange(first_year, month)[1])
    if datatype == XSD + "gYear":
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    if year is None:
        return None
    day = date(year, *parts)
    return day, day


def precision(datatype: str) -> str:
    """'day', 'month', 'year' or 'day of the year'."""
    return {XSD + "gYearMonth": "month", XSD + "gYear": "year", XSD + "gMonthDay": "day of the year"}.get(datatype, "day")
