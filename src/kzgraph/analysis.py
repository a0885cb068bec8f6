"""What a SPARQL request is, read from its tokens without running it.

One pass of a small tokenizer (no recursion, linear in the text) tells
whether the text is a query or an update, its form (SELECT, CONSTRUCT, ASK,
DESCRIBE), the SERVICE endpoints it calls, whether it names its own dataset
(FROM / FROM NAMED), and finds the mistakes people make most often (an
unknown prefix, a misspelt keyword, an unbalanced bracket, a missing
operand) with their line and column. The engine's own parser still has the
last word on validity; this module only has to be right about what it
reports, and it is conservative where it cannot be sure.

Codepoint escapes (``\\u0053ERVICE``) are undone first, as SPARQL does
before parsing.

>>> shape = analyse("PREFIX ex: <https://example.org/> SELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }")
>>> shape.form, shape.services
('SELECT', ('https://example.org/sparql',))
>>> analyse("INSERT DATA { <urn:a> <urn:b> <urn:c> }").is_update
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

from kzgraph.errors import MalformedQuery

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
MAX_DEPTH = 100
"""Deepest nesting of brackets and braces accepted: deeper is refused before any parser recurses into it."""

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

_PN_CHARS_BASE = (
    "A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
    "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"

_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<ws>\s+)",
            r"(?P<comment>#[^\n\r]*)",
            r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
            r"(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\""
            r"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\")",
            r"(?P<var>[?$][" + _PN_CHARS_U + r"0-9][" + _PN_CHARS_U + r"0-9\u00B7\u0300-\u036F\u203F-\u2040]*)",
            r"(?P<bnode>_:[" + _PN_CHARS_U + r"0-9](?:[" + _PN_CHARS + r".]*[" + _PN_CHARS + r"])?)",
            r"(?P<pname>(?:" + _PN_PREFIX + r")?:(?:" + _PN_LOCAL + r")?)",
            r"(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
            r"(?P<number>[+-]?(?:[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?))",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<op>\^\^|&&|\|\||!=|<=|>=|[{}()\[\].,;*/+\-=<>!|^?])",
        ]
    )
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    line: int
    column: int
    offset: int
    """Where the token starts in the unescaped text."""


@dataclass(frozen=True)
class QueryShape:
    """What :func:`analyse` found."""

    form: str | None
    """SELECT, CONSTRUCT, DESCRIBE or ASK; None for an update."""
    is_update: bool
    services: tuple[str, ...]
    """SERVICE endpoints as absolute IRIs; a variable endpoint is ``?name``."""
    declares_dataset: bool
    """The query has FROM or FROM NAMED."""

    @property
    def is_graph(self) -> bool:
        """The answer is triples (CONSTRUCT, DESCRIBE), not results."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


def unescape(text: str) -> str:
    """Undo SPARQL's codepoint escapes, which apply anywhere in a request."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` (escapes undone, whitespace and comments dropped).

    Raises:
        MalformedQuery: a character that starts no token (such as an unclosed string).
    """
    plain = unescape(text)
    tokens: list[Token] = []
    line, line_start, pos = 1, 0, 0
    while pos < len(plain):
        match = _TOKEN.match(plain, pos)
        if match is None:
            shown = "an unclosed string" if plain[pos] in "'\"" else repr(plain[pos])
            raise MalformedQuery(f"unexpected {shown}", line, pos - line_start + 1)
        kind = match.lastgroup or ""
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group(), line, pos - line_start + 1, pos))
        newlines = match.group().count("\n")
        if newlines:
            line += newlines
            line_start = match.start() + match.group().rindex("\n") + 1
        pos = match.end()
    return tokens


def analyse(text: str, prefixes: Mapping[str, str] | None = None, base_iri: str | None = None) -> QueryShape:
    """Read the shape of a SPARQL request.

    ``prefixes`` are those the engine predeclares (the query's own PREFIX
    lines win); ``base_iri`` resolves relative IRIs when the query has no BASE.

    Raises:
        MalformedQuery: the text is certainly not a valid query or update;
            the message says where and what.
    """
    tokens = tokenize(text)
    declared = dict(prefixes or {})
    base = base_iri
    index = 0
    while index < len(tokens) and tokens[index].text.upper() in ("PREFIX", "BASE"):
        keyword = tokens[index].text.upper()
        if keyword == "BASE":
            iri = _expect(tokens, index + 1, "iri", "an IRI after BASE")
            base = _resolve(iri.text[1:-1], base)
            index += 2
        else:
            name = _expect(tokens, index + 1, "pname", "a prefix name such as ex: after PREFIX")
            if not name.text.endswith(":"):
                raise MalformedQuery(f"expected a prefix name such as ex: after PREFIX, found {name.text!r}",
                                     name.line, name.column)
            iri = _expect(tokens, index + 2, "iri", "an IRI after the prefix name")
            declared[name.text[:-1]] = _resolve(iri.text[1:-1], base)
            index += 3
    body = tokens[index:]
    if not body:
        where = tokens[-1] if tokens else Token("", "", 1, 1, 0)
        raise MalformedQuery("the request is empty: expected SELECT, CONSTRUCT, DESCRIBE or ASK",
                             where.line, where.column)
    first = body[0].text.upper()
    if first in UPDATE_KEYWORDS:
        return QueryShape(None, True, (), False)
    if first not in QUERY_FORMS:
        raise MalformedQuery(f"expected SELECT, CONSTRUCT, DESCRIBE or ASK, found {body[0].text!r}",
                             body[0].line, body[0].column)
    _check_prefixes(body, declared)
    _check_nesting(body)
    return QueryShape(first, False, _services(body, declared, base), _declares_dataset(body))


