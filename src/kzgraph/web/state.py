"""What the application serves, kept in ``app.extensions`` (no globals)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from kzgraph import backends
from kzgraph.backends import Backend, Stats
from kzgraph.config import Settings
from kzgraph.queries import NamedQuery

EXTENSION = "kzgraph"


@dataclass(frozen=True)
class KgState:
    settings: Settings
    backend: Backend
    """The dataset: every query, page, description and download goes through it, within its limits."""
    queries: dict[str, NamedQuery]
    labels: dict[str, str]
    """IRI → English label, for pages (the graph is read-only, so computed once)."""
    stats: Stats
    """Counts for the Service Description and VoID, also computed once."""
    dumps: Path
    """Where downloads of the dataset are written once and then served from."""

    def select(self, text: str, **bindings: str) -> list[dict[str, dict[str, str]]]:
        """A SELECT query's rows as SPARQL 1.1 JSON bindings (var → {"type", "value", ...}).

        This is how pages read the graph: plain values, whatever store
        answers, within the query time limit. ``bindings`` put IRIs in place
        of variables (:func:`kzgraph.backends.bind`), never by formatting text.

        Raises:
            QueryError: the query is malformed or not a SELECT.
        """
        return backends.select(self.backend, text, **bindings)


def state() -> KgState:
    return current_app.extensions[EXTENSION]


def cached(name: str, build):
    """A value computed once per application (the graph is read-only), kept in ``app.extensions``.

    Pages use it for what they derive from the whole graph (the search index,
    the ontology's terms, the annotations), so no request pays for it twice.
    """
    memo = current_app.extensions.setdefault(EXTENSION + ".pages", {})
    if name not in memo:
        memo[name] = build()
    return memo[name]
