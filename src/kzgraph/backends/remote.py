"""The remote backend: any SPARQL 1.1 query endpoint stands behind the seam.

The same guard, limits and formats stand in front of it as in front of the
embedded store: the request is analysed here (read-only, SERVICE allowlist,
nesting), the format negotiated here, and the store is asked in one
canonical format (SPARQL JSON for results, N-Triples for graphs) that is
then written in the client's format, so every store answers alike. The time
limit is passed on to stores that take one and enforced here in any case;
an answer cut short is a 503, never a truncated 200.

The store must show queries the union of its graphs as their default graph
(Virtuoso does; start Oxigraph's server with ``--union-default-graph``).
"""

from __future__ import annotations

import json
import threading
from typing import BinaryIO

import pyoxigraph as ox

from kzgraph.backends import QueryAnswer, QueryJob, Stats
from kzgraph.backends.embedded import LimitedBuffer, count_stats
from kzgraph.errors import MalformedQuery, NotFound, Overloaded, QueryTimeout, StoreRefused
from kzgraph.formats import Format, Kind
from kzgraph.guard import check_request
from kzgraph.namespaces import GRAPH
from kzgraph.negotiation import negotiate_or_refuse
from kzgraph.remote import RemoteStore
from kzgraph.results import engine_format, failures_while_running, write_result

_GRAPH_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"


class RemoteBackend:
    """A :class:`~kzgraph.backends.Backend` over a :class:`~kzgraph.remote.RemoteStore`.

    At most ``workers`` queries are sent at once; ``max_queue`` more may wait
    for a turn, and one more is refused at once (:class:`Overloaded`).
    """

    def __init__(self, client: RemoteStore, *, workers: int, max_queue: int = 16) -> None:
        self.client = client
        self._turns = threading.BoundedSemaphore(max(1, workers))
        self._capacity = max(1, workers) + max(0, max_queue)
        self._in_flight = 0
        self._lock = threading.Lock()
        self._stats: Stats | None = None

    def run(self, job: QueryJob) -> QueryAnswer:
        """Check ``job`` here, ask the store, and write its answer in the negotiated format.

        Raises:
            MalformedQuery, UpdateRefused, ServiceRefused, NotAcceptable: as on the embedded store.
            QueryError: the store refused the query as malformed (400).
            Overloaded, QueryTimeout, StoreTimeout, ResultTruncated, ResultTooLarge, StoreError: the limits.
        """
        shape = check_request(job.text, allowlist=job.allowlist, base_iri=job.base_iri)
        fmt = negotiate_or_refuse(job.accept, Kind.GRAPH if shape.is_graph else Kind.RESULTS, job.requested_format)
        graphs = {"default_graphs": job.default_graphs, "named_graphs": job.named_graphs}
        with self._turn():
            try:
                if shape.is_graph:
                    body, media_type = self.client.query(job.text, accept=_GRAPH_ACCEPT, **graphs)
                    result = ox.parse(body, format=_rdf_format(media_type))
                else:
                    document = self.client.results(job.text, **graphs)
                    result = ox.parse_query_results(json.dumps(document).encode(), ox.QueryResultsFormat.JSON)
            except StoreRefused as exc:
                if exc.store_status == 400:
                    raise MalformedQuery(f"the store refused it: {exc}") from None
                raise
        buffer = LimitedBuffer(job.max_result_bytes)
        if shape.is_graph:
            with failures_while_running():
                triples = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) if fmt.holds_quads else t
                           for t in result)
                ox.serialize(triples, buffer, engine_format(fmt))
        else:
            write_result(result, fmt, buffer)
        return QueryAnswer(buffer.getvalue(), fmt)

    def _turn(self):
        backend = self

        class Turn:
            def __enter__(self) -> None:
                with backend._lock:
                    if backend._in_flight >= backend._capacity:
                        raise Overloaded("every connection to the store is busy and the queue is full; "
                                         "try again shortly")
                    backend._in_flight += 1
                if not backend._turns.acquire(timeout=backend.client.timeout):
                    with backend._lock:
                        backend._in_flight -= 1
                    raise QueryTimeout(f"the query waited {backend.client.timeout:g} s for a turn at the store")

            def __exit__(self, *exc: object) -> None:
                backend._turns.release()
                with backend._lock:
                    backend._in_flight -= 1

        return Turn()

    def dump(self, graph: str | None, fmt: Format, out: BinaryIO) -> None:
        """One graph, or every kzgraph graph, asked of the store and written in ``fmt``.

        Raises:
            NotFound: no such graph.
        """
        if graph is not None and graph not in self.graph_names():
            raise NotFound(f"no graph named <{graph}>; graphs: {', '.join(self.graph_names())}")
        names = [graph] if graph is not None else self.graph_names()
        quads = []
        for name in names:
            body, media_type = self.client.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}",
                                                 accept=_GRAPH_ACCEPT)
            target = ox.NamedNode(name) if fmt.holds_quads else ox.DefaultGraph()
            quads += [ox.Quad(t.subject, t.predicate, t.object, target)
                      for t in ox.parse(body, format=_rdf_format(media_type))]
        items = quads if fmt.holds_quads else list({q.triple: None for q in quads})
        ox.serialize(items, out, engine_format(fmt))

    def graph_names(self) -> list[str]:
        """The store's kzgraph graphs (a store may hold others, such as Virtuoso's own)."""
        rows = self.client.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row["g"]["value"] for row in rows if row["g"]["value"].startswith(GRAPH))

    def stats(self) -> Stats:
        if self._stats is None:
            self._stats = count_stats(self)
        return self._stats

    def close(self) -> None:
        self.client.close()


def _rdf_format(media_type: str) -> ox.RdfFormat:
    media = media_type.split(";", 1)[0].strip().lower()
    if media in ("application/n-triples", "text/plain", "text/ntriples"):
        return ox.RdfFormat.N_TRIPLES
    return ox.RdfFormat.TURTLE  # Turtle reads N-Triples too
