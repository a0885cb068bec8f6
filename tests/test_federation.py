"""Federated queries through SERVICE, against a local SPARQL server standing in for Wikidata.

The stand-in holds a few made-up Wikidata-shaped triples (they are test
fixtures, not facts of the graph); the endpoint's allowlist is pointed at it.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pyoxigraph as ox
import pytest

from kzgraph import resources
from kzgraph.config import WIKIDATA_SPARQL, Settings
from kzgraph.queries import find_query

FAKE_WIKIDATA = """
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
wd:Q232 wdt:P1082 1001 ; wdt:P35 wd:Q200881 .
wd:Q265 wdt:P1082 1002 .
wd:Q148 wdt:P35 wd:Q1 .
wd:Q200881 rdfs:label "Kassym-Jomart Tokayev"@en , "Токаев"@ru .
wd:Q1 rdfs:label "Head of state of China (test fixture)"@en .
"""


class _SparqlHandler(BaseHTTPRequestHandler):
    store: ox.Store
    requests: list[str]

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(parse_qs(urlparse(self.path).query).get("query", [""])[0])

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            body = parse_qs(body).get("query", [""])[0]
        self._answer(body)

    def _answer(self, query: str) -> None:
        self.requests.append(query)
        data = self.store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def fake_wikidata():
    store = ox.Store()
    store.load(FAKE_WIKIDATA, format=ox.RdfFormat.TURTLE)
    handler = type("Handler", (_SparqlHandler,), {"store": store, "requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/sparql", handler.requests
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def federated_client(settings, store, fake_wikidata):
    from kzgraph.web import close_app, create_app

    url, _ = fake_wikidata
    app = create_app(settings.replace(workers=1, timeout=10.0, service_allowlist=(url,)), store=store)
    yield app.test_client()
    close_app(app)


def example(name: str, service: str) -> str:
    text = find_query(resources.queries_dir(Settings()), name).text
    assert WIKIDATA_SPARQL in text
    return text.replace(WIKIDATA_SPARQL, service)


def bindings(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [{k: v["value"] for k, v in row.items()} for row in response.get_json()["results"]["bindings"]]


def test_state_populations_join_the_graph_with_wikidata(federated_client, fake_wikidata):
    url, seen = fake_wikidata
    rows = bindings(federated_client.get("/sparql", query_string={"query": example("federated-state-populations", url)}))
    assert {(r["label"], r["population"]) for r in rows} == {("Kazakhstan", "1001"), ("Uzbekistan", "1002")}
    assert seen, "the stand-in was never called"


def test_heads_of_state_of_participating_states(federated_client, fake_wikidata):
    url, _ = fake_wikidata
    rows = bindings(federated_client.get("/sparql", query_string={"query": example("federated-heads-of-state", url)}))
    assert {(r["label"], r["headLabel"]) for r in rows} == {
        ("China", "Head of state of China (test fixture)"),  # at the China–Central Asia summit
        ("Kazakhstan", "Kassym-Jomart Tokayev"),  # at the SCO summit in Tianjin
    }


def test_default_allowlist_is_wikidata_only():
    assert Settings().service_allowlist == (WIKIDATA_SPARQL,)


def test_the_real_wikidata_is_refused_when_not_allowed(federated_client):
    query = example("federated-state-populations", WIKIDATA_SPARQL)
    response = federated_client.get("/sparql", query_string={"query": query})
    assert response.status_code == 403


def test_allowed_service_that_is_down_is_502(settings, store):
    from kzgraph.web import close_app, create_app

    down = "http://127.0.0.1:1/sparql"
    app = create_app(settings.replace(workers=1, service_allowlist=(down,)), store=store)
    try:
        response = app.test_client().get("/sparql", query_string={
            "query": f"SELECT * WHERE {{ SERVICE <{down}> {{ ?s ?p ?o }} }}"})
        assert response.status_code == 502
        assert response.get_data(as_text=True).startswith("502 Bad Gateway: the query failed while it ran:")
    finally:
        close_app(app)
