"""The W3C SPARQL 1.1 Protocol test cases, ported to our read-only endpoint.

Source: the manifest ``sparql/sparql11/protocol/manifest.ttl`` of the GitHub
repository ``w3c/rdf-tests``, as stored at commit
``645032e4b7aee6b0f9218cce7836207603ec0175`` (34 entries, all
``mf:ProtocolTest``). One case, ``query_dataset_default_graph``, is not in
that manifest; it comes from the draft suite the manifest grew out of,
``README.md`` of ``kasei/sparql11-protocolvalidator`` at commit
``1ce0201fcd00ea4eb82464b7fe9e1467cf062a2f``.

Every case is one test function named after it; its docstring quotes the
case's ``mf:name`` and the request and response of its ``rdfs:comment``.
The cases query ``http://kasei.us/2009/09/sparql/data/data{0..3}.rdf``,
which are not in our store; they are replaced by our named graphs (DATA,
ONTOLOGY, INFERRED below), with facts of the graph instead of the files'
triples. The W3C requests go to ``/sparql/``; ours is ``/sparql`` (the
endpoint URL is the service's choice). Where a case's literal check passes
but the spec asks for more than it checks (the exact dataset, relative IRIs)
the function is parametrized: the extra variants send the same kind of
request and check that stricter reading too.

=============================  ==================================================
case(s)                        adaptation
=============================  ==================================================
query_get, query_post_form,    ``ASK {}`` → ASK of a fact of DATA; the answer
query_post_direct              must be JSON ``true``
query_content_type_select/ask  literal; the value/boolean is checked too
query_content_type_describe    ``DESCRIBE <http://example.org/>`` → DESCRIBE of
                               our resource, a triple checked in the Turtle
query_content_type_construct   literal (relative IRIs, resolved against the
                               endpoint URL) and a variant with absolute IRIs
query_dataset_default_graph(s) data1/data2 → DATA + ONTOLOGY as default graph;
_get/_post                     joins across both; INFERRED must be absent;
                               a variant checks there are no named graphs
query_dataset_named_graphs     data1/data2 → DATA + ONTOLOGY as named graphs;
_get/_post                     exactly those; a variant checks the default
                               graph is empty
query_dataset_full             default DATA, named ONTOLOGY; compared row by
                               row with the same join written with GRAPH
query_multiple_dataset         FROM ONTOLOGY loses to default-graph-uri=DATA
update_* (7 cases)             the endpoint is read-only: each update must be
                               refused with 403 and a message, the graph sizes
                               (via the endpoint and the store) unchanged, and
                               the case's follow-up query must see no effect
bad_query_* / bad_multiple_*   literal; the exact 4xx status and message
bad_update_* (7 cases)         literal (graph IRIs → ours); exact 4xx status,
                               message and an unchanged graph
=============================  ==================================================
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest

GRAPH = "https://w3id.org/kzgraph/graph/"
DATA = GRAPH + "data"
ONTOLOGY = GRAPH + "ontology"
INFERRED = GRAPH + "inferred"
REFERENCE_GRAPH = GRAPH + "reference"
DATES_GRAPH = GRAPH + "dates"

KZ = "https://w3id.org/kzgraph/ontology#"
KZR = "https://w3id.org/kzgraph/resource/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
SRX = "{http://www.w3.org/2005/sparql-results#}"

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"

KASEI = {
    "http://kasei.us/2009/09/sparql/data/data1.rdf": DATA,
    "http://kasei.us/2009/09/sparql/data/data2.rdf": ONTOLOGY,
    "http://kasei.us/2009/09/sparql/data/data3.rdf": INFERRED,
}

# Facts of the graph, each in exactly one named graph.
DATA_FACT = 'kzr:org-sco rdfs:label "SCO"@en'  # in DATA only
ONTOLOGY_FACT = "kz:State a owl:Class"  # in ONTOLOGY only
INFERRED_FACT = "kzr:org-sco a kz:Organization"  # in INFERRED only (DATA says kz:InternationalOrganization)

# --- requests and answers ----------------------------------------------------


def _adapt(text: str) -> str:
    """A W3C request text with the kasei.us data files replaced by our named graphs."""
    for kasei, ours in KASEI.items():
        text = text.replace(kasei, ours)
    return text


def _url(*pairs: tuple[str, str]) -> str:
    """``/sparql`` with the protocol parameters percent-encoded as the W3C requests are (``%20``)."""
    return "/sparql?" + urlencode(pairs, quote_via=quote) if pairs else "/sparql"


def _form(*pairs: tuple[str, str]) -> bytes:
    return urlencode(pairs, quote_via=quote).encode("ascii")


def _results(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == RESULTS_JSON
    assert response.mimetype_params.get("charset") == "utf-8"
    return json.loads(response.get_data(as_text=True))


def _boolean(response) -> bool:
    """The boolean of an ASK answer, in SPARQL JSON or XML."""
    if response.mimetype == RESULTS_XML:
        assert response.status_code == 200, response.get_data(as_text=True)
        root = ET.fromstring(response.get_data())
        (node,) = root.iter(SRX + "boolean")
        assert node.text in {"true", "false"}
        return node.text == "true"
    document = _results(response)
    assert set(document) == {"head", "boolean"}
    assert isinstance(document["boolean"], bool)
    return document["boolean"]


def _bindings(response) -> list[dict]:
    return _results(response)["results"]["bindings"]


def _rdf(response, media: str = "text/turtle", fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> set[ox.Triple]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == media
    return {q if isinstance(q, ox.Triple) else q.triple for q in ox.parse(response.get_data(), format=fmt)}


def _error(response, status: int, phrase: str, fragment: str) -> str:
    """The text/plain error body, checked to start with the status and to explain itself."""
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert response.mimetype == "text/plain"
    assert body.startswith(f"{status} {phrase}: "), body
    assert fragment in body, body
    return body


def _refused_update(response) -> None:
    _error(response, 403, "Forbidden", "SPARQL Update is not allowed: this endpoint is read-only")


SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _graph_sizes(client) -> dict[str, int]:
    """Triples per named graph, as the endpoint's query processes see them."""
    rows = _bindings(client.get(_url(("query", SIZES))))
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


