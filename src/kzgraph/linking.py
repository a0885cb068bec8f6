"""Links to Wikidata: the evidence table, a coverage report, and candidates
for a person to review.

Every link in ``links/wikidata.tsv`` names a resource (a CURIE such as
``kzr:country-KAZ``, or ``kz:State`` for the ontology), a Wikidata id, and a
public page that pairs the two. No id is ever guessed: :func:`suggest_links`
only asks Wikidata's search for candidates, and
:func:`render_suggestions_turtle` prints them commented out, so nothing
enters the graph until someone has checked it and recorded the evidence.

>>> table = (
...     "resource\\twikidata_id\\tevidence_url\\tevidence_excerpt\\n"
...     "kzr:country-KAZ\\tQ232\\thttps://example.org/countries.csv\\tKAZ,Kazakhstan,Q232\\n"
... )
>>> [(link.resource, link.entity_iri) for link in parse_link_table(table)]
[('kzr:country-KAZ', 'http://www.wikidata.org/entity/Q232')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import requests

from kzgraph import __version__
from kzgraph.errors import LinkError
from kzgraph.namespaces import KZ, KZ_TERMS, KZR, PREFIXES, WIKIDATA_ENTITY  # noqa: F401 (KZ, KZR: the doctests use them)
from kzgraph.store import KnowledgeStore

WIKIDATA_API = "https://www.wikidata.org/w/api.php"
"""The MediaWiki API of Wikidata, asked by :func:`suggest_links`."""

USER_AGENT = f"kzgraph/{__version__} (https://w3id.org/kzgraph; Wikidata link suggestions)"

LINK_COLUMNS = ("resource", "wikidata_id", "evidence_url", "evidence_excerpt")
"""The header of ``links/wikidata.tsv``."""

ID_PATTERN = re.compile(r"^[PQ][1-9][0-9]*$")
"""A Wikidata item (``Q…``) or property (``P…``) id."""

_CURIE = re.compile(r"^(kz|kzr):[^\s:]+$")

REPORT_CLASSES: tuple[tuple[str, str], ...] = (
    ("states", KZ_TERMS.State),
    ("organizations", KZ_TERMS.Organization),
    ("offices", KZ_TERMS.Office),
    ("people", KZ_TERMS.Person),
    ("places", KZ_TERMS.Place),
    ("meetings", KZ_TERMS.Meeting),
    ("documents", KZ_TERMS.Document),
    ("proposals", KZ_TERMS.Proposal),
)
"""The classes the link report counts, by plural name. Subclasses count too."""

_MEMBERS = """
SELECT DISTINCT ?class ?x ?match WHERE {
  ?x a ?type .
  ?type rdfs:subClassOf* ?class .
  FILTER(isIRI(?x) && !STRSTARTS(STR(?x), STR(kz:)) && !STRSTARTS(STR(?x), STR(wd:)))
  OPTIONAL {
    ?x skos:exactMatch ?match .
    FILTER(isIRI(?match) && STRSTARTS(STR(?match), "http://www.wikidata.org/entity/"))
  }
}
"""

_LABEL = """
SELECT ?x ?label WHERE { ?x rdfs:label ?label . FILTER(LANGMATCHES(LANG(?label), "en")) }
ORDER BY ?label LIMIT 1
"""


# --------------------------------------------------------------- the link table


@dataclass(frozen=True)
class Link:
    """One row of the link table: a resource, its Wikidata id, and the evidence."""

    resource: str
    """A CURIE: ``kzr:…`` for a resource, ``kz:…`` for an ontology term."""
    wikidata_id: str
    evidence_url: str
    """A public page or file that pairs the id with the entity."""
    evidence_excerpt: str
    """The words on that page that make the pairing, containing the id's number."""

    @property
    def entity_iri(self) -> str:
        """Wikidata's canonical IRI for the id, ``http://www.wikidata.org/entity/…``."""
        return WIKIDATA_ENTITY + self.wikidata_id


