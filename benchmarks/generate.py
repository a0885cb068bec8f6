"""Synthetic kzgraph data at any size: deterministic from a seed, conforming to the ontology and the shapes.

    python benchmarks/generate.py --triples 100000 --seed 1 -o /tmp/100k.ttl
    python benchmarks/generate.py --triples 1000000 -o /tmp/1m.nt

The output is Turtle or N-Triples, chosen by the file's extension (``-`` or no
``-o`` writes Turtle to stdout). It is written as it is made, a resource at a
time, and never held in memory. The same seed and size give the same bytes.

What is made, shaped like ``data/*.ttl`` and passing ``shapes/*.ttl`` when
loaded with the shipped ontology alone (no shipped data needed):

* once: news outlets, concept schemes (topics with broader topics, proposal
  statuses, quantity qualifiers), regions;
* every 50 states: a source article (an ``https://`` IRI with title,
  publisher and date) that the citations of those states' resources quote;
* every 8 states: an international organization with two bodies (an
  assembly and a centre, through ``kz:hasBody``), a secretary-general's office
  and its holder, a meeting series, and a group of states with a member count;
* per state, a block of about 150 triples: the state (member of the last
  organization and group), two cities in it (``kz:relatedTo``), the offices of
  president and foreign minister and the people holding them, three meetings
  of rotating kinds (summit, assembly session with an address as its part,
  official visit with start and end dates, forum, congress with qualified
  counts, inauguration, cooperation, conflict), proposals and initiatives
  (topics, status, planned year, the meeting they were made at, packages of
  proposals), an observance (``xsd:gYear`` or ``xsd:gMonthDay``), documents
  (declaration, treaty, resolution, agreement) and a claim.

Dates come at every precision the ontology allows (``xsd:date``,
``xsd:gYearMonth``, ``xsd:gYear``, ``xsd:gMonthDay``), all within 2024–2027.
Every cited resource carries one or two ``kz:citation`` nodes (``kz:Citation``
with an English ``kz:quote`` and one ``kz:sourceArticle``). Resources refer
only to resources made before them, so any prefix of the output is itself
dangling-free; generation stops after the first block that reaches
``--triples`` (so it overshoots by less than one block).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from typing import TextIO

NS = {
    "dcterms": "http://purl.org/dc/terms/",
    "kz": "https://w3id.org/kzgraph/ontology#",
    "kzr": "https://w3id.org/kzgraph/resource/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
ARTICLE_BASE = "https://news.example/kzgraph-synthetic/"
TOPICS = ("water", "energy", "transport", "trade", "security", "climate", "health", "education", "digital", "culture")
STATUSES = ("proposed", "supported", "circulated", "adopted", "declared", "established")
QUALIFIERS = ("exactly", "more-than", "around")
REGIONS = ("central-asia", "south-asia", "europe", "middle-east", "africa")
MEETING_KINDS = ("summit", "session", "visit", "forum", "congress", "inauguration", "cooperation", "conflict")
STATES_PER_ARTICLE = 50
STATES_PER_ORGANIZATION = 8

# A term is a tuple: ("iri", prefix, local) | ("bnode", [(p, o), ...]) | ("lit", lexical, lang, datatype local).
Term = tuple
A = ("iri", "rdf", "type")


def kz(local: str) -> Term:
    return ("iri", "kz", local)


def kzr(local: str) -> Term:
    return ("iri", "kzr", local)


def en(text: str) -> Term:
    return ("lit", text, "en", None)


def typed(lexical: str, datatype: str) -> Term:
    return ("lit", lexical, None, datatype)


class World:
    """The resources made so far that later ones may refer to, and the random source."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.states: list[str] = []
        self.cities: list[str] = []
        self.people: list[str] = []
        self.meetings: list[str] = []
        self.proposals: list[str] = []
        self.organization = ""
        self.bodies: tuple[str, str] = ("", "")
        self.series = ""
        self.group = ""
        self.article = ""
        self.written = 0  # triples written so far, kept up to date by generate()

    def pick(self, items: list[str], k: int = 1) -> list[str]:
        """``k`` distinct items of ``items``, preferring recent ones (so blocks link to their neighbours)."""
        recent = items[-40:]
        return self.rng.sample(recent, min(k, len(recent)))

    def topics(self, k: int) -> list[Term]:
        return [kzr(f"gen-topic-{t}") for t in self.rng.sample(TOPICS, k)] + [
            kzr(f"gen-topic-{self.rng.choice(TOPICS)}-{self.rng.randrange(3)}")
        ]

    def day(self) -> str:
        return f"{self.rng.choice((2024, 2025, 2026, 2027))}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def date(self) -> Term:
        """A date at a random precision: a day, a month or a year."""
        day = self.day()
        precision = self.rng.random()
        if precision < 0.6:
            return typed(day, "date")
        if precision < 0.85:
            return typed(day[:7], "gYearMonth")
        return typed(day[:4], "gYear")

    def citations(self, what: str) -> list[tuple[Term, Term]]:
        """One or two kz:citation nodes quoting this block's article."""
        return [
            (kz("citation"), ("bnode", [(A, kz("Citation")), (kz("quote"), en(f"{what}, as reported ({n + 1}).")),
                                        (kz("sourceArticle"), ("iri", "", self.article))]))
            for n in range(self.rng.randint(1, 2))
        ]


