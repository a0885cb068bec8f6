"""The remote query client against real stores (Oxigraph's server and
Virtuoso, started on loopback, the shipped graph pushed into each): every
example query answers as on the embedded store; and against local servers
that cut answers short, drip them, or oversize them."""

from __future__ import annotations

import re
import time
from collections import Counter
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest
import requests
from stores import (  # noqa: F401  (fixtures)
    VIRTUOSO_PASSWORD,
    VIRTUOSO_USER,
    StoreServer,
    free_port,
    oxigraph_server,
    raw_server,
    recording_server,
    start_oxigraph,
    virtuoso_server,
)

from kzgraph import resources
from kzgraph.config import Settings
from kzgraph.errors import (
    QueryError,
    ResultTooLarge,
    ResultTruncated,
    StoreError,
    StoreRefused,
    StoreTimeout,
    StoreUnreachable,
)
from kzgraph.namespaces import DATA_GRAPH
from kzgraph.push import graphs_to_push, send_payloads, serialize_uploads
from kzgraph.queries import read_all_queries
from kzgraph.remote import VIRTUOSO_TIMEOUT, RemoteStore, TimeoutParameter, auth_from_env

pytestmark = pytest.mark.slow

XSD = "http://www.w3.org/2001/XMLSchema#"
# The two federated examples call Wikidata through SERVICE; tests never touch the internet.
QUERIES = [q for q in read_all_queries(resources.queries_dir(Settings())).values() if not q.name.startswith("federated-")]


def test_example_queries_are_found():
    assert len(QUERIES) >= 15


@pytest.fixture(scope="module", params=["oxigraph_server", "virtuoso_server"], ids=["oxigraph", "virtuoso"])
def pushed(request, settings, tmp_path_factory) -> StoreServer:
    """A store holding the shipped ontology, data and inferred triples, each in its named graph."""
    server: StoreServer = request.getfixturevalue(request.param)
    payloads = serialize_uploads(graphs_to_push(settings, inferred=True), tmp_path_factory.mktemp("push"))
    with requests.Session() as session:
        if server.env:
            session.auth = requests.auth.HTTPDigestAuth(VIRTUOSO_USER, VIRTUOSO_PASSWORD)
        send_payloads(session, server.graph_store_url, payloads, timeout=60)
    return server


def remote_for(server: StoreServer, **options) -> RemoteStore:
    options.setdefault("timeout", 30)
    options.setdefault("max_result_bytes", 10_000_000)
    if server.name == "virtuoso":
        options.setdefault("timeout_parameter", VIRTUOSO_TIMEOUT)
    return RemoteStore(server.query_url, **options)


# --- the answers, compared with the embedded store's ---------------------------------------


def json_term(term) -> dict[str, str]:
    """A pyoxigraph term in the SPARQL 1.1 JSON results form."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        out["datatype"] = term.datatype.value
    return out


def embedded_rows(store, text: str) -> list[dict[str, dict[str, str]]]:
    result = store.query(text)
    names = [v.value for v in result.variables]
    return [{n: json_term(row[n]) for n in names if row[n] is not None} for row in result]


def key(term: dict[str, str]) -> tuple:
    """A term as a comparable value; blank nodes all alike (their labels are the store's own)."""
    if term["type"] == "bnode":
        return ("bnode",)
    datatype = term.get("datatype")
    if datatype == XSD + "string" or "xml:lang" in term:
        datatype = None
    return (term["type"], term["value"], datatype, term.get("xml:lang"))


_CONCAT = re.compile(r'GROUP_CONCAT\s*\((?:DISTINCT\s+)?\?\w+\s*;\s*separator\s*=\s*"([^"]*)"\s*\)\s*AS\s+\?(\w+)',
                     re.IGNORECASE)


def _canonical_boolean(term: tuple) -> tuple:
    kind, value, datatype, lang = term
    if datatype == XSD + "boolean":
        value = {"1": "true", "0": "false"}.get(value, value)
    return (kind, value, datatype, lang)


def normalized(rows: list[dict], text: str, store_name: str) -> list[dict]:
    """Rows with what SPARQL leaves to each store evened out (said in docs/stores.md):

    - GROUP_CONCAT joins its values in no defined order: compare the sorted parts;
    - Virtuoso's GROUP_CONCAT drops the values' language tag, and gives "" for
      a group with no value, where Oxigraph leaves the variable unbound;
    - Virtuoso writes an xsd:boolean as "1" or "0", another lexical form of the
      same value: compare the canonical "true" and "false".
    """
    concat = {var: sep for sep, var in _CONCAT.findall(text)}
    out = []
    for row in rows:
        row = {name: _canonical_boolean(key(term)) for name, term in row.items()}
        for var, sep in concat.items():
            if var in row:
                kind, value, datatype, lang = row[var]
                if store_name == "virtuoso" or value == "":
                    lang = None
                row[var] = (kind, tuple(sorted(value.split(sep))), datatype, lang)
                if store_name == "virtuoso" and value == "":
                    del row[var]
        out.append(row)
    return out


def order_keys(rows: list[dict], text: str, store_name: str) -> list[tuple]:
    """The ORDER BY variables' values, row by row. Virtuoso 7.2 orders literals
    by their first 20 characters only (``ORDER BY STR(?x)`` orders them fully),
    so its order is checked on those."""
    clause = re.search(r"ORDER\s+BY(.*)$", text, re.IGNORECASE | re.DOTALL)
    names = re.findall(r"\?(\w+)", clause.group(1)) if clause else []
    width = 20 if store_name == "virtuoso" else None
    return [tuple((row.get(n) or ("",) * 2)[1][:width] for n in names) for row in rows]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_example_query_answers_as_on_the_embedded_store(pushed, store, query):
    with remote_for(pushed) as remote:
        got = remote.select(query.text)
    want = embedded_rows(store, query.text)
    assert want, f"{query.name} finds nothing on the embedded store"
    got_n, want_n = normalized(got, query.text, pushed.name), normalized(want, query.text, pushed.name)
    as_multiset = lambda rows: Counter(tuple(sorted(row.items())) for row in rows)  # noqa: E731
    assert as_multiset(got_n) == as_multiset(want_n)
    if re.search(r"ORDER\s+BY", query.text, re.IGNORECASE):
        assert order_keys(got_n, query.text, pushed.name) == order_keys(want_n, query.text, pushed.name)


def test_ask_answers_true_and_false(pushed):
    with remote_for(pushed) as remote:
        assert remote.ask("ASK { kzr:country-KAZ a kz:State }") is True
        assert remote.ask("ASK { kzr:country-KAZ a kz:Person }") is False


def test_select_rows_are_in_sparql_11_json_form(pushed, store):
    with remote_for(pushed) as remote:
        rows = remote.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{DATA_GRAPH}> {{ ?s ?p ?o }} }}")
    # Virtuoso writes SPARQL 1.0's "typed-literal"; the client gives the 1.1 form
    assert rows == [{"n": {"type": "literal", "datatype": XSD + "integer",
                           "value": str(sum(1 for _ in store.quads(DATA_GRAPH)))}}]


