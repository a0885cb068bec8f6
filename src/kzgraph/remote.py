"""A client for a remote SPARQL 1.1 store: its query endpoint (the SPARQL 1.1
Protocol) and the HTTP conventions ``kzgraph push`` shares with it.

Every answer is read as a stream and used only when it arrived whole: a
response cut short (connection closed early, a Content-Length mismatch,
broken chunking, Virtuoso's partial "anytime" result) raises
:class:`~kzgraph.errors.ResultTruncated`, an answer over the size limit
raises :class:`~kzgraph.errors.ResultTooLarge`, and the time limit is both
passed on to stores that take one and enforced here (each socket wait and
the whole answer).

Queries may use the project's prefixes without declaring them, as on the
embedded store: the missing PREFIX lines are added before sending.

>>> "PREFIX kz: <https://w3id.org/kzgraph/ontology#>" in with_prefixes("ASK { kzr:country-KAZ a kz:State }")
True
>>> "ontology#>" in with_prefixes("PREFIX kz: <urn:mine#> ASK { ?s a kz:X }").split("PREFIX kz:")[1]
False
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests
import urllib3

from kzgraph.errors import (
    QueryError,
    ResultTooLarge,
    ResultTruncated,
    StoreAuthRefused,
    StoreError,
    StoreRefused,
    StoreTimeout,
    StoreUnreachable,
)
from kzgraph.namespaces import PREFIXES

SPARQL_JSON = "application/sparql-results+json"
_CHUNK = 64 * 1024
_MESSAGE_CHARS = 300
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)


@dataclass(frozen=True)
class TimeoutParameter:
    """How a store takes a per-query time limit as a request parameter.

    >>> VIRTUOSO_TIMEOUT.value(2.5)
    '2500'
    """

    name: str
    per_second: int
    """The parameter's unit: 1 for seconds, 1000 for milliseconds."""

    def value(self, seconds: float) -> str:
        return str(max(1, round(seconds * self.per_second)))


VIRTUOSO_TIMEOUT = TimeoutParameter("timeout", 1000)
"""Virtuoso's ``/sparql`` takes ``timeout`` in milliseconds (capped by its
``MaxQueryExecutionTime``). Oxigraph's server takes no per-query parameter:
its limit is ``oxigraph serve --timeout-s``."""


def with_prefixes(text: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """``text`` with a PREFIX line for each project prefix it does not declare itself."""
    declared = {m.group(1) or "" for m in _DECLARED.finditer(text)}
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items() if name not in declared]
    return "\n".join([*lines, text])


