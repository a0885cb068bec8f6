"""OWL RL reasoning: ``reasonable`` (what kzgraph uses) against ``owlrl``.

    python benchmarks/reasoning.py [--quick] [--sizes 1,10,50]

Input: the shipped ontology and data, parsed as kzgraph parses them
(``kzgraph.loader.build_dataset(..., reason=False)``), and at larger sizes the
data graph replicated N times with renamed resources (``_bench.replicate``).

Timed, each on the same triples:

* ``kzgraph.reasoning.infer_triples`` -- the whole step kzgraph runs: the
  round trip pyoxigraph -> rdflib -> reasonable -> rdflib -> pyoxigraph plus
  the clean-up filter;
* ``reasonable`` alone: ``PyReasoner().from_graph(g)`` and ``reason()`` on a
  ready rdflib graph (the engine without our conversions);
* ``owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)`` on a fresh
  copy of the same rdflib graph (the copy is made outside the timing).

Counted: the triples each adds, split into junk (literal subjects, reflexive
owl:sameAs, other reflexive subClassOf/subPropertyOf/equivalences, triples
about owl:Thing/owl:Nothing/rdfs:Resource), axioms about the built-in
rdf:/rdfs:/owl:/xsd: terms, and the rest; the rest (without blank nodes,
whose labels differ between the runs) is compared between owlrl and ours.
owlrl is skipped at larger sizes once one run has taken over --owlrl-limit s.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections import Counter

import owlrl
import rdflib
import reasonable
from rdflib import OWL, RDF, RDFS, XSD, BNode, Literal

from _bench import Timing, fmt_s, machine_summary, replicate, run_plan, scaled_run_options, table
from kzgraph import Settings, resources
from kzgraph.interop import to_rdflib_graph
from kzgraph.loader import build_dataset
from kzgraph.reasoning import infer_triples

NOISE = {OWL.Thing, OWL.Nothing, RDFS.Resource}
REFLEXIVE = {RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty}
BUILTIN = (str(RDF), str(RDFS), str(OWL), str(XSD))
CATEGORIES = ("literal subject", "reflexive sameAs", "other reflexive", "owl:Thing/Nothing, rdfs:Resource",
              "built-in axioms", "rest, blank node", "rest")


def category(t: tuple) -> str:
    s, p, o = t
    if isinstance(s, Literal):
        return "literal subject"
    if p == OWL.sameAs and s == o:
        return "reflexive sameAs"
    if p in REFLEXIVE and s == o:
        return "other reflexive"
    if s in NOISE or o in NOISE:
        return "owl:Thing/Nothing, rdfs:Resource"
    if str(s).startswith(BUILTIN):
        return "built-in axioms"
    if isinstance(s, BNode) or isinstance(o, BNode):
        return "rest, blank node"
    return "rest"


def timed(setup, fn, repeats: int, budget: float) -> tuple[Timing, object]:
    """Run ``fn(setup())`` up to ``repeats`` times, timing only ``fn``; stop after ``budget`` s."""
    runs, out = [], None
    for _ in range(repeats):
        arg = setup()
        start = time.perf_counter()
        out = fn(arg)
        runs.append(time.perf_counter() - start)
        if sum(runs) > budget:
            break
    return Timing(runs), out


def run_reasonable(graph: rdflib.Graph) -> list:
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    return reasoner.reason()


def run_owlrl(graph: rdflib.Graph) -> rdflib.Graph:
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def owlrl_added(nt: str, repeats: int, budget: float) -> tuple[Timing, set]:
    """Time owlrl on fresh parses of ``nt``; the triples the last run added to its own input.

    (Each parse labels blank nodes anew, so the comparison must be with the same parse.)
    """
    runs, added = [], set()
    for _ in range(repeats):
        graph = rdflib.Graph().parse(data=nt, format="nt")
        before = set(graph)
        start = time.perf_counter()
        run_owlrl(graph)
        runs.append(time.perf_counter() - start)
        added = set(graph) - before
        if sum(runs) > budget:
            break
    return Timing(runs), added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    scaled_run_options(parser, quick_sizes=[1], repeats=5, quick_repeats=1, budget=15.0)
    parser.add_argument("--owlrl-limit", type=float, default=20.0,
                        help="skip owlrl at the next sizes once one of its runs took longer than this")
    args = parser.parse_args()
    plan = run_plan(args)
    sizes, repeats = plan.sizes, plan.repeats
    # owlrl's xsd:gMonthDay parser rejects valid values such as "--03-26" and logs a traceback for each.
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)

    settings = Settings()
    base = build_dataset(resources.ontology_files(settings), resources.data_files(settings), reason=False)
    print(machine_summary())
    print(f"up to {repeats} runs per engine (stopping after {args.budget:g} s)", flush=True)

    started = time.perf_counter()
    time_rows, count_rows, compare_rows, with_owlrl = [], [], [], True
    for n in sizes:
        quads = replicate(base, n)
        nt = to_rdflib_graph(quads).serialize(format="nt")  # parse per run: owlrl changes its graph in place
        input_graph = rdflib.Graph().parse(data=nt, format="nt")
        size = len(input_graph)
        print(f"\n## x{n}: {size:,} input triples", flush=True)

        t_ours, ours = timed(lambda: None, lambda _: infer_triples(quads), repeats, args.budget)
        print(f"  infer_triples {fmt_s(t_ours.median)}", flush=True)
        t_raw, closure = timed(lambda: input_graph, run_reasonable, repeats, args.budget)
        print(f"  reasonable alone {fmt_s(t_raw.median)}", flush=True)
        row = [f"x{n}", f"{size:,}", fmt_s(t_ours.median), fmt_s(t_ours.min), fmt_s(t_raw.median), fmt_s(t_raw.min)]
        raw_new = set(closure) - set(input_graph)
        ours_keys = {str(t) for t in ours if not _has_blank(t)}
        counts = {"infer_triples": Counter(), "reasonable alone": Counter(category(t) for t in raw_new)}
        counts["infer_triples"]["rest"] = len(ours_keys)
        counts["infer_triples"]["rest, blank node"] = len(ours) - len(ours_keys)

        if with_owlrl:
            t_owl, owl_new = owlrl_added(nt, repeats, args.budget)
            print(f"  owlrl {fmt_s(t_owl.median)}", flush=True)
            row += [fmt_s(t_owl.median), fmt_s(t_owl.min), f"{t_owl.median / t_ours.median:.0f}x",
                    f"{t_owl.median / t_raw.median:.0f}x"]
            counts["owlrl"] = Counter(category(t) for t in owl_new)
            owl_keys = {_nt(t) for t in owl_new if category(t) == "rest"}
            only_owl = owl_keys - ours_keys
            top = Counter(k.split(" ")[1] for k in only_owl).most_common(4)
            compare_rows.append((f"x{n}", len(owl_keys & ours_keys), len(only_owl), len(ours_keys - owl_keys),
                                 ", ".join(f"{_short(p)} {c}" for p, c in top)))
            if max(t_owl.runs) > args.owlrl_limit:
                with_owlrl = False
                print(f"  owlrl took over {args.owlrl_limit:g} s: skipped at larger sizes", flush=True)
        else:
            row += ["skipped"] * 4
        time_rows.append(row)
        for engine, c in counts.items():
            count_rows.append([f"x{n}", engine, sum(c.values())] + [c[k] for k in CATEGORIES])

    print("\n### time (median / min)\n")
    print(table(["size", "input triples", "infer_triples", "min", "reasonable alone", "min", "owlrl", "min",
                 "owlrl / infer_triples", "owlrl / reasonable alone"], time_rows))
    print("\n### entailed triples added (not already in the input)\n")
    print(table(["size", "engine", "added", *CATEGORIES], count_rows))
    if compare_rows:
        print("\n### the 'rest' without blank nodes: owlrl against infer_triples\n")
        print(table(["size", "both", "owlrl only", "infer_triples only", "owlrl only, top predicates"], compare_rows))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


def _nt(t: tuple) -> str:
    """A triple as pyoxigraph prints it, to compare with infer_triples' output."""
    import pyoxigraph as ox

    line = " ".join(term.n3() for term in t) + " ."
    return str(next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))))


def _has_blank(t) -> bool:
    import pyoxigraph as ox

    return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)


def _short(iri: str) -> str:
    iri = iri.strip("<>")
    for prefix, ns in (("rdf:", RDF), ("rdfs:", RDFS), ("owl:", OWL)):
        if iri.startswith(str(ns)):
            return prefix + iri[len(str(ns)):]
    return iri


if __name__ == "__main__":
    main()
