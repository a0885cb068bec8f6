"""The format registry and content negotiation over it, in process."""

from __future__ import annotations

import pytest

from kzgraph.errors import NotAcceptable
from kzgraph.formats import FORMATS, Kind, by_name, find, formats_for, formats_markdown, names
from kzgraph.negotiation import (
    _ranges,
    format_quality,
    negotiate,
    negotiate_or_refuse,
    not_acceptable_message,
    quality,
    wants_html,
)

# --- the registry ----------------------------------------------------------------------------------------


def test_formats_for_each_kind_in_the_order_of_preference():
    assert [f.name for f in formats_for(Kind.RESULTS)] == ["json", "xml", "csv", "tsv"]
    assert [f.name for f in formats_for(Kind.GRAPH)] == ["turtle", "nt", "jsonld", "rdfxml", "nquads", "trig"]
    assert [f.name for f in formats_for(Kind.DATASET)] == ["nquads", "trig", "turtle", "nt", "jsonld", "rdfxml"]


@pytest.mark.parametrize(("name", "kind", "expected"), [
    ("json", Kind.RESULTS, "json"),
    ("json", Kind.GRAPH, "jsonld"),
    ("json", Kind.DATASET, "jsonld"),
    ("xml", Kind.RESULTS, "xml"),
    ("xml", Kind.GRAPH, "rdfxml"),
    ("ttl", Kind.GRAPH, "turtle"),
    (" TTL\n", Kind.GRAPH, "turtle"),
    ("n-triples", Kind.DATASET, "nt"),
    ("text/csv", Kind.RESULTS, "csv"),
    ("Text/Tab-Separated-Values", Kind.RESULTS, "tsv"),
    ("application/json", Kind.GRAPH, "jsonld"),
    ("text/plain", Kind.GRAPH, "nt"),
    ("application/trig", Kind.GRAPH, "trig"),
    ("nq", Kind.GRAPH, "nquads"),
])
def test_find_reads_names_aliases_and_media_types(name, kind, expected):
    assert find(name, kind).name == expected


@pytest.mark.parametrize(("name", "kind"), [
    ("turtle", Kind.RESULTS), ("csv", Kind.GRAPH), ("text/html", Kind.RESULTS), ("", Kind.GRAPH),
    ("tur", Kind.GRAPH), ("json ld", Kind.GRAPH),
])
def test_find_of_no_format_of_that_kind_is_none(name, kind):
    assert find(name, kind) is None


def test_a_name_wins_over_an_alias_and_an_alias_over_a_media_type():
    # "xml" is the name of a result format, an alias of RDF/XML and a subtype nowhere;
    # "json" is an alias of JSON-LD, and its media type application/json is also JSON's.
    assert find("xml", Kind.RESULTS).name == "xml" and find("json", Kind.GRAPH).name == "jsonld"


def test_by_name_is_exact():
    assert by_name("trig").media_type == "application/trig"
    with pytest.raises(KeyError) as caught:
        by_name("ttl")
    assert caught.value.args == ("ttl",)


def test_names_of_every_kind():
    assert names() == tuple(f.name for f in FORMATS) and len(names()) == 10
    assert names(Kind.RESULTS) == ("json", "xml", "csv", "tsv")
    assert names(Kind.DATASET) == ("nquads", "trig")


def test_content_types_extensions_and_quads():
    assert by_name("turtle").content_type == "text/turtle; charset=utf-8"
    assert by_name("json").content_type == "application/sparql-results+json; charset=utf-8"
    assert by_name("jsonld").content_type == "application/ld+json"
    assert by_name("csv").filename("answer") == "answer.csv"
    assert by_name("rdfxml").filename("graph") == "graph.rdf"
    assert [f.name for f in FORMATS if f.holds_quads] == ["nquads", "trig"]


def test_the_readme_table_has_one_row_per_format():
    lines = formats_markdown().splitlines()
    assert lines[:2] == ["| name | format | media types | extension | for |", "| --- | --- | --- | --- | --- |"]
    assert lines[2] == ("| `json` | SPARQL JSON | `application/sparql-results+json`, `application/json` | `.srj` "
                        "| SELECT, ASK |")
    assert lines[6] == ("| `turtle`, `ttl` | Turtle | `text/turtle`, `application/x-turtle` | `.ttl` "
                        "| CONSTRUCT, DESCRIBE, export |")
    assert lines[10] == ("| `nquads`, `nq`, `n-quads` | N-Quads | `application/n-quads` | `.nq` "
                         "| CONSTRUCT, DESCRIBE, export (graphs kept apart) |")
    assert len(lines) == 2 + len(FORMATS) and formats_markdown().endswith("|\n")


# --- Accept ranges and qualities -------------------------------------------------------------------------

def test_ranges_drop_parameters_and_case_and_keep_quality():
    assert _ranges('Text/CSV; header=present, application/ld+json;profile="a;b";q=0.5, */*;q=0.1') == [
        ("text", "csv", 1.0), ("application", "ld+json", 0.5), ("*", "*", 0.1)]


