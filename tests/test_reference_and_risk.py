"""The generated reference covers everything; the risk questionnaire follows the policy."""

import inspect

from dataetik import model
from dataetik.risk import Question, ask, propose
from dataetik.rules import DESCRIPTIONS, project_rules
from dataetik.rules import policy_rules


def test_every_rule_has_a_danish_description():
    rules = {
        name for name, fn in inspect.getmembers(policy_rules, inspect.isfunction)
        if fn.__module__ == policy_rules.__name__ and not name.startswith("_")
    }
    rules |= {"bias_result", "row_level_data", "placeholders", "status", "dates", "risk_profile", *project_rules.BY_ANSWER}
    assert rules - DESCRIPTIONS.keys() == set()


def test_every_field_is_shown_for_some_need_type():
    shown = {f for fields in (*model.REQUIRED_FIELDS.values(), *model.OPTIONAL_FIELDS.values()) for f in fields}
    assert set(model.NEED_FIELDS) - shown == set()


QS = [Question("K_A", "Sårbare", "Sårbare borgere?", "høj"), Question("K_B", "Følsomme", "Følsomme data?", "middel")]


def test_highest_yes_decides_and_no_yes_is_lowest_level():
    assert propose(QS, {"K_A": False, "K_B": True}).level == "middel"
    assert propose(QS, {"K_A": True, "K_B": True}).level == "høj"
    outcome = propose(QS, {})
    assert (outcome.level, outcome.met) == ("lav", ())
    assert outcome.record == ("K_A Sårbare: nej", "K_B Følsomme: nej")


def test_questionnaire_asks_again_until_ja_or_nej(monkeypatch):
    class FakePolicy:
        def approval_level(self, level):
            return {"middel": "direktørkreds"}.get(level)

    monkeypatch.setattr("dataetik.risk.questions", lambda policy: QS)
    replies, said = iter(["måske", "nej", "JA"]), []
    outcome = ask(FakePolicy(), lambda _: next(replies), said.append)
    assert outcome.level == "middel" and outcome.met == ("K_B",)
    assert "  Svar 'ja' eller 'nej'." in said
    assert said[-1] == "Forslag til risikoprofil: middel (godkendes mindst af: direktørkreds)."
