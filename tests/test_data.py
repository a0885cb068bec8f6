"""The curated data against its sources: quotes and readings are the articles' words,
date bounds are never curated, and the reference layer cites evidence, not articles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kzgraph import resources
from kzgraph.config import Settings

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO / "sources"


def article_texts() -> dict[str, str]:
    """Article page IRI → its stored text, from the table of sources/README.md."""
    table = (SOURCES / "README.md").read_text(encoding="utf-8")
    pairs = re.findall(r"^\| `([^`]+\.txt)` \| [^|]+ \| (https://\S+) \|", table, flags=re.MULTILINE)
    assert len(pairs) == 2
    return {iri: (SOURCES / name).read_text(encoding="utf-8") for name, iri in pairs}


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return article_texts()


def test_every_quote_is_the_articles_words_character_for_character(plain_store, texts):
    rows = plain_store.select("SELECT ?q ?a WHERE { ?c kz:quote ?q ; kz:sourceArticle ?a }")
    assert len(rows) == 138
    wrong = [(r["a"].value, r["q"].value) for r in rows if r["q"].value not in texts[r["a"].value]]
    assert not wrong


def test_every_reading_is_read_from_the_articles_words(plain_store, texts):
    rows = plain_store.select("SELECT ?r ?w ?a WHERE { ?r a kz:Reading ; kz:fromWords ?w ; kz:inArticle ?a }")
    assert len(rows) >= 40
    wrong = [r["r"].value for r in rows if r["w"].value not in texts[r["a"].value]]
    assert not wrong


def test_every_reading_names_a_statement_of_the_data(plain_store):
    assert plain_store.select("""
        SELECT ?r WHERE { ?r a kz:Reading ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o
          FILTER NOT EXISTS { GRAPH <https://w3id.org/kzgraph/graph/data> { ?s ?p ?o } } }""") == []


@pytest.mark.parametrize("statement", [
    "kzr:claim-tca-initiate-mediate kz:about kzr:org-eu",  # "Brussels"
    "kzr:proposal-2025-sco-ai-conference-2027 kz:location kzr:country-KAZ",  # "hosting"
    "kzr:proposal-2025-un-reform-package kz:proposedAt kzr:event-2025-unga80",
    "kzr:declaration-2025-astana-declaration-of-peace kz:adoptedAt kzr:event-2025-09-17-congress-of-religions",
    'kzr:declaration-2025-astana-declaration kz:date "2025-06-17"^^xsd:date',
    'kzr:treaty-2025-eternal-good-neighborliness kz:date "2025-06-17"^^xsd:date',
    "kzr:event-2025-06-17-china-central-asia-summit kz:participant kzr:country-CHN",  # "the leaders of China"
    "kzr:proposal-2025-sco-investment-office kz:addressedTo kzr:org-sco",
])
def test_the_known_readings_are_marked(plain_store, statement):
    s, p, o = statement.split(" ", 2)
    assert plain_store.ask(f"ASK {{ ?r a kz:Reading ; rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} }}")


def test_every_addressed_to_is_a_reading(plain_store):
    assert plain_store.select("""
        SELECT ?x ?y WHERE { GRAPH <https://w3id.org/kzgraph/graph/data> { ?x kz:addressedTo ?y }
          FILTER NOT EXISTS { ?r a kz:Reading ; rdf:subject ?x ; rdf:predicate kz:addressedTo ; rdf:object ?y } }""") == []


def test_date_bounds_are_never_curated():
    for path in resources.data_files(Settings()) + resources.reference_files(Settings()):
        text = path.read_text(encoding="utf-8")
        assert "kz:earliestDate" not in text and "kz:latestDate" not in text, path.name


def test_date_bounds_exist_without_reasoning(plain_store):
    rows = plain_store.select("""SELECT ?first ?last WHERE { GRAPH <https://w3id.org/kzgraph/graph/dates> {
        kzr:event-2025-08-guterres-visit-astana kz:earliestDate ?first ; kz:latestDate ?last } }""")
    assert [(r["first"].value, r["last"].value) for r in rows] == [("2025-08-01", "2025-08-31")]


def test_the_recurring_day_has_no_bounds_and_the_precise_values_stay(plain_store):
    assert not plain_store.ask("ASK { kzr:observance-international-day-aral-sea kz:earliestDate ?d }")
    assert plain_store.ask('ASK { kzr:event-2025-08-guterres-visit-astana kz:date "2025-08"^^xsd:gYearMonth }')


def test_the_reference_layer_cites_evidence_not_articles(plain_store):
    graph = "<https://w3id.org/kzgraph/graph/reference>"
    assert not plain_store.ask(f"ASK {{ GRAPH {graph} {{ ?s kz:citation ?c }} }}")
    uncited = plain_store.select(f"""SELECT DISTINCT ?s WHERE {{ GRAPH {graph} {{ ?s ?p ?o FILTER (isIRI(?s)) }}
        FILTER NOT EXISTS {{ GRAPH {graph} {{ ?s kz:referenceCitation ?c }} }} }}""")
    assert uncited == []


def test_the_reference_layer_names_the_five_central_asian_states(plain_store):
    rows = plain_store.select("""SELECT ?label WHERE { GRAPH <https://w3id.org/kzgraph/graph/reference> {
        ?state kz:memberOf kzr:group-central-asian-states } ?state rdfs:label ?label } ORDER BY ?label""")
    assert [r["label"].value for r in rows] == ["Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"]
    # The articles themselves list none of them.
    assert not plain_store.ask("ASK { GRAPH <https://w3id.org/kzgraph/graph/data> { ?s kz:memberOf ?g } }")


def test_every_city_lies_in_a_state(plain_store):
    assert plain_store.select("SELECT ?c WHERE { ?c a kz:City FILTER NOT EXISTS { ?c kz:country ?s } }") == []
    assert plain_store.ask("ASK { kzr:city-tianjin kz:country kzr:country-CHN }")
