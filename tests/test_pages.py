"""The pages over plain HTTP: negotiation, labels, provenance, search, class
pages, the ontology page, the source reader and its Web Annotations, the
timeline, downloads and error pages."""

from __future__ import annotations

import re
from importlib import resources as package_files

import pyoxigraph as ox
import pytest

from kzgraph.annotations import Citation, annotate, sentence_spans
from kzgraph.errors import LoadError
from kzgraph.namespaces import KZ, KZR, PREFIXES
from kzgraph.web.dates import XSD, describe_date, span

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
TCA = "https://timesca.com/tokayev-at-the-un-underscores-kazakhstans-new-diplomacy/"


def html(client, path: str) -> tuple[int, str]:
    response = client.get(path, headers=HTML)
    assert response.mimetype == "text/html"
    return response.status_code, response.get_data(as_text=True)


# --- dates ---------------------------------------------------------------------

@pytest.mark.parametrize(("value", "datatype", "text"), [
    ("2025-06-17", "date", "17 June 2025"), ("2025-08", "gYearMonth", "August 2025"),
    ("2025", "gYear", "2025"), ("--03-26", "gMonthDay", "26 March"), ("soon", "date", None),
])
def test_dates_are_written_at_their_precision(value, datatype, text):
    assert describe_date(value, XSD + datatype) == text


def test_a_month_spans_its_days_and_a_day_of_every_year_needs_a_year():
    from datetime import date

    assert span("2024-02", XSD + "gYearMonth") == (date(2024, 2, 1), date(2024, 2, 29))
    assert span("--03-26", XSD + "gMonthDay") is None


# --- the query page ------------------------------------------------------------

def test_query_page_groups_examples_and_marks_those_needing_the_internet(client):
    status, page = html(client, "/")
    assert status == 200
    assert "<h3>Federated</h3>" in page
    assert re.search(r'data-name="federated-state-populations"[^>]*>[^<]+</button> <span class="badge">needs the internet',
                     page)
    assert not re.search(r'data-name="visits"[^>]*>[^<]+</button> <span class="badge">', page)
    assert 'role="status" aria-live="polite"' in page
    assert '<label for="query">' in page


def test_query_page_loads_the_editor_from_this_server_only(client):
    _, page = html(client, "/")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/vendor/codemirror/codemirror.js" in sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    with client.get("/static/vendor/codemirror/sparql.js") as response:
        assert response.status_code == 200


def test_the_installed_package_ships_the_editor():
    folder = package_files.files("kzgraph.web") / "static" / "vendor" / "codemirror"
    for name in ("codemirror.js", "codemirror.css", "sparql.js", "matchbrackets.js", "LICENSE"):
        assert (folder / name).is_file(), name
    assert "CodeMirror.defineMode(\"sparql\"" in (folder / "sparql.js").read_text(encoding="utf-8")


def test_every_download_format_offered_is_one_the_endpoint_writes(client):
    from kzgraph.web.pages import DOWNLOADS

    queries = {"results": "SELECT ?s WHERE { ?s a kz:State } LIMIT 2",
               "graph": "CONSTRUCT { ?s a kz:State } WHERE { ?s a kz:State } LIMIT 2"}
    expected = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
                "tsv": "text/tab-separated-values", "turtle": "text/turtle", "nt": "application/n-triples",
                "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml", "nquads": "application/n-quads",
                "trig": "application/trig"}
    for kind, formats in DOWNLOADS.items():
        for name, _label, _extension in formats:
            response = client.get("/sparql", query_string={"query": queries[kind], "format": name})
            assert (response.status_code, response.mimetype) == (200, expected[name]), name


def test_labels_for_the_results_table(client):
    labels = client.get("/labels.json").get_json()
    assert labels[KZR + "person-tokayev"] == "Kassym-Jomart Tokayev"
    assert labels[KZ + "chair"] == "chair"


# --- ontology ------------------------------------------------------------------

def test_ontology_is_html_for_a_browser_and_turtle_otherwise(client):
    status, page = html(client, "/ontology")
    assert status == 200 and '<section class="term" id="Meeting">' in page
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle"
    assert client.get("/ontology").mimetype == "text/turtle"  # */* is no browser
    assert client.get("/ontology?format=jsonld", headers=HTML).mimetype == "application/ld+json"


def test_ontology_page_has_every_term_with_definition_alignment_and_count(client, store):
    _, page = html(client, "/ontology")
    terms = {row["t"].value[len(KZ):] for row in store.select(
        "SELECT ?t WHERE { GRAPH <https://w3id.org/kzgraph/graph/ontology> { ?t a ?k } "
        "VALUES ?k { owl:Class owl:ObjectProperty owl:DatatypeProperty } FILTER STRSTARTS(STR(?t), STR(kz:)) }")}
    assert len(terms) > 50
    anchors = set(re.findall(r'<section class="term" id="([^"]+)">', page))
    assert anchors == terms
    person = page.split('id="Person">', 1)[1].split("</section>", 1)[0]
    assert "A human being" in person or "skos:definition" not in person
    assert re.search(r"<dt>exact match</dt><dd><a href=\"http://www.wikidata.org/entity/Q5\"", person)
    people = len(store.select("SELECT DISTINCT ?x WHERE { ?x a kz:Person }"))
    assert f'<a href="/class/Person">{people}</a>' in person


