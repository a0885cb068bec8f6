"""Plain SPARQL GETs answered before the web framework: from the answers already sent, or
straight from the backend.

The backend keeps the answers of a read-only dataset (:mod:`kzgraph.backends.cache`)
and marks them with an ETag. This WSGI middleware keeps the whole HTTP
answer of such a ``GET /sparql`` (status, headers, body), keyed by everything
the answer depends on (query string, Accept, Origin), and sends it again
without running the application: no routing, no negotiation, no job. A
request with ``If-None-Match`` goes through, so that it can get its 304; an
answer without an ETag (a SERVICE was called, or the store is remote) is
never kept.

A plain GET that is not kept yet (only ``query`` and perhaps ``format``, once
each, no body) is run on the backend here too, and answered here when it
succeeds; anything else, and every failure, goes through the application,
which reads the protocol in full and answers errors in one place.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

Key = tuple[str, str, str]


class AnswerCacheMiddleware:
    def __init__(self, app: Callable, *, max_bytes: int, path: str = "/sparql",
                 run: Callable[[dict], tuple[str, list[tuple[str, str]], bytes] | None] | None = None) -> None:
        self.app = app
        self.run = run
        """Answers a plain GET from its environ (status, headers, body), or None to let the application answer."""
        self.max_bytes = max_bytes
        self.path = path
        self._answers: OrderedDict[Key, tuple[str, list[tuple[str, str]], bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if (environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != self.path
                or "HTTP_IF_NONE_MATCH" in environ or environ.get("CONTENT_LENGTH") not in (None, "", "0")):
            return self.app(environ, start_response)
        key = (environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT", ""), environ.get("HTTP_ORIGIN", ""))
        with self._lock:
            kept = self._answers.get(key)
            if kept is not None:
                self._answers.move_to_end(key)
        if kept is not None:
            status, headers, body = kept
            start_response(status, headers)
            return [body]
        direct = self.run(environ) if self.run is not None else None
        if direct is not None:
            status, headers, body = direct
            self._keep(key, status, headers, body)
            start_response(status, headers)
            return [body]
        captured: dict = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        self._keep(key, captured.get("status", ""), captured.get("headers", []), body)
        return [body]

    def _keep(self, key: Key, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        if not status.startswith("200") or not any(n.lower() == "etag" for n, _ in headers) \
                or len(body) > self.max_bytes // 8:
            return
        with self._lock:
            if key not in self._answers:
                self._answers[key] = (status, list(headers), body)
                self._size += len(body)
            while self._size > self.max_bytes:
                _, (_, _, dropped) = self._answers.popitem(last=False)
                self._size -= len(dropped)
