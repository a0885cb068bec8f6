"""Wall time of a one-shot CLI query, as a user runs it.

    python benchmarks/startup.py [--quick] [--repeats N]

Each case is a fresh subprocess, so the time includes the interpreter,
imports, loading the graph and printing the table:

* cold: ``kzgraph --no-cache query proposals-at-sco-tianjin`` (parse the
  Turtle files and run OWL RL reasoning every time);
* warm: the same without ``--no-cache``, with ``XDG_CACHE_HOME`` in a
  temporary folder that one untimed run has filled (bulk-load the cached
  N-Quads);
* import costs: bare ``python -c pass`` and ``import kzgraph.cli``, plus
  pyoxigraph and rdflib for comparison.

The requirement is a one-shot query well under 1.5 s on this machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bench import fmt_s, machine_summary, measure, table

TARGET_S = 1.5
QUERY = "proposals-at-sco-tianjin"


def kzgraph_command() -> list[str]:
    """The console script next to this interpreter (the venv's), else ``python -m kzgraph``."""
    script = Path(sys.executable).with_name("kzgraph")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kzgraph"]


def run(cmd: list[str], env: dict[str, str], cwd: str) -> None:
    done = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr.decode()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 runs per case instead of 15")
    parser.add_argument("--repeats", type=int, help="runs per case")
    args = parser.parse_args()
    repeats = args.repeats or (3 if args.quick else 15)

    tmp = tempfile.mkdtemp(prefix="kzgraph-bench-")
    try:
        env = {**os.environ, "XDG_CACHE_HOME": tmp}
        env.pop("KZGRAPH_ROOT", None)
        env.pop("KZGRAPH_CACHE_DIR", None)
        kz = kzgraph_command()
        py = [sys.executable]
        cold = kz + ["--no-cache", "query", QUERY]
        warm = kz + ["query", QUERY]
        cases = [
            ("python -c pass", py + ["-c", "pass"]),
            ("import pyoxigraph", py + ["-c", "import pyoxigraph"]),
            ("import rdflib", py + ["-c", "import rdflib"]),
            ("import kzgraph.cli", py + ["-c", "import kzgraph.cli"]),
            (f"cold: kzgraph --no-cache query {QUERY}", cold),
            (f"warm: kzgraph query {QUERY} (cached)", warm),
        ]
        run(warm, env, tmp)  # fill the cache (and byte-compile anything not yet compiled)
        cache = Path(tmp) / "kzgraph"
        deadline = time.monotonic() + 60  # the first query answers before its writer has published the store
        while not any(cache.glob("store-*/READY")):
            if time.monotonic() > deadline:
                raise SystemExit(f"the warm-up run left no prepared store in {cache}")
            time.sleep(0.05)

        results = []
        for label, cmd in cases:
            timing = measure(lambda cmd=cmd: run(cmd, env, tmp), repeats, warmup=1)
            results.append((label, timing))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(machine_summary())
    print(f"{repeats} runs per case, each a fresh process\n")
    print(table(["case", "median", "min", "max"],
                [(label, fmt_s(t.median), fmt_s(t.min), fmt_s(max(t.runs))) for label, t in results]))
    by = dict(results)
    cold_t = by[f"cold: kzgraph --no-cache query {QUERY}"]
    warm_t = by[f"warm: kzgraph query {QUERY} (cached)"]
    imp = by["import kzgraph.cli"]
    print()
    print(f"cold / warm (median): {cold_t.median / warm_t.median:.2f}x")
    print(f"import kzgraph.cli is {imp.median / warm_t.median:.0%} of a warm query")
    for name, t in (("cold", cold_t), ("warm", warm_t)):
        verdict = "met" if max(t.runs) < TARGET_S else "NOT met"
        print(f"target < {TARGET_S} s, {name}: {verdict} (median {fmt_s(t.median)}, worst {fmt_s(max(t.runs))})")


if __name__ == "__main__":
    main()
