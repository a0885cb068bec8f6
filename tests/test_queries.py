"""Every example query parses, returns rows, and gives the answer a reader of
the two articles expects (derived from the texts, not from running the query)."""

from __future__ import annotations

import pytest

from kzgraph import resources
from kzgraph.config import Settings
from kzgraph.errors import QueryError, UnknownQuery
from kzgraph.queries import find_query, read_all_queries, read_query
from kzgraph.results import compact


QUERIES = sorted(resources.queries_dir(Settings()).glob("*.rq"))
OFFLINE = [p for p in QUERIES if "federated" not in read_query(p).tags]  # federated ones: test_federation.py
TIMESCA = "https://timesca.com/tokayev-at-the-un-underscores-kazakhstans-new-diplomacy/"


def rows(store, name: str, *columns: str) -> list[tuple[str, ...]]:
    query = find_query(resources.queries_dir(Settings()), name)
    return [tuple(compact(row.get(c)) for c in columns) for row in store.select(query.text)]


def test_query_folder_is_populated():
    assert len(OFFLINE) >= 15
    assert len(QUERIES) - len(OFFLINE) == 2


@pytest.mark.parametrize("path", OFFLINE, ids=lambda p: p.stem)
def test_example_query_has_a_summary_and_returns_rows(store, path):
    query = read_query(path)
    assert query.summary and query.tags
    assert list(store.query(query.text)), f"{path.name} found nothing"


def test_sco_tianjin_proposals_and_where_they_are_to_happen(store):
    assert rows(store, "proposals-at-sco-tianjin", "proposal", "where", "year") == [
        ("kzr:proposal-2025-sco-expert-forum-on-ai", "", ""),
        ("kzr:proposal-2025-sco-investment-office", "AIFC", ""),
        ("kzr:proposal-2025-sco-ai-conference-2027", "Kazakhstan", "2027"),
        ("kzr:proposal-2025-sco-water-research-center", "", ""),
    ]


def test_initiatives_at_the_un_with_their_status(store):
    assert set(rows(store, "initiatives-at-the-un", "proposal", "status")) == {
        ("kzr:proposal-2025-un-reform-package", "proposed"),
        ("kzr:proposal-2025-security-council-expansion", "proposed"),
        ("kzr:proposal-2025-security-council-reform", "proposed"),
        ("kzr:proposal-2025-broader-representation-developing-countries", "proposed"),
        ("kzr:proposal-2025-modernize-peacekeeping", "proposed"),
        ("kzr:proposal-2025-un-biosecurity-body", "proposed"),
        ("kzr:initiative-international-year-of-volunteers", "declared"),
        ("kzr:initiative-2025-world-unity-for-just-peace", "circulated"),
    }


def test_meetings_between_june_and_september_at_any_precision(store):
    # The August visit and inauguration are dated by month only; the date bounds find them.
    assert rows(store, "meetings-in-date-range", "meeting", "first", "last") == [
        ("kzr:event-2025-06-17-china-central-asia-summit", "2025-06-17", "2025-06-17"),
        ("kzr:event-2025-08-un-sdg-centre-inauguration", "2025-08-01", "2025-08-31"),
        ("kzr:event-2025-08-guterres-visit-astana", "2025-08-01", "2025-08-31"),
        ("kzr:event-2025-08-30-tokayev-official-visit-china", "2025-08-30", "2025-09-03"),
        ("kzr:event-2025-09-17-congress-of-religions", "2025-09-17", "2025-09-18"),
    ]


def test_everything_that_may_fall_in_august(store):
    found = rows(store, "everything-in-date-range", "item", "first", "last", "given")
    assert {r[0] for r in found} == {
        "kzr:event-2025-08-guterres-visit-astana",  # "In August"
        "kzr:event-2025-08-un-sdg-centre-inauguration",  # "inaugurated in August"
        "kzr:event-2025-08-30-tokayev-official-visit-china",  # Aug. 30 to Sept. 3
        "kzr:event-2025-astana-international-forum",  # "In 2025": may have been in August
        "kzr:event-2025-astana-think-tank-forum",
        "kzr:event-2025-digital-bridge",
    }
    assert ("kzr:event-2025-08-guterres-visit-astana", "2025-08-01", "2025-08-31", "2025-08") in found
    span = rows(store, "everything-in-date-range", "item", "start", "end")
    assert ("kzr:event-2025-08-30-tokayev-official-visit-china", "2025-08-30", "2025-09-03") in span


