"""The one registry of formats: names, media types, file extensions, kinds.

CLI choices, content negotiation, download names, Content-Type headers and
the README's lists are all read from :data:`FORMATS`; nothing else names a
media type. A format is for SPARQL results (SELECT, ASK), for a graph
(CONSTRUCT, DESCRIBE, a resource) or for a dataset (quads, named graphs
kept apart); a graph can be written in a dataset format (its triples land in
the default graph) and a dataset in a graph format (its graphs merged).

>>> find("json", Kind.RESULTS).media_type
'application/sparql-results+json'
>>> find("json", Kind.GRAPH).name
'jsonld'
>>> find("xml", Kind.GRAPH).name, find("xml", Kind.RESULTS).name
('rdfxml', 'xml')
>>> [f.name for f in formats_for(Kind.GRAPH)]
['turtle', 'nt', 'jsonld', 'rdfxml', 'nquads', 'trig']
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    RESULTS = "results"
    """SELECT and ASK answers."""
    GRAPH = "graph"
    """Triples: CONSTRUCT and DESCRIBE answers, a resource, the ontology."""
    DATASET = "dataset"
    """Quads: the dataset with its named graphs."""


@dataclass(frozen=True)
class Format:
    name: str
    """The CLI choice and the value of the endpoint's ``format`` parameter."""
    label: str
    media_types: tuple[str, ...]
    """The first is what the server sends; the others are accepted as asked for."""
    extension: str
    kind: Kind
    engine_name: str
    """The member of pyoxigraph's ``QueryResultsFormat`` or ``RdfFormat`` that writes it."""
    w3c_name: str
    """Its name under ``http://www.w3.org/ns/formats/``, for the Service Description."""
    aliases: tuple[str, ...] = ()
    """Other names a person may give for it (``format=ttl``)."""

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    @property
    def content_type(self) -> str:
        """The Content-Type header: text formats say they are UTF-8 (JSON-LD always is)."""
        return self.media_type if self.media_type == "application/ld+json" else f"{self.media_type}; charset=utf-8"

    @property
    def holds_quads(self) -> bool:
        return self.kind is Kind.DATASET

    def filename(self, stem: str) -> str:
        return f"{stem}.{self.extension}"


FORMATS: tuple[Format, ...] = (
    Format("json", "SPARQL JSON", ("application/sparql-results+json", "application/json"), "srj", Kind.RESULTS,
           "JSON", "SPARQL_Results_JSON"),
    Format("xml", "SPARQL XML", ("application/sparql-results+xml", "application/xml", "text/xml"), "srx",
           Kind.RESULTS, "XML", "SPARQL_Results_XML"),
    Format("csv", "CSV", ("text/csv",), "csv", Kind.RESULTS, "CSV", "SPARQL_Results_CSV"),
    Format("tsv", "TSV", ("text/tab-separated-values",), "tsv", Kind.RESULTS, "TSV", "SPARQL_Results_TSV"),
    Format("turtle", "Turtle", ("text/turtle", "application/x-turtle"), "ttl", Kind.GRAPH, "TURTLE", "Turtle", ("ttl",)),
    Format("nt", "N-Triples", ("application/n-triples", "text/plain"), "nt", Kind.GRAPH, "N_TRIPLES",
           "N-Triples", ("ntriples", "n-triples")),
    Format("jsonld", "JSON-LD", ("application/ld+json", "application/json"), "jsonld", Kind.GRAPH, "JSON_LD",
           "JSON-LD", ("json-ld", "json")),
    Format("rdfxml", "RDF/XML", ("application/rdf+xml", "application/xml", "text/xml"), "rdf", Kind.GRAPH,
           "RDF_XML", "RDF_XML", ("rdf", "xml")),
    Format("nquads", "N-Quads", ("application/n-quads",), "nq", Kind.DATASET, "N_QUADS", "N-Quads", ("nq", "n-quads")),
    Format("trig", "TriG", ("application/trig",), "trig", Kind.DATASET, "TRIG", "TriG"),
)
"""Every format, in the order of preference when a client accepts several."""


def formats_for(kind: Kind) -> tuple[Format, ...]:
    """The formats an answer of ``kind`` can be written in: graph and dataset formats serve each other."""
    if kind is Kind.RESULTS:
        return tuple(f for f in FORMATS if f.kind is Kind.RESULTS)
    rdf = tuple(f for f in FORMATS if f.kind is not Kind.RESULTS)
    if kind is Kind.DATASET:  # a dataset prefers the formats that keep its graphs apart
        return tuple(sorted(rdf, key=lambda f: not f.holds_quads))
    return rdf


def find(name: str, kind: Kind) -> Format | None:
    """The format of ``kind`` that ``name`` (a name, an alias or a media type) stands for, if any."""
    wanted = name.strip().lower()
    candidates = formats_for(kind)
    for key in ("name", "aliases", "media_types"):
        for fmt in candidates:
            value = getattr(fmt, key)
            if wanted == value or (isinstance(value, tuple) and wanted in value):
                return fmt
    return None


def by_name(name: str) -> Format:
    """The format named ``name`` exactly.

    Raises:
        KeyError: no format has that name.
    """
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise KeyError(name)


def names(kind: Kind | None = None) -> tuple[str, ...]:
    """The names of every format (of one kind, if given)."""
    return tuple(f.name for f in FORMATS if kind is None or f.kind is kind)


def formats_markdown() -> str:
    """The registry as the Markdown table the README shows."""
    lines = ["| name | format | media types | extension | for |", "| --- | --- | --- | --- | --- |"]
    uses = {Kind.RESULTS: "SELECT, ASK", Kind.GRAPH: "CONSTRUCT, DESCRIBE, export",
            Kind.DATASET: "CONSTRUCT, DESCRIBE, export (graphs kept apart)"}
    for fmt in FORMATS:
        aliases = "".join(f", `{alias}`" for alias in fmt.aliases)
        media = ", ".join(f"`{m}`" for m in fmt.media_types)
        lines.append(f"| `{fmt.name}`{aliases} | {fmt.label} | {media} | `.{fmt.extension}` | {uses[fmt.kind]} |")
    return "\n".join(lines) + "\n"