Resource = tuple[Term, list[tuple[Term, Term]]]


def preamble(world: World) -> Iterator[Resource]:
    """Outlets, concept schemes and regions: made once."""
    for n in (1, 2, 3):
        yield kzr(f"gen-outlet-{n}"), [(A, kz("NewsOutlet")), (("iri", "rdfs", "label"), en(f"Synthetic Outlet {n}"))]
    for scheme, label in (("topics", "Topics"), ("statuses", "Proposal statuses"), ("qualifiers", "Qualifiers")):
        yield kzr(f"gen-scheme-{scheme}"), [(A, ("iri", "skos", "ConceptScheme")),
                                            (("iri", "skos", "prefLabel"), en(f"Synthetic {label}"))]
    for topic in TOPICS:
        yield from concept(f"gen-topic-{topic}", topic, "topics")
        for n in range(3):
            yield from concept(f"gen-topic-{topic}-{n}", f"{topic}, aspect {n}", "topics", broader=f"gen-topic-{topic}")
    for status in STATUSES:
        yield from concept(f"gen-status-{status}", status, "statuses")
    for qualifier in QUALIFIERS:
        yield from concept(f"gen-qualifier-{qualifier}", qualifier.replace("-", " "), "qualifiers")
    world.article = ARTICLE_BASE + "article-0"  # the regions' citations need one
    yield from article(world, 0)
    for region in REGIONS:
        yield kzr(f"gen-region-{region}"), [(A, kz("Region")), (("iri", "rdfs", "label"), en(region.replace("-", " ").title())),
                                            *world.citations(f"the region {region}")]


def concept(key: str, label: str, scheme: str, broader: str | None = None) -> Iterator[Resource]:
    pairs = [(A, ("iri", "skos", "Concept")), (("iri", "skos", "prefLabel"), en(label)),
             (("iri", "skos", "inScheme"), kzr(f"gen-scheme-{scheme}"))]
    if broader:
        pairs.append((("iri", "skos", "broader"), kzr(broader)))
    yield kzr(key), pairs


def article(world: World, n: int) -> Iterator[Resource]:
    yield ("iri", "", world.article), [
        (A, kz("SourceArticle")), (("iri", "rdfs", "label"), en(f"Synthetic article {n}")),
        (("iri", "dcterms", "date"), world.date()), (("iri", "dcterms", "publisher"), kzr(f"gen-outlet-{n % 3 + 1}")),
        (("iri", "dcterms", "title"), en(f"Synthetic article {n}")),
    ]


