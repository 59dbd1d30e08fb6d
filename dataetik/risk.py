"""The risk questionnaire, built from the risk criteria on the policy pages.

Each `criterion` need is a yes/no question that raises the risk to at least its
`raises_to`. The proposed level is the highest one a 'yes' reaches; no 'yes' is
the lowest level. A criterion that `sets` one of the policy's traits answers that trait
too (yes sets it, no leaves it no), so `dataetik new` does not ask it again in other words.
Each question is shown with its `why` and `example`, where the policy gives them. Inspired by Canada's Algorithmic Impact Assessment, but every
question and threshold comes from our own policy pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dataetik.i18n import _
from dataetik.policy import Policy, _as_list
from dataetik.vocabulary import Vocabulary


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    text: str
    raises_to: str
    why: str = ""
    example: str = ""
    sets: tuple[str, ...] = ()  # the policy's trait words a yes sets


@dataclass(frozen=True)
class Outcome:
    level: str
    met: tuple[str, ...]        # IDs of the criteria answered yes
    record: tuple[str, ...]     # one line per question, for the assessment
    traits: dict[str, str] = field(default_factory=dict)  # trait field -> yes/no, for traits a criterion sets


def questions(policy: Policy) -> list[Question]:
    """The criteria, highest level first, in the order the policy page states them."""
    rank = policy.vocabulary.risk_rank
    criteria = sorted(
        # A criterion raising a classification's level belongs to that classification's questionnaire.
        [c for c in policy.needs.of_type("criterion") if c.get("raises_to") in policy.vocabulary.risk_levels],
        key=lambda n: (-rank(n.get("raises_to")), n.get("docname") or "", n.get("lineno") or 0),
    )
    traits = {t.word for t in policy.vocabulary.traits}
    return [Question(c["id"], c["title"], _words(c.get("content") or c["title"]), c.get("raises_to"),
                     _words(c.get("why")), _words(c.get("example")),
                     tuple(w for w in _as_list(c.get("sets")) if w in traits))
            for c in criteria]


def _words(text) -> str:
    return " ".join((text or "").split())


def traits_set(vocab: Vocabulary, qs: list[Question]) -> set[str]:
    """The fields of the traits the questionnaire answers: not to be asked on their own as well."""
    fields = {t.word: t.field for t in vocab.traits}
    return {fields[w] for q in qs for w in q.sets}


def propose(vocab: Vocabulary, qs: list[Question], answers: dict[str, bool]) -> Outcome:
    met = tuple(q.id for q in qs if answers.get(q.id))
    levels = [q.raises_to for q in qs if q.id in met]
    level = max(levels, key=vocab.risk_rank) if levels else vocab.risk_levels[0]
    record = tuple(f"{q.id} {q.title}: {vocab.yes if answers.get(q.id) else vocab.no}" for q in qs)
    fields = {t.word: t.field for t in vocab.traits}
    traits = {fields[w]: vocab.no for q in qs for w in q.sets}
    traits |= {fields[w]: vocab.yes for q in qs if q.id in met for w in q.sets}
    return Outcome(level, met, record, traits)


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
    answers = {}
    for i, q in enumerate(qs, 1):
        say(f"\n{i}/{len(qs)} {q.title}")
        for label, text in ((_("Why we ask"), q.why), (_("Example"), q.example)):
            if text:
                say(f"   {label}: {text}")
        answers[q.id] = yes_or_no(vocab, prompt, f"   {q.text}", say) == vocab.yes
    outcome = propose(vocab, qs, answers)
    say(_("Proposed risk profile: {level} (approved at least by: {approver}).").format(
        level=outcome.level, approver=policy.approval_level(outcome.level)))
    return outcome
