"""A way in without SPARQL: search over labels, and a page per class.

Search matches every word of the question against the start of a word of a
label, ignoring case and diacritics ("tokaev" does not match, "tok" and
"Tokayev" do; "Guterres" and "guterres" alike, "Antonio" finds "António").
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from kzgraph.namespaces import DATA_GRAPH, KZ
from kzgraph.web.display import Shown, show_iri
from kzgraph.web.state import cached, state

ONTOLOGY_GROUP = "Ontology terms"


def fold(text: str) -> str:
    """Lower case without diacritics.

    >>> fold("António Guterres")
    'antonio guterres'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


@dataclass(frozen=True)
class Entry:
    iri: str
    label: str
    words: tuple[str, ...]
    group: str
    group_class: str
    """The class's local name, for a link to its page ("" for ontology terms)."""


def _index() -> list[Entry]:
    kg = state()
    rows = kg.select(f"SELECT ?s ?t WHERE {{ GRAPH <{DATA_GRAPH}> {{ ?s a ?t }} }}")
    types: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        types[row["s"]["value"]].add(row["t"]["value"])
    entries = []
    for iri, label in kg.labels.items():
        if iri.startswith(KZ):
            group, group_class = ONTOLOGY_GROUP, ""
        elif types.get(iri):
            group, kind = min((kg.labels.get(t, t), t) for t in types[iri])
            group_class = kind[len(KZ):] if kind.startswith(KZ) else ""
        else:
            continue
        entries.append(Entry(iri, label, tuple(words(label)), group, group_class))
    return entries


def search(question: str) -> list[tuple[str, str, list[Shown]]]:
    """Resources whose label matches every word of the question, grouped by class, A→Z:
    (class label, class local name or "", matches)."""
    wanted = words(question)
    if not wanted:
        return []
    groups: dict[tuple[str, str], list[Shown]] = defaultdict(list)
    labels = state().labels
    for entry in cached("search-index", _index):
        if all(any(word.startswith(w) for word in entry.words) for w in wanted):
            groups[(entry.group, entry.group_class)].append(show_iri(entry.iri, labels))
    return [(group, name, sorted(found, key=lambda s: fold(s.text))) for (group, name), found in
            sorted(groups.items(), key=lambda item: (item[0][0] == ONTOLOGY_GROUP, fold(item[0][0])))]


def class_model(name: str) -> dict | None:
    """A class of the ontology with its instances (asserted or inferred), or None if there is none."""
    kg = state()
    iri = KZ + name
    rows = kg.select(
        """SELECT ?c ?definition WHERE { ?c a owl:Class OPTIONAL { ?c skos:definition ?definition } }""", c=iri)
    if not rows:
        return None
    instances = kg.select("SELECT DISTINCT ?c ?x WHERE { ?x a ?c FILTER isIRI(?x) }", c=iri)
    labels = kg.labels
    return {
        "iri": iri,
        "name": name,
        "label": labels.get(iri, name),
        "definition": rows[0]["definition"]["value"] if "definition" in rows[0] else "",
        "instances": sorted((show_iri(row["x"]["value"], labels) for row in instances), key=lambda s: fold(s.text)),
    }
