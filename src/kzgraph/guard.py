"""Read-only and SERVICE policy, checked before a query reaches any store.

The request is analysed once (:mod:`kzgraph.analysis`): an update is refused
as such, and a SERVICE may only call an endpoint of the allowlist, whatever
its spelling (lowercase, SILENT, a prefixed name, a relative IRI, a
``\\u`` escape):

>>> check_request("SELECT * WHERE { service <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
...               allowlist=["https://query.wikidata.org/sparql"]).services
('https://query.wikidata.org/sparql',)
>>> check_request("SELECT * WHERE { SERVICE SILENT <http://example.org/> { } }", allowlist=[])
Traceback (most recent call last):
kzgraph.errors.ServiceRefused: SERVICE <http://example.org/> is not allowed (allowed: none)
"""

from __future__ import annotations

from collections.abc import Iterable

from kzgraph.analysis import QueryShape, analyse
from kzgraph.errors import ServiceRefused, UpdateRefused
from kzgraph.namespaces import PREFIXES

READ_ONLY = "SPARQL Update is not allowed: this endpoint is read-only"


def check_request(text: str, *, allowlist: Iterable[str] | None, base_iri: str | None = None) -> QueryShape:
    """The shape of a query that may run: not an update, calling only allowed SERVICEs.

    ``allowlist`` None allows every SERVICE (the command line, run by the
    graph's own user); the endpoint always passes its list.

    Raises:
        MalformedQuery: the text is certainly not a valid query.
        UpdateRefused: the text is a SPARQL Update.
        ServiceRefused: a SERVICE endpoint is a variable or is not allowed.
    """
    shape = analyse(text, PREFIXES, base_iri)
    if shape.is_update:
        raise UpdateRefused(READ_ONLY)
    if allowlist is not None:
        allowed = set(allowlist)
        for endpoint in shape.services:
            if endpoint not in allowed:
                shown = ", ".join(f"<{iri}>" for iri in sorted(allowed)) or "none"
                what = endpoint if endpoint.startswith("?") else f"<{endpoint}>"
                raise ServiceRefused(f"SERVICE {what} is not allowed (allowed: {shown})")
    return shape
