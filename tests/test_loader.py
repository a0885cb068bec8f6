"""Loading: errors name the file and line, the cache is never stale, resources resolve."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kzgraph import resources
from kzgraph.config import Settings
from kzgraph.errors import LoadError
from kzgraph.loader import load_store, parse_rdf_file
from kzgraph.namespaces import DATA_GRAPH, DATES_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize("folder", resources.FOLDERS)
def test_each_folder_resolves_and_is_not_empty(folder):
    path = resources.project_root(Settings()) / folder
    assert path.is_dir()
    assert any(path.glob("*.ttl")) or any(path.glob("*.rq"))


def test_a_wrong_root_is_a_load_error(tmp_path):
    with pytest.raises(LoadError, match="not a kzgraph root"):
        resources.project_root(Settings(root=tmp_path))


def test_syntax_error_names_file_line_and_column():
    with pytest.raises(LoadError) as caught:
        parse_rdf_file(FIXTURES / "broken.ttl")
    message = str(caught.value)
    assert message.startswith(f"{FIXTURES / 'broken.ttl'}:5:")
    assert "end of file" in message.lower() or "unexpected" in message.lower()


def test_missing_file_is_a_load_error(tmp_path):
    with pytest.raises(LoadError, match="nothing.ttl"):
        parse_rdf_file(tmp_path / "nothing.ttl")


def test_store_has_the_named_graphs(store, plain_store):
    assert store.graph_names() == sorted([DATA_GRAPH, DATES_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH])
    # without reasoning, the date axis and the reference layer are still there
    assert plain_store.graph_names() == sorted([DATA_GRAPH, DATES_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH])


@pytest.fixture
def copied_root(tmp_path) -> Path:
    root = tmp_path / "root"
    for folder in resources.FOLDERS:
        shutil.copytree(resources.project_root(Settings()) / folder, root / folder)
    return root


def test_an_edited_data_file_is_never_served_stale(copied_root, tmp_path):
    settings = Settings(root=copied_root, cache_dir=tmp_path / "cache")
    ask = "ASK { kzr:org-sco rdfs:label 'Shanghai'@en }"
    assert not load_store(settings).ask(ask)
    assert list((tmp_path / "cache").glob("store-*/READY")), "the first load fills the cache"
    path = copied_root / "data" / "organizations.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace('rdfs:label "SCO"@en', 'rdfs:label "Shanghai"@en'),
                    encoding="utf-8")
    assert load_store(settings).ask(ask)


def test_a_broken_data_file_fails_even_with_a_warm_cache(copied_root, tmp_path):
    settings = Settings(root=copied_root, cache_dir=tmp_path / "cache")
    load_store(settings)
    shutil.copy(FIXTURES / "broken.ttl", copied_root / "data" / "zz-broken.ttl")
    with pytest.raises(LoadError, match=r"zz-broken\.ttl:5:"):
        load_store(settings)


def test_cache_holds_the_same_dataset(settings, store):
    again = load_store(settings)
    assert len(again) == len(store)


def test_unwritable_cache_only_costs_speed(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert len(load_store(Settings(cache_dir=blocker / "cache"))) > 3000


def test_a_relative_iri_is_an_error_not_a_path_of_this_machine():
    with pytest.raises(LoadError, match=r"relative-iri\.ttl:3:"):
        parse_rdf_file(FIXTURES / "relative-iri.ttl")


def test_an_edit_that_keeps_the_file_size_is_never_served_stale(copied_root, tmp_path):
    settings = Settings(root=copied_root, cache_dir=tmp_path / "cache")
    ask = "ASK { kzr:org-sco rdfs:label 'OCS'@en }"
    assert not load_store(settings).ask(ask)
    path = copied_root / "data" / "organizations.ttl"
    before = path.stat().st_size
    path.write_text(path.read_text(encoding="utf-8").replace('rdfs:label "SCO"@en', 'rdfs:label "OCS"@en'),
                    encoding="utf-8")
    assert path.stat().st_size == before
    assert load_store(settings).ask(ask)


def test_the_cache_is_keyed_by_the_engine_version(copied_root, tmp_path, monkeypatch):
    import pyoxigraph

    settings = Settings(root=copied_root, cache_dir=tmp_path / "cache")
    load_store(settings)
    monkeypatch.setattr(pyoxigraph, "__version__", "0.0.0-another")
    load_store(settings)
    assert len(list((tmp_path / "cache").glob("store-*/READY"))) == 2, "another engine version must not reuse the store"


def test_writing_in_small_chunks_keeps_every_blank_node_whole(tmp_path):
    from kzgraph.loader import build_store, dataset_inputs
    from kzgraph.store import KnowledgeStore

    settings = Settings()
    build_store(tmp_path / "whole", dataset_inputs(settings), reason=True)
    build_store(tmp_path / "chunked", dataset_inputs(settings), reason=True, chunk=7)
    whole, chunked = KnowledgeStore.open(tmp_path / "whole"), KnowledgeStore.open(tmp_path / "chunked")
    citations = "SELECT (COUNT(DISTINCT ?c) AS ?n) (COUNT(?q) AS ?quotes) WHERE { ?x kz:citation ?c . ?c kz:quote ?q }"
    assert len(chunked) == len(whole)
    assert [(r["n"].value, r["quotes"].value) for r in chunked.select(citations)] == \
        [(r["n"].value, r["quotes"].value) for r in whole.select(citations)]
    assert int(whole.select(citations)[0]["n"].value) > 100
    # The entailments are written after the asserted graphs, in a part of their own: a blank node
    # they speak of is the very one the data states, and each is typed where the data uses it.
    inferred_blanks = f"SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?b ?p ?o }} FILTER isBlank(?b) "
    unknown = f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?b ?q ?r }} FILTER (?g != <{INFERRED_GRAPH}>) }}"
    for store in (whole, chunked):
        assert int(store.select(inferred_blanks + "}")[0]["n"].value) > 100
        assert int(store.select(inferred_blanks + unknown + "}")[0]["n"].value) == 0
        assert not store.ask("ASK { ?x kz:citation ?c FILTER NOT EXISTS { ?c a kz:Citation } }")
    # what reaches the disk, part after part, is what the rules conclude in memory
    import pyoxigraph as ox

    from kzgraph.loader import add_date_bounds, rdf_format
    from kzgraph.reasoning import infer

    memory = ox.Store()
    inputs = dataset_inputs(settings)
    for item in inputs:
        for path in item.paths:
            memory.bulk_load(path=str(path), format=rdf_format(path), to_graph=ox.NamedNode(item.graph))
    add_date_bounds(memory, sources=[item.graph for item in inputs if item.graph != ONTOLOGY_GRAPH])
    infer(memory, sources=[item.graph for item in inputs], target=INFERRED_GRAPH)

    def named(quads):
        return sorted(str(q) for q in quads if "_:" not in str(q))

    expected = list(memory.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH)))
    for store in (whole, chunked):
        assert len(list(store.quads(INFERRED_GRAPH))) == len(expected) > 1000
        assert named(store.quads(INFERRED_GRAPH)) == named(expected)
        assert len(store) == len(memory)


def test_the_reference_layer_is_found_and_loaded_into_its_own_graph(plain_store):
    assert [p.name for p in resources.reference_files(Settings())] == ["geography.ttl", "states.ttl"]
    assert plain_store.ask("ASK { GRAPH <https://w3id.org/kzgraph/graph/reference> { kzr:country-KGZ a kz:State } }")
    assert not plain_store.ask("ASK { GRAPH <https://w3id.org/kzgraph/graph/data> { kzr:country-KGZ a kz:State } }")


def test_a_root_without_a_reference_folder_loads_without_the_reference_layer(copied_root):
    store = load_store(Settings(root=copied_root, cache_dir=None, reason=False))
    assert REFERENCE_GRAPH not in store.graph_names()
    assert DATES_GRAPH in store.graph_names()  # the date axis does not depend on it


def test_user_data_gets_date_bounds_too(tmp_path):
    extra = tmp_path / "mine.ttl"
    extra.write_text('<https://example.org/x> <https://w3id.org/kzgraph/ontology#date> '
                     '"2026-02"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> .\n', encoding="utf-8")
    store = load_store(Settings(cache_dir=None, reason=False), [extra])
    rows = store.select("SELECT ?last WHERE { <https://example.org/x> kz:latestDate ?last }")
    assert [r["last"].value for r in rows] == ["2026-02-28"]


def test_a_graph_name_that_is_no_iri_is_a_query_error(store):
    from kzgraph.errors import QueryError

    with pytest.raises(QueryError, match="must be an absolute IRI"):
        store.query("ASK {}", default_graphs=["not an iri"])


def test_date_bounds_read_from_the_dated_statements_match_those_of_every_statement():
    import pyoxigraph as ox

    from kzgraph.dates import derive_date_bounds
    from kzgraph.loader import add_date_bounds, dataset_inputs, rdf_format

    memory = ox.Store()
    for item in dataset_inputs(Settings()):
        for path in item.paths:
            memory.bulk_load(path=str(path), format=rdf_format(path), to_graph=ox.NamedNode(item.graph))
    # a blank node dated in two graphs gets the widest bounds of both
    memory.update('INSERT DATA { GRAPH <urn:a> { _:e <http://purl.org/dc/terms/date> "2025-03"^^'
                  '<http://www.w3.org/2001/XMLSchema#gYearMonth> } GRAPH <urn:b> { _:e '
                  '<https://w3id.org/kzgraph/ontology#endDate> "2026"^^<http://www.w3.org/2001/XMLSchema#gYear> } }')
    sources = [DATA_GRAPH, REFERENCE_GRAPH, "urn:a", "urn:b"]
    every = derive_date_bounds([q for g in sources for q in memory.quads_for_pattern(None, None, None, ox.NamedNode(g))])
    assert add_date_bounds(memory, sources=sources) == len(every) > 30
    assert sorted(memory.quads_for_pattern(None, None, None, ox.NamedNode(DATES_GRAPH)), key=str) == every
    assert {q.object.value for q in every if isinstance(q.subject, ox.BlankNode)} == {"2025-03-01", "2026-12-31"}


def test_a_store_that_cannot_be_written_is_a_load_error_naming_it(tmp_path):
    from kzgraph.diskwrite import StoreWriter

    location = tmp_path / "a-file"
    location.write_text("not a store\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"a-file: writing the store failed: .+"):
        with StoreWriter(location) as writer:
            writer.finish()


def test_a_relative_cache_folder_and_a_kzgraph_folder_where_it_runs_change_nothing(tmp_path, monkeypatch):
    (tmp_path / "kzgraph").mkdir()  # a package of that name must not stand in for kzgraph in the writer
    (tmp_path / "kzgraph" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "kzgraph" / "diskwrite.py").write_text("raise SystemExit(3)\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    store = load_store(Settings(cache_dir=Path("cache")))
    assert store.ask("ASK { GRAPH <https://w3id.org/kzgraph/graph/inferred> { ?s ?p ?o } }")
    assert len(list((tmp_path / "cache").glob("store-*/READY"))) == 1


# ------------------------------------- a first answer from memory, the prepared store written behind it

def wait_for(condition, seconds: float = 120.0) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_a_first_answer_comes_from_memory_and_the_prepared_store_follows(store, tmp_path):
    cache = tmp_path / "cache"
    first = load_store(Settings(cache_dir=cache), answer_first=True)
    assert first.path is None, "answered from the in-memory store"
    assert len(first) == len(store)
    named = lambda quads: sorted(str(q) for q in quads if "_:" not in str(q))  # noqa: E731 (blank nodes are fresh per load)
    assert named(first.quads(DATA_GRAPH)) == named(store.quads(DATA_GRAPH))
    assert named(first.quads(INFERRED_GRAPH)) == named(store.quads(INFERRED_GRAPH))
    assert [p.name[:9] for p in cache.iterdir() if not p.name.endswith(".lock")] == ["building-"], \
        "nothing is written while the command answers"
    first.close()
    assert wait_for(lambda: list(cache.glob("store-*/READY"))), "once it is done, a writer publishes the store"
    assert wait_for(lambda: [p.name for p in cache.iterdir()] == [next(cache.glob("store-*")).name]), \
        "and leaves no work folder or parts behind"
    again = load_store(Settings(cache_dir=cache), answer_first=True)
    assert again.path == next(cache.glob("store-*"))
    assert len(again) == len(store)
    inferred = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?s ?p ?o } }" % INFERRED_GRAPH
    assert again.select(inferred)[0]["n"].value == store.select(inferred)[0]["n"].value


def test_without_a_cache_a_first_answer_writes_nothing(store, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    answered = load_store(Settings(cache_dir=None), answer_first=True)
    assert answered.path is None
    assert len(answered) == len(store)
    assert list(tmp_path.iterdir()) == []


def test_a_malformed_file_answered_first_is_an_error_that_leaves_nothing_behind(tmp_path):
    cache = tmp_path / "cache"
    broken = tmp_path / "broken.ttl"
    shutil.copy(FIXTURES / "broken.ttl", broken)
    with pytest.raises(LoadError, match=r"broken\.ttl:5:"):
        load_store(Settings(cache_dir=cache, data=(broken,)), answer_first=True)
    assert list(cache.iterdir()) == []


def test_a_writer_left_on_its_own_that_fails_removes_what_it_wrote(tmp_path, monkeypatch):
    import io

    from kzgraph import diskwrite

    work, parts, target = tmp_path / "building", tmp_path / "parts", tmp_path / "store"
    parts.mkdir()
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{parts / 'missing.nq'}\n"))
    with pytest.raises(OSError):
        diskwrite.main([str(work), "10", str(target), str(parts)])
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_writer_left_on_its_own_publishes_the_store(tmp_path, monkeypatch):
    import io

    import pyoxigraph as ox

    from kzgraph import diskwrite

    work, parts, target = tmp_path / "building", tmp_path / "parts", tmp_path / "store"
    parts.mkdir()
    (parts / "a.nq").write_text("<urn:a> <urn:p> _:b <urn:g> .\n<urn:c> <urn:p> _:b <urn:g> .\n", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{parts / 'a.nq'}\n"))
    assert diskwrite.main([str(work), "10", str(target), str(parts)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    assert (target / diskwrite.READY).is_file()
    published = ox.Store.read_only(str(target))
    assert len({q.object for q in published}) == 1  # one blank node, as the part said


def a_store_to_write(tmp_path):
    """(an in-memory dataset, a work folder, the store's place in the cache, the lock on it, held)."""
    import tempfile

    import pyoxigraph as ox

    from kzgraph.diskwrite import BuildLock

    memory = ox.Store()
    blank, graph = ox.BlankNode(), ox.NamedNode("urn:g")
    memory.extend([ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), blank, graph),
                   ox.Quad(ox.NamedNode("urn:c"), ox.NamedNode("urn:p"), blank, graph)])
    target = tmp_path / "cache" / "store-key"
    target.parent.mkdir()
    lock = BuildLock(target)
    assert lock.acquire(wait=False)
    return memory, Path(tempfile.mkdtemp(prefix="building-", dir=target.parent)), target, lock