def test_meetings_of_kazakhstan_include_those_it_took_part_in_directly(store):
    assert {r[0] for r in rows(store, "meetings-of-kazakhstan", "activity")} >= {
        "kzr:event-2025-sco-summit-tianjin",
        "kzr:event-2025-astana-international-forum",
        "kzr:event-2025-astana-think-tank-forum",
        "kzr:event-2025-digital-bridge",
    }


def test_meetings_of_kazakhstan_through_its_president_and_through_parts(store):
    found = {(a, frozenset(h.split(", "))) for a, h in rows(store, "meetings-of-kazakhstan", "activity", "how")}
    president, part = "through its President", "through a part"
    assert found == {
        ("kzr:event-2025-sco-summit-tianjin", frozenset({"directly"})),
        ("kzr:event-2025-astana-international-forum", frozenset({"directly"})),  # host
        ("kzr:event-2025-astana-think-tank-forum", frozenset({"directly"})),
        ("kzr:event-2025-digital-bridge", frozenset({"directly"})),
        ("kzr:event-2025-06-17-china-central-asia-summit", frozenset({president})),  # Tokayev chaired
        ("kzr:event-2025-08-un-sdg-centre-inauguration", frozenset({president})),
        ("kzr:event-2025-08-30-tokayev-official-visit-china", frozenset({president, part})),
        ("kzr:event-2025-09-23-unga80-tokayev-address", frozenset({president})),
        ("kzr:event-2025-unga80", frozenset({president, part})),  # the address is part of the session
        ("kzr:event-2025-11-06-c5-plus-1-summit", frozenset({president})),
        ("kzr:event-2025-sco-plus-summit-tokayev-address", frozenset({president})),
        ("kzr:event-2025-sco-plus-summit-tianjin", frozenset({president, part})),
    }


def test_states_at_the_china_central_asia_and_c5_plus_1_summits(store):
    found = rows(store, "states-at-summits", "summit", "state")
    five = {"kzr:country-KAZ", "kzr:country-KGZ", "kzr:country-TJK", "kzr:country-TKM", "kzr:country-UZB"}
    assert {s for m, s in found if m == "kzr:event-2025-06-17-china-central-asia-summit"} == five | {"kzr:country-CHN"}
    assert {s for m, s in found if m == "kzr:event-2025-11-06-c5-plus-1-summit"} == five | {"kzr:country-USA"}
    assert {s for m, s in found if m == "kzr:event-2025-sco-summit-tianjin"} == {"kzr:country-KAZ"}


def test_states_at_summits_leave_out_the_reference_layer_on_request(store):
    # Without the reference graph the group has no listed members: only the states the articles name remain.
    query = find_query(resources.queries_dir(Settings()), "states-at-summits")
    text = query.text.replace("WHERE {", "FROM <https://w3id.org/kzgraph/graph/data> FROM <https://w3id.org/kzgraph/graph/ontology> "
                              "FROM <https://w3id.org/kzgraph/graph/inferred> WHERE {", 1)
    found = {(compact(r["summit"]), compact(r["state"])) for r in store.select(text)}
    assert ("kzr:event-2025-06-17-china-central-asia-summit", "kzr:country-CHN") in found
    assert ("kzr:event-2025-06-17-china-central-asia-summit", "kzr:country-KGZ") not in found


def test_states_at_the_sco_plus_summit_come_through_the_address(store):
    found = rows(store, "states-at-summits", "summit", "state")
    assert {s for m, s in found if m == "kzr:event-2025-sco-plus-summit-tianjin"} == {"kzr:country-KAZ"}


def test_tokayev_activities_are_found_through_every_role(store):
    assert {r[0] for r in rows(store, "tokayev-activities", "activity")} >= {
        "kzr:event-2025-06-17-china-central-asia-summit",  # chair
        "kzr:event-2025-08-30-tokayev-official-visit-china",  # visitor
        "kzr:event-2025-08-un-sdg-centre-inauguration",
        "kzr:event-2025-09-23-unga80-tokayev-address",  # speaker
        "kzr:event-2025-11-06-c5-plus-1-summit",
        "kzr:event-2025-sco-plus-summit-tokayev-address",
    }


def test_tokayev_activities_include_the_meetings_his_addresses_were_part_of(store):
    assert {r[0] for r in rows(store, "tokayev-activities", "activity")} == {
        "kzr:event-2025-06-17-china-central-asia-summit",
        "kzr:event-2025-08-30-tokayev-official-visit-china",
        "kzr:event-2025-08-un-sdg-centre-inauguration",
        "kzr:event-2025-09-23-unga80-tokayev-address",
        "kzr:event-2025-unga80",  # through the address
        "kzr:event-2025-11-06-c5-plus-1-summit",
        "kzr:event-2025-sco-plus-summit-tokayev-address",
        "kzr:event-2025-sco-plus-summit-tianjin",  # through the address
    }


