"""Deterministic export of the ontology and data as one document, streamed.

The same input gives byte-identical output in every format, whatever the
process: blank nodes are canonicalized (RDFC-1.0) and statements sorted
before they reach a serializer that keeps their order (pyoxigraph's).

Memory does not grow with the dataset, with one exception. Each graph is
dumped by the store itself as N-Triples into a temporary folder; a line
that mentions no blank node is already canonical and goes straight to an
external merge sort (sorted chunks of ``chunk_lines`` lines written to
files, then merged with :func:`heapq.merge`; equal lines are written once,
so the triple formats merge the graphs without duplicates). Only the quads
that mention a blank node are held in memory, to be canonicalized together:
RDFC-1.0 hashes a blank node from the quads that mention it and from the
blank nodes reachable through them, never from the other quads, so
canonicalizing these alone gives the labels the whole dataset would. The
peak is therefore proportional to the blank-node quads (the citations),
plus one chunk.

N-Quads and N-Triples are the merged lines themselves. The other formats
parse the merged lines as they come and hand them to pyoxigraph's streaming
writers with the project's prefixes (none for JSON-LD): Turtle groups each
subject's statements in one block and lists objects with commas, but writes
blank nodes as ``_:c14nN`` labels (their statements come after those of the
IRIs) rather than nesting them in ``[ ]``, which needs the whole graph.
"""

from __future__ import annotations

import heapq
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from io import BytesIO
from itertools import islice
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kzgraph import formats
from kzgraph.errors import ExportError
from kzgraph.formats import Format, Kind
from kzgraph.namespaces import INFERRED_GRAPH, PREFIXES
from kzgraph.results import engine_format
from kzgraph.store import KnowledgeStore

EXPORT_FORMATS = tuple(f.name for f in formats.formats_for(Kind.GRAPH))
"""Every RDF format: the triple formats merge the graphs, the quad formats keep them apart."""

CHUNK_LINES = 200_000
"""Lines sorted in memory at a time (about 40 MB); more are sorted in files and merged."""

MERGE_FAN_IN = 64
"""Sorted files merged at once; more are first merged in rounds, so few files are ever open."""

_QUAD_FORMATS = ("nquads", "trig")


def write_export(
    store: KnowledgeStore,
    output: BinaryIO,
    fmt: str = "turtle",
    *,
    inferred: bool = False,
    chunk_lines: int = CHUNK_LINES,
    workdir: Path | None = None,
) -> None:
    """Write every asserted graph (ontology, data, reference, dates, the user's files;
    the inferred one if asked) to the binary file ``output`` in ``fmt``, as it goes.

    Triple formats merge the graphs; ``nquads`` and ``trig`` keep them apart.
    Temporary files go in a folder under ``workdir`` (the system's default if
    None), removed when this returns or fails.

    Raises:
        ExportError: unknown format, or ``inferred`` asked of a store built without reasoning.
    """
    chosen = _chosen_format(fmt)
    if inferred and INFERRED_GRAPH not in store.graph_names():
        raise ExportError("no inferred graph: the store was loaded with reasoning off")
    if chunk_lines < 1:
        raise ExportError(f"chunk_lines must be at least 1, not {chunk_lines}")
    graphs = [g for g in store.graph_names() if g != INFERRED_GRAPH] + ([INFERRED_GRAPH] if inferred else [])
    keep_graphs = chosen.name in _QUAD_FORMATS
    with tempfile.TemporaryDirectory(prefix="kzgraph-export-", dir=workdir) as tmp:
        folder = Path(tmp)
        lines = _canonical_lines(store, graphs, folder, keep_graphs=keep_graphs)
        merged = _merge(_sorted_runs(lines, folder, chunk_lines), folder)
        if chosen.name in ("nquads", "nt"):
            output.writelines(merged)
            return
        sorted_path = folder / "sorted"
        with sorted_path.open("wb") as sorted_file:
            sorted_file.writelines(merged)
        line_format = ox.RdfFormat.N_QUADS if keep_graphs else ox.RdfFormat.N_TRIPLES
        statements = ox.parse(path=sorted_path, format=line_format)
        if not keep_graphs:
            statements = (quad.triple for quad in statements)
        prefixes = PREFIXES if chosen.name != "jsonld" else None
        ox.serialize(statements, output, engine_format(chosen), prefixes=prefixes)


