"""The benchmark data generator: its output conforms to the shapes, covers the ontology, and depends only on the seed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kzgraph import Settings
from kzgraph.validate import validate_files

REPO = Path(__file__).resolve().parent.parent
KZ = "https://w3id.org/kzgraph/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def generate(path: Path, *, triples: int = 2000, seed: int = 1) -> Path:
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "--triples", str(triples),
                    "--seed", str(seed), "-o", str(path)], check=True, capture_output=True)
    return path


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("generated") / "sample.ttl")


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """A kzgraph root with the shipped ontology, shapes and queries and an empty data folder."""
    root = tmp_path_factory.mktemp("root")
    for folder in ("ontology", "shapes", "queries"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "data").mkdir()
    return root


def validate(root: Path, data: Path):
    shutil.copy(data, root / "data" / "generated.ttl")
    try:
        return validate_files(Settings(root=root))
    finally:
        (root / "data" / "generated.ttl").unlink()


def test_generated_data_conforms_to_the_shapes_on_its_own(root, sample):
    report = validate(root, sample)
    assert report.conforms, report.text


def test_the_validation_does_see_the_generated_data(root, sample, tmp_path):
    """A generated file with its citations' articles removed must fail: the conformance above is not vacuous."""
    broken = tmp_path / "broken.ttl"
    broken.write_text(sample.read_text(encoding="utf-8").replace(" ; kz:sourceArticle <", " ; kz:relatedTo <"),
                      encoding="utf-8")
    report = validate(root, broken)
    assert not report.conforms
    assert any(f.shape == "kzsh:CitationShape" and f.focus.startswith("kzr:gen-") for f in report.findings)


def test_generated_data_covers_the_ontology(sample):
    triples = list(ox.parse(path=str(sample), format=ox.RdfFormat.TURTLE))
    classes = {t.object.value.removeprefix(KZ) for t in triples if t.predicate.value.endswith("#type")}
    assert classes >= {
        "State", "City", "Region", "Office", "Person", "InternationalOrganization", "OrganizationBody", "StateGroup",
        "NewsOutlet", "SourceArticle", "Citation", "MeetingSeries", "Summit", "AssemblySession", "Address",
        "OfficialVisit", "Forum", "Congress", "Inauguration", "Cooperation", "Conflict", "Quantity", "Proposal",
        "Initiative", "Observance", "Declaration", "Treaty", "Resolution", "Agreement", "Claim",
    }
    datatypes = {t.object.datatype.value.removeprefix(XSD) for t in triples if isinstance(t.object, ox.Literal)}
    assert datatypes >= {"date", "gYearMonth", "gYear", "gMonthDay", "positiveInteger", "integer", "boolean"}


def test_the_size_asked_for_is_reached_and_barely_passed(sample):
    assert 2000 <= len(list(ox.parse(path=str(sample), format=ox.RdfFormat.TURTLE))) < 2000 + 300


def test_same_seed_same_bytes_other_seed_other_bytes(sample, tmp_path):
    assert generate(tmp_path / "again.ttl").read_bytes() == sample.read_bytes()
    assert generate(tmp_path / "other.ttl", seed=2).read_bytes() != sample.read_bytes()


def test_n_triples_and_turtle_hold_the_same_graph(sample, tmp_path):
    nt = generate(tmp_path / "sample.nt")
    assert not nt.read_text(encoding="utf-8").startswith("@prefix")

    def named_only(path: Path) -> set[str]:
        return {str(t) for t in ox.parse(path=str(path)) if not isinstance(t.subject, ox.BlankNode)
                and not isinstance(t.object, ox.BlankNode)}

    assert named_only(nt) == named_only(sample)
    assert len(list(ox.parse(path=str(nt)))) == len(list(ox.parse(path=str(sample))))