def test_tokayev_activities_need_inference(plain_store):
    query = find_query(resources.queries_dir(Settings()), "tokayev-activities")
    assert plain_store.select(query.text) == []


def test_meetings_in_astana(store):
    assert rows(store, "meetings-in-astana", "meeting", "start", "end") == [
        ("kzr:event-2025-06-17-china-central-asia-summit", "2025-06-17", ""),
        ("kzr:event-2025-08-guterres-visit-astana", "2025-08", ""),
        ("kzr:event-2025-09-17-congress-of-religions", "2025-09-17", "2025-09-18"),
    ]


def test_documents_by_meeting(store):
    assert set(rows(store, "documents-by-meeting", "document", "kind")) == {
        ("kzr:declaration-2025-astana-declaration-of-peace", "declaration"),
        ("kzr:agreement-2025-c5-plus-1", "agreement"),
        ("kzr:declaration-2025-astana-declaration", "declaration"),
        ("kzr:treaty-2025-eternal-good-neighborliness", "treaty"),
    }


def test_proposals_on_water_follow_narrower_topics(store):
    assert {r[0] for r in rows(store, "proposals-on-water", "proposal")} == {
        "kzr:proposal-international-day-aral-sea",
        "kzr:proposal-2026-regional-environmental-summit",
        "kzr:proposal-2025-sco-water-research-center",
    }


def test_every_proposal_comes_with_a_quote(store):
    found = rows(store, "facts-with-quotes", "resource", "quote")
    proposals = {r[0] for r in found}
    assert "kzr:proposal-2025-sco-investment-office" in proposals
    assert ("kzr:proposal-2025-sco-investment-office", "establishing an SCO investment office at the AIFC") in found
    assert len(proposals) == 19  # 14 proposals and 5 initiatives


def test_claims_of_the_opinion_piece_are_attributed(store):
    found = rows(store, "claims-of-the-opinion-piece", "claim")
    assert ("kzr:claim-tca-foreign-policy-shift",) in found
    assert ("kzr:claim-guterres-stabilizing-influence",) not in found  # Guterres's view, not the article's
    assert len({c for (c,) in found}) == 17


def test_planned_for_2026_and_2027(store):
    assert rows(store, "planned-for-later-years", "item", "year", "whereLabel") == [
        ("kzr:proposal-2026-regional-environmental-summit", "2026", "Kazakhstan"),
        ("kzr:observance-2026-international-year-of-volunteers", "2026", ""),
        ("kzr:proposal-2025-sco-ai-conference-2027", "2027", "Kazakhstan"),
    ]


def test_proposals_by_topic_include_narrower_topics(store):
    found = set(rows(store, "proposals-by-topic", "topic", "proposal"))
    assert {p for t, p in found if t == "kzr:topic-un-reform"} == {
        "kzr:proposal-2025-un-reform-package",
        "kzr:proposal-2025-broader-representation-developing-countries",  # a narrower topic
        "kzr:proposal-2025-security-council-reform",  # Security Council reform is narrower than UN reform
        "kzr:proposal-2025-security-council-expansion",
    }
    assert {p for t, p in found if t == "kzr:topic-water-resources"} == {
        "kzr:proposal-international-day-aral-sea",
        "kzr:proposal-2026-regional-environmental-summit",
        "kzr:proposal-2025-sco-water-research-center",
    }
    # Neither article puts nuclear disarmament under non-proliferation.
    assert ("kzr:topic-non-proliferation", "kzr:proposal-2025-resume-nuclear-disarmament-negotiations") not in found


def test_claims_and_readings_by_article(store):
    found = rows(store, "claims-and-readings", "article", "kind", "item", "words")
    readings = {(a, i) for a, k, i, w in found if k == "reading"}
    assert len(readings) == 49
    assert (f"<{TIMESCA}>", "reading", "kzr:reading-eu-for-brussels",
            "Rather than oscillating between Moscow, Beijing, Brussels, and Washington") in found
    claims = {i for a, k, i, w in found if k == "claim" and a == f"<{TIMESCA}>"}
    assert "kzr:claim-tca-foreign-policy-shift" in claims and "kzr:claim-guterres-stabilizing-influence" in claims
    assert len(claims) == 18  # the opinion piece's own 17 and Guterres's view, which it reports
    assert not claims & {i for a, k, i, w in found if k == "claim" and a != f"<{TIMESCA}>"}


