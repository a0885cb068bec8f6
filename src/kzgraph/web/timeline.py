"""The timeline: everything dated in the graph on one time axis, each item
drawn at its precision (a dot for a day, a bar for a month, a year or a span
of days), drawn by the server as SVG.

Dates are read from the properties that carry them today (kz:date,
kz:startDate/kz:endDate, kz:plannedFor, kz:observedOn, kz:circulatedOn) at
their own precision, through :mod:`kzgraph.web.dates`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from kzgraph.namespaces import DATA_GRAPH, KZ
from kzgraph.web.dates import XSD, describe_date, precision, span
from kzgraph.web.display import Shown, show_iri
from kzgraph.web.state import cached, state

ROLES = {KZ + "date": "", KZ + "startDate": "", KZ + "endDate": "", KZ + "plannedFor": "planned for",
         KZ + "observedOn": "observed on", KZ + "circulatedOn": "circulated on"}
WIDTH, LABEL_WIDTH, ROW, TOP = 960, 330, 24, 34


@dataclass(frozen=True)
class Item:
    resource: Shown
    kind: str
    role: str
    when: str
    precision: str
    spans: tuple[tuple[date, date], ...]
    """One span, or for a day of every year (gMonthDay) one per year on the axis."""


def timeline_items() -> list[Item]:
    return cached("timeline", _items)


def _items() -> list[Item]:
    kg = state()
    values = " ".join(f"<{p}>" for p in ROLES)
    rows = kg.select(f"""SELECT ?x ?p ?d ?t WHERE {{ GRAPH <{DATA_GRAPH}> {{ ?x ?p ?d ; a ?t }} VALUES ?p {{ {values} }} }}""")
    kinds: dict[str, set[str]] = defaultdict(set)
    dated: dict[tuple[str, str], dict] = {}
    for row in rows:
        iri = row["x"]["value"]
        kinds[iri].add(kg.labels.get(row["t"]["value"], row["t"]["value"]))
        dated[(iri, row["p"]["value"])] = row["d"]
    years = sorted({day.year for term in dated.values() for day in (_span(term) or ())}) or [date.today().year]
    items = []
    for (iri, predicate), term in dated.items():
        if predicate == KZ + "endDate" and (iri, KZ + "startDate") in dated:
            continue
        kind = min(kinds[iri])
        datatype = term.get("datatype", "")
        when = describe_date(term["value"], datatype) or term["value"]
        if datatype == XSD + "gMonthDay":
            spans = tuple(s for y in range(years[0], years[-1] + 1) if (s := span(term["value"], datatype, year=y)))
            when += " (every year)"
        else:
            first = _span(term)
            if first is None:
                continue
            start, end = first
            if predicate == KZ + "startDate" and (iri, KZ + "endDate") in dated:
                last = _span(dated[(iri, KZ + "endDate")])
                if last:
                    end = last[1]
                    when += " – " + (describe_date(dated[(iri, KZ + "endDate")]["value"],
                                                   dated[(iri, KZ + "endDate")].get("datatype", "")) or "")
            spans = ((start, end),)
        items.append(Item(show_iri(iri, kg.labels), kind, ROLES[predicate], when, precision(datatype), spans))
    return sorted(items, key=lambda i: (i.spans[0][0], i.spans[0][1], i.resource.text))


def _span(term: dict) -> tuple[date, date] | None:
    return span(term["value"], term.get("datatype", ""))


def draw(items: list[Item]) -> dict:
    """The SVG's geometry: the axis (one tick a month, labelled by quarter) and one row per item."""
    if not items:
        return {"width": WIDTH, "height": TOP, "ticks": [], "rows": []}
    first = date(min(i.spans[0][0].year for i in items), 1, 1)
    last = date(max(s[1].year for i in items for s in i.spans), 12, 31)
    days = (last - first).days + 1
    plot = WIDTH - LABEL_WIDTH - 10

    def x(day: date) -> float:
        return round(LABEL_WIDTH + plot * (day - first).days / days, 1)

    ticks = []
    for year in range(first.year, last.year + 1):
        for month in range(1, 13):
            day = date(year, month, 1)
            ticks.append({"x": x(day), "label": (str(year) if month == 1 else day.strftime("%b")) if month % 3 == 1 else "",
                          "major": month == 1})
    rows = []
    for n, item in enumerate(items):
        y = TOP + n * ROW
        marks = []
        for start, end in item.spans:
            left, right = x(start), x(end + (date.resolution))
            marks.append({"x": left, "width": max(round(right - left, 1), 0), "day": start == end,
                          "cx": round((left + right) / 2, 1)})
        rows.append({"y": y, "item": item, "marks": marks,
                     "label": item.resource.text if len(item.resource.text) <= 46 else item.resource.text[:44] + "…"})
    return {"width": WIDTH, "height": TOP + len(items) * ROW + 8, "ticks": ticks, "rows": rows, "row": ROW}
