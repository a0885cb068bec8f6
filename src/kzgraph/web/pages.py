"""Pages for people and machines: the query page, dereferenceable resources,
the ontology document and a health check. Every read of the graph goes
through the backend (``state().select`` or a query job), within its limits."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from kzgraph import __version__
from kzgraph.backends import Backend, QueryJob, is_iri, select
from kzgraph.errors import NotFound
from kzgraph.formats import Kind
from kzgraph.namespaces import INFERRED_GRAPH, KZ_TERMS, KZR, ONTOLOGY_GRAPH, XSD, compact
from kzgraph.negotiation import wants_html
from kzgraph.web.rdf_response import answer_response, requested_format
from kzgraph.web.state import state

bp = Blueprint("pages", __name__)


@bp.route("/", methods=["GET"])
def index() -> str:
    return render_template("index.html", queries=state().queries.values())


@bp.route("/health", methods=["GET"])
def health() -> Response:
    kg = state()
    return jsonify(status="ok", version=__version__, triples=kg.stats.triples, graphs=kg.backend.graph_names(),
                   data=[str(path) for path in kg.settings.data])


@bp.route("/ontology", methods=["GET"])
def ontology() -> Response:
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
    if not is_iri(iri):
        raise NotFound("not a resource IRI")
    kg = state()
    rows = kg.select("SELECT ?x ?p ?o WHERE { GRAPH ?g { ?x ?p ?o } FILTER (?g != ?inferred) }",
                     x=iri, inferred=INFERRED_GRAPH)
    if not rows:
        raise NotFound(f"no resource <{iri}> in this graph")
    if wants_html(request.headers.get("Accept")):
        return Response(render_template("resource.html", **_page(iri, rows)), mimetype="text/html")
    fmt = requested_format(Kind.GRAPH)
    answer = kg.backend.run(QueryJob(f"DESCRIBE <{iri}>", requested_format=fmt.name,
                                     default_graphs=asserted_graphs(), allowlist=None))
    return answer_response(answer, key)


def _page(iri: str, rows: list[dict]) -> dict:
    kg = state()
    properties: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if row["p"]["value"] != KZ_TERMS.citation:
            properties[compact(row["p"]["value"])].append(_term(row["o"], kg.labels))
    citations = kg.select(
        "SELECT ?x ?quote ?source WHERE { ?x kz:citation [ kz:quote ?quote ; kz:sourceArticle ?source ] } ORDER BY ?quote",
        x=iri,
    )
    incoming = kg.select(
        "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER (isIRI(?s) && ?g != ?inferred) }",
        o=iri, inferred=INFERRED_GRAPH,
    )
    return {
        "iri": iri,
        "label": kg.labels.get(iri, compact(iri)),
        "properties": sorted(properties.items()),
        "citations": [{"quote": row["quote"]["value"], "source": row["source"]["value"]} for row in citations],
        "incoming": sorted(({"subject": _term(row["s"], kg.labels), "predicate": compact(row["p"]["value"])}
                            for row in incoming),
                           key=lambda r: (r["predicate"], r["subject"]["text"])),
    }


def english_labels(backend: Backend) -> dict[str, str]:
    """IRI → English (or untagged) label of every labelled resource, for showing links by name."""
    rows = select(backend, "SELECT ?s ?l WHERE { ?s rdfs:label|skos:prefLabel ?l "
                           "FILTER (isIRI(?s) && (LANGMATCHES(LANG(?l), 'en') || LANG(?l) = '')) }")
    return {row["s"]["value"]: row["l"]["value"] for row in rows}


def _term(term: dict, labels: dict[str, str]) -> dict:
    """A SPARQL JSON term, for a template: its text, and a link where it has one."""
    if term["type"] == "uri":
        value = term["value"]
        href = url_for("pages.resource", key=value[len(KZR):]) if value.startswith(KZR) else value
        return {"text": labels.get(value, compact(value)), "href": href, "iri": value}
    if term["type"] == "literal":
        language = term.get("xml:lang")
        datatype = term.get("datatype", "")
        shown = compact(datatype) if datatype and not language and datatype != XSD.string else ""
        return {"text": term["value"] + (f" @{language}" if language else ""), "datatype": shown}
    return {"text": "_:" + term["value"]}
