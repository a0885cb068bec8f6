"""Write RDF dumps into a new on-disk store, in a process of its own.

:func:`kzgraph.loader.build_store` reasons in memory and writes the result
to disk. Writing is about as slow as the reasoning, so it runs in a separate
process (:class:`StoreWriter`) that writes what is already final while the
rules still run (the asserted graphs during the first round, each round's
entailments during the next ones): on two cores, both at once.
A process of its own also keeps the two memory peaks apart, and frees the
writer's memory when it ends.

The parts travel as files the store wrote itself (``Store.dump``), read back
with :func:`pyoxigraph.parse`, which keeps blank-node labels, so a blank node
is the same term in every part (``Store.bulk_load`` would give each file
fresh ones). They are written in chunks, each chunk sorted in memory by
``bulk_extend``, to bound the writer's peak.

A command that has answered from the in-memory store hands it over
instead (:func:`write_in_background`): the whole dataset is dumped once,
after the answer, by a forked copy of the command, and written the same way.

The writer reads one part a line on its standard input (``PATH`` of N-Quads,
or ``PATH<TAB>GRAPH`` of N-Triples that go into ``GRAPH``); at the end of its
input it flushes and compacts the store, and exits 0. Given where to publish
the store, it also marks it ready and moves it there (:func:`publish`), and
removes the parts: then it can finish on its own (:meth:`StoreWriter.detach`)
after the process that started it has ended.
"""

from __future__ import annotations

import atexit
import fcntl
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kzgraph.errors import LoadError

READY = "READY"
"""The file that marks a prepared store as complete."""

WRITE_CHUNK = 400_000
"""Quads per bulk write: each one sorts its batch in memory, so smaller batches
bound the peak (at 1M triples, about 0.5 GB instead of 1.5 GB in one batch)."""


_DETACHED: list[subprocess.Popen] = []
"""Writers left to finish on their own, kept so that none is collected while this process runs."""


@atexit.register
def _leave_detached() -> None:
    """At exit, a writer still running is left to finish, as meant: not waited for, and not warned about
    (``Popen`` warns of a child it was never told the end of; this process ends first, and init reaps it)."""
    for process in _DETACHED:
        if process.poll() is None:
            process.returncode = 0


class StoreWriter:
    """A child process writing parts into the new store at ``location``, in the order they are given.

    With ``publish_as``, the child also publishes the finished store there
    and removes the folder ``parts``. ``keep_fds`` are descriptors the child
    holds open until it ends (a lock, say). Use as a context manager:
    leaving it on an error stops the child, unless it was detached.
    """

    def __init__(self, location: Path, *, chunk: int = WRITE_CHUNK, publish_as: Path | None = None,
                 parts: Path | None = None, keep_fds: tuple[int, ...] = ()) -> None:
        self.location = location
        self.detached = False
        command = [sys.executable, "-m", "kzgraph.diskwrite", str(location.resolve()), str(chunk)]
        if publish_as is not None:
            command += [str(publish_as.resolve()), str(parts.resolve()) if parts is not None else ""]
        # Run from the folder that holds this package, so that the child imports this very kzgraph
        # (``python -m`` looks in the working folder first); paths go to it absolute. A session of its
        # own: a Ctrl-C meant for the command that answered does not stop the writer it left behind.
        self.process = subprocess.Popen(
            command, cwd=Path(__file__).resolve().parent.parent, start_new_session=publish_as is not None,
            pass_fds=keep_fds,
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL if publish_as is not None else subprocess.PIPE, text=True,
        )

    def write(self, path: Path, graph: str | None = None) -> None:
        """Queue ``path`` (N-Quads, or N-Triples going into ``graph``): written after the parts before it."""
        line = f"{path.resolve()}\t{graph}" if graph else str(path.resolve())
        try:
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            self.finish()  # raises with the child's message

    def finish(self) -> None:
        """Wait until every part is written and the store is flushed and compacted.

        Raises:
            LoadError: the writer failed (its message says why).
        """
        _, errors = self.process.communicate()
        if self.process.returncode != 0:
            reason = errors.strip().splitlines()[-1] if errors and errors.strip() else f"exit status {self.process.returncode}"
            raise LoadError(f"{self.location}: writing the store failed: {reason}")

    def detach(self) -> None:
        """No more parts: the child writes what it has, publishes the store and ends, without being waited for.

        If it fails, nothing is published and it removes what it wrote; the
        next command prepares the store again.
        """
        self.process.stdin.close()
        self.detached = True
        _DETACHED[:] = [process for process in _DETACHED if process.poll() is None] + [self.process]

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        if not self.detached and self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def write_in_background(memory: ox.Store, work: Path, target: Path, lock: BuildLock, *,
                        fork: bool | None = None) -> None:
    """Write the dataset in ``memory`` into a new store at ``work`` and publish it as ``target``, behind this process.

    For a command that has answered from ``memory`` and is about to end.
    The store is dumped into a file that a writer (:class:`StoreWriter`,
    holding ``lock`` until it has published) then writes on its own. With
    ``fork`` (by default, where the system can fork and this process runs no
    other thread), a copy of this process, sharing its memory, makes the
    dump and starts the writer, so this one can end at once; otherwise
    this process makes the dump first. If writing fails, nothing is
    published and what was written is removed; the next command prepares
    the store again.
    """
    if fork is None:
        fork = hasattr(os, "fork") and threading.active_count() == 1
    if not fork:
        try:
            _hand_to_writer(memory, work, target, lock)
        finally:
            lock.release()
        return
    if os.fork():
        lock.release()  # the copy holds it on
        return
    code = 1
    try:
        os.setsid()  # a Ctrl-C meant for the command does not reach its copy
        quiet = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):  # a reader of the command's output does not wait for the copy
            os.dup2(quiet, stream)
        _hand_to_writer(memory, work, target, lock)
        code = 0
    finally:
        os._exit(code)  # the copy of this process's state is not this copy's to tear down


