// The query page: editor, label-aware results (sortable, filterable), downloads and examples.
"use strict";

const KZR = "https://w3id.org/kzgraph/resource/";
const KZ = "https://w3id.org/kzgraph/ontology#";
const WD = "http://www.wikidata.org/entity/";
const XSD = "http://www.w3.org/2001/XMLSchema#";
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December"];

const form = document.getElementById("query-form");
const textarea = document.getElementById("query");
const statusLine = document.getElementById("status");
const results = document.getElementById("results");
const formatSelect = document.getElementById("format");
const filterBox = document.getElementById("filter-box");
const filterInput = document.getElementById("filter");
const prefixes = JSON.parse(document.getElementById("prefixes").textContent);
const downloads = JSON.parse(formatSelect.dataset.downloads);
let labels = null;
let queryName = "query";
let errorMarks = [];

const editor = window.CodeMirror ? CodeMirror.fromTextArea(textarea, {
  mode: "application/sparql-query", lineNumbers: true, matchBrackets: true, viewportMargin: Infinity,
  screenReaderLabel: "SPARQL query",
  extraKeys: {"Ctrl-Enter": () => submit(), "Cmd-Enter": () => submit()},
}) : null;
if (!editor) {
  textarea.addEventListener("keydown", (e) => { if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); submit(); } });
}
const getText = () => (editor ? editor.getValue() : textarea.value);
function setText(text) { if (editor) editor.setValue(text); else textarea.value = text; }

// The kind of a query decides its download formats: "results" (SELECT, ASK) or "graph" (CONSTRUCT, DESCRIBE).
function queryKind(text) {
  const bare = text.replace(/<[^<>\s]*>/g, " ").replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, " ").replace(/#[^\n]*/g, " ");
  const match = bare.match(/\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i);
  return match && /^(CONSTRUCT|DESCRIBE)$/i.test(match[1]) ? "graph" : "results";
}

function offerFormats() {
  const kind = queryKind(getText());
  if (formatSelect.dataset.kind === kind) return;
  formatSelect.dataset.kind = kind;
  formatSelect.replaceChildren(...downloads[kind].map(([value, label, ext]) => {
    const option = new Option(`${label} (.${ext})`, value);
    option.dataset.ext = ext;
    return option;
  }));
}

// Where the endpoint's error message says the error is: "line L, column C" or "L:C" (1-based).
function errorPosition(message) {
  const match = message.match(/line (\d+),? column (\d+)/i) || message.match(/\b(\d+):(\d+)\b/);
  return match ? {line: Number(match[1]), column: Number(match[2])} : null;
}

function clearErrorMarks() {
  if (!editor) return;
  for (const mark of errorMarks) mark();
  errorMarks = [];
}

function markError(position) {
  if (!editor || !position) return;
  const line = Math.min(position.line - 1, editor.lineCount() - 1);
  const handle = editor.addLineClass(line, "background", "cm-error-line");
  const length = editor.getLine(line).length;
  const from = {line, ch: Math.max(0, Math.min(position.column - 1, length - 1))};
  const mark = editor.markText(from, {line, ch: Math.min(from.ch + 1, length)}, {className: "cm-error-at"});
  errorMarks.push(() => editor.removeLineClass(handle, "background", "cm-error-line"), () => mark.clear());
  editor.setCursor(from);
}

