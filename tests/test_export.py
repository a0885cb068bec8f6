"""Export: every format parses back to the same graph, and output is byte-identical across processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import rdflib
from rdflib.compare import isomorphic

from kzgraph.errors import ExportError
from kzgraph.export import EXPORT_FORMATS, export_graph
from kzgraph.interop import to_rdflib_graph
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
