"""The command line: each command, each exit code, and errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kzgraph import __version__

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_version(run_cli):
    code, out, _ = run_cli("--version")
    assert code == 0
    assert out.strip() == f"kzgraph, version {__version__}"


def test_every_command_has_help(run_cli):
    for command in ("validate", "query", "export", "serve", "link"):
        code, out, _ = run_cli(command, "--help")
        assert code == 0
        assert "Usage:" in out and command in out


def test_validate_shipped_data_exits_0(run_cli):
    code, out, _ = run_cli("validate")
    assert code == 0
    assert out.startswith("Conforms")


def test_validate_nonconforming_file_exits_1_and_groups_by_resource(run_cli, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix kz: <https://w3id.org/kzgraph/ontology#> .\n"
        "@prefix kzr: <https://w3id.org/kzgraph/resource/> .\n"
        "kzr:proposal-x a kz:Proposal .\n",
        encoding="utf-8",
    )
    code, _, err = run_cli("validate", str(bad))
    assert code == 1
    assert "Does not conform" in err
    assert "\nkzr:proposal-x\n" in err  # one block per resource
    assert "kz:citation" in err and "kzsh:CitedResourceShape" in err


def test_validate_syntax_error_exits_2_naming_file_and_line(run_cli):
    code, _, err = run_cli("validate", str(FIXTURES / "broken.ttl"))
    assert code == 2
    assert "broken.ttl:5:" in err
    assert "Traceback" not in err


def test_query_by_example_name_prints_a_table(run_cli):
    code, out, _ = run_cli("query", "proposals-at-sco-tianjin")
    assert code == 0
    assert "kzr:proposal-2025-sco-investment-office" in out
    assert out.rstrip().endswith("(4 rows)")


def test_query_text_as_json(run_cli):
    code, out, _ = run_cli("query", "--format", "json", "SELECT ?l WHERE { kzr:org-sco rdfs:label ?l }")
    assert code == 0
    assert json.loads(out)["results"]["bindings"] == [
        {"l": {"type": "literal", "value": "SCO", "xml:lang": "en"}}
    ]


def test_query_file(run_cli, tmp_path):
    path = tmp_path / "ask.rq"
    path.write_text("ASK { kzr:country-KAZ a kz:State }", encoding="utf-8")
    code, out, _ = run_cli("query", str(path))
    assert (code, out) == (0, "yes\n")


def test_construct_as_turtle(run_cli):
    code, out, _ = run_cli("query", "--format", "turtle", "CONSTRUCT WHERE { kzr:org-sco rdfs:label ?l }")
    assert code == 0
    assert "@prefix kzr: <https://w3id.org/kzgraph/resource/> ." in out
    assert 'kzr:org-sco rdfs:label "SCO"@en' in out


def test_query_list_shows_examples_with_summaries(run_cli):
    code, out, _ = run_cli("query", "--list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) >= 15
    assert any(line.startswith("proposals-at-sco-tianjin\tProposals") for line in lines)


def test_malformed_query_exits_2_with_message(run_cli):
    code, out, err = run_cli("query", "SELECT ?x WHERE { ?x ?p }")
    assert code == 2
    assert out == ""
    assert err.startswith("kzgraph: malformed query:")
    assert "Traceback" not in err


def test_format_that_does_not_fit_the_query_exits_2(run_cli):
    code, _, err = run_cli("query", "--format", "turtle", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert code == 2
    assert "does not fit a SELECT/ASK query" in err


def test_unknown_example_exits_2(run_cli):
    code, _, err = run_cli("query", "no-such-example")
    assert code == 2
    assert "no example query named 'no-such-example'" in err


def test_usage_error_exits_2(run_cli):
    code, _, err = run_cli("query")
    assert code == 2
    assert "give a QUERY" in err


def test_export_to_file(run_cli, tmp_path):
    target = tmp_path / "graph.nt"
    code, out, _ = run_cli("export", "--format", "nt", "-o", str(target))
    assert code == 0 and out == ""
    text = target.read_text(encoding="utf-8")
    assert '<https://w3id.org/kzgraph/resource/org-sco> <http://www.w3.org/2000/01/rdf-schema#label> "SCO"@en .' in text


def test_serve_answers_sparql_on_localhost(settings, tmp_path):
    """The main job as a user starts it: `kzgraph serve` in its own process."""
    import requests

    from conftest import start_kzgraph_serve

    server, base = start_kzgraph_serve(settings, tmp_path, "--workers", "1")
    port = base.rsplit(":", 1)[1]
    try:
        response = requests.get(f"{base}/sparql", params={"query": "ASK { kzr:country-KAZ a kz:State }"}, timeout=10)
        assert response.json() == {"head": {}, "boolean": True}
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=10)
    assert f"SPARQL endpoint  http://127.0.0.1:{port}/sparql" in out
    assert f"query page       http://127.0.0.1:{port}/" in out


def test_update_is_refused_as_such(run_cli):
    code, _, err = run_cli("query", "INSERT DATA { kzr:x rdfs:label 'x' }")
    assert code == 2
    assert "SPARQL Update is not allowed" in err


@pytest.mark.parametrize("args", [("query", "ASK { ?s ?p ?o }"), ("export", "--format", "nquads"), ("link",)],
                         ids=["query", "export", "link"])
def test_one_shot_commands_answer_from_memory_and_leave_the_prepared_store_behind(run_cli, monkeypatch, tmp_path,
                                                                                  args):
    """With an empty cache, a first answer from the in-memory store; once the command is done, the
    prepared store is published and nothing else is left in the cache."""
    import time

    from kzgraph import loader

    cache = tmp_path / "cache"
    monkeypatch.setenv("KZGRAPH_CACHE_DIR", str(cache))
    answered_from = []
    real = loader.load_store

    def spy(settings, extra=(), **options):
        store = real(settings, extra, **options)
        answered_from.append(store.path)
        return store

    monkeypatch.setattr(loader, "load_store", spy)
    code, out, _ = run_cli(*args)
    assert (code, answered_from) == (0, [None]), "answered from memory"
    assert out
    deadline = time.monotonic() + 120
    while [p.name[:6] for p in cache.iterdir()] != ["store-"] and time.monotonic() < deadline:
        time.sleep(0.1)
    [store] = cache.iterdir()
    assert (store / "READY").is_file()


def test_the_console_command_answers_ends_and_leaves_the_prepared_store_behind(tmp_path):
    """Run as a user runs it: the answer, a clean exit while its reader waits for the end of the output,
    and the prepared store published afterwards, with nothing left over."""
    import os
    import subprocess
    import sys
    import time

    cache = tmp_path / "cache"
    env = {**os.environ, "KZGRAPH_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-m", "kzgraph", "query", "ASK { kzr:country-KAZ a kz:State }"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "yes\n", "")
    deadline = time.monotonic() + 120
    while [p.name[:6] for p in cache.iterdir()] != ["store-"] and time.monotonic() < deadline:
        time.sleep(0.1)
    [store] = cache.iterdir()
    assert (store / "READY").is_file()
    again = subprocess.run([sys.executable, "-m", "kzgraph", "query", "ASK { kzr:country-KAZ a kz:State }"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert (again.returncode, again.stdout) == (0, "yes\n")
    assert list(cache.iterdir()) == [store], "nothing more in the cache after a second command"


@pytest.mark.parametrize("args, code", [(["--version"], 0), (["query", "SELECT WHERE"], 2)], ids=["ok", "error"])
def test_the_console_entry_point_runs_exit_handlers_flushes_and_keeps_the_exit_code(args, code):
    import os
    import subprocess
    import sys

    script = ("import atexit, sys\nfrom kzgraph import cli\n"
              "atexit.register(lambda: print('exit handler ran'))\n"
              f"sys.argv = ['kzgraph', *{args!r}]\ncli.run()\n")
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == code
    assert done.stdout.endswith("exit handler ran\n")
    assert (__version__ in done.stdout) if code == 0 else ("kzgraph:" in done.stderr)