class BearerAuth(requests.auth.AuthBase):
    """``Authorization: Bearer TOKEN`` on every request."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth(***)"


AUTH_SCHEMES = ("basic", "digest")
USER_VAR, PASSWORD_VAR, TOKEN_VAR = "KZGRAPH_STORE_USER", "KZGRAPH_STORE_PASSWORD", "KZGRAPH_STORE_TOKEN"


def auth_from_env(environ: Mapping[str, str], scheme: str = "basic") -> requests.auth.AuthBase | None:
    """Credentials for a store, from the environment only (never from options or URLs).

    ``KZGRAPH_STORE_TOKEN`` gives bearer authentication; ``KZGRAPH_STORE_USER``
    and ``KZGRAPH_STORE_PASSWORD`` give basic or digest (``scheme``).

    >>> auth_from_env({}) is None
    True
    >>> type(auth_from_env({"KZGRAPH_STORE_USER": "u", "KZGRAPH_STORE_PASSWORD": "p"}, "digest")).__name__
    'HTTPDigestAuth'

    Raises:
        StoreError: both a token and a user are set, or only one of user and password.
    """
    token = environ.get(TOKEN_VAR)
    user, password = environ.get(USER_VAR), environ.get(PASSWORD_VAR)
    if token and (user or password):
        raise StoreError(f"set either {TOKEN_VAR} or {USER_VAR}/{PASSWORD_VAR}, not both")
    if token:
        return BearerAuth(token)
    if bool(user) != bool(password):
        raise StoreError(f"set both {USER_VAR} and {PASSWORD_VAR}, or neither")
    if not user:
        return None
    if scheme not in AUTH_SCHEMES:
        raise StoreError(f"unknown authentication scheme {scheme!r} (use one of: {', '.join(AUTH_SCHEMES)})")
    if scheme == "digest":
        return requests.auth.HTTPDigestAuth(user, password)
    return requests.auth.HTTPBasicAuth(user, password)


def check_store_url(url: str) -> str:
    """``url`` if it is an http(s) URL without credentials in it.

    Raises:
        StoreError: another scheme, no host, or a user or password inside the URL
            (the message never repeats the URL then).
    """
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise StoreError(f"put the store's credentials in {USER_VAR}/{PASSWORD_VAR} or {TOKEN_VAR}, not in the URL")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(f"{url}: not an http:// or https:// URL")
    return url


def store_message(response: requests.Response) -> str:
    """The store's own words about a failed request: markup dropped, spaces
    collapsed, at most a few hundred characters."""
    try:
        text = response.content.decode(response.encoding or "utf-8", errors="replace")
    except (requests.RequestException, urllib3.exceptions.HTTPError):
        return ""
    text = re.sub(r"(?is)<(script|style|title)\b.*?</\1>", " ", text)
    text = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    return text if len(text) <= _MESSAGE_CHARS else text[: _MESSAGE_CHARS - 1] + "…"


def raise_for_status(response: requests.Response, what: str) -> None:
    """Raise the typed error for a failed answer to ``what`` (e.g. "PUT <url>").

    Raises:
        StoreAuthRefused: 401 or 403.
        StoreTimeout: 408 or 504.
        StoreRefused: any other status from 400 up.
    """
    status = response.status_code
    if status < 400:
        return
    message = store_message(response)
    text = f"{what}: the store answered {status} {response.reason or ''}".rstrip()
    text += f": {message}" if message else ""
    if status in (401, 403):
        hint = " (check the credentials and the account's rights)" if status == 401 else ""
        raise StoreAuthRefused(text + hint, status)
    if status in (408, 504):
        raise StoreTimeout(text)
    raise StoreRefused(text, status)


def unreachable(exc: requests.RequestException, url: str) -> StoreError:
    """The typed error for a request that got no answer at all."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return StoreUnreachable(f"cannot reach the store at {url}: no answer to the connection")
    if isinstance(exc, requests.exceptions.Timeout):
        return StoreTimeout(f"{url}: the store did not answer in time")
    return StoreUnreachable(f"cannot reach the store at {url}: {_reason(exc)}")


def _reason(exc: BaseException) -> str:
    """The innermost operating-system reason of a connection failure."""
    seen: set[int] = set()
    node: BaseException | None = exc
    best = ""
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        if isinstance(node, OSError) and node.strerror:
            best = node.strerror
        nxt = getattr(node, "reason", None)
        if not isinstance(nxt, BaseException):
            nxt = node.args[0] if node.args and isinstance(node.args[0], BaseException) else None
        node = nxt or node.__cause__ or node.__context__
    if best:
        return best.lower()
    name = type(exc).__name__
    return "connection failed" if name == "ConnectionError" else name


