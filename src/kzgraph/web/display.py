"""Terms as a reader sees them: a label for an IRI (its CURIE on hover), a
link to its page, a date at its precision.

Terms arrive as SPARQL 1.1 JSON bindings ({"type", "value", "datatype",
"xml:lang"}), whichever store answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from kzgraph.namespaces import KZ, KZR, PREFIXES, WIKIDATA_ENTITY
from kzgraph.web.dates import DATE_TYPES, describe_date

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
WELL_KNOWN = {
    PREFIXES["rdfs"] + "label": "label", PREFIXES["rdfs"] + "comment": "comment",
    PREFIXES["rdfs"] + "seeAlso": "see also", PREFIXES["rdf"] + "type": "type",
    PREFIXES["skos"] + "exactMatch": "exact match", PREFIXES["skos"] + "closeMatch": "close match",
    PREFIXES["skos"] + "altLabel": "also called", PREFIXES["skos"] + "prefLabel": "label",
    PREFIXES["skos"] + "definition": "definition", PREFIXES["dcterms"] + "title": "title",
    PREFIXES["dcterms"] + "date": "date", PREFIXES["dcterms"] + "publisher": "publisher",
    PREFIXES["schema"] + "genre": "genre", PREFIXES["schema"] + "locationCreated": "place of writing",
    PREFIXES["owl"] + "sameAs": "same as",
}
"""Names for the common vocabulary terms the graph does not label itself."""


@dataclass(frozen=True)
class Shown:
    text: str
    href: str = ""
    title: str = ""
    """The CURIE (or datatype) on hover."""
    external: bool = False


def curie(iri: str) -> str:
    """The IRI as a prefixed name where a project prefix fits, else ``<iri>``.

    >>> curie("https://w3id.org/kzgraph/resource/country-KAZ"), curie("http://example.org/x")
    ('kzr:country-KAZ', '<http://example.org/x>')
    """
    for prefix, namespace in PREFIXES.items():
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and "/" not in local and "#" not in local:
            return f"{prefix}:{local}"
    return f"<{iri}>"


def href_for(iri: str) -> tuple[str, bool]:
    """Where a link to the IRI goes, and whether that is outside this server."""
    if iri.startswith(KZR):
        return url_for("pages.resource", key=iri[len(KZR):]), False
    if iri.startswith(KZ):
        return url_for("pages.ontology") + "#" + iri[len(KZ):], False
    return iri, True


def show_iri(iri: str, labels: dict[str, str]) -> Shown:
    href, external = href_for(iri)
    name = curie(iri)
    if iri.startswith(WIKIDATA_ENTITY) and iri not in labels:
        return Shown(name, href, iri, external)
    fallback = WELL_KNOWN.get(iri) or (name if not name.startswith("<") else iri)
    return Shown(labels.get(iri, fallback), href, name, external)


def show(term: dict[str, str], labels: dict[str, str]) -> Shown:
    """A bound term for a page."""
    if term["type"] == "uri":
        return show_iri(term["value"], labels)
    if term["type"] == "bnode":
        return Shown("(unnamed node)")
    datatype = term.get("datatype", "")
    if datatype in DATE_TYPES:
        text = describe_date(term["value"], datatype)
        if text:
            return Shown(text, title=f'{term["value"]} ({curie(datatype)})')
    if term.get("xml:lang"):
        return Shown(term["value"])
    if datatype and datatype != XSD_STRING:
        return Shown(term["value"], title=curie(datatype))
    return Shown(term["value"])
