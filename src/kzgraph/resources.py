"""The only module that knows where the ontology, data, shapes and queries live.

It looks at the explicit root (``--root`` or ``KZGRAPH_ROOT``), then at the
checkout this module sits in, then at the copy bundled into the installed
package:

>>> from kzgraph.config import Settings
>>> sorted(p.name for p in project_root(Settings()).iterdir() if p.name in FOLDERS)
['data', 'ontology', 'queries', 'shapes']
"""

from __future__ import annotations

from pathlib import Path

from kzgraph.config import Settings
from kzgraph.errors import LoadError

FOLDERS = ("ontology", "data", "shapes", "queries")
_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE.parent.parent, _PACKAGE / "bundled")


def project_root(settings: Settings) -> Path:
    """The folder holding ontology/, data/, shapes/ and queries/.

    Raises:
        LoadError: the explicit root, or every candidate, lacks those folders.
    """
    if settings.root is not None:
        root = Path(settings.root)
        if not _is_root(root):
            raise LoadError(f"{root}: not a kzgraph root (needs {', '.join(FOLDERS)})")
        return root
    for candidate in _CANDIDATES:
        if _is_root(candidate):
            return candidate
    raise LoadError("cannot find the shipped ontology/data/shapes/queries; set KZGRAPH_ROOT")


def _is_root(path: Path) -> bool:
    return all((path / name).is_dir() for name in FOLDERS)


def _ttl_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ttl"))


def ontology_files(settings: Settings) -> list[Path]:
    return _ttl_files(project_root(settings) / "ontology")


def data_files(settings: Settings) -> list[Path]:
    return _ttl_files(project_root(settings) / "data")


def reference_files(settings: Settings) -> list[Path]:
    """The reference layer's files; the folder is optional in a ``--root`` folder."""
    return _ttl_files(project_root(settings) / "reference")


def shape_files(settings: Settings) -> list[Path]:
    return _ttl_files(project_root(settings) / "shapes")


def queries_dir(settings: Settings) -> Path:
    return project_root(settings) / "queries"

