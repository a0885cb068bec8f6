"""What the application serves, kept in ``app.extensions`` (no globals)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from kzgraph.config import Settings
from kzgraph.errors import QueryError
from kzgraph.queries import NamedQuery
from kzgraph.store import KnowledgeStore
from kzgraph.executor import QueryExecutor
from kzgraph.web.descriptions import DatasetStats

EXTENSION = "kzgraph"


@dataclass(frozen=True)
class KgState:
    settings: Settings
    store: KnowledgeStore
    """The dataset, in this process: descriptions, downloads and resource pages."""
    executor: QueryExecutor
    """The query processes: every client query runs there, under the time limit."""
    queries: dict[str, NamedQuery]
    labels: dict[str, str]
    """IRI → English label, for pages (the graph is read-only, so computed once)."""
    stats: DatasetStats
    """Counts for the Service Description and VoID, also computed once."""


    def select(self, text: str, **bindings: str) -> list[dict[str, dict[str, str]]]:
        """A SELECT query's rows as SPARQL 1.1 JSON bindings (var → {"type", "value", ...}).

        This is how pages read the graph: plain values, whatever store
        answers. ``bindings`` bind variables (which the query must project) to
        IRIs, never by formatting text.

        Raises:
            QueryError: the query is malformed or not a SELECT.
        """
        import json

        import pyoxigraph as ox

        result = self.store.query(text, bindings={k: ox.NamedNode(v) for k, v in bindings.items()})
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("not a SELECT query")
        return json.loads(result.serialize(format=ox.QueryResultsFormat.JSON))["results"]["bindings"]


def state() -> KgState:
    return current_app.extensions[EXTENSION]
