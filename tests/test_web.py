"""The endpoint under hostile input and load, and its downloads and pages.

Each test makes one request (or one bounded burst) and asserts the status,
the message and, where it matters, that the graph is unchanged.
"""

from __future__ import annotations

import concurrent.futures
import json
import time

import pyoxigraph as ox
import pytest
import requests

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(client) -> int:
    response = client.get("/sparql", query_string={"query": COUNT})
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


def test_select_as_json_by_default(client):
    response = client.get("/sparql", query_string={"query": "SELECT ?l WHERE { kzr:org-sco rdfs:label ?l }"})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert response.get_json()["results"]["bindings"] == [{"l": {"type": "literal", "value": "SCO", "xml:lang": "en"}}]


@pytest.mark.parametrize(
    ("accept", "mimetype", "fragment"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml", "<literal xml:lang=\"en\">SCO</literal>"),
        ("text/csv", "text/csv", "l\r\nSCO\r\n"),
        ("text/tab-separated-values", "text/tab-separated-values", '?l\n"SCO"@en\n'),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml", "SCO"),
    ],
)
def test_select_negotiates_result_formats(client, accept, mimetype, fragment):
    response = client.get("/sparql", query_string={"query": "SELECT ?l WHERE { kzr:org-sco rdfs:label ?l }"},
                          headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert fragment in response.get_data(as_text=True)


def test_select_is_negotiated_among_result_formats_only(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"},
                          headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
     ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
     ("application/n-quads", ox.RdfFormat.N_QUADS), ("application/trig", ox.RdfFormat.TRIG)],
)
def test_construct_in_every_rdf_format(client, accept, fmt):
    response = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { kzr:org-sco rdfs:label ?l }"},
                          headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    triples = [(q.subject.value, q.predicate.value, q.object.value) for q in ox.parse(response.data, format=fmt)]
    assert triples == [("https://w3id.org/kzgraph/resource/org-sco", "http://www.w3.org/2000/01/rdf-schema#label", "SCO")]


def test_format_parameter_wins_over_accept(client):
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "format": "xml"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.mimetype == "application/sparql-results+xml"
    assert "<boolean>true</boolean>" in response.get_data(as_text=True)


def test_unknown_parameters_are_ignored(client):
    response = client.get("/sparql", query_string={"query": "ASK { kzr:country-KAZ a kz:State }", "foo": "bar"})
    assert response.get_json() == {"head": {}, "boolean": True}


def test_406_names_what_can_be_produced(client):
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.get_data(as_text=True).startswith(
        "406 Not Acceptable: no acceptable format for this SELECT or ASK result; acceptable: "
        "application/sparql-results+json, application/sparql-results+xml, text/csv, text/tab-separated-values")


def test_malformed_query_is_400_with_the_parser_message(client):
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x ?p }"})
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "400 Bad Request: malformed query: line 1, column 25: unexpected '}' (expected one of LATERAL, SERVICE)\n"


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("post", {"data": {"update": "CLEAR ALL"}}),
        ("post", {"data": "DROP ALL", "content_type": "application/sparql-update"}),
        ("post", {"data": "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "content_type": "application/sparql-query"}),
        ("get", {"query_string": {"query": "DELETE WHERE { ?s ?p ?o }"}}),
        ("get", {"query_string": {"query": "LOAD <file:///etc/passwd>"}}),
    ],
    ids=["update-parameter", "sparql-update-body", "update-as-direct-query", "update-as-get-query", "load"],
)
def test_updates_are_refused_and_the_graph_is_unchanged(client, method, kwargs):
    before = count(client)
    response = getattr(client, method)("/sparql", **kwargs)
    assert response.status_code == 403
    assert "read-only" in response.get_data(as_text=True)
    assert count(client) == before


