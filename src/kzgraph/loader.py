"""Parse the ontology and data into the embedded store, with OWL RL entailments.

Parsing fails loudly and names the file, line and column. The reasoned
dataset is cached as N-Quads under a key made of the package version, the
reasoning switch and the bytes of every input file, so an edited file is
never served stale and a warm start skips parsing and reasoning.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kzgraph import resources
from kzgraph.config import Settings
from kzgraph.errors import LoadError
from kzgraph.dates import derive_date_bounds
from kzgraph.namespaces import DATA_GRAPH, DATES_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH
from kzgraph.reasoning import infer_triples
from kzgraph.store import KnowledgeStore

_CACHE_FORMAT = "1"


def parse_rdf_file(path: Path) -> list[ox.Quad]:
    """The triples of one Turtle (or other RDF) file, in the default graph.

    Raises:
        LoadError: the file cannot be read or parsed; the message reads
            ``FILE:LINE:COLUMN: problem``.
    """
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
    try:
        # No base IRI: a relative IRI would otherwise resolve to this machine's file path.
        return list(ox.parse(path=str(path), format=fmt))
    except SyntaxError as exc:
        raise LoadError(f"{path}:{exc.lineno or '?'}:{exc.offset or '?'}: {exc.msg}") from exc
    except OSError as exc:
        raise LoadError(f"{path}: {exc.strerror or exc}") from exc


def parse_rdf_files(paths: Iterable[Path], graph: str | None = None) -> list[ox.Quad]:
    """The quads of several files, put into ``graph`` (or the default graph)."""
    target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    return [
        ox.Quad(q.subject, q.predicate, q.object, target)
        for path in paths
        for q in parse_rdf_file(path)
    ]


def build_dataset(
    ontology: list[Path], data: list[Path], *, reason: bool, reference: list[Path] = ()
) -> list[ox.Quad]:
    """The quads of the ontology, data and reference graphs, the date bounds, and the inferred graph if ``reason``."""
    if not data:
        raise LoadError("no data files found (is KZGRAPH_ROOT right?)")
    quads = parse_rdf_files(ontology, ONTOLOGY_GRAPH) + parse_rdf_files(data, DATA_GRAPH)
    quads += reference_quads(reference)
    quads += date_bound_quads(quads)
    if reason:
        inferred = ox.NamedNode(INFERRED_GRAPH)
        quads += [ox.Quad(t.subject, t.predicate, t.object, inferred) for t in infer_triples(quads)]
    return quads


def reference_quads(reference: Iterable[Path]) -> list[ox.Quad]:
    """The reference layer, in its own named graph so that a query can leave it out."""
    return parse_rdf_files(reference, REFERENCE_GRAPH)


def date_bound_quads(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The date bounds of the curated and reference statements, in their own graph.

    Not in the inferred graph: they are computed whether or not OWL RL
    reasoning runs (``--no-reason`` keeps the date axis), and a graph of
    their own shows they are derived, not curated.
    """
    curated = {DATA_GRAPH, REFERENCE_GRAPH}
    return derive_date_bounds((q for q in quads if getattr(q.graph_name, "value", None) in curated), DATES_GRAPH)


def load_store(settings: Settings) -> KnowledgeStore:
    """The ontology and data in a ready store (from the cache when nothing changed).

    Raises:
        LoadError: a file is missing or malformed.
    """
    ontology = resources.ontology_files(settings)
    data = resources.data_files(settings)
    reference = resources.reference_files(settings)
    cache = _cache_path(settings, ontology + data + reference)
    if cache is not None and cache.is_file():
        return KnowledgeStore.from_nquads(cache)
    store = ox.Store()
    store.extend(build_dataset(ontology, data, reason=settings.reason, reference=reference))
    knowledge = KnowledgeStore(store)
    if cache is not None:
        _write_cache(knowledge, cache)
    return knowledge


def _cache_path(settings: Settings, files: list[Path]) -> Path | None:
    if settings.cache_dir is None:
        return None
    from kzgraph import __version__, reasoning

    digest = hashlib.sha256(f"{_CACHE_FORMAT}|{__version__}|reason={settings.reason}".encode())
    digest.update(Path(reasoning.__file__).read_bytes())  # a changed reasoner invalidates the cache
    digest.update(Path(__file__).with_name("dates.py").read_bytes())  # so does a changed date derivation
    for path in files:
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise LoadError(f"{path}: {exc.strerror or exc}") from exc
        digest.update(f"|{path.name}|{len(content)}|".encode())
        digest.update(content)
    return settings.cache_dir / f"dataset-{digest.hexdigest()[:32]}.nq"


def _write_cache(store: KnowledgeStore, cache: Path) -> None:
    """Best effort: an unwritable cache folder only costs speed."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, suffix=".tmp")
    except OSError:
        return
    os.close(fd)
    try:
        store.dump(Path(tmp))
        os.replace(tmp, cache)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
