"""Push the graph into any store that speaks the SPARQL 1.1 Graph Store HTTP
Protocol: each graph is serialized to N-Triples in a temporary file, then
sent with one HTTP PUT, which replaces that graph as a whole (so pushing
twice never duplicates anything).

What is pushed comes from one function, :func:`graphs_to_push`: the
ontology, the curated data and (on request) the inferred triples, each into
its own named graph, or all together into the store's default graph.

A push checks the credentials first (a HEAD request to the Graph Store, which
answers 401/403 before any graph is touched), then sends the graphs one by
one. It relies on each PUT being atomic in the store: a graph is either
fully replaced or left as it was (Oxigraph's server 0.5 and Virtuoso 7 both
keep the old graph when a PUT fails part-way; the tests check it). If one PUT
fails, the push stops and the error says which graphs were replaced, which
one failed and which were not sent.

>>> graph_store_url("http://127.0.0.1:7878/store", "https://w3id.org/kzgraph/graph/data")
'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Fkzgraph%2Fgraph%2Fdata'
>>> graph_store_url("http://127.0.0.1:7878/store", None)
'http://127.0.0.1:7878/store?default'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import requests

from kzgraph.config import Settings
from kzgraph.errors import PushFailed, StoreError, StoreRefused
from kzgraph.namespaces import DATA_GRAPH, GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from kzgraph.remote import RemoteStore, check_store_url, raise_for_status, unreachable

N_TRIPLES = "application/n-triples"


@dataclass(frozen=True)
class GraphUpload:
    """One graph to replace in the store and the triples to put in it."""

    graph: str | None
    """The named graph's IRI, or None for the store's default graph."""
    what: str
    """What the graph holds, for people ("ontology", "data", ...)."""
    triples: Callable[[], Iterable[ox.Triple]]


@dataclass(frozen=True)
class Payload:
    """A graph serialized and ready to send."""

    upload: GraphUpload
    path: Path
    triples: int
    size: int

    @property
    def name(self) -> str:
        return f"<{self.upload.graph}>" if self.upload.graph else "the default graph"


def graphs_to_push(settings: Settings, *, inferred: bool = False, default_graph: bool = False) -> list[GraphUpload]:
    """The graphs a push replaces, in the order it sends them.

    Named graphs (the IRIs of :mod:`kzgraph.namespaces`) by default; with
    ``default_graph`` every triple goes into one upload for the default
    graph. New layers of the dataset are pushed by adding them here.

    Raises:
        LoadError: a file is missing or malformed.
    """
    from kzgraph.loader import load_store

    store = load_store(settings.replace(reason=settings.reason or inferred))
    first = {ONTOLOGY_GRAPH: "ontology", DATA_GRAPH: "data"}
    others = [g for g in store.graph_names() if g not in first and g != INFERRED_GRAPH]
    layers = [*first.items(), *((g, g.removeprefix(GRAPH)) for g in others)]  # the reference layer, --data files
    if inferred:
        layers.append((INFERRED_GRAPH, "inferred triples"))

    def triples_of(graph: str) -> Callable[[], Iterator[ox.Triple]]:
        return lambda: (quad.triple for quad in store.quads(graph))

    if not default_graph:
        return [GraphUpload(graph, what, triples_of(graph)) for graph, what in layers]

    def union() -> Iterator[ox.Triple]:
        seen = ox.Store()  # the same triple in two layers is sent once
        seen.extend(ox.Quad(q.subject, q.predicate, q.object) for graph, _ in layers for q in store.quads(graph))
        return (quad.triple for quad in seen)

    return [GraphUpload(None, " + ".join(what for _, what in layers), union)]


def serialize_uploads(uploads: Iterable[GraphUpload], folder: Path) -> list[Payload]:
    """Write each upload as an N-Triples file in ``folder`` (streamed, never held twice)."""
    payloads = []
    for index, upload in enumerate(uploads):
        path = folder / f"graph-{index}.nt"
        count = 0

        def counted(triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
            nonlocal count
            for triple in triples:
                count += 1
                yield triple

        with path.open("wb") as out:
            ox.serialize(counted(upload.triples()), out, ox.RdfFormat.N_TRIPLES)
        payloads.append(Payload(upload, path, count, path.stat().st_size))
    return payloads


def graph_store_url(base: str, graph: str | None) -> str:
    """The Graph Store Protocol URL of one graph (``?graph=IRI`` or ``?default``)."""
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}default" if graph is None else f"{base}{joiner}graph={quote(graph, safe='')}"


def describe(payload: Payload, base: str) -> str:
    """One line saying what a push sends for ``payload``."""
    return (f"PUT {graph_store_url(base, payload.upload.graph)}  {payload.upload.what} → {payload.name}: "
            f"{payload.triples:,} triples, {payload.size:,} bytes of {N_TRIPLES}")


def check_access(session: requests.Session, base: str, payloads: list[Payload], timeout: float) -> None:
    """Ask the Graph Store about the first graph (HEAD), so that an unreachable
    store or refused credentials stop the push before any graph is touched.

    Raises:
        StoreUnreachable: no connection.
        StoreAuthRefused: 401 or 403.
    """
    if not payloads:
        return
    url = graph_store_url(base, payloads[0].upload.graph)
    try:
        response = session.head(url, timeout=timeout)
    except requests.RequestException as exc:
        raise unreachable(exc, base) from exc
    if response.status_code in (401, 403):
        raise_for_status(response, f"HEAD {url}")


def send_payloads(
    session: requests.Session,
    base: str,
    payloads: list[Payload],
    *,
    timeout: float,
    on_sent: Callable[[Payload, int], None] = lambda payload, status: None,
) -> None:
    """PUT each payload in turn; stop at the first failure.

    Raises:
        PushFailed: a graph could not be sent; the message says which graphs
            were replaced and which were left as they were.
    """
    done: list[Payload] = []
    for index, payload in enumerate(payloads):
        url = graph_store_url(base, payload.upload.graph)
        try:
            with payload.path.open("rb") as body:
                try:
                    response = session.put(url, data=body, headers={"Content-Type": N_TRIPLES}, timeout=timeout)
                except requests.RequestException as exc:
                    raise unreachable(exc, base) from exc
            with response:
                raise_for_status(response, f"PUT {url}")
        except StoreError as exc:
            raise PushFailed(_failure_message(exc, done, payload, payloads[index + 1:])) from exc
        done.append(payload)
        on_sent(payload, response.status_code)


def _failure_message(exc: StoreError, done: list[Payload], failed: Payload, rest: list[Payload]) -> str:
    if isinstance(exc, StoreRefused):
        state = "left as it was (the store refused it)"
    else:
        state = ("not confirmed by the store: left as it was, since a store replaces a graph only once the "
                 "whole PUT has arrived (Oxigraph's server and Virtuoso do; check yours)")
    parts = [f"push stopped at {failed.name}: {exc}",
             "replaced: " + (", ".join(p.name for p in done) or "none"),
             f"{failed.name}: {state}"]
    if rest:
        parts.append("not sent, left as they were: " + ", ".join(p.name for p in rest))
    parts.append("run the push again to finish it")
    return "; ".join(parts)


def count_triples(remote: RemoteStore, graph: str) -> int:
    """How many triples the store holds in one named graph."""
    rows = remote.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"]["value"]) if rows else 0


def verify_counts(remote: RemoteStore, payloads: list[Payload]) -> list[tuple[Payload, int]]:
    """Each named graph's triple count in the store, checked against what was sent.

    Raises:
        PushFailed: a graph holds another number of triples than was sent.
    """
    counts = []
    for payload in payloads:
        if payload.upload.graph is None:
            continue  # a store's default graph may be the union of all graphs: nothing to compare
        held = count_triples(remote, payload.upload.graph)
        if held != payload.triples:
            raise PushFailed(f"{payload.name}: the store holds {held:,} triples after the push, "
                             f"but {payload.triples:,} were sent")
        counts.append((payload, held))
    return counts


def open_session(auth: requests.auth.AuthBase | None) -> requests.Session:
    session = requests.Session()
    session.auth = auth
    return session


def check_urls(*urls: str | None) -> None:
    """Raises StoreError for a URL that is not http(s) or carries credentials."""
    for url in urls:
        if url is not None:
            check_store_url(url)
