"""Pages for people and machines: the query page, dereferenceable resources,
the ontology document and a health check."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from kzgraph import __version__
from kzgraph.namespaces import DATA_GRAPH, KZR, ONTOLOGY_GRAPH
from kzgraph.results import compact
from kzgraph.web.rdf_response import rdf_response
from kzgraph.web.state import state

bp = Blueprint("pages", __name__)

_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


@bp.route("/", methods=["GET"])
def index() -> str:
    return render_template("index.html", queries=state().queries.values())


@bp.route("/health", methods=["GET"])
def health() -> Response:
    kg = state()
    return jsonify(status="ok", version=__version__, triples=len(kg.store), graphs=kg.store.graph_names())


@bp.route("/ontology", methods=["GET"])
def ontology() -> Response:
    return rdf_response(_triples(kg_quads=state().store.quads(ONTOLOGY_GRAPH)), filename="kzgraph-ontology")


@bp.route("/resource/<path:key>", methods=["GET"])
def resource(key: str) -> Response:
    """The resource ``kzr:key``: an HTML page for browsers, its description in RDF otherwise."""
    iri = KZR + key
    store = state().store
    description = list(store.query(f"DESCRIBE <{_safe(iri)}>", default_graphs=[DATA_GRAPH, ONTOLOGY_GRAPH]))
    if not description:
        abort(404, f"no resource <{iri}> in this graph")
    if request.accept_mimetypes["text/html"] > request.accept_mimetypes["text/turtle"]:
        return Response(render_template("resource.html", **_page(iri, description)), mimetype="text/html")
    return rdf_response(description, filename=key)


def _safe(iri: str) -> str:
    if any(c in iri for c in '<>"{}|^`\\ '):
        abort(404, "not a resource IRI")
    return iri


def _triples(kg_quads) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for q in kg_quads]


def _page(iri: str, description: list[ox.Triple]) -> dict:
    store = state().store
    subject = ox.NamedNode(iri)
    labels = _labels(store)
    properties: dict[str, list[dict]] = defaultdict(list)
    citations = []
    for triple in description:
        if triple.subject != subject:
            continue
        if compact(triple.predicate) == "kz:citation":
            citations.append({t.predicate.value.rsplit("#", 1)[-1]: t.object for t in description if t.subject == triple.object})
            continue
        properties[compact(triple.predicate)].append(_term(triple.object, labels))
    incoming = [
        {"subject": _term(row["s"], labels), "predicate": compact(row["p"])}
        for row in store.select("SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER (?g != <%s>) }"
                                % "https://w3id.org/kzgraph/graph/inferred", o=subject)
        if isinstance(row["s"], ox.NamedNode)
    ]
    return {
        "iri": iri,
        "label": labels.get(iri, compact(subject)),
        "properties": sorted(properties.items()),
        "citations": [{"quote": c.get("quote").value if c.get("quote") else "", "source": c.get("sourceArticle").value
                       if c.get("sourceArticle") else ""} for c in citations],
        "incoming": sorted(incoming, key=lambda r: (r["predicate"], r["subject"]["text"])),
    }


def _labels(store) -> dict[str, str]:
    rows = store.select("SELECT ?s ?l WHERE { ?s rdfs:label|skos:prefLabel ?l FILTER (LANGMATCHES(LANG(?l), 'en') || LANG(?l) = '') }")
    return {row["s"].value: row["l"].value for row in rows if isinstance(row["s"], ox.NamedNode)}


def _term(term, labels: dict[str, str]) -> dict:
    if isinstance(term, ox.NamedNode):
        href = url_for("pages.resource", key=term.value[len(KZR):]) if term.value.startswith(KZR) else term.value
        return {"text": labels.get(term.value, compact(term)), "href": href, "iri": term.value}
    if isinstance(term, ox.Literal):
        suffix = f" @{term.language}" if term.language else ""
        datatype = compact(term.datatype) if not term.language and term.datatype.value.rsplit("#", 1)[-1] != "string" else ""
        return {"text": term.value + suffix, "datatype": datatype}
    return {"text": compact(term)}
