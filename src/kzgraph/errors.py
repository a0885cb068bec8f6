"""Typed errors. Library code raises these; only the CLI and the web layer
turn them into exit codes and HTTP statuses."""


class KzGraphError(Exception):
    """Base class of every error kzgraph raises on purpose."""


class LoadError(KzGraphError):
    """An RDF file is missing or cannot be parsed; the message names the file and line."""


class QueryError(KzGraphError):
    """A SPARQL query is malformed or cannot be run."""


class UnknownQuery(QueryError):
    """A named example query does not exist."""


class UpdateRefused(QueryError):
    """A SPARQL Update was sent to the read-only graph."""


class ServiceRefused(QueryError):
    """A query calls a SERVICE that is not on the allowlist."""


class QueryTimeout(QueryError):
    """A query ran longer than the configured limit and was stopped."""


class ResultTooLarge(QueryError):
    """A result grew beyond the configured size limit and was stopped."""


class ExportError(KzGraphError):
    """An export format is unknown or the graph cannot be written."""


class LinkError(KzGraphError):
    """The Wikidata link table or the Wikidata API cannot be used."""


# Remote SPARQL stores (``kzgraph push`` and the remote query client).


class StoreError(KzGraphError):
    """A remote SPARQL store could not be used."""


class StoreUnreachable(StoreError):
    """The store does not answer: no connection, a refused port, an unknown host."""


class StoreRefused(StoreError):
    """The store answered a request with an error status; the message has the
    status and the store's own words, trimmed."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class StoreAuthRefused(StoreRefused):
    """The store refused the credentials (401) or the account's rights (403)."""


class StoreTimeout(StoreError):
    """The store did not finish answering within the time limit."""


class ResultTruncated(StoreError):
    """The store's answer was cut short (connection closed early, a length
    mismatch, broken chunking, a partial result); no part of it is used."""


class PushFailed(StoreError):
    """A push stopped part-way; the message says which graphs were replaced
    and which were left as they were."""
