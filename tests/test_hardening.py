"""Faults that real clients found, and faults injected to see whether the suite notices them."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kzgraph.errors import MalformedQuery, Overloaded, QueryMemoryExceeded, ResultTooLarge
from kzgraph.backends import QueryJob
from kzgraph.backends.embedded import LimitedBuffer
from kzgraph.backends.pool import ProcessPoolBackend
from kzgraph.results import render_table

SELECT = "SELECT ?label WHERE { kzr:org-sco rdfs:label ?label }"
CONSTRUCT = "CONSTRUCT WHERE { kzr:org-sco rdfs:label ?label }"


# --- Accept with parameters -------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "accept", "expected"), [
    (SELECT, "application/sparql-results+json; charset=utf-8", "application/sparql-results+json"),
    (SELECT, "text/csv; header=present", "text/csv"),
    (SELECT, "application/sparql-results+json;version=1.2", "application/sparql-results+json"),
    (CONSTRUCT, "text/turtle; charset=utf-8", "text/turtle"),
    (CONSTRUCT, 'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"', "application/ld+json"),
    (CONSTRUCT, "application/n-triples;version=1.2", "application/n-triples"),
])
def test_accept_parameters_narrow_but_never_veto(client, query, accept, expected):
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == expected


@pytest.mark.parametrize("path", ["/resource/country-KAZ", "/.well-known/void", "/ontology",
                                  "/rdf-graph-store?default"])
def test_rdf_routes_accept_parameters(client, path):
    with client.get(path, headers={"Accept": "text/turtle; charset=utf-8"}) as response:
        assert response.status_code == 200
        assert response.mimetype == "text/turtle"


@pytest.mark.parametrize("path", ["/resource/country-KAZ", "/.well-known/void", "/ontology",
                                  "/rdf-graph-store?default", "/sparql?query=ASK%7B%7D"])
def test_unacceptable_accept_is_406_everywhere(client, path):
    response = client.get(path, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.get_data(as_text=True).startswith("406 Not Acceptable: no acceptable format")


# --- Long and deep queries -------------------------------------------------------------------------------

def _long_query(extra: str = "") -> str:
    patterns = " .\n".join(f'kzr:org-sco rdfs:label "SCO"@en' for _ in range(120))
    return f"{extra}SELECT ?s FROM <https://w3id.org/kzgraph/graph/data> WHERE {{ ?s a kz:State .\n{patterns} }} LIMIT 1"


@pytest.mark.parametrize("extra", ["", "# service\n"])
def test_a_long_valid_query_is_answered(client, extra):
    query = _long_query(extra)
    assert len(query) > 2300
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert len(response.json["results"]["bindings"]) == 1


def test_a_query_too_deep_for_any_parser_is_400_saying_so(client):
    query = "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400
    assert "nested more than 100 levels deep" in response.get_data(as_text=True)


# --- Protocol --------------------------------------------------------------------------------------------

def test_get_with_a_body_is_400(client):
    response = client.get("/sparql", query_string={"query": "ASK {}"}, data="ASK {}",
                          content_type="application/sparql-query")
    assert response.status_code == 400
    assert "GET request carries no body" in response.get_data(as_text=True)


@pytest.mark.parametrize("how", [{"query_string": {"format": "json"}}, {"headers": {"Accept": "application/json"}}])
def test_json_for_a_graph_means_json_ld(client, how):
    query_string = {"query": CONSTRUCT, **how.get("query_string", {})}
    response = client.get("/sparql", query_string=query_string, headers=how.get("headers", {}))
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    document = json.loads(response.data)
    assert "Shanghai Cooperation Organisation" in json.dumps(document) or "SCO" in json.dumps(document)


def test_update_next_to_a_query_is_refused(client):
    response = client.post("/sparql", data={"query": "ASK {}", "update": "DROP ALL"})
    assert response.status_code == 403


def test_an_escaped_update_is_refused_as_an_update(client):
    response = client.get("/sparql", query_string={"query": "\\u0049NSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    assert response.status_code == 403
    assert "read-only" in response.get_data(as_text=True)


def test_every_answer_varies_on_accept(client):
    for response in (client.get("/sparql", query_string={"query": SELECT}),
                     client.get("/resource/country-KAZ", headers={"Accept": "text/turtle"}),
                     client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "image/png"})):
        assert "Accept" in response.vary


# --- Parser messages -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "message"), [
    ("SELECT * WHERE { ?s foo:bar ?o }",
     "400 Bad Request: malformed query: line 1, column 21: unknown prefix foo: (known prefixes: dcterms:, kz:, "
     "kzr:, kzsh:, org:, owl:, prov:, rdf:, rdfs:, schema:, sh:, skos:, void:, wd:, wdt:, xsd:)\n"),
    ("SELEC * WHERE { ?s ?p ?o }",
     "400 Bad Request: malformed query: line 1, column 1: expected SELECT, CONSTRUCT, DESCRIBE or ASK, found 'SELEC'\n"),
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  ?o ?q ?r .\n  FILTER(?o > )\n}\n\n",
     "400 Bad Request: malformed query: line 4, column 13: missing operand after '>'\n"),
    ("SELECT * WHERE { ?s ?p ?o ",
     "400 Bad Request: malformed query: line 1, column 16: '{' is never closed\n"),
])
def test_parser_messages_are_short_and_placed(client, query, message):
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert response.get_data(as_text=True) == message


# --- SERVICE allowlist, whatever the spelling: nothing may reach a forbidden endpoint ------------------------

class _Recorder(BaseHTTPRequestHandler):
    received: list[str] = []

    def do_GET(self):  # noqa: N802
        self.received.append(self.path)
        self.send_response(500)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def forbidden_endpoint():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", _Recorder.received
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("spelling", [
    "service <{url}>", "SERVICE SILENT <{url}>", "\\u0053ERVICE <{url}>", "SeRvIcE silent <{url}>",
    "SERVICE ex:sparql",
])
def test_no_spelling_of_service_escapes_the_allowlist(client, forbidden_endpoint, spelling):
    url, received = forbidden_endpoint
    query = f"PREFIX ex: <{url.rsplit('/', 1)[0]}/> SELECT * WHERE {{ {spelling.format(url=url)} {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 403, response.get_data(as_text=True)
    assert received == [], "the forbidden endpoint was contacted"


# --- Limits ----------------------------------------------------------------------------------------------

def test_the_result_size_limit_counts_every_write():
    buffer = LimitedBuffer(100)
    buffer.write(b"x" * 60)
    with pytest.raises(ResultTooLarge):
        buffer.write(b"x" * 60)


def test_a_query_that_grows_past_the_memory_limit_is_stopped_and_the_pool_recovers(store):
    executor = ProcessPoolBackend(store, workers=1, timeout=20, max_query_memory=300_000_000)
    try:
        hog = "SELECT ?a ?d ?c ?f WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"  # sorts 13M rows
        with pytest.raises(QueryMemoryExceeded, match="more than 300,000,000 bytes"):
            executor.run(QueryJob(hog))
        answer = executor.run(QueryJob("ASK { kzr:org-sco ?p ?o }", "application/sparql-results+json"))
        assert answer.body == b'{"head":{},"boolean":true}'
    finally:
        executor.close()


def test_a_full_queue_is_refused_at_once_with_retry_after(store, app):
    executor = ProcessPoolBackend(store, workers=1, timeout=3, max_queue=0)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    try:
        outcomes: list[Exception] = []

        def run_slow() -> None:
            try:
                executor.run(QueryJob(slow))
            except Exception as exc:  # the time limit stops it
                outcomes.append(exc)

        runner = threading.Thread(target=run_slow)
        runner.start()
        deadline = threading.Event()
        while executor._in_flight == 0 and not deadline.wait(0.01):
            pass
        with pytest.raises(Overloaded) as caught:
            executor.run(QueryJob("ASK {}"))
        assert caught.value.status == 503 and caught.value.headers == {"Retry-After": "1"}
        runner.join()
        assert [type(e).__name__ for e in outcomes] == ["QueryTimeout"]
    finally:
        executor.close()
    with app.test_request_context():
        from kzgraph.web import error_response
        response = error_response(caught.value.status, str(caught.value), caught.value.headers)
    assert response.headers["Retry-After"] == "1"


# --- The command line ------------------------------------------------------------------------------------

def test_a_long_one_line_query_is_run_not_taken_for_a_file_name(run_cli):
    query = "SELECT ?label WHERE { kzr:org-sco rdfs:label ?label " + " ".join(["FILTER(true)"] * 40) + " }"
    code, out, err = run_cli("query", query)
    assert (code, err) == (0, "")
    assert "SCO" in out


def test_a_service_that_fails_under_the_cli_exits_2_with_a_message(run_cli):
    code, out, err = run_cli("query", "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")
    assert code == 2
    assert err.startswith("kzgraph: the query failed while it ran:")
    assert "Traceback" not in err


def test_table_cells_keep_one_line(store):
    result = store.query('SELECT ?text WHERE { BIND("two\\nlines\\tand a tab" AS ?text) }')
    assert render_table(result).splitlines() == ["text", "-" * len("two\\nlines\\tand a tab"),
                                                  "two\\nlines\\tand a tab", "(1 row)"]


def test_analysis_errors_survive_the_trip_from_a_query_process():
    import pickle

    error = pickle.loads(pickle.dumps(MalformedQuery("unexpected '}'", 3, 7)))
    assert (str(error), error.line, error.column) == ("malformed query: line 3, column 7: unexpected '}'", 3, 7)


# --- Dataset parameters ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "value", "reason"), [
    ("default-graph-uri", "not an iri", "Invalid IRI code point ' '"),
    ("default-graph-uri", "", "No scheme found in an absolute IRI"),
    ("named-graph-uri", "relative", "No scheme found in an absolute IRI"),
    ("named-graph-uri", "http://%zz/", "Invalid IRI percent encoding '%zz'"),
])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_graph_parameter_that_is_no_iri_is_400_naming_it(client, method, name, value, reason):
    params = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", name: value}
    if method == "get":
        response = client.get("/sparql", query_string=params)
    else:
        response = client.post("/sparql", data=params)
    assert response.status_code == 400
    assert response.get_data(as_text=True) == (
        f"400 Bad Request: {name} must be an absolute IRI, not {value!r} ({reason})\n")


# --- Protocol details ------------------------------------------------------------------------------------

ASK = "ASK { kzr:org-sco ?p ?o }"
ASK_TRUE = b'{"head":{},"boolean":true}'


@pytest.mark.parametrize("kwargs", [{"data": ASK, "content_type": "application/sparql-query"},
                                    {"headers": {"Transfer-Encoding": "chunked"}}], ids=["body", "chunked"])
def test_a_get_with_a_body_is_400_saying_where_the_query_goes(client, kwargs):
    response = client.get("/sparql", query_string={"query": ASK}, **kwargs)
    assert response.status_code == 400
    assert response.get_data(as_text=True) == (
        "400 Bad Request: a GET request carries no body: put the query in the URL, or POST it\n")


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8", "UTF8"])
def test_every_spelling_of_utf8_is_accepted(client, charset):
    response = client.post("/sparql", data=ASK.encode("utf-8"), headers={"Accept": "application/sparql-results+json"},
                           content_type=f"application/sparql-query; charset={charset}")
    assert (response.status_code, response.data) == (200, ASK_TRUE)


def test_a_form_post_with_the_query_in_the_url_and_in_the_body_is_400(client):
    response = client.post("/sparql", query_string={"query": ASK}, data={"query": ASK})
    assert response.status_code == 400
    assert response.get_data(as_text=True) == (
        "400 Bad Request: give the query either in the URL or in the body, not both\n")


def test_a_form_post_may_take_the_query_from_the_url_and_other_parameters_from_the_body(client):
    response = client.post("/sparql", query_string={"query": ASK}, data={"format": "xml"})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+xml"
    assert b"<boolean>true</boolean>" in response.data


def test_the_result_size_limit_of_the_settings_reaches_the_query_process(app, client, monkeypatch):
    from dataclasses import replace

    from kzgraph.web.state import EXTENSION

    kg = app.extensions[EXTENSION]
    monkeypatch.setitem(app.extensions, EXTENSION, replace(kg, settings=kg.settings.replace(max_result_bytes=100)))
    response = client.get("/sparql", query_string={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 50"})
    assert response.status_code == 503
    assert response.get_data(as_text=True) == (
        "503 Service Unavailable: the result is larger than 100 bytes; add a LIMIT\n")


def test_a_direct_post_with_a_query_in_the_url_is_400(client):
    response = client.post("/sparql", query_string={"query": ASK}, data=ASK, content_type="application/sparql-query")
    assert response.status_code == 400
    assert response.get_data(as_text=True) == (
        "400 Bad Request: a direct POST carries the query in its body, not in the URL\n")


@pytest.mark.parametrize(("url", "request_kwargs", "message"), [
    ("/sparql", {"method": "POST", "data": b"ASK { ?s ?p \xff }", "content_type": "application/sparql-query"},
     "the query is not valid UTF-8"),
    ("/sparql", {"method": "POST", "data": b"query=ASK%20%7B%7D%FF", "content_type": "application/x-www-form-urlencoded"},
     "the request is not valid UTF-8"),
    ("/sparql?query=ASK%20%7B%7D%FF", {"method": "GET"}, "the request is not valid UTF-8"),
], ids=["direct", "form", "url"])
def test_invalid_utf8_is_400_saying_so(client, url, request_kwargs, message):
    response = client.open(url, **request_kwargs)
    assert response.status_code == 400
    assert response.get_data(as_text=True) == f"400 Bad Request: {message}\n"


def test_a_query_answer_varies_on_accept_exactly_once(client):
    response = client.get("/sparql", query_string={"query": ASK})
    assert response.status_code == 200
    assert response.headers.get_all("Vary") == ["Accept"]
