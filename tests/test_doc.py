"""Every ``>>>`` example in the package's docstrings runs and prints what it shows.

The modules are imported from wherever kzgraph is installed (a wheel or the
checkout), so the examples are checked against the code users run.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import kzgraph

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(kzgraph.__path__, prefix="kzgraph.") if info.name != "kzgraph.__main__"
)


def test_modules_are_found():
    assert {"kzgraph.cli", "kzgraph.store", "kzgraph.web.sparql"} <= set(MODULES)


@pytest.mark.parametrize("name", ["kzgraph", *MODULES])
def test_docstring_examples(name, settings, monkeypatch):
    monkeypatch.setenv("KZGRAPH_CACHE_DIR", str(settings.cache_dir))
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
