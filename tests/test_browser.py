"""The pages in a real browser: Debian's Chromium, headless, driven by Selenium
with the system chromedriver, against the application served on loopback.

Every host but the loopback one is made unresolvable, so a page that needed
anything from outside the server would fail here. Accessibility is checked
with axe-core (installed from npm by .ci/run; its path in KZGRAPH_AXE_JS).
Outside CI the tests skip when Chromium or axe-core is missing; where they
are required (``KZGRAPH_REQUIRE_BROWSER``, which ``.ci/run`` sets, or
``CI=true``) they fail instead.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 10.0


def _missing(what: str) -> None:
    if os.environ.get("KZGRAPH_REQUIRE_BROWSER") or os.environ.get("CI"):
        pytest.fail(f"{what} is missing, and the browser tests are required (.ci/run installs it)")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        _missing("Debian's chromium and chromium-driver")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a driver or a browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run", "--disable-sync",
                     "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(1200, 900)
    yield driver
    driver.quit()


@pytest.fixture
def page(browser, live_server):
    """Open a path of the live server; returns the driver."""
    browser.set_window_size(1200, 900)

    def open_(path: str):
        browser.get(live_server + path)
        return browser

    return open_


@pytest.fixture(scope="session")
def axe_source() -> str:
    path = os.environ.get("KZGRAPH_AXE_JS", "")
    if not path or not Path(path).is_file():
        _missing("axe-core (KZGRAPH_AXE_JS)")
    return Path(path).read_text(encoding="utf-8")


def wait_for(driver, condition, timeout: float = WAIT):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: condition(d))


def css(driver, selector: str):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def set_query(driver, text: str) -> None:
    driver.execute_script("document.querySelector('.CodeMirror').CodeMirror.setValue(arguments[0])", text)


def status(driver) -> str:
    return css(driver, "#status")[0].text


def run_example(driver, name: str) -> None:
    css(driver, f"button.example[data-name='{name}']")[0].click()
    wait_for(driver, lambda d: css(d, "#results table") or css(d, "#results pre"))


# --- the query page ------------------------------------------------------

def test_editor_loads_from_the_server_with_highlighting_and_line_numbers(page, live_server):
    driver = page("/")
    wait_for(driver, lambda d: css(d, ".CodeMirror"))
    assert css(driver, ".CodeMirror-linenumber")
    assert [e.text for e in css(driver, ".cm-keyword")][:2] == ["SELECT", "WHERE"]
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert any(r.endswith("/static/vendor/codemirror/codemirror.js") for r in resources)
    assert all(r.startswith(live_server) for r in resources), resources


def test_an_example_runs_when_picked_and_shows_labels_linked_to_pages(page):
    driver = page("/")
    run_example(driver, "meetings-in-astana")
    cells = css(driver, "#results tbody td a")
    texts = [a.text for a in cells]
    assert "Second China–Central Asia Summit" in texts
    assert not any(t.startswith("kzr:") for t in texts)
    link = next(a for a in cells if a.text == "Second China–Central Asia Summit")
    assert link.get_attribute("title") == "kzr:event-2025-06-17-china-central-asia-summit"
    assert link.get_attribute("href").endswith("/resource/event-2025-06-17-china-central-asia-summit")
    assert "rows" in status(driver)


def test_dates_are_written_at_their_precision(page):
    driver = page("/")
    set_query(driver, "SELECT ?d WHERE { VALUES ?d { '2025-08'^^xsd:gYearMonth '--03-26'^^xsd:gMonthDay "
                      "'2025-06-17'^^xsd:date '2025'^^xsd:gYear } }")
    css(driver, "#run")[0].click()
    wait_for(driver, lambda d: css(d, "#results td"))
    assert [td.text for td in css(driver, "#results td")] == ["August 2025", "26 March", "17 June 2025", "2025"]


def test_wikidata_iris_show_as_wd_curies_linked_out(page):
    driver = page("/")
    set_query(driver, "SELECT ?q WHERE { kzr:country-KAZ skos:exactMatch ?q }")
    css(driver, "#run")[0].click()
    link = wait_for(driver, lambda d: css(d, "#results td a"))[0]
    assert link.text == "wd:Q232"
    assert link.get_attribute("href") == "http://www.wikidata.org/entity/Q232"


def test_ctrl_enter_runs_the_query(page):
    from selenium.webdriver.common.keys import Keys

    driver = page("/")
    set_query(driver, "SELECT ?x WHERE { VALUES ?x { 1 2 3 } }")
    css(driver, ".CodeMirror textarea")[0].send_keys(Keys.CONTROL, Keys.ENTER)
    wait_for(driver, lambda d: css(d, "#results table"))
    assert status(driver).startswith("3 rows")
    assert "query=" in driver.current_url


def test_an_error_is_marked_at_its_line_and_column(page):
    driver = page("/")
    set_query(driver, "SELECT * WHERE {\n  ?s ?p\n}")
    css(driver, "#run")[0].click()
    wait_for(driver, lambda d: css(d, "#results pre.error"))
    marked = css(driver, ".cm-error-line")
    assert len(marked) == 1
    line_numbers = driver.execute_script("return document.querySelector('.CodeMirror').CodeMirror.getCursor().line")
    assert line_numbers == 2  # 0-based: the closing brace on line 3, where the parser stopped
    assert status(driver) == "Error at line 3, column 1"  # as the endpoint's message says


def test_results_sort_by_a_column_and_filter(page):
    driver = page("/")
    set_query(driver, "SELECT ?n WHERE { VALUES ?n { 10 9 100 } }")
    css(driver, "#run")[0].click()
    wait_for(driver, lambda d: css(d, "#results table"))
    header = css(driver, "#results th button")[0]
    header.click()
    assert [td.text for td in css(driver, "#results td")] == ["9", "10", "100"]
    header.click()
    assert [td.text for td in css(driver, "#results td")] == ["100", "10", "9"]
    assert css(driver, "#results th")[0].get_attribute("aria-sort") == "descending"
    css(driver, "#filter")[0].send_keys("10")
    assert [td.text for td in css(driver, "#results td") if td.is_displayed()] == ["100", "10"]
    assert status(driver) == "2 of 3 rows match “10”"


def test_downloads_offer_the_formats_of_the_query_kind(page):
    driver = page("/")
    formats = lambda: [o.get_attribute("value") for o in css(driver, "#format option")]  # noqa: E731
    assert formats() == ["json", "xml", "csv", "tsv"]
    set_query(driver, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1")
    assert formats() == ["turtle", "nt", "jsonld", "rdfxml", "nquads", "trig"]


def test_download_saves_a_named_file_without_leaving_the_page(page, browser, tmp_path):
    from selenium.webdriver.support.ui import Select

    driver = page("/")
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    run_example(driver, "meetings-in-astana")
    before = driver.current_url
    Select(css(driver, "#format")[0]).select_by_value("csv")
    css(driver, "#download")[0].click()
    saved = tmp_path / "meetings-in-astana.csv"
    wait_for(driver, lambda d: saved.exists() and saved.stat().st_size > 0)
    assert saved.read_text(encoding="utf-8").splitlines()[0].startswith("meeting")
    assert driver.current_url == before
    assert status(driver) == "Downloaded meetings-in-astana.csv"


def test_examples_are_grouped_searchable_and_the_online_ones_say_so(page):
    driver = page("/")
    groups = [h.text for h in css(driver, "#examples h3")]
    assert groups == sorted(groups, key=str.casefold) and len(groups) >= 5
    federated = css(driver, "button.example[data-name='federated-state-populations']")[0]
    assert "needs the internet" in federated.find_element("xpath", "..").text
    css(driver, "#example-filter")[0].send_keys("water")
    visible = [b.text for b in css(driver, "button.example") if b.is_displayed()]
    assert visible and all("water" in v.lower() for v in visible)


# --- browsing ------------------------------------------------------------

def test_follow_a_result_to_its_page_and_see_its_sources_titled(page):
    driver = page("/")
    run_example(driver, "meetings-in-astana")
    next(a for a in css(driver, "#results td a") if a.text == "Second China–Central Asia Summit").click()
    wait_for(driver, lambda d: css(d, "h1") and css(d, "h1")[0].text == "Second China–Central Asia Summit")
    titles = [c.text for c in css(driver, "section.source cite")]
    assert "Kazakhstan Wraps Up 2025: Key International Engagements and Global Initiatives" in titles
    assert "The Astana Times, December 2025" in css(driver, "section.source p")[0].text


def test_a_claim_is_boxed_with_who_makes_it(page):
    driver = page("/resource/claim-tca-ascent")
    assert css(driver, "#claim")[0].text.startswith("Claim by The Times of Central Asia, in Tokayev at the UN Underscores")


def test_search_for_a_person(page):
    from selenium.webdriver.common.keys import Keys

    driver = page("/ontology")
    css(driver, "#site-search")[0].send_keys("tokaev", Keys.ENTER)  # no such word: nothing
    wait_for(driver, lambda d: "Search" in d.title)
    assert css(driver, "[role=status]")[0].text == "0 results for “tokaev”"
    css(driver, "#q")[0].clear()
    css(driver, "#q")[0].send_keys("kassym TOKAY", Keys.ENTER)
    wait_for(driver, lambda d: css(d, "section.group"))
    groups = {s.find_element("css selector", "h2").text: s.text for s in css(driver, "section.group")}
    assert "Kassym-Jomart Tokayev" in groups["person"]


def test_ontology_page_and_type_links_to_it(page, live_server):
    driver = page("/resource/person-tokayev")
    type_link = css(driver, "h1 + p a")[0]
    assert type_link.get_attribute("href") == f"{live_server}/ontology#Person"
    type_link.click()
    wait_for(driver, lambda d: d.title.startswith("Ontology"))
    section = css(driver, "section#Person")[0]
    assert "person" in section.find_element("css selector", "h3").text
    assert "wd:Q5" in section.text or "Q5" in section.text


def test_source_reader_marks_cited_and_uncovered_text_and_links_to_the_citing_resource(page):
    driver = page("/source/timesca-tokayev-at-the-un")
    assert css(driver, "h1")[0].text == "Tokayev at the UN Underscores Kazakhstan’s New Diplomacy"
    assert "Astana has also made use of the UN Regional Centre..." in [e.text for e in css(driver, "#text .uncovered")]
    mark = next(a for a in css(driver, "#text mark a") if "Guterres visited Astana" in a.text)
    assert mark.get_attribute("title").startswith("Cited by ")
    mark.click()
    wait_for(driver, lambda d: "/resource/" in d.current_url)
    assert "Tokayev at the UN Underscores Kazakhstan’s New Diplomacy" in [c.text for c in css(driver, "section.source cite")]


def test_timeline_draws_items_and_filters_by_kind(page):
    driver = page("/timeline")
    assert css(driver, "svg.timeline circle") and css(driver, "svg.timeline rect")
    all_items = len(css(driver, "svg.timeline a"))
    css(driver, "nav[aria-label=Kinds] a")[1].click()
    wait_for(driver, lambda d: "kind=" in d.current_url)
    assert 0 < len(css(driver, "svg.timeline a")) < all_items


def test_unknown_resource_gets_an_html_page_with_the_search_box(page):
    driver = page("/resource/no-such-thing")
    assert css(driver, "h1")[0].text == "No such resource"
    assert css(driver, "#site-search")


# --- the house: 400 px and WCAG 2 AA ---------------------------------------

PAGES = ["/", "/?query=SELECT%20%3Fm%20%3Fd%20WHERE%20%7B%20%3Fm%20kz%3Adate%20%3Fd%20%7D", "/search?q=astana",
         "/class/Meeting", "/ontology", "/resource/country-KAZ", "/resource/claim-tca-ascent", "/source/",
         "/source/timesca-tokayev-at-the-un", "/timeline", "/resource/no-such-thing"]


@pytest.mark.parametrize("path", PAGES)
def test_page_fits_400_px(page, browser, path):
    driver = page(path)
    browser.set_window_size(400, 900)
    time.sleep(0.3)
    assert driver.execute_script("return window.innerWidth") <= 400
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 400


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_wcag_2_aa_violation(page, axe_source, path):
    driver = page(path)
    if "query=" in path:
        wait_for(driver, lambda d: css(d, "#results table"))
    driver.execute_script(axe_source)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => done(JSON.stringify(r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target)})))))"
        ".catch(e => done(JSON.stringify([{id: 'axe failed', nodes: [String(e)]}])));")
    assert json.loads(result) == []