def test_select_refuses_an_ask_query(pushed):
    with remote_for(pushed) as remote, pytest.raises(QueryError, match="not a SELECT query"):
        remote.select("ASK { ?s ?p ?o }")


def test_graph_answer_comes_whole_with_its_media_type(pushed):
    with remote_for(pushed) as remote:
        body, media_type = remote.query("CONSTRUCT WHERE { kzr:country-KAZ a ?class }", accept="application/n-triples")
    assert media_type.startswith("application/n-triples") or media_type.startswith("text/plain")
    classes = {t.object.value for t in ox.parse(body, ox.RdfFormat.N_TRIPLES)}
    assert "https://w3id.org/kzgraph/ontology#State" in classes


def test_malformed_query_is_refused_with_the_status_and_the_stores_message(pushed):
    with remote_for(pushed) as remote, pytest.raises(StoreRefused) as caught:
        remote.select("SELECT * WHERE { ?s ?p }")
    assert caught.value.store_status == 400
    said = {"oxigraph": "expected one of", "virtuoso": "SP030: SPARQL compiler"}[pushed.name]
    assert said in str(caught.value) and "the store answered 400 Bad Request" in str(caught.value)


def test_virtuoso_partial_answer_at_its_time_limit_is_a_timeout(virtuoso_server):
    """Virtuoso answers 200 with a partial result when the ``timeout`` it was
    sent strikes, marked only by X-SQL-State: S1TAT; the client refuses it."""
    sent_one_fifth = TimeoutParameter("timeout", 200)  # 1 s to the store, within the client's own 5 s
    with remote_for(virtuoso_server, timeout=5.0, timeout_parameter=sent_one_fifth) as remote, \
            pytest.raises(StoreTimeout, match="partial answer"):
        remote.select("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")


def test_oxigraph_cancelled_answer_is_refused(tmp_path):
    """Oxigraph's server, when its --timeout-s strikes mid-answer, ends a 200
    answer with an error text inside intact HTTP framing; the client parses the
    answer and refuses it."""
    process, server = start_oxigraph(tmp_path, "--timeout-s", "1")
    try:
        data = "".join(f"<urn:s{i}> <urn:p> <urn:o{i}> .\n" for i in range(6)).encode()
        requests.put(server.graph_store_url + "?default", data=data,
                     headers={"Content-Type": "application/n-triples"}, timeout=10)
        heavy = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(10)) + " }"
        with RemoteStore(server.query_url, timeout=30, max_result_bytes=1_000_000) as remote:
            with pytest.raises(ResultTruncated, match="cancelled"):
                remote.select(heavy)
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- local servers that misbehave ----------------------------------------------------------