@pytest.mark.parametrize("accept", [None, "", "garbage", "text", "/csv", "text/"])
def test_ranges_of_nothing_usable_are_empty(accept):
    assert _ranges(accept) == []


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/csv;q=0.3, text/*;q=0.6, */*;q=0.9", 0.3),
    ("*/*;q=0.9, text/*;q=0.6, text/csv;q=0.3", 0.3),
    ("text/*;q=0.6, */*;q=0.9", 0.6),
    ("*/*;q=0.9", 0.9),
    ("text/plain, image/*", 0.0),
    ("text/csv;q=0.2, text/csv;q=0.7", 0.7),
    ("text/csv;q=0", 0.0),
])
def test_the_most_specific_range_gives_the_quality(accept, expected):
    assert quality("text/csv", _ranges(accept)) == expected


def test_a_format_takes_the_quality_of_its_most_specifically_named_media_type():
    json = by_name("json")
    assert format_quality(json, _ranges("application/*;q=0.9, application/json;q=0.1")) == 0.1
    assert format_quality(json, _ranges("application/json;q=0.4, application/sparql-results+json;q=0.8")) == 0.8
    assert format_quality(json, _ranges("application/*;q=0.7")) == 0.7
    assert format_quality(json, _ranges("text/*")) == 0.0


# --- negotiate -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("accept", "kind", "expected"), [
    (None, Kind.RESULTS, "json"),
    ("", Kind.GRAPH, "turtle"),
    ("nonsense", Kind.DATASET, "nquads"),
    ("*/*", Kind.RESULTS, "json"),
    ("*/*", Kind.DATASET, "nquads"),
    ("text/*", Kind.RESULTS, "xml"),  # text/xml
    ("text/*", Kind.GRAPH, "turtle"),
    ("application/*", Kind.GRAPH, "turtle"),  # application/x-turtle
    ("application/*", Kind.RESULTS, "json"),
    ("text/csv;q=0.5, text/*;q=0.1", Kind.RESULTS, "csv"),
    ("text/tab-separated-values, text/csv", Kind.RESULTS, "csv"),
    ("text/tab-separated-values, text/csv;q=0.9", Kind.RESULTS, "tsv"),
    ("application/xml", Kind.RESULTS, "xml"),
    ("application/xml", Kind.GRAPH, "rdfxml"),
    ("text/plain", Kind.GRAPH, "nt"),
    ("application/trig, text/turtle;q=0.5", Kind.GRAPH, "trig"),
    ("text/turtle;q=0, */*", Kind.GRAPH, "nt"),
    ("text/turtle;q=0.001", Kind.GRAPH, "turtle"),
])
def test_negotiate_picks_the_best_acceptable_format(accept, kind, expected):
    assert negotiate(accept, kind).name == expected


@pytest.mark.parametrize(("accept", "kind"), [
    ("image/png", Kind.RESULTS), ("text/turtle", Kind.RESULTS), ("text/csv", Kind.GRAPH),
    ("*/*;q=0", Kind.GRAPH), ("text/csv;q=0, text/tab-separated-values;q=0", Kind.RESULTS),
    ("text/csv/", Kind.RESULTS), ("text/csv/x", Kind.RESULTS),
])
def test_negotiate_finds_nothing_acceptable(accept, kind):
    assert negotiate(accept, kind) is None


def test_a_requested_format_wins_over_accept_when_it_fits_the_kind():
    assert negotiate("text/csv", Kind.RESULTS, "xml").name == "xml"
    assert negotiate("image/png", Kind.GRAPH, "ttl").name == "turtle"
    assert negotiate("text/csv", Kind.RESULTS, "turtle").name == "csv"
    assert negotiate("text/csv", Kind.RESULTS, "").name == "csv"
    assert negotiate("image/png", Kind.RESULTS, "turtle") is None


def test_negotiate_or_refuse_names_every_acceptable_format():
    assert negotiate_or_refuse("text/csv", Kind.RESULTS).name == "csv"
    with pytest.raises(NotAcceptable) as caught:
        negotiate_or_refuse("image/png", Kind.RESULTS, "nope")
    assert str(caught.value) == (
        "no acceptable format for this SELECT or ASK result; acceptable: application/sparql-results+json, "
        "application/sparql-results+xml, text/csv, text/tab-separated-values")


def test_the_not_acceptable_message_of_each_kind():
    assert not_acceptable_message(Kind.GRAPH) == (
        "no acceptable format for this graph; acceptable: text/turtle, application/n-triples, application/ld+json, "
        "application/rdf+xml, application/n-quads, application/trig")
    assert not_acceptable_message(Kind.DATASET) == (
        "no acceptable format for this dataset; acceptable: application/n-quads, application/trig, text/turtle, "
        "application/n-triples, application/ld+json, application/rdf+xml")


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/html,application/xhtml+xml,*/*;q=0.8", True),
    ("text/html", True),
    ("text/*", False),
    ("*/*", False),
    (None, False),
    ("text/turtle, text/html;q=0.9", False),
    ("text/turtle;q=0.5, text/html;q=0.9", True),
    ("application/json", False),
])
def test_wants_html_only_when_html_beats_turtle(accept, expected):
    assert wants_html(accept) is expected
