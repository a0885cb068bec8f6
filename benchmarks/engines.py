"""The example queries on two SPARQL engines: pyoxigraph (ours) and rdflib's.

    python benchmarks/engines.py [--quick] [--sizes 1,10,50]

Every example query in queries/*.rq that is not tagged ``federated`` runs on

* pyoxigraph, through ``kzgraph.loader.load_store`` (``store.query(text)``,
  results consumed with ``list``), and
* rdflib's own SPARQL engine over an ``rdflib.Dataset(default_union=True)``
  holding the same quads (moved across as N-Quads), with the project's
  PREFIX lines prepended since rdflib does not predeclare them.

Both main times include parsing the query. For rdflib the parse (pyparsing
plus algebra translation, ``prepareQuery``) and the evaluation of the
prepared query are also timed apart ("rdflib parse", "rdflib eval"). Each
query's rows are compared between the engines: the count, and the rows
themselves (terms as N-Triples, blank nodes blanked out, as a multiset).

Then the same at scale: the loaded dataset with its data and inferred graphs
replicated N times with renamed resources (see ``_bench.replicate``), put into
a fresh pyoxigraph store wrapped in the same ``KnowledgeStore``. rdflib is
skipped at larger sizes once one of its queries has taken more than
--rdflib-limit seconds (and at the size where that happened, for the queries
after it).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter

import pyoxigraph as ox
import rdflib
from rdflib.plugins.sparql import prepareQuery

from _bench import Timing, fmt_s, machine_summary, measure, replicate, run_plan, scaled_run_options, table
from kzgraph import Settings
from kzgraph.loader import load_store
from kzgraph.namespaces import PREFIXES
from kzgraph.queries import read_all_queries
from kzgraph.resources import queries_dir
from kzgraph.store import KnowledgeStore

PREFIX_LINES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def example_queries(settings: Settings) -> dict[str, str]:
    return {name: q.text for name, q in read_all_queries(queries_dir(settings)).items() if "federated" not in q.tags}


def to_rdflib(quads: list[ox.Quad]) -> rdflib.Dataset:
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(data=data, format="nquads")
    return dataset


def ox_key(term) -> str:
    if term is None:
        return "UNBOUND"
    return "_:b" if isinstance(term, ox.BlankNode) else str(term)


def rdflib_key(term) -> str:
    if term is None:
        return "UNBOUND"
    if isinstance(term, rdflib.BNode):
        return "_:b"
    # Go through pyoxigraph's N-Triples writer so both sides print terms the same way.
    return str(next(iter(ox.parse(f"<urn:s> <urn:p> {term.n3()} .", format=ox.RdfFormat.N_TRIPLES))).object)


def run_ox(store: KnowledgeStore, text: str) -> list:
    return list(store.query(text))


def run_rdflib(dataset: rdflib.Dataset, text: str) -> list:
    return list(dataset.query(PREFIX_LINES + text))


def rows_ox(store: KnowledgeStore, text: str) -> Counter:
    result = store.query(text)
    names = [v.value for v in result.variables]
    return Counter(tuple(ox_key(row[n]) for n in names) for row in result)


def rows_rdflib(dataset: rdflib.Dataset, text: str) -> Counter:
    result = dataset.query(PREFIX_LINES + text)
    names = [str(v) for v in result.vars]
    return Counter(tuple(rdflib_key(row[n]) for n in names) for row in result)


def bench_size(n: int, loaded: KnowledgeStore, queries: dict[str, str], repeats: int, budget: float,
               with_rdflib: bool, rdflib_limit: float) -> tuple[list[tuple], tuple, bool]:
    """Time every query at one size; return the table rows, a summary row and whether rdflib should go on."""
    if n == 1:
        store = loaded
        quads = list(store.quads())
    else:
        quads = replicate(list(loaded.quads()), n)
        raw = ox.Store()
        raw.extend(quads)
        store = KnowledgeStore(raw)
    t0 = time.perf_counter()
    dataset = to_rdflib(quads) if with_rdflib else None
    load_rdflib = time.perf_counter() - t0
    print(f"\n## size x{n}: {len(store):,} quads"
          + (f" (rdflib Dataset built in {fmt_s(load_rdflib)})" if with_rdflib else " (rdflib skipped)"), flush=True)

    rows, ratios, ox_medians, keep_rdflib = [], [], [], with_rdflib
    for name, text in queries.items():
        t_ox = measure(lambda: run_ox(store, text), repeats, budget=budget, warmup=1)
        ox_medians.append(t_ox.median)
        n_ox = len(run_ox(store, text))
        if not keep_rdflib:
            rows.append((name, n_ox, "-", fmt_s(t_ox.median), fmt_s(t_ox.min), "-", "-", "-", "-", "-", "-", "-"))
            continue
        first = time.perf_counter()
        try:
            run_rdflib(dataset, text)  # untimed warm-up; it also tells whether the query is too slow to repeat
        except Exception as exc:  # rdflib's engine has bugs of its own; report them, do not stop
            error = f"rdflib error: {type(exc).__name__}: {exc}"
            rows.append((name, n_ox, "error", fmt_s(t_ox.median), fmt_s(t_ox.min), "-", "-", "-", "-", "-", "-", error))
            print(f"  {name}: ox {fmt_s(t_ox.median)}, {error}", flush=True)
            continue
        first = time.perf_counter() - first
        if first > rdflib_limit:
            t_rd = Timing([first])
            keep_rdflib = False
            print(f"  rdflib took {fmt_s(first)} on {name}: no more rdflib at this size or larger", flush=True)
        else:
            t_rd = measure(lambda: run_rdflib(dataset, text), repeats, budget=budget)
        got_ox, got_rd = rows_ox(store, text), rows_rdflib(dataset, text)
        n_rd = sum(got_rd.values())
        check = "same" if got_ox == got_rd else ("DIFFERENT ROWS" if n_rd == n_ox else "DIFFERENT COUNT")
        t_parse = measure(lambda: prepareQuery(PREFIX_LINES + text), repeats, budget=budget)
        prepared = prepareQuery(PREFIX_LINES + text)
        t_eval = measure(lambda: list(dataset.query(prepared)), repeats, budget=budget) if keep_rdflib else t_rd
        rows.append((name, n_ox, n_rd, fmt_s(t_ox.median), fmt_s(t_ox.min), fmt_s(t_rd.median), fmt_s(t_rd.min),
                     fmt_s(t_parse.median), fmt_s(t_eval.median), f"{t_rd.median / t_ox.median:.0f}x",
                     f"{t_eval.median / t_ox.median:.0f}x", check))
        ratios.append((t_ox.median, t_rd.median, t_eval.median))
        print(f"  {name}: ox {fmt_s(t_ox.median)}, rdflib {fmt_s(t_rd.median)}, {check}", flush=True)
    summary = [f"x{n}", f"{len(store):,}", fmt_s(load_rdflib) if with_rdflib else "-", fmt_s(sum(ox_medians)),
               len(ratios)]
    if ratios:
        ox_total, rd_total, ev_total = (sum(r[i] for r in ratios) for i in range(3))
        each = [r / o for o, r, _ in ratios]
        summary += [fmt_s(ox_total), fmt_s(rd_total), f"{rd_total / ox_total:.0f}x",
                    f"{statistics.geometric_mean(each):.0f}x", f"{min(each):.0f}x", f"{max(each):.0f}x",
                    f"{ev_total / ox_total:.0f}x"]
    else:
        summary += ["-"] * 7
    return rows, summary, keep_rdflib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    scaled_run_options(parser, quick_sizes=[1, 10], repeats=10, quick_repeats=3, budget=3.0)
    parser.add_argument("--rdflib-limit", type=float, default=20.0,
                        help="skip rdflib from a size on once a query there takes longer than this")
    args = parser.parse_args()
    plan = run_plan(args)
    sizes, repeats = plan.sizes, plan.repeats

    settings = Settings()
    loaded = load_store(settings)
    queries = example_queries(settings)
    print(machine_summary())
    print(f"{len(queries)} queries, up to {repeats} timed runs each (stopping after {args.budget:g} s), "
          f"1 untimed warm-up", flush=True)

    started = time.perf_counter()
    results, summaries, with_rdflib = {}, [], True
    for n in sizes:
        results[n], summary, with_rdflib = bench_size(n, loaded, queries, repeats, args.budget, with_rdflib,
                                                      args.rdflib_limit)
        summaries.append(summary)

    headers = ["query", "rows ox", "rows rdflib", "ox median", "ox min", "rdflib median", "rdflib min",
               "rdflib parse", "rdflib eval", "rdflib/ox", "eval/ox", "rows match"]
    for n, rows in results.items():
        print(f"\n### x{n}\n")
        print(table(headers, rows))
    print("\n### summary (medians; sums and ratios over the queries both engines ran)\n")
    print(table(["size", "quads", "rdflib load", "ox sum, all", "compared", "ox sum", "rdflib sum", "sum ratio",
                 "geo-mean ratio", "min ratio", "max ratio", "eval-only sum ratio"], summaries))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
