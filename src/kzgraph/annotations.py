"""Where each citation's quote stands in its article, as W3C Web Annotations.

Every ``kz:citation`` of a resource quotes its article word for word; this
module finds the quote in the article's text and describes the place with
the Web Annotation vocabulary: an ``oa:TextQuoteSelector`` (the exact words
with some context before and after, which survives edits elsewhere in the
text) and an ``oa:TextPositionSelector`` (character offsets, for tools that
highlight). The annotations are computed from the citations and the texts
whenever the application starts, so they cannot drift from either; the web
application serves them as JSON-LD at ``/source/<name>/annotations``.

>>> text = "One sentence. Two words here. Three."
>>> a = annotate({"urn:a": text}, [Citation("urn:r", "urn:a", "Two words")], context=4)[0]
>>> (a.exact, a.prefix, a.suffix, a.start, a.end)
('Two words', 'ce. ', ' her', 14, 23)
>>> [text[s:e] for s, e in sentence_spans(text)]
['One sentence.', 'Two words here.', 'Three.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kzgraph.errors import LoadError

CONTEXT = 32
"""Characters of context kept before and after a quote in its TextQuoteSelector."""

_SENTENCE_END = re.compile(r'(?:(?<=[.!?])|(?<=[.!?]["\u201d]))\s+(?=[A-Z"\u201c])')
_TABLE_ROW = re.compile(r"^\|\s*`([^`]+\.txt)`\s*\|[^|]*\|\s*(https?://\S+?)\s*\|", re.MULTILINE)


@dataclass(frozen=True)
class Citation:
    resource: str
    article: str
    quote: str


@dataclass(frozen=True)
class Annotation:
    resource: str
    """The citing resource: the annotation's body."""
    article: str
    """The article's IRI: the annotation target's source."""
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


def article_files(sources_dir: Path) -> dict[str, Path]:
    """Article IRI → its text file, read from the table in ``sources/README.md``.

    Raises:
        LoadError: the table names no article, or a file it names is missing.
    """
    readme = sources_dir / "README.md"
    try:
        table = readme.read_text(encoding="utf-8")
    except OSError as exc:
        raise LoadError(f"cannot read {readme}: {exc}") from exc
    files = {iri: sources_dir / name for name, iri in _TABLE_ROW.findall(table)}
    if not files:
        raise LoadError(f"{readme} lists no article (a table row '| `file.txt` | outlet | page | ...')")
    for path in files.values():
        if not path.is_file():
            raise LoadError(f"{readme} names {path.name}, which is not in {sources_dir}")
    return files


def annotate(texts: dict[str, str], citations: list[Citation], *, context: int = CONTEXT) -> list[Annotation]:
    """One annotation per citation whose article text is known, at the quote's first place in it.

    Raises:
        LoadError: a quote is not in its article's text.
    """
    annotations = []
    for citation in citations:
        text = texts.get(citation.article)
        if text is None:
            continue
        start = text.find(citation.quote)
        if start < 0:
            raise LoadError(f"the quote {citation.quote!r} of <{citation.resource}> is not in <{citation.article}>")
        end = start + len(citation.quote)
        annotations.append(Annotation(citation.resource, citation.article, citation.quote,
                                      text[max(0, start - context):start], text[end:end + context], start, end))
    return sorted(annotations, key=lambda a: (a.article, a.start, a.end, a.resource))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: lines split after ".", "!" or "?" before a capital or a quote;
    lines without a letter (such as ``***``) are left out."""
    spans = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if any(ch.isalpha() for ch in body):
            position = 0
            for match in [*_SENTENCE_END.finditer(body), None]:
                stop = match.start() if match else len(body)
                piece = body[position:stop]
                if piece.strip():
                    lead = len(piece) - len(piece.lstrip())
                    spans.append((offset + position + lead, offset + position + len(piece.rstrip())))
                position = match.end() if match else position
        offset += len(line)
    return spans


def to_jsonld(annotations: list[Annotation], base: str) -> dict:
    """The annotations as a W3C Web Annotation collection page in JSON-LD; ``base`` names them."""
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": base,
        "type": "AnnotationPage",
        "items": [
            {
                "id": f"{base}#{a.start}-{a.end}-{index}",
                "type": "Annotation",
                "motivation": "identifying",
                "body": a.resource,
                "target": {
                    "source": a.article,
                    "selector": [
                        {"type": "TextQuoteSelector", "exact": a.exact, "prefix": a.prefix, "suffix": a.suffix},
                        {"type": "TextPositionSelector", "start": a.start, "end": a.end},
                    ],
                },
            }
            for index, a in enumerate(annotations)
        ],
    }
