"""``kzgraph serve``: the application under granian, queries answered in its processes.

The main process prepares the store once (:func:`kzgraph.loader.prepare_store`)
and starts ``workers`` processes; granian's HTTP layer (Rust) parses requests
and hands them to the WSGI application, ``1 + max_queue`` at once per process,
on a few threads. Each process opens the store read-only and answers in-process
(:class:`~kzgraph.backends.inprocess.InProcessBackend`), with keep-alive
connections and a cache of answers. When a query overruns the time or
memory limit, its client gets 503 at once, and the process asks the main
one to replace it: a fresh process starts and listens, then the spent one
stops taking requests, answers those it has, and ends (the query that
overran cannot be stopped otherwise), while the other processes keep
serving. ``kill -HUP`` on the main process replaces every process the same
way, one after the other. With ``--store`` the processes
answer from that SPARQL store instead, with the same guard and limits.
"""

from __future__ import annotations

import functools
import gc
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from granian.constants import Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server.mp import MPServer

from kzgraph.config import Settings
from kzgraph.loader import prepare_store
from kzgraph.store import KnowledgeStore

GRACEFUL = 5
"""Seconds a stopping process gets to answer the requests it has accepted before it is killed."""

THREADS = 2 * (os.cpu_count() or 1) + 1
"""Requests a process runs side by side at most (granian's advice for WSGI)."""

READY_WAIT = 600.0
"""Seconds the main process waits at most for a fresh process to build its application."""

LISTEN_WAIT = 0.3
"""Seconds a fresh process, its application built, gets to start listening before the one it replaces stops."""


class KzGraphServer:
    """The prepared store and the granian server over it; :meth:`run` serves until stopped."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.location = None if settings.store else prepare_store(settings)

    def describe(self) -> str:
        """What is served, in a few words."""
        if self.settings.store:
            return f"answering from {self.settings.store}"
        store = KnowledgeStore.open(self.location)
        try:
            return f"{len(store):,} triples, {max(1, self.settings.workers)} query processes"
        finally:
            del store  # each process opens its own; none is shared with them

    def run(self) -> None:
        s = self.settings
        accepted = 1 + max(0, s.max_queue)
        with tempfile.TemporaryDirectory(prefix="kzgraph-serve-") as rundir:
            server = _Replacing(
                Path(rundir),
                "kzgraph.server:load_application",  # a name for granian's logs; the loader below builds it
                address=s.host,
                port=s.port,
                interface=Interfaces.WSGI,
                workers=max(1, s.workers),
                # A process takes 1 + max_queue requests at once and runs up to THREADS of them
                # side by side (pyoxigraph lets go of the GIL while a query runs); more threads
                # only contend for the GIL. Further requests wait for their connection to be read.
                blocking_threads=min(accepted, THREADS),
                backpressure=accepted,
                http1_settings=HTTP1Settings(header_read_timeout=10_000, keep_alive=True),
                workers_kill_timeout=GRACEFUL,
                log_level=LogLevels.warning,
                log_access=False,
            )
            loader = functools.partial(load_application, s, self.location, Path(rundir))
            try:
                server.serve(target_loader=loader, wrap_loader=False)
            finally:
                if self.location is not None and s.cache_dir is None:
                    # --no-cache: the store was prepared in a temporary folder of this process.
                    shutil.rmtree(self.location, ignore_errors=True)


class _Replacing(MPServer):
    """granian's process server, with two changes. Its reload (SIGHUP) replaces only the
    processes that asked for it (each leaves a file named by its process id in ``rundir``),
    or all of them when none did. And a process is replaced by starting a fresh one and
    stopping the old one only once the fresh one has built its application (it leaves
    ``ready-PID`` in ``rundir``), however long that takes, not after a fixed delay."""

    def __init__(self, rundir: Path, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rundir = rundir

    def _reload(self, spawn_target, target_loader):
        asked = {int(p.name) for p in self.rundir.iterdir() if p.name.isdigit()}
        for pid in asked:
            (self.rundir / str(pid)).unlink(missing_ok=True)
        if not asked:
            return super()._reload(spawn_target, target_loader)
        self.reload_signal = False
        self.main_loop_interrupt.clear()
        replace = [i for i, worker in enumerate(self.wrks) if worker.inner.pid in asked]
        return self._respawn_workers(replace, spawn_target, target_loader)

    def _respawn_workers(self, workers, spawn_target, target_loader, delay: float = 0):
        for idx in workers:
            self.respawned_wrks[idx] = time.monotonic()
            old = self.wrks[idx]
            fresh = self._spawn_worker(idx=idx, target=spawn_target, callback_loader=target_loader)
            fresh.start()
            self.wrks[idx] = fresh
            self._wait_ready(fresh)
            old.terminate()  # granian's graceful stop: no new requests, those taken are answered
            old.join(self.workers_kill_timeout)
            if old.is_alive():
                old.kill()
                old.join()

    def _wait_ready(self, worker) -> None:
        ready = self.rundir / f"ready-{worker.inner.pid}"
        deadline = time.monotonic() + READY_WAIT
        while not ready.exists() and worker.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        ready.unlink(missing_ok=True)
        time.sleep(LISTEN_WAIT)


def load_application(settings: Settings, location: Path | None, rundir: Path):
    """The WSGI application of one server process (called in that process); once it is
    built, the process says so in ``rundir`` (see :class:`_Replacing`)."""
    from kzgraph.backends import open_backend
    from kzgraph.web import create_app

    if settings.store:
        app = create_app(settings)
    else:
        store = KnowledgeStore.open(location)
        backend = open_backend(settings, store, in_process=True)
        app = ReplacedWhenSpent(create_app(settings, backend=backend), backend, rundir)
    gc.collect()
    gc.freeze()  # what the start built lives as long as the process: the collector no longer walks it
    (rundir / f"ready-{os.getpid()}").touch()
    return app


class ReplacedWhenSpent:
    """WSGI middleware: a process whose query overran (its backend is *spent*) asks to be replaced.

    It leaves its process id in ``rundir`` and sends SIGHUP to the main process
    (:class:`_Replacing`), which starts a fresh process and then stops this
    one as it stops any (SIGTERM: no new requests, those taken are answered).
    """

    def __init__(self, app, backend, rundir: Path) -> None:
        self.app = app
        self.backend = backend
        self.rundir = rundir
        self._asked = False

    def __getattr__(self, name):
        return getattr(self.app, name)  # the Flask application's attributes, such as its extensions

    def __call__(self, environ, start_response):
        body = self.app(environ, start_response)
        if not self._asked and getattr(self.backend, "spent", False):
            self._asked = True
            pid = os.getpid()
            print(f"kzgraph: process {pid} is replaced, a query having overrun its limit", file=sys.stderr, flush=True)
            (self.rundir / str(pid)).touch()
            os.kill(os.getppid(), signal.SIGHUP)
        return body
