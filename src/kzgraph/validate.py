"""SHACL validation with pyshacl, returning a value; the caller decides what to do.

The report is grouped by focus resource so that a person can fix one
resource at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.namespace import SH

from kzgraph import resources
from kzgraph.config import Settings
from kzgraph.dates import derive_date_bounds
from kzgraph.interop import to_rdflib_graph
from kzgraph.loader import dataset_inputs, load_store, parse_rdf_files
from kzgraph.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from kzgraph.namespaces import compact


@dataclass(frozen=True)
class Finding:
    focus: str
    path: str
    message: str
    shape: str
    severity: str


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    findings: tuple[Finding, ...]
    graph: rdflib.Graph
    """pySHACL's report graph, for tools that read SHACL results (the shape tests do)."""

    @property
    def text(self) -> str:
        """A readable report: one block per resource, one line per finding."""
        if self.conforms:
            return "Conforms: the data passes every shape.\n"
        by_focus: dict[str, list[Finding]] = defaultdict(list)
        for finding in self.findings:
            by_focus[finding.focus].append(finding)
        lines = [f"Does not conform: {len(self.findings)} finding(s) on {len(by_focus)} resource(s)."]
        for focus in sorted(by_focus):
            lines.append("")
            lines.append(focus)
            for f in sorted(by_focus[focus], key=lambda f: (f.path, f.message)):
                lines.append(f"  [{f.severity}] {f.path or '(node)'}: {f.message}  ({f.shape})")
        return "\n".join(lines) + "\n"


def validate_graph(data: rdflib.Graph, shapes: rdflib.Graph) -> ValidationReport:
    """Validate ``data`` (already expanded with the ontology's entailments) against ``shapes``.

    pyshacl's own inference is off: it runs owlrl, which registers literal
    converters in rdflib for the whole process and, once run, makes valid
    literals such as ``"--03-26"^^xsd:gMonthDay`` look ill-typed.
    """
    import pyshacl

    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    findings = tuple(_findings(report, shapes, data))
    return ValidationReport(bool(conforms), findings, report)


def validate_files(settings: Settings, extra_files: Iterable[Path] = ()) -> ValidationReport:
    """Validate the shipped data, the user's ``--data`` and ``extra_files`` against the shipped shapes.

    Raises:
        LoadError: a file cannot be parsed (the message names file and line).
    """
    shapes = to_rdflib_graph(parse_rdf_files(resources.shape_files(settings)))
    return validate_graph(expanded_graph(settings, extra_files), shapes)


def expanded_graph(settings: Settings, extra_files: Iterable[Path] = ()) -> rdflib.Graph:
    """The data that validation sees: every asserted file, expanded with the OWL RL entailments,
    so a shape that targets a class also sees its subclasses' instances.

    Raises:
        LoadError: a file cannot be parsed (the message names file and line).
    """
    extra = [Path(p) for p in extra_files]
    settings = settings.replace(reason=True)
    # The asserted statements as the files write them: the store keeps values, not
    # spellings ("2"^^xsd:positiveInteger is stored as an xsd:integer).
    parsed = [(item.graph, parse_rdf_files(item.paths)) for item in dataset_inputs(settings, extra)]
    asserted = [q for _, quads in parsed for q in quads]
    inferred = load_store(settings, extra).quads(INFERRED_GRAPH)
    # The date bounds of these same quads: the store's blank nodes are not the files' ones.
    bounds = derive_date_bounds(q for graph, quads in parsed if graph != ONTOLOGY_GRAPH for q in quads)
    return to_rdflib_graph([*asserted, *inferred, *bounds])


def _findings(report: rdflib.Graph, shapes: rdflib.Graph, data: rdflib.Graph) -> Iterable[Finding]:
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        yield Finding(
            focus=_show_focus(report.value(result, SH.focusNode), data),
            path=_show(report.value(result, SH.resultPath)),
            message=str(report.value(result, SH.resultMessage) or ""),
            shape=_show(node_shape_of(report.value(result, SH.sourceShape), shapes)),
            severity=_show(report.value(result, SH.resultSeverity)).removeprefix("sh:"),
        )


def node_shape_of(shape, shapes: rdflib.Graph):
    """The named node shape a (possibly blank) property shape belongs to."""
    while isinstance(shape, rdflib.BNode):
        owner = shapes.value(None, SH.property, shape)
        if owner is None:
            break
        shape = owner
    return shape


def _show_focus(node, data: rdflib.Graph) -> str:
    """A blank node is shown through the resource that points to it, e.g. ``kzr:x kz:citation [...]``."""
    if isinstance(node, rdflib.BNode):
        for subject, predicate in data.subject_predicates(node):
            return f"{_show_focus(subject, data)} {_show(predicate)} [...]"
    return _show(node)


def _show(term) -> str:
    if term is None:
        return ""
    if isinstance(term, rdflib.URIRef):
        return compact(str(term))
    if isinstance(term, rdflib.BNode):
        return "_:" + str(term)
    return str(term)