def test_from_never_fetches_anything(client):
    response = client.get("/sparql", query_string={"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.get_json()["results"]["bindings"] == []


def test_from_names_a_graph_of_the_store(client):
    query = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/kzgraph/graph/ontology> WHERE { ?s a kz:State }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.get_json()["results"]["bindings"][0]["n"]["value"] == "0"


def test_service_outside_the_allowlist_is_refused(client):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "SERVICE <http://127.0.0.1:1/sparql> is not allowed" in text
    assert "https://query.wikidata.org/sparql" in text


def test_service_with_a_variable_endpoint_is_refused(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }"})
    assert response.status_code == 403
    assert "SERVICE ?x is not allowed" in response.get_data(as_text=True)


def test_service_hidden_behind_an_escape_is_refused(client):
    query = "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:1/x> { ?s ?p ?o } }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 403
    assert "SERVICE <http://127.0.0.1:1/x> is not allowed" in response.get_data(as_text=True)


def test_body_larger_than_the_limit_is_413(client, app):
    limit = app.extensions["kzgraph"].settings.max_body_bytes
    query = "ASK { ?s ?p ?o }" + " " * limit
    response = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        ({"data": "ASK {}", "content_type": "text/plain"}, 415, "unsupported Content-Type 'text/plain'"),
        ({"data": "ASK {}", "content_type": "application/sparql-query; charset=ISO-8859-1"}, 415, "must be UTF-8"),
        ({"data": b"ASK { ?s ?p \xff }", "content_type": "application/sparql-query"}, 400, "not valid UTF-8"),
        ({"data": "query=ASK%20%7B%7D%FF", "content_type": "application/x-www-form-urlencoded"}, 400, "not valid UTF-8"),
    ],
    ids=["wrong-content-type", "non-utf8-charset", "invalid-utf8-direct", "invalid-utf8-form"],
)
def test_bad_bodies_are_4xx_with_a_message(client, kwargs, status, message):
    response = client.post("/sparql", **kwargs)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_invalid_utf8_in_the_url_is_400(client):
    response = client.get("/sparql?query=ASK%20%7B%7D%FF")
    assert response.status_code == 400


def test_two_query_parameters_are_400(client):
    response = client.get("/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D")
    assert response.status_code == 400
    assert "exactly one 'query'" in response.get_data(as_text=True)


def test_runaway_query_is_stopped_with_503_and_the_server_stays_healthy(client, app):
    limit = app.extensions["kzgraph"].settings.timeout
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": RUNAWAY})
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert f"stopped after {limit:g} s" in response.get_data(as_text=True)
    assert elapsed < limit + 5  # stopped, not run to the end (it would take hours)
    assert client.get("/health").get_json()["status"] == "ok"
    assert count(client) > 3000


def test_result_larger_than_the_limit_is_stopped(settings, store):
    from kzgraph.web import close_app, create_app

    small = create_app(settings.replace(workers=1, max_result_bytes=2_000), store=store)
    try:
        response = small.test_client().get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert response.status_code == 503
        assert "larger than 2,000 bytes" in response.get_data(as_text=True)
    finally:
        close_app(small)


def test_other_clients_are_served_while_a_runaway_query_runs(live_server):
    """8 concurrent clients, one of them running away: the others all get answers."""
    def ask(i: int) -> tuple[int, str]:
        query = RUNAWAY if i == 0 else f"SELECT ?l WHERE {{ kzr:org-sco rdfs:label ?l }} LIMIT {i}"
        response = requests.get(f"{live_server}/sparql", params={"query": query}, timeout=30)
        return response.status_code, response.text

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(ask, range(8)))
    assert results[0][0] == 503
    for status, body in results[1:]:
        assert status == 200
        assert json.loads(body)["results"]["bindings"][0]["l"]["value"] == "SCO"


def test_eight_concurrent_clients_get_correct_answers_without_error(live_server):
    queries = {
        "SELECT (COUNT(*) AS ?n) WHERE { ?p a kz:Proposal }": "19",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s kz:proposedAt kzr:event-2025-sco-summit-tianjin }": "4",
    }

    def ask(i: int) -> tuple[str, int, str]:
        query = list(queries)[i % 2]
        response = requests.post(f"{live_server}/sparql", data=query, timeout=30,
                                 headers={"Content-Type": "application/sparql-query"})
        return query, response.status_code, response.json()["results"]["bindings"][0]["n"]["value"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(ask, range(32)))
    assert all(status == 200 and value == queries[query] for query, status, value in results)


