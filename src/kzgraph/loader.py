"""Prepare the dataset once, as an on-disk store that every process opens read-only.

The inputs are the ontology, the curated data and the user's own files
(``--data``), each in a named graph of its own. They are bulk-loaded into an
in-memory pyoxigraph store, the date bounds and the OWL RL entailments are
computed inside it (:func:`kzgraph.reasoning.infer`), and a writer process
(:mod:`kzgraph.diskwrite`) puts the result on disk, the asserted graphs
while the rules still run. The finished store is put in the cache under a
key made of the bytes of every input and the versions of kzgraph,
pyoxigraph and the rules, so an edited file is never served stale. A
malformed file stops the preparation before anything is written: the
message names the file, line and column, and no half-loaded store is ever
kept.

Query processes, the command line and the web pages then open the same
store read-only: a warm start parses nothing, and processes share the
files instead of each holding a copy. A command that answers once and ends
(``query``, ``export``, ``link``) need not wait for the disk: it answers from the
in-memory store, and the prepared store is written behind it once it is
done (``load_store(..., answer_first=True)``).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from kzgraph import resources
from kzgraph.config import Settings
from kzgraph.errors import LoadError
from kzgraph.dates import DATED_PROPERTIES, derive_date_bounds
from kzgraph.diskwrite import READY, WRITE_CHUNK, BuildLock, StoreWriter, publish, write_in_background
from kzgraph.namespaces import DATA_GRAPH, DATES_GRAPH, GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH
from kzgraph.store import KnowledgeStore

_CACHE_FORMAT = "3"
USER_GRAPH = GRAPH + "user/"
"""User files (``--data``) go to ``USER_GRAPH + name`` (the file's name without its extension)."""

_EXTENSIONS = {
    "ttl": ox.RdfFormat.TURTLE, "turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML, "xml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
}


@dataclass(frozen=True)
class GraphInput:
    """The files that make up one named graph."""

    graph: str
    paths: tuple[Path, ...]


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF format of a file, from its extension.

    Raises:
        LoadError: an extension of no RDF format.
    """
    fmt = _EXTENSIONS.get(path.suffix.lstrip(".").lower())
    if fmt is None:
        known = ", ".join(f".{ext}" for ext in _EXTENSIONS)
        raise LoadError(f"{path}: not a known RDF file extension (use one of {known})")
    return fmt


def user_graph(path: Path) -> str:
    """The named graph of a user file: ``.../graph/user/<name>``."""
    return USER_GRAPH + quote(path.stem, safe="-._~")


def dataset_inputs(settings: Settings, extra: Iterable[Path] = ()) -> list[GraphInput]:
    """Every named graph of the dataset with its files: the shipped ones, then the user's.

    Raises:
        LoadError: no data files, or two user files that would share a graph.
    """
    data = resources.data_files(settings)
    if not data:
        raise LoadError("no data files found (is KZGRAPH_ROOT right?)")
    inputs = [GraphInput(ONTOLOGY_GRAPH, tuple(resources.ontology_files(settings))),
              GraphInput(DATA_GRAPH, tuple(data)), *reference_inputs(settings)]
    seen: dict[str, Path] = {}
    for path in [*settings.data, *extra]:
        path = Path(path)
        graph = user_graph(path)
        if graph in seen:
            raise LoadError(f"{path}: another file ({seen[graph]}) has the same name; user files need distinct names")
        seen[graph] = path
        inputs.append(GraphInput(graph, (path,)))
    return inputs


def reference_inputs(settings: Settings) -> list[GraphInput]:
    """The reference layer, in its own named graph so that a query can leave it out (none without files)."""
    files = tuple(resources.reference_files(settings))
    return [GraphInput(REFERENCE_GRAPH, files)] if files else []


def add_date_bounds(store: ox.Store, *, sources: Sequence[str]) -> int:
    """Add the date bounds of the graphs ``sources`` to their own graph; how many.

    Not in the inferred graph: they are computed whether or not OWL RL
    reasoning runs (``--no-reason`` keeps the date axis), and a graph of
    their own shows they are derived, not curated.
    """
    # Only the dated statements leave the store: one lookup per source graph and date property.
    quads = [q for name in sources for prop in sorted(DATED_PROPERTIES)
             for q in store.quads_for_pattern(None, ox.NamedNode(prop), None, ox.NamedNode(name))]
    bounds = derive_date_bounds(quads, DATES_GRAPH)
    store.extend(bounds)
    return len(bounds)


def parse_rdf_file(path: Path) -> list[ox.Quad]:
    """The quads of one RDF file (triples in the default graph), for small files and checks.

    Raises:
        LoadError: the file cannot be read or parsed; the message reads
            ``FILE:LINE:COLUMN: problem``.
    """
    with _load_errors(path):
        # No base IRI: a relative IRI would otherwise resolve to this machine's file path.
        return list(ox.parse(path=str(path), format=rdf_format(path)))


def parse_rdf_files(paths: Iterable[Path], graph: str | None = None) -> list[ox.Quad]:
    """The quads of several files, put into ``graph`` (or the default graph)."""
    target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    return [ox.Quad(q.subject, q.predicate, q.object, target) for path in paths for q in parse_rdf_file(path)]


class _load_errors:
    """Turn the engine's parse and I/O errors about ``path`` into a :class:`LoadError`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, traceback) -> bool:
        if isinstance(exc, SyntaxError):
            raise LoadError(f"{self.path}:{exc.lineno or '?'}:{exc.offset or '?'}: {exc.msg}") from exc
        if isinstance(exc, OSError):
            raise LoadError(f"{self.path}: {exc.strerror or exc}") from exc
        return False


def build_store(location: Path, inputs: Sequence[GraphInput], *, reason: bool, chunk: int = WRITE_CHUNK) -> None:
    """Load ``inputs`` into a new store at ``location``, with their entailments.

    The files are loaded and reasoned over in memory, where the rules run
    several times faster than on disk. A writer process
    (:class:`kzgraph.diskwrite.StoreWriter`) puts the result on disk: the
    asserted graphs and the date bounds while the rules run, then the
    entailments as they come while the rules go on. Blank nodes keep their
    identity across the parts.

    Raises:
        LoadError: a file is missing or malformed, or the store cannot be written.
    """
    parts = Path(tempfile.mkdtemp(prefix="parts-", dir=location.parent))
    try:
        with StoreWriter(location, chunk=chunk) as writer:
            memory = reason_in_memory(inputs, reason=reason, writer=writer, parts=parts)
            del memory  # let go of before the writer finishes
            writer.finish()
    finally:
        shutil.rmtree(parts, ignore_errors=True)


def reason_in_memory(inputs: Sequence[GraphInput], *, reason: bool, writer: StoreWriter | None = None,
                     parts: Path | None = None) -> ox.Store:
    """The dataset of ``inputs`` in an in-memory store: loaded, with its date bounds and entailments.

    With a ``writer``, each part that is final is also dumped into the
    folder ``parts`` and handed to it: the asserted graphs before the rules
    run, then the entailments as the rules conclude them, then the date
    bounds (computed while the rules run).

    Raises:
        LoadError: a file is missing or malformed.
    """
    from kzgraph.reasoning import infer, kept

    memory = ox.Store()
    for item in inputs:
        for path in item.paths:
            with _load_errors(path):
                memory.bulk_load(path=str(path), format=rdf_format(path), to_graph=ox.NamedNode(item.graph))
    writing = writer is not None and parts is not None
    write_new = None
    if writing:
        memory.dump(parts / "asserted.nq", format=ox.RdfFormat.N_QUADS)
        writer.write(parts / "asserted.nq")
        numbers = itertools.count(1)

        def write_new(graph: ox.NamedNode) -> None:
            path = parts / f"inferred-{next(numbers)}.nt"
            kept(memory, graph).serialize(path, format=ox.RdfFormat.N_TRIPLES)
            writer.write(path, INFERRED_GRAPH)

    # The date bounds go to a graph of their own, which the rules do not read: both at once.
    with ThreadPoolExecutor(1) as pool:
        dates = pool.submit(add_date_bounds, memory,
                            sources=[item.graph for item in inputs if item.graph != ONTOLOGY_GRAPH])
        if reason:
            infer(memory, sources=[item.graph for item in inputs], target=INFERRED_GRAPH, on_new=write_new)
        dates.result()
    if writing:
        memory.dump(parts / "dates.nt", format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(DATES_GRAPH))
        writer.write(parts / "dates.nt", DATES_GRAPH)
    return memory


def prepare_store(settings: Settings, extra: Iterable[Path] = ()) -> Path:
    """The folder of the ready store for ``settings`` (and ``extra`` user files), built if needed.

    If another process is preparing the same store, this one waits for it
    (:class:`BuildLock`) rather than build it a second time.

    Raises:
        LoadError: a file is missing or malformed.
    """
    inputs = dataset_inputs(settings, extra)
    target = _cache_location(settings, inputs)
    if target is not None and (target / READY).is_file():
        return target
    lock = None
    try:
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            lock = BuildLock(target)
            lock.acquire(wait=True)
            if (target / READY).is_file():  # prepared by the process this one waited for
                lock.release()
                return target
        work = Path(tempfile.mkdtemp(prefix="building-", dir=target.parent if target is not None else None))
    except OSError:  # an unwritable cache only costs speed
        if lock is not None:
            lock.release()
        target, lock, work = None, None, Path(tempfile.mkdtemp(prefix="kzgraph-store-"))
    try:
        try:
            build_store(work, inputs, reason=settings.reason)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        if target is None:
            return work
        publish(work, target)
        return target
    finally:
        if lock is not None:
            lock.release(remove=True)


def load_store(settings: Settings, extra: Iterable[Path] = (), *, answer_first: bool = False) -> KnowledgeStore:
    """The dataset, ready to query: opened read-only from the prepared store.

    With ``answer_first``, for a command that answers once and ends: when
    the store is not prepared yet, the dataset is answered from the
    in-memory store the rules ran in, and when the command closes it
    (:meth:`KnowledgeStore.close`), the prepared store is written to the
    cache behind the command (:func:`kzgraph.diskwrite.write_in_background`),
    so a first answer waits neither for the disk nor for a writer beside
    the rules. Without a cache, or while another process is preparing the
    same store, nothing is written.

    Raises:
        LoadError: a file is missing or malformed.
    """
    if not answer_first:
        location = prepare_store(settings, extra)
        return KnowledgeStore.open(location, temporary=settings.cache_dir is None or not _in_cache(settings, location))
    inputs = dataset_inputs(settings, extra)
    target = _cache_location(settings, inputs)
    if target is not None and (target / READY).is_file():
        return KnowledgeStore.open(target)
    lock = work = None
    if target is not None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            lock = BuildLock(target)
            if lock.acquire(wait=False):
                work = Path(tempfile.mkdtemp(prefix="building-", dir=target.parent))
            else:  # another process is preparing this very store
                lock.release()
                lock = None
        except OSError:  # an unwritable cache only costs speed: nothing is kept
            if lock is not None:
                lock.release(remove=True)
            lock = work = None
    if work is None:
        return KnowledgeStore(reason_in_memory(inputs, reason=settings.reason))
    try:
        memory = reason_in_memory(inputs, reason=settings.reason)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        lock.release(remove=True)
        raise
    return KnowledgeStore(memory, on_close=functools.partial(write_in_background, memory, work, target, lock))


def _in_cache(settings: Settings, location: Path) -> bool:
    return settings.cache_dir is not None and Path(settings.cache_dir) in location.parents


def _cache_location(settings: Settings, inputs: Sequence[GraphInput]) -> Path | None:
    if settings.cache_dir is None:
        return None
    from kzgraph import __version__, reasoning

    versions = f"{_CACHE_FORMAT}|kzgraph={__version__}|pyoxigraph={ox.__version__}|reason={settings.reason}"
    digest = hashlib.sha256(versions.encode())
    digest.update(Path(reasoning.__file__).read_bytes())  # changed rules make a new store
    digest.update(Path(__file__).with_name("dates.py").read_bytes())  # so does a changed date derivation
    for item in inputs:
        digest.update(f"|graph={item.graph}".encode())
        for path in item.paths:
            digest.update(f"|{path.name}|".encode())
            with _load_errors(path):
                with open(path, "rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
    return Path(settings.cache_dir) / f"store-{digest.hexdigest()[:32]}"
