"""Tail latency of answers kept in the cache: kzgraph's code or the server's threads?

    python benchmarks/tail.py [--duration 6] [--runs 2]

A repeated lookup is answered from kzgraph's answer cache in about 0.1 ms,
so its p99 shows what surrounds the application more than the application.
This script puts side by side, on free loopback ports, each under ``wrk -t2
-c8 --latency`` (Debian's package):

- granian (the server ``kzgraph serve`` runs on) with a WSGI application that
  returns a constant answer of the lookup's size, with 1, 2 and 5 threads a
  process (``--blocking-threads``), and with 1 thread taking 1 request at
  once (``--backpressure 1``, as ``kzgraph serve --max-queue 0`` does), 2
  processes;
- ``kzgraph serve --workers 2`` on the shipped graph with ``--max-queue 0``
  (1 thread a process) and with the default (``--max-queue 16``: 5 threads
  a process on 2 cores);
- Oxigraph's server (``serve-read-only``) on a dump of the same dataset.

It prints requests/s, p50, p99 and p99/p50, each the median of ``--runs``
runs. Only 127.0.0.1 is contacted; every server is stopped at the end.
Needs ``wrk`` and the ``oxigraph`` command (the test extra).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

from throughput import JSON, LOOKUP, free_port, wait_up, wrk

CONSTANT_APP = '''
BODY = (b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri",'
        b'"value":"https://w3id.org/kzgraph/resource/country-KAZ"}}]}}')
HEADERS = [("Content-Type", "application/sparql-results+json"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
'''


def serve_and_measure(command: list[str], health: str, query_path: str, env: dict, args) -> dict:
    port = free_port()
    process = subprocess.Popen([part.replace("PORT", str(port)) for part in command], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(base + health, process, seconds=600)
        url = f"{base}{query_path}?query={urllib.parse.quote(LOOKUP)}"
        wrk(url, duration=2, connections=8, accept=JSON)  # warm-up: every process started, the answer kept
        runs = [wrk(url, duration=args.duration, connections=8, accept=JSON) for _ in range(args.runs)]
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50", "p99", "errors")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=6)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kzgraph-tail-"))
    env = {**os.environ, "XDG_CACHE_HOME": str(folder / "cache"), "PYTHONPATH": str(folder)}
    (folder / "constant.py").write_text(CONSTANT_APP, encoding="utf-8")
    dump = folder / "shipped.nq"
    subprocess.run([sys.executable, "-c", (
        "import sys; from pathlib import Path; from kzgraph import Settings; from kzgraph.loader import load_store;"
        "load_store(Settings.from_env()).dump(Path(sys.argv[1]))"), str(dump)], check=True, env=env)
    subprocess.run(["oxigraph", "load", "--location", str(folder / "oxigraph"), "--file", str(dump)], check=True,
                   capture_output=True)
    granian = [sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "2", "--port", "PORT",
               "--log-level", "warning"]
    kzgraph = [sys.executable, "-m", "kzgraph", "serve", "--port", "PORT", "--workers", "2"]
    cases = [
        ("granian, constant WSGI answer, 1 thread a process",
         [*granian, "--blocking-threads", "1", "constant:app"], "/", "/"),
        ("granian, constant WSGI answer, 1 thread and 1 request at once a process",
         [*granian, "--blocking-threads", "1", "--backpressure", "1", "constant:app"], "/", "/"),
        ("granian, constant WSGI answer, 2 threads a process",
         [*granian, "--blocking-threads", "2", "constant:app"], "/", "/"),
        ("granian, constant WSGI answer, 5 threads a process",
         [*granian, "--blocking-threads", "5", "constant:app"], "/", "/"),
        ("kzgraph serve --max-queue 0 (1 thread a process)", [*kzgraph, "--max-queue", "0"], "/health", "/sparql"),
        ("kzgraph serve (default: 5 threads a process)", kzgraph, "/health", "/sparql"),
        ("oxigraph serve-read-only", ["oxigraph", "serve-read-only", "--location", str(folder / "oxigraph"),
                                      "--union-default-graph", "--bind", "127.0.0.1:PORT"],
         "/query?query=ASK%7B%7D", "/query"),
    ]
    print(f"wrk -t2 -c8 -d{args.duration}s --latency, repeated lookup, median of {args.runs} runs\n")
    print("| server | req/s | p50 ms | p99 ms | p99/p50 | errors |")
    print("|---|---|---|---|---|---|")
    try:
        for label, command, health, query_path in cases:
            r = serve_and_measure(command, health, query_path, env, args)
            print(f"| {label} | {r['rps']:,.0f} | {r['p50']:.3f} | {r['p99']:.3f} | {r['p99'] / r['p50']:.1f}x "
                  f"| {r['errors']:.0f} |", flush=True)
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)


if __name__ == "__main__":
    main()
