"""The risk questionnaire, built from the risk criteria on the policy pages.

Each `criterion` need is a yes/no question that raises the risk to at least its
`raises_to`. The proposed level is the highest one a 'yes' reaches; no 'yes' is
the lowest level. Inspired by Canada's Algorithmic Impact Assessment, but every
question and threshold comes from our own policy pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dataetik.i18n import _
from dataetik.policy import Policy
from dataetik.vocabulary import Vocabulary


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
    rank = policy.vocabulary.risk_rank
    criteria = sorted(
        # A criterion raising a classification's level belongs to that classification's questionnaire.
        [c for c in policy.needs.of_type("criterion") if c.get("raises_to") in policy.vocabulary.risk_levels],
        key=lambda n: (-rank(n.get("raises_to")), n.get("docname") or "", n.get("lineno") or 0),
    )
    return [Question(c["id"], c["title"], " ".join((c.get("content") or c["title"]).split()), c.get("raises_to")) for c in criteria]


def propose(vocab: Vocabulary, qs: list[Question], answers: dict[str, bool]) -> Outcome:
    met = tuple(q.id for q in qs if answers.get(q.id))
    levels = [q.raises_to for q in qs if q.id in met]
    level = max(levels, key=vocab.risk_rank) if levels else vocab.risk_levels[0]
    record = tuple(f"{q.id} {q.title}: {vocab.yes if answers.get(q.id) else vocab.no}" for q in qs)
    return Outcome(level, met, record)


def yes_or_no(vocab: Vocabulary, prompt: Callable[[str], str], question: str, say: Callable[[str], None]) -> str:
    """Ask until the answer is the policy's word for yes or no (or its first letter, where the
    two differ); returns the word."""
    accepted = {vocab.yes.lower(): vocab.yes, vocab.no.lower(): vocab.no}
    if vocab.yes[:1].lower() != vocab.no[:1].lower():
        accepted |= {vocab.yes[:1].lower(): vocab.yes, vocab.no[:1].lower(): vocab.no}
    while True:
        reply = prompt(f"{question} [{vocab.yes}/{vocab.no}] ").strip().lower()
        if reply in accepted:
            return accepted[reply]
        say("  " + _("Answer '{yes}' or '{no}'.").format(yes=vocab.yes, no=vocab.no))


def ask(policy: Policy, prompt: Callable[[str], str], say: Callable[[str], None] = print) -> Outcome:
    """Ask each question until answered yes or no; returns the proposed level."""
    vocab = policy.vocabulary
    qs = questions(policy)
    say(_("Risk assessment: answer {yes} or {no} to each question.").format(yes=vocab.yes, no=vocab.no))
    answers = {q.id: yes_or_no(vocab, prompt, f"{i}/{len(qs)} {q.text}", say) == vocab.yes
               for i, q in enumerate(qs, 1)}
    outcome = propose(vocab, qs, answers)
    say(_("Proposed risk profile: {level} (approved at least by: {approver}).").format(
        level=outcome.level, approver=policy.approval_level(outcome.level)))
    return outcome
