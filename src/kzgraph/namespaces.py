"""The project's IRIs and the one canonical prefix map.

Ontology terms live in a hash namespace, instances in a slash namespace, and
the three named graphs of the store under ``graph/``:

>>> KZR + "country-KAZ"
'https://w3id.org/kzgraph/resource/country-KAZ'
>>> PREFIXES["kz"]
'https://w3id.org/kzgraph/ontology#'
"""

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