@contextmanager
def _unchanged(client, store) -> Iterator[None]:
    """Assert that the graph, seen through the endpoint and in the store, is the same after the block."""
    through_endpoint = _graph_sizes(client)
    in_store = (store.graph_names(), len(store))
    assert set(through_endpoint) == {DATA, ONTOLOGY, INFERRED, REFERENCE_GRAPH, DATES_GRAPH}
    yield
    assert _graph_sizes(client) == through_endpoint
    assert (store.graph_names(), len(store)) == in_store
    assert store.ask(f"ASK {{ GRAPH <{DATA}> {{ {DATA_FACT} }} GRAPH <{ONTOLOGY}> {{ {ONTOLOGY_FACT} }} }}")


def _ask_xml(client, query: str) -> bool:
    """A follow-up ASK of an update case, sent as the W3C sends it (direct POST, XML results)."""
    response = client.post(_url(), data=_adapt(query).encode(), content_type=DIRECT,
                           headers={"Accept": RESULTS_XML})
    assert response.mimetype == RESULTS_XML
    return _boolean(response)


# --- positive query cases ----------------------------------------------------


def test_query_get(client):
    """query_get — "query via GET".

    Request ``GET /sparql?query=ASK%20%7B%7D``; response 2xx or 3xx,
    Content-Type application/sparql-results+xml or +json, ``true``.
    Adapted: ASK of a fact of our graph instead of ``ASK {}``.
    """
    response = client.get(_url(("query", f"ASK {{ {DATA_FACT} }}")))
    assert _boolean(response) is True


def test_query_post_form(client):
    """query_post_form — "query via URL-encoded POST".

    Request ``POST /sparql/``, ``Content-Type: application/x-www-form-urlencoded``,
    body ``query=ASK%20%7B%7D``; response 2xx or 3xx, Content-Type
    application/sparql-results+xml or +json, ``true``.
    Adapted: ASK of a fact of our graph instead of ``ASK {}``.
    """
    response = client.post(_url(), data=_form(("query", f"ASK {{ {DATA_FACT} }}")), content_type=FORM)
    assert _boolean(response) is True


def test_query_post_direct(client):
    """query_post_direct — "query via POST directly".

    Request ``POST /sparql/``, ``Content-Type: application/sparql-query``, body
    ``ASK {}``; response 2xx or 3xx, Content-Type application/sparql-results+xml
    or +json, ``true``.
    Adapted: ASK of a fact of our graph instead of ``ASK {}``.
    """
    response = client.post(_url(), data=f"ASK {{ {DATA_FACT} }}".encode(), content_type=DIRECT)
    assert _boolean(response) is True


