"""Example queries as data: one ``.rq`` file each, opened by a grlc-style header.

>>> from kzgraph.config import Settings
>>> from kzgraph import resources
>>> q = read_all_queries(resources.queries_dir(Settings()))["proposals-at-sco-tianjin"]
>>> q.summary.startswith("Proposals")
True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kzgraph.errors import QueryError, UnknownQuery


@dataclass(frozen=True)
class NamedQuery:
    name: str
    summary: str
    tags: tuple[str, ...]
    text: str


def read_query(path: Path) -> NamedQuery:
    """Read one ``.rq`` file with its ``#+ summary:`` and ``#+ tags:`` lines.

    Raises:
        QueryError: the file has no summary line or cannot be read.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QueryError(f"{path}: {exc.strerror or exc}") from exc
    meta: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#+"):
            key, _, value = line[2:].partition(":")
            meta[key.strip()] = value.strip()
    if "summary" not in meta:
        raise QueryError(f"{path.name}: missing '#+ summary:' line")
    tags = tuple(t.strip() for t in meta.get("tags", "").split(",") if t.strip())
    return NamedQuery(path.stem, meta["summary"], tags, text)


def read_all_queries(folder: Path) -> dict[str, NamedQuery]:
    """The example queries of ``folder`` (not its subfolders), by name."""
    return {path.stem: read_query(path) for path in sorted(folder.glob("*.rq"))}


def find_query(folder: Path, name: str) -> NamedQuery:
    """One example query by name.

    Raises:
        UnknownQuery: there is no ``folder/name.rq``.
    """
    queries = read_all_queries(folder)
    if name not in queries:
        known = ", ".join(queries) or "none"
        raise UnknownQuery(f"no example query named {name!r} (known: {known})")
    return queries[name]
