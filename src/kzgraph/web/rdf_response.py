"""Write triples or quads in the RDF format the client accepts."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from flask import Response, abort, request

from kzgraph.namespaces import PREFIXES
from kzgraph.results import GRAPH_FORMATS
from kzgraph.web.negotiation import (
    CANONICAL_GRAPH_TYPE,
    FILE_EXTENSIONS,
    GRAPH_MEDIA_TYPES,
    acceptable_types,
    content_type,
    negotiate,
)

_QUAD_KEYS = {"nquads", "trig"}


def rdf_response(statements: Iterable[ox.Triple | ox.Quad], *, filename: str | None = None,
                 quads: bool = False) -> Response:
    """Triples (or, with ``quads``, quads) in the negotiated RDF format.

    Triples asked for in a quad format land in the default graph; quads asked
    for in a triple format are merged. ``filename`` (without extension) adds
    a Content-Disposition header for a download.
    """
    key = negotiate(request.accept_mimetypes, GRAPH_MEDIA_TYPES, request.args.get("format"))
    if key is None:
        abort(406, f"no acceptable RDF format; acceptable: {acceptable_types(GRAPH_MEDIA_TYPES, CANONICAL_GRAPH_TYPE)}")
    items = sorted(statements, key=str)
    if key in _QUAD_KEYS and not quads:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in items]
    elif key not in _QUAD_KEYS and quads:
        items = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in items}, key=str)
    prefixes = _used_prefixes(items) if key in {"turtle", "trig"} else None
    body = ox.serialize(items, format=GRAPH_FORMATS[key], prefixes=prefixes)
    media = CANONICAL_GRAPH_TYPE[key]
    response = Response(body, 200, content_type=content_type(media))
    response.vary.add("Accept")
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{FILE_EXTENSIONS[key]}"'
    return response


def _used_prefixes(items: list) -> dict[str, str]:
    """The project prefixes whose namespace occurs in ``items``, so a document declares only those."""
    text = "\n".join(str(item) for item in items)
    return {name: iri for name, iri in PREFIXES.items() if f"<{iri}" in text}
