"""Run SPARQL queries in worker processes that can be stopped.

Neither pyoxigraph nor rdflib lets a Python caller interrupt a query, and a
pyoxigraph query ignores signals; only ending the process that runs it stops
the work. So every query runs in a pool of worker processes (pebble), each
holding its own copy of the dataset; a query that outlives the time limit has
its worker killed and replaced, and the client gets a clear error. The worker
also serializes the answer, under a size limit, so a huge result is stopped
in the worker too.
"""

from __future__ import annotations

import concurrent.futures
import io
import multiprocessing
import shutil
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pebble
import pyoxigraph as ox

from kzgraph.errors import KzGraphError, QueryError, QueryTimeout, ResultTooLarge
from kzgraph.results import GRAPH_FORMATS, RESULT_FORMATS, write_result
from kzgraph.store import KnowledgeStore


class QueryFailed(QueryError):
    """A valid query failed while running, such as a SERVICE call that did not answer."""


class NotAcceptable(QueryError):
    """The client accepts no format in which this kind of result can be written."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class QueryJob:
    text: str
    result_format: str | None
    """Key of RESULT_FORMATS for SELECT/ASK, or None if the client accepts none."""
    graph_format: str | None
    """Key of GRAPH_FORMATS for CONSTRUCT/DESCRIBE, or None if the client accepts none."""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    """Resolves relative IRIs in the query (the endpoint's URL)."""
    max_result_bytes: int = 50_000_000


@dataclass(frozen=True)
class QueryAnswer:
    body: bytes
    format: str
    kind: str
    """'results' (SELECT/ASK) or 'graph' (CONSTRUCT/DESCRIBE)."""


class _LimitedBuffer(io.RawIOBase):
    def __init__(self, limit: int) -> None:
        self._chunks: list[bytes] = []
        self._size = 0
        self._limit = limit

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._size += len(data)
        if self._size > self._limit:
            raise ResultTooLarge(f"the result is larger than {self._limit:,} bytes; add a LIMIT")
        self._chunks.append(bytes(data))
        return len(data)

    def getvalue(self) -> bytes:
        return b"".join(self._chunks)


def execute_job(store: KnowledgeStore, job: QueryJob) -> QueryAnswer:
    """Run one job against ``store`` and serialize its answer.

    Raises:
        QueryError: the query is malformed or fails while running.
        NotAcceptable: no acceptable format fits the kind of result.
        ResultTooLarge: the serialized answer exceeds the limit.
    """
    result = store.query(
        job.text, default_graphs=list(job.default_graphs), named_graphs=list(job.named_graphs), base_iri=job.base_iri
    )
    is_graph = isinstance(result, ox.QueryTriples)
    kind = "graph" if is_graph else "results"
    key = job.graph_format if is_graph else job.result_format
    if key is None:
        raise NotAcceptable(kind)
    fmt = GRAPH_FORMATS[key] if is_graph else RESULT_FORMATS[key]
    buffer = _LimitedBuffer(job.max_result_bytes)
    try:
        write_result(result, fmt, buffer)  # pyoxigraph lets the buffer's ResultTooLarge through as it is
    except (OSError, RuntimeError) as exc:  # results are computed lazily: a SERVICE call fails here
        raise QueryFailed(f"query failed: {exc}") from None
    return QueryAnswer(buffer.getvalue(), key, kind)


_WORKER_STORE: KnowledgeStore | None = None


def _init_worker(dump: str) -> None:
    global _WORKER_STORE
    # A running pyoxigraph query holds no Python frame that could handle a
    # signal, so let SIGTERM end the process at once rather than after the
    # pool's grace period.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER_STORE = KnowledgeStore.from_nquads(Path(dump))


def _run_in_worker(job: QueryJob) -> QueryAnswer:
    assert _WORKER_STORE is not None, "worker not initialized"
    return execute_job(_WORKER_STORE, job)


class QueryExecutor:
    """A pool of query processes, each loading the dataset from a dump this
    executor writes and removes when closed; a time limit per query."""

    def __init__(self, store: KnowledgeStore, *, workers: int, timeout: float) -> None:
        self.timeout = timeout
        self._workdir = Path(tempfile.mkdtemp(prefix="kzgraph-"))
        dump = self._workdir / "dataset.nq"
        store.dump(dump)
        self._pool = pebble.ProcessPool(
            max_workers=max(1, workers),
            initializer=_init_worker,
            initargs=(str(dump),),
            context=multiprocessing.get_context("spawn"),
        )

    def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` in a worker process.

        Raises:
            QueryTimeout: the query ran past the limit; its worker was killed.
            QueryError, NotAcceptable, ResultTooLarge: as :func:`execute_job`.
            KzGraphError: the worker died for another reason.
        """
        future = self._pool.schedule(_run_in_worker, args=(job,), timeout=self.timeout)
        try:
            return future.result()
        except concurrent.futures.TimeoutError:
            raise QueryTimeout(
                f"the query was stopped after {self.timeout:g} s, the time limit of this endpoint"
            ) from None
        except pebble.ProcessExpired as exc:
            raise KzGraphError(f"the query process died ({exc})") from None

    def close(self) -> None:
        """Stop the query processes and remove the dump; calling it again does nothing."""
        if not self._pool.active:
            return
        self._pool.close()
        self._pool.join(timeout=5)
        self._pool.stop()
        shutil.rmtree(self._workdir, ignore_errors=True)
