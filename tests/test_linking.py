"""Wikidata links: every link in the graph has evidence and every piece of
evidence has its link; the coverage report counts the right things; the
suggestion client talks to a local fake of Wikidata's API, never the internet;
and with OWL RL the graph answers Wikidata-shaped queries."""

from __future__ import annotations

import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest

from kzgraph.errors import LinkError
from kzgraph.linking import (
    USER_AGENT,
    Candidate,
    Suggestion,
    link_report,
    read_link_table,
    render_suggestions_turtle,
    shorten,
    suggest_links,
    unlinked_labels,
)
from kzgraph.namespaces import DATA_GRAPH, KZ, KZR, WIKIDATA_DIRECT, WIKIDATA_ENTITY
from kzgraph.store import KnowledgeStore

REPO = Path(__file__).resolve().parent.parent
LINKS = REPO / "links" / "wikidata.tsv"
UNLINKED = REPO / "links" / "unlinked.tsv"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
MAPPINGS = {SKOS + "exactMatch", SKOS + "closeMatch"}
RDF_FILES = sorted((REPO / "data").glob("*.ttl")) + sorted((REPO / "ontology").glob("*.ttl"))

ADDRESS_KINDS = "kz:State kz:Organization kz:Office kz:Person kz:Place".split()


def triples(path: Path) -> list[ox.Triple]:
    return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def wikidata_links(paths) -> set[tuple[str, str, str]]:
    """(subject CURIE, predicate, Wikidata id) for every link to Wikidata in ``paths``."""
    found = set()
    for path in paths:
        for t in triples(path):
            obj = t.object.value if isinstance(t.object, ox.NamedNode) else ""
            if t.predicate.value in MAPPINGS and obj.startswith(WIKIDATA_ENTITY):
                found.add((shorten(t.subject.value), t.predicate.value, obj[len(WIKIDATA_ENTITY):]))
            elif t.predicate.value == RDFS + "subPropertyOf" and obj.startswith(WIKIDATA_DIRECT):
                found.add((shorten(t.subject.value), t.predicate.value, obj[len(WIKIDATA_DIRECT):]))
    return found


@pytest.fixture(scope="module")
def links():
    table = read_link_table(LINKS)
    assert len(table) >= 30  # a wrong path must not pass vacuously
    return table


def unlinked_resources() -> set[str]:
    lines = UNLINKED.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "resource\treason"
    rows = [line.split("\t") for line in lines[1:] if line.strip()]
    assert all(len(row) == 2 and row[1].strip() for row in rows), "every unlinked resource needs a reason"
    return {row[0] for row in rows}


# ------------------------------------------------ (i) links and evidence agree


def test_every_resource_row_is_an_exact_match_in_data_wikidata_ttl(links):
    in_data = wikidata_links([REPO / "data" / "wikidata.ttl"])
    for link in links:
        if link.resource.startswith("kzr:"):
            assert (link.resource, SKOS + "exactMatch", link.wikidata_id) in in_data, link


def test_every_ontology_row_is_a_skos_mapping_in_alignments_ttl(links):
    in_ontology = wikidata_links([REPO / "ontology" / "alignments.ttl"])
    for link in links:
        if link.resource.startswith("kz:"):
            assert any((link.resource, p, link.wikidata_id) in in_ontology for p in MAPPINGS), link


def test_every_link_in_the_graph_has_a_row_of_evidence(links):
    evidence = {(link.resource, link.wikidata_id) for link in links}
    found = wikidata_links(RDF_FILES)
    assert found, "no links found: a wrong glob must not pass vacuously"
    missing = sorted((s, i) for s, _, i in found if (s, i) not in evidence)
    assert not missing, f"links without evidence in {LINKS.name}: {missing}"


def test_every_row_of_evidence_has_its_link_in_the_graph(links):
    linked = {(s, i) for s, _, i in wikidata_links(RDF_FILES)}
    stray = sorted((link.resource, link.wikidata_id) for link in links if (link.resource, link.wikidata_id) not in linked)
    assert not stray, f"evidence for links that are not in data/ or ontology/: {stray}"


def test_sub_properties_of_wikidata_properties_mirror_a_skos_mapping():
    found = wikidata_links([REPO / "ontology" / "alignments.ttl"])
    for subject, predicate, pid in found:
        if predicate == RDFS + "subPropertyOf":
            assert any((subject, p, pid) in found for p in MAPPINGS), (subject, pid)


def test_the_link_table_is_sorted_by_resource(links):
    keys = [(link.resource, link.wikidata_id) for link in links]
    assert keys == sorted(keys)


# ------------------------------------------------------- (ii) the evidence


