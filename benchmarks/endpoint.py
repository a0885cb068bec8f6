"""Throughput and latency of the SPARQL endpoint under a bounded burst.

    python benchmarks/endpoint.py [--quick] [--requests 400] [--threads 8] [--bursts 3]

Starts ``kzgraph serve --port <free port> --workers 2`` in a subprocess (with
its cache in a temporary folder), polls ``GET /health`` until it answers 200,
sends a few untimed warm-up requests, then ``--bursts`` bursts of
``--requests`` GET requests of one small SELECT from ``--threads`` client
threads, and stops the server. Only 127.0.0.1 is ever contacted; every
request has a timeout. An error is any exception or a status other than 200.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _bench import fmt_s, machine_summary, table

HOST = "127.0.0.1"
QUERY = "SELECT ?state ?label WHERE { ?state a kz:State ; rdfs:label ?label } ORDER BY ?label LIMIT 5"
ACCEPT = "application/sparql-results+json"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def kzgraph_command() -> list[str]:
    script = Path(sys.executable).with_name("kzgraph")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kzgraph"]


def get(url: str, timeout: float, accept: str = ACCEPT) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_ready(base: str, proc: subprocess.Popen, deadline_s: float) -> float:
    """Poll /health until 200; return the seconds it took."""
    start = time.perf_counter()
    while time.perf_counter() - start < deadline_s:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode} before it was ready")
        try:
            status, _ = get(base + "/health", timeout=2, accept="application/json")
            if status == 200:
                return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"the server was not ready after {deadline_s:g} s")


def stop(proc: subprocess.Popen) -> None:
    """Stop the server we started: Ctrl-C first, then its process group (its query workers)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)  # the group the server and its workers run in (start_new_session)
        except ProcessLookupError:
            break
        time.sleep(1)
    proc.wait(timeout=10)


def one_request(url: str, timeout: float) -> tuple[float, bool]:
    start = time.perf_counter()
    ok = False
    try:
        status, body = get(url, timeout)
        ok = status == 200 and "results" in json.loads(body)
    except (OSError, ValueError):
        ok = False
    return time.perf_counter() - start, ok


def burst(url: str, requests: int, threads: int, timeout: float) -> tuple[float, list[float], int, float]:
    """Wall time, sorted latencies, error count and the CPU the client itself used (share of one core)."""
    start, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(lambda _: one_request(url, timeout), range(requests)))
    wall = time.perf_counter() - start
    return wall, sorted(t for t, _ in results), sum(1 for _, ok in results if not ok), (time.process_time() - cpu) / wall


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    rank = max(1, round(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one burst of 80 requests")
    parser.add_argument("--requests", type=int, help="requests per burst (default 400)")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--bursts", type=int, help="timed bursts (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="the server's --workers")
    parser.add_argument("--timeout", type=float, default=10.0, help="per-request timeout, seconds")
    args = parser.parse_args()
    requests = args.requests or (80 if args.quick else 400)
    bursts = args.bursts or (1 if args.quick else 3)

    port = free_port()
    base = f"http://{HOST}:{port}"
    url = f"{base}/sparql?{urllib.parse.urlencode({'query': QUERY})}"
    tmp = tempfile.mkdtemp(prefix="kzgraph-bench-")
    env = {**os.environ, "XDG_CACHE_HOME": tmp}
    for name in ("KZGRAPH_ROOT", "KZGRAPH_HOST", "KZGRAPH_PORT", "KZGRAPH_WORKERS", "KZGRAPH_CACHE_DIR"):
        env.pop(name, None)
    cmd = kzgraph_command() + ["serve", "--host", HOST, "--port", str(port), "--workers", str(args.workers)]
    log = open(Path(tmp) / "server.log", "w+b")
    proc = subprocess.Popen(cmd, env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    rows = []
    try:
        ready = wait_ready(base, proc, deadline_s=60)
        status, body = get(url, args.timeout)
        if status != 200:
            raise SystemExit(f"the query failed ({status}): {body[:300]!r}")
        n_rows = len(json.loads(body)["results"]["bindings"])
        burst(url, 4 * args.threads, args.threads, args.timeout)  # warm-up, untimed
        for i in range(bursts):
            wall, latencies, errors, client_cpu = burst(url, requests, args.threads, args.timeout)
            rows.append((i + 1, requests, errors, f"{wall:.2f} s", f"{requests / wall:.0f}",
                         fmt_s(percentile(latencies, 50)), fmt_s(percentile(latencies, 95)),
                         fmt_s(percentile(latencies, 99)), fmt_s(latencies[-1]), f"{client_cpu:.0%}"))
            print(f"burst {i + 1}: {requests / wall:.0f} requests/s, {errors} errors", flush=True)
    finally:
        stop(proc)
        log.seek(0)
        server_log = log.read().decode(errors="replace")
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)

    print(machine_summary())
    print(f"server: {' '.join(cmd[-8:])}, ready (GET /health 200) {fmt_s(ready)} after spawn")
    print(f"server said: {server_log.splitlines()[0] if server_log else '(nothing)'}")
    print(f"query ({n_rows} rows): {QUERY}")
    print(f"{bursts} burst(s) of {requests} GET /sparql from {args.threads} threads, Accept: {ACCEPT}\n")
    print(table(["burst", "requests", "errors", "wall", "requests/s", "p50", "p95", "p99", "max", "client CPU"], rows))
    print("\n(client CPU: CPU time of this client process / wall time; the client shares the machine's cores)")
    rates = [float(r[4]) for r in rows]
    print(f"\nthroughput: median {statistics.median(rates):.0f} requests/s, min {min(rates):.0f}")


if __name__ == "__main__":
    main()
