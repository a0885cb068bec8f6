"""Endpoint throughput with every protection on, against Oxigraph's own server, in one run.

    python benchmarks/throughput.py [--sizes shipped,100k,1m] [--duration 10] [--connections 8] [--workers 2]
                                    [--max-queue N] [--rdflib-endpoint PATH]

For each size (``shipped``: the graph as it ships; ``100k``/``1m``: that many
generated triples from ``generate.py``, loaded with ``--data``), it starts
``kzgraph serve``, Oxigraph's server (``oxigraph serve-read-only
--union-default-graph``) and rdflib-endpoint (``rdflib-endpoint serve``, an
rdflib Dataset with the union as default graph, under uvicorn) over a dump of
the very same prepared dataset, on free loopback ports, and drives each with
``wrk`` (Debian's package):

- ``lookup``: the same label lookup again and again (a cache may help);
- ``distinct``: a label lookup whose text differs in every request (a
  counter in a comment), so no answer cache can help;
- ``join``: meetings, their participants and the participants' labels;
- ``dump``: the whole dataset as N-Quads (rdflib-endpoint has none).

It prints requests/s, p50 and p99 latency, non-2xx answers and socket
errors, the servers' resident memory (all their processes), and the ratio
kzgraph/Oxigraph. Only 127.0.0.1 is contacted; every server is stopped at
the end. Needs ``wrk`` and the ``oxigraph`` command (the test extra);
rdflib-endpoint is measured when its command is found (``--rdflib-endpoint``,
or ``rdflib-endpoint`` on the PATH; install it in a virtualenv of its own:
``python -m venv /tmp/rdflib-ep && /tmp/rdflib-ep/bin/pip install
'rdflib-endpoint[cli]'``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
JSON = "application/sparql-results+json"
LOOKUP = 'SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> "Kazakhstan"@en }'
DISTINCT = 'SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> "Kazakhstan"@en } # '
JOIN = ("SELECT ?m ?p ?l WHERE { ?m a <https://w3id.org/kzgraph/ontology#Meeting> ; "
        "<https://w3id.org/kzgraph/ontology#participant> ?p . ?p <http://www.w3.org/2000/01/rdf-schema#label> ?l }")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_up(url: str, process: subprocess.Popen, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server ended with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        total += process_rss(current)
        pending += children.get(current, [])
    return total


def process_rss(pid: int) -> int:
    """Resident bytes of one process (Linux /proc), 0 if it has ended."""
    return _proc_bytes(pid, "status", "VmRSS:")


def process_pss(pid: int) -> int:
    """Proportional set size of one process: its pages shared with others count in part (Linux /proc)."""
    return _proc_bytes(pid, "smaps_rollup", "Pss:")


def _proc_bytes(pid: int, file: str, field: str) -> int:
    """The size in ``field`` of ``/proc/PID/FILE``, in bytes; 0 if the process has ended."""
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def wrk(url: str, *, duration: int, connections: int, accept: str, script: str | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-H", f"Accept: {accept}"]
    if script:
        command += ["-s", script]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "99"):
        match = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)", out, re.MULTILINE)
        if match is None:  # no request finished
            result[f"p{pct}"] = float("nan")
            continue
        value, unit = float(match.group(1)), match.group(2)
        result[f"p{pct}"] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["errors"] = (int(errors.group(1)) if errors else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return result


def distinct_script(folder: Path, path: str) -> str:
    script = folder / "distinct.lua"
    script.write_text(f"""
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "{path}" .. counter)
end
""", encoding="utf-8")
    return str(script)


def measure(name: str, base: str, query_path: str, dump_path: str | None, args, folder: Path, pid: int) -> dict:
    lookup = f"{base}{query_path}?query={urllib.parse.quote(LOOKUP)}"
    distinct = f"{query_path}?query={urllib.parse.quote(DISTINCT)}"
    join = f"{base}{query_path}?query={urllib.parse.quote(JOIN)}"
    wrk(lookup, duration=2, connections=args.connections, accept=JSON)  # warm-up: every process started and ready
    rows = {}
    for label, url, accept, script in [
        ("lookup", lookup, JSON, None),
        ("distinct", base + "/", JSON, distinct_script(folder, distinct)),
        ("join", join, JSON, None),
        ("dump", base + dump_path if dump_path else None, "application/n-quads", None),
    ]:
        if url is None:
            continue
        rows[label] = wrk(url, duration=args.duration, connections=args.connections, accept=accept, script=script)
    rows["rss"] = tree_rss(pid)
    print(f"  {name}: " + ", ".join(f"{k} {v['rps']:.0f}/s" for k, v in rows.items() if k != "rss"), flush=True)
    return rows


def prepare(size: str, folder: Path, env: dict) -> list[str]:
    if size == "shipped":
        return []
    triples = {"100k": 100_000, "1m": 1_000_000}[size]
    data = folder / f"{size}.nt"
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--triples", str(triples), "--seed", "1",
                    "-o", str(data)], check=True, env=env, capture_output=True)
    return ["--data", str(data)]


def run_size(size: str, args, folder: Path) -> tuple[dict[str, dict], int]:
    env = {**os.environ, "XDG_CACHE_HOME": str(folder / "cache")}
    data = prepare(size, folder, env)
    kzgraph = [sys.executable, "-m", "kzgraph", *data]
    dump = folder / f"{size}.nq"
    subprocess.run([sys.executable, "-c", (
        "import sys; from pathlib import Path; from kzgraph import Settings; from kzgraph.loader import load_store;"
        "s = load_store(Settings.from_env(data=tuple(Path(p) for p in sys.argv[2:])));"
        "s.dump(Path(sys.argv[1])); print(len(s))"), str(dump), *data[1::2]], check=True, env=env,  # prepares the store
        capture_output=True, text=True)
    quads = sum(1 for _ in dump.open("rb"))
    oxi_dir = folder / f"oxigraph-{size}"
    subprocess.run(["oxigraph", "load", "--location", str(oxi_dir), "--file", str(dump)], check=True,
                   capture_output=True)
    servers = [
        ("kzgraph", lambda port: [*kzgraph, "serve", "--port", str(port), "--workers", str(args.workers),
                                  *(["--max-queue", str(args.max_queue)] if args.max_queue is not None else [])],
         "/health", "/sparql", "/rdf-graph-store?default"),
        ("oxigraph", lambda port: ["oxigraph", "serve-read-only", "--location", str(oxi_dir), "--union-default-graph",
                                   "--bind", f"127.0.0.1:{port}"],
         "/query?query=ASK%7B%7D", "/query", "/store"),
    ]
    if args.rdflib_endpoint:
        servers.append(("rdflib-endpoint", lambda port: [args.rdflib_endpoint, "serve", str(dump), "--host", "127.0.0.1",
                                                         "--port", str(port)],
                        "/?query=ASK%7B%7D", "/", None))
    results = {}
    for name, command, health, query_path, dump_path in servers:
        port = free_port()
        process = subprocess.Popen(command(port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            started = time.monotonic()
            wait_up(base + health, process, seconds=1800)
            print(f"  {name} answered {time.monotonic() - started:.1f} s after it started", flush=True)
            results[name] = measure(name, base, query_path, dump_path, args, folder, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    return results, quads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="shipped,100k")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-queue", type=int, default=None, help="kzgraph serve's --max-queue (default: its own)")
    parser.add_argument("--rdflib-endpoint", default=shutil.which("rdflib-endpoint"),
                        help="the rdflib-endpoint command (default: found on the PATH; none: not measured)")
    args = parser.parse_args()
    for tool in ("wrk", "oxigraph"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed (wrk: apt-get install wrk; oxigraph: pip install '.[test]')")
    folder = Path(tempfile.mkdtemp(prefix="kzgraph-throughput-"))
    try:
        print(f"wrk -t2 -c{args.connections} -d{args.duration}s; kzgraph serve --workers {args.workers}"
              f"{' --max-queue ' + str(args.max_queue) if args.max_queue is not None else ''}; "
              f"rdflib-endpoint: {args.rdflib_endpoint or 'not measured'}\n")
        for size in args.sizes.split(","):
            results, quads = run_size(size, args, folder)
            print(table(size, quads, results), flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def table(size: str, quads: int, results: dict[str, dict]) -> str:
    """The Markdown rows of one size: each server's numbers, and kzgraph's ratio to the others."""
    others = [name for name in results if name != "kzgraph"]
    lines = ["| size | work | " + " | ".join(f"{n} req/s | p50 ms | p99 ms | errors" for n in results) + " | "
             + " | ".join(f"ratio to {n}" for n in others) + " |",
             "|---|---|" + "---|---|---|---|" * len(results) + "---|" * len(others)]
    kz = results["kzgraph"]
    for work in ("lookup", "distinct", "join", "dump"):
        cells = []
        for name in results:
            row = results[name].get(work)
            cells.append(f"{row['rps']:,.0f} | {row['p50']:.2f} | {row['p99']:.2f} | {row['errors']}" if row
                         else "— | | |")
        ratios = [f"{kz[work]['rps'] / results[n][work]['rps']:.2f}x" if results[n].get(work, {}).get("rps") else "—"
                  for n in others]
        lines.append(f"| {size} ({quads:,} quads) | {work} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    memory = " | ".join(f"{results[n]['rss'] / 1e6:,.0f} MB | | |" for n in results)
    lines.append(f"| {size} | resident memory | {memory} " + "| " * len(others) + "|")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
