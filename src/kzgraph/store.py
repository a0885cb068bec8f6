"""The embedded SPARQL store: pyoxigraph, read-only, with one named graph each
for the ontology, the curated data and the inferred triples.

Queries see the union of the named graphs as their default graph and may use
the project's prefixes without declaring them. This class is the seam where
an external SPARQL store could be put instead.

>>> import pyoxigraph as ox
>>> from kzgraph.namespaces import DATA_GRAPH, KZR
>>> raw = ox.Store()
>>> raw.add(ox.Quad(ox.NamedNode(KZR + "a"), ox.NamedNode(KZR + "p"), ox.Literal("1"), ox.NamedNode(DATA_GRAPH)))
>>> KnowledgeStore(raw).select("SELECT ?o WHERE { kzr:a kzr:p ?o }")[0]["o"].value
'1'
"""

from __future__ import annotations

import functools
import shutil
import weakref
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Union

import pyoxigraph as ox

from kzgraph.analysis import QueryShape, analyse, explain
from kzgraph.errors import QueryError, ServiceFailed, UpdateRefused
from kzgraph.guard import READ_ONLY
from kzgraph.namespaces import PREFIXES

Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]
QueryResult = Union[ox.QuerySolutions, ox.QueryBoolean, ox.QueryTriples]


class KnowledgeStore:
    """A read-only view of a pyoxigraph store holding the kzgraph dataset.

    ``on_close``, if given, is called once: when the store is closed, collected
    or left at the end of the process (a temporary folder to remove, say, or
    a dataset in memory to write to disk).
    """

    def __init__(self, store: ox.Store, path: Path | None = None, *,
                 on_close: Callable[[], None] | None = None) -> None:
        self._store = store
        self.path = path
        """The store's folder on disk, for other processes to open; None for a store in memory."""
        self._on_close = weakref.finalize(self, on_close) if on_close is not None else None

    @classmethod
    def open(cls, path: Path, *, temporary: bool = False) -> KnowledgeStore:
        """Open a store prepared by :func:`kzgraph.loader.prepare_store`, read-only.

        A ``temporary`` store's folder is removed when it is closed.
        """
        return cls(ox.Store.read_only(str(path)), Path(path),
                   on_close=functools.partial(shutil.rmtree, str(path), True) if temporary else None)

    def close(self) -> None:
        """Done with the store: what is to follow it (see ``on_close``) happens now, once.

        Otherwise it happens when this object is collected, or when the process ends.
        """
        if self._on_close is not None:
            self._on_close()

    def __enter__(self) -> KnowledgeStore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def query(
        self,
        text: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
        shape: QueryShape | None = None,
    ) -> QueryResult:
        """Run a SPARQL query.

        ``default_graphs``/``named_graphs`` set the dataset as the protocol's
        ``default-graph-uri``/``named-graph-uri`` do: when either is given,
        the dataset is exactly those graphs (an empty default graph, or no
        named graphs, where one list is missing). Without them the query's
        own FROM/FROM NAMED apply, and without those the default graph is the
        union of all graphs. ``bindings`` binds variables to terms (never
        string formatting); ``base_iri`` resolves relative IRIs. ``shape`` is
        the query's :func:`~kzgraph.analysis.analyse` result, if the caller
        has it already.

        Raises:
            MalformedQuery: the text is not a valid SPARQL query (line and column said).
            UpdateRefused: the text is a SPARQL Update.
            ServiceFailed: an ASK's SERVICE call failed (other forms fail as they are read).
            QueryError: the query cannot be run as asked (such as a binding of
                a variable it does not project).
        """
        if shape is None:
            shape = analyse(text, PREFIXES, base_iri)
        if shape.is_update:
            raise UpdateRefused(READ_ONLY)
        options: dict = {"prefixes": PREFIXES, "base_iri": base_iri}
        if default_graphs or named_graphs:
            # The store's own default graph is empty: everything lives in named graphs.
            options["default_graph"] = [_graph_name(iri) for iri in default_graphs or ()] or [ox.DefaultGraph()]
            options["named_graphs"] = [_graph_name(iri) for iri in named_graphs or ()]
        elif not shape.declares_dataset:
            options["use_default_graph_as_union"] = True
        if bindings:
            options["substitutions"] = {ox.Variable(k): v for k, v in bindings.items()}
        try:
            return self._store.query(text, **options)
        except SyntaxError as exc:
            raise explain(text, str(exc)) from None
        except OSError as exc:  # an ASK is evaluated at once, with its SERVICE calls
            raise ServiceFailed(f"the query failed while it ran: {exc}") from None
        except (ValueError, RuntimeError) as exc:
            raise QueryError(str(exc)) from None

    def select(self, text: str, **bindings: Term) -> list[dict[str, Term]]:
        """A SELECT query's rows as dicts of variable name → term (unbound left out)."""
        result = self.query(text, bindings=bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("not a SELECT query")
        names = [v.value for v in result.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in result]

    def ask(self, text: str, **bindings: Term) -> bool:
        """An ASK query's answer."""
        result = self.query(text, bindings=bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("not an ASK query")
        return bool(result)

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad, or those of one named graph."""
        return self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph) if graph else None)

    def __len__(self) -> int:
        return len(self._store)

    def dump(self, output, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS, graph: str | None = None) -> None:
        """Write the whole dataset (or one named graph) to a path or binary file, streamed.

        A triple format without ``graph`` merges every graph: the union, as queries see it.
        """
        target = str(output) if isinstance(output, Path) else output
        if graph is not None:
            self._store.dump(target, format=fmt, from_graph=ox.NamedNode(graph))
        elif fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            self._store.dump(target, format=fmt)
        else:
            union = self._store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
            ox.serialize(union, target, fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TURTLE else None)


def _graph_name(iri: str) -> ox.NamedNode:
    """A graph of the dataset, by its IRI.

    Raises:
        QueryError: ``iri`` is not an absolute IRI.
    """
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise QueryError(f"a graph name must be an absolute IRI, not {iri!r} ({exc})") from None
