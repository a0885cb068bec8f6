"""Shared fixtures: one loaded store per session, a CLI runner, the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzgraph import resources
from kzgraph.config import Settings
from kzgraph.loader import load_store
from kzgraph.store import KnowledgeStore

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    """The shipped graph, with a cache private to this test session."""
    return Settings(cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def store(settings) -> KnowledgeStore:
    """The shipped ontology and data with OWL RL entailments."""
    return load_store(settings)


@pytest.fixture(scope="session")
def plain_store(settings) -> KnowledgeStore:
    """The shipped ontology and data without entailments."""
    return load_store(settings.replace(reason=False))


@pytest.fixture
def run_cli(settings, capsysbinary, monkeypatch):
    """Run ``kzgraph ARGS`` in-process; returns (exit code, stdout text, stderr text)."""
    from kzgraph.cli import main

    monkeypatch.setenv("KZGRAPH_CACHE_DIR", str(settings.cache_dir))

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--root", str(resources.project_root(settings)), *args])
        captured = capsysbinary.readouterr()
        return code, captured.out.decode("utf-8"), captured.err.decode("utf-8")

    return run


@pytest.fixture(scope="session")
def app(settings, store):
    """The web application over the shipped graph, with 2 query processes and a 3 s limit."""
    from kzgraph.web import close_app, create_app

    application = create_app(settings.replace(workers=2, timeout=3.0), store=store)
    yield application
    close_app(application)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(app):
    """The application under waitress on a free loopback port; yields its base URL."""
    import threading

    import waitress

    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=12)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()



def start_kzgraph_serve(settings, cwd, *options: str):
    """``kzgraph serve --port <free port> OPTIONS`` in its own process, once ``/health`` answers.

    Returns the process (stdout and stderr piped) and its base URL.
    """
    import os
    import socket
    import subprocess
    import sys
    import time

    import requests

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "KZGRAPH_CACHE_DIR": str(settings.cache_dir)}
    server = subprocess.Popen([sys.executable, "-m", "kzgraph", "serve", "--port", str(port), *options],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{base}/health", timeout=2).ok:
                return server, base
        except requests.ConnectionError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise AssertionError(f"kzgraph serve did not start: {server.communicate(timeout=10)[1]}")
        time.sleep(0.2)
