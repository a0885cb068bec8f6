"""The ``kzgraph`` command line: a thin layer over the library.

Exit codes, as pySHACL documents them: 0 success (the data conforms), 1 the
data does not conform, 2 an error (bad input, malformed query or file).
"""

from __future__ import annotations

import atexit
import os
import re
import sys
import threading
from pathlib import Path

import click

from kzgraph import __version__, formats, resources
from kzgraph.config import Settings
from kzgraph.errors import EXIT_ERROR, EXIT_NONCONFORMING, EXIT_OK, KzGraphError, QueryError
from kzgraph.export import EXPORT_FORMATS

QUERY_FORMATS = ("table", *formats.names())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kzgraph")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), envvar="KZGRAPH_ROOT",
              help="Folder with ontology/, data/, shapes/, queries/ (default: the shipped graph).")
@click.option("--reason/--no-reason", default=None,
              help="Add OWL RL entailments (subclasses, subproperties, inverses). On by default.")
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="An RDF file of your own (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD) to load beside "
                   "the graph, into the named graph .../graph/user/NAME; repeatable. Also KZGRAPH_DATA "
                   f"(paths separated by '{os.pathsep}').")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache of the prepared store.")
@click.pass_context
def cli(ctx: click.Context, root: Path | None, reason: bool | None, data: tuple[Path, ...], no_cache: bool) -> None:
    """kzgraph: Kazakhstan's diplomacy in 2025 as a Linked Data graph."""
    settings = Settings.from_env(root=root, reason=reason, data=data or None)
    if no_cache:
        settings = settings.replace(cache_dir=None)
    ctx.obj = settings


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def validate(settings: Settings, files: tuple[Path, ...]) -> int:
    """Check the shipped data (with FILES, if given) against the SHACL shapes.

    Exit 0 if it conforms, 1 if it does not, 2 on an error such as a syntax
    error (the message names the file and line).
    """
    from kzgraph.validate import validate_files

    report = validate_files(settings, files)
    click.echo(report.text, err=not report.conforms, nl=False)
    return EXIT_OK if report.conforms else EXIT_NONCONFORMING


@cli.command()
@click.argument("query", required=False)
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table", show_default=True,
              help="Output format: a table for people, or a SPARQL result / RDF format.")
@click.option("--list", "list_examples", is_flag=True, help="List the example queries with their summaries.")
@click.pass_obj
def query(settings: Settings, query: str | None, fmt: str, list_examples: bool) -> int:
    """Run QUERY over the graph: SPARQL text, a .rq file, an example's NAME, or - for stdin.

    The project's prefixes (kz:, kzr:, rdfs:, skos:, wdt:, ...) need no PREFIX lines.
    """
    from kzgraph.queries import read_all_queries

    folder = resources.queries_dir(settings)
    if list_examples:
        for named in read_all_queries(folder).values():
            click.echo(f"{named.name}\t{named.summary}")
        return EXIT_OK
    if not query:
        raise click.UsageError("give a QUERY, or --list to see the examples")
    text = _query_text(query, folder)
    _write_query_result(settings, text, fmt)
    return EXIT_OK


def _query_text(query: str, folder: Path) -> str:
    """The SPARQL text that QUERY stands for: stdin, a file, an example's name, or itself.

    Raises:
        QueryError: a ``.rq`` file that does not exist.
        UnknownQuery: a bare name that is no example (and no file).
    """
    from kzgraph.queries import find_query

    if query == "-":
        return sys.stdin.read()
    if query.endswith(".rq") or _is_file(query):
        path = Path(query)
        if not _is_file(query):
            raise QueryError(f"{query}: no such query file")
        return path.read_text(encoding="utf-8")
    if re.fullmatch(r"[A-Za-z0-9_-]+", query):
        return find_query(folder, query).text
    return query


def _is_file(name: str) -> bool:
    """Whether ``name`` is an existing file; a text too long or odd to be a path is not one."""
    if "\n" in name or "{" in name:
        return False
    try:
        return Path(name).is_file()
    except (OSError, ValueError):
        return False


def _write_query_result(settings: Settings, text: str, fmt: str) -> None:
    from kzgraph.guard import check_request
    from kzgraph.loader import load_store
    from kzgraph.results import render_table, result_kind, write_result

    shape = check_request(text, allowlist=None)
    with _kept_to_exit(load_store(settings, answer_first=True)) as store:
        result = store.query(text, shape=shape)
        out = sys.stdout.buffer
        if fmt == "table":
            out.write(render_table(result).encode("utf-8"))
            return
        kind = result_kind(result)
        chosen = formats.find(fmt, kind)
        if chosen is None:
            fitting = ", ".join(f.name for f in formats.formats_for(kind))
            raise QueryError(f"--format {fmt} does not fit a {'CONSTRUCT/DESCRIBE' if shape.is_graph else 'SELECT/ASK'} "
                             f"query (use one of: table, {fitting})")
        write_result(result, chosen, out)


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout.")
@click.option("--format", "fmt", type=click.Choice([*EXPORT_FORMATS, "xml"]), default="turtle", show_default=True,
              help="xml is RDF/XML.")
