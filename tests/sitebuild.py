"""Build fixture sites for the tests: copy, edit, build with Sphinx, read needs.json."""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from dataetik.needs_data import load_needs
from dataetik.policy import Policy
from dataetik.site_files import EXCLUDE_PATTERNS
from dataetik.vocabulary import policy_files

SITES = Path(__file__).parent / "sites"
REPO = Path(__file__).parent.parent


@dataclass
class Built:
    root: Path
    returncode: int
    warnings: str
    policy: Policy | None

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
    started = time.perf_counter()
    key = _build_key(root, builder, strict) if _CACHE_BUILDS and not out.exists() else None
    shared = key in _BUILDS
    if shared:
        cached, returncode, warnings = _BUILDS[key]
        shutil.copytree(cached, out)
    else:
        returncode, warnings = _sphinx(root, builder, strict)
        if key and out.exists() and not _mentions(out, warnings, root):
            _BUILDS[key] = (_keep(out), returncode, warnings)
    _log(root, builder, shared, time.perf_counter() - started)
    needs = load_needs(out / "needs.json", srcdir=root) if (out / "needs.json").exists() else None
    # A site without a policy of its own (the national register) has needs but no Policy.
    has_policy = needs and policy_files(root, EXCLUDE_PATTERNS)
    return Built(root, returncode, warnings, Policy.from_needs(needs) if has_policy else None)


def _sphinx(root: Path, builder: str, strict: bool) -> tuple[int, str]:
    out = root / "_build" / builder
    strictness = ["-W", "--keep-going"] if strict else []
    cmd = [sys.executable, "-m", "sphinx", "-b", builder, *strictness, "-E", "-q", "-N",
           "-d", str(root / "_build" / "doctrees"), str(root), str(out)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=root)
    return proc.returncode, proc.stderr.replace(str(root) + os.sep, "")


# --- one build per distinct site in a test session ------------------------------------------------
# Many tests build the same fixture with the same edits, and a Sphinx build is what a test costs. A
# build is made once per session and copied for the others: its output does not depend on where the
# site lies (messages are made relative to it above; a build that names its folder is not shared).
# The key is all a build reads: every file of
# the site (a .git folder too, so a history is never shared), the builder and strictness, the
# environment (DATAETIK_TODAY ...) and today's date. Only into a fresh output folder (a second build
# in the same site keeps its earlier files, as Sphinx does). DATAETIK_TEST_BUILD_CACHE=0 turns it off.
_CACHE_BUILDS = os.environ.get("DATAETIK_TEST_BUILD_CACHE", "1") != "0"
_BUILDS: dict[str, tuple[Path, int, str]] = {}
_VOLATILE = {"PYTEST_CURRENT_TEST"}  # changes with every test, read by no build
_UNREAD = {".venv", "__pycache__", ".pytest_cache"}  # beside a copied site, never read by its build


def _build_key(root: Path, builder: str, strict: bool) -> str:
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _UNREAD and not (d == "_build" and Path(folder) == root))
        for name in sorted([*files, *dirs]):
            path = Path(folder, name)
            # A link is read as a link (a build treats it as one), a file by its content and mode.
            what = (b"link:" + os.readlink(path).encode() if path.is_symlink() else
                    path.read_bytes() + oct(path.stat().st_mode).encode() if path.is_file() else b"dir")
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + what + b"\0")
    env = sorted((k, v) for k, v in os.environ.items() if k not in _VOLATILE)
    digest.update(repr((root.name, builder, strict, env, dt.date.today().isoformat())).encode())
    return digest.hexdigest()


def _log(root: Path, builder: str, shared: bool, seconds: float) -> None:
    """DATAETIK_TEST_BUILD_LOG=<file>: a line per build (test, builder, shared or built, seconds)."""
    if os.environ.get("DATAETIK_TEST_BUILD_LOG"):
        with open(os.environ["DATAETIK_TEST_BUILD_LOG"], "a", encoding="utf-8") as log:
            test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
            log.write(f"{test}\t{builder}\t{'shared' if shared else 'built'}\t{seconds:.2f}\n")


def _mentions(out: Path, warnings: str, root: Path) -> bool:
    """The build says where the site lies (in a message or a file): then it is not shared."""
    where = str(root.parent)
    return where in warnings or any(where.encode() in p.read_bytes() for p in out.rglob("*") if p.is_file())


@functools.cache
def _cache_dir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="dataetik-test-builds-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _keep(out: Path) -> Path:
    kept = _cache_dir() / str(len(_BUILDS))
    shutil.copytree(out, kept)
    return kept


# --- texts several test modules add to a copied site ---------------------------------------------

# A law layered on the tiny policy: a trait of its own and one requirement that applies with it.
LAW = """[policy]
title = "Lov om algoritmer (prøve)"
language = "da"

[vocabulary]
evidence_kinds = ["konsekvensanalyse for grundlæggende rettigheder"]

[vocabulary.traits."højrisiko"]
field = "high_risk_ai"
label = "Højrisiko-AI"
question = "Er systemet et højrisiko-AI-system?"
"""
LAW_PAGE = """# Lov om algoritmer

:::{principle} Grundlæggende rettigheder
:id: P_LOV_RETTIGHEDER

Rettighederne beskyttes.
:::

:::{requirement} Konsekvensanalyse før brug
:id: R_LOV_KONSEKVENS
:derives_from: P_LOV_RETTIGHEDER
:source: Lovens § 27
:applies_risk: lav, middel, høj
:applies_when: højrisiko
:answered_by: dokumentation
:evidence_kind: konsekvensanalyse for grundlæggende rettigheder

Lav en konsekvensanalyse.
:::
"""

# A requirement answered by a bias test, and the demo project's bias test that answers it.
BIAS_REQUIREMENT = """
:::{requirement} Metoder testes for skævhed
:id: R_SKAEVHED
:derives_from: P_OMTANKE
:source: Omtanke
:applies_risk: lav, middel, høj
:answered_by: bias-test
:min_ratio: 0.8
:max_difference: 0.1
:min_cell: 5

Test for skævhed.
:::
"""
DEMO_BIASTEST = """
:::{biastest} Test for skævhed
:id: BT_DEMO
:addresses: R_SKAEVHED
:date: 2025-02-01
:counts: biastest.csv

Svar på henvendelser, januar 2025.
:::
"""
