"""``kzgraph serve`` as it runs for users: granian processes answering in-process,
a runaway query answered 503 within its budget while others are served, its
process replaced; and the in-process backend and the answer cache on their own."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import start_kzgraph_serve
from kzgraph.backends import QueryJob
from kzgraph.backends.cache import CachedBackend
from kzgraph.backends.inprocess import InProcessBackend
from kzgraph.errors import Overloaded, QueryTimeout

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LOOKUP = "SELECT ?l WHERE { kzr:org-sco rdfs:label ?l }"
JSON = "application/sparql-results+json"
REPLACED = 5
"""Seconds a replacement takes at most here: a fresh process builds its application (under a
second for the shipped graph) and listens, then the spent one answers what it has and ends."""


@pytest.fixture(scope="module")
def server(settings, tmp_path_factory):
    """`kzgraph serve --workers 2 --timeout 2` in its own process; yields the process and its base URL."""
    process, base = start_kzgraph_serve(settings, tmp_path_factory.mktemp("serve"), "--workers", "2", "--timeout", "2")
    yield process, base
    process.terminate()
    _, errors = process.communicate(timeout=15)
    # Each overrun had its process replaced (the runaway test's, and at least one in the replacement test).
    assert errors.count("is replaced, a query having overrun its limit") >= 2, errors


@pytest.fixture(scope="module")
def served(server):
    return server[1]


def lookup_statuses(served: str, seconds: float) -> list[int]:
    """The status of each lookup sent one after the other for ``seconds`` (a dropped connection raises)."""
    deadline = time.monotonic() + seconds
    statuses = []
    while time.monotonic() < deadline:
        statuses.append(requests.get(f"{served}/sparql", params={"query": LOOKUP}, timeout=10).status_code)
        time.sleep(0.05)
    return statuses


def serving_processes(main: int) -> set[int]:
    """The processes the main one has started (Linux /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == main:
                    found.add(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def test_a_runaway_query_is_503_within_a_second_of_its_budget_while_others_are_served(served):
    def lookup(_):
        return requests.get(f"{served}/sparql", params={"query": LOOKUP}, timeout=30).json()

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        started = time.monotonic()
        runaway = pool.submit(requests.get, f"{served}/sparql", params={"query": RUNAWAY}, timeout=30)
        answers = list(pool.map(lookup, range(40)))
        response = runaway.result()
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "stopped after 2 s" in response.text
    assert elapsed < 2 + 1
    assert all(a["results"]["bindings"][0]["l"]["value"] == "SCO" for a in answers)


def test_the_spent_process_is_replaced_and_the_server_keeps_answering(server):
    main, served = server[0].pid, server[1]
    time.sleep(REPLACED)  # whatever an earlier test spent has been replaced by now
    before = serving_processes(main)
    assert len(before) == 2
    assert requests.get(f"{served}/sparql", params={"query": RUNAWAY}, timeout=30).status_code == 503
    # Every lookup meanwhile is answered, while a fresh process starts and the spent one
    # leaves: not one refused or dropped connection.
    statuses = lookup_statuses(served, REPLACED + 2)
    assert set(statuses) == {200}
    assert len(statuses) > 50
    after = serving_processes(main)
    assert len(after) == 2
    assert len(before - after) == 1  # the spent process is gone, its runaway query with it; the other still serves


def test_a_hangup_replaces_every_process_one_after_the_other_while_the_server_answers(server):
    main, served = server[0].pid, server[1]
    time.sleep(REPLACED)  # whatever an earlier test spent has been replaced by now
    before = serving_processes(main)
    os.kill(main, signal.SIGHUP)
    statuses = lookup_statuses(served, 2 * REPLACED + 2)
    assert set(statuses) == {200}
    after = serving_processes(main)
    assert len(after) == 2 and not before & after


def test_repeated_requests_revalidate_with_etags(served):
    first = requests.get(f"{served}/sparql", params={"query": LOOKUP}, headers={"Accept": JSON}, timeout=10)
    etag = first.headers["ETag"]
    again = requests.get(f"{served}/sparql", params={"query": LOOKUP},
                         headers={"Accept": JSON, "If-None-Match": etag}, timeout=10)
    assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", etag)


def test_an_overrun_spends_the_in_process_backend_but_not_the_queries_beside_it(store):
    backend = InProcessBackend(store, timeout=0.5)
    assert backend.run(QueryJob("ASK { kzr:org-sco ?p ?o }", JSON)).body == b'{"head":{},"boolean":true}'
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        runaway = pool.submit(backend.run, QueryJob(RUNAWAY))
        time.sleep(0.1)
        assert backend.run(QueryJob("ASK { kzr:org-sco ?p ?o }", JSON)).body == b'{"head":{},"boolean":true}'
        with pytest.raises(QueryTimeout, match="stopped after 0.5 s"):
            runaway.result()
    assert backend.spent


def test_the_in_process_queue_is_bounded(store):
    backend = InProcessBackend(store, timeout=1.5, max_queue=0)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(backend.run, QueryJob(RUNAWAY))
        time.sleep(0.2)
        started = time.monotonic()
        with pytest.raises(Overloaded):
            backend.run(QueryJob("ASK {}"))
        assert time.monotonic() - started < 0.2  # at once, not after waiting
        with pytest.raises(QueryTimeout):
            running.result()


class _Counting:
    def __init__(self, inner):
        self.inner, self.calls = inner, 0

    def run(self, job):
        self.calls += 1
        return self.inner.run(job)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_the_cache_serializes_once_and_keeps_nothing_that_called_a_service(store):
    from kzgraph.backends.embedded import EmbeddedBackend

    inner = _Counting(EmbeddedBackend(store))
    cached = CachedBackend(inner, max_bytes=1_000_000)
    first, second = cached.run(QueryJob(LOOKUP, JSON)), cached.run(QueryJob(LOOKUP, JSON))
    assert inner.calls == 1 and first.body == second.body and first.etag == second.etag
    cached.run(QueryJob(LOOKUP, "text/csv"))
    assert inner.calls == 2  # another format is another answer
    service = "SELECT * WHERE { OPTIONAL { SERVICE SILENT <http://127.0.0.1:1/sparql> { ?s ?p ?o } } }"
    for _ in range(2):
        cached.run(QueryJob(service, JSON, allowlist=None))
    assert inner.calls == 4


class _Gated:
    """An inner backend whose runs wait at a gate, so that identical jobs are asked while one runs."""

    def __init__(self, inner, error: Exception | None = None) -> None:
        self.inner, self.error = inner, error
        self.calls = 0
        self.gate = threading.Event()

    def run(self, job):
        self.calls += 1
        assert self.gate.wait(30)
        if self.error is not None:
            raise self.error
        return self.inner.run(job)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def _ask_together(cached: CachedBackend, job: QueryJob, clients: int, monkeypatch) -> list:
    """``clients`` threads ask ``job`` at once; the gate opens once all but the first wait for it. Their results or errors."""
    from kzgraph.backends import cache

    waiting = threading.Semaphore(0)
    real_result = cache._Flight.result

    def result(flight):
        waiting.release()
        return real_result(flight)

    monkeypatch.setattr(cache._Flight, "result", result)

    def ask():
        try:
            return cached.run(job)
        except Exception as error:  # noqa: BLE001 (the error is the result here)
            return error

    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(ask) for _ in range(clients)]
        for _ in range(clients - 1):
            assert waiting.acquire(timeout=30)
        cached.inner.gate.set()
        return [future.result(timeout=30) for future in futures]


def test_identical_queries_asked_at_once_are_run_once(store, monkeypatch):
    from kzgraph.backends.embedded import EmbeddedBackend

    inner = _Gated(EmbeddedBackend(store))
    cached = CachedBackend(inner, max_bytes=8)  # nothing is kept: only the jobs in flight are shared
    job = QueryJob("SELECT ?s ?l WHERE { ?s rdfs:label ?l }", JSON)
    answers = _ask_together(cached, job, 6, monkeypatch)
    assert inner.calls == 1
    assert len({answer.body for answer in answers}) == 1 and b"org-sco" in answers[0].body
    assert cached._running == {}
    cached.run(job)
    assert inner.calls == 2  # once it has run, the same job runs again: an answer too large to keep is not kept


def test_identical_queries_asked_at_once_share_the_error_of_the_one_that_ran(store, monkeypatch):
    from kzgraph.backends.embedded import EmbeddedBackend

    inner = _Gated(EmbeddedBackend(store), error=QueryTimeout("the query took longer than 1 s"))
    cached = CachedBackend(inner, max_bytes=1_000_000)
    errors = _ask_together(cached, QueryJob(LOOKUP, JSON), 4, monkeypatch)
    assert inner.calls == 1
    assert [(type(e), str(e)) for e in errors] == [(QueryTimeout, "the query took longer than 1 s")] * 4
    assert len({id(e) for e in errors}) == 4  # each thread raised its own
    assert cached._running == {}


def test_the_cache_stays_within_its_bound(store):
    from kzgraph.backends.embedded import EmbeddedBackend

    cached = CachedBackend(EmbeddedBackend(store), max_bytes=4_000)
    for i in range(50):
        cached.run(QueryJob(f"SELECT ?l WHERE {{ kzr:org-sco rdfs:label ?l BIND({i} AS ?i) }}", JSON))
    assert 0 < cached._size <= 4_000


def test_plain_gets_are_answered_before_the_application_and_kept(settings, store):
    from dataclasses import replace

    from kzgraph.web import close_app, create_app
    from kzgraph.web.state import EXTENSION

    app = create_app(settings.replace(workers=1), store=store)
    kg = app.extensions[EXTENSION]
    counting = _Counting(kg.backend)
    app.extensions[EXTENSION] = replace(kg, backend=counting)
    seen = []
    app.before_request(lambda: seen.append(1))
    try:
        client = app.test_client()
        query = {"query": LOOKUP}
        first = client.get("/sparql", query_string=query, headers={"Accept": JSON})
        again = client.get("/sparql", query_string=query, headers={"Accept": JSON})
        assert (len(seen), counting.calls) == (0, 1)  # neither Flask nor, the second time, the backend
        assert (again.status_code, again.data, again.headers["ETag"]) == (200, first.data, first.headers["ETag"])
        assert again.headers["Access-Control-Allow-Origin"] == "*" and "Accept" in again.vary
        assert again.mimetype == "application/sparql-results+json"
        revalidated = client.get("/sparql", query_string=query,
                                 headers={"Accept": JSON, "If-None-Match": first.headers["ETag"]})
        assert len(seen) == 1 and revalidated.status_code == 304  # a revalidation goes through the application
        refused = client.get("/sparql", query_string={"query": "DROP ALL"})
        assert (refused.status_code, refused.get_data(as_text=True)) == (
            403, "403 Forbidden: SPARQL Update is not allowed: this endpoint is read-only\n")
        service = {"query": "SELECT * WHERE { OPTIONAL { SERVICE SILENT <https://query.wikidata.org/sparql> "
                            "{ ?s ?p ?o } } } LIMIT 1"}
        calls = counting.calls
        for _ in range(2):
            client.get("/sparql", query_string=service, headers={"Accept": JSON})
        assert counting.calls == calls + 2  # an answer that called a SERVICE is never kept
    finally:
        close_app(app)


def test_a_single_process_server_answers_throughout_its_replacement(settings, tmp_path):
    """With one process, the fresh one must be listening before the spent one stops."""
    process, served = start_kzgraph_serve(settings, tmp_path, "--workers", "1", "--timeout", "1")
    try:
        before = serving_processes(process.pid)
        assert requests.get(f"{served}/sparql", params={"query": RUNAWAY}, timeout=30).status_code == 503
        statuses = lookup_statuses(served, REPLACED + 2)
        assert set(statuses) == {200}
        after = serving_processes(process.pid)
        assert len(after) == 1 and not before & after
    finally:
        process.terminate()
        process.communicate(timeout=15)


class _FakeWorker:
    def __init__(self, pid: int, alive: bool = True) -> None:
        self.inner = type("Inner", (), {"pid": pid})()
        self.alive = alive

    def is_alive(self) -> bool:
        return self.alive


def test_the_main_process_waits_until_a_fresh_process_has_built_its_application(tmp_path):
    from kzgraph.server import LISTEN_WAIT, _Replacing

    main = _Replacing.__new__(_Replacing)  # only the waiting is under test, not granian's start
    main.rundir = tmp_path
    threading.Timer(0.5, (tmp_path / "ready-4242").touch).start()
    started = time.monotonic()
    main._wait_ready(_FakeWorker(4242))
    assert 0.5 + LISTEN_WAIT <= time.monotonic() - started < 0.5 + LISTEN_WAIT + 1
    assert not (tmp_path / "ready-4242").exists()
    started = time.monotonic()
    main._wait_ready(_FakeWorker(4243, alive=False))  # a fresh process that died is not waited for
    assert time.monotonic() - started < LISTEN_WAIT + 0.5