def test_query_dataset_default_graph(client):
    """query_dataset_default_graph — "query with protocol-specified default graph".

    Not in the W3C manifest; from kasei/sparql11-protocolvalidator README.md.
    Request ``POST /sparql/?default-graph-uri=…data1.rdf``, ``Content-Type:
    application/sparql-query``, body ``ASK { <…data1.rdf> ?p ?o }``; response
    2xx or 3xx, Content-Type application/sparql-results+xml or +json, ``true``.
    Adapted: default graph DATA; a DATA fact is there, an ONTOLOGY fact is not.
    """
    query = f"ASK {{ kzr:org-sco ?p ?o FILTER NOT EXISTS {{ {ONTOLOGY_FACT} }} }}"
    response = client.post(_url(("default-graph-uri", DATA)), data=query.encode(), content_type=DIRECT)
    assert _boolean(response) is True


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The W3C shape: the two graphs' triples join in one default graph.
        pytest.param("ASK { kzr:country-KAZ a ?type . ?type a owl:Class }", True, id="merged-default-graph"),
        pytest.param(f"ASK {{ {INFERRED_FACT} }}", False, id="no-other-graph-in-default"),
        pytest.param("ASK { GRAPH ?g { ?s ?p ?o } }", False, id="no-named-graphs"),
    ],
)
def test_query_dataset_default_graphs_get(client, query, expected):
    """query_dataset_default_graphs_get — "GET query with protocol-specified default graph".

    Request ``GET /sparql?query=ASK { <…data1.rdf> a ?type . <…data2.rdf> a ?type . }
    &default-graph-uri=…data1.rdf&default-graph-uri=…data2.rdf``; response 2xx
    or 3xx, Content-Type application/sparql-results+xml or +json, ``true``.
    Adapted: default graphs DATA and ONTOLOGY; the dataset must be exactly
    their merge (INFERRED absent, and no named graphs at all).
    """
    response = client.get(_url(("query", query), ("default-graph-uri", DATA), ("default-graph-uri", ONTOLOGY)))
    assert _boolean(response) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The W3C shape: one subject from each graph, in one default graph.
        pytest.param("ASK { kzr:org-sco ?p ?o1 . kz:State ?p ?o2 }", True, id="merged-default-graph"),
        pytest.param(f"ASK {{ {INFERRED_FACT} }}", False, id="no-other-graph-in-default"),
        pytest.param("ASK { GRAPH ?g { ?s ?p ?o } }", False, id="no-named-graphs"),
    ],
)
def test_query_dataset_default_graphs_post(client, query, expected):
    """query_dataset_default_graphs_post — "POST query with protocol-specified default graphs".

    Request ``POST /sparql/?default-graph-uri=…data1.rdf&default-graph-uri=…data2.rdf``,
    ``Content-Type: application/sparql-query``, body ``ASK { <…data1.rdf> ?p ?o .
    <…data2.rdf> ?p ?o }``; response 2xx or 3xx, Content-Type
    application/sparql-results+xml or +json, ``true``.
    Adapted: default graphs DATA and ONTOLOGY (no subject of one is in the
    other, and they share no predicate-object pair, hence ``?o1``/``?o2``).
    """
    url = _url(("default-graph-uri", DATA), ("default-graph-uri", ONTOLOGY))
    response = client.post(url, data=query.encode(), content_type=DIRECT)
    assert _boolean(response) is expected


NAMED_GRAPHS_VARIANTS = [
    pytest.param("ASK { GRAPH ?g { ?s ?p ?o } }", True, id="w3c"),
    pytest.param(
        f"ASK {{ GRAPH <{DATA}> {{ {DATA_FACT} }} GRAPH <{ONTOLOGY}> {{ {ONTOLOGY_FACT} }}"
        f" FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g NOT IN (<{DATA}>, <{ONTOLOGY}>)) }} }}",
        True,
        id="exactly-these-named-graphs",
    ),
    pytest.param("ASK { ?s ?p ?o }", False, id="empty-default-graph"),
]


@pytest.mark.parametrize(("query", "expected"), NAMED_GRAPHS_VARIANTS)
def test_query_dataset_named_graphs_post(client, query, expected):
    """query_dataset_named_graphs_post — "POST query with protocol-specified named graphs".

    Request ``POST /sparql/?named-graph-uri=…data1.rdf&named-graph-uri=…data2.rdf``,
    ``Content-Type: application/sparql-query``, body ``ASK { GRAPH ?g { ?s ?p ?o } }``;
    response 2xx or 3xx, Content-Type application/sparql-results+xml or +json, ``true``.
    Adapted: named graphs DATA and ONTOLOGY; exactly those are named, and the
    default graph is empty (no default-graph-uri).
    """
    url = _url(("named-graph-uri", DATA), ("named-graph-uri", ONTOLOGY))
    response = client.post(url, data=query.encode(), content_type=DIRECT)
    assert _boolean(response) is expected