def _expect(tokens: list[Token], index: int, kind: str, what: str) -> Token:
    if index >= len(tokens) or tokens[index].kind != kind:
        where = tokens[min(index, len(tokens) - 1)]
        raise MalformedQuery(f"expected {what}", where.line, where.column)
    return tokens[index]


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base and not re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri) else iri


def _expand(token: Token, declared: Mapping[str, str], base: str | None) -> str:
    if token.kind == "iri":
        return _resolve(token.text[1:-1], base)
    prefix, _, local = token.text.partition(":")
    return declared[prefix] + re.sub(r"\\(.)", r"\1", local)


def _check_prefixes(body: list[Token], declared: Mapping[str, str]) -> None:
    for token in body:
        if token.kind == "pname":
            prefix = token.text.partition(":")[0]
            if prefix not in declared:
                known = ", ".join(f"{name}:" for name in sorted(declared)) or "none"
                raise MalformedQuery(f"unknown prefix {prefix}: (known prefixes: {known})", token.line,
                                     token.column)


_CLOSING = {")": "(", "]": "[", "}": "{"}


def _check_nesting(body: list[Token]) -> None:
    stack: list[Token] = []
    for token in body:
        if token.kind != "op":
            continue
        if token.text in "([{":
            stack.append(token)
            if len(stack) > MAX_DEPTH:
                raise MalformedQuery(f"nested more than {MAX_DEPTH} levels deep", token.line, token.column)
        elif token.text in _CLOSING:
            if not stack or stack[-1].text != _CLOSING[token.text]:
                raise MalformedQuery(f"unbalanced {token.text!r}", token.line, token.column)
            stack.pop()
    if stack:
        raise MalformedQuery(f"{stack[-1].text!r} is never closed", stack[-1].line, stack[-1].column)


_BINARY = {"&&", "||", "=", "!=", "<", ">", "<=", ">=", "*", "/"}
_ENDS = {")", "]", "}", ",", ";", "."}


def explain(text: str, engine_message: str) -> MalformedQuery:
    r"""A short error for a query the engine refused, placed where a person would look.

    The engine reports the furthest point its parser reached, which for a
    missing operand can be the end of the query; a missing operand is found
    here instead. Otherwise the engine's position is kept and its list of
    expected tokens shortened.

    >>> str(explain("SELECT * WHERE {\n ?s ?p ?o .\n FILTER(?o > )\n}", "error at 4:2: expected one of ABS, AVG"))
    "malformed query: line 3, column 12: missing operand after '>'"
    """
    try:
        tokens = tokenize(text)
    except MalformedQuery as exc:
        return exc
    for token, previous, following in zip(tokens, [None] + tokens[:-1], tokens[1:] + [None]):
        if token.kind != "op" or token.text not in _BINARY:
            continue
        if following is not None and following.text not in _ENDS:
            continue
        if token.text == "*" and following is not None and following.text in (")", "}"):
            continue  # COUNT(*) and SELECT * { } are not products
        if token.text == ">" and previous is not None and previous.text == ">":
            continue  # the end of a quoted triple, >>
        return MalformedQuery(f"missing operand after {token.text!r}", token.line, token.column)
    match = re.match(r"error at (\d+):(\d+): (.*)", engine_message, re.DOTALL)
    if not match:
        return MalformedQuery(_shorten(engine_message))
    line, column, message = int(match.group(1)), int(match.group(2)), _shorten(match.group(3))
    last = tokens[-1] if tokens else None
    if last is not None and (line, column) > (last.line, last.column + len(last.text) - 1):
        # The engine ran past the last token: the query stops short there.
        return MalformedQuery(f"unexpected {last.text!r} ({message})", last.line, last.column)
    return MalformedQuery(message, line, column)


def _shorten(message: str, keep: int = 8) -> str:
    """``expected one of A, B, C, ... Z`` with at most ``keep`` names, and no character classes."""
    message = " ".join(message.split())
    head, sep, rest = message.partition("expected one of ")
    if not sep:
        return message
    names = [part.strip() for part in re.split(r",\s*(?![^\[]*\])", rest) if part.strip()]
    words = [n for n in names if not n.startswith("[") and "Prefix not found" not in n]
    if not words:
        return head + "unexpected character"
    more = f" (or {len(words) - keep} more)" if len(words) > keep else ""
    return f"{head}expected one of {', '.join(words[:keep])}{more}"


def _services(body: list[Token], declared: Mapping[str, str], base: str | None) -> tuple[str, ...]:
    found = []
    for i, token in enumerate(body):
        if token.kind != "word" or token.text.upper() != "SERVICE":
            continue
        j = i + 1
        if j < len(body) and body[j].text.upper() == "SILENT":
            j += 1
        if j >= len(body) or body[j].kind not in ("iri", "pname", "var"):
            where = body[min(j, len(body) - 1)]
            raise MalformedQuery("expected an IRI or a variable after SERVICE", where.line, where.column)
        endpoint = body[j]
        found.append("?" + endpoint.text[1:] if endpoint.kind == "var" else _expand(endpoint, declared, base))
    return tuple(found)


def _declares_dataset(body: list[Token]) -> bool:
    depth = 0
    for token in body:
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif depth == 0 and token.kind == "word" and token.text.upper() == "FROM":
            return True
    return False
