"""A new assessment, generated from the policy: one section per applicable requirement.

Placeholders are written as ``UDFYLDES`` (in a Danish policy; ``TODO`` in English) so the
checks reject them until an author has replaced every one. Guidance from the requirement is kept as MyST comments
(``%`` lines): the author sees it in the file, readers of the site do not.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from dataetik.i18n import _, ngettext
from dataetik.policy import Policy, Requirement

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


class ScaffoldError(ValueError):
    """Input an author must correct; the message is in the policy's language and says how."""


def placeholder() -> str:
    """The marker an author must replace (one the placeholder check knows)."""
    return _("TODO")


def date_placeholder() -> str:
    return _("YYYY-MM-DD")


def _ascii_words(text: str) -> list[str]:
    """'Tidlig indsats for børn' -> ['tidlig', 'indsats', 'for', 'boern']: whole words, lower case, with
    æ/ø/å spelled ae/oe/aa (before dropping other accents, so no letter turns into garbage)."""
    text = unicodedata.normalize("NFKD", text.strip().translate(_DANISH))
    return re.findall(r"[a-z0-9]+", text.encode("ascii", "ignore").decode().lower())


def _within(words: list[str], limit: int, sep: str) -> str:
    """As many whole words as fit in limit characters (the first one always, whole)."""
    kept = words[:1]
    for word in words[1:]:
        if len(sep.join([*kept, word])) > limit:
            break
        kept.append(word)
    return sep.join(kept)


def small_words() -> set[str]:
    """The language's small words (articles, prepositions, conjunctions), left out of IDs: they carry
    no meaning of their own. A list of language words, so it lives in the message catalogue."""
    # Translators: short words left out of generated IDs, separated by commas; list your language's own.
    words = _("a, an, and, at, by, for, from, in, of, on, or, the, to, with")
    return {w for part in words.split(",") for w in _ascii_words(part)}


def slugify(name: str) -> str:
    """'Ruteplanlægning i hjemmeplejen' -> 'ruteplanlaegning-i-hjemmeplejen' (at most 60 characters,
    cut between words)."""
    words = _ascii_words(name)
    if not any(re.search(r"[a-z]", w) for w in words):
        raise ScaffoldError(_("The project name '{name}' cannot be used: it must contain letters. Write e.g. "
                              '"Route planning in home care".').format(name=name))
    return _within(words, 60, "-")


def id_code(text: str, limit: int = 24) -> str:
    """An ID part made of the meaningful whole words of a name: 'Tidlig indsats for udsatte børn' ->
    'TIDLIG_INDSATS_UDSATTE' (the small words skipped, cut between words within limit)."""
    words = _ascii_words(text.replace("-", " "))
    meaningful = [w for w in words if w not in small_words()] or words
    return _within(meaningful, limit, "_").upper()


def project_code(name: str, taken: set[str]) -> str:
    """A short, stable ID code from the project's name (or slug), unique against taken IDs."""
    code = id_code(name) or "P"
    if not code[0].isalpha():
        code = f"P{code}"
    candidate, n = code, 2
    while f"PRJ_{candidate}" in taken:
        candidate, n = f"{code}_{n}", n + 1
    return candidate


@dataclass
class NewProject:
    name: str
    department: str
    risk: str
    traits: dict[str, str] = field(default_factory=dict)  # project field -> the policy's yes/no
    criteria: list[str] = field(default_factory=list)    # risk criteria IDs met
    risk_answers: list[str] = field(default_factory=list)  # questionnaire lines, for the record


def _guidance(req: Requirement) -> str:
    text = " ".join((req.need.get("content") or "").split())
    lines = re.findall(r".{1,88}(?:\s|$)", text)
    return "\n".join(f"% {line.rstrip()}" for line in lines)


def _consideration(code: str, req: Requirement) -> str:
    todo, date = placeholder(), date_placeholder()
    requirement = _("The requirement ({id}):").format(id=req.id)
    reasoning = _("Write your reasoning here – what have you considered, what have you decided, and why?")
    return f"""### {req.title}

% {requirement} {_guidance(req).removeprefix('% ')}
:::{{consideration}} {req.title}
:id: C_{code}_{req.id.removeprefix('R_')}
:addresses: {req.id}
:date: {date}

{todo}: {reasoning}
:::
"""


def _evidence(code: str, req_ids: list[str], kind: str) -> str:
    short = id_code(kind)
    todo, date = placeholder(), date_placeholder()
    where = _("where the document is kept, e.g. a case number")
    conclusion = _("What does the document conclude?")
    return f""":::{{evidence}} {kind.capitalize()}
:id: EV_{code}_{short}
:addresses: {', '.join(req_ids)}
:kind: {kind}
:date: {date}
:reference: {todo}: {where}

{todo}: {conclusion}
:::
"""


def _biastest(code: str, req_ids: list[str]) -> str:
    todo, date = placeholder(), date_placeholder()
    title = _("Test for bias")
    tested = _("Which decision or selection has been tested, on which citizens and over which period?")
    return f""":::{{biastest}} {title}
:id: BT_{code}
:addresses: {', '.join(req_ids)}
:date: {date}
:counts: biastest.csv

{todo}: {tested}
:::
"""


