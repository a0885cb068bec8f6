"""Run SPARQL query jobs in worker processes that can be stopped.

A pyoxigraph query cannot be interrupted from Python and ignores signals;
only ending the process that runs it stops the work. So every job runs in a
pool of worker processes (pebble), and the whole job runs there, inside the
limits: the request is analysed (read-only, SERVICE allowlist), the format
negotiated for the kind of answer, the query run and the answer serialized.

Limits, each answered with a typed error and never by stopping the server:

- time: a job past ``timeout`` has its worker killed and replaced
  (:class:`~kzgraph.errors.QueryTimeout`);
- memory: a watchdog thread in each worker ends the process when its own
  working memory passes ``max_query_memory`` (:class:`~kzgraph.errors.QueryMemoryExceeded`);
- size: an answer larger than ``max_result_bytes`` in total is stopped while
  it is written (:class:`~kzgraph.errors.ResultTooLarge`);
- load: when every worker is busy and ``max_queue`` jobs wait, a new job is
  refused at once (:class:`~kzgraph.errors.Overloaded`, with ``Retry-After``).
"""

from __future__ import annotations

import concurrent.futures
import io
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pebble
import pyoxigraph as ox

from kzgraph.errors import (
    KzGraphError,
    Overloaded,
    QueryMemoryExceeded,
    QueryTimeout,
    ResultTooLarge,
)
from kzgraph.formats import Format, Kind
from kzgraph.guard import check_request
from kzgraph.negotiation import negotiate_or_refuse
from kzgraph.results import write_result
from kzgraph.store import KnowledgeStore

MEMORY_EXIT_CODE = 86
"""Exit status of a worker that its memory watchdog ended."""


@dataclass(frozen=True)
class QueryJob:
    """One SPARQL request, as the protocol gives it."""

    text: str
    accept: str | None = None
    """The client's Accept header (None accepts anything)."""
    requested_format: str | None = None
    """The ``format`` parameter: a format name, alias or media type; wins over ``accept``."""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    """Resolves relative IRIs in the query (the endpoint's URL)."""
    allowlist: tuple[str, ...] | None = ()
    """SERVICE endpoints the query may call; None allows any (the command line)."""
    max_result_bytes: int = 50_000_000


@dataclass(frozen=True)
class QueryAnswer:
    body: bytes
    format: Format


class _LimitedBuffer(io.RawIOBase):
    """Collects written bytes and stops the writer once their total passes ``limit``."""

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
    """Check, run and serialize one job against ``store``, in this process.

    Raises:
        MalformedQuery, UpdateRefused, ServiceRefused: the request may not run.
        NotAcceptable: the client accepts no format that fits the kind of answer.
        ResultTooLarge: the serialized answer exceeds the limit.
        ServiceFailed: the query failed while it ran, such as a SERVICE that did not answer.
    """
    shape = check_request(job.text, allowlist=job.allowlist, base_iri=job.base_iri)
    fmt = negotiate_or_refuse(job.accept, Kind.GRAPH if shape.is_graph else Kind.RESULTS, job.requested_format)
    result = store.query(job.text, default_graphs=list(job.default_graphs), named_graphs=list(job.named_graphs),
                         base_iri=job.base_iri, shape=shape)
    buffer = _LimitedBuffer(job.max_result_bytes)
    write_result(result, fmt, buffer)  # pyoxigraph lets the buffer's ResultTooLarge through as it is
    return QueryAnswer(buffer.getvalue(), fmt)


_WORKER_STORE: KnowledgeStore | None = None


def _anonymous_memory() -> int:
    """Bytes of this process's own (anonymous) resident memory: not the store's mapped files."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    return 0


def _watch_memory(limit: int, interval: float = 0.02) -> None:
    while True:
        if _anonymous_memory() > limit:
            os._exit(MEMORY_EXIT_CODE)
        time.sleep(interval)


def _init_worker(dump: str, max_memory: int | None) -> None:
    global _WORKER_STORE
    # A running pyoxigraph query holds no Python frame that could handle a
    # signal, so let SIGTERM end the process at once rather than after the
    # pool's grace period.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER_STORE = KnowledgeStore.from_nquads(Path(dump))
    if max_memory and os.path.exists("/proc/self/status"):
        threading.Thread(target=_watch_memory, args=(max_memory,), daemon=True, name="memory-watchdog").start()


def _run_in_worker(job: QueryJob) -> QueryAnswer:
    assert _WORKER_STORE is not None, "worker not initialized"
    return execute_job(_WORKER_STORE, job)


class QueryExecutor:
    """A pool of query processes, each loading the dataset from a dump this
    executor writes and removes when closed; limits per job as the module says."""

    def __init__(self, store: KnowledgeStore, *, workers: int, timeout: float, max_queue: int = 16,
                 max_query_memory: int | None = None) -> None:
        self.timeout = timeout
        self.max_query_memory = max_query_memory
        self._capacity = max(1, workers) + max(0, max_queue)
        self._in_flight = 0
        self._lock = threading.Lock()
        self._workdir = Path(tempfile.mkdtemp(prefix="kzgraph-"))
        dump = self._workdir / "dataset.nq"
        store.dump(dump)
        self._pool = pebble.ProcessPool(
            max_workers=max(1, workers),
            initializer=_init_worker,
            initargs=(str(dump), max_query_memory),
            context=multiprocessing.get_context("spawn"),
        )

    def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` in a worker process.

        Raises:
            Overloaded: every worker is busy and the queue is full.
            QueryTimeout: the query ran past the limit; its worker was killed.
            QueryMemoryExceeded: the query's worker passed the memory limit and was ended.
            KzGraphError: as :func:`execute_job`, or the worker died for another reason.
        """
        with self._lock:
            if self._in_flight >= self._capacity:
                raise Overloaded("every query process is busy and the queue is full; try again shortly")
            self._in_flight += 1
        try:
            future = self._pool.schedule(_run_in_worker, args=(job,), timeout=self.timeout)
            return future.result()
        except concurrent.futures.TimeoutError:
            raise QueryTimeout(
                f"the query was stopped after {self.timeout:g} s, the time limit of this endpoint"
            ) from None
        except pebble.ProcessExpired as exc:
            if exc.exitcode == MEMORY_EXIT_CODE:
                raise QueryMemoryExceeded(
                    f"the query was stopped: it needed more than {self.max_query_memory:,} bytes of memory, "
                    "the limit of this endpoint") from None
            raise KzGraphError(f"the query process died ({exc})") from None
        finally:
            with self._lock:
                self._in_flight -= 1

    def close(self) -> None:
        """Stop the query processes and remove the dump; calling it again does nothing."""
        if not self._pool.active:
            return
        self._pool.close()
        self._pool.join(timeout=5)
        self._pool.stop()
        shutil.rmtree(self._workdir, ignore_errors=True)
