"""``kzgraph push``: the graphs land in real stores (Oxigraph's server and
Virtuoso, started on loopback), pushing twice replaces, a dry run sends
nothing, and every failure exits 2 with a message that says what happened and
never shows the password."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import requests
from stores import (  # noqa: F401  (fixtures)
    VIRTUOSO_PASSWORD,
    VIRTUOSO_USER,
    CuttingProxy,
    StoreServer,
    any_store,
    free_port,
    oxigraph_server,
    recording_server,
    start_oxigraph,
    virtuoso_server,
)

from kzgraph.namespaces import DATA_GRAPH, DATES_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH
from kzgraph.remote import RemoteStore

pytestmark = pytest.mark.slow

GRAPHS = (ONTOLOGY_GRAPH, DATA_GRAPH, DATES_GRAPH, REFERENCE_GRAPH, INFERRED_GRAPH)  # the others in graph-name order
PASSWORD = "kz-s3cret-Pa55word"


def push_args(server: StoreServer, *extra: str, graph_store: str | None = None) -> tuple[str, ...]:
    return ("push", server.query_url, "--graph-store", graph_store or server.graph_store_url,
            *server.push_options, *extra)


def count(server: StoreServer, graph: str) -> int:
    with RemoteStore(server.query_url, timeout=30, max_result_bytes=10_000_000) as remote:
        rows = remote.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"]["value"])


def expected(store, graph: str) -> int:
    return sum(1 for _ in store.quads(graph))


@pytest.fixture
def credentials(monkeypatch):
    """Put a store's credentials into the environment, where push reads them."""

    def use(server: StoreServer) -> None:
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)

    return use


def test_push_replaces_each_named_graph(any_store, run_cli, store, credentials):
    credentials(any_store)
    code, out, err = run_cli(*push_args(any_store, "--inferred"))
    assert code == 0, err
    for graph in GRAPHS:
        assert count(any_store, graph) == expected(store, graph) > 0
        assert f"<{graph}>: the store holds {expected(store, graph):,} triples, as sent" in out


def test_pushing_twice_replaces_and_never_duplicates(any_store, run_cli, store, credentials):
    credentials(any_store)
    for graph in GRAPHS:
        put_marker(any_store, graph)  # what was there before goes: the graph is replaced, not added to
    counts = []
    for _ in range(2):
        code, _, err = run_cli(*push_args(any_store, "--inferred"))
        assert code == 0, err
        counts.append([count(any_store, graph) for graph in GRAPHS])
    assert counts[0] == counts[1] == [expected(store, graph) for graph in GRAPHS]


def test_pushed_data_graph_holds_exactly_the_shipped_triples(oxigraph_server, run_cli, store):
    code, _, err = run_cli(*push_args(oxigraph_server))
    assert code == 0, err
    answer = requests.get(oxigraph_server.graph_store_url, params={"graph": DATA_GRAPH},
                          headers={"Accept": "application/n-triples"}, timeout=30)
    got = [q.triple for q in ox.parse(answer.content, ox.RdfFormat.N_TRIPLES)]
    want = [q.triple for q in store.quads(DATA_GRAPH)]

    def named(triples):  # blank nodes get new labels in the store: compare the rest exactly
        return {t for t in triples if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}

    assert len(got) == len(want)
    assert named(got) == named(want) and len(named(want)) > 800


def test_push_into_the_default_graph(tmp_path, run_cli, store):
    process, server = start_oxigraph(tmp_path)  # a store of its own: its default graph is not a union
    try:
        code, out, err = run_cli(*push_args(server, "--default-graph"))
        assert code == 0, err
        answer = requests.get(server.graph_store_url + "?default", headers={"Accept": "application/n-triples"},
                              timeout=30)
        triples = list(ox.parse(answer.content, ox.RdfFormat.N_TRIPLES))
        assert len(triples) == sum(expected(store, g) for g in (ONTOLOGY_GRAPH, DATA_GRAPH, REFERENCE_GRAPH, DATES_GRAPH))
        assert count(server, DATA_GRAPH) == 0
        assert "the default graph" in out
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_dry_run_says_what_it_would_send_and_sends_nothing(recording_server, run_cli, store, monkeypatch):
    monkeypatch.setenv("KZGRAPH_STORE_USER", "someone")
    monkeypatch.setenv("KZGRAPH_STORE_PASSWORD", PASSWORD)
    server = recording_server(200)
    code, out, err = run_cli("push", server.url + "/sparql", "--inferred", "--dry-run")
    assert code == 0, err
    assert server.requests == []
    lines = out.splitlines()
    assert lines[-1] == "dry run: nothing was sent"
    for line, graph in zip(lines, GRAPHS):
        assert line.startswith(f"PUT {server.url}/sparql?graph={quote(graph, safe='')}  ")
        assert f"<{graph}>: {expected(store, graph):,} triples, " in line
        assert "bytes of application/n-triples" in line
    assert len(lines) == len(GRAPHS) + 1
    assert PASSWORD not in out + err


def test_unreachable_store_exits_2(run_cli):
    port = free_port()
    code, out, err = run_cli("push", f"http://127.0.0.1:{port}/sparql")
    assert code == 2
    assert err == f"kzgraph: cannot reach the store at http://127.0.0.1:{port}/sparql: connection refused\n"


