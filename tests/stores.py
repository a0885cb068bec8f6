"""Real SPARQL stores, started by the tests on loopback, and small local
servers that misbehave on purpose.

- ``oxigraph_server``: Oxigraph's server (the ``oxigraph`` command of the PyPI
  package in the test extra), started with ``--union-default-graph`` so that
  queries see the union of the named graphs, as on the embedded store.
- ``virtuoso_server``: Virtuoso (Debian's ``virtuoso-opensource``, installed by
  ``.ci/run``) with its own temporary database folder, ini file and ports; a
  fresh database's ``dba`` account (password ``dba``) pushes through the
  digest-authenticated ``/sparql-graph-crud-auth``.

Both are stopped at the end of the session. When ``KZGRAPH_REQUIRE_STORES`` is
set (``.ci/run`` sets it) a missing store fails the tests instead of skipping them.

Import the fixtures into a test module with ``from stores import ...``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _missing(what: str) -> None:
    message = f"{what} is not installed (.ci/run installs it)"
    if os.environ.get("KZGRAPH_REQUIRE_STORES"):
        pytest.fail(message)
    pytest.skip(message)


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the store exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            requests.get(url, params={"query": "ASK {}"}, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url}: the store did not start within {seconds:g} s:\n{log.read_text(errors='replace')}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass(frozen=True)
class StoreServer:
    name: str
    query_url: str
    graph_store_url: str
    port: int
    push_options: tuple[str, ...] = ()
    """Options ``kzgraph push`` needs for this store, besides the URLs."""
    env: dict[str, str] = field(default_factory=dict)
    """Environment variables (credentials) a push needs."""


def start_oxigraph(folder: Path, *extra: str) -> tuple[subprocess.Popen, StoreServer]:
    exe = shutil.which("oxigraph", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if exe is None:
        _missing("Oxigraph's server (the PyPI package 'oxigraph')")
    port = free_port()
    log = folder / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen([exe, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}",
                                    *extra], stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/query", process, log, 30)
    except RuntimeError:
        _stop(process)
        raise
    return process, StoreServer("oxigraph", f"{base}/query", f"{base}/store", port)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory) -> Iterator[StoreServer]:
    """Oxigraph's server with a union default graph and a 10 s query limit."""
    process, server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"), "--union-default-graph", "--timeout-s", "10")
    yield server
    _stop(process)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory) -> Iterator[StoreServer]:
    """Virtuoso in the foreground, with its own database folder, ini file and free ports."""
    exe = shutil.which("virtuoso-t")
    if exe is None:
        _missing("Virtuoso (Debian's 'virtuoso-opensource')")
    folder = tmp_path_factory.mktemp("virtuoso")
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    log = folder / "console.log"
    with log.open("wb") as out:
        process = subprocess.Popen([exe, "-f", "-c", str(ini)], cwd=folder, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait_until_up(f"{base}/sparql", process, log, 120)
    except RuntimeError:
        _stop(process)
        raise
    yield StoreServer("virtuoso", f"{base}/sparql", f"{base}/sparql-graph-crud-auth", http_port,
                      push_options=("--auth", "digest"),
                      env={"KZGRAPH_STORE_USER": VIRTUOSO_USER, "KZGRAPH_STORE_PASSWORD": VIRTUOSO_PASSWORD})
    _stop(process)


@pytest.fixture(params=["oxigraph_server", "virtuoso_server"], ids=["oxigraph", "virtuoso"])
def any_store(request) -> StoreServer:
    """Each real store in turn."""
    return request.getfixturevalue(request.param)


# --- local servers that record or misbehave -------------------------------------------


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class RecordingServer:
    """An HTTP server that records every request and answers with ``respond``."""

    url: str
    requests: list[Recorded]


@pytest.fixture
def recording_server() -> Iterator[Callable[..., RecordingServer]]:
    """A factory: ``recording_server(status, body)`` starts a server answering
    every request with that status and body, and records the requests."""
    servers: list[ThreadingHTTPServer] = []

    def start(status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None) -> RecordingServer:
        seen: list[Recorded] = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen.append(Recorded(self.command, self.path, dict(self.headers), self.rfile.read(length)))
                self.send_response(status)
                for name, value in (headers or {"Content-Type": "text/plain"}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body) if self.command != "HEAD" else 0))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _answer

            def log_message(self, *args) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return RecordingServer(f"http://127.0.0.1:{server.server_address[1]}", seen)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def raw_server(answer: bytes | Callable[[socket.socket], None]) -> tuple[str, Callable[[], None]]:
    """A server that reads each request head and answers with ``answer``
    (raw bytes, framing and all, then closes), or calls ``answer(conn)``.
    Returns its URL and a function that stops it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stopped = threading.Event()

    def run() -> None:
        while not stopped.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                try:
                    if callable(answer):
                        answer(conn)
                    else:
                        conn.sendall(answer)
                except OSError:
                    pass

    threading.Thread(target=run, daemon=True).start()

    def stop() -> None:
        stopped.set()
        listener.close()

    return f"http://127.0.0.1:{listener.getsockname()[1]}/sparql", stop


class CuttingProxy:
    """A TCP proxy in front of a store that forwards every request whole,
    except the ``cut_at``-th PUT: with ``mode="cut"`` it forwards that PUT's
    head and half its body, then closes both connections (the store sees a
    body cut short, the client no answer); with ``mode="refuse"`` it answers
    503 itself and forwards nothing. One request per connection (it asks for
    ``Connection: close``)."""

    def __init__(self, upstream_port: int, cut_at: int, mode: str = "cut") -> None:
        self.upstream_port, self.cut_at, self.mode = upstream_port, cut_at, mode
        self.puts = 0
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
            length = next((int(line.split(b":", 1)[1]) for line in lines
                           if line.lower().startswith(b"content-length:")), 0)
            while len(body) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                body += chunk
            head = b"\r\n".join([*lines, b"Connection: close"])
            cut = False
            if head.startswith(b"PUT "):
                with self._lock:
                    self.puts += 1
                    cut = self.puts == self.cut_at
            if cut and self.mode == "refuse":
                message = b"the disk is full"
                conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(message), message))
                return
            with socket.create_connection(("127.0.0.1", self.upstream_port)) as upstream:
                if cut:
                    upstream.sendall(head + b"\r\n\r\n" + body[: len(body) // 2])
                    time.sleep(0.3)
                    return  # both connections close: the store has half a body, the client no answer
                upstream.sendall(head + b"\r\n\r\n" + body)
                answer = b""
                while True:
                    chunk = upstream.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
                # tell the client too that this connection ends here, so it never reuses it
                answer_head, _, answer_body = answer.partition(b"\r\n\r\n")
                answer_lines = [line for line in answer_head.split(b"\r\n")
                                if not line.lower().startswith(b"connection:")]
                conn.sendall(b"\r\n".join([*answer_lines, b"Connection: close"]) + b"\r\n\r\n" + answer_body)
