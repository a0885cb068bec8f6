"""Helpers shared by the benchmark scripts: timing, tables, scaled data.

Not a test module and not part of the package; the scripts import it from
their own folder (``python benchmarks/<script>.py`` puts it on sys.path).
"""

from __future__ import annotations

import statistics
import time
import argparse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kzgraph.namespaces import DATA_GRAPH, INFERRED_GRAPH, KZR


@dataclass(frozen=True)
class Timing:
    runs: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def min(self) -> float:
        return min(self.runs)


def measure(fn: Callable[[], object], repeats: int, *, budget: float | None = None, warmup: int = 0) -> Timing:
    """Time ``fn`` ``repeats`` times with perf_counter (after ``warmup`` untimed calls).

    With ``budget`` (seconds), stop early once the timed runs add up to more
    than it, but always keep at least one run.
    """
    for _ in range(warmup):
        fn()
    runs: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
        if budget is not None and sum(runs) > budget:
            break
    return Timing(runs)


def fmt_s(seconds: float) -> str:
    """Seconds in a readable unit."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table (readable in a terminal too)."""
    rows = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    out = [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)


def _rename(term, k: int):
    if isinstance(term, ox.NamedNode) and term.value.startswith(KZR):
        return ox.NamedNode(f"{term.value}-copy{k}")
    if isinstance(term, ox.BlankNode):
        return ox.BlankNode(f"{term.value}c{k}")
    return term


def replicate(quads: Sequence[ox.Quad], n: int) -> list[ox.Quad]:
    """The dataset with its data (and inferred) graphs present ``n`` times.

    Copy 0 is the original; copy k >= 1 renames every ``kzr:`` resource X to
    ``kzr:X-copyk`` and every blank node, so the copies are disjoint but have
    the same shape (labels and other literals are repeated as they are). The
    ontology graph is kept once. Queries that name a resource (``kzr:org-sco``)
    still find only the original, but scan a graph ``n`` times larger.
    """
    scaled = list(quads)
    copied = [q for q in quads if q.graph_name.value in (DATA_GRAPH, INFERRED_GRAPH)] if n > 1 else []
    for k in range(1, n):
        scaled += [ox.Quad(_rename(q.subject, k), q.predicate, _rename(q.object, k), q.graph_name) for q in copied]
    return scaled


def machine_summary() -> str:
    """One line naming the CPU count and model, for the printed report."""
    import os
    import platform

    model = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?")
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.platform()}"


@dataclass(frozen=True)
class RunPlan:
    sizes: list[int]
    repeats: int
    budget: float


def scaled_run_options(
    parser: argparse.ArgumentParser, *, quick_sizes: list[int], repeats: int, quick_repeats: int, budget: float
) -> None:
    """The --quick, --sizes, --repeats and --budget options of a benchmark over replicated data."""
    parser.add_argument("--quick", action="store_true",
                        help=f"sizes {','.join(map(str, quick_sizes))}, {quick_repeats} run(s) each")
    parser.add_argument("--sizes", help="comma-separated replication factors (default 1,10,50)")
    parser.add_argument("--repeats", type=int, help=f"timed runs per case (default {repeats})")
    parser.add_argument("--budget", type=float, default=budget, help="stop repeating a case after this many seconds")
    parser.set_defaults(_plan=(quick_sizes, repeats, quick_repeats))


def run_plan(args: argparse.Namespace) -> RunPlan:
    """The sizes and repeats the options of :func:`scaled_run_options` ask for."""
    quick_sizes, repeats, quick_repeats = args._plan
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else (quick_sizes if args.quick else [1, 10, 50])
    return RunPlan(sizes, args.repeats or (quick_repeats if args.quick else repeats), args.budget)
