"""The request analysis and the guard, in process: tokens, shapes, error messages and their places."""

from __future__ import annotations

import pytest

from kzgraph.analysis import MAX_DEPTH, QueryShape, Token, analyse, explain, tokenize, unescape
from kzgraph.errors import MalformedQuery, ServiceRefused, UpdateRefused
from kzgraph.guard import READ_ONLY, check_request


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(text)]


def _malformed(text: str, **kwargs) -> tuple[str, int | None, int | None]:
    with pytest.raises(MalformedQuery) as caught:
        analyse(text, **kwargs)
    return caught.value.detail, caught.value.line, caught.value.column


# --- tokenize --------------------------------------------------------------------------------------------

def test_tokens_have_kinds_and_places_and_skip_whitespace_and_comments():
    text = "SELECT ?x # a comment\n  WHERE { ?x <urn:a> 'b'@en-GB, 1.5e3 ; _:b1 ex:c^^xsd:int }"
    assert tokenize(text) == [
        Token("word", "SELECT", 1, 1, 0), Token("var", "?x", 1, 8, 7),
        Token("word", "WHERE", 2, 3, 24), Token("op", "{", 2, 9, 30), Token("var", "?x", 2, 11, 32),
        Token("iri", "<urn:a>", 2, 14, 35), Token("string", "'b'", 2, 22, 43), Token("lang", "@en-GB", 2, 25, 46),
        Token("op", ",", 2, 31, 52), Token("number", "1.5e3", 2, 33, 54), Token("op", ";", 2, 39, 60),
        Token("bnode", "_:b1", 2, 41, 62), Token("pname", "ex:c", 2, 46, 67), Token("op", "^^", 2, 50, 71),
        Token("pname", "xsd:int", 2, 52, 73), Token("op", "}", 2, 60, 81),
    ]


def test_operators_are_single_tokens():
    assert [t for _, t in _kinds("&& || != <= >= ^^ = < > ! | ^ / * + - . , ; ( ) [ ] { } ?")] == [
        "&&", "||", "!=", "<=", ">=", "^^", "=", "<", ">", "!", "|", "^", "/", "*", "+", "-", ".", ",", ";",
        "(", ")", "[", "]", "{", "}", "?"]


def test_a_long_string_counts_its_lines():
    tokens = tokenize('"""one\ntwo\r\nthree""" ?after\n\n  ?later')
    assert tokens[0] == Token("string", '"""one\ntwo\r\nthree"""', 1, 1, 0)
    assert tokens[1] == Token("var", "?after", 3, 10, 21)
    assert tokens[2] == Token("var", "?later", 5, 3, 31)


def test_strings_of_every_quoting():
    assert _kinds("'a\\'b' \"c\\\"d\" '''e'f''' \"\"\"g\"h\"\"\"") == [
        ("string", "'a\\'b'"), ("string", '"c\\"d"'), ("string", "'''e'f'''"), ("string", '"""g"h"""')]


def test_variables_blank_nodes_and_prefixed_names():
    assert _kinds("$v ?v_1 _:x.y ex: :local ex:a\\.b ex:%41 a") == [
        ("var", "$v"), ("var", "?v_1"), ("bnode", "_:x.y"), ("pname", "ex:"), ("pname", ":local"),
        ("pname", "ex:a\\.b"), ("pname", "ex:%41"), ("word", "a")]


def test_escapes_are_undone_before_tokens_are_read():
    assert unescape("\\u0053ELECT \\U00000041") == "SELECT A"
    assert _kinds("\\u0053ELECT") == [("word", "SELECT")]
    assert unescape("\\u00ZZ \\n") == "\\u00ZZ \\n"


@pytest.mark.parametrize(("text", "detail", "line", "column"), [
    ("SELECT * {\n  ?s ?p 'open", "unexpected an unclosed string", 2, 9),
    ('ASK { "x }', "unexpected an unclosed string", 1, 7),
    ("ASK { ?s ?p ?o } `", "unexpected '`'", 1, 18),
    ("ASK\n\n   ~", "unexpected '~'", 3, 4),
])
def test_a_character_that_starts_no_token_is_placed(text, detail, line, column):
    with pytest.raises(MalformedQuery) as caught:
        tokenize(text)
    assert (caught.value.detail, caught.value.line, caught.value.column) == (detail, line, column)


def test_tokenize_of_nothing_is_nothing():
    assert tokenize("") == [] and tokenize(" \n# only a comment") == []