def shorten(iri: str) -> str:
    """A ``kz:``/``kzr:`` CURIE for ``iri`` where one fits, else ``iri`` unchanged.

    >>> shorten("https://w3id.org/kzgraph/resource/country-KAZ")
    'kzr:country-KAZ'
    >>> shorten("http://www.wikidata.org/entity/Q232")
    'http://www.wikidata.org/entity/Q232'
    """
    for prefix in ("kzr", "kz"):
        if iri.startswith(PREFIXES[prefix]):
            return f"{prefix}:{iri[len(PREFIXES[prefix]):]}"
    return iri


def parse_link_table(text: str, source: str = "<table>") -> list[Link]:
    """The links of a table in the ``links/wikidata.tsv`` format.

    Raises:
        LinkError: the header is wrong, or a row is malformed (wrong number of
            columns, an empty field, a resource that is not a ``kz:``/``kzr:``
            CURIE, an id not matching ``^[PQ][1-9][0-9]*$``, evidence not on
            ``https://``, or a repeated link); the message reads
            ``SOURCE:LINE: problem``.
    """
    lines = text.splitlines()
    if not lines or tuple(lines[0].split("\t")) != LINK_COLUMNS:
        raise LinkError(f"{source}:1: expected the header {chr(9).join(LINK_COLUMNS)!r}")
    links: list[Link] = []
    seen: set[tuple[str, str]] = set()
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != len(LINK_COLUMNS):
            raise LinkError(f"{source}:{number}: expected {len(LINK_COLUMNS)} tab-separated fields, found {len(fields)}")
        resource, wikidata_id, url, excerpt = (f.strip() for f in fields)
        if not all((resource, wikidata_id, url, excerpt)):
            raise LinkError(f"{source}:{number}: empty field")
        if not _CURIE.match(resource):
            raise LinkError(f"{source}:{number}: resource {resource!r} is not a kz: or kzr: CURIE")
        if not ID_PATTERN.match(wikidata_id):
            raise LinkError(f"{source}:{number}: {wikidata_id!r} is not a Wikidata id (Q… or P…)")
        if not url.startswith("https://"):
            raise LinkError(f"{source}:{number}: evidence URL {url!r} does not start with https://")
        if (resource, wikidata_id) in seen:
            raise LinkError(f"{source}:{number}: {resource} {wikidata_id} is listed twice")
        seen.add((resource, wikidata_id))
        links.append(Link(resource, wikidata_id, url, excerpt))
    return links


