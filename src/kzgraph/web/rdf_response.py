"""Write triples or quads in the RDF format the client accepts."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from flask import Response, request

from kzgraph.formats import Kind
from kzgraph.namespaces import PREFIXES
from kzgraph.negotiation import negotiate_or_refuse
from kzgraph.results import engine_format


def rdf_response(statements: Iterable[ox.Triple | ox.Quad], *, filename: str | None = None,
                 quads: bool = False) -> Response:
    """Triples (or, with ``quads``, quads) in the negotiated RDF format.

    Triples asked for in a quad format land in the default graph; quads asked
    for in a triple format are merged. ``filename`` (without extension) adds
    a Content-Disposition header for a download.

    Raises:
        NotAcceptable: the client accepts no RDF format.
    """
    fmt = negotiate_or_refuse(request.headers.get("Accept"), Kind.DATASET if quads else Kind.GRAPH,
                              request.args.get("format"))
    items = sorted(statements, key=str)
    if fmt.holds_quads and not quads:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in items]
    elif not fmt.holds_quads and quads:
        items = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in items}, key=str)
    prefixes = _used_prefixes(items) if fmt.name in {"turtle", "trig"} else None
    body = ox.serialize(items, format=engine_format(fmt), prefixes=prefixes)
    response = Response(body, 200, content_type=fmt.content_type)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{fmt.filename(filename)}"'
    return response


def _used_prefixes(items: list) -> dict[str, str]:
    """The project prefixes whose namespace occurs in ``items``, so a document declares only those."""
    text = "\n".join(str(item) for item in items)
    return {name: iri for name, iri in PREFIXES.items() if f"<{iri}" in text}
