"""The risk questionnaire, built from the risk criteria on the policy pages.

Each `criterion` need is a yes/no question that raises the risk to at least its
`raises_to`. The proposed level is the highest one a 'yes' reaches; no 'yes' is
the lowest level. Inspired by Canada's Algorithmic Impact Assessment, but every
question and threshold comes from our own policy pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dataetik import model
from dataetik.policy import Policy, risk_rank


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    text: str
    raises_to: str


@dataclass(frozen=True)
class Outcome:
    level: str
    met: tuple[str, ...]        # IDs of the criteria answered yes
    record: tuple[str, ...]     # one line per question, for the assessment


def questions(policy: Policy) -> list[Question]:
    """The criteria, highest level first, in the order the policy page states them."""
    criteria = sorted(
        policy.needs.of_type("criterion"),
        key=lambda n: (-risk_rank(n.get("raises_to")), n.get("docname") or "", n.get("lineno") or 0),
    )
    return [Question(c["id"], c["title"], " ".join((c.get("content") or c["title"]).split()), c.get("raises_to")) for c in criteria]


def propose(qs: list[Question], answers: dict[str, bool]) -> Outcome:
    met = tuple(q.id for q in qs if answers.get(q.id))
    levels = [q.raises_to for q in qs if q.id in met]
    level = max(levels, key=risk_rank) if levels else model.RISK_LEVELS[0]
    record = tuple(f"{q.id} {q.title}: {'ja' if answers.get(q.id) else 'nej'}" for q in qs)
    return Outcome(level, met, record)


def ask(policy: Policy, prompt: Callable[[str], str], say: Callable[[str], None] = print) -> Outcome:
    """Ask each question until answered ja/nej; returns the proposed level."""
    qs = questions(policy)
    say("Risikovurdering: svar ja eller nej til hvert spørgsmål.")
    answers = {}
    for i, q in enumerate(qs, 1):
        while True:
            reply = prompt(f"{i}/{len(qs)} {q.text} [ja/nej] ").strip().lower()
            if reply in ("ja", "j", "nej", "n"):
                answers[q.id] = reply.startswith("j")
                break
            say("  Svar 'ja' eller 'nej'.")
    outcome = propose(qs, answers)
    say(f"Forslag til risikoprofil: {outcome.level} (godkendes mindst af: {policy.approval_level(outcome.level)}).")
    return outcome
