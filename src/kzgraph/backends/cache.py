"""A bounded cache of answers, for a dataset that does not change while it is served.

The embedded store is read-only, so the same job (query text, Accept,
format, dataset, base IRI, limits) always gets the same bytes until the
server restarts on new data: an answer is serialized once and then served
from memory, least recently used first out when the cache is full. Each
answer carries an ETag (a digest of its bytes) so that clients and proxies
can revalidate with ``If-None-Match``. Answers that called a SERVICE are
neither kept nor given an ETag: the other endpoint's data may change.

Identical jobs that arrive while one of them runs do not run again: they
wait for it and get its answer, or its error (a query too large to keep
is still computed once for all the clients that ask it at the same time).
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import OrderedDict
from dataclasses import replace
from typing import BinaryIO

from kzgraph.analysis import analyse
from kzgraph.backends import Backend, QueryAnswer, QueryJob, Stats
from kzgraph.formats import Format
from kzgraph.namespaces import PREFIXES


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


class CachedBackend:
    """A :class:`~kzgraph.backends.Backend` that remembers answers of ``inner``, up to ``max_bytes``."""

    def __init__(self, inner: Backend, *, max_bytes: int) -> None:
        self.inner = inner
        self.max_bytes = max_bytes
        self._answers: OrderedDict[QueryJob, QueryAnswer] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._running: dict[QueryJob, _Flight] = {}

    def run(self, job: QueryJob) -> QueryAnswer:
        with self._lock:
            answer = self._answers.get(job)
            if answer is not None:
                self._answers.move_to_end(job)
                return answer
            flight = self._running.get(job)
            leads = flight is None
            if leads:
                flight = self._running[job] = _Flight()
        if not leads:
            return flight.result()
        try:
            answer = self._compute(job)
        except BaseException as error:
            flight.fail(error)
            raise
        else:
            flight.succeed(answer)
            return answer
        finally:
            with self._lock:
                del self._running[job]

    def _compute(self, job: QueryJob) -> QueryAnswer:
        answer = self.inner.run(job)
        if analyse(job.text, PREFIXES).services:
            return answer  # a SERVICE's data is not ours: neither kept nor validated
        answer = replace(answer, etag=etag_of(answer.body))
        if len(answer.body) <= self.max_bytes // 8:  # one answer never takes much of the cache
            with self._lock:
                if job not in self._answers:
                    self._answers[job] = answer
                    self._size += len(answer.body)
                while self._size > self.max_bytes:
                    _, dropped = self._answers.popitem(last=False)
                    self._size -= len(dropped.body)
        return answer

    def dump(self, graph: str | None, fmt: Format, out: BinaryIO) -> None:
        self.inner.dump(graph, fmt, out)

    def graph_names(self) -> list[str]:
        return self.inner.graph_names()

    def stats(self) -> Stats:
        return self.inner.stats()

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str):
        return getattr(self.inner, name)  # such as InProcessBackend.spent


class _Flight:
    """A job being run: those who asked for it too wait here for its answer or its error."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._answer: QueryAnswer | None = None
        self._error: BaseException | None = None

    def succeed(self, answer: QueryAnswer) -> None:
        self._answer = answer
        self._done.set()

    def fail(self, error: BaseException) -> None:
        self._error = error
        self._done.set()

    def result(self) -> QueryAnswer:
        """The answer, once the job has run (its time limit bounds the wait); its error, raised again."""
        self._done.wait()
        if self._error is not None:
            raise copy.copy(self._error) from self._error  # each waiting thread raises its own
        return self._answer  # type: ignore[return-value]
