"""What the application serves, kept in ``app.extensions`` (no globals)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from kzgraph.config import Settings
from kzgraph.queries import NamedQuery
from kzgraph.store import KnowledgeStore
from kzgraph.web.describe import DatasetStats
from kzgraph.web.executor import QueryExecutor

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


def state() -> KgState:
    return current_app.extensions[EXTENSION]