@click.option("--inferred", is_flag=True, help="Include the OWL RL entailments.")
@click.pass_obj
def export(settings: Settings, output: Path | None, fmt: str, inferred: bool) -> int:
    """Write the ontology and data as one deterministic document.

    The document is written as it is made, in memory that does not grow with
    the data; with -o, it replaces FILE only once complete.
    """
    from kzgraph.export import export_file, write_export
    from kzgraph.loader import load_store

    with _kept_to_exit(load_store(settings.replace(reason=settings.reason or inferred), answer_first=True)) as store:
        if output is None:
            write_export(store, sys.stdout.buffer, fmt, inferred=inferred)
        else:
            export_file(store, output, fmt, inferred=inferred)
    return EXIT_OK


@cli.command()
@click.option("--host", default=None, help=f"Address to listen on.  [default: {Settings.host}]")
@click.option("--port", type=int, default=None, help=f"Port to listen on.  [default: {Settings.port}]")
@click.option("--workers", type=int, default=None,
              help=f"Query processes.  [default: {Settings.workers}]")
@click.option("--timeout", type=float, default=None,
              help=f"Seconds a query may run before it is stopped.  [default: {Settings.timeout:g}]")
@click.option("--max-query-memory", type=int, default=None,
              help=f"Bytes of memory a query may use before it is stopped.  [default: {Settings.max_query_memory:,}]")
@click.option("--max-queue", type=int, default=None,
              help=f"Requests a serving process takes beyond the one it runs; more wait on their connection."
                   f"  [default: {Settings.max_queue}]")
@click.option("--store", default=None, metavar="URL",
              help="Answer from this SPARQL 1.1 query endpoint instead of the embedded store (credentials from "
                   "KZGRAPH_STORE_USER/KZGRAPH_STORE_PASSWORD or KZGRAPH_STORE_TOKEN).")
@click.option("--store-dialect", type=click.Choice(["generic", "virtuoso"]), default=None,
              help="virtuoso passes the time limit on as Virtuoso's timeout parameter.  [default: generic]")
@click.option("--store-auth", type=click.Choice(["basic", "digest"]), default=None,
              help="How the store's user and password are sent.  [default: basic]")
@click.pass_obj
def serve(settings: Settings, host: str | None, port: int | None, workers: int | None, timeout: float | None,
          max_query_memory: int | None, max_queue: int | None, store: str | None, store_dialect: str | None,
          store_auth: str | None) -> int:
    """Serve the graph: a read-only SPARQL 1.1 endpoint with a query page.

    Runs under granian: --workers processes, each answering queries from the
    store it opens read-only; a query that outlives --timeout (or
    --max-query-memory) is answered 503 and its process replaced.
    """
    from kzgraph.server import KzGraphServer

    flags = {"host": host, "port": port, "workers": workers, "timeout": timeout, "max_query_memory": max_query_memory,
             "max_queue": max_queue, "store": store, "store_dialect": store_dialect, "store_auth": store_auth}
    settings = settings.replace(**{k: v for k, v in flags.items() if v is not None})
    server = KzGraphServer(settings)
    base = f"http://{settings.host}:{settings.port}"
    click.echo(f"kzgraph {__version__}: {server.describe()}")
    click.echo(f"  query page       {base}/")
    click.echo(f"  SPARQL endpoint  {base}/sparql")
    click.echo(f"  dataset (VoID)   {base}/.well-known/void")
    server.run()
    return EXIT_OK


@cli.command()
@click.option("--suggest", is_flag=True, help="Ask Wikidata's API for candidates for the unlinked resources.")
@click.option("--api-url", default=None, help="Wikidata API to ask (for --suggest).")
@click.pass_obj
def link(settings: Settings, suggest: bool, api_url: str | None) -> int:
    """Report which resources are linked to Wikidata, by class, with the coverage.

    With --suggest, print candidate links for the unlinked ones as commented
    Turtle for a person to review; the data is never edited.
    """
    from kzgraph.linking import WIKIDATA_API, link_report, render_suggestions_turtle, suggest_links, unlinked_labels
    from kzgraph.loader import load_store

    with _kept_to_exit(load_store(settings, answer_first=True)) as store:
        report = link_report(store)
        if not suggest:
            click.echo(report.text, nl=False)
            return EXIT_OK
        labels = unlinked_labels(store, report)
    suggestions = suggest_links(labels, api_url or WIKIDATA_API)
    click.echo(render_suggestions_turtle(suggestions), nl=False)
    return EXIT_OK