@pytest.mark.parametrize("fork", [True, False], ids=["in a copy of the process", "in this process"])
def test_a_store_written_behind_a_command_is_published_whole(tmp_path, fork):
    import pyoxigraph as ox

    from kzgraph.diskwrite import READY, write_in_background

    memory, work, target, lock = a_store_to_write(tmp_path)
    write_in_background(memory, work, target, lock, fork=fork)
    assert wait_for(lambda: (target / READY).is_file())
    assert wait_for(lambda: [p.name for p in target.parent.iterdir()] == ["store-key"]), \
        "no work folder, dump or lock left behind"
    published = ox.Store.read_only(str(target))
    assert sorted(str(q.subject) for q in published) == ["<urn:a>", "<urn:c>"]
    assert len({q.object for q in published}) == 1, "one blank node, as in memory"


@pytest.mark.parametrize("fork", [True, False], ids=["in a copy of the process", "in this process"])
def test_a_store_that_fails_to_be_written_behind_a_command_leaves_nothing(tmp_path, monkeypatch, fork):
    from kzgraph import diskwrite

    def broken(*args, **kwargs):
        raise OSError("no room")

    monkeypatch.setattr(diskwrite, "StoreWriter", broken)
    memory, work, target, lock = a_store_to_write(tmp_path)
    if fork:
        diskwrite.write_in_background(memory, work, target, lock, fork=True)
    else:
        with pytest.raises(OSError, match="no room"):
            diskwrite.write_in_background(memory, work, target, lock, fork=False)
    assert wait_for(lambda: list(target.parent.iterdir()) == [])