@pytest.mark.parametrize(("query", "expected"), NAMED_GRAPHS_VARIANTS)
def test_query_dataset_named_graphs_get(client, query, expected):
    """query_dataset_named_graphs_get — "GET query with protocol-specified named graphs".

    Request ``GET /sparql/?named-graph-uri=…data1.rdf&named-graph-uri=…data2.rdf
    &query=ASK%20%7B%20GRAPH%20%3Fg%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20%7D``;
    response 2xx or 3xx, Content-Type application/sparql-results+xml or +json, ``true``.
    Adapted as query_dataset_named_graphs_post, over GET.
    """
    response = client.get(_url(("named-graph-uri", DATA), ("named-graph-uri", ONTOLOGY), ("query", query)))
    assert _boolean(response) is expected


def test_query_dataset_full(client, store):
    """query_dataset_full — "query with protocol-specified dataset (both named and default graphs)".

    Request ``POST /sparql/?default-graph-uri=…data3.rdf&named-graph-uri=…data1.rdf
    &named-graph-uri=…data2.rdf``, ``Content-Type: application/sparql-query``, body
    ``SELECT ?g ?x ?s { ?x ?y ?o  GRAPH ?g { ?s ?p ?o } }``; response 2xx or 3xx,
    Content-Type application/sparql-results+xml or +json.
    Adapted: default graph DATA, named graph ONTOLOGY (INFERRED left out);
    the rows must be those of the same join with the graphs written out.
    """
    url = _url(("default-graph-uri", DATA), ("named-graph-uri", ONTOLOGY))
    response = client.post(url, data=b"SELECT ?g ?x ?s { ?x ?y ?o  GRAPH ?g { ?s ?p ?o } }", content_type=DIRECT)
    rows = _bindings(response)

    def key(term: dict | ox.NamedNode | ox.BlankNode) -> str:
        if isinstance(term, dict):
            return term["value"] if term["type"] == "uri" else "_:"
        return term.value if isinstance(term, ox.NamedNode) else "_:"

    got = Counter((key(r["g"]), key(r["x"]), key(r["s"])) for r in rows)
    expected = Counter(
        (ONTOLOGY, key(r["x"]), key(r["s"]))
        for r in store.select(f"SELECT ?x ?s {{ GRAPH <{DATA}> {{ ?x ?y ?o }} GRAPH <{ONTOLOGY}> {{ ?s ?p ?o }} }}")
    )
    assert rows, "the join of DATA and ONTOLOGY is not empty"
    assert {g for g, _, _ in got} == {ONTOLOGY}
    assert got == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(f"ASK FROM <{ONTOLOGY}> {{ {ONTOLOGY_FACT} }}", False, id="w3c"),
        pytest.param(f"ASK FROM <{ONTOLOGY}> {{ {DATA_FACT} }}", True, id="protocol-graph-used"),
    ],
)
def test_query_multiple_dataset(client, query, expected):
    """query_multiple_dataset — "query specifying dataset in both query string and
    protocol; test for use of protocol-specified dataset".

    Request ``POST /sparql/?default-graph-uri=…data2.rdf``, ``Content-Type:
    application/sparql-query``, body ``ASK FROM <…data1.rdf> { <…data1.rdf> ?p ?o }``;
    response 2xx or 3xx, Content-Type application/sparql-results+xml or +json, ``false``.
    Adapted: FROM ONTOLOGY in the query, default-graph-uri=DATA in the URL.
    """
    response = client.post(_url(("default-graph-uri", DATA)), data=query.encode(), content_type=DIRECT)
    assert _boolean(response) is expected


def test_query_content_type_select(client):
    """query_content_type_select — "query appropriate content type (expect one of: XML, JSON, CSV, TSV)".

    Request ``POST /sparql/``, ``Content-Type: application/sparql-query``, body
    ``SELECT (1 AS ?value) {}``; response 2xx or 3xx, Content-Type
    application/sparql-results+xml, application/sparql-results+json,
    text/tab-separated-values, or text/csv.
    """
    response = client.post(_url(), data=b"SELECT (1 AS ?value) {}", content_type=DIRECT)
    document = _results(response)
    assert document["head"]["vars"] == ["value"]
    assert document["results"]["bindings"] == [{"value": {"type": "literal", "value": "1", "datatype": XSD_INTEGER}}]


