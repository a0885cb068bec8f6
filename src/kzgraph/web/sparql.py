"""The SPARQL 1.1 Protocol, read-only: GET, POST form and POST direct queries.

This view only reads the protocol's parameters; everything else happens in a
query process, within the limits (see :mod:`kzgraph.backends.pool`), and every
failure is a typed error that the application's one error handler answers
with its status (see :mod:`kzgraph.errors`).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, quote

import pyoxigraph as ox
from flask import Blueprint, Response, request

from kzgraph.errors import BadRequest, KzGraphError, UnsupportedMediaType, UpdateRefused, error_text, status_phrase
from kzgraph.backends import QueryJob
from kzgraph.descriptions import service_description
from kzgraph.guard import READ_ONLY
from kzgraph.negotiation import wants_html
from kzgraph.web import pages
from kzgraph.web.rdf_response import answer_response, rdf_response
from kzgraph.web.state import KgState, state

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    params = _protocol_parameters()
    if "update" in params:
        raise UpdateRefused(READ_ONLY)
    queries = params.get("query", [])
    if not queries:
        return _describe_service()
    if len(queries) > 1:
        raise BadRequest("give exactly one 'query' parameter")
    return _answer(queries[0], params)


def _protocol_parameters() -> dict[str, list[str]]:
    """The protocol's parameters from the URL and, for POST, the body, decoded strictly as UTF-8.

    Raises:
        BadRequest, UnsupportedMediaType, UpdateRefused: the request breaks the protocol.
    """
    params = _parse_pairs(request.query_string)
    if request.method != "POST":
        if request.content_length or request.headers.get("Transfer-Encoding"):
            raise BadRequest("a GET request carries no body: put the query in the URL, or POST it")
        return params
    mimetype = request.mimetype
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in {"utf-8", "utf8"}:
        raise UnsupportedMediaType(f"the request body must be UTF-8, not {charset}")
    if mimetype == UPDATE:
        raise UpdateRefused(READ_ONLY)
    if mimetype == FORM:
        body = _parse_pairs(request.get_data())
        if "query" in params and "query" in body:
            raise BadRequest("give the query either in the URL or in the body, not both")
        for key, values in body.items():
            params.setdefault(key, []).extend(values)
        return params
    if mimetype == DIRECT:
        if "query" in params:
            raise BadRequest("a direct POST carries the query in its body, not in the URL")
        try:
            params["query"] = [request.get_data().decode("utf-8")]
        except UnicodeDecodeError:
            raise BadRequest("the query is not valid UTF-8") from None
        return params
    if not mimetype:
        raise BadRequest(f"a POST needs a Content-Type: {FORM} or {DIRECT}")
    raise UnsupportedMediaType(f"unsupported Content-Type {mimetype!r}: use {FORM} or {DIRECT}")


def _parse_pairs(raw: bytes) -> dict[str, list[str]]:
    try:
        pairs = parse_qsl(raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadRequest("the request is not valid UTF-8") from None
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    return params


def _answer(query: str, params: dict[str, list[str]]) -> Response:
    kg = state()
    job = QueryJob(
        text=query,
        accept=request.headers.get("Accept"),
        requested_format=(params.get("format") or [None])[0],
        default_graphs=_graph_iris(params, "default-graph-uri"),
        named_graphs=_graph_iris(params, "named-graph-uri"),
        base_iri=request.base_url,
        allowlist=kg.settings.service_allowlist,
        max_result_bytes=kg.settings.max_result_bytes,
    )
    return answer_response(kg.backend.run(job))


def _graph_iris(params: dict[str, list[str]], name: str) -> tuple[str, ...]:
    """The values of a dataset parameter, each an absolute IRI as the engine reads IRIs.

    Raises:
        BadRequest: a value is not an absolute IRI.
    """
    values = tuple(params.get(name, []))
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise BadRequest(f"{name} must be an absolute IRI, not {value!r} ({exc})") from None
    return values


def _describe_service() -> Response:
    if wants_html(request.headers.get("Accept")):
        return pages.index()
    return rdf_response(service_description(request.base_url, state().stats))


_CORS = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "Content-Disposition")]


def plain_get(current: Callable[[], KgState]):
    """A runner for :class:`~kzgraph.web.answer_cache.AnswerCacheMiddleware`: a GET with only
    ``query`` (and perhaps ``format``), no body, from a client that is no browser, answered
    without Flask, its errors in the same words as :func:`kzgraph.web.error_response`.
    Anything else returns None, for the application to answer. ``current`` gives the
    application's state (its backend and settings) at the time of each request."""

    def run(environ: dict) -> tuple[str, list[tuple[str, str]], bytes] | None:
        if environ.get("HTTP_TRANSFER_ENCODING") or wants_html(environ.get("HTTP_ACCEPT")):
            return None
        try:
            pairs = parse_qsl(environ.get("QUERY_STRING", "").encode("latin-1").decode("ascii"),
                              keep_blank_values=True, encoding="utf-8", errors="strict")
        except (UnicodeError, ValueError):
            return None
        params = dict(pairs)
        if len(params) != len(pairs) or "query" not in params or not set(params) <= {"query", "format"}:
            return None
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        path = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
        kg = current()
        job = QueryJob(text=params["query"], accept=environ.get("HTTP_ACCEPT"), requested_format=params.get("format"),
                       base_iri=f"{environ.get('wsgi.url_scheme', 'http')}://{host}{path}",
                       allowlist=kg.settings.service_allowlist, max_result_bytes=kg.settings.max_result_bytes)
        try:
            answer = kg.backend.run(job)
        except KzGraphError as exc:
            body = error_text(exc.status, str(exc)).encode("utf-8")
            headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                       ("Vary", "Accept"), *_CORS, *exc.headers.items()]
            return f"{exc.status} {status_phrase(exc.status)}", headers, body
        headers = [("Content-Type", answer.format.content_type), ("Content-Length", str(len(answer.body))),
                   ("Vary", "Accept"), *_CORS]
        if answer.etag:
            headers.append(("ETag", answer.etag))
        return "200 OK", headers, answer.body

    return run