@pytest.fixture
def store_being_prepared(tmp_path):
    """Settings with an empty cache, and the lock of their store held as another process holding it would."""
    from kzgraph import loader
    from kzgraph.diskwrite import BuildLock

    settings = Settings(cache_dir=tmp_path / "cache")
    target = loader._cache_location(settings, loader.dataset_inputs(settings))
    target.parent.mkdir(parents=True)
    other = BuildLock(target)
    assert other.acquire(wait=False)
    yield settings, target, other
    if other.path.exists():
        other.release(remove=True)


def test_while_another_process_prepares_the_store_a_first_answer_writes_nothing(store, store_being_prepared):
    settings, target, _ = store_being_prepared
    answered = load_store(settings, answer_first=True)
    assert answered.path is None and len(answered) == len(store)
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name + ".lock"]  # no second writer


def test_preparing_a_store_another_process_is_preparing_waits_for_it_and_builds_nothing(store_being_prepared,
                                                                                         monkeypatch):
    import threading

    from kzgraph import loader

    settings, target, other = store_being_prepared
    builds = []
    real_build = loader.build_store
    monkeypatch.setattr(loader, "build_store", lambda *args, **kwargs: (builds.append(1), real_build(*args, **kwargs)))
    opened = []
    waiting = threading.Thread(target=lambda: opened.append(load_store(settings)))
    waiting.start()
    waiting.join(1.0)
    assert waiting.is_alive() and builds == [], "it waits for the lock"
    work = target.parent / "by-the-other-process"
    real_build(work, loader.dataset_inputs(settings), reason=True)  # the other process prepares the store ...
    loader.publish(work, target)
    other.release(remove=True)  # ... and lets go
    waiting.join(60)
    assert not waiting.is_alive()
    assert builds == [] and opened[0].path == target
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def test_a_lock_left_by_a_process_that_ended_holds_nothing_up(tmp_path):
    from kzgraph import loader

    settings = Settings(cache_dir=tmp_path / "cache")
    target = loader._cache_location(settings, loader.dataset_inputs(settings))
    target.parent.mkdir(parents=True)
    (target.parent / (target.name + ".lock")).write_text("", encoding="ascii")  # nobody holds it
    assert load_store(settings).path == target
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name], "the lock's work done, it is removed"