def test_query_content_type_ask(client):
    """query_content_type_ask — "query appropriate content type (expect one of: XML, JSON)".

    Request ``POST /sparql/``, ``Content-Type: application/sparql-query``, body
    ``ASK {}``; response 2xx or 3xx, Content-Type application/sparql-results+xml
    or application/sparql-results+json.
    """
    response = client.post(_url(), data=b"ASK {}", content_type=DIRECT)
    assert response.mimetype in {RESULTS_JSON, RESULTS_XML}
    assert _boolean(response) is True


def test_query_content_type_describe(client):
    """query_content_type_describe — "query appropriate content type (expect one of:
    RDF/XML, Turtle, N-Triples, RDFa)".

    Request ``POST /sparql/``, ``Content-Type: application/sparql-query``, body
    ``DESCRIBE <http://example.org/>``; response 2xx or 3xx, Content-Type
    application/rdf+xml, application/rdf+json or text/turtle.
    Adapted: DESCRIBE a resource of ours, so that the Turtle has a triple to check.
    """
    response = client.post(_url(), data=b"DESCRIBE kzr:org-sco", content_type=DIRECT)
    triples = _rdf(response)
    label = ox.Triple(ox.NamedNode(KZR + "org-sco"), ox.NamedNode(RDFS_LABEL), ox.Literal("SCO", language="en"))
    assert label in triples


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("CONSTRUCT { <s> <p> 1 } WHERE {}", id="w3c-relative-iris"),
        pytest.param("CONSTRUCT { <http://example.org/s> <http://example.org/p> 1 } WHERE {}", id="absolute-iris"),
    ],
)
def test_query_content_type_construct(client, query):
    """query_content_type_construct — "query appropriate content type (expect one of:
    RDF/XML, Turtle, N-Triples, RDFa)".

    Request ``POST /sparql/``, ``Content-Type: application/sparql-query``, body
    ``CONSTRUCT { <s> <p> 1 } WHERE {}``; response 2xx or 3xx, Content-Type
    application/rdf+xml, application/rdf+json or text/turtle.
    The relative ``<s>``/``<p>`` must resolve against the service's base IRI;
    the variant with absolute IRIs checks the content type alone.
    """
    response = client.post(_url(), data=query.encode(), content_type=DIRECT)
    (triple,) = _rdf(response)
    assert triple.subject.value.endswith("s") and triple.predicate.value.endswith("p")
    assert triple.object == ox.Literal("1", datatype=ox.NamedNode(XSD_INTEGER))


# --- update cases: refused by a read-only endpoint -------------------------------


def test_update_dataset_default_graph(client, store):
    """update_dataset_default_graph — "update with protocol-specified default graph".

    Request ``POST /sparql?using-graph-uri=…data1.rdf``, ``Content-Type:
    application/sparql-update``, body ``CLEAR ALL ; INSERT DATA { GRAPH <…data1.rdf>
    { <…data1.rdf> a foaf:Document } } ; INSERT { GRAPH
    <http://example.org/protocol-update-dataset-test/> { ?s a dc:BibliographicResource } }
    WHERE { ?s a foaf:Document }``; response 2xx or 3xx; then the ASK of that
    triple answers ``true``.
    Read-only: 403 with a message, the graph unchanged, the follow-up ASK ``false``.
    """
    update = """PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
CLEAR ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document
    }
} ;
INSERT {
    GRAPH <http://example.org/protocol-update-dataset-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    ?s a foaf:Document
}
"""
    with _unchanged(client, store):
        response = client.post(_url(("using-graph-uri", DATA)), data=_adapt(update).encode(), content_type=UPDATE)
        _refused_update(response)
    assert _ask_xml(client, """ASK {
    GRAPH <http://example.org/protocol-update-dataset-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource>
    }
}""") is False


UPDATE_THREE_DOCUMENTS = """PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
CLEAR ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> { <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data2.rdf> { <http://kasei.us/2009/09/sparql/data/data2.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data3.rdf> { <http://kasei.us/2009/09/sparql/data/data3.rdf> a foaf:Document }
} ;
"""

FOLLOW_UP_TWO_DOCUMENTS = """ASK {
    GRAPH <TEST> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
    }
    FILTER NOT EXISTS {
        GRAPH <TEST> {
            <http://kasei.us/2009/09/sparql/data/data3.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        }
    }
}"""