function curie(iri) {
  for (const [prefix, ns] of Object.entries(prefixes)) {
    const local = iri.slice(ns.length);
    if (iri.startsWith(ns) && local && !/[/#]/.test(local)) return `${prefix}:${local}`;
  }
  return iri;
}

// A date at its precision ("17 June 2025", "August 2025", "2025", "26 March"), or null.
function describeDate(value, datatype) {
  let m;
  if ((datatype === XSD + "date" || datatype === XSD + "dateTime") && (m = value.match(/^(\d{4})-(\d{2})-(\d{2})/)))
    return `${Number(m[3])} ${MONTHS[m[2] - 1]} ${m[1]}`;
  if (datatype === XSD + "gYearMonth" && (m = value.match(/^(\d{4})-(\d{2})/))) return `${MONTHS[m[2] - 1]} ${m[1]}`;
  if (datatype === XSD + "gYear" && (m = value.match(/^(\d{4})/))) return m[1];
  if (datatype === XSD + "gMonthDay" && (m = value.match(/^--(\d{2})-(\d{2})/))) return `${Number(m[2])} ${MONTHS[m[1] - 1]}`;
  return null;
}

const NUMERIC = new Set(["integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger", "positiveInteger"]
  .map((t) => XSD + t));

function cell(term) {
  const td = document.createElement("td");
  if (!term) { td.dataset.sort = ""; return td; }
  if (term.type === "uri") {
    const a = document.createElement("a");
    const name = curie(term.value);
    if (term.value.startsWith(KZR)) a.href = "/resource/" + term.value.slice(KZR.length);
    else if (term.value.startsWith(KZ)) a.href = "/ontology#" + term.value.slice(KZ.length);
    else a.href = term.value;
    a.textContent = labels[term.value] || name;
    a.title = name === term.value ? term.value : name;
    td.appendChild(a);
    td.dataset.sort = a.textContent.toLowerCase();
    return td;
  }
  if (term.type === "bnode") { td.textContent = "(unnamed node)"; td.dataset.sort = ""; return td; }
  const date = describeDate(term.value, term.datatype);
  td.textContent = date || term.value;
  if (term.datatype && !term["xml:lang"]) td.title = `${term.value} (${curie(term.datatype)})`;
  td.dataset.sort = date ? term.value.replace(/^--/, "0000-") : NUMERIC.has(term.datatype) ? term.value : term.value.toLowerCase();
  if (NUMERIC.has(term.datatype)) td.dataset.numeric = "";
  return td;
}

function sortBy(table, column, th) {
  const ascending = th.getAttribute("aria-sort") !== "ascending";
  for (const other of table.tHead.rows[0].cells) other.removeAttribute("aria-sort");
  th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const body = table.tBodies[0];
  const rows = [...body.rows];
  rows.sort((a, b) => {
    const x = a.cells[column], y = b.cells[column];
    const order = ("numeric" in x.dataset && "numeric" in y.dataset)
      ? Number(x.dataset.sort) - Number(y.dataset.sort)
      : x.dataset.sort.localeCompare(y.dataset.sort);
    return ascending ? order : -order;
  });
  body.append(...rows);
}

function applyFilter() {
  const table = results.querySelector("table");
  if (!table) return;
  const needle = filterInput.value.trim().toLowerCase();
  let shown = 0;
  for (const row of table.tBodies[0].rows) {
    const match = !needle || row.textContent.toLowerCase().includes(needle);
    row.hidden = !match;
    if (match) shown += 1;
  }
  statusLine.textContent = needle ? `${shown} of ${table.tBodies[0].rows.length} rows match “${filterInput.value.trim()}”` : table.dataset.status;
}

function showTable(data, ms) {
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  data.head.vars.forEach((v, i) => {
    const th = document.createElement("th");
    th.scope = "col";
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = v;
    button.title = `Sort by ${v}`;
    button.addEventListener("click", () => sortBy(table, i, th));
    th.appendChild(button);
    head.appendChild(th);
  });
  const body = table.createTBody();
  for (const row of data.results.bindings) {
    const tr = body.insertRow();
    for (const v of data.head.vars) tr.appendChild(cell(row[v]));
  }
  results.appendChild(table);
  table.dataset.status = `${data.results.bindings.length} rows · ${ms} ms`;
  filterBox.hidden = false;
  filterInput.value = "";
  statusLine.textContent = table.dataset.status;
}

async function run() {
  clearErrorMarks();
  statusLine.textContent = "Running…";
  results.replaceChildren();
  filterBox.hidden = true;
  const started = performance.now();
  if (!labels) labels = await (await fetch("/labels.json")).json();
  let response;
  try {
    response = await fetch(form.action, {method: "POST",
      headers: {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json, text/turtle;q=0.9"},
      body: getText()});
  } catch (err) {
    statusLine.textContent = `The server could not be reached: ${err.message}`;
    return;
  }
  const body = await response.text();
  const ms = Math.round(performance.now() - started);
  if (!response.ok) {
    const position = errorPosition(body);
    markError(position);
    const pre = document.createElement("pre");
    pre.className = "error";
    pre.textContent = body;
    results.appendChild(pre);
    statusLine.textContent = position ? `Error at line ${position.line}, column ${position.column}`
      : response.status === 502 ? "A remote service this query calls (such as Wikidata) could not answer: it needs the internet"
      : `Error ${response.status}`;
    return;
  }
  if (!response.headers.get("Content-Type").includes("json")) {
    const pre = document.createElement("pre");
    pre.textContent = body;
    results.appendChild(pre);
    statusLine.textContent = `Turtle · ${ms} ms`;
    return;
  }
  const data = JSON.parse(body);
  if ("boolean" in data) {
    results.textContent = data.boolean ? "Yes" : "No";
    statusLine.textContent = `Answer: ${data.boolean ? "yes" : "no"} · ${ms} ms`;
    return;
  }
  showTable(data, ms);
}

function submit() {
  history.replaceState(null, "", "?query=" + encodeURIComponent(getText()));
  run();
}

async function download() {
  const option = formatSelect.selectedOptions[0];
  const url = `${form.action}?${new URLSearchParams({query: getText(), format: option.value})}`;
  statusLine.textContent = "Preparing the download…";
  const response = await fetch(url);
  if (!response.ok) {
    statusLine.textContent = `Download failed: ${(await response.text()).trim()}`;
    return;
  }
  const name = `${queryName}.${option.dataset.ext}`;
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  statusLine.textContent = `Downloaded ${name}`;
}

form.addEventListener("submit", (event) => { event.preventDefault(); submit(); });
document.getElementById("download").addEventListener("click", download);
filterInput.addEventListener("input", applyFilter);
if (editor) editor.on("change", offerFormats); else textarea.addEventListener("input", offerFormats);
for (const button of document.querySelectorAll("button.example")) {
  button.addEventListener("click", () => {
    setText(button.dataset.text);
    queryName = button.dataset.name;
    offerFormats();
    submit();
  });
}
document.getElementById("example-filter").addEventListener("input", (event) => {
  const needle = event.target.value.trim().toLowerCase();
  for (const group of document.querySelectorAll("[data-group]")) {
    let any = false;
    for (const li of group.querySelectorAll("li")) {
      li.hidden = Boolean(needle) && !li.dataset.search.includes(needle);
      any = any || !li.hidden;
    }
    group.hidden = !any;
  }
});

offerFormats();
const shared = new URLSearchParams(location.search).get("query");  // a link to a query runs it
if (shared) { setText(shared); offerFormats(); run(); }