def test_facts_without_readings_leave_out_exactly_the_readings(store, plain_store):
    found = set(rows(store, "facts-without-readings", "s", "p", "o"))
    assert ("kzr:claim-tca-initiate-mediate", "kz:about", "kzr:city-brussels") in found
    assert ("kzr:claim-tca-initiate-mediate", "kz:about", "kzr:org-eu") not in found  # "Brussels" read as the EU
    assert ("kzr:proposal-2025-sco-ai-conference-2027", "kz:location", "kzr:country-KAZ") not in found
    assert not any(s.startswith("kzr:reading-") for s, p, o in found)
    data = plain_store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/kzgraph/graph/data> { ?s ?p ?o } "
                              "FILTER (isIRI(?s) && !isBlank(?o)) }")
    described = plain_store.select("SELECT (COUNT(*) AS ?n) WHERE { ?r a kz:Reading ; ?p ?o }")
    assert len(found) == int(data[0]["n"].value) - int(described[0]["n"].value) - 49


def test_un_bodies_and_offices(store):
    assert set(rows(store, "un-bodies", "item", "holder")) == {
        ("kzr:org-unga", ""),
        ("kzr:org-unsc", ""),
        ("kzr:org-un-sdg-centre", ""),
        ("kzr:office-un-secretary-general", "António Guterres"),
    }


def test_kazakhstan_uzbekistan(store):
    assert {r[0] for r in rows(store, "kazakhstan-uzbekistan", "item")} == {
        "kzr:agreement-kaz-uzb-demarcation",
        "kzr:cooperation-kaz-uzb-electricity-grid",
        "kzr:cooperation-kaz-uzb-water-management",
    }


def test_visits_keep_the_precision_of_their_dates(store):
    assert rows(store, "visits", "visit", "date", "start", "end") == [
        ("kzr:event-2025-08-30-tokayev-official-visit-china", "", "2025-08-30", "2025-09-03"),
        ("kzr:event-2025-08-guterres-visit-astana", "2025-08", "", ""),
    ]


def test_unanimous_resolution(store):
    assert rows(store, "unanimous-resolutions", "resolution", "day", "where") == [
        ("kzr:resolution-2025-03-04-un-sdg-centre", "2025-03-04", "Almaty"),
    ]


def test_meeting_attendance_keeps_qualifiers(store):
    assert rows(store, "meeting-attendance", "what", "qualifier", "value") == [
        ("countries", "around", "60"),
        ("delegations", "more than", "100"),
    ]


def test_observances(store):
    assert rows(store, "observances", "observance", "when", "declaredBy", "role") == [
        ("kzr:observance-international-day-aral-sea", "--03-26", "", "supported"),
        ("kzr:observance-2026-international-year-of-volunteers", "2026", "United Nations", "proposed"),
    ]


def test_wikidata_shaped_view_answers_with_wikidata_properties(store):
    found = rows(store, "wikidata-shaped-view", "meeting", "participant", "when")
    assert ("kzr:event-2025-11-06-c5-plus-1-summit", "kzr:person-tokayev", "2025-11-06") in found
    assert ("kzr:event-2025-08-guterres-visit-astana", "kzr:person-guterres", "2025-08") in found


def test_wikidata_shaped_view_sees_participants_through_parts(store):
    found = rows(store, "wikidata-shaped-view", "meeting", "participant", "when")
    assert ("kzr:event-2025-unga80", "kzr:person-tokayev", "") in found
    assert len(found) == 10


def test_bindings_are_passed_as_terms_not_text(store):
    import pyoxigraph as ox

    found = store.select(
        "SELECT ?x ?label WHERE { ?x rdfs:label ?label }", x=ox.NamedNode("https://w3id.org/kzgraph/resource/org-sco")
    )
    assert [r["label"].value for r in found] == ["SCO"]


def test_unknown_example_names_the_known_ones():
    with pytest.raises(UnknownQuery, match="proposals-at-sco-tianjin"):
        find_query(resources.queries_dir(Settings()), "no-such-query")


def test_query_file_without_summary_is_refused(tmp_path):
    (tmp_path / "bad.rq").write_text("SELECT * WHERE { ?s ?p ?o }", encoding="utf-8")
    with pytest.raises(QueryError, match="summary"):
        read_all_queries(tmp_path)


def test_malformed_query_raises_query_error(store):
    with pytest.raises(QueryError, match="malformed query"):
        store.query("SELEC ?x WHERE { ?x ?p ?o }")