def _hand_to_writer(memory: ox.Store, work: Path, target: Path, lock: BuildLock) -> None:
    parts = Path(tempfile.mkdtemp(prefix="parts-", dir=target.parent))
    try:
        dump = parts / "dataset.nq"
        memory.dump(str(dump), format=ox.RdfFormat.N_QUADS)
        with StoreWriter(work, publish_as=target, parts=parts, keep_fds=(lock.fd,)) as writer:
            writer.write(dump)
            writer.detach()
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(parts, ignore_errors=True)
        lock.path.unlink(missing_ok=True)
        raise


class BuildLock:
    """The right to prepare one store: an exclusive ``flock`` on ``store-KEY.lock`` beside it.

    Two processes given the same new data then do not build the same store
    at once. The system lets go of the lock when the last process that holds
    the file open ends (a writer left to finish on its own keeps it until it
    has published), so it never goes stale. The holder that finishes removes
    the file; a process still waiting on the removed file may then build the
    store again, which :func:`publish` settles: the first store stays.
    """

    def __init__(self, target: Path) -> None:
        self.path = lock_path(target)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)

    def acquire(self, *, wait: bool) -> bool:
        """Take the lock, waiting for it or not; whether it was taken."""
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        return True

    def release(self, *, remove: bool = False) -> None:
        """Let go of this process's hold on the lock; with ``remove``, the lock's work is done."""
        if remove:
            self.path.unlink(missing_ok=True)
        os.close(self.fd)


def lock_path(target: Path) -> Path:
    return target.with_name(target.name + ".lock")


def publish(work: Path, target: Path) -> None:
    """Mark the store written at ``work`` as complete and move it to ``target``.

    If another process published the same store first, that one stays and
    ``work`` is removed: the key is the same, so the store is too.
    """
    (work / READY).write_text("ok\n", encoding="ascii")
    try:
        os.rename(work, target)
    except OSError:
        shutil.rmtree(work, ignore_errors=True)


def write_parts(store: ox.Store, parts: Iterable[str], chunk: int) -> None:
    """Write each part (a line as :class:`StoreWriter` sends it) into ``store`` as it comes, ``chunk`` quads at a time."""
    for line in parts:
        path, _, graph = line.rstrip("\n").partition("\t")
        if graph:
            target = ox.NamedNode(graph)
            quads = (ox.Quad(t.subject, t.predicate, t.object, target)
                     for t in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES, lenient=True))
        else:
            quads = ox.parse(path=path, format=ox.RdfFormat.N_QUADS, lenient=True)
        while batch := list(itertools.islice(quads, chunk)):
            store.bulk_extend(batch)


def main(argv: list[str]) -> int:
    """``python -m kzgraph.diskwrite LOCATION CHUNK [TARGET PARTS]``, the parts on standard input."""
    location, chunk, *publishing = argv
    try:
        store = ox.Store(location)
        try:
            write_parts(store, (line for line in iter(sys.stdin.readline, "") if line.strip()), int(chunk))
            store.flush()
            store.optimize()
        finally:
            del store  # closed before the store is published or the process ends
        if publishing:
            publish(Path(location), Path(publishing[0]))
    except BaseException:
        if publishing:  # nobody waits for this process: leave nothing half-written behind
            shutil.rmtree(location, ignore_errors=True)
        raise
    finally:
        if publishing:
            if publishing[1]:
                shutil.rmtree(publishing[1], ignore_errors=True)
            lock_path(Path(publishing[0])).unlink(missing_ok=True)  # held since the command that started this
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