def project_page(policy: Policy, new: NewProject, code: str) -> str:
    vocab = policy.vocabulary
    project = {"risk": new.risk, **new.traits}
    applicable = policy.applicable(project)
    traits = "\n".join(f":{t.field}: {new.traits.get(t.field, vocab.no)}" for t in vocab.traits)
    criteria = f":risk_criteria: {', '.join(new.criteria)}\n" if new.criteria else ""
    answers = "".join(f"% - {line}\n" for line in new.risk_answers)
    chosen = ("% " + _("The risk profile '{risk}' was chosen from these answers:").format(risk=new.risk) + f"\n{answers}"
              if new.risk_answers else "")
    risk = f":risk: {new.risk}\n" if vocab.risk_levels else ""
    planned = (vocab.words_for(vocab.statuses, "planned") or list(vocab.statuses))[0]
    todo, date = placeholder(), date_placeholder()
    created = _("Created with `dataetik new`. Replace each {placeholder} and each {date}, and run `dataetik "
                "check`.").format(placeholder=todo, date=date)
    personal_data = _("which kinds of personal data")
    legal_basis = _("e.g. the General Data Protection Regulation art. 6(1)(e)")
    summary = _("Write 3-5 sentences to the citizens: which data are used, for what, and how does it affect "
                "decisions about them?")
    if vocab.risk_levels:
        applies = ngettext("The project's risk profile is *{risk}*. Therefore {count} requirement applies.",
                           "The project's risk profile is *{risk}*. Therefore these {count} requirements apply.",
                           len(applicable))
    else:
        applies = ngettext("{count} requirement applies to the project.", "These {count} requirements apply to the "
                           "project.", len(applicable))
    applies = applies.format(risk=new.risk, count=len(applicable))
    considerations = _("Considerations")
    parts = [f"""# {new.name}

% {created}
{chosen}
:::{{project}} {new.name}
:id: PRJ_{code}
:department: {new.department}
{risk}:status: {planned}
:start_date: {date}
:personal_data: {todo}: {personal_data}
:legal_basis: {todo}: {legal_basis}
{traits}
{criteria}
{todo}: {summary}
:::

## {considerations}

{applies}
"""]
    # A classification's consideration is written by `dataetik klassificer`, with the answers.
    classified = [r for r in applicable if "classified" in r.checks]
    parts += [_consideration(code, r) for r in applicable if "consideration" in r.answered_by and r not in classified]
    parts += [f"### {r.title}\n\n% " + _("Run 'dataetik klassificer {folder}': it asks the questions and writes the "
                                          "classification and a consideration here.").format(folder=f"projects/{slugify(new.name)}")
              + "\n" for r in classified]
    # One bias test, and one piece of evidence per kind, answering every requirement that asks
    # for it: IDs stay unique whatever the policy demands.
    bias = [r.id for r in applicable if "biastest" in r.answered_by]
    if bias:
        parts.append("## " + _("Bias test") + "\n\n% "
                     + _("See the guide to bias tests: {path}").format(path="docs/guides/biastest.md") + "\n")
        parts.append(_biastest(code, bias))
    kinds: dict[str, list[str]] = {}
    for r in applicable:
        for kind in r.evidence_kind if "evidence" in r.answered_by else ():
            kinds.setdefault(kind, []).append(r.id)
    if kinds:
        parts.append("## " + _("Evidence") + "\n")
        parts += [_evidence(code, ids, kind) for kind, ids in kinds.items()]
    approvals = [r for r in applicable if "approval" in r.answered_by]
    if approvals:
        level = policy.approval_level(new.risk) or (vocab.decision_levels[0] if vocab.decision_levels else None)
        ids = ", ".join(r.id for r in approvals)
        insert = (_("When the project is approved, insert (level at least: {level}):").format(level=level) if level
                  else _("When the project is approved, insert:"))
        level_line = f"\n% :decision_level: {level}" if level else ""
        approves = vocab.words_for(vocab.decisions, "approves", "approves_with_conditions")[0]
        heading, title, role = _("Approval"), _("What has been approved"), _("role, not name")
        what = _("What exactly has been approved, and on which conditions.")
        not_yet = _("The project has not yet been approved.")
        parts.append(f"""## {heading}

% {insert}
% :::{{approval}} {title}
% :id: AP_{code}
% :addresses: {ids}
% :role: {role}{level_line}
% :decision: {approves}
% :date: {date_placeholder()}
%
% {what}
% :::
{not_yet}
""")
    return "\n".join(parts) + "\n"


def filled_in(page: str, reason: Callable[[int], str], assessed: str, start: str) -> str:
    """A generated page with every placeholder answered, standing in for an author (used by the
    benchmark and the tests; real assessments are written by people). `reason(n)` writes the n-th
    consideration: each its own, as the checks demand of real reasoning."""
    todo, date = placeholder(), date_placeholder()
    page = page.replace(f":start_date: {date}", f":start_date: {start}").replace(date, assessed)
    answered = itertools.count()
    lines = [reason(next(answered)) if line.startswith(todo) else line.replace(f"{todo}: ", "")
             for line in page.splitlines()]
    return "\n".join(lines) + "\n"
