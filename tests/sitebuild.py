"""Build fixture sites for the tests: copy, edit, build with Sphinx, read needs.json."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from dataetik.needs_data import load_needs
from dataetik.policy import Policy

SITES = Path(__file__).parent / "sites"
REPO = Path(__file__).parent.parent


@dataclass
class Built:
    root: Path
    returncode: int
    warnings: str
    policy: Policy

    @property
    def needs_json(self) -> Path:
        return self.root / "_build" / "needs" / "needs.json"


def copy_site(name: str, dest: Path, edits: dict[str, tuple[str, str]] | None = None) -> Path:
    """Copy tests/sites/<name> to dest and apply {file: (old, new)} text edits (old must occur)."""
    shutil.copytree(SITES / name, dest)
    for rel, (old, new) in (edits or {}).items():
        path = dest / rel
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if old:
            assert old in text, f"fixture edit: {old!r} not in {rel}"
            text = text.replace(old, new, 1)
        else:
            text += new
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return dest


def build(root: Path, builder: str = "needs", strict: bool = False) -> Built:
    """Build the site at root; warnings are collected, and fail the build only when strict."""
    out = root / "_build" / builder
    strictness = ["-W", "--keep-going"] if strict else []
    cmd = [sys.executable, "-m", "sphinx", "-b", builder, *strictness, "-E", "-q", "-N",
           "-d", str(root / "_build" / "doctrees"), str(root), str(out)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=root)
    warnings = proc.stderr.replace(str(root) + os.sep, "")
    needs = load_needs(out / "needs.json", srcdir=root) if (out / "needs.json").exists() else None
    return Built(root, proc.returncode, warnings, Policy.from_needs(needs) if needs else None)
