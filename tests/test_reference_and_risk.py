"""The generated reference covers everything; the risk questionnaire follows the policy."""

import inspect
import re
from pathlib import Path

from dataetik import model
from dataetik.risk import Question, ask, propose
from dataetik.rules import DESCRIPTIONS, project_rules

REPO = Path(__file__).resolve().parent.parent


def test_every_rule_has_a_danish_description_and_a_check_that_runs_it():
    """Read off the code, not listed by hand: a new rule without a description (on the reference
    page) or without a test_<rule> in checks/ (never run by make test) fails here."""
    import dataetik.rules as rules_module

    rules = (set(re.findall(r'Case\("(\w+)"', inspect.getsource(rules_module)))
             | set(project_rules.BY_ANSWER) | set(project_rules.PROJECT_WIDE))
    checks = {name for path in (REPO / "checks").glob("test_*.py")
              for name in re.findall(r"^def test_(\w+)\(case\)", path.read_text(encoding="utf-8"), re.M)}
    assert {"principle_has_requirement", "bias_result", "dates"} <= rules  # the pattern still finds them
    assert rules - DESCRIPTIONS.keys() == set()
    assert rules - checks == set()
    assert DESCRIPTIONS.keys() - rules == {"build"}  # no description of a rule that is gone
    # Each Danish name a requirement may give in `checks` runs a project-wide rule, and back.
    assert set(model.PROJECT_CHECKS.values()) == set(project_rules.PROJECT_WIDE)


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