# --- analyse: forms and updates --------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "form", "is_graph"), [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT", False),
    ("select * { }", "SELECT", False),
    ("ASK {}", "ASK", False),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", True),
    ("DESCRIBE <urn:x>", "DESCRIBE", True),
    ("describe <urn:x>", "DESCRIBE", True),
])
def test_query_forms(text, form, is_graph):
    shape = analyse(text)
    assert shape == QueryShape(form, False, (), False)
    assert shape.is_graph is is_graph


@pytest.mark.parametrize("keyword", ["INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                                     "WITH", "insert", "dRoP"])
def test_every_update_keyword_is_an_update(keyword):
    assert analyse(f"PREFIX ex: <urn:ex:> {keyword} whatever follows ((") == QueryShape(None, True, (), False)


# --- analyse: prologue -----------------------------------------------------------------------------------

def test_prefixes_and_base_resolve_service_endpoints():
    shape = analyse("BASE <http://example.org/a/> PREFIX p: <b/> PREFIX : <http://other.org/> "
                    "SELECT * { SERVICE p:c { } SERVICE :d { } SERVICE <e> { } SERVICE <http://abs.org/f> { } }")
    assert shape.services == ("http://example.org/a/b/c", "http://other.org/d", "http://example.org/a/e",
                              "http://abs.org/f")


def test_a_later_base_resolves_against_the_earlier_one():
    assert analyse("BASE <http://example.org/a/> BASE <b/> ASK { SERVICE <c> {} }").services == (
        "http://example.org/a/b/c",)


def test_base_iri_argument_resolves_relative_iris_unless_the_query_has_a_base():
    assert analyse("ASK { SERVICE <x> {} }", base_iri="http://host/sparql").services == ("http://host/x",)
    assert analyse("BASE <http://b.org/> ASK { SERVICE <x> {} }", base_iri="http://host/").services == (
        "http://b.org/x",)
    assert analyse("ASK { SERVICE <x> {} }").services == ("x",)


def test_an_absolute_iri_is_never_resolved():
    assert analyse("ASK { SERVICE <urn:a:b> {} SERVICE <HTTP://x.org/> {} }", base_iri="http://host/").services == (
        "urn:a:b", "HTTP://x.org/")


def test_predeclared_prefixes_are_known_and_the_query_wins():
    assert analyse("ASK { SERVICE ex:s {} }", {"ex": "http://pre.org/"}).services == ("http://pre.org/s",)
    assert analyse("PREFIX ex: <http://own.org/> ASK { SERVICE ex:s {} }", {"ex": "http://pre.org/"}).services == (
        "http://own.org/s",)


def test_a_local_name_may_hold_colons():
    shape = analyse("PREFIX ex: <http://x.org/> ASK { SERVICE ex:a:b {} ?s ex:p:q ?o }")
    assert shape.services == ("http://x.org/a:b",)


def test_an_iri_with_a_lowercase_scheme_is_absolute_even_without_slashes():
    assert analyse("ASK { SERVICE <http:sparql> {} }", base_iri="http://host/a/").services == ("http:sparql",)


def test_local_name_escapes_are_undone_in_endpoints():
    assert analyse("PREFIX ex: <http://x.org/> ASK { SERVICE ex:a\\.b\\~c {} }").services == ("http://x.org/a.b~c",)


@pytest.mark.parametrize(("text", "detail", "line", "column"), [
    ("PREFIX <urn:x> SELECT * {}", "expected a prefix name such as ex: after PREFIX", 1, 8),
    ("PREFIX", "expected a prefix name such as ex: after PREFIX", 1, 1),
    ("PREFIX ex: SELECT * {}", "expected an IRI after the prefix name", 1, 12),
    ("PREFIX ex:", "expected an IRI after the prefix name", 1, 8),
    ("BASE ex: SELECT * {}", "expected an IRI after BASE", 1, 6),
    ("\nBASE", "expected an IRI after BASE", 2, 1),
    ("", "the request is empty: expected SELECT, CONSTRUCT, DESCRIBE or ASK", 1, 1),
    ("  # nothing\n", "the request is empty: expected SELECT, CONSTRUCT, DESCRIBE or ASK", 1, 1),
    ("PREFIX ex: <urn:x>\n  PREFIX ab: <urn:y>", "the request is empty: expected SELECT, CONSTRUCT, DESCRIBE or ASK",
     2, 14),
    ("PREFIX ex: <urn:x>\nSELEC * {}", "expected SELECT, CONSTRUCT, DESCRIBE or ASK, found 'SELEC'", 2, 1),
    ("{ ?s ?p ?o }", "expected SELECT, CONSTRUCT, DESCRIBE or ASK, found '{'", 1, 1),
    ("SELEC", "expected SELECT, CONSTRUCT, DESCRIBE or ASK, found 'SELEC'", 1, 1),
    ("  SELEC\n*", "expected SELECT, CONSTRUCT, DESCRIBE or ASK, found 'SELEC'", 1, 3),
])
def test_prologue_and_form_errors_say_what_and_where(text, detail, line, column):
    assert _malformed(text) == (detail, line, column)


# --- analyse: prefixes, nesting, SERVICE, FROM -----------------------------------------------------------

def test_an_unknown_prefix_lists_the_known_ones_sorted():
    text = "PREFIX zz: <urn:z> PREFIX aa: <urn:a> SELECT * {\n ?s foo:bar ?o }"
    assert _malformed(text, prefixes={"mm": "urn:m"}) == (
        "unknown prefix foo: (known prefixes: aa:, mm:, zz:)", 2, 5)


def test_an_unknown_prefix_when_none_is_known():
    assert _malformed("SELECT * { ?s :p ?o }") == ("unknown prefix : (known prefixes: none)", 1, 15)


def test_a_prefix_name_with_a_local_part_is_refused_where_it_is_declared():
    assert _malformed("PREFIX kz: <urn:k:>\nPREFIX ex:a <urn:x> SELECT * { ?s ex:p ?o }") == (
        "expected a prefix name such as ex: after PREFIX, found 'ex:a'", 2, 8)


def test_the_default_prefix_can_be_declared():
    assert analyse("PREFIX : <urn:d:> SELECT * { ?s :p ?o }").form == "SELECT"


@pytest.mark.parametrize(("text", "detail", "line", "column"), [
    ("SELECT * { ?s ?p ?o ) }", "unbalanced ')'", 1, 21),
    ("SELECT * { ?s ?p ?o ] }", "unbalanced ']'", 1, 21),
    ("SELECT * { FILTER(?o) } }", "unbalanced '}'", 1, 25),
    ("SELECT * { FILTER(?o }", "unbalanced '}'", 1, 22),
    ("SELECT * {\n FILTER((?o)", "'(' is never closed", 2, 8),
    ("SELECT * { [ ?p ?o", "'[' is never closed", 1, 12),
    ("SELECT * WHERE { ?s ?p ?o ", "'{' is never closed", 1, 16),
    ("SELECT * {\n { [ ?p\n (", "'(' is never closed", 3, 2),
    ("SELECT * {\n {\n  [ ?p ( ?o )", "'[' is never closed", 3, 3),
])
def test_brackets_must_balance(text, detail, line, column):
    assert _malformed(text) == (detail, line, column)


def test_nesting_up_to_the_limit_is_accepted_and_one_deeper_is_refused():
    def nested(depth: int) -> str:
        return "ASK { FILTER" + "(" * (depth - 1) + "1" + ")" * (depth - 1) + " }"

    assert MAX_DEPTH == 100
    assert analyse(nested(MAX_DEPTH)).form == "ASK"
    assert _malformed(nested(MAX_DEPTH + 1)) == ("nested more than 100 levels deep", 1, 6 + MAX_DEPTH + 6)


def test_brackets_inside_strings_iris_and_comments_do_not_count():
    assert analyse("SELECT * { ?s ?p '(' . ?s ?p <urn:x> # }\n }").form == "SELECT"


@pytest.mark.parametrize(("text", "services"), [
    ("SELECT * { SERVICE <http://a.org/> { ?s ?p ?o } }", ("http://a.org/",)),
    ("SELECT * { service silent <http://a.org/> { } }", ("http://a.org/",)),
    ("SELECT * { SERVICE ?where { } SERVICE $there { } }", ("?where", "?there")),
    ("SELECT * { SERVICE <http://a.org/> { SERVICE <http://b.org/> { } } }", ("http://a.org/", "http://b.org/")),
    ("SELECT ?service { ?service ?p 'SERVICE' }", ()),
])
def test_every_service_endpoint_is_found(text, services):
    assert analyse(text).services == services


@pytest.mark.parametrize(("text", "line", "column"), [
    ("SELECT * { SERVICE { } }", 1, 20),
    ("SELECT * { SERVICE SILENT 'x' { } }", 1, 27),
    ("SELECT * { }\nSERVICE", 2, 1),
    ("SELECT * { } SERVICE SILENT", 1, 22),
])
def test_a_service_without_an_endpoint_is_malformed(text, line, column):
    assert _malformed(text) == ("expected an IRI or a variable after SERVICE", line, column)


@pytest.mark.parametrize(("text", "declares"), [
    ("SELECT * FROM <urn:g> { }", True),
    ("SELECT * from named <urn:g> { }", True),
    ("SELECT * { { SELECT * { } } } LIMIT 1", False),
    ("SELECT * { ?s ?p ?o FILTER(?o = 'FROM') }", False),
    ("SELECT * { ?s ?from ?o }", False),
    ("SELECT * { { } } FROM", True),
    ("SELECT * { ?s ?p ?o . { FROM } }", False),
])
def test_from_only_at_the_top_level_names_a_dataset(text, declares):
    assert analyse(text).declares_dataset is declares


# --- explain: engine errors made short -------------------------------------------------------------------

@pytest.mark.parametrize(("text", "operator", "column"), [
    ("ASK { FILTER(?a && ) }", "&&", 17),
    ("ASK { FILTER(?a || ) }", "||", 17),
    ("ASK { FILTER(?a = ) }", "=", 17),
    ("ASK { FILTER(?a != ) }", "!=", 17),
    ("ASK { FILTER(?a < ) }", "<", 17),
    ("ASK { FILTER(?a <= ) }", "<=", 17),
    ("ASK { FILTER(?a >= ) }", ">=", 17),
    ("ASK { FILTER(?a / ) }", "/", 17),
    ("ASK { BIND(?a * ] }", "*", 15),
    ("ASK { FILTER(?a > ,", ">", 17),
    ("ASK { FILTER(?a > ;", ">", 17),
    ("ASK { FILTER(?a > .", ">", 17),
    ("ASK { FILTER(?a >", ">", 17),
])
def test_a_missing_operand_is_placed_at_its_operator(text, operator, column):
    error = explain(text, "error at 9:9: whatever")
    assert (error.detail, error.line, error.column) == (f"missing operand after {operator!r}", 1, column)


@pytest.mark.parametrize(("text", "operator", "column"), [
    ("ASK { FILTER(?a > 1 && ?b = ) }", "=", 27),
    ("SELECT (COUNT(*) AS ?n) { FILTER(?n > ) }", ">", 37),
    ("SELECT * { ?x ?q << ?s ?p ?o >> . FILTER(?x = ) }", "=", 45),
    ("SELECT * { ?x ?q << ?s ?p ?o >> }\nORDER BY (?x / )", "/", 14),
])
def test_the_missing_operand_is_found_after_what_is_complete(text, operator, column):
    error = explain(text, "error at 1:1: whatever")
    assert (error.detail, error.column) == (f"missing operand after {operator!r}", column)


@pytest.mark.parametrize("text", [
    "SELECT * { ?x ?q << ?s ?p ?o >> . }",
    "SELECT * { ?x ?q << ?s ?p ?o >> }",
    "SELECT * }",
    "SELECT (COUNT(*) AS ?n) { ?s ?p ?o",
    "SELECT * { ?s ?p ?o",
    "SELECT * WHERE { << ?s ?p ?o >> ?q ?r . FILTER(?q",
    "ASK { FILTER(?a > 1 }",
    "ASK { ?s ?p ?o . FILTER(?a + ) }",
])
def test_what_is_not_a_missing_operand_keeps_the_engine_position(text):
    error = explain(text, "error at 1:3: expected one of ABS, AVG")
    assert (error.detail, error.line, error.column) == ("expected one of ABS, AVG", 1, 3)


def test_a_product_before_a_closing_bracket_is_left_to_the_engine_as_count_star_looks_the_same():
    error = explain("ASK { BIND(2 * ) }", "error at 1:16: expected one of ABS")
    assert (error.detail, error.line, error.column) == ("expected one of ABS", 1, 16)


def test_the_engine_position_past_the_last_token_points_at_the_last_token():
    text = "SELECT * WHERE {\n  ?s ?p ?o"
    error = explain(text, "error at 2:12: expected one of '.', '}'")
    assert (error.detail, error.line, error.column) == ("unexpected '?o' (expected one of '.', '}')", 2, 9)
    inside = explain(text, "error at 2:10: expected one of '.'")
    assert (inside.detail, inside.line, inside.column) == ("expected one of '.'", 2, 10)
    just_after = explain(text, "error at 2:11: expected one of '.'")
    assert (just_after.detail, just_after.line, just_after.column) == ("unexpected '?o' (expected one of '.')", 2, 9)
    later_line = explain("SELECT\n*\n{", "error at 4:1: end of input")
    assert (later_line.detail, later_line.line, later_line.column) == ("unexpected '{' (end of input)", 3, 1)


def test_an_engine_message_without_a_position_is_kept_shortened():
    error = explain("ASK {}", "something   went\n wrong")
    assert (str(error), error.line, error.column) == ("malformed query: something went wrong", None, None)


def test_an_empty_query_keeps_the_engine_position():
    error = explain("", "error at 1:1: expected one of SELECT")
    assert (error.detail, error.line, error.column) == ("expected one of SELECT", 1, 1)


def test_a_query_that_cannot_be_tokenized_is_explained_by_the_tokenizer():
    error = explain("ASK { 'x }", "error at 1:1: anything")
    assert (error.detail, error.line, error.column) == ("unexpected an unclosed string", 1, 7)


def test_long_lists_of_expected_tokens_are_shortened():
    names = ", ".join(f"K{i}" for i in range(12))
    error = explain("ASK {}", f"error at 1:1: expected one of {names}")
    assert error.detail == "expected one of K0, K1, K2, K3, K4, K5, K6, K7 (or 4 more)"
    eight = ", ".join(f"K{i}" for i in range(8))
    assert explain("ASK {}", f"error at 1:1: expected one of {eight}").detail == f"expected one of {eight}"


def test_character_classes_and_prefix_errors_are_dropped_from_the_list():
    message = "error at 1:1: expected one of [A-Z, a-z], Prefix not found, '{',  WHERE"
    assert explain("ASK {}", message).detail == "expected one of '{', WHERE"
    only_classes = "error at 1:1: expected one of [0-9], [a-z, A-Z]"
    assert explain("ASK {}", only_classes).detail == "unexpected character"
    with_head = "error at 1:1: oops, expected one of [0-9]"
    assert explain("ASK {}", with_head).detail == "oops, unexpected character"


def test_the_list_is_read_from_the_first_expected_one_of():
    message = "error at 1:1: expected one of [a-z], A, expected one of B"
    assert explain("ASK {}", message).detail == "expected one of A, expected one of B"


def test_a_multiline_engine_message_is_read_whole():
    error = explain("ASK {}", "error at 1:2: expected\none of\n  A, B")
    assert (error.detail, error.column) == ("expected one of A, B", 2)


# --- the guard -------------------------------------------------------------------------------------------

def test_the_guard_refuses_updates_as_read_only():
    with pytest.raises(UpdateRefused) as caught:
        check_request("DELETE WHERE { ?s ?p ?o }", allowlist=None)
    assert str(caught.value) == READ_ONLY == "SPARQL Update is not allowed: this endpoint is read-only"


def test_the_guard_knows_the_graph_prefixes():
    shape = check_request("ASK { kzr:org-sco rdfs:label ?l SERVICE wd:sparql {} }", allowlist=None)
    assert shape.services == ("http://www.wikidata.org/entity/sparql",)


def test_the_guard_lets_allowed_services_through():
    allowed = ["http://b.org/sparql", "http://a.org/sparql"]
    shape = check_request("ASK { SERVICE <sparql> {} SERVICE <http://b.org/sparql> {} }", allowlist=allowed,
                          base_iri="http://a.org/query")
    assert shape.services == ("http://a.org/sparql", "http://b.org/sparql")


def test_no_allowlist_allows_every_service():
    assert check_request("ASK { SERVICE ?x {} }", allowlist=None).services == ("?x",)


@pytest.mark.parametrize(("text", "allowlist", "message"), [
    ("ASK { SERVICE <http://c.org/> {} }", ("http://b.org/", "http://a.org/"),
     "SERVICE <http://c.org/> is not allowed (allowed: <http://a.org/>, <http://b.org/>)"),
    ("ASK { SERVICE <http://a.org/> {} SERVICE ?x {} }", ["http://a.org/"],
     "SERVICE ?x is not allowed (allowed: <http://a.org/>)"),
    ("ASK { SERVICE <http://a.org/> {} }", [], "SERVICE <http://a.org/> is not allowed (allowed: none)"),
    ("ASK { SERVICE <http://a.org/> {} }", iter(()), "SERVICE <http://a.org/> is not allowed (allowed: none)"),
])
def test_the_guard_refuses_other_services_naming_the_allowed_ones(text, allowlist, message):
    with pytest.raises(ServiceRefused) as caught:
        check_request(text, allowlist=allowlist)
    assert str(caught.value) == message


def test_the_guard_passes_malformed_queries_on_as_such():
    with pytest.raises(MalformedQuery) as caught:
        check_request("SELECT * { ?s ex:p ?o }", allowlist=[])
    assert caught.value.detail.startswith("unknown prefix ex: (known prefixes: dcterms:, kz:, kzr:,")
    assert (caught.value.line, caught.value.column) == (1, 15)