def test_cors_lets_browser_tools_query(client):
    response = client.options("/sparql", headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    response = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_health(client):
    body = client.get("/health").get_json()
    assert body["status"] == "ok"
    assert body["graphs"] == ["https://w3id.org/kzgraph/graph/data", "https://w3id.org/kzgraph/graph/dates",
                              "https://w3id.org/kzgraph/graph/inferred", "https://w3id.org/kzgraph/graph/ontology",
                              "https://w3id.org/kzgraph/graph/reference"]


def test_service_description_in_turtle(client, store):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    description = ox.Store()
    description.load(response.data, format=ox.RdfFormat.TURTLE)
    sd = "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> PREFIX void: <http://rdfs.org/ns/void#> "
    assert description.query(sd + "ASK { <http://localhost/sparql> sd:endpoint <http://localhost/sparql> ; "
                             "sd:supportedLanguage sd:SPARQL11Query }")
    sizes = {row["name"].value: int(row["n"].value) for row in description.query(
        sd + "SELECT ?name ?n WHERE { [] sd:namedGraph [ sd:name ?name ; sd:graph [ void:triples ?n ] ] }")}
    assert sizes == {name: len(list(store.quads(name))) for name in store.graph_names()}


def test_query_page_for_browsers(client):
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.mimetype == "text/html"
    assert "Proposals Kazakhstan tabled at the SCO summit in Tianjin" in response.get_data(as_text=True)


def test_void_description(client, store):
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    store_void = ox.Store()
    store_void.load(response.data, format=ox.RdfFormat.TURTLE)
    row = list(store_void.query("""PREFIX void: <http://rdfs.org/ns/void#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?triples ?endpoint ?dump ?license (COUNT(DISTINCT ?source) AS ?sources) WHERE {
          <https://w3id.org/kzgraph/dataset> void:triples ?triples ; void:sparqlEndpoint ?endpoint ;
            void:dataDump ?dump ; dcterms:license ?license ; dcterms:source ?source ; void:classes ?c ;
            void:properties ?p ; void:entities ?e .
        } GROUP BY ?triples ?endpoint ?dump ?license"""))[0]
    assert int(row["triples"].value) == len(store)
    assert row["endpoint"].value == "http://localhost/sparql"
    assert row["dump"].value == "http://localhost/rdf-graph-store?default"
    assert row["sources"].value == "2"


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "xml", "nquads", "trig"])
def test_graph_store_download_of_a_named_graph(client, store, fmt):
    graph = "https://w3id.org/kzgraph/graph/data"
    from kzgraph.formats import Kind, find
    from kzgraph.results import engine_format

    with client.get("/rdf-graph-store", query_string={"graph": graph, "format": fmt}) as response:
        data = response.get_data()
    assert response.status_code == 200
    from werkzeug.http import parse_options_header

    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert (disposition, options["filename"]) == ("attachment", f"kzgraph-data.{find(fmt, Kind.DATASET).extension}")
    parsed = list(ox.parse(data, format=engine_format(find(fmt, Kind.DATASET))))
    assert len(parsed) == len(list(store.quads(graph)))


def test_graph_store_default_graph_is_the_whole_dataset(client, store):
    with client.get("/rdf-graph-store?default", headers={"Accept": "application/n-quads"}) as response:
        response.get_data()
    assert response.status_code == 200
    assert len(list(ox.parse(response.data, format=ox.RdfFormat.N_QUADS))) == len(store)


def test_graph_store_unknown_graph_is_404(client):
    response = client.get("/rdf-graph-store", query_string={"graph": "https://example.org/nothing"})
    assert response.status_code == 404


def test_graph_store_is_read_only(client):
    response = client.put("/rdf-graph-store?default", data="<urn:a> <urn:b> <urn:c> .", content_type="text/turtle")
    assert response.status_code == 405


def test_resource_iri_dereferences_to_rdf(client):
    response = client.get("/resource/proposal-2025-sco-investment-office", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    triples = {(t.predicate.value, t.object.value) for t in ox.parse(response.data, format=ox.RdfFormat.TURTLE)}
    assert ("https://w3id.org/kzgraph/ontology#location", "https://w3id.org/kzgraph/resource/org-aifc") in triples
    assert ("https://w3id.org/kzgraph/ontology#quote", "establishing an SCO investment office at the AIFC") in triples


def test_resource_page_for_browsers_shows_labels_and_quotes(client):
    response = client.get("/resource/proposal-2025-sco-investment-office", headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Establishing an SCO investment office at the AIFC</h1>" in page
    assert "establishing an SCO investment office at the AIFC" in page
    assert 'href="/resource/org-aifc"' in page


def test_unknown_resource_is_404(client):
    assert client.get("/resource/no-such-thing", headers={"Accept": "text/turtle"}).status_code == 404


def test_a_resource_path_that_is_no_iri_is_404(client):
    response = client.get("/resource/a%20b%3E", headers={"Accept": "text/turtle"})
    assert response.status_code == 404


def test_closing_stops_the_query_processes_and_is_idempotent(store):
    from kzgraph.backends import QueryJob
    from kzgraph.backends.pool import ProcessPoolBackend

    backend = ProcessPoolBackend(store, workers=1, timeout=5)
    job = QueryJob("ASK { kzr:org-sco ?p ?o }", "application/sparql-results+json")
    assert backend.run(job).body == b'{"head":{},"boolean":true}'
    backend.close()
    backend.close()  # a second close is harmless
    with pytest.raises(RuntimeError):
        backend.run(job)
