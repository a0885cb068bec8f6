"""Content negotiation over the format registry (RFC 9110 §12.5.1).

A media type's parameters (``; charset=utf-8``, JSON-LD's ``profile``,
``; version=1.2``) narrow a range but never veto a type the server writes:
ranges are matched on type and subtype, the most specific matching range
gives a type its quality, and ties go to the server's order of preference.

>>> [f.name for f in [negotiate("text/csv; header=present, application/json;q=0.5", Kind.RESULTS)]]
['csv']
>>> negotiate("application/sparql-results+json; charset=utf-8", Kind.RESULTS).name
'json'
>>> negotiate("image/png", Kind.RESULTS) is None
True
>>> negotiate("*/*", Kind.GRAPH).name, negotiate("application/json", Kind.GRAPH).name
('turtle', 'jsonld')
>>> negotiate("text/turtle;q=0, */*", Kind.GRAPH).name
'nt'
"""

from __future__ import annotations

from werkzeug.http import parse_accept_header

from kzgraph.errors import NotAcceptable
from kzgraph.formats import Format, Kind, find, formats_for


def _ranges(accept: str | None) -> list[tuple[str, str, float]]:
    """(type, subtype, quality) of every media range, parameters dropped."""
    ranges = []
    for value, quality in parse_accept_header(accept or ""):
        media = value.split(";", 1)[0].strip().lower()
        kind, _, sub = media.partition("/")
        if kind and sub:
            ranges.append((kind, sub, quality))
    return ranges


def _match(media_type: str, ranges: list[tuple[str, str, float]]) -> tuple[int, float]:
    """(specificity, quality) of the most specific range matching ``media_type``; (-1, 0) for none."""
    kind, _, sub = media_type.partition("/")
    best_specificity, best_quality = -1, 0.0
    for range_kind, range_sub, q in ranges:
        if range_kind == kind and range_sub == sub:
            specificity = 2
        elif range_kind == kind and range_sub == "*":
            specificity = 1
        elif range_kind == "*" and range_sub == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity or (specificity == best_specificity and q > best_quality):
            best_specificity, best_quality = specificity, q
    return best_specificity, best_quality


def quality(media_type: str, ranges: list[tuple[str, str, float]]) -> float:
    """The quality a client gives ``media_type``: that of the most specific range matching it."""
    return _match(media_type, ranges)[1]


def format_quality(fmt: Format, ranges: list[tuple[str, str, float]]) -> float:
    """The quality of a format: that of whichever of its media types the client named most specifically."""
    return max(_match(media, ranges) for media in fmt.media_types)[1]


def negotiate(accept: str | None, kind: Kind, requested: str | None = None) -> Format | None:
    """The format to answer with, or None if the client accepts none of those that fit ``kind``.

    ``requested`` is the ``format`` parameter (a name, an alias or a media
    type); when it names a format of ``kind`` it wins over ``accept``. No
    Accept header at all accepts everything.
    """
    if requested:
        chosen = find(requested, kind)
        if chosen is not None:
            return chosen
    candidates = formats_for(kind)
    ranges = _ranges(accept)
    if not ranges:
        return candidates[0]
    best, best_quality = None, 0.0
    for fmt in candidates:
        q = format_quality(fmt, ranges)
        if q > best_quality:
            best, best_quality = fmt, q
    return best


def negotiate_or_refuse(accept: str | None, kind: Kind, requested: str | None = None) -> Format:
    """As :func:`negotiate`, but no acceptable format is an error that lists the ones available.

    Raises:
        NotAcceptable: nothing the client accepts fits ``kind``.
    """
    chosen = negotiate(accept, kind, requested)
    if chosen is None:
        raise NotAcceptable(not_acceptable_message(kind))
    return chosen


def not_acceptable_message(kind: Kind) -> str:
    what = {Kind.RESULTS: "SELECT or ASK result", Kind.GRAPH: "graph", Kind.DATASET: "dataset"}[kind]
    return f"no acceptable format for this {what}; acceptable: " + ", ".join(
        f.media_type for f in formats_for(kind))


def wants_html(accept: str | None) -> bool:
    """Whether the client is a browser: it prefers HTML to Turtle (``*/*`` alone does not).

    >>> wants_html("text/html,application/xhtml+xml,*/*;q=0.8"), wants_html("*/*")
    (True, False)
    """
    ranges = _ranges(accept)
    return quality("text/html", ranges) > quality("text/turtle", ranges)
