"""kzgraph: a Linked Data knowledge graph of Kazakhstan's diplomacy in 2025.

The public API loads the shipped graph into an embedded SPARQL store, runs
queries, validates data against the SHACL shapes and exports the graph:

>>> from kzgraph import Settings, load_store
>>> store = load_store(Settings())
>>> store.ask("ASK { kzr:country-KAZ a kz:State }")
True
"""

__version__ = "0.1.0"

from kzgraph.config import Settings
from kzgraph.errors import KzGraphError, LoadError, QueryError, UnknownQuery
from kzgraph.loader import load_store
from kzgraph.queries import read_all_queries, read_query

_LAZY = {"export_graph": "kzgraph.export", "validate_files": "kzgraph.validate", "write_export": "kzgraph.export"}
"""Public names whose modules import rdflib: loaded on first use, so a query starts fast."""


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kzgraph' has no attribute {name!r}")


__all__ = [
    "KzGraphError",
    "LoadError",
    "QueryError",
    "Settings",
    "UnknownQuery",
    "__version__",
    "export_graph",
    "load_store",
    "read_all_queries",
    "read_query",
    "validate_files",
    "write_export",
]
