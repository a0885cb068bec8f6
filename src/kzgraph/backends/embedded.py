"""The embedded backend: the prepared pyoxigraph store, in this process.

It has no limits of its own: :class:`kzgraph.backends.pool.ProcessPoolBackend`
runs it in killable processes. Union-default-graph and FROM handling belong
here (see :meth:`kzgraph.store.KnowledgeStore.query`).
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from pathlib import Path
from typing import BinaryIO

from kzgraph.backends import Backend, QueryAnswer, QueryJob, Stats, select
from kzgraph.errors import NotFound, ResultTooLarge
from kzgraph.formats import Format, Kind
from kzgraph.guard import check_request
from kzgraph.negotiation import negotiate_or_refuse
from kzgraph.results import engine_format, write_result
from kzgraph.store import KnowledgeStore


class LimitedBuffer(io.RawIOBase):
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


class EmbeddedBackend:
    """A :class:`~kzgraph.backends.Backend` over a :class:`KnowledgeStore`, with no time limit."""

    def __init__(self, store: KnowledgeStore) -> None:
        self.store = store

    def run(self, job: QueryJob) -> QueryAnswer:
        """Check, run and serialize one job.

        Raises:
            MalformedQuery, UpdateRefused, ServiceRefused: the request may not run.
            NotAcceptable: the client accepts no format that fits the kind of answer.
            ResultTooLarge: the serialized answer exceeds the limit.
            ServiceFailed: the query failed while it ran, such as a SERVICE that did not answer.
        """
        shape = check_request(job.text, allowlist=job.allowlist, base_iri=job.base_iri)
        fmt = negotiate_or_refuse(job.accept, Kind.GRAPH if shape.is_graph else Kind.RESULTS, job.requested_format)
        result = self.store.query(job.text, default_graphs=list(job.default_graphs),
                                  named_graphs=list(job.named_graphs), base_iri=job.base_iri, shape=shape)
        buffer = LimitedBuffer(job.max_result_bytes)
        write_result(result, fmt, buffer)  # pyoxigraph lets the buffer's ResultTooLarge through as it is
        return QueryAnswer(buffer.getvalue(), fmt)

    def dump(self, graph: str | None, fmt: Format, out: BinaryIO) -> None:
        if graph is not None and graph not in self.graph_names():
            raise NotFound(f"no graph named <{graph}>; graphs: {', '.join(self.graph_names())}")
        self.store.dump(out, engine_format(fmt), graph)

    def graph_names(self) -> list[str]:
        return self.store.graph_names()

    def stats(self) -> Stats:
        return count_stats(self, len(self.store))

    def close(self) -> None:
        return None


def count_stats(backend: Backend, triples: int | None = None) -> Stats:
    """Count what the descriptions report, with SPARQL through ``backend`` (so within its limits)."""

    def count(query: str) -> int:
        return int(select(backend, query)[0]["n"]["value"])

    graph_sizes = {name: count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
                   for name in backend.graph_names()}
    return Stats(
        triples=triples if triples is not None else sum(graph_sizes.values()),
        graph_sizes=graph_sizes,
        entities=count("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER (STRSTARTS(STR(?s), STR(kzr:))) }"),
        classes=count("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"),
        properties=count("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"),
        distinct_subjects=count("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        distinct_objects=count("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
        sources=tuple(sorted(row["a"]["value"] for row in
                             select(backend, "SELECT DISTINCT ?a WHERE { ?a a kz:SourceArticle }"))),
    )


def stats_beside_store(backend: Backend, store: KnowledgeStore) -> Stats:
    """The counts of a prepared store: read from ``stats.json`` beside it, or counted
    through ``backend`` (so within its limits) and kept there for the next process."""
    saved = Path(str(store.path)) / "stats.json" if store.path is not None else None
    try:
        values = json.loads(saved.read_text(encoding="utf-8"))  # type: ignore[union-attr]
        return Stats(**{**values, "sources": tuple(values["sources"])})
    except (AttributeError, OSError, ValueError, TypeError, KeyError):
        pass
    stats = count_stats(backend, len(store))
    if saved is not None:
        try:
            saved.write_text(json.dumps(asdict(stats), sort_keys=True), encoding="utf-8")
        except OSError:
            pass
    return stats