def test_refused_credentials_exit_2_without_the_password(recording_server, run_cli, monkeypatch):
    monkeypatch.setenv("KZGRAPH_STORE_USER", "someone")
    monkeypatch.setenv("KZGRAPH_STORE_PASSWORD", PASSWORD)
    server = recording_server(401, b"Unauthorized", {"WWW-Authenticate": 'Basic realm="store"'})
    code, out, err = run_cli("push", server.url + "/sparql")
    assert code == 2
    assert "the store answered 401" in err and "check the credentials" in err
    assert PASSWORD not in out + err
    # the credentials went out (from the environment), and no graph was sent
    assert [r.method for r in server.requests] == ["HEAD"]
    sent = server.requests[0].headers["Authorization"]
    assert base64.b64decode(sent.removeprefix("Basic ")).decode() == f"someone:{PASSWORD}"


def test_virtuoso_refuses_a_wrong_password_with_401(virtuoso_server, run_cli, monkeypatch):
    monkeypatch.setenv("KZGRAPH_STORE_USER", VIRTUOSO_USER)
    monkeypatch.setenv("KZGRAPH_STORE_PASSWORD", PASSWORD)
    code, out, err = run_cli(*push_args(virtuoso_server))
    assert code == 2
    assert "the store answered 401 Unauthorized" in err
    assert PASSWORD not in out + err


def test_virtuoso_refuses_the_unauthenticated_graph_store(virtuoso_server, run_cli):
    crud = virtuoso_server.graph_store_url.removesuffix("-auth")
    code, _, err = run_cli(*push_args(virtuoso_server, graph_store=crud))
    assert code == 2
    assert "the store answered 403 Forbidden" in err and "Permission denied" in err
    assert "replaced: none" in err


def test_bearer_token_is_sent_and_never_shown(recording_server, run_cli, monkeypatch):
    monkeypatch.setenv("KZGRAPH_STORE_TOKEN", PASSWORD)
    server = recording_server(403, b"token expired")
    code, out, err = run_cli("push", server.url + "/sparql")
    assert code == 2
    assert "the store answered 403 Forbidden" in err  # to the HEAD that checks access: no body to show
    assert server.requests[0].headers["Authorization"] == f"Bearer {PASSWORD}"
    assert PASSWORD not in out + err


def test_credentials_in_the_url_are_refused_unshown(run_cli):
    code, out, err = run_cli("push", f"http://someone:{PASSWORD}@127.0.0.1:1/sparql")
    assert code == 2
    assert "not in the URL" in err
    assert PASSWORD not in out + err


def test_refused_request_shows_the_status_and_the_stores_message(recording_server, run_cli):
    page = b"<html><head><title>Error</title></head><body><h1>Request Entity Too Large</h1>" \
           b"<p>The limit is 100 kB.</p></body></html>"
    server = recording_server(413, page, {"Content-Type": "text/html"})
    code, _, err = run_cli("push", server.url + "/sparql")
    assert code == 2
    assert "the store answered 413 Request Entity Too Large: Request Entity Too Large The limit is 100 kB." in err
    assert f"replaced: none; <{ONTOLOGY_GRAPH}>: left as it was (the store refused it)" in err


def put_marker(server: StoreServer, graph: str) -> None:
    """Replace ``graph`` with one marker triple, so that a later push shows whether it replaced it."""
    auth = requests.auth.HTTPDigestAuth(VIRTUOSO_USER, VIRTUOSO_PASSWORD) if server.env else None
    answer = requests.put(server.graph_store_url, params={"graph": graph}, auth=auth, timeout=30,
                          data=f"<urn:marker> <urn:in> <{graph}> .\n".encode(),
                          headers={"Content-Type": "application/n-triples"})
    assert answer.status_code < 300, answer.text


@pytest.mark.parametrize("mode", ["cut", "refuse"])
def test_failure_in_the_middle_replaces_the_first_graphs_and_says_so(any_store, run_cli, store, credentials,
                                                                    mode):
    """The second PUT of three fails: with ``cut`` the connection breaks half-way
    through its body (the store gets half a graph), with ``refuse`` the store
    answers 503. The first graph is replaced, the others keep their old content."""
    credentials(any_store)
    for graph in GRAPHS:
        put_marker(any_store, graph)
    path = "/" + any_store.graph_store_url.split("/", 3)[3]
    proxy = CuttingProxy(any_store.port, cut_at=2, mode=mode)
    try:
        code, out, err = run_cli(*push_args(any_store, "--inferred", graph_store=proxy.url(path)))
    finally:
        proxy.close()
    assert code == 2
    assert count(any_store, ONTOLOGY_GRAPH) == expected(store, ONTOLOGY_GRAPH)
    assert count(any_store, DATA_GRAPH) == 1  # the marker: left as it was
    assert all(count(any_store, graph) == 1 for graph in GRAPHS[2:])
    assert out == f"<{ONTOLOGY_GRAPH}>: {expected(store, ONTOLOGY_GRAPH):,} triples (ontology) replaced, " \
                  f"the store answered {out.split('answered ')[1].strip()}\n"
    assert f"kzgraph: push stopped at <{DATA_GRAPH}>: " in err
    assert f"replaced: <{ONTOLOGY_GRAPH}>; <{DATA_GRAPH}>: " in err
    left = ", ".join(f"<{graph}>" for graph in GRAPHS[2:])
    assert f"not sent, left as they were: {left}; run the push again to finish it" in err
    if mode == "refuse":
        assert "the store answered 503 Service Unavailable: the disk is full" in err
        assert f"<{DATA_GRAPH}>: left as it was (the store refused it)" in err
    else:
        assert f"<{DATA_GRAPH}>: not confirmed by the store: left as it was" in err
