"""Properties that hold for any input: no request is a 500, no text breaks the analysis.

Hypothesis runs a fixed, modest number of examples, derandomized, so the
suite stays fast and every run checks the same inputs.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from kzgraph.analysis import analyse, explain, tokenize, unescape
from kzgraph.errors import MalformedQuery
from kzgraph.formats import FORMATS, Kind, find, formats_for
from kzgraph.namespaces import PREFIXES
from kzgraph.negotiation import negotiate

FAST = settings(max_examples=150, derandomize=True, deadline=None, database=None)
WEB = settings(max_examples=200, derandomize=True, deadline=None, database=None)

# Text a person could type: any codepoint UTF-8 can carry.
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)

FRAGMENTS = (
    "PREFIX ex: <http://example.org/>", "PREFIX : <urn:x:>", "BASE <http://example.org/b/>", "PREFIX", "BASE",
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "select", "INSERT DATA", "DELETE", "DROP ALL", "\\u0049NSERT",
    "WHERE", "FROM", "FROM NAMED", "<urn:g>", "<https://w3id.org/kzgraph/graph/data>", "SERVICE", "SILENT",
    "service", "\\u0053ERVICE", "<http://127.0.0.1:9/sparql>", "<relative>", "ex:sparql", "?endpoint",
    "*", "?s", "?p", "?o", "$v", "_:b", "[]", "a", "kz:State", "kzr:org-sco", "rdfs:label", "foo:bar", ":x",
    "'SCO'", '"Kazakhstan"@en', "'''long\ntext'''", "'open", "1", "2.5", "-3e2", "true", "^^xsd:int",
    "{", "}", "(", ")", "[", "]", ".", ";", ",", "|", "/", "^", "!", "&&", "||", "=", "!=", "<", ">", "<=",
    ">=", "+", "-", "<<", ">>", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "VALUES", "BIND", "AS",
    "COUNT", "DISTINCT", "GROUP BY", "ORDER BY", "LIMIT 2", "OFFSET 1", "LANG", "STR", "REGEX",
    "# comment\n", "\n", "\t", "`", "~", "\\u007B", "\\U0000007D",
)
SPARQLISH = st.lists(st.sampled_from(FRAGMENTS), max_size=25).map(" ".join)

# Queries built to be valid, or nearly: they reach the engine, negotiation and serialization.
PROLOGUE = st.sampled_from(["", "PREFIX ex: <http://example.org/> ", "BASE <http://example.org/> ",
                            "PREFIX kz: <https://w3id.org/kzgraph/ontology#> "])
FORM = st.sampled_from(["SELECT *", "SELECT ?s ?label", "SELECT (COUNT(*) AS ?n)", "SELECT DISTINCT ?s", "ASK",
                        "CONSTRUCT", "CONSTRUCT { ?s rdfs:label ?label }", "DESCRIBE ?s", "DESCRIBE kzr:org-sco",
                        "select *", "\\u0053ELECT *"])
DATASET = st.sampled_from(["", "", "FROM <https://w3id.org/kzgraph/graph/data> ", "FROM NAMED <urn:g> "])
PATTERN = st.sampled_from([
    "?s a kz:State .", "kzr:org-sco rdfs:label ?label .", "?s rdfs:label ?label .",
    "OPTIONAL { ?s rdfs:label ?label }", "FILTER(lang(?label) = 'en')", "FILTER(?label > )",
    "VALUES ?s { kzr:org-sco kzr:country-KAZ }", "BIND('x' AS ?x)", "{ ?s a kz:State } UNION { ?s a kz:Person }",
    "SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }", "SERVICE SILENT ?where { }", "GRAPH ?g { ?s ?p ?o }",
    "?s ?p ?o .", "?s foo:bar ?o .", "?s ?p 'unclosed", "} {", "(", "?s rdfs:label \"SCO\"@en .",
])
MODIFIER = st.sampled_from(["", " LIMIT 5", " ORDER BY ?s LIMIT 3", " OFFSET 1 LIMIT 2"])
STRUCTURED = st.builds(
    lambda prologue, form, dataset, patterns, modifier: (
        f"{prologue}{form} {dataset}WHERE {{ {' '.join(patterns)} }}{modifier}"
        if not form.startswith("DESCRIBE kzr") else f"{prologue}{form}"),
    PROLOGUE, FORM, DATASET, st.lists(PATTERN, min_size=1, max_size=3), MODIFIER)
QUERY_TEXT = st.one_of(ANY_TEXT, SPARQLISH, STRUCTURED)

MEDIA = sorted({m for f in FORMATS for m in f.media_types} | {"text/html", "image/png", "*/*", "text/*",
                                                               "application/*"})
PARAMETER = st.sampled_from(["", ";q=0", ";q=0.5", ";q=1", "; charset=utf-8", ";q=2", ";q=x", ";profile=\"a,b\""])
MEDIA_RANGE = st.builds(lambda m, p: m + p, st.sampled_from(MEDIA), PARAMETER)
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=60)
ACCEPT = st.one_of(st.none(), HEADER_TEXT, st.lists(MEDIA_RANGE, min_size=1, max_size=4).map(", ".join))
FORMAT_PARAM = st.one_of(
    st.none(), ANY_TEXT, st.sampled_from([name for f in FORMATS for name in (f.name, *f.aliases, *f.media_types)]))


def _no_internet(query: str) -> bool:
    """The endpoint's allowlist names a public service; no generated query may call it."""
    return "wikidata.org" not in unescape(query).lower()


