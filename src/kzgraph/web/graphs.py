"""Downloads: the read side of the SPARQL 1.1 Graph Store HTTP Protocol and
the VoID description at ``/.well-known/void``.

A download is written once per graph and format, by the backend, into a
file, and then sent from that file: the dataset is read-only while the
application runs, so the same request always gets the same bytes, in bounded
memory whatever the size of the graph.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import Blueprint, Response, request, send_file

from kzgraph.descriptions import void_description
from kzgraph.errors import BadRequest, NotFound
from kzgraph.formats import Format, Kind
from kzgraph.web.rdf_response import rdf_response, requested_format
from kzgraph.web.state import state

bp = Blueprint("graphs", __name__)


@bp.route("/rdf-graph-store", methods=["GET"])
def graph_store() -> Response:
    """``?default`` is the whole dataset (the union default graph); ``?graph=IRI`` one named graph."""
    graph = request.args.get("graph")
    has_default = "default" in request.args
    if has_default == (graph is not None):
        raise BadRequest("give either ?default or ?graph=IRI")
    kg = state()
    if graph is not None and graph not in kg.backend.graph_names():
        raise NotFound(f"no graph named <{graph}>; graphs: {', '.join(kg.backend.graph_names())}")
    fmt = requested_format(Kind.DATASET)
    stem = "kzgraph" if graph is None else "kzgraph-" + graph.rstrip("/").rsplit("/", 1)[-1]
    return _send(_dump_file(graph, fmt), fmt, stem)


def _send(path: Path, fmt: Format, stem: str) -> Response:
    response = send_file(path, as_attachment=True, download_name=fmt.filename(stem), etag=True, conditional=True)
    response.headers["Content-Type"] = fmt.content_type
    return response


def _dump_file(graph: str | None, fmt: Format) -> Path:
    """The file holding ``graph`` (None: the dataset) in ``fmt``, written by the backend on first use."""
    kg = state()
    key = hashlib.sha256(f"{graph}|{fmt.name}".encode()).hexdigest()[:24]
    path = kg.dumps / f"{key}.{fmt.extension}"
    if not path.is_file():
        fd, tmp = tempfile.mkstemp(dir=kg.dumps, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                kg.backend.dump(graph, fmt, out)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return path


@bp.route("/.well-known/void", methods=["GET"])
def void() -> Response:
    return rdf_response(void_description(request.url_root, state().stats))
