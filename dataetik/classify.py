"""A policy's classification questionnaire (e.g. a law's categories), built from its criteria.

Every `criterion` on a policy's pages that touches one of its classifications is a yes/no
question. A yes raises a classification to at least `raises_to`, a no to at least
`raises_if_no`; a yes may also `sets` a level of another classification or a trait. A question
is asked only after a yes to one of `asked_if`, and skipped after a yes to one of `skipped_if`.
The proposal for each classification is the highest level reached, else its lowest level.
The words and the questions are the policy's; this module only knows how to ask them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dataetik.policy import Policy, _as_list
from dataetik.vocabulary import Classification, Vocabulary


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    text: str
    why: str
    example: str
    raises_to: str
    raises_if_no: str
    sets: tuple[str, ...]
    asked_if: tuple[str, ...]
    skipped_if: tuple[str, ...]

    @classmethod
    def from_need(cls, need: dict) -> "Question":
        return cls(need["id"], need["title"], " ".join((need.get("content") or need["title"]).split()),
                   need.get("why") or "", need.get("example") or "", need.get("raises_to") or "",
                   need.get("raises_if_no") or "", tuple(_as_list(need.get("sets"))),
                   tuple(_as_list(need.get("asked_if"))), tuple(_as_list(need.get("skipped_if"))))


@dataclass(frozen=True)
class Outcome:
    fields: dict[str, str]           # project field -> proposed level (or the word for yes/no, for a trait)
    answers: tuple[tuple[Question, bool], ...]  # the questions asked, in order, and their answers


def classifications(vocab: Vocabulary, folder: str) -> list[Classification]:
    return [c for c in vocab.classifications if c.folder == folder]


def questions(policy: Policy, folder: str) -> list[Question]:
    """The policy's questions, in the order its pages state them: the criteria that raise or set a
    level of one of its classifications."""
    levels = {level for c in classifications(policy.vocabulary, folder) for level in c.levels}
    criteria = sorted(policy.needs.of_type("criterion"), key=lambda n: (n.get("docname") or "", n.get("lineno") or 0))
    qs = [Question.from_need(c) for c in criteria]
    return [q for q in qs if levels & {q.raises_to, q.raises_if_no, *q.sets}]


def is_asked(q: Question, answers: dict[str, bool]) -> bool:
    if q.asked_if and not any(answers.get(i) for i in q.asked_if):
        return False
    return not any(answers.get(i) for i in q.skipped_if)


def propose(vocab: Vocabulary, folder: str, qs: list[Question], answered: list[tuple[Question, bool]]) -> Outcome:
    """Each classification at the highest level its answers reach (else its lowest); each trait a
    question can set (asked or not): yes where a yes set it, else no."""
    traits = {t.word: t.field for t in vocab.traits}
    fields = {traits[w]: vocab.no for q in qs for w in q.sets if w in traits}
    reached: set[str] = set()
    for q, yes in answered:
        reached.update(w for w in ([q.raises_to, *q.sets] if yes else [q.raises_if_no]) if w)
        fields.update({traits[w]: vocab.yes for w in q.sets if yes and w in traits})
    for scale in classifications(vocab, folder):
        hits = [level for level in scale.levels if level in reached]
        fields[scale.field] = hits[-1] if hits else scale.levels[0]
    return Outcome(fields, tuple(answered))


def ask(policy: Policy, folder: str, answer: Callable[[Question, int], bool]) -> Outcome:
    """Ask the questions in order, each only when its conditions hold."""
    answers: dict[str, bool] = {}
    answered = []
    qs = questions(policy, folder)
    for q in qs:
        if is_asked(q, answers):
            answers[q.id] = answer(q, len(answered) + 1)
            answered.append((q, answers[q.id]))
    return propose(policy.vocabulary, folder, qs, answered)