def organization(world: World, n: int) -> Iterator[Resource]:
    """An international organization, its two bodies, its secretary-general, a meeting series and a group."""
    org, assembly, centre = f"gen-org-{n}", f"gen-org-{n}-assembly", f"gen-org-{n}-centre"
    office, person, series, group = f"gen-office-{n}-secretary-general", f"gen-person-{n}-sg", f"gen-series-{n}", f"gen-group-{n}"
    label = ("iri", "rdfs", "label")
    yield kzr(org), [(A, kz("InternationalOrganization")), (label, en(f"Organization {n}")),
                     *world.citations(f"Organization {n}"), (kz("hasBody"), kzr(assembly)), (kz("hasBody"), kzr(centre))]
    yield kzr(assembly), [(A, kz("OrganizationBody")), (label, en(f"Assembly of Organization {n}")),
                          *world.citations(f"the Assembly of Organization {n}")]
    centre_pairs = [(A, kz("OrganizationBody")), (label, en(f"Centre of Organization {n}")),
                    *world.citations(f"the Centre of Organization {n}"),
                    (kz("spatialCoverage"), kzr(f"gen-region-{world.rng.choice(REGIONS)}")), (kz("topic"), world.topics(1)[0])]
    if world.cities:
        centre_pairs.append((kz("location"), kzr(world.pick(world.cities)[0])))
    yield kzr(centre), centre_pairs
    yield kzr(office), [(A, kz("Office")), (label, en(f"Secretary-General of Organization {n}")),
                        *world.citations(f"the Secretary-General of Organization {n}"), (kz("officeOf"), kzr(org))]
    yield kzr(person), [(A, kz("Person")), (label, en(f"Secretary-General {n}")),
                        *world.citations(f"Secretary-General {n}"), (kz("holdsOffice"), kzr(office))]
    world.people.append(person)
    yield kzr(series), [(A, kz("MeetingSeries")), (label, en(f"Summits of Organization {n}")),
                        *world.citations(f"the summits of Organization {n}"), (kz("topic"), world.topics(1)[0])]
    yield kzr(group), [(A, kz("StateGroup")), (label, en(f"States of group {n}")), *world.citations(f"group {n}"),
                       (kz("memberCount"), typed(str(STATES_PER_ORGANIZATION), "positiveInteger"))]
    world.organization, world.bodies, world.series, world.group = org, (assembly, centre), series, group


