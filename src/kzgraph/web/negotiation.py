"""Content negotiation as data: media types and the formats that write them.

A SELECT or ASK answer is negotiated among the result formats only, a
CONSTRUCT or DESCRIBE answer among the RDF formats only.
"""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept

RESULT_MEDIA_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
"""Media type → key of :data:`kzgraph.results.RESULT_FORMATS`; the first is the default."""

GRAPH_MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "xml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/x-turtle": "turtle",
    "text/plain": "nt",
}
"""Media type → key of :data:`kzgraph.results.GRAPH_FORMATS`; the first is the default."""

CANONICAL_RESULT_TYPE = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                         "csv": "text/csv", "tsv": "text/tab-separated-values"}
CANONICAL_GRAPH_TYPE = {"turtle": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
                        "xml": "application/rdf+xml", "nquads": "application/n-quads", "trig": "application/trig"}
FILE_EXTENSIONS = {"turtle": "ttl", "nt": "nt", "jsonld": "jsonld", "xml": "rdf", "nquads": "nq", "trig": "trig"}

_FORMAT_ALIASES = {"rdfxml": "xml", "rdf": "xml", "ttl": "turtle", "n-triples": "nt", "ntriples": "nt",
                   "json-ld": "jsonld", "nq": "nquads", "n-quads": "nquads"}


def negotiate(accept: MIMEAccept, table: dict[str, str], requested: str | None = None) -> str | None:
    """The format key to answer with, or None if nothing in ``table`` is acceptable.

    ``requested`` is the ``format`` parameter: a key, an alias or a media type;
    it wins over the Accept header when it names a format of ``table``.

    >>> from werkzeug.datastructures import MIMEAccept
    >>> negotiate(MIMEAccept([("text/csv", 1), ("application/json", 0.5)]), RESULT_MEDIA_TYPES)
    'csv'
    >>> negotiate(MIMEAccept([("image/png", 1)]), RESULT_MEDIA_TYPES) is None
    True
    >>> negotiate(MIMEAccept([("*/*", 1)]), GRAPH_MEDIA_TYPES)
    'turtle'
    """
    if requested:
        key = _FORMAT_ALIASES.get(requested.lower(), requested.lower())
        if key in table.values():
            return key
        if key in table:
            return table[key]
    if not accept:
        return next(iter(table.values()))
    best = accept.best_match(list(table))
    return table[best] if best else None


def acceptable_types(table: dict[str, str], canonical: dict[str, str]) -> str:
    """The canonical media types of a table, for a 406 message."""
    return ", ".join(canonical[key] for key in dict.fromkeys(table.values()))


def content_type(media: str) -> str:
    """The Content-Type header for a media type: text formats say they are UTF-8 (JSON-LD always is).

    >>> content_type("text/turtle"), content_type("application/ld+json")
    ('text/turtle; charset=utf-8', 'application/ld+json')
    """
    return media if media == "application/ld+json" else f"{media}; charset=utf-8"


def wants_html(accept: MIMEAccept) -> bool:
    """Whether the client is a browser: it prefers HTML to Turtle (``*/*`` alone does not).

    >>> wants_html(MIMEAccept([("text/html", 1), ("*/*", 0.8)])), wants_html(MIMEAccept([("*/*", 1)]))
    (True, False)
    """
    return accept["text/html"] > accept["text/turtle"]
