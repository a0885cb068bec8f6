"""The Flask application: a read-only SPARQL 1.1 endpoint over the graph,
with a query page, dereferenceable resources and downloads.

``create_app`` takes the settings (and, for tests, a ready store) explicitly;
the query processes it starts are closed by :func:`close_app`.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import weakref
from pathlib import Path

from flask import Flask, Response, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from kzgraph import resources
from kzgraph.backends import Backend, open_backend
from kzgraph.config import Settings
from kzgraph.errors import KzGraphError, error_text, status_phrase
from kzgraph.negotiation import wants_html
from kzgraph.queries import read_all_queries
from kzgraph.store import KnowledgeStore
from kzgraph.web import graphs, pages, sparql
from kzgraph.web.answer_cache import AnswerCacheMiddleware
from kzgraph.web.state import EXTENSION, KgState, state

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, store: KnowledgeStore | None = None,
               backend: Backend | None = None) -> Flask:
    """Build the application and start its query processes.

    ``store`` is a prepared store (:func:`kzgraph.loader.load_store`) to serve
    instead of loading the one ``settings`` name; with ``settings.store`` the
    application answers from that remote SPARQL store instead; ``backend``
    replaces both (the server passes an in-process one).

    Raises:
        LoadError: the graph cannot be loaded.
        StoreError: the remote store cannot be used.
    """
    settings = settings or Settings.from_env()
    backend = backend or open_backend(settings, store)

    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes)
    dumps = Path(tempfile.mkdtemp(prefix="kzgraph-dumps-"))
    app.extensions[EXTENSION] = KgState(
        settings, backend, read_all_queries(resources.queries_dir(settings)), pages.english_labels(backend),
        backend.stats(), dumps,
    )
    app.register_blueprint(pages.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(graphs.bp)
    CORS(app, resources={r"/*": {"origins": "*"}}, send_wildcard=True, expose_headers=["Content-Disposition"])
    weakref.finalize(app, shutil.rmtree, str(dumps), True)  # also when a server process ends without close_app
    if settings.answer_cache_bytes > 0 and not settings.store:
        app.wsgi_app = AnswerCacheMiddleware(app.wsgi_app, max_bytes=settings.answer_cache_bytes,
                                             run=sparql.plain_get(lambda: app.extensions[EXTENSION]))

    @app.after_request
    def vary_on_accept(response: Response) -> Response:
        response.vary.add("Accept")  # most routes negotiate, and so may their errors
        return response

    @app.errorhandler(KzGraphError)
    def as_error(exc: KzGraphError) -> Response:
        if exc.status >= 500:
            log.warning("%s while serving %s: %s", type(exc).__name__, request.path, exc)
        return error_response(exc.status, str(exc), exc.headers)

    @app.errorhandler(HTTPException)
    def as_http_error(exc: HTTPException) -> Response:
        headers = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
        return error_response(exc.code or 500, exc.description or "", headers)

    @app.errorhandler(Exception)
    def as_server_error(exc: Exception) -> Response:
        log.exception("unexpected error while serving %s", request.path)
        return error_response(500, "an unexpected error; it has been logged")

    return app


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The one shape of every error answer: ``STATUS Phrase: message`` as plain text, or,
    for a browser, the same words on an HTML page with the site's navigation."""
    if wants_html(request.headers.get("Accept")):
        response = pages.error_page(status, status_phrase(status), message)
    else:
        response = Response(error_text(status, message), status, mimetype="text/plain")
    response.headers.update(headers or {})
    return response


def close_app(app: Flask) -> None:
    """Stop the application's query processes and remove its downloads; calling it again does nothing."""
    kg = app.extensions[EXTENSION]
    kg.backend.close()
    shutil.rmtree(kg.dumps, ignore_errors=True)


__all__ = ["close_app", "create_app", "error_response", "state"]
