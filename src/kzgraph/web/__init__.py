"""The Flask application: a read-only SPARQL 1.1 endpoint over the graph,
with a query page, dereferenceable resources and downloads.

``create_app`` takes the settings (and, for tests, a ready store) explicitly;
the query processes it starts are closed by :func:`close_app`.
"""

from __future__ import annotations

import atexit
import logging

from flask import Flask, Response
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from kzgraph import resources
from kzgraph.config import Settings
from kzgraph.loader import load_store
from kzgraph.queries import read_all_queries
from kzgraph.store import KnowledgeStore
from kzgraph.web import graphs, pages, sparql
from kzgraph.web.describe import dataset_stats
from kzgraph.web.executor import QueryExecutor
from kzgraph.web.state import EXTENSION, KgState, state

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, store: KnowledgeStore | None = None) -> Flask:
    """Build the application and start its query processes.

    Raises:
        LoadError: the graph cannot be loaded.
    """
    settings = settings or Settings.from_env()
    if store is None:
        store = load_store(settings)
    executor = QueryExecutor(store, workers=settings.workers, timeout=settings.timeout)
    atexit.register(executor.close)

    app = Flask(__name__)
    app.config.update(TESTING=settings.testing, MAX_CONTENT_LENGTH=settings.max_body_bytes)
    app.extensions[EXTENSION] = KgState(
        settings, store, executor, read_all_queries(resources.queries_dir(settings)), pages.english_labels(store),
        dataset_stats(store),
    )
    app.register_blueprint(pages.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(graphs.bp)
    CORS(app, resources={r"/*": {"origins": "*"}}, send_wildcard=True, expose_headers=["Content-Disposition"])

    @app.errorhandler(HTTPException)
    def as_text(exc: HTTPException) -> Response:
        response = Response(f"{exc.code} {exc.name}: {exc.description}\n", exc.code, mimetype="text/plain")
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def as_server_error(exc: Exception) -> Response:
        log.exception("unexpected error while serving %s", type(exc).__name__)
        return Response("500 Internal Server Error: an unexpected error; it has been logged\n", 500,
                        mimetype="text/plain")

    return app


def close_app(app: Flask) -> None:
    """Stop the application's query processes."""
    app.extensions[EXTENSION].executor.close()


__all__ = ["close_app", "create_app", "state"]