ANSWER = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"1"}}]}}'
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
CUT_SHORT = {
    "content-length-mismatch": HEAD + b"Content-Length: %d\r\n\r\n" % (len(ANSWER) + 40) + ANSWER,
    "connection-closed-mid-chunk": HEAD + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % len(ANSWER) + ANSWER[:30],
    "no-last-chunk": HEAD + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % len(ANSWER) + ANSWER + b"\r\n",
    "invalid-chunk-size": HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n" + ANSWER + b"\r\n0\r\n\r\n",
    "well-framed-but-incomplete": HEAD + b"Content-Length: 30\r\n\r\n" + ANSWER[:30],
}


def test_a_whole_answer_from_the_raw_server_is_accepted():
    url, stop = raw_server(HEAD + b"Content-Length: %d\r\n\r\n" % len(ANSWER) + ANSWER)
    try:
        assert RemoteStore(url, timeout=5, max_result_bytes=1000).select("SELECT ?x {}") == [
            {"x": {"type": "literal", "value": "1"}}]
    finally:
        stop()


@pytest.mark.parametrize("answer", CUT_SHORT.values(), ids=CUT_SHORT.keys())
def test_an_answer_cut_short_raises_and_returns_nothing(answer):
    url, stop = raw_server(answer)
    try:
        with pytest.raises(ResultTruncated):
            RemoteStore(url, timeout=5, max_result_bytes=1000).query("SELECT ?x {}", accept="application/sparql-results+json")
    finally:
        stop()


def test_an_answer_over_the_size_limit_is_stopped():
    url, stop = raw_server(HEAD + b"Content-Length: %d\r\n\r\n" % len(ANSWER) + ANSWER)
    try:
        with pytest.raises(ResultTooLarge, match="larger than 50 bytes"):
            RemoteStore(url, timeout=5, max_result_bytes=50).select("SELECT ?x {}")
    finally:
        stop()


def test_an_answer_that_drips_in_is_stopped_at_the_time_limit():
    def drip(conn):
        conn.sendall(HEAD + b"Content-Length: 100000\r\n\r\n")
        for _ in range(40):  # a byte every 0.25 s: no single wait is long, the whole answer is
            conn.sendall(b" ")
            time.sleep(0.25)

    url, stop = raw_server(drip)
    try:
        started = time.monotonic()
        with pytest.raises(StoreTimeout, match="longer than 1 s"):
            RemoteStore(url, timeout=1.0, max_result_bytes=1_000_000).select("SELECT ?x {}")
        assert time.monotonic() - started < 2.5
    finally:
        stop()


def test_a_store_that_never_answers_is_a_timeout():
    def silent(conn):
        time.sleep(3)

    url, stop = raw_server(silent)
    try:
        with pytest.raises(StoreTimeout):
            RemoteStore(url, timeout=0.5, max_result_bytes=1000).select("SELECT ?x {}")
    finally:
        stop()


def test_an_unreachable_store_is_named():
    port = free_port()
    with pytest.raises(StoreUnreachable, match=f"cannot reach the store at http://127.0.0.1:{port}/sparql: "
                                               "connection refused"):
        RemoteStore(f"http://127.0.0.1:{port}/sparql", timeout=5, max_result_bytes=1000).ask("ASK {}")


def test_the_request_carries_the_query_prefixes_dataset_and_time_limit(recording_server):
    server = recording_server(200, b'{"head":{},"boolean":true}', {"Content-Type": "application/sparql-results+json"})
    remote = RemoteStore(server.url + "/sparql", timeout=2.5, max_result_bytes=1000, timeout_parameter=VIRTUOSO_TIMEOUT)
    assert remote.query("ASK { kzr:a ?p ?o }", accept="application/sparql-results+json",
                        default_graphs=["urn:g1", "urn:g2"], named_graphs=["urn:n"])[0] == b'{"head":{},"boolean":true}'
    sent = server.requests[0]
    assert sent.method == "POST" and sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(sent.path.split("?", 1)[1]) == {"default-graph-uri": ["urn:g1", "urn:g2"],
                                                    "named-graph-uri": ["urn:n"], "timeout": ["2500"]}
    query = parse_qs(sent.body.decode())["query"][0]
    assert "PREFIX kzr: <https://w3id.org/kzgraph/resource/>" in query and query.endswith("ASK { kzr:a ?p ?o }")


def test_no_time_limit_parameter_unless_the_store_takes_one(recording_server):
    server = recording_server(200, b'{"head":{},"boolean":true}', {"Content-Type": "application/sparql-results+json"})
    assert RemoteStore(server.url + "/sparql", timeout=2, max_result_bytes=1000).ask("ASK {}") is True
    assert "?" not in server.requests[0].path


def test_credentials_come_from_the_environment_only():
    assert auth_from_env({}) is None
    with pytest.raises(StoreError, match="set both"):
        auth_from_env({"KZGRAPH_STORE_USER": "someone"})
    with pytest.raises(StoreError, match="not both"):
        auth_from_env({"KZGRAPH_STORE_USER": "u", "KZGRAPH_STORE_PASSWORD": "p", "KZGRAPH_STORE_TOKEN": "t"})
    with pytest.raises(StoreError, match="not in the URL"):
        RemoteStore("http://u:p@127.0.0.1:1/sparql", timeout=1, max_result_bytes=1)
