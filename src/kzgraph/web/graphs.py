"""Downloads: the read side of the SPARQL 1.1 Graph Store HTTP Protocol and
the VoID description at ``/.well-known/void``."""

from __future__ import annotations

from flask import Blueprint, Response, request

from kzgraph.errors import BadRequest, NotFound

from kzgraph.web.descriptions import void_description
from kzgraph.web.rdf_response import rdf_response
from kzgraph.web.state import state

bp = Blueprint("graphs", __name__)


@bp.route("/rdf-graph-store", methods=["GET"])
def graph_store() -> Response:
    """``?default`` is the whole dataset (the union default graph); ``?graph=IRI`` one named graph."""
    store = state().store
    graph = request.args.get("graph")
    has_default = "default" in request.args
    if has_default == (graph is not None):
        raise BadRequest("give either ?default or ?graph=IRI")
    if has_default:
        return rdf_response(store.quads(), filename="kzgraph", quads=True)
    if graph not in store.graph_names():
        raise NotFound(f"no graph named <{graph}>; graphs: {', '.join(store.graph_names())}")
    return rdf_response(store.quads(graph), filename="kzgraph-" + graph.rstrip("/").rsplit("/", 1)[-1], quads=True)


@bp.route("/.well-known/void", methods=["GET"])
def void() -> Response:
    return rdf_response(void_description(request.url_root, state().stats))
