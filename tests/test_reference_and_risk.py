"""The rule registry and the generated reference cover everything; the risk questionnaire
follows the policy's words."""

import re
from pathlib import Path

from dataetik import model
from dataetik.risk import Question, ask, propose
from dataetik.rules import EACH, RULES
from dataetik.vocabulary import Vocabulary

REPO = Path(__file__).resolve().parent.parent
VOCAB = Vocabulary(yes="yes", no="no", risk_levels=("low", "medium", "high"),
                   decision_levels=("manager", "board"), statuses={"draft": "planned"})


def test_every_rule_has_a_description_and_a_check_that_runs_it():
    """A rule registered without a test_<rule> in checks/ would never run in make test; a
    test_<rule> without a rule would run nothing."""
    checks = {name for path in (REPO / "checks").glob("test_*.py")
              for name in re.findall(r"^def test_(\w+)\(case\)", path.read_text(encoding="utf-8"), re.M)}
    assert {"principle_has_requirement", "bias_result", "dates", "review"} <= set(RULES)
    assert set(RULES) == checks
    assert all(r.description and r.each in EACH for r in RULES.values())


def test_every_field_is_shown_for_some_need_type():
    shown = {f for t in model.NEED_TYPES for f in model.type_fields(VOCAB, t["directive"])}
    assert set(model.FIELDS) - shown == set()


QS = [Question("K_A", "Sårbare", "Sårbare borgere?", "high"), Question("K_B", "Følsomme", "Følsomme data?", "medium")]


def test_highest_yes_decides_and_no_yes_is_lowest_level():
    assert propose(VOCAB, QS, {"K_A": False, "K_B": True}).level == "medium"
    assert propose(VOCAB, QS, {"K_A": True, "K_B": True}).level == "high"
    outcome = propose(VOCAB, QS, {})
    assert (outcome.level, outcome.met) == ("low", ())
    assert outcome.record == ("K_A Sårbare: no", "K_B Følsomme: no")


def test_questionnaire_asks_again_until_the_policys_yes_or_no(monkeypatch):
    class FakePolicy:
        vocabulary = VOCAB

        def approval_level(self, level):
            return {"medium": "board"}.get(level)

    monkeypatch.setattr("dataetik.risk.questions", lambda policy: QS)
    replies, said = iter(["måske", "n", "YES"]), []
    outcome = ask(FakePolicy(), lambda _: next(replies), said.append)
    assert outcome.level == "medium" and outcome.met == ("K_B",)
    assert "  Svar 'yes' eller 'no'." in said
    assert said[-1] == "Forslag til risikoprofil: medium (godkendes mindst af: board)."
