"""The source reader: an article's full text with every quoted span
highlighted and linked to the resources that cite it, and the sentences no
resource cites shown as uncovered. Computed from the citations and the texts
(see :mod:`kzgraph.annotations`) once per application."""

from __future__ import annotations

from dataclasses import dataclass

from kzgraph import resources
from kzgraph.annotations import Annotation, Citation, annotate, article_files, sentence_spans
from kzgraph.web.display import Shown, show, show_iri
from kzgraph.web.state import cached, state


@dataclass(frozen=True)
class Article:
    key: str
    iri: str
    text: str
    annotations: tuple[Annotation, ...]


@dataclass(frozen=True)
class Segment:
    text: str
    cited_by: tuple[Shown, ...] = ()
    uncovered: bool = False


def articles() -> dict[str, Article]:
    """Reader key (the text file's name without .txt) → article, with its annotations."""
    return cached("articles", _load)


def _load() -> dict[str, Article]:
    kg = state()
    files = article_files(resources.project_root(kg.settings) / "sources")
    texts = {iri: path.read_text(encoding="utf-8") for iri, path in files.items()}
    rows = kg.select("""SELECT DISTINCT ?r ?source ?quote WHERE {
                          ?r kz:citation ?c . ?c kz:quote ?quote ; kz:sourceArticle ?source FILTER isIRI(?r) }""")
    found = annotate(texts, [Citation(r["r"]["value"], r["source"]["value"], r["quote"]["value"]) for r in rows])
    return {
        path.stem: Article(path.stem, iri, texts[iri], tuple(a for a in found if a.article == iri))
        for iri, path in sorted(files.items(), key=lambda item: item[1].stem)
    }


def reader_for(iri: str) -> str:
    """The reader page's path for an article IRI, or "" if its text is not here."""
    for key, article in articles().items():
        if article.iri == iri:
            return f"/source/{key}"
    return ""


def reader_model(key: str) -> dict | None:
    article = articles().get(key)
    if article is None:
        return None
    labels = state().labels
    text = article.text
    sentences = sentence_spans(text)
    covered = [any(a.start < end and start < a.end for a in article.annotations) for start, end in sentences]
    cuts = {0, len(text)}
    for a in article.annotations:
        cuts |= {a.start, a.end}
    for start, end in sentences:
        cuts |= {start, end}
    position = 0
    for line in text.splitlines(keepends=True):
        position += len(line)
        cuts.add(position)
    bounds = sorted(cuts)
    paragraphs: list[list[Segment]] = [[]]
    for start, end in zip(bounds, bounds[1:]):
        piece = text[start:end]
        around = sorted((a for a in article.annotations if a.start <= start and end <= a.end), key=lambda a: a.end - a.start)
        citing = tuple(dict.fromkeys(a.resource for a in around))  # the most specific quotation first
        in_uncovered = any(s <= start and end <= e and not c for (s, e), c in zip(sentences, covered))
        body = piece.rstrip("\n")
        if body:
            paragraphs[-1].append(Segment(body, tuple(show_iri(r, labels) for r in citing), in_uncovered))
        if piece.endswith("\n") and paragraphs[-1]:
            paragraphs.append([])
    paragraphs = [p for p in paragraphs if p]
    return {
        "key": key,
        "iri": article.iri,
        "title": labels.get(article.iri, key),
        "paragraphs": [(p, _citing(p)) for p in paragraphs],
        "sentences": len(sentences),
        "covered": sum(covered),
        "annotations": len(article.annotations),
    }


def _citing(paragraph: list[Segment]) -> list[Shown]:
    """Every resource citing some of the paragraph, in order of first appearance."""
    seen: dict[str, Shown] = {}
    for segment in paragraph:
        for resource in segment.cited_by:
            seen.setdefault(resource.href, resource)
    return list(seen.values())


def source_meta(iri: str) -> dict[str, Shown | str]:
    rows = state().select("""SELECT ?a ?outlet ?date ?genre WHERE {
                               OPTIONAL { ?a dcterms:publisher ?outlet } OPTIONAL { ?a dcterms:date ?date }
                               OPTIONAL { ?a schema:genre ?genre } }""", a=iri)
    labels = state().labels
    row = rows[0] if rows else {}
    return {key: show(row[key], labels) for key in ("outlet", "date", "genre") if key in row}
