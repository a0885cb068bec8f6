"""Typed errors, and the one table that maps them to HTTP statuses and exit codes.

Library code raises these; the code that knows what went wrong raises the
right type. Only the edges translate: the Flask application answers
``exc.status`` (one error handler) and the CLI exits with ``exc.exit_code``
(one ``except``). Nothing in between catches an error to re-classify it.

>>> UpdateRefused("read-only").status, UpdateRefused("read-only").exit_code
(403, 2)
>>> [row[0] for row in error_table()][:4]
['KzGraphError', 'LoadError', 'QueryError', 'MalformedQuery']
"""

from __future__ import annotations

from http import HTTPStatus

EXIT_OK, EXIT_NONCONFORMING, EXIT_ERROR = 0, 1, 2
"""Exit codes, as pySHACL's: success, data does not conform, an error."""


class KzGraphError(Exception):
    """Base class of every error kzgraph raises on purpose."""

    status = 500
    """HTTP status at the web edge."""
    exit_code = EXIT_ERROR
    """Exit code at the CLI edge."""
    headers: dict[str, str] = {}
    """Extra HTTP headers for the answer (such as ``Retry-After``)."""


class LoadError(KzGraphError):
    """An RDF file is missing or cannot be parsed; the message names the file, line and column."""


class QueryError(KzGraphError):
    """A SPARQL query is malformed, or cannot be run as asked."""

    status = 400


class MalformedQuery(QueryError):
    """The text is not a valid SPARQL query; the message says where (line and column)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        where = f"line {line}, column {column}: " if line is not None and column is not None else ""
        super().__init__(f"malformed query: {where}{message}")
        self.detail = message
        self.line = line
        self.column = column

    def __reduce__(self):  # the query processes send errors back pickled
        return (type(self), (self.detail, self.line, self.column))


class BadRequest(QueryError):
    """A request breaks the SPARQL protocol (two queries, a GET with a body, ...)."""


class UnknownQuery(QueryError):
    """A named example query does not exist."""

    status = 404


class NotFound(KzGraphError):
    """No such resource, graph or page."""

    status = 404


class UpdateRefused(KzGraphError):
    """A SPARQL Update was sent to the read-only graph."""

    status = 403


class ServiceRefused(KzGraphError):
    """A query calls a SERVICE that is not on the allowlist (or a variable one)."""

    status = 403


class NotAcceptable(KzGraphError):
    """The client accepts no format in which this kind of answer can be written."""

    status = 406


class PayloadTooLarge(KzGraphError):
    """The request body is larger than the limit."""

    status = 413


class UnsupportedMediaType(KzGraphError):
    """The request body has a content type or charset the protocol does not allow."""

    status = 415


class ServiceFailed(KzGraphError):
    """An allowed SERVICE (or the query's own evaluation) failed while the query ran."""

    status = 502


class QueryStopped(KzGraphError):
    """A query was stopped at one of the endpoint's limits; other clients keep being served."""

    status = 503


class QueryTimeout(QueryStopped):
    """A query ran longer than the configured limit and was stopped."""


class ResultTooLarge(QueryStopped):
    """A result grew beyond the configured size limit and was stopped."""


class QueryMemoryExceeded(QueryStopped):
    """A query's process grew beyond the memory limit and was stopped."""


class Overloaded(QueryStopped):
    """Every query process is busy and the queue is full: try again shortly."""

    headers = {"Retry-After": "1"}


class ExportError(KzGraphError):
    """An export format is unknown or the graph cannot be written."""


class LinkError(KzGraphError):
    """The Wikidata link table or the Wikidata API cannot be used."""


class StoreError(KzGraphError):
    """A remote SPARQL store could not be used."""

    status = 502


class StoreUnreachable(StoreError):
    """The store does not answer: no connection, a refused port, an unknown host."""


class StoreRefused(StoreError):
    """The store answered a request with an error status; the message has the
    status and the store's own words, trimmed."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.store_status = status
        """The status the store answered with."""

    def __reduce__(self):
        return (type(self), (str(self), self.store_status))


class StoreAuthRefused(StoreRefused):
    """The store refused the credentials (401) or the account's rights (403)."""


class StoreTimeout(StoreError):
    """The store did not finish answering within the time limit."""

    status = 503


class ResultTruncated(StoreError):
    """The store's answer was cut short (connection closed early, a length
    mismatch, broken chunking, a partial result); no part of it is used."""

    status = 503


class PushFailed(StoreError):
    """A push stopped part-way; the message says which graphs were replaced
    and which were left as they were."""


def error_table() -> list[tuple[str, int, int, str]]:
    """Every error type with its HTTP status, exit code and meaning, base classes first.

    The README's tables are checked against this list.
    """
    rows = []
    pending = [KzGraphError]
    while pending:
        cls = pending.pop()
        doc = " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())
        rows.append((cls.__name__, cls.status, cls.exit_code, doc))
        pending.extend(reversed(cls.__subclasses__()))
    return rows


def error_table_markdown() -> str:
    """:func:`error_table` as the Markdown table the README shows."""
    lines = ["| error | HTTP status | exit code | meaning |", "| --- | --- | --- | --- |"]
    lines += [f"| `{name}` | {status} | {code} | {doc} |" for name, status, code, doc in error_table()]
    return "\n".join(lines) + "\n"


def error_text(status: int, message: str) -> str:
    """The one shape of every error answer's text: ``403 Forbidden: message``."""
    return f"{status} {status_phrase(status)}: {message}\n"


def status_phrase(status: int) -> str:
    """``403`` → ``"Forbidden"``."""
    return HTTPStatus(status).phrase
