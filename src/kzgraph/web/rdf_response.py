"""Answer with RDF in the format the client accepts."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response, request

from kzgraph.backends import QueryAnswer
from kzgraph.formats import Format, Kind
from kzgraph.negotiation import negotiate_or_refuse
from kzgraph.results import serialize_statements


def requested_format(kind: Kind) -> Format:
    """The format this request accepts for an answer of ``kind``.

    Raises:
        NotAcceptable: the client accepts none.
    """
    return negotiate_or_refuse(request.headers.get("Accept"), kind, request.args.get("format"))


def rdf_response(statements: Iterable, *, filename: str | None = None, quads: bool = False) -> Response:
    """Statements made by the application (descriptions) in the negotiated RDF format."""
    fmt = requested_format(Kind.DATASET if quads else Kind.GRAPH)
    return answer_response(QueryAnswer(serialize_statements(statements, fmt, quads=quads), fmt), filename)


def answer_response(answer: QueryAnswer, filename: str | None = None) -> Response:
    """A backend's answer as it is; ``filename`` (without extension) makes it a download."""
    response = Response(answer.body, 200, content_type=answer.format.content_type)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{answer.format.filename(filename)}"'
    if answer.etag:
        response.set_etag(answer.etag.strip('"'))
        response.make_conditional(request)  # If-None-Match: 304 with no body
    return response
