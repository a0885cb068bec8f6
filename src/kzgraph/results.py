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

from typing import IO

import pyoxigraph as ox

from kzgraph.namespaces import PREFIXES

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
"""Formats for SELECT and ASK results."""

GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
"""Formats for CONSTRUCT and DESCRIBE results and for graph downloads."""

_QUAD_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}


def write_result(result, fmt: ox.QueryResultsFormat | ox.RdfFormat, output: IO[bytes]) -> None:
    """Serialize a query result (solutions, boolean or triples) to ``output``.

    Triples written in a quad format land in the default graph.
    """
    if isinstance(result, ox.QueryTriples):
        if not isinstance(fmt, ox.RdfFormat):
            raise ValueError(f"{fmt} is not an RDF format")
        triples = result
        if fmt in _QUAD_FORMATS:
            triples = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in result)
        ox.serialize(triples, output, fmt, prefixes=_prefixes_for(fmt))
    else:
        if not isinstance(fmt, ox.QueryResultsFormat):
            raise ValueError(f"{fmt} is not a SPARQL results format")
        result.serialize(output, fmt)


def _prefixes_for(fmt: ox.RdfFormat) -> dict[str, str] | None:
    """All project prefixes where the format has them: a streamed result cannot know which it will use."""
    return PREFIXES if fmt in {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG} else None


def compact(term) -> str:
    """A term as a person reads it: prefixed name, or a literal's text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, iri in PREFIXES.items():
            if term.value.startswith(iri) and "/" not in term.value[len(iri):]:
                return f"{prefix}:{term.value[len(iri):]}"
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def render_table(result) -> str:
    """SELECT rows, an ASK answer or CONSTRUCT triples as an aligned text table."""
    if isinstance(result, ox.QueryBoolean):
        return ("yes" if bool(result) else "no") + "\n"
    if isinstance(result, ox.QueryTriples):
        header = ["subject", "predicate", "object"]
        rows = [[compact(t.subject), compact(t.predicate), compact(t.object)] for t in result]
    else:
        header = [v.value for v in result.variables]
        rows = [[compact(row[name]) for name in header] for row in result]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = [_row(header, widths), "-+-".join("-" * w for w in widths)]
    lines += [_row(r, widths) for r in rows]
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return "\n".join(line.rstrip() for line in lines) + "\n" + footer + "\n"


def _row(cells: list[str], widths: list[int]) -> str:
    return " | ".join(c.replace("\n", " ").ljust(w) for c, w in zip(cells, widths))
