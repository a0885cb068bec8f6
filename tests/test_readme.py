"""The README tells the truth: its API example runs and prints what it shows,
every example query is in its table, and CI runs its test command."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def block_after(heading: str, language: str) -> str:
    section = README.split(heading, 1)[1]
    return re.search(rf"```{language}\n(.*?)```", section, re.DOTALL).group(1)


def test_api_example_prints_what_the_readme_shows(settings, monkeypatch):
    monkeypatch.setenv("KZGRAPH_CACHE_DIR", str(settings.cache_dir))
    code = block_after("## The Python API", "python")
    expected = block_after("## The Python API", "text")
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(code, "README.md", "exec"), {})
    assert output.getvalue() == expected


def test_readme_opens_with_the_two_commands():
    commands = re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)[:2]
    assert commands[0].endswith("pip install . && kzgraph serve")
    assert commands[1].endswith("pip install '.[test]' && python -m pytest")


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install --quiet '.[test]'" in ci
    assert ci.rstrip().endswith("python -m pytest")


def test_every_example_query_is_in_the_table():
    examples = README.split("### Example questions", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", examples, re.MULTILINE))
    shipped = {p.stem for p in (REPO / "queries").glob("*.rq")}
    assert shipped and listed == shipped


def test_the_error_table_is_the_codes_own():
    from kzgraph.errors import error_table_markdown

    assert error_table_markdown() in README


def test_the_format_table_is_the_registrys_own():
    from kzgraph.formats import formats_markdown

    assert formats_markdown() in README