@cli.command()
@click.argument("url")
@click.option("--graph-store", metavar="URL",
              help="The store's Graph Store Protocol endpoint, where it differs from URL "
                   "(Oxigraph: /store; Virtuoso: /sparql-graph-crud-auth).")
@click.option("--inferred", is_flag=True, help="Also push the OWL RL entailments, into their own graph.")
@click.option("--default-graph", is_flag=True, help="Put everything into the store's default graph.")
@click.option("--dry-run", is_flag=True, help="Say what would be sent, and send nothing.")
@click.option("--auth", "auth_scheme", type=click.Choice(["basic", "digest"]), default="basic", show_default=True,
              envvar="KZGRAPH_STORE_AUTH", help="How to send KZGRAPH_STORE_USER/KZGRAPH_STORE_PASSWORD.")
@click.option("--timeout", type=float, default=120.0, show_default=True, help="Seconds each request may take.")
@click.option("--no-verify", is_flag=True, help="Do not count each graph's triples in the store afterwards.")
@click.pass_obj
def push(settings: Settings, url: str, graph_store: str | None, inferred: bool, default_graph: bool,
         dry_run: bool, auth_scheme: str, timeout: float, no_verify: bool) -> int:
    """Load the graph into the SPARQL 1.1 store whose query endpoint is URL.

    Each graph (ontology, data, with --inferred the entailments) replaces its
    named graph through the Graph Store HTTP Protocol (HTTP PUT), so pushing
    twice never duplicates. Credentials come only from the environment:
    KZGRAPH_STORE_USER and KZGRAPH_STORE_PASSWORD (basic or digest), or
    KZGRAPH_STORE_TOKEN (bearer). Exit 2 if the store is unreachable, refuses
    a request or the credentials.
    """
    import os
    import tempfile

    from kzgraph import push as pushing
    from kzgraph.remote import RemoteStore, auth_from_env

    pushing.check_urls(url, graph_store)
    base = graph_store or url
    auth = auth_from_env(os.environ, auth_scheme)
    uploads = pushing.graphs_to_push(settings, inferred=inferred, default_graph=default_graph)
    with tempfile.TemporaryDirectory(prefix="kzgraph-push-") as folder:
        payloads = pushing.serialize_uploads(uploads, Path(folder))
        if dry_run:
            for payload in payloads:
                click.echo(pushing.describe(payload, base))
            click.echo("dry run: nothing was sent")
            return EXIT_OK
        with pushing.open_session(auth) as session:
            pushing.check_access(session, base, payloads, timeout)
            pushing.send_payloads(session, base, payloads, timeout=timeout, on_sent=lambda p, status: click.echo(
                f"{p.name}: {p.triples:,} triples ({p.upload.what}) replaced, the store answered {status}"))
    if not no_verify:
        with RemoteStore(url, timeout=timeout, auth=auth, max_result_bytes=settings.max_result_bytes) as remote:
            for payload, held in pushing.verify_counts(remote, payloads):
                click.echo(f"{payload.name}: the store holds {held:,} triples, as sent")
    return EXIT_OK


_HELD_TO_EXIT: list[object] | None = None
"""Set by :func:`run`: the datasets the command answered from, kept until the process ends (see there)."""


def _kept_to_exit(store):
    """``store``, kept alive until the process ends when the console script runs."""
    if _HELD_TO_EXIT is not None:
        _HELD_TO_EXIT.append(store)
    return store


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (never raises for expected errors)."""
    try:
        return cli.main(args=argv, prog_name="kzgraph", standalone_mode=False) or EXIT_OK
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_ERROR
    except KzGraphError as exc:
        click.echo(f"kzgraph: {exc}", err=True)
        return exc.exit_code


def run() -> None:
    """Console-script entry point.

    Ends the process as soon as its work is done: the exit handlers run
    (writers left to finish, temporary stores removed) and the output is
    flushed, but the interpreter does not take every object apart first. A
    one-shot command over a large dataset holds it in memory, and freeing
    it would take as long again as a query (about a second at a million
    triples): the command keeps it (:func:`_kept_to_exit`) and the system takes
    the memory back at once.
    """
    global _HELD_TO_EXIT
    _HELD_TO_EXIT = []
    code = main()
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    others = [t for t in threading.enumerate() if t is not threading.current_thread() and not t.daemon]
    if run_exit_handlers is None or others:  # not CPython, or threads to wait for: the usual way out
        sys.exit(code)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, as at the usual exit
            pass
    os._exit(code)
