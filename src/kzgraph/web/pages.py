"""Pages for people and machines: the query page, search and class pages,
the ontology, dereferenceable resources, the source reader, the timeline,
HTML error pages and a health check.

Pages read the graph only through the backend (``state().select``, SPARQL
JSON bindings, or a query job for RDF answers), within its limits.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, jsonify, render_template, request, send_from_directory, url_for

from kzgraph import __version__
from kzgraph.annotations import to_jsonld
from kzgraph.backends import Backend, QueryJob, is_iri, select
from kzgraph.errors import NotFound
from kzgraph.formats import Kind, formats_for
from kzgraph.namespaces import INFERRED_GRAPH, KZR, ONTOLOGY_GRAPH, PREFIXES
from kzgraph.negotiation import wants_html
from kzgraph.web import browse, ontology_page, resource_page, sources, timeline
from kzgraph.web.rdf_response import answer_response, requested_format
from kzgraph.web.state import state

bp = Blueprint("pages", __name__)

_NOT_IN_IRI = re.compile(r'[\s<>"{}|\\^`]')

DOWNLOADS = {
    kind.value: [(f.name, f.label, f.extension) for f in formats_for(kind)] for kind in (Kind.RESULTS, Kind.GRAPH)
}
"""The endpoint's ``format=`` values offered for download, by kind of query, with label and file extension."""


@bp.route("/", methods=["GET"])
def index() -> str:
    return render_template("index.html", groups=_example_groups(), downloads=DOWNLOADS, prefixes=PREFIXES)


def _example_groups() -> list[tuple[str, list[dict]]]:
    """The example queries grouped by their first tag, A→Z; those calling out through SERVICE are marked."""
    groups: dict[str, list[dict]] = {}
    for query in state().queries.values():
        tag = query.tags[0] if query.tags else "other"
        groups.setdefault(tag.capitalize() if tag.islower() else tag, []).append({
            "name": query.name, "summary": query.summary, "text": query.text, "tags": ", ".join(query.tags),
            "online": "SERVICE" in query.text.upper(),
        })
    return [(tag, sorted(items, key=lambda q: q["summary"])) for tag, items in sorted(groups.items(), key=lambda g: g[0].casefold())]


@bp.route("/labels.json", methods=["GET"])
def labels() -> Response:
    """IRI → label, for the query page's results."""
    response = jsonify(state().labels)
    response.cache_control.max_age = 3600
    return response


@bp.route("/health", methods=["GET"])
def health() -> Response:
    kg = state()
    return jsonify(status="ok", version=__version__, triples=kg.stats.triples, graphs=kg.backend.graph_names(),
                   data=[str(path) for path in kg.settings.data])


@bp.route("/favicon.ico", methods=["GET"])
def favicon() -> Response:
    return send_from_directory(bp.root_path + "/static", "favicon.svg", mimetype="image/svg+xml")


@bp.route("/ontology", methods=["GET"])
def ontology() -> Response:
    """The ontology: a page for a browser, RDF by negotiation otherwise."""
    if wants_html(request.headers.get("Accept")) and "format" not in request.args:
        return _html("ontology.html", terms=ontology_page.ontology_terms())
    fmt = requested_format(Kind.GRAPH)
    answer = state().backend.run(QueryJob("CONSTRUCT WHERE { ?s ?p ?o }", requested_format=fmt.name,
                                          default_graphs=(ONTOLOGY_GRAPH,), allowlist=None))
    return answer_response(answer, "kzgraph-ontology")


def asserted_graphs() -> tuple[str, ...]:
    """Every graph but the inferred one: what the sources and the user said."""
    return tuple(name for name in state().backend.graph_names() if name != INFERRED_GRAPH)


@bp.route("/resource/<path:key>", methods=["GET"])
def resource(key: str) -> Response:
    """The resource ``kzr:key``: an HTML page for browsers, its description in RDF otherwise."""
    iri = KZR + key
    if wants_html(request.headers.get("Accept")) and "format" not in request.args:
        model = None if _NOT_IN_IRI.search(key) else resource_page.resource_model(iri, sources.reader_for)
        if model is None:
            return error_page(404, "No such resource", f"The graph says nothing about <{iri}>.")
        return _html("resource.html", **model)
    if not is_iri(iri) or not state().select("SELECT ?p WHERE { GRAPH ?g { ?x ?p ?o } FILTER (?g != ?inferred) } LIMIT 1",
                                               x=iri, inferred=INFERRED_GRAPH):
        raise NotFound(f"no resource <{iri}> in this graph")
    fmt = requested_format(Kind.GRAPH)
    answer = state().backend.run(QueryJob(f"DESCRIBE <{iri}>", requested_format=fmt.name,
                                          default_graphs=asserted_graphs(), allowlist=None))
    return answer_response(answer, key)


@bp.route("/search", methods=["GET"])
def search() -> Response:
    question = request.args.get("q", "").strip()
    return _html("search.html", question=question, groups=browse.search(question) if question else [])


@bp.route("/class/<name>", methods=["GET"])
def class_page(name: str) -> Response:
    model = browse.class_model(name)
    if model is None:
        return error_page(404, "No such class", f"The ontology has no class kz:{name}.")
    return _html("class.html", **model)


@bp.route("/source/", methods=["GET"])
def sources_list() -> Response:
    labels = state().labels
    return _html("sources.html", articles=[{"key": key, "title": labels.get(a.iri, key)}
                                           for key, a in sources.articles().items()])


@bp.route("/source/<key>", methods=["GET"])
def source(key: str) -> Response:
    model = sources.reader_model(key)
    if model is None:
        return error_page(404, "No such source", f"There is no source article called {key!r}.")
    return _html("source.html", meta=sources.source_meta(model["iri"]), **model)


@bp.route("/source/<key>/annotations", methods=["GET"])
def source_annotations(key: str) -> Response:
    """Where each citation stands in the article, as a W3C Web Annotation page (JSON-LD)."""
    article = sources.articles().get(key)
    if article is None:
        raise NotFound(f"there is no source article called {key!r}")
    base = url_for("pages.source_annotations", key=key, _external=True)
    response = jsonify(to_jsonld(list(article.annotations), base))
    response.mimetype = "application/ld+json"
    response.headers["Content-Type"] = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    return response


@bp.route("/timeline", methods=["GET"])
def timeline_page() -> Response:
    items = timeline.timeline_items()
    kinds = sorted({item.kind for item in items}, key=str.casefold)
    chosen = [k for k in request.args.getlist("kind") if k in kinds]
    shown = [item for item in items if not chosen or item.kind in chosen]
    return _html("timeline.html", kinds=kinds, chosen=chosen, drawing=timeline.draw(shown), items=shown)


def error_page(status: int, title: str, message: str) -> Response:
    """An HTML error page with the site's navigation and search box, for browsers."""
    return _html("error.html", status=status, title=title, message=message, code=status)


def _html(template: str, code: int = 200, **context) -> Response:
    return Response(render_template(template, **context), code, mimetype="text/html")


def english_labels(backend: Backend) -> dict[str, str]:
    """IRI → English (or untagged) label of every labelled resource, for showing links by name."""
    rows = select(backend, "SELECT ?s ?l WHERE { ?s rdfs:label|skos:prefLabel ?l "
                           "FILTER (isIRI(?s) && (LANGMATCHES(LANG(?l), 'en') || LANG(?l) = '')) }")
    return {row["s"]["value"]: row["l"]["value"] for row in rows}