# --- resources -----------------------------------------------------------------

def test_resource_page_labels_properties_and_links_types_to_the_ontology(client):
    _, page = html(client, "/resource/person-tokayev")
    assert '<a href="/ontology#Person" title="kz:Person">person</a>' in page
    assert 'title="kz:holdsOffice">holds office</a>' in page
    assert ">kz:holdsOffice<" not in page


def test_sources_are_cited_by_title_outlet_date_and_genre_and_link_to_the_reader(client):
    _, page = html(client, "/resource/event-2025-06-17-china-central-asia-summit")
    assert ('<cite><a href="/source/astanatimes-kazakhstan-wraps-up-2025">Kazakhstan Wraps Up 2025: Key International '
            'Engagements and Global Initiatives</a></cite>, The Astana Times, December 2025 '
            '<span class="muted">(year in review)</span>') in page


def test_a_claim_is_boxed_as_a_claim_by_its_source(client):
    _, page = html(client, "/resource/claim-tca-ascent")
    assert ('<div class="box" id="claim"><strong>Claim by <a href="/resource/org-the-times-of-central-asia" '
            'title="kzr:org-the-times-of-central-asia">The Times of Central Asia</a>, in <cite>'
            '<a href="/source/timesca-tokayev-at-the-un">Tokayev at the UN Underscores Kazakhstan’s New Diplomacy</a>'
            '</cite></strong>') in page


def test_referenced_by_keeps_claims_apart_from_facts(client, store):
    _, page = html(client, "/resource/country-KAZ")
    facts = page.split('id="referenced-facts"', 1)[1].split("</table>", 1)[0]
    claims = page.split('id="referenced-claims"', 1)[1].split("</details>", 1)[0]
    claim_keys = {row["c"].value[len(KZR):] for row in store.select(
        "SELECT DISTINCT ?c WHERE { ?c a kz:Claim ; ?p kzr:country-KAZ }")}
    assert claim_keys
    assert all(f'/resource/{key}"' in claims for key in claim_keys)
    assert not any(f'/resource/{key}"' in facts for key in claim_keys)
    assert 'href="/resource/event-2025-astana-international-forum"' in facts


def test_inferred_statements_are_folded_away(client):
    _, page = html(client, "/resource/person-tokayev")
    statements, inferred = page.split('<details id="inferred">', 1)
    assert "participant in" not in statements.split("<h2>Statements</h2>", 1)[1]
    assert "Inferred by OWL RL" in inferred


def test_unknown_resource_is_an_html_404_for_browsers(client):
    status, page = html(client, "/resource/no-such-thing")
    assert status == 404
    assert "<h1>No such resource</h1>" in page and 'id="site-search"' in page
    assert html(client, "/resource/a%20b%3E")[0] == 404


# --- search and classes ----------------------------------------------------------

def test_search_matches_word_prefixes_without_case_or_diacritics(client):
    _, page = html(client, "/search?q=antonio+GUTER")
    assert "António Guterres" in page
    assert html(client, "/search?q=uterres")[1].count("<li>") == 0  # not a substring match


def test_search_groups_results_by_class(client):
    _, page = html(client, "/search?q=tokayev")
    groups = dict(re.findall(r'<section class="group">\s*<h2><a href="/class/\w+">([^<]+)</a></h2>\s*<ul>(.*?)</ul>',
                             page, re.S))
    assert "Kassym-Jomart Tokayev" in groups["person"]
    assert "Tokayev at the UN Underscores" in groups["source article"]


def test_class_page_lists_instances_including_inferred(client):
    status, page = html(client, "/class/Meeting")
    assert status == 200
    assert 'href="/resource/event-2025-06-17-china-central-asia-summit"' in page  # a kz:Summit
    assert html(client, "/class/NoSuchClass")[0] == 404


# --- the source reader and its annotations --------------------------------------

def test_annotations_locate_every_citation_in_its_text(client, store, settings):
    from kzgraph import resources

    text = (resources.project_root(settings) / "sources" / "timesca-tokayev-at-the-un.txt").read_text(encoding="utf-8")
    page = client.get("/source/timesca-tokayev-at-the-un/annotations")
    assert page.mimetype == "application/ld+json"
    items = page.get_json()["items"]
    citations = store.select("SELECT DISTINCT ?a ?r ?q WHERE { ?r kz:citation [ kz:quote ?q ; kz:sourceArticle ?a ] "
                             "FILTER isIRI(?r) }", a=ox.NamedNode(TCA))
    assert len(items) == len(citations)
    assert {(i["body"], i["target"]["selector"][0]["exact"]) for i in items} == {
        (row["r"].value, row["q"].value) for row in citations}
    for item in items:
        quote, position = item["target"]["selector"]
        assert item["target"]["source"] == TCA
        assert text[position["start"]:position["end"]] == quote["exact"]
        assert text[:position["start"]].endswith(quote["prefix"])
        assert text[position["end"]:].startswith(quote["suffix"])