def state_block(world: World, i: int) -> Iterator[Resource]:
    """A state and what happens around it; see the module's doc."""
    rng, label = world.rng, ("iri", "rdfs", "label")
    state = f"gen-state-{i}"
    yield kzr(state), [(A, kz("State")), (label, en(f"State {i}")), (label, ("lit", f"Государство {i}", "ru", None)),
                       *world.citations(f"State {i}"), (kz("memberOf"), kzr(world.organization)),
                       (kz("memberOf"), kzr(world.group))]
    world.states.append(state)
    cities = [f"gen-city-{i}-{n}" for n in (1, 2)]
    for n, city in enumerate(cities, 1):
        yield kzr(city), [(A, kz("City")), (label, en(f"City {n} of State {i}")), *world.citations(f"City {n} of State {i}"),
                          (kz("relatedTo"), kzr(state))]
    world.cities += cities
    people = []
    for role, title in (("president", "President"), ("foreign-minister", "Foreign Minister")):
        office, person = f"gen-office-{i}-{role}", f"gen-person-{i}-{role}"
        yield kzr(office), [(A, kz("Office")), (label, en(f"{title} of State {i}")), *world.citations(f"the {title} of State {i}"),
                            (kz("officeOf"), kzr(state))]
        yield kzr(person), [(A, kz("Person")), (label, en(f"{title} {i}")), *world.citations(f"{title} {i}"),
                            (kz("holdsOffice"), kzr(office))]
        people.append(person)
    world.people += people

    for m in range(3):
        yield from meeting(world, i, m, MEETING_KINDS[(i * 3 + m) % len(MEETING_KINDS)], state, cities, people)

    proposals = []
    for p in range(2):
        key = f"gen-proposal-{i}-{p}"
        pairs = [(A, kz("Initiative" if p == 1 else "Proposal")), (label, en(f"Proposal {p} of State {i}")),
                 *world.citations(f"the proposal {p} of State {i}"), (kz("proposedBy"), kzr(rng.choice(people + [state]))),
                 (kz("proposedAt"), kzr(world.pick(world.meetings)[0])), (kz("addressedTo"), kzr(world.organization)),
                 (kz("status"), kzr(f"gen-status-{rng.choice(STATUSES)}"))]
        pairs += [(kz("topic"), t) for t in world.topics(rng.randint(1, 2))]
        if rng.random() < 0.5:
            pairs.append((kz("plannedFor"), typed(str(rng.randint(2025, 2029)), "gYear")))
        if rng.random() < 0.3:
            pairs += [(kz("circulatedBy"), kzr(world.bodies[0])), (kz("circulatedOn"), world.date()),
                      (kz("circulatedAs"), en("official document of the Assembly"))]
        if rng.random() < 0.4:
            pairs.append((kz("spatialCoverage"), kzr(rng.choice(cities + [state, f"gen-region-{rng.choice(REGIONS)}"]))))
        if p == 1:
            pairs.append((kz("includes"), kzr(proposals[0])))
        for supporter in world.pick(world.states, rng.randint(0, 2)):
            pairs.append((kz("supportedBy"), kzr(supporter)))
        yield kzr(key), pairs
        proposals.append(key)
    world.proposals += proposals

    observed = (typed(f"--{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "gMonthDay") if rng.random() < 0.5
                else typed(str(rng.randint(2025, 2030)), "gYear"))
    yield kzr(f"gen-observance-{i}"), [(A, kz("Observance")), (label, en(f"International Day {i}")),
                                       *world.citations(f"International Day {i}"), (kz("declaredBy"), kzr(world.organization)),
                                       (kz("observedOn"), observed), (kz("topic"), world.topics(1)[0]),
                                       (kz("outcomeOf"), kzr(proposals[0]))]
    yield from documents(world, i, state)

    yield kzr(f"gen-claim-{i}"), [(A, kz("Claim")), (label, en(f"State {i} has become a regional hub")),
                                  *world.citations(f"State {i} as a hub"),
                                  (kz("claimedBy"), ("iri", "", world.article) if i % 2 else kzr(people[0])),
                                  (kz("about"), kzr(state)), (kz("about"), kzr(world.pick(world.meetings)[0])),
                                  (kz("topic"), world.topics(1)[0])]


def meeting(world: World, i: int, m: int, kind: str, state: str, cities: list[str], people: list[str]) -> Iterator[Resource]:
    rng, label = world.rng, ("iri", "rdfs", "label")
    key = f"gen-event-{i}-{m}"
    name = f"{kind.title()} {i}.{m}"
    others = world.pick(world.states, 3)
    pairs = [(label, en(name)), *world.citations(name), (kz("topic"), world.topics(1)[0])]
    if kind == "summit":
        pairs += [(A, kz("Summit")), (kz("date"), world.date()), (kz("location"), kzr(cities[0])), (kz("host"), kzr(state)),
                  (kz("chair"), kzr(people[0])), (kz("inSeries"), kzr(world.series)),
                  (kz("editionNumber"), typed(str(rng.randint(1, 30)), "positiveInteger")),
                  (kz("convenedBy"), kzr(world.organization))]
        pairs += [(kz("participant"), kzr(s)) for s in others]
    elif kind == "session":
        pairs += [(A, kz("AssemblySession")), (kz("date"), world.date()), (kz("sessionOf"), kzr(world.bodies[0])),
                  (kz("editionNumber"), typed(str(rng.randint(1, 90)), "positiveInteger")),
                  (kz("location"), kzr(world.pick(world.cities)[0]))]
        address = f"{key}-address"
        yield kzr(address), [(A, kz("Address")), (label, en(f"Address at {name}")), *world.citations(f"the address at {name}"),
                             (kz("date"), world.date()), (kz("deliveredBy"), kzr(people[0])), (kz("partOf"), kzr(key))]
        world.meetings.append(address)
    elif kind == "visit":
        start = f"{rng.choice((2024, 2025, 2026))}-{rng.randint(1, 12):02d}-{rng.randint(1, 20):02d}"
        end = f"{start[:8]}{int(start[8:]) + rng.randint(0, 5):02d}"
        pairs += [(A, kz("OfficialVisit")), (kz("visitor"), kzr(people[0])),
                  (kz("destination"), kzr(world.pick(world.cities)[0])), (kz("startDate"), typed(start, "date")),
                  (kz("endDate"), typed(end, "date"))]
    elif kind == "forum":
        pairs += [(A, kz("Forum")), (kz("date"), world.date()), (kz("host"), kzr(state)), (kz("location"), kzr(cities[1]))]
    elif kind == "congress":
        pairs += [(A, kz("Congress")), (kz("location"), kzr(cities[0])), (kz("inSeries"), kzr(world.series)),
                  (kz("delegationCount"), quantity(world)), (kz("countryCount"), quantity(world)),
                  (kz("date"), world.date())]
    elif kind == "inauguration":
        pairs += [(A, kz("Inauguration")), (kz("date"), world.date()), (kz("inaugurated"), kzr(world.bodies[1])),
                  (kz("participant"), kzr(people[0]))]
    elif kind == "cooperation":
        # the very first state has no partner yet: then the organization is the second party
        partners = [s for s in others if s != state][:2] or [world.organization]
        pairs += [(A, kz("Cooperation")), (kz("participant"), kzr(state))]
        pairs += [(kz("participant"), kzr(s)) for s in partners]
    else:
        pairs += [(A, kz("Conflict")), (kz("location"), kzr(rng.choice(world.states))), (kz("date"), world.date())]
    yield kzr(key), pairs
    world.meetings.append(key)


def quantity(world: World) -> Term:
    return ("bnode", [(A, kz("Quantity")), (kz("quantityValue"), typed(str(world.rng.randint(5, 200)), "integer")),
                      (kz("qualifier"), kzr(f"gen-qualifier-{world.rng.choice(QUALIFIERS)}"))])


def documents(world: World, i: int, state: str) -> Iterator[Resource]:
    rng, label = world.rng, ("iri", "rdfs", "label")
    # the block's first meeting that is a kz:Meeting (cooperation and conflict are activities only)
    m = next(m for m in range(3) if MEETING_KINDS[(i * 3 + m) % len(MEETING_KINDS)] not in ("cooperation", "conflict"))
    meeting = f"gen-event-{i}-{m}"
    doc = f"gen-document-{i}"
    kind = ("Declaration", "Treaty", "Resolution", "Agreement")[i % 4]
    pairs = [(A, kz(kind)), (label, en(f"{kind} {i}")), *world.citations(f"the {kind} {i}"), (kz("topic"), world.topics(1)[0])]
    if kind == "Declaration":
        pairs += [(kz("signedAt"), kzr(meeting)), (kz("date"), world.date())]
    elif kind == "Treaty":
        pairs += [(kz("signedAt"), kzr(meeting)), (kz("party"), kzr(state))]
        pairs += [(kz("party"), kzr(s)) for s in world.pick(world.states, 2) if s != state]
    elif kind == "Resolution":
        pairs += [(kz("adoptedBy"), kzr(world.bodies[0])), (kz("date"), world.date()),
                  (kz("adoptedUnanimously"), typed(rng.choice(("true", "false")), "boolean")),
                  (kz("establishes"), kzr(world.bodies[1]))]
    else:
        pairs += [(kz("outcomeOf"), kzr(meeting)), (kz("party"), kzr(state))]
    yield kzr(doc), pairs


def resources(world: World, triples: int) -> Iterator[Resource]:
    """Every resource, in order, until about ``triples`` triples (counted by the writer through ``world``)."""
    yield from preamble(world)
    i = 0
    while world.written < triples:
        if i % STATES_PER_ARTICLE == 0 and i:
            world.article = f"{ARTICLE_BASE}article-{i // STATES_PER_ARTICLE}"
            yield from article(world, i // STATES_PER_ARTICLE)
        if i % STATES_PER_ORGANIZATION == 0:
            yield from organization(world, i // STATES_PER_ORGANIZATION)
        yield from state_block(world, i)
        i += 1


class Writer:
    """Writes resources as N-Triples or Turtle, counting triples; blank nodes get labels in document order."""

    def __init__(self, out: TextIO, turtle: bool) -> None:
        self.out, self.turtle, self.triples, self.blanks = out, turtle, 0, 0
        if turtle:
            out.write("".join(f"@prefix {p}: <{iri}> .\n" for p, iri in sorted(NS.items())) + "\n")

    def term(self, t: Term) -> str:
        if t[0] == "iri":
            if not t[1]:
                return f"<{t[2]}>"
            return f"{t[1]}:{t[2]}" if self.turtle else f"<{NS[t[1]]}{t[2]}>"
        if t[0] == "lit":
            text = '"' + t[1].replace("\\", "\\\\").replace('"', '\\"') + '"'
            if t[2]:
                return f"{text}@{t[2]}"
            return f"{text}^^xsd:{t[3]}" if self.turtle else f"{text}^^<{NS['xsd']}{t[3]}>"
        raise ValueError(t)

    def write(self, subject: Term, pairs: list[tuple[Term, Term]]) -> None:
        if self.turtle:
            body = " ;\n    ".join(f"{'a' if p == A else self.term(p)} {self.object(o)}" for p, o in pairs)
            self.out.write(f"{self.term(subject)}\n    {body} .\n\n")
            self.triples += self.count(pairs)
        else:
            self.nt(self.term(subject), pairs)

    def object(self, o: Term) -> str:
        if o[0] != "bnode":
            return self.term(o)
        return "[ " + " ; ".join(f"{'a' if p == A else self.term(p)} {self.object(v)}" for p, v in o[1]) + " ]"

    def count(self, pairs) -> int:
        return sum(1 + (self.count(o[1]) if o[0] == "bnode" else 0) for _, o in pairs)

    def nt(self, subject: str, pairs) -> None:
        lines = []
        for p, o in pairs:
            if o[0] == "bnode":
                self.blanks += 1
                label = f"_:b{self.blanks}"
                lines.append(f"{subject} {self.term(p)} {label} .\n")
                self.nt(label, o[1])
            else:
                lines.append(f"{subject} {self.term(p)} {self.term(o)} .\n")
        self.triples += len(lines)
        self.out.write("".join(lines))


def generate(out: TextIO, *, triples: int, seed: int, turtle: bool) -> int:
    """Write about ``triples`` triples (at least that many) to ``out``; returns how many were written."""
    world = World(seed)
    writer = Writer(out, turtle)
    for subject, pairs in resources(world, triples):
        writer.write(subject, pairs)
        world.written = writer.triples
    return writer.triples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000, help="how many triples, at least (default 100000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("-o", "--output", default="-", help="file to write: .nt for N-Triples, else Turtle (default stdout)")
    args = parser.parse_args(argv)
    turtle = not args.output.endswith(".nt")
    if args.output == "-":
        written = generate(sys.stdout, triples=args.triples, seed=args.seed, turtle=turtle)
    else:
        with open(args.output, "w", encoding="utf-8", newline="\n") as out:
            written = generate(out, triples=args.triples, seed=args.seed, turtle=turtle)
    print(f"{written} triples written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
