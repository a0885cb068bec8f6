"""The endpoint answering from an external store (``serve --store``): Oxigraph's
server and Virtuoso, started on loopback with the shipped graph pushed into
each. The same protocol, guard, limits and formats stand in front of them as in
front of the embedded store, and every example answers as it does there."""

from __future__ import annotations

from collections import Counter

import pytest
import requests
from stores import (  # noqa: F401  (fixtures)
    VIRTUOSO_PASSWORD,
    VIRTUOSO_USER,
    StoreServer,
    oxigraph_server,
    raw_server,
    virtuoso_server,
)
from test_remote import QUERIES, embedded_rows, normalized

from kzgraph.push import graphs_to_push, send_payloads, serialize_uploads
from kzgraph.web import close_app, create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["oxigraph_server", "virtuoso_server"], ids=["oxigraph", "virtuoso"])
def remote_app(request, settings, tmp_path_factory):
    """The application over a store holding the shipped graph (asserted and inferred)."""
    server: StoreServer = request.getfixturevalue(request.param)
    payloads = serialize_uploads(graphs_to_push(settings, inferred=True), tmp_path_factory.mktemp("push"))
    with requests.Session() as session:
        if server.env:
            session.auth = requests.auth.HTTPDigestAuth(VIRTUOSO_USER, VIRTUOSO_PASSWORD)
        send_payloads(session, server.graph_store_url, payloads, timeout=60)
    dialect = "virtuoso" if server.name == "virtuoso" else "generic"
    app = create_app(settings.replace(store=server.query_url, store_dialect=dialect, workers=2, timeout=20))
    app.config["store_name"] = server.name
    yield app
    close_app(app)


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_every_example_answers_as_on_the_embedded_store(remote_app, store, query):
    response = remote_app.test_client().post("/sparql", data={"query": query.text},
                                              headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = response.get_json()["results"]["bindings"]
    name = remote_app.config["store_name"]
    assert Counter(map(_frozen, normalized(rows, query.text, name))) == \
        Counter(map(_frozen, normalized(embedded_rows(store, query.text), query.text, name)))


def _frozen(row: dict) -> tuple:
    return tuple(sorted(row.items()))


def test_formats_are_written_here_whatever_the_store_speaks(remote_app):
    client = remote_app.test_client()
    select = client.get("/sparql", query_string={"query": "SELECT ?l WHERE { kzr:org-sco rdfs:label ?l }"},
                        headers={"Accept": "text/csv; header=present"})
    assert (select.status_code, select.mimetype, select.get_data(as_text=True)) == (200, "text/csv", "l\r\nSCO\r\n")
    graph = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { kzr:org-sco rdfs:label ?l }",
                                                 "format": "nquads"})
    assert graph.status_code == 200 and graph.mimetype == "application/n-quads"
    assert graph.get_data(as_text=True) == ('<https://w3id.org/kzgraph/resource/org-sco> '
                                            '<http://www.w3.org/2000/01/rdf-schema#label> "SCO"@en .\n')
    ask = client.get("/sparql", query_string={"query": "ASK { kzr:country-KAZ a kz:State }"})
    assert ask.get_json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize(("query", "status"), [
    ("DROP ALL", 403),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", 403),
    ("SELECT * WHERE { ?s nope:x ?o }", 400),
])
def test_the_guard_stands_in_front_of_the_store(remote_app, query, status):
    response = remote_app.test_client().get("/sparql", query_string={"query": query})
    assert response.status_code == status


def test_pages_and_descriptions_read_through_the_store(remote_app):
    client = remote_app.test_client()
    page = client.get("/resource/country-KAZ", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Kazakhstan" in page.get_data(as_text=True)
    rdf = client.get("/resource/country-KAZ", headers={"Accept": "text/turtle"})
    assert rdf.status_code == 200 and "Kazakhstan" in rdf.get_data(as_text=True)
    void = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert void.status_code == 200 and "https://w3id.org/kzgraph/graph/data" in void.get_data(as_text=True)


def test_a_store_that_cuts_its_answer_short_is_a_503_never_a_short_200(settings):
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 500\r\n\r\n"
            b'{"head":{"vars":["g"]},"results":{"bindings":[')
    url, stop = raw_server(head)
    try:
        from kzgraph.backends import QueryJob, open_backend

        backend = open_backend(settings.replace(store=url, timeout=5))
        with pytest.raises(Exception) as caught:
            backend.run(QueryJob("SELECT * WHERE { ?s ?p ?o }"))
        assert caught.value.status == 503
        assert "cut short" in str(caught.value)
    finally:
        stop()
