"""Settings: built once at the edge (CLI or app factory) and passed down.

Values come from the defaults, then ``KZGRAPH_*`` environment variables, then
explicit overrides such as CLI flags:

>>> Settings.from_env({"KZGRAPH_PORT": "9000"}, timeout=5.0).port
9000
>>> Settings.from_env({}, timeout=5.0).timeout
5.0
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"


def default_cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the inferred graph is cached: ``$XDG_CACHE_HOME/kzgraph`` or ``~/.cache/kzgraph``."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kzgraph"


@dataclass(frozen=True)
class Settings:
    """Everything configurable about kzgraph, in one immutable value."""

    root: Path | None = None
    """A folder holding ontology/, data/, shapes/ and queries/; None finds the shipped copy."""
    data: tuple[Path, ...] = ()
    """The user's own RDF files, loaded beside the shipped graph, each into a named graph of its own."""
    reason: bool = True
    """Add OWL RL entailments to the graph that queries see."""
    cache_dir: Path | None = field(default_factory=default_cache_dir)
    """Where the reasoned graph is cached; None disables the cache."""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    """Query processes of the endpoint."""
    timeout: float = 10.0
    """Seconds a query may run on the endpoint before it is stopped."""
    max_body_bytes: int = 1_000_000
    max_result_bytes: int = 50_000_000
    service_allowlist: tuple[str, ...] = (WIKIDATA_SPARQL,)
    """SERVICE endpoints a query may call; any other SERVICE is refused. Calls
    to them run inside the query and so fall under ``timeout``."""
    store: str | None = None
    """A SPARQL 1.1 query endpoint to serve from instead of the embedded store (``serve --store``)."""
    store_dialect: str = "generic"
    """``virtuoso`` passes the time limit on as Virtuoso's ``timeout`` parameter."""
    store_auth: str = "basic"
    """How credentials from KZGRAPH_STORE_USER/KZGRAPH_STORE_PASSWORD are sent: basic or digest."""
    answer_cache_bytes: int = 64_000_000
    """Bytes of answers each query process keeps for repeated requests (the dataset is read-only); 0 for none."""
    max_queue: int = 16
    """Requests beyond the first a query process takes on: under ``kzgraph serve`` a process takes
    ``1 + max_queue`` at once and further ones wait on their connection; in the pool of
    ``create_app`` they wait for a query process, and one more is refused at once (503, Retry-After)."""
    max_query_memory: int = 1_000_000_000
    """Bytes of working memory a query process may use before its query is stopped (503)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, **overrides: Any) -> Settings:
        """Defaults, overridden by ``KZGRAPH_<NAME>`` variables, overridden by ``overrides``.

        Raises:
            ValueError: a variable holds a value of the wrong type.
        """
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(f"KZGRAPH_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _convert(f.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)


def _convert(name: str, raw: str) -> Any:
    if name == "data":
        return tuple(Path(part) for part in raw.split(os.pathsep) if part)
    if name in {"root", "cache_dir"}:
        return Path(raw) if raw else None
    if name == "reason":
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if name in {"port", "workers", "max_body_bytes", "max_result_bytes", "max_queue", "max_query_memory",
                "answer_cache_bytes"}:
        return int(raw)
    if name == "timeout":
        return float(raw)
    if name == "service_allowlist":
        return tuple(part for part in raw.split() if part)
    return raw
