"""A new assessment, generated from the policy: one section per applicable requirement.

Placeholders are written as ``UDFYLDES`` so the checks reject them until an author
has replaced every one. Guidance from the requirement is kept as MyST comments
(``%`` lines): the author sees it in the file, readers of the site do not.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from dataetik.policy import Policy, Requirement

PLACEHOLDER = "UDFYLDES"
_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


class ScaffoldError(ValueError):
    """Input an author must correct; the message is Danish and says how."""


def slugify(name: str) -> str:
    """'Ruteplanlægning i hjemmeplejen' -> 'ruteplanlaegning-i-hjemmeplejen'."""
    text = unicodedata.normalize("NFKD", name.strip().translate(_DANISH))
    text = text.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if not re.search(r"[a-z]", slug):
        raise ScaffoldError(
            f"Projektnavnet '{name}' kan ikke bruges: det skal indeholde bogstaver. Skriv fx \"Ruteplanlægning i hjemmeplejen\"."
        )
    return slug[:60].rstrip("-")


def project_code(slug: str, taken: set[str]) -> str:
    """A short, stable ID code from the slug's first significant word, unique against taken IDs."""
    words = [w for w in slug.split("-") if len(w) > 2] or slug.split("-")
    code = words[0].upper()[:16]
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
    return f"""### {req.title}

% Kravet ({req.id}): {_guidance(req).removeprefix('% ')}
:::{{consideration}} {req.title}
:id: C_{code}_{req.id.removeprefix('R_')}
:addresses: {req.id}
:date: ÅÅÅÅ-MM-DD

{PLACEHOLDER}: Skriv jeres begrundelse her – hvad har I overvejet, hvad har I besluttet, og hvorfor?
:::
"""


def _evidence(code: str, req_ids: list[str], kind: str) -> str:
    short = re.sub(r"[^A-Z0-9]+", "_", kind.upper().translate(_DANISH))[:20].strip("_")
    return f""":::{{evidence}} {kind.capitalize()}
:id: EV_{code}_{short}
:addresses: {', '.join(req_ids)}
:kind: {kind}
:date: ÅÅÅÅ-MM-DD
:reference: {PLACEHOLDER}: hvor dokumentet findes, fx journalnummer

{PLACEHOLDER}: Hvad konkluderer dokumentet?
:::
"""


def _biastest(code: str, req_ids: list[str]) -> str:
    return f""":::{{biastest}} Test for skævhed
:id: BT_{code}
:addresses: {', '.join(req_ids)}
:date: ÅÅÅÅ-MM-DD
:counts: biastest.csv

{PLACEHOLDER}: Hvilken beslutning eller udvælgelse er testet, på hvilke borgere og hvilken periode?
:::
"""


def project_page(policy: Policy, new: NewProject, code: str) -> str:
    vocab = policy.vocabulary
    project = {"risk": new.risk, **new.traits}
    applicable = policy.applicable(project)
    traits = "\n".join(f":{t.field}: {new.traits.get(t.field, vocab.no)}" for t in vocab.traits)
    criteria = f":risk_criteria: {', '.join(new.criteria)}\n" if new.criteria else ""
    answers = "".join(f"% - {line}\n" for line in new.risk_answers)
    chosen = f"% Risikoprofilen '{new.risk}' er valgt ud fra disse svar:\n{answers}" if new.risk_answers else ""
    risk = f":risk: {new.risk}\n" if vocab.risk_levels else ""
    planned = (vocab.words_for(vocab.statuses, "planned") or list(vocab.statuses))[0]
    profile = f"Projektets risikoprofil er *{new.risk}*. Derfor gælder" if vocab.risk_levels else "For projektet gælder"
    parts = [f"""# {new.name}

% Oprettet med `dataetik new`. Erstat hvert {PLACEHOLDER} og hver ÅÅÅÅ-MM-DD, og kør `dataetik check`.
{chosen}
:::{{project}} {new.name}
:id: PRJ_{code}
:department: {new.department}
{risk}:status: {planned}
:start_date: ÅÅÅÅ-MM-DD
:personal_data: {PLACEHOLDER}: hvilke slags personoplysninger
:legal_basis: {PLACEHOLDER}: fx Databeskyttelsesforordningen art. 6, stk. 1, litra e
{traits}
{criteria}
{PLACEHOLDER}: Skriv 3-5 sætninger til borgerne: hvilke data bruges, til hvad, og hvordan påvirker det beslutninger om dem?
:::

## Overvejelser

{profile} disse {len(applicable)} krav.
"""]
    parts += [_consideration(code, r) for r in applicable if "consideration" in r.answered_by]
    # One bias test, and one piece of evidence per kind, answering every requirement that asks
    # for it: IDs stay unique whatever the policy demands.
    bias = [r.id for r in applicable if "biastest" in r.answered_by]
    if bias:
        parts.append("## Bias-test\n\n% Se vejledningen om bias-test: docs/guides/biastest.md\n")
        parts.append(_biastest(code, bias))
    kinds: dict[str, list[str]] = {}
    for r in applicable:
        for kind in r.evidence_kind if "evidence" in r.answered_by else ():
            kinds.setdefault(kind, []).append(r.id)
    if kinds:
        parts.append("## Dokumentation\n")
        parts += [_evidence(code, ids, kind) for kind, ids in kinds.items()]
    approvals = [r for r in applicable if "approval" in r.answered_by]
    if approvals:
        level = policy.approval_level(new.risk) or (vocab.decision_levels[0] if vocab.decision_levels else None)
        ids = ", ".join(r.id for r in approvals)
        at_least = f" (niveau mindst: {level})" if level else ""
        level_line = f"\n% :decision_level: {level}" if level else ""
        approves = vocab.words_for(vocab.decisions, "approves", "approves_with_conditions")[0]
        parts.append(f"""## Godkendelse

% Når projektet er godkendt, indsæt{at_least}:
% :::{{approval}} Hvad er godkendt
% :id: AP_{code}
% :addresses: {ids}
% :role: rolle, ikke navn{level_line}
% :decision: {approves}
% :date: ÅÅÅÅ-MM-DD
%
% Hvad præcist er godkendt, og på hvilke vilkår.
% :::
Projektet er endnu ikke godkendt.
""")
    return "\n".join(parts) + "\n"


def filled_in(page: str, reason: str, assessed: str, start: str) -> str:
    """A generated page with every placeholder answered, standing in for an author
    (used by the benchmark and the tests; real assessments are written by people)."""
    page = page.replace(":start_date: ÅÅÅÅ-MM-DD", f":start_date: {start}").replace("ÅÅÅÅ-MM-DD", assessed)
    lines = [reason if line.startswith(PLACEHOLDER) else line.replace(f"{PLACEHOLDER}: ", "") for line in page.splitlines()]
    return "\n".join(lines) + "\n"