def export_graph(store: KnowledgeStore, fmt: str = "turtle", *, inferred: bool = False) -> bytes:
    """:func:`write_export` into bytes, for a graph small enough to hold (the shipped one).

    >>> from kzgraph.namespaces import DATA_GRAPH, KZR
    >>> raw = ox.Store()
    >>> raw.add(ox.Quad(ox.NamedNode(KZR + "a"), ox.NamedNode(KZR + "p"), ox.BlankNode("x"), ox.NamedNode(DATA_GRAPH)))
    >>> export_graph(KnowledgeStore(raw), "nt")
    b'<https://w3id.org/kzgraph/resource/a> <https://w3id.org/kzgraph/resource/p> _:c14n0 .\\n'

    Raises:
        ExportError: as :func:`write_export`.
    """
    buffer = BytesIO()
    write_export(store, buffer, fmt, inferred=inferred)
    return buffer.getvalue()


def export_file(store: KnowledgeStore, path: Path, fmt: str = "turtle", *, inferred: bool = False) -> None:
    """:func:`write_export` into the file ``path``, all or nothing.

    The output goes to a hidden file beside ``path``, renamed over it only
    when complete: a failure leaves ``path`` as it was (absent, or the old file).

    Raises:
        ExportError: as :func:`write_export`, or the file cannot be written.
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        with partial.open("xb") as output:
            write_export(store, output, fmt, inferred=inferred)
        os.replace(partial, path)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)


def _chosen_format(fmt: str) -> Format:
    chosen = formats.find(fmt, Kind.DATASET)
    if chosen is None:
        raise ExportError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")
    return chosen


def _canonical_lines(store: KnowledgeStore, graphs: list[str], folder: Path, *, keep_graphs: bool) -> Iterator[bytes]:
    """Every statement of ``graphs`` as an N-Quads line (``keep_graphs``) or an N-Triples line, unsorted.

    Lines without ``_:`` come from the store's own dump as they are. The others
    (blank nodes, or a literal that merely contains ``_:``) are gathered in
    one file, canonicalized together by RDFC-1.0 and come last.
    """
    dump, blank_path = folder / "graph.nt", folder / "blank.nq"
    with blank_path.open("wb") as blank:
        for graph in graphs:
            store.dump(dump, ox.RdfFormat.N_TRIPLES, graph=graph)
            in_graph = f" <{graph}> .\n".encode()
            suffix = in_graph if keep_graphs else b" .\n"
            with dump.open("rb") as lines:
                for line in lines:  # "<s> <p> <o> .\n"
                    if b"_:" in line:
                        blank.write(line[:-3] + in_graph)
                    else:
                        yield line[:-3] + suffix
    dataset = ox.Dataset(ox.parse(path=blank_path, format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    canonical = folder / "canonical"
    if keep_graphs:
        ox.serialize(dataset, canonical, ox.RdfFormat.N_QUADS)
    else:
        ox.serialize((quad.triple for quad in dataset), canonical, ox.RdfFormat.N_TRIPLES)
    del dataset
    with canonical.open("rb") as lines:
        yield from lines


def _sorted_runs(lines: Iterable[bytes], folder: Path, chunk_lines: int) -> list[Path]:
    """``lines`` in files of at most ``chunk_lines`` distinct lines, each sorted."""
    runs: list[Path] = []
    lines = iter(lines)
    while chunk := sorted(set(islice(lines, chunk_lines))):
        run = folder / f"run-{len(runs)}"
        with run.open("wb") as out:
            out.writelines(chunk)
        runs.append(run)
    return runs


def _merge(runs: list[Path], folder: Path, fan_in: int = MERGE_FAN_IN) -> Iterator[bytes]:
    """The lines of the sorted files ``runs`` in order, each distinct line once."""
    rounds = 0
    while len(runs) > fan_in:
        rounds += 1
        merged = []
        for start in range(0, len(runs), fan_in):
            target = folder / f"merge-{rounds}-{start}"
            with target.open("wb") as out:
                out.writelines(_merge_files(runs[start:start + fan_in]))
            for run in runs[start:start + fan_in]:
                run.unlink()
            merged.append(target)
        runs = merged
    yield from _merge_files(runs)


def _merge_files(runs: list[Path]) -> Iterator[bytes]:
    with ExitStack() as stack:
        previous = None
        for line in heapq.merge(*(stack.enter_context(run.open("rb")) for run in runs)):
            if line != previous:
                yield line
                previous = line
