"""Loading at scale: first load, next start and memory, against ``oxigraph load`` in one run.

    python benchmarks/scale.py [--sizes 100k,1m] [--runs 3]

For each size, ``generate.py`` writes that many triples (seed 1). Then, each
``--runs`` times, in fresh processes timed with GNU time:

- ``first load``: ``kzgraph --data FILE query ASK{}`` with an empty cache
  (parse, date bounds, OWL RL rules, the answer from memory): the command's
  wall time; and ``on disk``, from the command's start until the prepared
  store, written behind the command, is published in the cache;
- ``next start``: the same command with the cache filled (the store opened read-only);
- ``shipped``: a one-shot query on the shipped graph with the cache filled, the yardstick for "next start";
- ``oxigraph load``: Oxigraph's own bulk loader on the same file (no reasoning);
- ``serve --workers 4``: resident memory of all of kzgraph serve's processes once it answers.

Medians (wall seconds; peak resident MB of the largest process, by GNU time,
and peak MB of all the command's processes together, those writing the store
behind it included until it is on disk, sampled as proportional set size)
and the ratios the targets are set in.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from throughput import free_port, process_pss, tree_rss, wait_up

HERE = Path(__file__).resolve().parent


def timed(command: list[str], env: dict, cache: Path | None = None) -> tuple[float, float, float, float]:
    """(wall seconds, peak resident MB of its largest process, peak MB of all its processes together,
    seconds until the prepared store is in ``cache``) of one command.

    The first two by GNU time; the third sampled every 250 ms from /proc (a
    first load runs a writer process beside the reasoner, which goes on
    after the command has answered: with ``cache``, it is sampled, and
    waited for, until its store is published there).
    """
    start = time.monotonic()
    process = subprocess.Popen(["/usr/bin/time", "-v", *command], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    together, on_disk = 0, 0.0
    while process.poll() is None or (cache is not None and not on_disk):
        together = max(together, together_rss(process.pid, cache))
        if cache is not None and not on_disk and list(cache.glob("kzgraph/store-*/READY")):
            on_disk = time.monotonic() - start
        time.sleep(0.25)  # reading every process's memory map costs CPU the command would use
    out = process.stderr.read()
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command, stderr=out)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", out)
    seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out).group(1)) / 1024
    return seconds, rss, together / 1e6, on_disk


def together_rss(pid: int, cache: Path | None) -> int:
    """Memory of a process and its descendants, and of every process working for ``cache`` (a first
    query leaves the prepared store to be written behind it, by a copy of itself and a writer that
    outlive it), each counted once, by proportional set size: pages a forked copy shares with the
    process it was copied from are counted once, not in both."""
    parents: dict[int, int] = {}
    working = set()
    needle = f"={cache}\0".encode() if cache is not None else None
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            parents[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            environment = Path(f"/proc/{entry}/environ").read_bytes() if needle else b""
        except (OSError, IndexError, ValueError):
            continue
        if needle and needle in environment:
            working.add(int(entry))
    counted = set(working)
    pending = [pid]
    while pending:
        current = pending.pop()
        counted.add(current)
        pending += [child for child, parent in parents.items() if parent == current and child not in counted]
    return sum(process_pss(process) for process in counted)


def wait_published(cache: Path, stores: int, seconds: float = 600) -> None:
    """Wait until ``cache`` holds ``stores`` published stores (a first query's writer outlives it)."""
    deadline = time.monotonic() + seconds
    while len(list(cache.glob("kzgraph/store-*/READY"))) < stores:
        if time.monotonic() > deadline:
            raise SystemExit(f"no store published in {cache} after {seconds:.0f} s")
        time.sleep(0.05)


def median(runs: list[tuple[float, ...]]) -> tuple[float, ...]:
    return tuple(statistics.median(values) for values in zip(*runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1m")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kzgraph-scale-"))
    kzgraph = [sys.executable, "-m", "kzgraph"]
    try:
        print("| size | first load s | on disk s | MB largest | MB together | next start s | MB | shipped one-shot s "
              "| oxigraph load s | MB | first/oxigraph | on disk/oxigraph | next/shipped | serve --workers 4 MB |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for size in args.sizes.split(","):
            triples = {"100k": 100_000, "1m": 1_000_000}[size]
            data = folder / f"{size}.nt"
            subprocess.run([sys.executable, str(HERE / "generate.py"), "--triples", str(triples), "--seed", "1",
                            "-o", str(data)], check=True, capture_output=True)
            first, nxt, shipped, oxi = [], [], [], []
            for run in range(args.runs):
                cache = folder / f"cache-{size}-{run}"
                env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
                first.append(timed([*kzgraph, "--data", str(data), "query", "ASK {}"], env, cache))
                nxt.append(timed([*kzgraph, "--data", str(data), "query", "ASK { kzr:country-KAZ ?p ?o }"], env))
                timed([*kzgraph, "query", "ASK {}"], env)  # fills the shipped graph's cache (its writer finishes after it)
                wait_published(cache, 2)
                shipped.append(timed([*kzgraph, "query", "ASK { kzr:country-KAZ ?p ?o }"], env))
                oxi.append(timed(["oxigraph", "load", "--location", str(folder / f"oxi-{size}-{run}"),
                                  "--file", str(data)], env))
                shutil.rmtree(folder / f"oxi-{size}-{run}", ignore_errors=True)
            env = {**os.environ, "XDG_CACHE_HOME": str(folder / f"cache-{size}-0")}
            port = free_port()
            server = subprocess.Popen([*kzgraph, "--data", str(data), "serve", "--port", str(port), "--workers", "4"],
                                      env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_up(f"http://127.0.0.1:{port}/health", server)
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", timeout=30):
                    pass
                time.sleep(1)
                serve_rss = tree_rss(server.pid) / 1e6
            finally:
                server.terminate()
                server.wait(timeout=30)
            (f, fm, ft, fd), (n, nm, _, _), (s, _, _, _), (o, om, _, _) = (
                median(first), median(nxt), median(shipped), median(oxi))
            print(f"| {size} | {f:.1f} | {fd:.1f} | {fm:,.0f} | {ft:,.0f} | {n:.2f} | {nm:,.0f} | {s:.2f} | {o:.1f} "
                  f"| {om:,.0f} | {f / o:.1f}x | {fd / o:.1f}x | {n / s:.1f}x | {serve_rss:,.0f} |", flush=True)
            for path in folder.glob("cache-*"):
                shutil.rmtree(path, ignore_errors=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
