"""The seam between kzgraph and whatever SPARQL store answers.

The web and command-line layers see only :class:`Backend`: run a query job
and get bytes and a format back, dump a graph, give statistics. Behind it
stand the embedded pyoxigraph store (:mod:`kzgraph.backends.embedded`),
run in killable processes with every limit (:mod:`kzgraph.backends.pool`),
or any SPARQL 1.1 endpoint. Nothing outside ``backends/`` and the loader
needs to know which.

Helpers here build on :meth:`Backend.run` only, so they work with any store:

- :func:`select` gives a SELECT's rows as SPARQL 1.1 JSON bindings;
- :func:`bind` puts IRIs in place of variables, safely, in the query text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Protocol

from kzgraph.analysis import tokenize, unescape
from kzgraph.config import Settings
from kzgraph.errors import QueryError, StoreError
from kzgraph.formats import Format, by_name

if TYPE_CHECKING:
    from kzgraph.store import KnowledgeStore


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
    etag: str | None = None
    """A validator for the body, when the backend keeps answers (see :mod:`kzgraph.backends.cache`)."""


@dataclass(frozen=True)
class Stats:
    """What the Service Description and VoID say about the dataset, counted once (it is read-only)."""

    triples: int
    graph_sizes: dict[str, int] = field(default_factory=dict)
    entities: int = 0
    classes: int = 0
    properties: int = 0
    distinct_subjects: int = 0
    distinct_objects: int = 0
    sources: tuple[str, ...] = ()


class Backend(Protocol):
    """A read-only SPARQL dataset, whatever holds it."""

    def run(self, job: QueryJob) -> QueryAnswer:
        """Check, run and serialize ``job`` within its limits.

        Raises:
            KzGraphError: any failure, typed (see :mod:`kzgraph.errors`).
        """

    def dump(self, graph: str | None, fmt: Format, out: BinaryIO) -> None:
        """Write one named graph (or, with None, the whole dataset) to ``out``.

        Raises:
            NotFound: no graph of that name.
        """

    def graph_names(self) -> list[str]:
        """The named graphs, sorted."""

    def stats(self) -> Stats:
        """Counts of the dataset."""

    def close(self) -> None:
        """Release processes and connections; calling it again does nothing."""


def open_backend(settings: Settings, store: KnowledgeStore | None = None,
                 environ: Mapping[str, str] | None = None, *, in_process: bool = False) -> Backend:
    """The backend ``settings`` ask for: the remote store at ``settings.store``, or the
    embedded one (``store``, or the prepared store of ``settings``), queried in a pool
    of killable processes, or with ``in_process`` in this process by a server that
    replaces the process when a query overruns (:mod:`kzgraph.server`); its answers
    are kept (:mod:`kzgraph.backends.cache`), since it does not change while served.

    Credentials for a remote store come from ``environ`` (KZGRAPH_STORE_USER and
    KZGRAPH_STORE_PASSWORD, or KZGRAPH_STORE_TOKEN), never from settings or URLs.

    Raises:
        LoadError: the embedded dataset cannot be loaded.
        StoreError: the remote store's settings are wrong.
    """
    if settings.store:
        from kzgraph.backends.remote import RemoteBackend
        from kzgraph.remote import VIRTUOSO_TIMEOUT, RemoteStore, auth_from_env

        dialects = {"generic": None, "virtuoso": VIRTUOSO_TIMEOUT}
        if settings.store_dialect not in dialects:
            raise StoreError(f"unknown store dialect {settings.store_dialect!r} (use one of: {', '.join(dialects)})")
        client = RemoteStore(settings.store, timeout=settings.timeout, max_result_bytes=settings.max_result_bytes,
                             auth=auth_from_env(os.environ if environ is None else environ, settings.store_auth),
                             timeout_parameter=dialects[settings.store_dialect])
        return RemoteBackend(client, workers=settings.workers, max_queue=settings.max_queue)
    from kzgraph.backends.cache import CachedBackend
    from kzgraph.backends.inprocess import InProcessBackend
    from kzgraph.backends.pool import ProcessPoolBackend
    from kzgraph.loader import load_store

    store = store or load_store(settings)
    embedded: Backend
    if in_process:
        embedded = InProcessBackend(store, timeout=settings.timeout, max_queue=settings.max_queue,
                                    max_query_memory=settings.max_query_memory)
    else:
        embedded = ProcessPoolBackend(store, workers=settings.workers, timeout=settings.timeout,
                                      max_queue=settings.max_queue, max_query_memory=settings.max_query_memory)
    if settings.answer_cache_bytes > 0:
        embedded = CachedBackend(embedded, max_bytes=settings.answer_cache_bytes)
    return embedded


JSON_RESULTS = by_name("json")


def select(backend: Backend, text: str, **bindings: str) -> list[dict[str, dict[str, str]]]:
    """A SELECT query's rows as SPARQL 1.1 JSON bindings (var → {"type", "value", ...}).

    ``bindings`` put IRIs in place of variables (see :func:`bind`).

    Raises:
        QueryError: the query is not a SELECT, or as :meth:`Backend.run`.
    """
    answer = backend.run(QueryJob(bind(text, **bindings), accept=JSON_RESULTS.media_type, allowlist=None))
    if answer.format != JSON_RESULTS:
        raise QueryError("not a SELECT query")
    document = json.loads(answer.body)
    if "results" not in document:
        raise QueryError("not a SELECT query")
    return document["results"]["bindings"]


_IRI_FORBIDDEN = set('<>"{}|^`\\') | {chr(c) for c in range(0x21)}


def is_iri(value: str) -> bool:
    """Whether ``value`` can stand between ``<`` and ``>`` as an absolute IRI.

    >>> is_iri("https://w3id.org/kzgraph/resource/org-sco"), is_iri("a b>"), is_iri("relative")
    (True, False, False)
    """
    return bool(value) and ":" in value and not any(ch in _IRI_FORBIDDEN for ch in value)


def bind(text: str, **bindings: str) -> str:
    """``text`` with each ``?name`` of ``bindings`` replaced by the IRI bound to it.

    In a SELECT's projection the variable stays, bound: ``SELECT ?x`` becomes
    ``SELECT (<iri> AS ?x)``. The IRI is checked, never trusted: it cannot
    close the IRI or inject text. Don't bind a variable the query assigns
    itself (``BIND(... AS ?x)``, ``VALUES ?x``).

    >>> bind("SELECT ?x ?l WHERE { ?x rdfs:label ?l }", x="https://w3id.org/kzgraph/resource/org-sco")
    'SELECT (<https://w3id.org/kzgraph/resource/org-sco> AS ?x) ?l WHERE { <https://w3id.org/kzgraph/resource/org-sco> rdfs:label ?l }'

    Raises:
        QueryError: a bound value is not an absolute IRI.
    """
    if not bindings:
        return text
    for name, iri in bindings.items():
        if not is_iri(iri):
            raise QueryError(f"cannot bind ?{name} to {iri!r}: not an IRI")
    text = unescape(text)
    tokens = tokenize(text)
    pieces, cursor, in_projection = [], 0, False
    for token in tokens:
        upper = token.text.upper()
        if upper == "SELECT":
            in_projection = True
        elif in_projection and (upper == "WHERE" or token.text == "{" or upper == "FROM"):
            in_projection = False
        if token.kind != "var" or token.text[1:] not in bindings:
            continue
        start = token.offset
        iri = f"<{bindings[token.text[1:]]}>"
        pieces += [text[cursor:start], f"({iri} AS {token.text})" if in_projection else iri]
        cursor = start + len(token.text)
    return "".join(pieces) + text[cursor:]


__all__ = ["Backend", "QueryAnswer", "QueryJob", "Stats", "bind", "is_iri", "open_backend", "select"]
