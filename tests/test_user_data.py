"""The user's own RDF files beside the shipped graph (``--data``, ``KZGRAPH_DATA``):
each in a named graph of its own, reasoned with the ontology, seen by every
command and by the endpoint; a malformed one stops everything and names itself."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kzgraph.config import Settings
from kzgraph.errors import LoadError
from kzgraph.loader import USER_GRAPH, load_store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EVENTS, NOTES, BROKEN = FIXTURES / "user-events.ttl", FIXTURES / "user-notes.nt", FIXTURES / "user-broken.nt"
FORUM = "https://example.org/events/forum-1"


@pytest.fixture(scope="module")
def user_store(tmp_path_factory):
    settings = Settings(cache_dir=tmp_path_factory.mktemp("cache"), data=(EVENTS, NOTES))
    return load_store(settings)


def test_each_file_has_a_named_graph_of_its_own(user_store):
    names = user_store.graph_names()
    assert USER_GRAPH + "user-events" in names and USER_GRAPH + "user-notes" in names
    rows = user_store.select("SELECT ?g WHERE { GRAPH ?g { ?s rdfs:label \"A user's note\"@en } }")
    assert [row["g"].value for row in rows] == [USER_GRAPH + "user-notes"]


def test_user_data_is_reasoned_with_the_ontology(user_store):
    assert user_store.ask(f"ASK {{ <{FORUM}> a kz:Meeting }}")  # a summit is a meeting
    assert user_store.ask(f"ASK {{ kzr:country-KAZ kz:participatedIn <{FORUM}> }}")  # the inverse
    assert user_store.ask("ASK { kzr:country-KAZ a kz:State }")  # the shipped graph is still there


def test_every_command_sees_user_data(run_cli):
    code, out, _ = run_cli("--data", str(EVENTS), "query", f"SELECT ?l WHERE {{ <{FORUM}> rdfs:label ?l }}")
    assert (code, out.splitlines()[2]) == (0, "A user's test forum")
    code, out, _ = run_cli("--data", str(EVENTS), "export", "--format", "nquads")
    assert code == 0 and f"<{FORUM}>" in out and f"<{USER_GRAPH}user-events>" in out
    code, out, _ = run_cli("--data", str(EVENTS), "link")
    assert code == 0 and FORUM in out  # a meeting without a Wikidata link
    code, _, err = run_cli("--data", str(EVENTS), "validate")
    assert code == 1 and FORUM in err  # the user's summit has no citation


def test_kzgraph_data_lists_files_with_the_path_separator(run_cli, monkeypatch):
    monkeypatch.setenv("KZGRAPH_DATA", os.pathsep.join([str(EVENTS), str(NOTES)]))
    code, out, _ = run_cli("query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER STRSTARTS(STR(?g), STR(<"
                           + USER_GRAPH + ">)) }", "--format", "csv")
    assert (code, out) == (0, "n\r\n4\r\n")  # 3 triples of events, 1 of notes


def test_a_malformed_file_is_exit_2_naming_file_line_and_column_and_nothing_is_kept(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("KZGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    code, out, err = run_cli("--data", str(BROKEN), "query", "ASK {}")
    assert (code, out) == (2, "")
    assert err.startswith(f"kzgraph: {BROKEN}:2:")
    assert list((tmp_path / "cache").iterdir()) == [], "a half-built store was left behind"


def test_two_files_with_one_name_are_refused(tmp_path):
    twin = tmp_path / "user-events.nt"
    twin.write_text(NOTES.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(LoadError, match="same name"):
        load_store(Settings(cache_dir=tmp_path / "cache", data=(EVENTS, twin)))


def test_an_unknown_extension_is_refused(tmp_path):
    odd = tmp_path / "notes.csv"
    odd.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(LoadError, match="not a known RDF file extension"):
        load_store(Settings(cache_dir=tmp_path / "cache", data=(odd,)))


def test_the_endpoint_lists_user_graphs(settings, user_store):
    from kzgraph.web import close_app, create_app

    app = create_app(settings.replace(workers=1, data=(EVENTS, NOTES)), store=user_store)
    try:
        client = app.test_client()
        health = client.get("/health").get_json()
        assert health["data"] == [str(EVENTS), str(NOTES)]
        assert USER_GRAPH + "user-events" in health["graphs"]
        void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"}).get_data(as_text=True)
        assert f'<{USER_GRAPH}user-notes> <http://purl.org/dc/terms/title> "kzgraph user graph user-notes"@en .' in void
        answer = client.get("/sparql", query_string={"query": f"ASK {{ <{FORUM}> a kz:Meeting }}"})
        assert json.loads(answer.data)["boolean"] is True
    finally:
        close_app(app)
