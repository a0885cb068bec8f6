"""Pages for people and machines: the query page, dereferenceable resources,
the ontology document and a health check."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, render_template, request, url_for

from kzgraph import __version__
from kzgraph.errors import NotFound
from kzgraph.namespaces import DATA_GRAPH, INFERRED_GRAPH, KZ, KZR, ONTOLOGY_GRAPH
from kzgraph.results import compact
from kzgraph.store import KnowledgeStore
from kzgraph.negotiation import wants_html
from kzgraph.web.rdf_response import rdf_response
from kzgraph.web.state import state

bp = Blueprint("pages", __name__)

@bp.route("/", methods=["GET"])
def index() -> str:
    return render_template("index.html", queries=state().queries.values())


@bp.route("/health", methods=["GET"])
def health() -> Response:
    kg = state()
    return jsonify(status="ok", version=__version__, triples=len(kg.store), graphs=kg.store.graph_names())


@bp.route("/ontology", methods=["GET"])
def ontology() -> Response:
    quads = state().store.quads(ONTOLOGY_GRAPH)
    return rdf_response([ox.Triple(q.subject, q.predicate, q.object) for q in quads], filename="kzgraph-ontology")


@bp.route("/resource/<path:key>", methods=["GET"])
def resource(key: str) -> Response:
    """The resource ``kzr:key``: an HTML page for browsers, its description in RDF otherwise."""
    iri = KZR + key
    store = state().store
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        raise NotFound("not a resource IRI") from None
    description = list(store.query("DESCRIBE ?x", bindings={"x": node}, default_graphs=[DATA_GRAPH, ONTOLOGY_GRAPH]))
    if not description:
        raise NotFound(f"no resource <{iri}> in this graph")
    if wants_html(request.headers.get("Accept")):
        return Response(render_template("resource.html", **_page(iri, description)), mimetype="text/html")
    return rdf_response(description, filename=key)


def _page(iri: str, description: list[ox.Triple]) -> dict:
    kg = state()
    subject = ox.NamedNode(iri)
    properties: dict[str, list[dict]] = defaultdict(list)
    for triple in description:
        if triple.subject == subject and triple.predicate.value != KZ + "citation":
            properties[compact(triple.predicate)].append(_term(triple.object, kg.labels))
    citations = kg.store.select(
        "SELECT ?x ?quote ?source WHERE { ?x kz:citation [ kz:quote ?quote ; kz:sourceArticle ?source ] } ORDER BY ?quote",
        x=subject,
    )
    incoming = kg.store.select(
        "SELECT DISTINCT ?s ?p ?o ?inferred WHERE { GRAPH ?g { ?s ?p ?o } FILTER (isIRI(?s) && ?g != ?inferred) }",
        o=subject, inferred=ox.NamedNode(INFERRED_GRAPH),
    )
    return {
        "iri": iri,
        "label": kg.labels.get(iri, compact(subject)),
        "properties": sorted(properties.items()),
        "citations": [{"quote": row["quote"].value, "source": row["source"].value} for row in citations],
        "incoming": sorted(({"subject": _term(row["s"], kg.labels), "predicate": compact(row["p"])} for row in incoming),
                           key=lambda r: (r["predicate"], r["subject"]["text"])),
    }


def english_labels(store: KnowledgeStore) -> dict[str, str]:
    """IRI → English (or untagged) label of every labelled resource, for showing links by name."""
    rows = store.select(
        "SELECT ?s ?l WHERE { ?s rdfs:label|skos:prefLabel ?l FILTER (isIRI(?s) && (LANGMATCHES(LANG(?l), 'en') || LANG(?l) = '')) }"
    )
    return {row["s"].value: row["l"].value for row in rows}


def _term(term, labels: dict[str, str]) -> dict:
    if isinstance(term, ox.NamedNode):
        href = url_for("pages.resource", key=term.value[len(KZR):]) if term.value.startswith(KZR) else term.value
        return {"text": labels.get(term.value, compact(term)), "href": href, "iri": term.value}
    if isinstance(term, ox.Literal):
        suffix = f" @{term.language}" if term.language else ""
        datatype = compact(term.datatype) if not term.language and term.datatype.value.rsplit("#", 1)[-1] != "string" else ""
        return {"text": term.value + suffix, "datatype": datatype}
    return {"text": compact(term)}
