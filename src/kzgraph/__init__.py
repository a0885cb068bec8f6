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
from kzgraph.export import export_graph
from kzgraph.loader import load_store
from kzgraph.queries import read_all_queries, read_query
from kzgraph.validate import validate_files

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
]
