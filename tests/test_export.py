"""Export: every format parses back to the same graph, and output is byte-identical across processes."""

from __future__ import annotations

import os
import subprocess
import sys
from io import BytesIO
from itertools import islice

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kzgraph import export
from kzgraph.config import Settings
from kzgraph.errors import ExportError
from kzgraph.export import EXPORT_FORMATS, export_graph, write_export
from kzgraph.interop import to_rdflib_graph
from kzgraph.loader import load_store
from kzgraph.namespaces import DATA_GRAPH, DATES_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH

RDFLIB_FORMATS = {"turtle": "turtle", "nt": "nt", "nquads": "nquads", "jsonld": "json-ld", "rdfxml": "xml", "trig": "trig"}


@pytest.fixture(scope="module")
def expected(store) -> rdflib.Graph:
    return to_rdflib_graph([q for g in (ONTOLOGY_GRAPH, DATA_GRAPH, REFERENCE_GRAPH, DATES_GRAPH) for q in store.quads(g)])


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_export_round_trips_to_an_isomorphic_graph(store, expected, fmt):
    parsed = rdflib.Dataset()
    parsed.parse(data=export_graph(store, fmt), format=RDFLIB_FORMATS[fmt])
    merged = rdflib.Graph()
    for s, p, o, _ in parsed.quads((None, None, None, None)):
        merged.add((s, p, o))
    assert len(merged) == len(expected)
    assert isomorphic(merged, expected)


def test_quad_formats_keep_the_named_graphs(store):
    data = export_graph(store, "nquads").decode("utf-8")
    assert f"<{ONTOLOGY_GRAPH}> .\n" in data and f"<{DATA_GRAPH}> .\n" in data
    assert INFERRED_GRAPH not in data
    # the reference layer stays marked by its own graph, and so do the derived date bounds
    assert '<https://w3id.org/kzgraph/resource/city-tianjin> <https://w3id.org/kzgraph/ontology#country> ' \
        f'<https://w3id.org/kzgraph/resource/country-CHN> <{REFERENCE_GRAPH}> .\n' in data
    assert f'"2025-08-31"^^<http://www.w3.org/2001/XMLSchema#date> <{DATES_GRAPH}> .\n' in data


def test_inferred_export_adds_the_entailments(store):
    plain = export_graph(store, "nt")
    inferred = export_graph(store, "nt", inferred=True)
    entailed = "<https://w3id.org/kzgraph/resource/person-tokayev> <https://w3id.org/kzgraph/ontology#participatedIn>"
    assert entailed not in plain.decode() and entailed in inferred.decode()


def test_turtle_groups_each_subject_under_the_prefixes(store):
    text = export_graph(store, "turtle").decode("utf-8")
    assert "@prefix kzr: <https://w3id.org/kzgraph/resource/> .\n" in text
    org_sco = text.index("\nkzr:org-sco ")
    block = text[org_sco:text.index(" .\n", org_sco)]
    # one block per subject, one predicate a line, the citation by its canonical label
    assert block.startswith('\nkzr:org-sco a kz:InternationalOrganization ;\n\trdfs:label "SCO"@en ;\n')
    assert "\n\tkz:citation _:c14n" in block
    assert text.count("\nkzr:org-sco ") == 1


def test_unknown_format_is_refused(store):
    with pytest.raises(ExportError, match="unknown export format"):
        export_graph(store, "png")


def test_inferred_without_reasoning_is_refused(plain_store):
    with pytest.raises(ExportError, match="reasoning off"):
        export_graph(plain_store, "nt", inferred=True)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_export_is_byte_identical_across_processes(settings, fmt):
    """Two processes with different hash seeds write the same bytes."""
    script = (
        "import sys; from kzgraph import Settings, load_store, export_graph; from pathlib import Path;"
        f"sys.stdout.buffer.write(export_graph(load_store(Settings(cache_dir=Path({str(settings.cache_dir)!r}))), {fmt!r}))"
    )
    outputs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 10_000


# --- streaming: the same bytes as canonicalizing and sorting the whole dataset at once ---

USER_TURTLE = """\
@prefix kz: <https://w3id.org/kzgraph/ontology#> .
@prefix kzr: <https://w3id.org/kzgraph/resource/> .
@prefix ex: <https://example.org/notes/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

kzr:org-sco a kz:InternationalOrganization .
ex:note-1 rdfs:label "Looks like a blank node: _:b0, but is a literal"@en ;
    ex:about [ ex:says "same" ; ex:next [ ex:says "end" ] ] , [ ex:says "same" ; ex:next [ ex:says "end" ] ] .
ex:note-2 ex:ring _:r1 .
_:r1 ex:next _:r2 . _:r2 ex:next _:r3 . _:r3 ex:next _:r1 .
_:s1 ex:next _:s2 . _:s2 ex:next _:s3 . _:s3 ex:next _:s1 .
"""
"""Blank nodes a first-degree hash cannot tell apart (two equal nested nodes, two
three-node rings), a literal that contains ``_:``, and a triple the shipped data
also has (written once by the triple formats)."""


