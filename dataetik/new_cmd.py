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

from dataetik import i18n
from dataetik.i18n import _
from dataetik.needs_data import load_needs
from dataetik.policy import Policy, _as_list
from dataetik.risk import ask, questions, traits_set, yes_or_no
from dataetik.scaffold import NewProject, ScaffoldError, project_code, project_page, slugify

def load_policy(site: Path) -> Policy:
    """The policy as the site states it now: a quick build with the `needs` builder."""
    out = site / "_build" / "needs"
    shutil.rmtree(out, ignore_errors=True)  # the policy as it is now, not as an earlier build left it
    cmd = [sys.executable, "-m", "sphinx", "-b", "needs", "-q", "-N", "-d", str(site / "_build" / "needs-doctrees"), str(site), str(out)]
    subprocess.run(cmd, cwd=site, capture_output=True, text=True)
    if not (out / "needs.json").exists():
        raise ScaffoldError(_("The policy could not be read because the site cannot be built. Run 'dataetik check' and "
                              "correct the errors first."))
    policy = Policy.from_needs(load_needs(out / "needs.json", srcdir=site))
    i18n.use(policy.vocabulary.language)  # everything from here on in the policy's language
    return policy


def validate(policy: Policy, site: Path, name: str, department: str, risk: str) -> tuple[str, str]:
    """Check the author's input; returns (slug, code). Raises ScaffoldError with a fix."""
    if not name.strip():
        raise ScaffoldError(_('Give a project name, e.g. dataetik new "Route planning in home care".'))
    slug = slugify(name)
    if not department.strip():
        raise ScaffoldError(_('Give the department or unit that owns the project, e.g. --forvaltning "Social Services '
                              'and Health".'))
    levels = policy.vocabulary.risk_levels
    if levels and risk not in levels:
        raise ScaffoldError(_("The risk profile '{risk}' does not exist. Choose one of: {levels} – or leave out --risiko "
                              "and answer the questions.").format(risk=risk, levels=", ".join(levels)))
    if not levels and risk:
        raise ScaffoldError(_("The policy has no risk profiles; leave out --risiko."))
    folder = site / "projects" / slug
    if folder.exists():
        raise ScaffoldError(_("The folder {folder} already exists, and it will not be overwritten. Choose another name, "
                              "or edit the existing assessment.").format(folder=folder.relative_to(site)))
    return slug, project_code(name, set(policy.needs.by_id))


def create(site: Path, policy: Policy, new: NewProject) -> Path:
    slug, code = validate(policy, site, new.name, new.department, new.risk)
    text = project_page(policy, new, code)  # before anything is written: a failure leaves nothing behind
    folder = site / "projects" / slug
    folder.mkdir(parents=True)
    page = folder / "index.md"
    with page.open("x", encoding="utf-8") as out:  # "x": never overwrite an author's file
        out.write(text)
    return page


def interview(policy: Policy, prompt: Callable[[str], str], say: Callable[[str], None],
              name: str | None, department: str | None, risk: str | None, traits: dict[str, str]) -> NewProject:
    """Ask for whatever the flags did not give."""
    name = name or prompt(_("The project's name:") + " ").strip()
    slugify(name)  # refuse a bad name before asking more
    department = department or prompt(_("Department / unit:") + " ").strip()
    vocab = policy.vocabulary
    questionnaire = risk is None and bool(vocab.risk_levels)
    # Each trait is asked once: a trait a risk criterion answers is asked there (when the risk
    # questionnaire runs), one a classification questionnaire sets is asked by dataetik klassificer.
    by_risk = traits_set(vocab, questions(policy)) if questionnaire else set()
    classified = {w for c in policy.needs.of_type("criterion") if c.get("raises_to") not in vocab.risk_levels
                  for w in _as_list(c.get("sets"))}
    for trait in vocab.traits:
        if trait.field in traits or trait.field in by_risk:
            continue
        if trait.word in classified:
            traits[trait.field] = vocab.no
        else:
            traits[trait.field] = yes_or_no(vocab, prompt, trait.question, say)
    criteria, record = [], []
    if questionnaire:
        outcome = ask(policy, prompt, say)
        risk, criteria, record = outcome.level, list(outcome.met), list(outcome.record)
        traits = {**outcome.traits, **traits}  # a trait given as a flag stands
    ordered = {t.field: traits[t.field] for t in vocab.traits if t.field in traits}
    return NewProject(name, department, risk or "", ordered, criteria, record)
