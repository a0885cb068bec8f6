"""The embedded store queried in this very process, for servers that replace
their own worker processes (``kzgraph serve`` under granian).

No hand-off to another process: each query runs on a thread of this process
while the request waits for it, watching the clock and the process's working
memory. A query cannot be stopped once it runs, so a query that overruns
either limit leaves the backend *spent*: its client gets 503 at once, the
queries already running here finish, and the server then ends this process
and starts a fresh one (see :mod:`kzgraph.server`). Other processes keep
serving meanwhile.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from typing import BinaryIO

from kzgraph.backends import QueryAnswer, QueryJob, Stats
from kzgraph.backends.embedded import EmbeddedBackend, stats_beside_store
from kzgraph.backends.pool import anonymous_memory
from kzgraph.errors import Overloaded, QueryMemoryExceeded, QueryTimeout
from kzgraph.formats import Format
from kzgraph.store import KnowledgeStore

_POLL = 0.02


class InProcessBackend:
    """A :class:`~kzgraph.backends.Backend` over the store in this process.

    Each query runs on a thread of its own (pyoxigraph lets go of the GIL while
    it works, so queries run side by side); at most ``1 + max_queue`` at once,
    one more is refused at once (:class:`Overloaded`).
    """

    def __init__(self, store: KnowledgeStore, *, timeout: float, max_queue: int = 16,
                 max_query_memory: int | None = None) -> None:
        self.timeout = timeout
        self.max_query_memory = max_query_memory
        self._embedded = EmbeddedBackend(store)
        self._capacity = 1 + max(0, max_queue)
        self._in_flight = 0
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._idle = 0
        self._stats: Stats | None = None
        self.spent = False
        """A query overran a limit and still runs: this process must be replaced."""

    def _work(self) -> None:
        while True:
            job, future = self._jobs.get()
            try:
                future.set_result(self._embedded.run(job))
            except BaseException as exc:  # handed to the waiting request, typed as it was raised
                future.set_exception(exc)
            with self._lock:
                self._idle += 1

    def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` on a thread of its own and wait for it within the limits.

        Raises:
            Overloaded: as many queries as allowed are running here.
            QueryTimeout, QueryMemoryExceeded: the query overran; this backend is now spent.
            KzGraphError: as :meth:`EmbeddedBackend.run`.
        """
        with self._lock:
            if self._in_flight >= self._capacity:
                raise Overloaded("every query slot of this process is busy; try again shortly")
            self._in_flight += 1
        try:
            return self._wait(job)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _wait(self, job: QueryJob) -> QueryAnswer:
        future: Future = Future()
        with self._lock:
            if self._idle == 0:  # a thread of its own for each query at once, kept for the next ones
                threading.Thread(target=self._work, daemon=True, name="kzgraph-query").start()
            else:
                self._idle -= 1
        self._jobs.put((job, future))
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return future.result(timeout=_POLL)
            except TimeoutError:
                pass
            if time.monotonic() > deadline:
                self.spent = True
                raise QueryTimeout(f"the query was stopped after {self.timeout:g} s, the time limit of this endpoint")
            if self.max_query_memory and anonymous_memory() > self.max_query_memory:
                self.spent = True
                raise QueryMemoryExceeded(
                    f"the query was stopped: it needed more than {self.max_query_memory:,} bytes of memory, "
                    "the limit of this endpoint")

    def dump(self, graph: str | None, fmt: Format, out: BinaryIO) -> None:
        self._embedded.dump(graph, fmt, out)

    def graph_names(self) -> list[str]:
        return self._embedded.graph_names()

    def stats(self) -> Stats:
        if self._stats is None:
            self._stats = stats_beside_store(self, self._embedded.store)
        return self._stats

    def close(self) -> None:
        return None