def test_evidence_is_on_https_and_quotes_the_number_of_the_id(links):
    for link in links:
        assert link.evidence_url.startswith("https://"), link
        number = link.wikidata_id[1:]
        assert re.search(rf"(?<!\d){number}(?!\d)", link.evidence_excerpt), link


# ------------------------------------------------------- (iii) canonical IRIs


def test_links_use_wikidatas_canonical_entity_iris():
    for path in RDF_FILES:
        for t in triples(path):
            for term in (t.subject, t.predicate, t.object):
                if isinstance(term, ox.NamedNode) and "wikidata.org" in term.value:
                    assert term.value.startswith((WIKIDATA_ENTITY, WIKIDATA_DIRECT)), (path.name, term)
                    assert re.fullmatch(r"[PQ][1-9][0-9]*", term.value.rsplit("/", 1)[1]), (path.name, term)


def test_nothing_is_owl_same_as_a_wikidata_entity():
    for path in RDF_FILES:
        for t in triples(path):
            if t.predicate.value == "http://www.w3.org/2002/07/owl#sameAs":
                assert "wikidata.org" not in t.object.value, (path.name, t)


def test_data_wikidata_ttl_links_only_kzgraph_resources_by_exact_match():
    for t in triples(REPO / "data" / "wikidata.ttl"):
        assert t.subject.value.startswith(KZR), t
        assert t.predicate.value == SKOS + "exactMatch", t
        assert t.object.value.startswith(WIKIDATA_ENTITY + "Q"), t


# --------------------------------------------- (iv) linked or listed as not


def test_no_resource_is_both_linked_and_unlinked(links):
    both = {link.resource for link in links} & unlinked_resources()
    assert not both


def test_every_state_organization_office_person_and_place_is_linked_or_listed(plain_store, links):
    accounted = {link.resource for link in links} | unlinked_resources()
    rows = plain_store.select(
        "SELECT DISTINCT ?x WHERE { ?x a ?t . ?t rdfs:subClassOf* ?kind "
        f"VALUES ?kind {{ {' '.join(ADDRESS_KINDS)} }} FILTER(STRSTARTS(STR(?x), STR(kzr:))) }}"
    )
    resources = {shorten(row["x"].value) for row in rows}
    assert {"kzr:country-KAZ", "kzr:org-akorda", "kzr:sea-aral"} <= resources
    assert not sorted(resources - accounted)


def test_unlinked_resources_exist_in_the_data(plain_store):
    for curie in unlinked_resources():
        assert plain_store.ask(f"ASK {{ {curie} ?p ?o }}"), curie


# ------------------------------------------------------- (v) the link report


def test_link_report_on_the_shipped_graph(store, links):
    report = link_report(store)
    by_name = {c.name: c for c in report.classes}
    assert KZR + "country-KAZ" in by_name["states"].linked
    assert KZR + "person-tokayev" in by_name["people"].linked
    assert KZR + "person-nazarbayev" in by_name["people"].unlinked
    assert KZR + "org-akorda" in by_name["organizations"].unlinked
    assert KZR + "building-white-house" in by_name["places"].linked
    assert KZR + "event-2025-unga80" in by_name["meetings"].unlinked
    assert not by_name["states"].unlinked  # every state the sources name is linked
    assert {shorten(iri) for iri in report.linked} == {link.resource for link in links if link.resource.startswith("kzr:")}
    percent = round(100 * len(report.linked) / report.total)
    assert report.text.startswith(f"Linked {len(report.linked)} of {report.total} resources ({percent}%)\n")
    assert "\n  kzr:org-akorda  (organizations)" in report.text


def test_link_report_counts_a_tiny_graph_exactly():
    ttl = f"""
    @prefix kz: <{KZ}> . @prefix kzr: <{KZR}> .
    @prefix rdfs: <{RDFS}> . @prefix skos: <{SKOS}> .
    kz:State rdfs:subClassOf kz:Place .
    kzr:a a kz:State ; skos:exactMatch <{WIKIDATA_ENTITY}Q1> .
    kzr:b a kz:Person ; skos:exactMatch <https://example.org/not-wikidata> ; rdfs:label "B"@en .
    kzr:c a kz:Person ; rdfs:label "C"@en .
    """
    raw = ox.Store()
    for t in ox.parse(ttl.encode(), format=ox.RdfFormat.TURTLE):
        raw.add(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(DATA_GRAPH)))
    store = KnowledgeStore(raw)
    report = link_report(store)
    by_name = {c.name: c for c in report.classes}
    assert by_name["places"].linked == (KZR + "a",)  # kz:State is a kz:Place here
    assert by_name["people"].unlinked == (KZR + "b", KZR + "c")  # a non-Wikidata match does not count
    assert report.text.splitlines()[0] == "Linked 1 of 3 resources (33%)"
    assert "  people         0 of 2  (0%)" in report.text.splitlines()
    assert unlinked_labels(store, report) == {"kzr:b": "B", "kzr:c": "C"}


