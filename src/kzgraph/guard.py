"""Read-only and SERVICE policy, checked before a query reaches the store.

pyoxigraph's query parser refuses updates but gives a grammar message, and it
calls any SERVICE it is given. This module tells an update apart so that it
can be refused as such, and lists a query's SERVICE endpoints so that only
allowed ones are called:

>>> service_endpoints("SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }")
['https://query.wikidata.org/sparql']
>>> service_endpoints("SELECT * WHERE { ?s ?p ?o }")
[]
>>> is_update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kzgraph.errors import QueryError, ServiceRefused, UpdateRefused

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescape(text: str) -> str:
    """SPARQL allows \\u escapes anywhere in a query; undo them before looking for keywords."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def is_update(text: str) -> bool:
    """Whether ``text`` parses as a SPARQL Update request."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(_unescape(text))
    except (ParseException, ValueError, TypeError):
        return False
    return True


def service_endpoints(text: str) -> list[str]:
    """The IRIs of the SERVICE clauses of a query (a variable endpoint is ``?name``).

    Raises:
        QueryError: the query mentions SERVICE but cannot be parsed to check it.
    """
    plain = _unescape(text)
    if not re.search(r"service", plain, re.IGNORECASE):
        return []
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(plain)
    except (ParseException, ValueError, TypeError) as exc:
        raise QueryError(f"malformed query: {exc}") from exc
    return [str(term) if not _is_variable(term) else f"?{term}" for term in _service_terms(tree)]


def _is_variable(term) -> bool:
    from rdflib.term import Variable

    return isinstance(term, Variable)


def _service_terms(node) -> Iterable:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            yield node.get("term")
        for value in node.values():
            yield from _service_terms(value)
    elif isinstance(node, (list, tuple, ParseResults)):
        for item in node:
            yield from _service_terms(item)


def check_services(text: str, allowlist: Iterable[str]) -> list[str]:
    """The SERVICE endpoints of a query, all of them on ``allowlist``.

    Raises:
        QueryError: the query mentions SERVICE but cannot be parsed to check it.
        ServiceRefused: a SERVICE endpoint is a variable or is not allowed.
    """
    allowed = set(allowlist)
    endpoints = service_endpoints(text)
    for endpoint in endpoints:
        if endpoint not in allowed:
            shown = ", ".join(sorted(allowed)) or "none"
            raise ServiceRefused(f"SERVICE {endpoint} is not allowed (allowed: {shown})")
    return endpoints


def refuse_update(text: str) -> None:
    """Raise if ``text`` is an update, so the caller can report it as such.

    Raises:
        UpdateRefused: ``text`` is a SPARQL Update.
    """
    if is_update(text):
        raise UpdateRefused("SPARQL Update is not allowed: this endpoint is read-only")


_FROM = re.compile(r"\bFROM\s+(NAMED\s+)?(<|[A-Za-z_][\w.-]*:|:)", re.IGNORECASE)


def declares_dataset(text: str) -> bool:
    """Whether a query names its own dataset with FROM or FROM NAMED.

    >>> declares_dataset("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }")
    True
    >>> declares_dataset('SELECT * WHERE { ?s ?p "FROM <x>" }')
    False
    """
    plain = _unescape(text)
    if not _FROM.search(plain):
        return False
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(plain)
    except (ParseException, ValueError, TypeError):
        return True  # let the store's own parser report the error
    return any(isinstance(part, dict) and bool(part["datasetClause"]) for part in tree[1:] if "datasetClause" in part)