class RemoteStore:
    """A remote SPARQL 1.1 query endpoint, read-only from kzgraph's side.

    ``timeout`` (seconds) bounds each request: every socket wait and the
    whole answer; with ``timeout_parameter`` it is also sent to the store.
    ``max_result_bytes`` bounds an answer's size. Queries are sent as an
    HTML form POST, which every store takes; ``form=False`` sends them as
    ``application/sparql-query`` instead (Virtuoso 7.2 never answers those).
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float,
        auth: requests.auth.AuthBase | None = None,
        max_result_bytes: int,
        timeout_parameter: TimeoutParameter | None = None,
        form: bool = True,
        session: requests.Session | None = None,
    ) -> None:
        self.url = check_store_url(url)
        self.timeout = timeout
        self.max_result_bytes = max_result_bytes
        self.timeout_parameter = timeout_parameter
        self.form = form
        self._session = session or requests.Session()
        self._session.auth = auth

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(
        self,
        text: str,
        *,
        accept: str,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
    ) -> tuple[bytes, str]:
        """The store's whole answer to a query, as bytes, with its media type.

        ``default_graphs``/``named_graphs`` are sent as the protocol's
        ``default-graph-uri``/``named-graph-uri``.

        Raises:
            StoreUnreachable: no connection.
            StoreRefused: an error status (StoreAuthRefused for 401/403),
                e.g. 400 for a query the store cannot parse.
            StoreTimeout: the limit passed before the answer was complete.
            ResultTruncated: the answer was cut short.
            ResultTooLarge: the answer grew beyond ``max_result_bytes``.
        """
        deadline = time.monotonic() + self.timeout
        params: list[tuple[str, str]] = [("default-graph-uri", g) for g in default_graphs]
        params += [("named-graph-uri", g) for g in named_graphs]
        if self.timeout_parameter is not None:
            params.append((self.timeout_parameter.name, self.timeout_parameter.value(self.timeout)))
        body = with_prefixes(text)
        headers = {"Accept": accept}
        if self.form:
            data: Any = {"query": body}
        else:
            data = body.encode("utf-8")
            headers["Content-Type"] = "application/sparql-query; charset=utf-8"
        try:
            response = self._session.post(self.url, params=params, data=data, headers=headers, stream=True,
                                          timeout=(self.timeout, self.timeout))
        except requests.RequestException as exc:
            raise unreachable(exc, self.url) from exc
        with response:
            raise_for_status(response, f"query at {self.url}")
            content = self._read(response, deadline)
            _check_partial(response, self.url)
            _check_complete(content, response.headers.get("Content-Type", ""), self.url)
        return content, response.headers.get("Content-Type", "")

    def _read(self, response: requests.Response, deadline: float) -> bytes:
        raw = response.raw
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                chunk = raw.read1(_CHUNK, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_result_bytes:
                    raise ResultTooLarge(f"{self.url}: the answer is larger than {self.max_result_bytes:,} bytes")
                if time.monotonic() > deadline:
                    raise StoreTimeout(f"{self.url}: the answer took longer than {self.timeout:g} s")
                chunks.append(chunk)
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise StoreTimeout(f"{self.url}: the store stopped sending for {self.timeout:g} s") from exc
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
            raise ResultTruncated(f"{self.url}: the answer was cut short ({_truncation(exc)})") from exc
        expected = response.headers.get("Content-Length")
        if expected is not None and expected.isdigit() and raw.tell() != int(expected):
            raise ResultTruncated(f"{self.url}: the answer was cut short "
                                  f"({raw.tell():,} of {int(expected):,} bytes)")
        return b"".join(chunks)

    def select(self, text: str) -> list[dict[str, dict[str, str]]]:
        """A SELECT query's rows in the SPARQL 1.1 JSON results form:
        variable → {"type", "value"[, "datatype"][, "xml:lang"]}, unbound left out.

        Raises:
            QueryError: not a SELECT query.
            StoreError: the answer is not SPARQL JSON; and as :meth:`query`.
        """
        answer = self._json(text)
        if "results" not in answer or _virtuoso_ask(answer) is not None:
            raise QueryError("not a SELECT query")
        return [{name: _normalized(term) for name, term in row.items()} for row in answer["results"]["bindings"]]

    def ask(self, text: str) -> bool:
        """An ASK query's answer.

        Raises:
            QueryError: not an ASK query.
            StoreError: as :meth:`select`.
        """
        answer = self._json(text)
        if "boolean" in answer:
            return bool(answer["boolean"])
        virtuoso = _virtuoso_ask(answer)
        if virtuoso is None:
            raise QueryError("not an ASK query")
        return virtuoso

    def results(self, text: str, *, default_graphs: Iterable[str] = (),
                named_graphs: Iterable[str] = ()) -> dict:
        """A SELECT or ASK answer as a standard SPARQL 1.1 JSON results document:
        Virtuoso's one-column ASK becomes a boolean, its "typed-literal" a "literal".

        Raises:
            StoreError: the answer is not SPARQL JSON; and as :meth:`query`.
        """
        answer = self._json(text, default_graphs=default_graphs, named_graphs=named_graphs)
        virtuoso = _virtuoso_ask(answer)
        if virtuoso is not None:
            return {"head": {}, "boolean": virtuoso}
        if "results" in answer:
            bindings = [{name: _normalized(term) for name, term in row.items()}
                        for row in answer["results"].get("bindings", [])]
            return {"head": answer.get("head", {}), "results": {"bindings": bindings}}
        return answer

    def _json(self, text: str, **graphs: Iterable[str]) -> dict:
        content, media_type = self.query(text, accept=SPARQL_JSON, **graphs)
        try:
            answer = json.loads(content)
        except ValueError as exc:
            raise StoreError(f"{self.url}: the answer is not SPARQL JSON ({media_type or 'no media type'})") from exc
        if not isinstance(answer, dict):
            raise StoreError(f"{self.url}: the answer is not SPARQL JSON")
        return answer


def _check_partial(response: requests.Response, url: str) -> None:
    """Virtuoso answers 200 with a partial result when its time limit strikes
    ("anytime queries"), marked only by the ``X-SQL-State`` header.

    Raises:
        StoreTimeout: the answer is partial because of the time limit (S1TAT).
        ResultTruncated: the answer is partial for another reason.
    """
    state = response.headers.get("X-SQL-State")
    if not state:
        return
    said = " ".join(response.headers.get("X-SQL-Message", "").split())[:160]
    if state == "S1TAT":
        raise StoreTimeout(f"{url}: the store reached its time limit and sent a partial answer ({said})")
    raise ResultTruncated(f"{url}: the store sent a partial answer ({state}: {said})")


def _check_complete(content: bytes, media_type: str, url: str) -> None:
    """Parse an answer whose format pyoxigraph reads, so that an answer whose
    framing is intact but whose content stops early is caught too (Oxigraph's
    server, when its time limit strikes mid-answer, ends a 200 answer with
    the words "The SPARQL operation has been cancelled"). CSV cannot be checked.

    Raises:
        ResultTruncated: the answer does not parse.
    """
    name = media_type.split(";", 1)[0].strip().lower()
    results = ox.QueryResultsFormat.from_media_type(name) if name else None
    rdf = ox.RdfFormat.from_media_type(name) if name else None
    try:
        if results == ox.QueryResultsFormat.JSON:
            json.loads(content)  # whole JSON (blank node labels such as Virtuoso's nodeID://b1 are fine)
        elif results is not None and results != ox.QueryResultsFormat.CSV:
            answer = ox.parse_query_results(content, results)
            if isinstance(answer, ox.QuerySolutions):
                for _ in answer:
                    pass
        elif rdf is not None:
            for _ in ox.parse(content, rdf):
                pass
    except (SyntaxError, ValueError) as exc:
        tail = " ".join(content[-120:].decode("utf-8", errors="replace").split())
        raise ResultTruncated(f"{url}: the answer is incomplete ({exc}); it ends with: {tail!r}") from exc


def _virtuoso_ask(answer: dict) -> bool | None:
    """Virtuoso 7.2 answers ASK with a one-column result, ``__ASK_RETVAL``
    (one row with 1 for true, no row for false), not with a boolean."""
    if answer.get("head", {}).get("vars") != ["__ASK_RETVAL"]:
        return None
    rows = answer.get("results", {}).get("bindings", [])
    return bool(rows) and rows[0].get("__ASK_RETVAL", {}).get("value") not in (None, "0")


def _normalized(term: dict[str, str]) -> dict[str, str]:
    """SPARQL 1.1 JSON term form: Virtuoso still writes SPARQL 1.0's "typed-literal",
    and blank node labels such as ``nodeID://b10001`` that RDF syntaxes do not allow
    (they become ``b`` and a digest of the label: the same label, the same node)."""
    if term.get("type") == "typed-literal":
        return {**term, "type": "literal"}
    if term.get("type") == "bnode" and not re.fullmatch(r"[A-Za-z0-9_]+", term.get("value", "")):
        return {**term, "value": "b" + hashlib.sha1(term["value"].encode("utf-8")).hexdigest()[:20]}
    return term


def _truncation(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("IncompleteRead", "InvalidChunkLength", "Connection broken", "reset"):
        if marker in text:
            return text.split("(", 1)[0].strip() or marker
    return type(exc).__name__