def whole_dataset_lines(store, graphs, *, keep_graphs: bool) -> bytes:
    """The reference: every quad canonicalized in one ox.Dataset, then sorted lines (the former export)."""
    dataset = ox.Dataset(q for g in graphs for q in store.quads(g))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    if keep_graphs:
        data = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS)
    else:
        data = ox.serialize({q.triple for q in dataset}, format=ox.RdfFormat.N_TRIPLES)
    return b"".join(sorted(set(data.splitlines(keepends=True))))


@pytest.fixture(scope="module")
def user_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("user")
    (folder / "notes.ttl").write_text(USER_TURTLE, encoding="utf-8")
    return load_store(Settings(cache_dir=folder / "cache", data=(folder / "notes.ttl",)))


def asserted_graphs(store, inferred=False):
    return [g for g in store.graph_names() if g != INFERRED_GRAPH] + ([INFERRED_GRAPH] if inferred else [])


@pytest.mark.parametrize("fmt", ["nquads", "nt"])
@pytest.mark.parametrize("which", ["shipped", "shipped-inferred", "user"])
def test_export_equals_canonicalizing_the_whole_dataset(store, user_store, which, fmt):
    chosen = user_store if which == "user" else store
    inferred = which == "shipped-inferred"
    expected = whole_dataset_lines(chosen, asserted_graphs(chosen, inferred), keep_graphs=fmt == "nquads")
    assert export_graph(chosen, fmt, inferred=inferred) == expected
    assert b"_:c14n" in expected


def test_user_blank_nodes_are_canonical_and_shared_triples_written_once(user_store):
    nquads = export_graph(user_store, "nquads").decode("utf-8")
    nt = export_graph(user_store, "nt").decode("utf-8")
    sco = "<https://w3id.org/kzgraph/resource/org-sco> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " \
          "<https://w3id.org/kzgraph/ontology#InternationalOrganization>"
    assert nquads.count(sco + " <") == 2 and nt.count(sco + " .\n") == 1
    assert '"Looks like a blank node: _:b0, but is a literal"@en' in nt
    assert "<https://example.org/notes/note-2> <https://example.org/notes/ring> _:c14n" in nt


@pytest.mark.parametrize("fmt", ["nquads", "nt", "turtle", "trig"])
def test_chunked_sort_gives_the_same_bytes_as_one_chunk(user_store, tmp_path, fmt):
    """Seven lines a chunk: about 700 sorted files, merged in two rounds."""
    whole, chunked = BytesIO(), BytesIO()
    write_export(user_store, whole, fmt, chunk_lines=10_000_000)
    write_export(user_store, chunked, fmt, chunk_lines=7, workdir=tmp_path)
    assert chunked.getvalue() == whole.getvalue()
    assert list(tmp_path.iterdir()) == [], "temporary files were left behind"


def test_a_failure_mid_way_removes_the_temporary_files(store, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "_merge", failing_after_some_lines(export._merge))
    with pytest.raises(ExportError, match="disk on fire"):
        write_export(store, BytesIO(), "nquads", workdir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def failing_after_some_lines(merge):
    def failing(*args, **kwargs):
        yield from islice(merge(*args, **kwargs), 100)
        raise ExportError("disk on fire")
    return failing


def test_a_failed_export_leaves_no_output_file(run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "_merge", failing_after_some_lines(export._merge))
    target = tmp_path / "graph.nq"
    code, out, err = run_cli("export", "--format", "nquads", "-o", str(target))
    assert (code, out, err) == (2, "", "kzgraph: disk on fire\n")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_keeps_the_previous_file(run_cli, tmp_path, monkeypatch):
    target = tmp_path / "graph.nq"
    target.write_bytes(b"the previous export\n")
    monkeypatch.setattr(export, "_merge", failing_after_some_lines(export._merge))
    assert run_cli("export", "--format", "nquads", "-o", str(target))[0] == 2
    assert target.read_bytes() == b"the previous export\n"
    assert list(tmp_path.iterdir()) == [target]


def test_export_into_a_missing_folder_is_a_clear_error(run_cli, tmp_path):
    code, _, err = run_cli("export", "-o", str(tmp_path / "no-such-folder" / "graph.ttl"))
    assert code == 2
    assert err.startswith(f"kzgraph: cannot write {tmp_path / 'no-such-folder' / 'graph.ttl'}: ")


def test_export_to_stdout_equals_export_to_a_file(run_cli, tmp_path):
    code, out, _ = run_cli("export", "--format", "trig")
    assert code == 0
    assert run_cli("export", "--format", "trig", "-o", str(tmp_path / "graph.trig"))[0] == 0
    assert out == (tmp_path / "graph.trig").read_text(encoding="utf-8")
