"""Write query results in the SPARQL result and RDF formats, and as a table.

Only pyoxigraph is needed, so the endpoint's query processes stay light.

>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("https://w3id.org/kzgraph/resource/x"), ox.NamedNode("urn:p"), ox.Literal("1")))
>>> print(render_table(store.query("SELECT ?s ?o WHERE { ?s ?p ?o }")), end="")
s     | o
------+--
kzr:x | 1
(1 row)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO

import pyoxigraph as ox

from kzgraph.errors import QueryError, ServiceFailed
from kzgraph.formats import Format, Kind, formats_for
from kzgraph.namespaces import PREFIXES
from kzgraph.namespaces import compact as compact_iri



def engine_format(fmt: Format) -> ox.QueryResultsFormat | ox.RdfFormat:
    """pyoxigraph's writer for a registry format."""
    table = ox.QueryResultsFormat if fmt.kind is Kind.RESULTS else ox.RdfFormat
    return getattr(table, fmt.engine_name)


def write_result(result, fmt: Format, output: IO[bytes]) -> None:
    """Serialize a query result (solutions, boolean or triples) to ``output`` in ``fmt``.

    Triples written in a quad format land in the default graph. Results are
    computed lazily, as they are written, so this is where a query that
    fails while it runs (a SERVICE that does not answer) fails.

    Raises:
        QueryError: ``fmt`` does not fit the kind of result.
        ServiceFailed: the query failed while it ran.
    """
    if (fmt.kind is Kind.RESULTS) != (result_kind(result) is Kind.RESULTS):
        kind = "CONSTRUCT/DESCRIBE" if isinstance(result, ox.QueryTriples) else "SELECT/ASK"
        fitting = ", ".join(f.name for f in formats_for(result_kind(result)))
        raise QueryError(f"{fmt.label} does not fit a {kind} query (use one of: {fitting})")
    with failures_while_running():
        if isinstance(result, ox.QueryTriples):
            triples = result
            if fmt.holds_quads:
                triples = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in result)
            ox.serialize(triples, output, engine_format(fmt), prefixes=_prefixes_for(fmt))
        else:
            result.serialize(output, engine_format(fmt))


@contextmanager
def failures_while_running() -> Iterator[None]:
    """Errors the engine raises while a lazily computed result is read, as :class:`ServiceFailed`.

    A closed output (``BrokenPipeError``) is not the query's fault and passes as it is.
    """
    try:
        yield
    except BrokenPipeError:
        raise
    except (OSError, RuntimeError) as exc:
        raise ServiceFailed(f"the query failed while it ran: {exc}") from None


def result_kind(result) -> Kind:
    """RESULTS for SELECT and ASK answers, GRAPH for CONSTRUCT and DESCRIBE."""
    return Kind.GRAPH if isinstance(result, ox.QueryTriples) else Kind.RESULTS


def _prefixes_for(fmt: Format) -> dict[str, str] | None:
    """All project prefixes where the format has them: a streamed result cannot know which it will use."""
    return PREFIXES if fmt.name in {"turtle", "trig"} else None


def serialize_statements(statements: Iterable, fmt: Format, *, quads: bool = False) -> bytes:
    """A small set of triples (or, with ``quads``, quads) as one sorted document in ``fmt``.

    Triples written in a quad format land in the default graph; quads written
    in a triple format are merged. Turtle and TriG declare only the project
    prefixes they use.
    """
    items = sorted(statements, key=str)
    if fmt.holds_quads and not quads:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in items]
    elif not fmt.holds_quads and quads:
        items = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in items}, key=str)
    prefixes = _used_prefixes(items) if fmt.name in {"turtle", "trig"} else None
    return ox.serialize(items, format=engine_format(fmt), prefixes=prefixes)


def _used_prefixes(items: list) -> dict[str, str]:
    """The project prefixes whose namespace occurs in ``items``, so a document declares only those."""
    text = "\n".join(str(item) for item in items)
    return {name: iri for name, iri in PREFIXES.items() if f"<{iri}" in text}


def compact(term) -> str:
    """A term as a person reads it: prefixed name, or a literal's text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def render_table(result) -> str:
    """SELECT rows, an ASK answer or CONSTRUCT triples as an aligned text table.

    Raises:
        ServiceFailed: the query failed while it ran.
    """
    if isinstance(result, ox.QueryBoolean):
        return ("yes" if bool(result) else "no") + "\n"
    with failures_while_running():
        if isinstance(result, ox.QueryTriples):
            header = ["subject", "predicate", "object"]
            rows = [[_cell(compact(t.subject)), _cell(compact(t.predicate)), _cell(compact(t.object))]
                    for t in result]
        else:
            header = [v.value for v in result.variables]
            rows = [[_cell(compact(row[name])) for name in header] for row in result]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = [_row(header, widths), "-+-".join("-" * w for w in widths)]
    lines += [_row(r, widths) for r in rows]
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return "\n".join(line.rstrip() for line in lines) + "\n" + footer + "\n"


def _row(cells: list[str], widths: list[int]) -> str:
    return " | ".join(c.ljust(w) for c, w in zip(cells, widths))


def _cell(text: str) -> str:
    """A value on one line: line breaks and tabs shown as escapes, so a row stays a row."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