def test_update_dataset_default_graphs(client, store):
    """update_dataset_default_graphs — "update with protocol-specified default graphs".

    Request ``POST /sparql?using-graph-uri=…data1.rdf&using-graph-uri=…data2.rdf``,
    ``Content-Type: application/sparql-update``, body ``CLEAR ALL ; INSERT DATA {…three
    documents…} ; INSERT { GRAPH <http://example.org/protocol-update-dataset-graphs-test/>
    { ?s a dc:BibliographicResource } } WHERE { ?s a foaf:Document }``; response 2xx
    or 3xx; then the follow-up ASK answers ``true``.
    Read-only: 403 with a message, the graph unchanged, the follow-up ASK ``false``.
    """
    update = UPDATE_THREE_DOCUMENTS + """INSERT {
    GRAPH <http://example.org/protocol-update-dataset-graphs-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    ?s a foaf:Document
}
"""
    url = _url(("using-graph-uri", DATA), ("using-graph-uri", ONTOLOGY))
    with _unchanged(client, store):
        _refused_update(client.post(url, data=_adapt(update).encode(), content_type=UPDATE))
    follow_up = FOLLOW_UP_TWO_DOCUMENTS.replace("TEST", "http://example.org/protocol-update-dataset-graphs-test/")
    assert _ask_xml(client, follow_up) is False


def test_update_dataset_named_graphs(client, store):
    """update_dataset_named_graphs — "update with protocol-specified named graphs".

    Request ``POST /sparql?using-named-graph-uri=…data1.rdf&using-named-graph-uri=…data2.rdf``,
    ``Content-Type: application/sparql-update``, body ``CLEAR ALL ; INSERT DATA {…three
    documents…} ; INSERT { GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/>
    { ?s a dc:BibliographicResource } } WHERE { GRAPH ?g { ?s a foaf:Document } }``;
    response 2xx or 3xx; then the follow-up ASK answers ``true``.
    Read-only: 403 with a message, the graph unchanged, the follow-up ASK ``false``.
    """
    update = UPDATE_THREE_DOCUMENTS + """INSERT {
    GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    GRAPH ?g {
        ?s a foaf:Document
    }
}
"""
    url = _url(("using-named-graph-uri", DATA), ("using-named-graph-uri", ONTOLOGY))
    with _unchanged(client, store):
        _refused_update(client.post(url, data=_adapt(update).encode(), content_type=UPDATE))
    follow_up = FOLLOW_UP_TWO_DOCUMENTS.replace("TEST", "http://example.org/protocol-update-dataset-named-graphs-test/")
    assert _ask_xml(client, follow_up) is False


def test_update_dataset_full(client, store):
    """update_dataset_full — "update with protocol-specified dataset (both named and default graphs)".

    Request ``POST /sparql?using-graph-uri=…data1.rdf&using-named-graph-uri=…data2.rdf``,
    ``Content-Type: application/sparql-update``, body ``CLEAR ALL ; INSERT DATA {…three
    documents…} ; INSERT { GRAPH <http://example.org/protocol-update-dataset-full-test/>
    { ?s <http://example.org/in> ?in } } WHERE { { GRAPH ?g { ?s a foaf:Document }
    BIND(?g AS ?in) } UNION { ?s a foaf:Document . BIND("default" AS ?in) } }``;
    response 2xx or 3xx; then the follow-up ASK answers ``true``.
    Read-only: 403 with a message, the graph unchanged, the follow-up ASK ``false``.
    """
    update = UPDATE_THREE_DOCUMENTS + """INSERT {
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {
        ?s <http://example.org/in> ?in
    }
}
WHERE {
    {
        GRAPH ?g { ?s a foaf:Document }
        BIND(?g AS ?in)
    }
    UNION
    {
        ?s a foaf:Document .
        BIND("default" AS ?in)
    }
}
"""
    url = _url(("using-graph-uri", DATA), ("using-named-graph-uri", ONTOLOGY))
    with _unchanged(client, store):
        _refused_update(client.post(url, data=_adapt(update).encode(), content_type=UPDATE))
    assert _ask_xml(client, """ASK {
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> <http://example.org/in> "default" .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> <http://example.org/in> <http://kasei.us/2009/09/sparql/data/data2.rdf> .
    }
}""") is False


def test_update_post_form(client, store):
    """update_post_form — "update via URL-encoded POST".

    Request ``POST /sparql/``, ``Content-Type: application/x-www-form-urlencoded``,
    body ``update=CLEAR%20ALL``; response 2xx or 3xx.
    Read-only: 403 with a message, and CLEAR ALL cleared nothing.
    """
    with _unchanged(client, store):
        _refused_update(client.post(_url(), data=b"update=CLEAR%20ALL", content_type=FORM))


