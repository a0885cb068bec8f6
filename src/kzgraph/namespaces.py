"""The project's IRIs, the vocabularies the code uses, and the one canonical prefix map.

Ontology terms live in a hash namespace, instances in a slash namespace, and
the three named graphs of the store under ``graph/``:

>>> KZR + "country-KAZ"
'https://w3id.org/kzgraph/resource/country-KAZ'
>>> PREFIXES["kz"]
'https://w3id.org/kzgraph/ontology#'
"""

from __future__ import annotations

BASE = "https://w3id.org/kzgraph/"
KZ = BASE + "ontology#"
KZR = BASE + "resource/"
KZSH = BASE + "shapes#"
GRAPH = BASE + "graph/"

ONTOLOGY_GRAPH = GRAPH + "ontology"
DATA_GRAPH = GRAPH + "data"
INFERRED_GRAPH = GRAPH + "inferred"
REFERENCE_GRAPH = GRAPH + "reference"
"""What the articles presuppose but do not state (the states of a group, the state a city is in), each statement cited to Wikidata evidence."""
DATES_GRAPH = GRAPH + "dates"
"""The date bounds derived at load from the precise dates (see :mod:`kzgraph.dates`)."""

WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
WIKIDATA_DIRECT = "http://www.wikidata.org/prop/direct/"

PREFIXES: dict[str, str] = {
    "dcterms": "http://purl.org/dc/terms/",
    "kz": KZ,
    "kzr": KZR,
    "kzsh": KZSH,
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "void": "http://rdfs.org/ns/void#",
    "wd": WIKIDATA_ENTITY,
    "wdt": WIKIDATA_DIRECT,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
"""Every prefix the project's files may declare, sorted A→Z."""



def compact(iri: str) -> str:
    """An IRI as a person reads it: a prefixed name where a project prefix fits, else ``<iri>``.

    >>> compact("https://w3id.org/kzgraph/resource/country-KAZ"), compact("urn:x")
    ('kzr:country-KAZ', '<urn:x>')
    """
    for prefix, namespace in PREFIXES.items():
        local = iri[len(namespace):]
        if iri.startswith(namespace) and "/" not in local and "#" not in local:
            return f"{prefix}:{local}"
    return f"<{iri}>"


class Vocabulary:
    """A namespace with a closed list of terms: an unknown name fails at once.

    Not a ``str``: a term named like a string method (``DCTERMS.title``) must
    give the term.

    >>> SD.Service
    'http://www.w3.org/ns/sparql-service-description#Service'
    >>> SD.Servise
    Traceback (most recent call last):
    AttributeError: <http://www.w3.org/ns/sparql-service-description#> has no term 'Servise' here
    """

    __slots__ = ("iri", "terms")

    def __init__(self, iri: str, terms: str) -> None:
        self.iri = iri
        self.terms = frozenset(terms.split())

    def __getattr__(self, name: str) -> str:
        if name in self.terms:
            return self.iri + name
        raise AttributeError(f"<{self.iri}> has no term {name!r} here")

    def __str__(self) -> str:
        return self.iri


KZ_TERMS = Vocabulary(KZ, """
    Citation Claim Document Meeting Office Organization Person Place Proposal SourceArticle State
    citation claimedBy quote sourceArticle
""")
"""The ontology terms the code names (a test checks each is declared in ontology/)."""
RDF = Vocabulary(PREFIXES["rdf"], "type first rest nil")
RDFS = Vocabulary(PREFIXES["rdfs"], "label comment subClassOf subPropertyOf domain range isDefinedBy Resource")
OWL = Vocabulary(PREFIXES["owl"], """
    Thing Nothing sameAs equivalentClass equivalentProperty inverseOf TransitiveProperty SymmetricProperty
    propertyChainAxiom Class ObjectProperty DatatypeProperty
""")
SD = Vocabulary("http://www.w3.org/ns/sparql-service-description#", """
    Service endpoint supportedLanguage SPARQL11Query feature UnionDefaultGraph BasicFederatedQuery
    defaultDataset Dataset defaultGraph Graph NamedGraph namedGraph name graph resultFormat
""")
VOID = Vocabulary(PREFIXES["void"], """
    Dataset triples sparqlEndpoint dataDump uriSpace vocabulary entities classes properties
    distinctSubjects distinctObjects subset
""")
DCTERMS = Vocabulary(PREFIXES["dcterms"], "title description license hasVersion source")
XSD = Vocabulary(PREFIXES["xsd"], "integer string date gYearMonth gYear gMonthDay")
W3C_FORMATS = "http://www.w3.org/ns/formats/"
