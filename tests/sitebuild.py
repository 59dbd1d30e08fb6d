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
