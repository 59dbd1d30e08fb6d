"""`dataetik klassificer`: ask a policy's classification questions about a project and record the
result on its page: the fields in the project's options, and a consideration with the answers
and the author's reasoning, answering the requirement that demands the classification.

The page is changed only when every answer is in, and written whole (a new file moved into
place), so an interrupted run leaves it as it was. An earlier classification is kept: a new one
is a reassessment, dated today, beside it.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from dataetik.classify import Outcome, Question, classifications
from dataetik.i18n import _
from dataetik.policy import Policy
from dataetik.scaffold import ScaffoldError

_PROJECT = re.compile(r"^(?P<fence>:{3,}|`{3,})\{project\}")
_OPTION = re.compile(r"^:(?P<name>[A-Za-z_][\w-]*):(?:\s|$)")


def project_page(site: Path, folder: str) -> Path:
    """The page of the project in `folder` (relative to the site, or a path to it)."""
    path = Path(folder)
    path = (path if path.is_absolute() else site / path).resolve()
    page = path / "index.md" if path.is_dir() else path
    if not page.is_file() or not page.is_relative_to(site):
        raise ScaffoldError(_("There is no project page {page}. Give the project's folder, e.g. "
                              "projects/route-planning.").format(page=page))
    return page


def _options(lines: list[str], page: Path) -> tuple[int, int]:
    """(index of the project directive's line, index after its last option line)."""
    start = next((i for i, line in enumerate(lines) if _PROJECT.match(line)), None)
    if start is None:
        raise ScaffoldError(_("{page} has no project ({{project}} block), so it cannot be classified.").format(page=page))
    end = start + 1
    while end < len(lines) and _OPTION.match(lines[end]):
        end += 1
    return start, end


def project_id(text: str, page: Path) -> str:
    lines = text.splitlines()
    start, end = _options(lines, page)
    return next((line.split(":", 2)[2].strip() for line in lines[start + 1:end] if line.startswith(":id:")), "")


def with_fields(text: str, fields: dict[str, str], page: Path) -> str:
    """The page with each field set in the project's options: replaced where written, else added."""
    lines = text.splitlines()
    start, end = _options(lines, page)
    todo = dict(fields)
    for i in range(start + 1, end):
        name = _OPTION.match(lines[i]).group("name")
        if name in todo:
            lines[i] = f":{name}: {todo.pop(name)}"
    lines[end:end] = [f":{name}: {value}" for name, value in todo.items()]
    return "\n".join(lines) + "\n"


def consideration(policy: Policy, folder: str, outcome: Outcome, reasoning: str, need_id: str, requirement: str) -> str:
    vocab = policy.vocabulary
    day = policy.today.isoformat()
    title = _("Classification under {policy}").format(policy=next(p.title for p in vocab.policies if p.folder == folder))
    answers = "\n".join(f"- {q.title}: {q.text} **{vocab.yes if yes else vocab.no}**" for q, yes in outcome.answers)
    result = "; ".join(f"{c.label}: *{outcome.fields[c.field]}*" for c in classifications(vocab, folder))
    asked = _("The answers to the questionnaire (`dataetik klassificer`, {day}):").format(day=day)
    result = _("Result: {result}.").format(result=result)
    return f""":::{{consideration}} {title}
:id: {need_id}
:addresses: {requirement}
:date: {day}

{reasoning.strip()}

{asked}

{answers}

{result}
:::
"""


def _free_id(policy: Policy, text: str, base: str) -> str:
    taken = set(policy.needs.by_id) | set(re.findall(r"^:id:\s*(\S+)", text, re.M))
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def record(policy: Policy, page: Path, text: str, folder: str, outcome: Outcome, reasoning: str) -> str:
    """The page's new text: the fields, and (where a requirement demands the classification) the
    consideration at the end, under a heading with the policy's name."""
    if not reasoning.strip():
        raise ScaffoldError(_("Give the reasoning behind the classification: what the system does, and why the answers "
                              "are right."))
    text = with_fields(text, outcome.fields, page)
    demanding = next((r for r in policy.requirements if "classified" in r.checks and r.policy and r.policy.folder == folder),
                     None)
    if demanding is None:
        return text
    code = project_id(text, page).removeprefix("PRJ_") or "PROJECT"
    need_id = _free_id(policy, text, f"C_{code}_{demanding.id.removeprefix('R_')}")
    heading = f"## {demanding.policy.title}"
    section = "" if any(line.strip() == heading for line in text.splitlines()) else f"\n{heading}\n"
    return text.rstrip("\n") + "\n" + section + "\n" + consideration(policy, folder, outcome, reasoning, need_id, demanding.id)


def write(page: Path, text: str) -> None:
    """Replace the page in one step: a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=page.parent, prefix=".dataetik-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, page)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def scripted(yes: list[str], known: list[Question]):
    """Answers given as flags: the questions named are answered yes, every other one asked is no."""
    ids = {q.id for q in known}
    unknown = [i for i in yes if i not in ids]
    if unknown:
        raise ScaffoldError(_("The question '{id}' does not exist. Choose from: {ids}.").format(
            id=unknown[0], ids=", ".join(q.id for q in known)))
    return lambda q, _n: q.id in yes