def read_link_table(path: Path) -> list[Link]:
    """The links of ``links/wikidata.tsv`` (or another table in its format).

    Raises:
        LinkError: the file cannot be read, or a row is malformed; the message
            names the file and line.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LinkError(f"{path}: cannot read the link table: {exc}") from exc
    return parse_link_table(text, str(path))


# ----------------------------------------------------------------- the report


@dataclass(frozen=True)
class ClassCoverage:
    """Which members of one class are linked to Wikidata."""

    name: str
    class_iri: str
    linked: tuple[str, ...]
    """IRIs of members with a ``skos:exactMatch`` to a Wikidata entity, sorted."""
    unlinked: tuple[str, ...]
    """IRIs of the other members, sorted."""

    @property
    def total(self) -> int:
        return len(self.linked) + len(self.unlinked)


@dataclass(frozen=True)
class LinkReport:
    """How much of the graph is linked to Wikidata, per class and overall."""

    classes: tuple[ClassCoverage, ...]

    @property
    def linked(self) -> tuple[str, ...]:
        """Every linked resource of the counted classes, once, sorted."""
        return tuple(sorted({iri for c in self.classes for iri in c.linked}))

    @property
    def unlinked(self) -> tuple[str, ...]:
        """Every unlinked resource of the counted classes, once, sorted."""
        return tuple(sorted({iri for c in self.classes for iri in c.unlinked}))

    @property
    def total(self) -> int:
        return len(self.linked) + len(self.unlinked)

    @property
    def text(self) -> str:
        """The report as lines of text for a person to read.

        >>> report = LinkReport((ClassCoverage("states", KZ + "State", (KZR + "country-KAZ",), (KZR + "country-XXX",)),))
        >>> print(report.text)
        Linked 1 of 2 resources (50%)
          states  1 of 2  (50%)
        <BLANKLINE>
        Not linked:
          kzr:country-XXX  (states)
        """
        width = max((len(c.name) for c in self.classes), default=0)
        lines = [f"Linked {len(self.linked)} of {self.total} resources ({_percent(len(self.linked), self.total)})"]
        lines += [
            f"  {c.name:<{width}}  {len(c.linked)} of {c.total}  ({_percent(len(c.linked), c.total)})"
            for c in self.classes
        ]
        if self.unlinked:
            names = {iri: [c.name for c in self.classes if iri in c.unlinked] for iri in self.unlinked}
            lines += ["", "Not linked:"]
            lines += [f"  {shorten(iri)}  ({', '.join(names[iri])})" for iri in self.unlinked]
        return "\n".join(lines)


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole) if whole else 0}%"


def link_report(store: KnowledgeStore, classes: Iterable[tuple[str, str]] = REPORT_CLASSES) -> LinkReport:
    """Which states, organizations, offices, people, places, meetings,
    documents and proposals have a ``skos:exactMatch`` to a Wikidata entity.

    Members of subclasses count, whether or not the store holds the OWL RL
    entailments (the ontology's ``rdfs:subClassOf`` triples are followed).

    Raises:
        QueryError: the store cannot run the query.
    """
    report = []
    for name, class_iri in classes:
        members: dict[str, bool] = {}
        for row in store.select(_MEMBERS, **{"class": ox.NamedNode(class_iri)}):
            iri = row["x"].value
            members[iri] = members.get(iri, False) or "match" in row
        report.append(
            ClassCoverage(
                name,
                class_iri,
                tuple(sorted(iri for iri, linked in members.items() if linked)),
                tuple(sorted(iri for iri, linked in members.items() if not linked)),
            )
        )
    return LinkReport(tuple(report))


def unlinked_labels(store: KnowledgeStore, report: LinkReport | None = None) -> dict[str, str]:
    """CURIE → English label of every unlinked resource, for :func:`suggest_links`.

    Resources without an English label are left out.

    Raises:
        QueryError: the store cannot run the query.
    """
    report = report or link_report(store)
    labels = {}
    for iri in report.unlinked:
        rows = store.select(_LABEL, x=ox.NamedNode(iri))
        if rows:
            labels[shorten(iri)] = rows[0]["label"].value
    return labels


# ---------------------------------------------------------------- suggestions


@dataclass(frozen=True)
class Candidate:
    """One search result of Wikidata: an item a person may confirm."""

    wikidata_id: str
    label: str
    description: str


@dataclass(frozen=True)
class Suggestion:
    """The candidates Wikidata's search returns for one unlinked resource."""

    resource: str
    """A CURIE, such as ``kzr:sea-aral``."""
    label: str
    """The label that was searched for."""
    candidates: tuple[Candidate, ...]


def suggest_links(
    labels: Mapping[str, str],
    api_url: str = WIKIDATA_API,
    timeout: float = 10.0,
) -> list[Suggestion]:
    """Ask Wikidata's search (``wbsearchentities``) for up to three candidate
    items per resource; ``labels`` maps a CURIE (or kzgraph IRI) to its label.

    The candidates are only candidates: the search matches labels, not
    meaning, so a person must check each one and record the evidence.

    Raises:
        LinkError: the API cannot be reached (``cannot reach the Wikidata API
            at URL: reason``) or gives an answer that is not a search result.
    """
    suggestions = []
    with requests.Session() as session:
        session.headers["User-Agent"] = USER_AGENT
        for resource, label in sorted((shorten(r), label) for r, label in labels.items()):
            suggestions.append(Suggestion(resource, label, _search(session, api_url, label, timeout)))
    return suggestions


def _search(session: requests.Session, api_url: str, label: str, timeout: float) -> tuple[Candidate, ...]:
    params = {
        "action": "wbsearchentities",
        "search": label,
        "language": "en",
        "format": "json",
        "limit": "3",
    }
    try:
        response = session.get(api_url, params=params, timeout=timeout)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise LinkError(f"cannot reach the Wikidata API at {api_url}: {exc}") from exc
    except requests.RequestException as exc:
        raise LinkError(f"cannot ask the Wikidata API at {api_url}: {exc}") from exc
    with response:
        if response.status_code != 200:
            raise LinkError(f"the Wikidata API at {api_url} answered HTTP {response.status_code} for {label!r}")
        try:
            body = response.json()
        except ValueError as exc:
            raise LinkError(f"the Wikidata API at {api_url} did not answer JSON for {label!r}") from exc
    if not isinstance(body, dict) or "error" in body or not isinstance(body.get("search"), list):
        detail = body.get("error", {}).get("info", "no search results") if isinstance(body, dict) else "not an object"
        raise LinkError(f"the Wikidata API at {api_url} refused the search for {label!r}: {detail}")
    return tuple(
        Candidate(hit["id"], _one_line(hit.get("label", "")), _one_line(hit.get("description", "")))
        for hit in body["search"]
        if isinstance(hit, dict) and isinstance(hit.get("id"), str) and ID_PATTERN.match(hit["id"])
    )


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


def render_suggestions_turtle(suggestions: Iterable[Suggestion]) -> str:
    """Turtle for a person to review: every candidate is a commented-out
    ``skos:exactMatch`` line, so the text asserts nothing until a line is
    uncommented (and its evidence recorded in ``links/wikidata.tsv``).

    >>> aral = Suggestion("kzr:sea-aral", "Aral Sea", (Candidate("Q1", "Aral Sea", "lake in Central Asia"),))
    >>> print(render_suggestions_turtle([aral]))
    # Wikidata candidates for unlinked kzgraph resources, found by label only.
    # Check each one; uncomment a line only after recording its evidence in links/wikidata.tsv.
    @prefix kzr: <https://w3id.org/kzgraph/resource/> .
    @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    @prefix wd: <http://www.wikidata.org/entity/> .
    <BLANKLINE>
    # kzr:sea-aral "Aral Sea"
    # kzr:sea-aral skos:exactMatch wd:Q1 .  # Aral Sea — lake in Central Asia
    """
    lines = [
        "# Wikidata candidates for unlinked kzgraph resources, found by label only.",
        "# Check each one; uncomment a line only after recording its evidence in links/wikidata.tsv.",
        f"@prefix kz: <{PREFIXES['kz']}> .",
        f"@prefix kzr: <{PREFIXES['kzr']}> .",
        f"@prefix skos: <{PREFIXES['skos']}> .",
        f"@prefix wd: <{WIKIDATA_ENTITY}> .",
    ]
    suggestions = list(suggestions)
    if not any(s.resource.startswith("kz:") for s in suggestions):
        lines.remove(f"@prefix kz: <{PREFIXES['kz']}> .")
    for suggestion in suggestions:
        lines += ["", f"# {suggestion.resource} {_quoted(suggestion.label)}"]
        if not suggestion.candidates:
            lines.append("#   (Wikidata's search found nothing)")
        for c in suggestion.candidates:
            line = f"# {suggestion.resource} skos:exactMatch wd:{c.wikidata_id} ."
            note = " — ".join(part for part in (c.label, c.description) if part)
            lines.append(f"{line}  # {note}" if note else line)
    return "\n".join(lines)


def _quoted(label: str) -> str:
    return '"' + _one_line(label).replace('"', "'") + '"'