# -------------------------------------------- the link table's error messages


@pytest.mark.parametrize(
    "row, problem",
    [
        ("kzr:x\tQ1\thttps://example.org/a", "expected 4 tab-separated fields"),
        ("kzr:x\t232\thttps://example.org/a\t232", "'232' is not a Wikidata id"),
        ("kzr:x\tQ0\thttps://example.org/a\tQ0", "'Q0' is not a Wikidata id"),
        ("kzr:x\tQ1\thttp://example.org/a\tQ1", "does not start with https://"),
        ("country-KAZ\tQ232\thttps://example.org/a\tQ232", "is not a kz: or kzr: CURIE"),
        ("kzr:x\tQ1\thttps://example.org/a\t ", "empty field"),
    ],
)
def test_a_malformed_row_names_the_file_and_line(tmp_path, row, problem):
    path = tmp_path / "links.tsv"
    good = "kzr:y\tQ2\thttps://example.org/b\tQ2"
    path.write_text(f"resource\twikidata_id\tevidence_url\tevidence_excerpt\n{good}\n{row}\n", encoding="utf-8")
    with pytest.raises(LinkError, match=re.escape(f"{path}:3: ") + ".*" + re.escape(problem)):
        read_link_table(path)


def test_a_wrong_header_or_a_missing_file_is_a_link_error(tmp_path):
    path = tmp_path / "links.tsv"
    path.write_text("resource\tid\n", encoding="utf-8")
    with pytest.raises(LinkError, match=re.escape(f"{path}:1: expected the header")):
        read_link_table(path)
    with pytest.raises(LinkError, match="cannot read the link table"):
        read_link_table(tmp_path / "missing.tsv")


def test_a_repeated_link_is_refused(tmp_path):
    path = tmp_path / "links.tsv"
    row = "kzr:y\tQ2\thttps://example.org/b\tQ2"
    path.write_text(f"resource\twikidata_id\tevidence_url\tevidence_excerpt\n{row}\n{row}\n", encoding="utf-8")
    with pytest.raises(LinkError, match=":3: kzr:y Q2 is listed twice"):
        read_link_table(path)


# ------------------------------------- (vi) suggestions from a fake Wikidata


CANNED = {
    "Aral Sea": {
        "searchinfo": {"search": "Aral Sea"},
        "search": [
            {"id": "Q101", "label": "Aral Sea", "description": "endorheic lake in Central Asia"},
            {"id": "Q102", "label": "North Aral Sea", "description": "lake"},
            {"id": "not-an-id", "label": "junk"},
        ],
        "success": 1,
    },
    "Nowhere": {"searchinfo": {"search": "Nowhere"}, "search": [], "success": 1},
}


