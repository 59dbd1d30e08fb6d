"""`dataetik new`: create projects/<slug>/index.md from the policy.

Never overwrites: the folder must not exist, and the page is opened in exclusive
mode. Everything an author types is validated before anything is written.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from dataetik.needs_data import load_needs
from dataetik.policy import Policy
from dataetik.risk import ask, yes_or_no
from dataetik.scaffold import NewProject, ScaffoldError, project_code, project_page, slugify

def load_policy(site: Path) -> Policy:
    """The policy as the site states it now: a quick build with the `needs` builder."""
    out = site / "_build" / "needs"
    shutil.rmtree(out, ignore_errors=True)  # the policy as it is now, not as an earlier build left it
    cmd = [sys.executable, "-m", "sphinx", "-b", "needs", "-q", "-N", "-d", str(site / "_build" / "needs-doctrees"), str(site), str(out)]
    subprocess.run(cmd, cwd=site, capture_output=True, text=True)
    if not (out / "needs.json").exists():
        raise ScaffoldError("Politikken kunne ikke læses, fordi sitet ikke kan bygges. Kør 'dataetik check' og ret fejlene først.")
    return Policy.from_needs(load_needs(out / "needs.json", srcdir=site))


def validate(policy: Policy, site: Path, name: str, department: str, risk: str) -> tuple[str, str]:
    """Check the author's input; returns (slug, code). Raises ScaffoldError with a Danish fix."""
    if not name.strip():
        raise ScaffoldError('Angiv et projektnavn, fx dataetik new "Ruteplanlægning i hjemmeplejen".')
    slug = slugify(name)
    if not department.strip():
        raise ScaffoldError("Angiv den forvaltning eller afdeling, der ejer projektet, fx --forvaltning \"Social og Sundhed\".")
    levels = policy.vocabulary.risk_levels
    if levels and risk not in levels:
        raise ScaffoldError(f"Risikoprofilen '{risk}' findes ikke. Vælg en af: {', '.join(levels)} – "
                            "eller udelad --risiko og besvar spørgsmålene.")
    if not levels and risk:
        raise ScaffoldError("Politikken har ingen risikoprofiler; udelad --risiko.")
    folder = site / "projects" / slug
    if folder.exists():
        raise ScaffoldError(f"Mappen {folder.relative_to(site)} findes allerede, og den bliver ikke overskrevet. "
                            "Vælg et andet navn, eller ret den eksisterende vurdering.")
    return slug, project_code(slug, set(policy.needs.by_id))


def create(site: Path, policy: Policy, new: NewProject) -> Path:
    slug, code = validate(policy, site, new.name, new.department, new.risk)
    folder = site / "projects" / slug
    folder.mkdir(parents=True)
    page = folder / "index.md"
    with page.open("x", encoding="utf-8") as out:  # "x": never overwrite an author's file
        out.write(project_page(policy, new, code))
    return page


def interview(policy: Policy, prompt: Callable[[str], str], say: Callable[[str], None],
              name: str | None, department: str | None, risk: str | None, traits: dict[str, str]) -> NewProject:
    """Ask for whatever the flags did not give."""
    name = name or prompt("Projektets navn: ").strip()
    slugify(name)  # refuse a bad name before asking more
    department = department or prompt("Forvaltning / afdeling: ").strip()
    vocab = policy.vocabulary
    for trait in vocab.traits:
        if trait.field not in traits:
            traits[trait.field] = yes_or_no(vocab, prompt, trait.question, say)
    criteria, record = [], []
    if risk is None and vocab.risk_levels:
        outcome = ask(policy, prompt, say)
        risk, criteria, record = outcome.level, list(outcome.met), list(outcome.record)
    return NewProject(name, department, risk or "", traits, criteria, record)