def test_update_post_direct(client, store):
    """update_post_direct — "update via POST directly".

    Request ``POST /sparql/``, ``Content-Type: application/sparql-update``, body
    ``CLEAR ALL``; response 2xx or 3xx.
    Read-only: 403 with a message, and CLEAR ALL cleared nothing.
    """
    with _unchanged(client, store):
        _refused_update(client.post(_url(), data=b"CLEAR ALL", content_type=UPDATE))


def test_update_base_uri(client, store):
    """update_base_uri — "test for service-defined BASE URI ("which MAY be the service endpoint")".

    Request ``POST /sparql/``, ``Content-Type: application/sparql-update``, body
    ``CLEAR GRAPH <http://example.org/protocol-base-test/> ; INSERT DATA { GRAPH
    <http://example.org/protocol-base-test/> { <http://example.org/s> <http://example.org/p>
    <test> } }``; response 2xx or 3xx; then ``SELECT ?o`` of that triple (Accept
    application/sparql-results+xml) gives one result, an IRI that is not ``<test>``.
    Read-only: 403 with a message, the graph unchanged, and the SELECT finds nothing.
    """
    update = (
        "CLEAR GRAPH <http://example.org/protocol-base-test/> ;\n"
        "INSERT DATA { GRAPH <http://example.org/protocol-base-test/> "
        "{ <http://example.org/s> <http://example.org/p> <test> } }\n"
    )
    with _unchanged(client, store):
        _refused_update(client.post(_url(), data=update.encode(), content_type=UPDATE))
    select = (
        "SELECT ?o WHERE { GRAPH <http://example.org/protocol-base-test/> "
        "{ <http://example.org/s> <http://example.org/p> ?o } }"
    )
    response = client.post(_url(), data=select.encode(), content_type=DIRECT, headers={"Accept": RESULTS_XML})
    assert response.status_code == 200
    assert response.mimetype == RESULTS_XML
    root = ET.fromstring(response.get_data())
    assert [v.get("name") for v in root.iter(SRX + "variable")] == ["o"]
    assert list(root.iter(SRX + "result")) == []


# --- negative query cases ------------------------------------------------------


def test_bad_query_method(client):
    """bad_query_method — "invoke query operation with a method other than GET or POST".

    Request ``PUT /sparql?query=ASK%20%7B%7D``; response 4xx.
    """
    response = client.put("/sparql?query=ASK%20%7B%7D")
    _error(response, 405, "Method Not Allowed", "not allowed")
    assert {"GET", "POST"} <= set(response.allow)


def test_bad_multiple_queries(client):
    """bad_multiple_queries — "invoke query operation with more than one query string".

    Request ``GET /sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D``; response 4xx.
    """
    response = client.get("/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D")
    _error(response, 400, "Bad Request", "exactly one 'query' parameter")


def test_bad_query_wrong_media_type(client):
    """bad_query_wrong_media_type — "invoke query operation with a POST with media type
    that's not url-encoded or application/sparql-query".

    Request ``POST /sparql/``, ``Content-Type: text/plain``, body ``ASK {}``; response 4xx.
    """
    response = client.post(_url(), data=b"ASK {}", content_type="text/plain")
    body = _error(response, 415, "Unsupported Media Type", "'text/plain'")
    assert FORM in body and DIRECT in body


def test_bad_query_missing_form_type(client):
    """bad_query_missing_form_type — "invoke query operation with url-encoded body, but
    without application/x-www-form-urlencoded media type".

    Request ``POST /sparql/`` without Content-Type, body ``query=ASK%20%7B%7D``; response 4xx.
    """
    response = client.post(_url(), data=b"query=ASK%20%7B%7D")
    assert response.request.content_type is None
    body = _error(response, 400, "Bad Request", "a POST needs a Content-Type")
    assert FORM in body


def test_bad_query_missing_direct_type(client):
    """bad_query_missing_direct_type — "invoke query operation with SPARQL body, but
    without application/sparql-query media type".

    Request ``POST /sparql/`` without Content-Type, body ``ASK {}``; response 4xx.
    """
    response = client.post(_url(), data=b"ASK {}")
    assert response.request.content_type is None
    body = _error(response, 400, "Bad Request", "a POST needs a Content-Type")
    assert DIRECT in body


def test_bad_query_non_utf8(client):
    """bad_query_non_utf8 — "invoke query operation with direct POST, but with a non-UTF8
    encoding (UTF-16)".

    Request ``POST /sparql/``, ``Content-Type: application/sparql-query; charset=UTF-16``,
    body ``ASK {}`` encoded in UTF-16; response 4xx.
    """
    response = client.post(_url(), data="ASK {}".encode("utf-16"), content_type=f"{DIRECT}; charset=UTF-16")
    _error(response, 415, "Unsupported Media Type", "must be UTF-8, not utf-16")