def _check_consistent(response, query: str, accept: str | None, requested: str | None) -> None:
    status = response.status_code
    body = response.get_data(as_text=True)
    assert 200 <= status < 300 or 400 <= status < 500 or status == 503, (status, body)
    if status >= 400:
        assert response.mimetype == "text/plain"
        assert body.startswith(f"{status} {HTTPStatus(status).phrase}: "), body
        assert body.endswith("\n")
    if status == 200:
        kind = Kind.GRAPH if analyse(query, PREFIXES).is_graph else Kind.RESULTS
        expected = negotiate(accept, kind, requested)
        assert expected is not None
        assert response.headers["Content-Type"] == expected.content_type
    if status == 406:
        kind = Kind.GRAPH if analyse(query, PREFIXES).is_graph else Kind.RESULTS
        assert negotiate(accept, kind, requested) is None


GRAPH_PARAM = st.one_of(st.none(), ANY_TEXT, st.sampled_from(["https://w3id.org/kzgraph/graph/data", "urn:g"]))


@WEB
@given(query=QUERY_TEXT, accept=ACCEPT, requested=FORMAT_PARAM, graph=GRAPH_PARAM,
       how=st.sampled_from(["get", "form", "direct"]))
def test_any_request_is_answered_consistently_and_never_with_500(app, query, accept, requested, graph, how):
    if not _no_internet(query):
        return
    client = app.test_client()
    headers = {} if accept is None else {"Accept": accept}
    params = {} if requested is None else {"format": requested}
    if graph is not None:
        params["default-graph-uri"] = graph
    if how == "get":
        response = client.get("/sparql", query_string={"query": query, **params}, headers=headers)
    elif how == "form":
        response = client.post("/sparql", data={"query": query, **params}, headers=headers)
    else:
        response = client.post("/sparql", query_string=params, data=query.encode("utf-8"), headers=headers,
                               content_type="application/sparql-query")
    event(f"{how}: {response.status_code}")
    _check_consistent(response, query, accept, requested)


@FAST
@given(text=QUERY_TEXT)
def test_analyse_raises_nothing_but_malformed_query(text):
    try:
        shape = analyse(text, PREFIXES, "http://localhost/sparql")
    except MalformedQuery as exc:
        assert exc.line is None or (exc.line >= 1 and exc.column >= 1)
        return
    assert shape.is_update == (shape.form is None)
    assert shape.form in (None, "SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


@FAST
@given(text=QUERY_TEXT)
def test_tokens_are_placed_where_their_text_is(text):
    try:
        tokens = tokenize(text)
    except MalformedQuery as exc:
        lines = unescape(text).split("\n")
        assert 1 <= exc.line <= len(lines) and 1 <= exc.column <= len(lines[exc.line - 1])
        return
    lines = unescape(text).split("\n")
    for token in tokens:
        assert token.text
        assert lines[token.line - 1][token.column - 1:].startswith(token.text.split("\n")[0])
    assert [(t.line, t.column) for t in tokens] == sorted((t.line, t.column) for t in tokens)


@FAST
@given(text=QUERY_TEXT, message=st.one_of(ANY_TEXT, st.builds("error at {}:{}: {}".format,
                                                                 st.integers(0, 9), st.integers(0, 99), ANY_TEXT)))
def test_explain_always_returns_an_error_with_a_message(text, message):
    error = explain(text, message)
    assert isinstance(error, MalformedQuery)
    assert str(error).startswith("malformed query: ")


@FAST
@given(accept=ACCEPT, kind=st.sampled_from(Kind), requested=FORMAT_PARAM)
def test_negotiate_returns_a_format_of_the_kind_or_none(accept, kind, requested):
    chosen = negotiate(accept, kind, requested)
    assert chosen is None or chosen in formats_for(kind)
    wanted = find(requested, kind) if requested else None
    if wanted is not None:
        assert chosen is wanted
    if not accept or not accept.strip():
        assert chosen is not None


@pytest.mark.parametrize("header", ["text/csv;q=0.5, */*;q=0", ",,,;;;", "q=1", "*/*;q=-1"])
def test_odd_accept_headers_negotiate_without_error(header):
    assert negotiate(header, Kind.RESULTS) in (None, *formats_for(Kind.RESULTS))