def test_annotate_refuses_a_quote_not_in_the_text():
    with pytest.raises(LoadError, match="not in"):
        annotate({"urn:a": "Some text."}, [Citation("urn:r", "urn:a", "other words")])


def test_sentences_are_split_with_their_offsets():
    text = "Title\nOn Nov. 6, he spoke. “Yes,” she said!\n***\nEnd."
    assert [text[s:e] for s, e in sentence_spans(text)] == ["Title", "On Nov. 6, he spoke.", "“Yes,” she said!", "End."]


def test_source_reader_marks_quotes_and_uncovered_sentences(client):
    status, page = html(client, "/source/timesca-tokayev-at-the-un")
    assert status == 200
    assert "<h1>Tokayev at the UN Underscores Kazakhstan’s New Diplomacy</h1>" in page
    assert re.search(r'<mark class="depth\d"><a href="/resource/[^"]+" title="Cited by [^"]+">[^<]*Guterres', page)
    assert '<p class="cited-by muted">Cited by ' in page
    uncovered = re.findall(r'<span class="uncovered">([^<]+)</span>', page)
    assert "Astana has also made use of the UN Regional Centre..." in uncovered
    covered, total = map(int, re.search(r"(\d+) of (\d+) sentences are cited", page).groups())
    assert 0 < covered < total


def test_unknown_source_is_404(client):
    assert html(client, "/source/no-such-article")[0] == 404
    assert client.get("/source/no-such-article/annotations").status_code == 404


# --- timeline, errors, favicon ------------------------------------------------------

def test_timeline_draws_every_dated_resource_at_its_precision(client, store):
    _, page = html(client, "/timeline")
    dated = {row["x"].value[len(KZR):] for row in store.select(
        "SELECT DISTINCT ?x WHERE { GRAPH <https://w3id.org/kzgraph/graph/data> { ?x kz:date|kz:startDate|kz:plannedFor"
        "|kz:observedOn|kz:circulatedOn ?d } }")}
    drawn = set(re.findall(r'<a href="/resource/([^"]+)" aria-label=', page))
    assert drawn == dated
    assert "26 March (every year)" in page
    assert "17 September 2025 – 18 September 2025" in page


def test_timeline_filters_by_kind(client):
    _, page = html(client, "/timeline?kind=visit")
    kinds = set(re.findall(r"\(([^)]+)\): ", page.split('id="timeline-list"', 1)[1]))
    assert kinds == {"visit"}


def test_error_page_has_navigation_and_the_search_box(app):
    from kzgraph.web.pages import error_page

    with app.test_request_context("/anything"):
        response = error_page(410, "Gone", "It was here once.")
    page = response.get_data(as_text=True)
    assert response.status_code == 410 and response.mimetype == "text/html"
    assert "<h1>Gone</h1>" in page and "It was here once." in page
    assert 'id="site-search"' in page and 'href="/timeline"' in page


def test_favicon(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert response.get_data(as_text=True).startswith("<svg")


def test_a_reference_layer_statement_is_marked_as_such(settings, tmp_path):
    """A statement only in the reference graph carries a "reference" mark; curated ones do not."""
    from kzgraph.store import KnowledgeStore
    from kzgraph.web import close_app, create_app

    graph = lambda name: ox.NamedNode(f"https://w3id.org/kzgraph/graph/{name}")  # noqa: E731
    thing, label = ox.NamedNode(KZR + "thing"), ox.NamedNode(PREFIXES["rdfs"] + "label")
    population = ox.NamedNode(KZ + "population")
    raw = ox.Store(str(tmp_path / "store"))
    raw.add(ox.Quad(thing, label, ox.Literal("A thing", language="en"), graph("data")))
    raw.add(ox.Quad(thing, population, ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")), graph("reference")))
    raw.flush()
    del raw
    app = create_app(settings.replace(workers=1), store=KnowledgeStore.open(tmp_path / "store"))
    try:
        page = app.test_client().get("/resource/thing", headers=HTML).get_data(as_text=True)
    finally:
        close_app(app)
    assert re.search(r'<span title="xsd:integer">42</span> <span class="badge">reference</span>', page)
    assert page.count('<span class="badge">reference</span>') == 1  # the curated label carries none


def test_a_statement_that_is_a_reading_is_marked_as_such(client):
    """The 2027 AI conference is placed in Kazakhstan (from "hosting") and addressed to the SCO by
    readings; nothing else said of it is one."""
    page = client.get("/resource/proposal-2025-sco-ai-conference-2027", headers=HTML).get_data(as_text=True)
    assert re.search(r'>Kazakhstan</a> <span class="badge">reading</span>', page)
    assert re.search(r'>SCO</a> <span class="badge">reading</span>', page)
    assert page.count('<span class="badge">reading</span>') == 2
