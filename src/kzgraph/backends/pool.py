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
import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path
from typing import BinaryIO

import pebble

from kzgraph.backends import QueryAnswer, QueryJob, Stats
from kzgraph.backends.embedded import EmbeddedBackend, stats_beside_store
from kzgraph.errors import KzGraphError, Overloaded, QueryMemoryExceeded, QueryTimeout
from kzgraph.formats import Format
from kzgraph.store import KnowledgeStore

MEMORY_EXIT_CODE = 86
"""Exit status of a worker that its memory watchdog ended."""

_WORKER: EmbeddedBackend | None = None


def anonymous_memory() -> int:
    """Bytes of this process's own (anonymous) resident memory: not the store's mapped files."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    return 0


def _watch_memory(limit: int, interval: float = 0.02) -> None:
    while True:
        if anonymous_memory() > limit:
            os._exit(MEMORY_EXIT_CODE)
        time.sleep(interval)


def _init_worker(store_path: str, max_memory: int | None) -> None:
    global _WORKER
    # A running pyoxigraph query holds no Python frame that could handle a
    # signal, so let SIGTERM end the process at once rather than after the
    # pool's grace period.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER = EmbeddedBackend(KnowledgeStore.open(Path(store_path)))
    if max_memory and os.path.exists("/proc/self/status"):
        threading.Thread(target=_watch_memory, args=(max_memory,), daemon=True, name="memory-watchdog").start()


def _run_in_worker(job: QueryJob) -> QueryAnswer:
    assert _WORKER is not None, "worker not initialized"
    return _WORKER.run(job)


class ProcessPoolBackend:
    """The embedded store, queried in a pool of processes that each open it read-only;
    limits per job as the module says. Dumps and graph names are read in this process."""

    def __init__(self, store: KnowledgeStore, *, workers: int, timeout: float, max_queue: int = 16,
                 max_query_memory: int | None = None) -> None:
        if store.path is None:
            raise KzGraphError("the query processes need a store on disk (see kzgraph.loader.prepare_store)")
        self.timeout = timeout
        self.max_query_memory = max_query_memory
        self._local = EmbeddedBackend(store)
        self._capacity = max(1, workers) + max(0, max_queue)
        self._in_flight = 0
        self._lock = threading.Lock()
        self._stats: Stats | None = None
        self._pool = pebble.ProcessPool(
            max_workers=max(1, workers),
            initializer=_init_worker,
            initargs=(str(store.path), max_query_memory),
            context=multiprocessing.get_context("spawn"),
        )

    def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` in a worker process.

        Raises:
            Overloaded: every worker is busy and the queue is full.
            QueryTimeout: the query ran past the limit; its worker was killed.
            QueryMemoryExceeded: the query's worker passed the memory limit and was ended.
            KzGraphError: as :meth:`EmbeddedBackend.run`, or the worker died for another reason.
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

    def dump(self, graph: str | None, fmt: Format, out: BinaryIO) -> None:
        self._local.dump(graph, fmt, out)

    def graph_names(self) -> list[str]:
        return self._local.graph_names()

    def stats(self) -> Stats:
        """Counted once, through the query processes (so within the time limit), and kept beside the store."""
        if self._stats is None:
            self._stats = stats_beside_store(self, self._local.store)
        return self._stats

    def close(self) -> None:
        """Stop the query processes; calling it again does nothing."""
        if not self._pool.active:
            return
        self._pool.close()
        self._pool.join(timeout=5)
        self._pool.stop()
