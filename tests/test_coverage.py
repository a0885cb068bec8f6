"""The coverage map ``docs/coverage.md`` walks both source articles sentence by sentence.

Every sentence of each article must appear in the map, in order, as a ``> `` block
followed by a ``- resources: kzr:a, kzr:b`` line naming the resources that encode it,
or a ``- no fact: <reason>`` line; a ``- note:`` line may be added. Every ``kzr:`` name
in the map must be a subject of the shipped graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kzgraph.namespaces import KZR

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO / "sources"
COVERAGE = REPO / "docs" / "coverage.md"

#: The articles the map covers, with the fewest sentences the splitter may yield from each.
ARTICLES = {
    "astanatimes-kazakhstan-wraps-up-2025.txt": 25,
    "timesca-tokayev-at-the-un.txt": 20,
}

# A sentence ends at whitespace after ".", "!" or "?" (optionally followed by a closing
# quote) when the next sentence starts with an uppercase letter or an opening quote.
_BOUNDARY = re.compile(r'(?:(?<=[.!?])|(?<=[.!?]["\u201d]))\s+(?=[A-Z"\u201c])')
_KZR_NAME = re.compile(r"\bkzr:([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)")


def split_sentences(text: str) -> list[str]:
    """The sentences of an article text, in order.

    Lines with no letter (such as ``***``) are dropped; a line is split at whitespace
    that follows sentence-final punctuation and precedes an uppercase letter or an
    opening quote, so abbreviations followed by digits stay whole.

    >>> split_sentences("Heading\\nOn Nov. 6, he spoke. “Yes,” she said!\\n***\\nEnd.")
    ['Heading', 'On Nov. 6, he spoke.', '“Yes,” she said!', 'End.']
    >>> split_sentences('He said "no." Then he left.')
    ['He said "no."', 'Then he left.']
    """
    sentences: list[str] = []
    for line in text.splitlines():
        if not any(ch.isalpha() for ch in line):
            continue
        sentences.extend(part.strip() for part in _BOUNDARY.split(line) if part.strip())
    return sentences


def article_sentences(name: str) -> list[str]:
    return split_sentences((SOURCES / name).read_text(encoding="utf-8"))


@dataclass
class Block:
    """One ``> sentence`` block of the map and the lines that follow it."""

    section: str | None
    sentence: str
    line: int
    resources: list[str] | None = None
    no_fact: str | None = None
    notes: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


def parse_coverage(text: str) -> list[Block]:
    """The ``> `` blocks of the map, each with the ``## `` section it stands in.

    >>> blocks = parse_coverage("## a.txt\\n\\n> One.\\n\\n- resources: kzr:x, kzr:y\\n- note: n\\n")
    >>> [(b.section, b.sentence, b.resources, b.notes) for b in blocks]
    [('a.txt', 'One.', ['kzr:x', 'kzr:y'], ['n'])]
    """
    blocks: list[Block] = []
    section: str | None = None
    current: Block | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("## "):
            section = line[3:].strip()
            current = None
        elif line.startswith(">"):
            current = Block(section, line[1:].strip(), number)
            blocks.append(current)
        elif current is not None and line.startswith("- "):
            key, _, value = line[2:].partition(":")
            value = value.strip()
            if key == "resources":
                current.resources = [v.strip() for v in value.split(",") if v.strip()]
            elif key == "no fact":
                current.no_fact = value
            elif key == "note":
                current.notes.append(value)
            else:
                current.other.append(line)
    return blocks


@pytest.fixture(scope="module")
def coverage_text() -> str:
    assert COVERAGE.is_file(), f"{COVERAGE} is missing"
    return COVERAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def blocks(coverage_text) -> list[Block]:
    return parse_coverage(coverage_text)


def _where(block: Block) -> str:
    return f"docs/coverage.md line {block.line}: {block.sentence[:70]!r}"


def test_the_map_covers_every_article_in_sources():
    present = {path.name for path in SOURCES.glob("*.txt")}
    assert present == set(ARTICLES), (
        "sources/*.txt and the articles this test covers differ: "
        f"only in sources {sorted(present - set(ARTICLES))}, "
        f"only in the test {sorted(set(ARTICLES) - present)}"
    )


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_the_splitter_yields_enough_sentences(name):
    sentences = article_sentences(name)
    assert len(sentences) >= ARTICLES[name], (
        f"{name}: only {len(sentences)} sentences; the file or the splitter is broken"
    )
    assert len(set(sentences)) == len(sentences), f"{name}: a sentence occurs twice"


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_every_sentence_is_in_the_map(name, blocks):
    mapped = {b.sentence for b in blocks if b.section == name}
    missing = [s for s in article_sentences(name) if s not in mapped]
    assert not missing, (
        f"{len(missing)} sentence(s) of {name} are not '> ' blocks under '## {name}' "
        "in docs/coverage.md:\n" + "\n".join(f"  > {s}" for s in missing)
    )


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_the_map_follows_the_article_order(name, blocks):
    mapped = [b.sentence for b in blocks if b.section == name]
    assert mapped == article_sentences(name), (
        f"the blocks under '## {name}' are not the article's sentences in order, once each"
    )


def test_the_map_has_no_stale_blocks(blocks):
    sentences = {name: set(article_sentences(name)) for name in ARTICLES}
    stale = [
        _where(b)
        for b in blocks
        if b.section not in sentences or b.sentence not in sentences[b.section]
    ]
    assert not stale, (
        "'> ' blocks that are not a sentence of the article of their section:\n"
        + "\n".join(f"  {s}" for s in stale)
    )


def test_the_map_has_a_section_per_article(coverage_text):
    headings = re.findall(r"^## (.+?)\s*$", coverage_text, flags=re.MULTILINE)
    for name in ARTICLES:
        assert headings.count(name) == 1, f"docs/coverage.md needs one '## {name}' section"


def test_every_block_says_what_encodes_it(blocks):
    assert blocks, "docs/coverage.md has no '> ' blocks"
    problems = []
    for b in blocks:
        if (b.resources is None) == (b.no_fact is None):
            problems.append(f"{_where(b)}: needs exactly one of '- resources:' or '- no fact:'")
        elif b.resources is not None and (
            not b.resources or any(not _KZR_NAME.fullmatch(r) for r in b.resources)
        ):
            problems.append(f"{_where(b)}: resources must be kzr: names, got {b.resources}")
        elif b.no_fact is not None and not b.no_fact:
            problems.append(f"{_where(b)}: 'no fact' needs a reason")
        if b.other:
            problems.append(f"{_where(b)}: unknown lines {b.other}")
    assert not problems, "\n".join(problems)


def test_every_named_resource_is_in_the_graph(coverage_text, plain_store):
    names = sorted(set(_KZR_NAME.findall(coverage_text)))
    assert names, "docs/coverage.md names no kzr: resources"
    unknown = [n for n in names if not plain_store.ask(f"ASK {{ <{KZR}{n}> ?p ?o }}")]
    assert not unknown, "kzr: names in docs/coverage.md that are no subject of the graph: " + (
        ", ".join(f"kzr:{n}" for n in unknown)
    )


def test_each_mapped_sentence_is_quoted_by_one_of_its_resources(blocks, plain_store):
    """At least one listed resource cites words of the sentence (or the sentence whole)."""
    quotes: dict[str, list[str]] = {}
    for row in plain_store.select(
        "SELECT ?s ?q WHERE { ?s kz:citation/kz:quote ?q . FILTER(isIRI(?s)) }"
    ):
        quotes.setdefault(row["s"].value, []).append(row["q"].value)
    unsupported = []
    for b in blocks:
        if not b.resources:
            continue
        cited = [
            q
            for r in b.resources
            for q in quotes.get(f"{KZR}{r.removeprefix('kzr:')}", [])
            if q in b.sentence or b.sentence in q
        ]
        if not cited:
            unsupported.append(_where(b))
    assert not unsupported, (
        "blocks none of whose resources quotes the sentence:\n"
        + "\n".join(f"  {u}" for u in unsupported)
    )


def _readings_generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("readings_doc", REPO / "docs" / "readings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_list_of_readings_is_generated_from_the_data(coverage_text):
    generator = _readings_generator()
    assert generator.replace_section(coverage_text, generator.render_readings()) == coverage_text, (
        "docs/coverage.md lists other readings than data/readings.ttl: run python docs/readings.py"
    )


def test_the_generated_list_has_a_line_per_reading(plain_store):
    section = _readings_generator().render_readings()
    listed = re.findall(r"^- kzr:(reading-[\w-]+):", section, flags=re.MULTILINE)
    readings = plain_store.select("SELECT ?r WHERE { ?r a kz:Reading }")
    assert sorted(listed) == sorted(r["r"].value.removeprefix(KZR) for r in readings)
    assert len(listed) >= 40