def test_bad_query_syntax(client):
    """bad_query_syntax — "invoke query operation with invalid query syntax (4XX result)".

    Request ``GET /sparql?query=ASK%20%7B``; response 4xx.
    """
    response = client.get("/sparql?query=ASK%20%7B")
    _error(response, 400, "Bad Request", "malformed query")


# --- negative update cases -----------------------------------------------------


def test_bad_update_get(client, store):
    """bad_update_get — "invoke update operation with GET".

    Request ``GET /sparql?update=CLEAR%20ALL``; response 4xx.
    """
    with _unchanged(client, store):
        _refused_update(client.get("/sparql?update=CLEAR%20ALL"))


def test_bad_multiple_updates(client, store):
    """bad_multiple_updates — "invoke update operation with more than one update string".

    Request ``POST /sparql/``, ``Content-Type: application/x-www-form-urlencoded``,
    body ``update=CLEAR%20NAMED&update=CLEAR%20DEFAULT``; response 4xx.
    """
    with _unchanged(client, store):
        _refused_update(client.post(_url(), data=b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", content_type=FORM))


def test_bad_update_wrong_media_type(client, store):
    """bad_update_wrong_media_type — "invoke update operation with a POST with media type
    that's not url-encoded or application/sparql-update".

    Request ``POST /sparql/``, ``Content-Type: text/plain``, body ``CLEAR NAMED``; response 4xx.
    """
    with _unchanged(client, store):
        response = client.post(_url(), data=b"CLEAR NAMED", content_type="text/plain")
        _error(response, 415, "Unsupported Media Type", "'text/plain'")


def test_bad_update_missing_form_type(client, store):
    """bad_update_missing_form_type — "invoke update operation with url-encoded body, but
    without application/x-www-form-urlencoded media type".

    Request ``POST /sparql/`` without Content-Type, body ``update=CLEAR%20NAMED``; response 4xx.
    """
    with _unchanged(client, store):
        response = client.post(_url(), data=b"update=CLEAR%20NAMED")
        assert response.request.content_type is None
        _error(response, 400, "Bad Request", "a POST needs a Content-Type")


def test_bad_update_non_utf8(client, store):
    """bad_update_non_utf8 — "invoke update operation with direct POST, but with a non-UTF8 encoding".

    Request ``POST /sparql/``, ``Content-Type: application/sparql-update; charset=UTF-16``,
    body ``CLEAR NAMED`` encoded in UTF-16; response 4xx.
    """
    with _unchanged(client, store):
        response = client.post(_url(), data="CLEAR NAMED".encode("utf-16"), content_type=f"{UPDATE}; charset=UTF-16")
        _error(response, 415, "Unsupported Media Type", "must be UTF-8, not utf-16")


def test_bad_update_syntax(client, store):
    """bad_update_syntax — "invoke update operation with invalid update syntax".

    Request ``POST /sparql/``, ``Content-Type: application/x-www-form-urlencoded``,
    body ``update=CLEAR%20XYZ``; response 4xx.
    Read-only: refused as an update (403) before its syntax matters.
    """
    with _unchanged(client, store):
        _refused_update(client.post(_url(), data=b"update=CLEAR%20XYZ", content_type=FORM))


def test_bad_update_dataset_conflict(client, store):
    """bad_update_dataset_conflict — "invoke update with both using-graph-uri/using-named-graph-uri
    parameter and USING/WITH clause".

    Request ``POST /sparql/``, ``Content-Type: application/x-www-form-urlencoded``, body
    ``using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople&update=…WITH <http://example/addresses>
    DELETE { ?person foaf:givenName 'Bill' } INSERT { ?person foaf:givenName 'William' }
    WHERE { ?person foaf:givenName 'Bill' }``; response 4xx.
    Adapted: the two graphs are ONTOLOGY (using-named-graph-uri) and DATA (WITH).
    """
    update = (
        "\t\tPREFIX foaf:  <http://xmlns.com/foaf/0.1/>\n"
        f"\t\tWITH <{DATA}>\n"
        "\t\tDELETE { ?person foaf:givenName 'Bill' }\n"
        "\t\tINSERT { ?person foaf:givenName 'William' }\n"
        "\t\tWHERE {\n\t\t\t?person foaf:givenName 'Bill'\n\t\t}\n"
    )
    with _unchanged(client, store):
        body = _form(("using-named-graph-uri", ONTOLOGY), ("update", update))
        _refused_update(client.post(_url(), data=body, content_type=FORM))
