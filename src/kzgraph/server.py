"""``kzgraph serve``: the application under gunicorn, queries answered in its processes.

The master prepares the store once (:func:`kzgraph.loader.prepare_store`) and
forks ``workers`` processes; each opens the store read-only and answers its
requests in-process (:class:`~kzgraph.backends.inprocess.InProcessBackend`),
with keep-alive connections and a cache of answers. When a query overruns
the time or memory limit, its client gets 503 at once; the process then
stops taking requests, ends, and gunicorn starts a fresh one, while the
other processes keep serving. With ``--store`` the processes answer from
that SPARQL store instead, with the same guard and limits.
"""

from __future__ import annotations

import os
import shutil
import threading
import time

from gunicorn.app.base import BaseApplication

from kzgraph.config import Settings
from kzgraph.loader import prepare_store
from kzgraph.store import KnowledgeStore

_GRACEFUL = 5
"""Seconds a process that stops gets to answer the requests it has accepted (gunicorn's graceful stop)."""


class KzGraphServer(BaseApplication):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.location = None if settings.store else prepare_store(settings)
        super().__init__()

    def describe(self) -> str:
        """What is served, in a few words."""
        if self.settings.store:
            return f"answering from {self.settings.store}"
        store = KnowledgeStore.open(self.location)
        try:
            return f"{len(store):,} triples, {max(1, self.settings.workers)} query processes"
        finally:
            del store  # each process opens its own; none is shared across the fork

    def load_config(self) -> None:
        s = self.settings
        options = {
            "bind": f"{s.host}:{s.port}",
            "workers": max(1, s.workers),
            "worker_class": "gthread",
            # Every request a process takes reaches the application, where queries are
            # counted: 1 + max_queue run at once (pyoxigraph lets go of the GIL), one more is a 503.
            "threads": 1 + max(0, s.max_queue),
            "keepalive": 5,
            "timeout": int(s.timeout) + 30,  # the master's heartbeat; queries have their own limit
            "graceful_timeout": _GRACEFUL,
            "limit_request_line": 8190,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "post_request": _replace_if_spent,
        }
        if self.location is not None and self.settings.cache_dir is None:
            # --no-cache: the store was prepared in a temporary folder; the master removes it
            # when it ends (on_exit runs in the master only, never in a worker).
            location = str(self.location)
            options["on_exit"] = lambda server: shutil.rmtree(location, ignore_errors=True)
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self):
        from kzgraph.backends import open_backend
        from kzgraph.web import create_app

        if self.settings.store:
            return create_app(self.settings)
        store = KnowledgeStore.open(self.location)
        return create_app(self.settings, backend=open_backend(self.settings, store, in_process=True))


def _replace_if_spent(worker, req, environ, resp) -> None:
    """After answering, a process whose query overran stops accepting connections, closes
    the idle ones, answers what it has accepted and ends, without Python's shutdown (which
    would wait on the query that cannot be stopped); gunicorn then starts a fresh process."""
    from kzgraph.web.state import EXTENSION

    app = worker.wsgi
    backend = app.extensions[EXTENSION].backend if hasattr(app, "extensions") else None
    if getattr(backend, "spent", False) and not getattr(worker, "kzgraph_leaving", False):
        worker.kzgraph_leaving = True
        threading.Thread(target=_leave, args=(worker,), daemon=True).start()


def _leave(worker, poll: float = 0.05) -> None:
    worker.method_queue.defer(worker.set_accept_enabled, False)
    deadline = time.monotonic() + _GRACEFUL
    while time.monotonic() < deadline:
        worker.method_queue.defer(worker.murder_keepalived, True)  # idle keep-alive connections go
        time.sleep(poll)
        if worker.nr_conns == 0:
            break
    os._exit(0)


def serve(settings: Settings) -> None:
    """Serve until stopped.

    Raises:
        LoadError: the graph cannot be loaded.
    """
    KzGraphServer(settings).run()
