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
