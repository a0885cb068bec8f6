"""The SPARQL 1.1 Protocol, read-only: GET, POST form and POST direct queries.

Errors are plain-text bodies with the status that fits them: 400 malformed,
403 updates and disallowed SERVICE calls, 406 no acceptable format, 413 body
too large, 415 wrong content type, 502 a SERVICE that failed, 503 a query
stopped at the time or size limit; a bug is a logged 500.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Blueprint, Response, abort, request

from kzgraph.errors import QueryError, QueryTimeout, ResultTooLarge, ServiceRefused, UpdateRefused
from kzgraph.guard import check_services, refuse_update
from kzgraph.web import pages
from kzgraph.web.describe import service_description
from kzgraph.web.executor import NotAcceptable, QueryFailed, QueryJob
from kzgraph.web.negotiation import (
    CANONICAL_GRAPH_TYPE,
    CANONICAL_RESULT_TYPE,
    GRAPH_MEDIA_TYPES,
    RESULT_MEDIA_TYPES,
    acceptable_types,
    content_type,
    negotiate,
    wants_html,
)
from kzgraph.web.rdf_response import rdf_response
from kzgraph.web.state import state

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    params = _protocol_parameters()
    queries = params.get("query", [])
    if params.get("update"):
        abort(403, "SPARQL Update is not allowed: this endpoint is read-only")
    if not queries:
        return _describe_service()
    if len(queries) > 1:
        abort(400, "give exactly one 'query' parameter")
    return _answer(queries[0], params)


def _protocol_parameters() -> dict[str, list[str]]:
    """The protocol's parameters from the URL and, for POST, the body, decoded strictly as UTF-8."""
    params = _parse_pairs(request.query_string)
    if request.method != "POST":
        return params
    mimetype = request.mimetype
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in {"utf-8", "utf8"}:
        abort(415, f"the request body must be UTF-8, not {charset}")
    if mimetype == UPDATE:
        abort(403, "SPARQL Update is not allowed: this endpoint is read-only")
    if mimetype == FORM:
        body = _parse_pairs(request.get_data())
        if "query" in params and "query" in body:
            abort(400, "give the query either in the URL or in the body, not both")
        for key, values in body.items():
            params.setdefault(key, []).extend(values)
        return params
    if mimetype == DIRECT:
        if "query" in params:
            abort(400, "a direct POST carries the query in its body, not in the URL")
        try:
            params["query"] = [request.get_data().decode("utf-8")]
        except UnicodeDecodeError:
            abort(400, "the query is not valid UTF-8")
        return params
    if not mimetype:
        abort(400, f"a POST needs a Content-Type: {FORM} or {DIRECT}")
    abort(415, f"unsupported Content-Type {mimetype!r}: use {FORM} or {DIRECT}")


def _parse_pairs(raw: bytes) -> dict[str, list[str]]:
    try:
        pairs = parse_qsl(raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        abort(400, "the request is not valid UTF-8")
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    return params


def _answer(query: str, params: dict[str, list[str]]) -> Response:
    kg = state()
    requested = (params.get("format") or [None])[0]
    job = QueryJob(
        text=query,
        result_format=negotiate(request.accept_mimetypes, RESULT_MEDIA_TYPES, requested),
        graph_format=negotiate(request.accept_mimetypes, GRAPH_MEDIA_TYPES, requested),
        default_graphs=tuple(params.get("default-graph-uri", [])),
        named_graphs=tuple(params.get("named-graph-uri", [])),
        base_iri=request.base_url,
        max_result_bytes=kg.settings.max_result_bytes,
    )
    services: list[str] = []
    try:
        services = check_services(query, kg.settings.service_allowlist)
        answer = kg.executor.run(job)
    except ServiceRefused as exc:
        abort(403, str(exc))
    except NotAcceptable as exc:
        table, canonical = (
            (GRAPH_MEDIA_TYPES, CANONICAL_GRAPH_TYPE) if exc.kind == "graph" else (RESULT_MEDIA_TYPES, CANONICAL_RESULT_TYPE)
        )
        abort(406, f"no acceptable format for this {'graph' if exc.kind == 'graph' else 'result'}; "
                   f"acceptable: {acceptable_types(table, canonical)}")
    except (QueryTimeout, ResultTooLarge) as exc:
        abort(503, str(exc))
    except QueryFailed as exc:
        if services:
            abort(502, str(exc))
        raise
    except QueryError as exc:
        try:
            refuse_update(query)
        except UpdateRefused as refused:
            abort(403, str(refused))
        abort(400, str(exc))
    media = CANONICAL_GRAPH_TYPE[answer.format] if answer.kind == "graph" else CANONICAL_RESULT_TYPE[answer.format]
    response = Response(answer.body, 200, content_type=content_type(media))
    response.vary.add("Accept")
    return response


def _describe_service() -> Response | str:
    if wants_html(request.accept_mimetypes):
        return pages.index()
    return rdf_response(service_description(request.base_url, state().stats))
