"""OWL RL reasoning at scale: kzgraph's ``infer`` (rules in the pyoxigraph store) against ``reasonable`` and ``owlrl``.

    python benchmarks/reasoning.py [--quick] [--sizes 10000,100000,1000000] [--repeats 3]

Input: data from ``generate.py`` (seed 1, Turtle: reasonable reads no other format) at each size, with the
shipped ontology. Each measurement is a fresh Python process that loads the
ontology and the data, then reasons, and reports its times, what it added
and its peak resident memory (``ru_maxrss``: the whole process, load
included). The engines:

* ``infer``: ``Store.bulk_load`` of the files into two named graphs, then
  ``kzgraph.reasoning.infer(store, sources=[...], target=...)``;
* ``reasonable`` (not a kzgraph dependency: ``pip install reasonable``):
  ``PyReasoner.load_file`` per file, then ``reason()``, which returns the
  closure as Python triples (what kzgraph used until now, without its
  conversions through rdflib);
* ``owlrl``: ``rdflib.Graph.parse`` of the files, then
  ``DeductiveClosure(OWLRL_Semantics).expand(graph)``; only up to
  ``--owlrl-max`` triples (it takes minutes from about 20,000).

"added" is what each engine adds to its input before any cleaning, so the
numbers differ by each engine's noise (owlrl's reflexive ``owl:sameAs`` and
axioms, reasonable's ``owl:Thing``); ``infer`` reports its cleaned count.
Sizes of a million and more run once (the machine is shared), smaller ones
``--repeats`` times; medians are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bench import fmt_s, machine_summary, table

HERE = Path(__file__).resolve().parent
ENGINES = ("infer", "reasonable", "owlrl")


def child(engine: str, data: str) -> dict:
    """Load the ontology and ``data``, reason with ``engine``; times, triples added, peak memory."""
    from kzgraph import Settings, resources

    ontology = [str(p) for p in resources.ontology_files(Settings())]
    start = time.perf_counter()
    if engine == "infer":
        import pyoxigraph as ox

        from kzgraph.reasoning import infer

        store = ox.Store()
        for path in ontology:
            store.bulk_load(path=path, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:bench:ontology"))
        store.bulk_load(path=data, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:bench:data"))
        loaded = time.perf_counter()
        load_peak = _peak_mb()
        added = infer(store, sources=["urn:bench:ontology", "urn:bench:data"], target="urn:bench:inferred")
    elif engine == "reasonable":
        import reasonable

        reasoner = reasonable.PyReasoner()
        for path in [*ontology, data]:
            reasoner.load_file(path)
        loaded = time.perf_counter()
        load_peak = _peak_mb()
        base = len(reasoner.get_base_triples())
        added = len(reasoner.reason()) - base
    else:
        import logging

        import owlrl
        import rdflib

        logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)  # owlrl's gMonthDay parser logs each value
        graph = rdflib.Graph()
        for path in ontology:
            graph.parse(path, format="turtle")
        graph.parse(data, format="turtle")
        loaded = time.perf_counter()
        load_peak = _peak_mb()
        base = len(graph)
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
        added = len(graph) - base
    done = time.perf_counter()
    return {"load": loaded - start, "reason": done - loaded, "added": added, "load_peak_mb": load_peak,
            "peak_mb": _peak_mb()}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(engine: str, data: Path, timeout: float) -> dict | None:
    """One run of ``engine`` on ``data`` in a fresh process, or None if it failed or ran out of time."""
    try:
        out = subprocess.run([sys.executable, __file__, "--child", engine, str(data)], capture_output=True, text=True,
                             timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        print(f"    {engine}: over {timeout:g} s, stopped", flush=True)
        return None
    except subprocess.CalledProcessError as exc:
        print(f"    {engine}: failed: {exc.stderr.strip().splitlines()[-1:]}", flush=True)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="sizes 10000,100000, one run each")
    parser.add_argument("--sizes", help="comma-separated numbers of generated triples (default 10000,100000,1000000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per engine below a million triples (default 3)")
    parser.add_argument("--owlrl-max", type=int, default=20_000, help="largest size owlrl is run on (default 20000)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a run is stopped (default 900)")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else (
        [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    repeats = 1 if args.quick else args.repeats

    import generate
    import pyoxigraph
    import rdflib

    versions = {"pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__}
    for name in ("reasonable", "owlrl"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = "not installed"
    print(machine_summary())
    print(", ".join(f"{k} {v}" for k, v in versions.items()), flush=True)
    started = time.perf_counter()
    rows, ratio_rows = [], []
    with tempfile.TemporaryDirectory(prefix="kzgraph-bench-") as tmp:
        for size in sizes:
            data = Path(tmp) / f"{size}.ttl"
            with data.open("w", encoding="utf-8") as out:
                written = generate.generate(out, triples=size, seed=1, turtle=True)
            print(f"\n## {written:,} generated triples", flush=True)
            results = {}
            for engine in ENGINES:
                if engine == "owlrl" and size > args.owlrl_max:
                    continue
                if versions.get(engine) == "not installed":
                    continue
                runs = [r for r in (measure(engine, data, args.timeout) for _ in range(1 if size >= 1_000_000 else repeats)) if r]
                if not runs:
                    continue
                med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                results[engine] = med
                print(f"  {engine}: reason {fmt_s(med['reason'])}, peak {med['peak_mb']:.0f} MB ({len(runs)} run(s))",
                      flush=True)
                rows.append([f"{written:,}", engine, len(runs), fmt_s(med["load"]), fmt_s(med["reason"]),
                             f"{med['added']:,.0f}", f"{med['load_peak_mb']:,.0f} MB", f"{med['peak_mb']:,.0f} MB"])
            if "infer" in results:
                ours = results["infer"]
                for engine, other in results.items():
                    if engine != "infer":
                        ratio_rows.append([f"{written:,}", f"{engine} / infer", f"{other['reason'] / ours['reason']:.1f}x",
                                           f"{other['peak_mb'] / ours['peak_mb']:.1f}x"])
    print("\n### medians\n")
    print(table(["triples", "engine", "runs", "load", "reason", "added", "peak after load", "peak"], rows))
    print("\n### ratios (reasoning time, peak memory)\n")
    print(table(["triples", "engines", "reason", "peak"], ratio_rows))
    print(f"\n{platform.python_implementation()} {platform.python_version()}, pid {os.getpid()}, "
          f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