@pytest.fixture
def fake_wikidata(monkeypatch):
    """A local HTTP server answering wbsearchentities with canned JSON; yields (api URL, requests seen)."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    seen: list[tuple[dict[str, list[str]], str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            query = parse_qs(urlsplit(self.path).query)
            seen.append((query, self.headers.get("User-Agent", "")))
            term = query.get("search", [""])[0]
            if term == "broken":
                body, status = b"oops", 500
            else:
                body, status = json.dumps(CANNED.get(term, {"search": []})).encode(), 200
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/w/api.php", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_suggest_links_asks_wbsearchentities_and_parses_the_candidates(fake_wikidata):
    api, seen = fake_wikidata
    suggestions = suggest_links({"kzr:sea-aral": "Aral Sea", KZR + "region-nowhere": "Nowhere"}, api_url=api, timeout=5)
    assert suggestions == [
        Suggestion("kzr:region-nowhere", "Nowhere", ()),
        Suggestion(
            "kzr:sea-aral",
            "Aral Sea",
            (
                Candidate("Q101", "Aral Sea", "endorheic lake in Central Asia"),
                Candidate("Q102", "North Aral Sea", "lake"),
            ),
        ),
    ]
    query, agent = next((q, a) for q, a in seen if q["search"] == ["Aral Sea"])
    assert query == {
        "action": ["wbsearchentities"],
        "search": ["Aral Sea"],
        "language": ["en"],
        "format": ["json"],
        "limit": ["3"],
    }
    assert agent == USER_AGENT and agent.startswith("kzgraph/")


def test_suggestions_render_as_commented_out_turtle_that_asserts_nothing(fake_wikidata):
    api, _ = fake_wikidata
    text = render_suggestions_turtle(suggest_links({"kzr:sea-aral": "Aral Sea"}, api_url=api, timeout=5))
    assert "# kzr:sea-aral skos:exactMatch wd:Q101 .  # Aral Sea — endorheic lake in Central Asia" in text.splitlines()
    assert "# kzr:sea-aral skos:exactMatch wd:Q102 .  # North Aral Sea — lake" in text.splitlines()
    assert "not-an-id" not in text
    assert list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)) == []
    uncommented = text.replace("# kzr:sea-aral skos:exactMatch wd:Q101 .", "kzr:sea-aral skos:exactMatch wd:Q101 .")
    assert [str(t) for t in ox.parse(uncommented.encode(), format=ox.RdfFormat.TURTLE)] == [
        f"<{KZR}sea-aral> <{SKOS}exactMatch> <{WIKIDATA_ENTITY}Q101>"
    ]


def test_a_resource_without_candidates_says_so():
    text = render_suggestions_turtle([Suggestion("kzr:region-nowhere", "Nowhere", ())])
    assert "# kzr:region-nowhere \"Nowhere\"\n#   (Wikidata's search found nothing)" in text


def test_an_error_status_from_the_api_is_a_link_error(fake_wikidata):
    api, _ = fake_wikidata
    with pytest.raises(LinkError, match="answered HTTP 500 for 'broken'"):
        suggest_links({"kzr:x": "broken"}, api_url=api, timeout=5)


# ------------------------------------------------------------ (vii) offline


def test_an_unreachable_api_is_a_clear_link_error(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with socket.socket() as sock:  # find a port, then close it so nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api = f"http://127.0.0.1:{port}/w/api.php"
    with pytest.raises(LinkError, match=re.escape(f"cannot reach the Wikidata API at {api}: ")):
        suggest_links({"kzr:sea-aral": "Aral Sea"}, api_url=api, timeout=2)


# ------------------------------------ (viii) the Wikidata-shaped view, reasoned


def test_summit_participants_answer_to_wdt_p710(store):
    rows = store.select("SELECT ?p WHERE { kzr:event-2025-11-06-c5-plus-1-summit wdt:P710 ?p }")
    participants = {shorten(row["p"].value) for row in rows}
    assert {"kzr:person-tokayev", "kzr:country-USA", "kzr:group-central-asian-states"} <= participants


def test_summit_date_answers_to_wdt_p585(store):
    rows = store.select("SELECT ?d WHERE { kzr:event-2025-11-06-c5-plus-1-summit wdt:P585 ?d }")
    assert [row["d"] for row in rows] == [ox.Literal("2025-11-06", datatype=XSD_DATE)]


def test_sub_properties_reach_the_wikidata_property_too(store):
    # kz:chair is a sub-property of kz:participant, so the chair is a wdt:P710 participant.
    assert store.ask("ASK { kzr:event-2025-06-17-china-central-asia-summit wdt:P710 kzr:person-tokayev }")
    assert store.ask("ASK { kzr:person-tokayev wdt:P39 kzr:office-president-of-kazakhstan }")
    assert store.ask("ASK { kzr:person-tokayev wdt:P1344 kzr:event-2025-11-06-c5-plus-1-summit }")


def test_close_matches_do_not_leak_into_the_wikidata_view(store):
    # A proposal's planned location is not a Wikidata "location" (P276), so kz:location is only a close match.
    assert not store.ask("ASK { ?x wdt:P276 ?y }")
    assert not store.ask("ASK { ?x wdt:P463 ?y }")


# ------------------------------------------------------------- the CLI


def test_link_command_reports_coverage_by_class(run_cli):
    code, out, _ = run_cli("link")
    assert code == 0
    assert re.match(r"Linked \d+ of \d+ resources \(\d+%\)\n", out)
    assert "  states         11 of 11  (100%)" in out
    assert "kzr:org-akorda" in out  # listed as not linked


def test_link_suggest_prints_turtle_from_the_api(run_cli, fake_wikidata):
    api, seen = fake_wikidata
    code, out, _ = run_cli("link", "--suggest", "--api-url", api)
    assert code == 0
    assert any(query.get("search") == ["Aral Sea"] for query, _ in seen)
    assert "# kzr:sea-aral skos:exactMatch wd:Q101 ." in out


def test_link_suggest_offline_says_so_and_exits_2(run_cli):
    code, out, err = run_cli("link", "--suggest", "--api-url", "http://127.0.0.1:1/w/api.php")
    assert code == 2
    assert out == ""
    assert "cannot reach the Wikidata API at http://127.0.0.1:1/w/api.php" in err
