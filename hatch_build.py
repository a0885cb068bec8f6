"""Build hook: the query page's editor, CodeMirror 5, taken from the npm registry.

The editor's files are never committed: at build time (wheel or editable
install) ``npm pack`` fetches the pinned CodeMirror release, and the few files
the query page serves are extracted into ``src/kzgraph/web/static/vendor/``
(ignored by git) and shipped inside the wheel. A second build reuses them
while their recorded version matches the pin. Needs ``npm`` on the PATH.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CODEMIRROR = "codemirror@5.65.20"
"""The pinned release: CodeMirror 5 ships ready-to-load scripts, so nothing needs bundling."""

FILES = {
    "package/lib/codemirror.js": "codemirror.js",
    "package/lib/codemirror.css": "codemirror.css",
    "package/mode/sparql/sparql.js": "sparql.js",
    "package/addon/edit/matchbrackets.js": "matchbrackets.js",
    "package/LICENSE": "LICENSE",
}
VENDOR = Path("src/kzgraph/web/static/vendor/codemirror")
STAMP = "VERSION"


class EditorAssetsHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        folder = Path(self.root) / VENDOR
        if not _is_current(folder):
            _fetch(folder)
        if self.target_name == "wheel" and version != "editable":
            build_data["force_include"][str(folder)] = "kzgraph/web/static/vendor/codemirror"


def _is_current(folder: Path) -> bool:
    stamp = folder / STAMP
    return stamp.is_file() and stamp.read_text().strip() == CODEMIRROR and all(
        (folder / name).is_file() for name in FILES.values())


def _fetch(folder: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"building kzgraph needs npm to fetch {CODEMIRROR} (the query page's editor)")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([npm, "pack", CODEMIRROR, "--json", "--pack-destination", tmp],
                             check=True, capture_output=True, text=True, cwd=tmp).stdout
        tarball = Path(tmp) / json.loads(out)[0]["filename"]
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as archive:
            for member, name in FILES.items():
                source = archive.extractfile(member)
                if source is None:
                    raise RuntimeError(f"{CODEMIRROR} has no {member}")
                (folder / name).write_bytes(source.read())
    (folder / STAMP).write_text(CODEMIRROR + "\n")
