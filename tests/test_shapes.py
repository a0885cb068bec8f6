"""Each SHACL shape catches what it is meant to catch.

Every file in shapes/invalid/ is named <Shape>--<rule>.ttl and breaks one
rule; validated together with the shipped data, it must be reported by that
shape, on its own resource, and nothing else may be reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH

from kzgraph import resources
from kzgraph.config import Settings
from kzgraph.interop import to_rdflib_graph
from kzgraph.loader import parse_rdf_files
from kzgraph.namespaces import KZSH
from kzgraph.validate import validate_files

INVALID = sorted((Path(__file__).parent / "shapes" / "invalid").glob("*.ttl"))


def shape_names() -> set[str]:
    shapes = to_rdflib_graph(parse_rdf_files(resources.shape_files(Settings())))
    return {str(s)[len(KZSH):] for s in shapes.subjects(rdflib.RDF.type, SH.NodeShape)}


def test_every_shape_has_a_failing_fixture():
    assert len(INVALID) >= 20
    covered = {path.stem.split("--")[0] for path in INVALID}
    assert shape_names() - covered == set()


def test_fixtures_name_real_shapes():
    assert {path.stem.split("--")[0] for path in INVALID} <= shape_names()


def test_shipped_data_conforms(settings):
    report = validate_files(settings)
    assert report.conforms, report.text


@pytest.fixture(scope="module")
def shipped_subjects(plain_store) -> set[str]:
    from kzgraph.results import compact

    return {compact(row["s"]) for row in plain_store.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER isIRI(?s) }")}


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_broken_fixture_trips_its_shape(settings, shipped_subjects, case):
    report = validate_files(settings, [case])
    assert not report.conforms
    expected = "kzsh:" + case.stem.split("--")[0]
    shapes = {finding.shape for finding in report.findings}
    assert expected in shapes, report.text
    # Reported on the fixture's own resources, never on a shipped one (the shipped data conforms).
    assert not {f.focus.split(" ")[0] for f in report.findings} & shipped_subjects, report.text
