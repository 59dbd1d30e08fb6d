"""Every check: a registry of rules, and the cases they make of the policies' needs.

A rule is a small function in one module of this package, registered with ``@rule``: its
name (the case's ``test_<name>`` in checks/, the reference row), what it runs over (``each``)
and what it demands, in words. A case is one rule applied to one subject (a principle, a
requirement, a project, a project x requirement pair, a bias test). pytest parametrizes over
the cases, so its output reads as a compliance report; the CLI runs the same cases.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from dataetik.findings import Finding
from dataetik.i18n import _
from dataetik.policy import Policy, Requirement

# What a rule runs over; each name is a way `cases` enumerates subjects.
EACH = ("principle", "requirement", "risk_level", "site", "answer", "applicable", "biastest", "project")


@dataclass(frozen=True)
class Rule:
    name: str            # test_<name> in checks/, the reference row: given once
    each: str            # one of EACH
    run: Callable[..., list[Finding]]
    description: str     # what the rule demands, as the reference page shows it (a msgid, marked with N_)
    answers: str = ""    # each="answer": the need type that answers
    when: Callable[[Requirement], bool] | None = None  # each="applicable": which requirements
    always: bool = False  # each="project": runs even where no requirement names it in `checks`
    across: bool = False  # what it finds in one project depends on other projects' needs too


RULES: dict[str, Rule] = {}


def rule(name: str, each: str, description: str, **options) -> Callable:
    def register(fn: Callable) -> Callable:
        assert name not in RULES, f"two rules named {name}"
        assert each in EACH, each
        RULES[name] = Rule(name, each, fn, description, **options)
        return fn
    return register


class Case:
    """One rule applied to one subject; `run()` gives its findings, stamped with the rule's name.

    A plain class with slots, not a closure per case: a site of a thousand projects has 70,000 cases."""

    __slots__ = ("rule", "key", "project", "_policy", "_rule", "_args")

    def __init__(self, policy: Policy, rule: Rule, key: str, project: str, *args):
        self.rule = rule.name  # matches a test function test_<rule> in checks/
        self.key = key         # pytest id, e.g. "PRJ_X-R_Y"
        self.project = project  # project ID, or "" for policy cases
        self._policy, self._rule, self._args = policy, rule, args

    def run(self) -> list[Finding]:
        """The rule's name on every finding; a finding against a requirement that takes effect later
        is a warning until then, saying from when it will fail."""
        return [_phased(self._policy, dataclasses.replace(f, rule=self.rule))
                for f in self._rule.run(self._policy, *self._args)]


def project_wide_names() -> frozenset[str]:
    """The rules a requirement may name in `checks` (the vocabulary's words map onto these)."""
    return frozenset(r.name for r in RULES.values() if r.each == "project")


def _rules(each: str) -> list[Rule]:
    return [r for r in RULES.values() if r.each == each]


def _phased(policy: Policy, finding: Finding) -> Finding:
    req = policy.requirement(finding.requirement)
    start = req.effective_for(policy.needs.get(finding.project)) if req else None
    if start is None or start <= policy.today:
        return finding
    return dataclasses.replace(finding, severity="warning",
                               problem=finding.problem + " " + _("(The requirement applies from {start}; until then "
                                                                 "it is a warning, after that an error.)").format(start=start))


def policy_cases(policy: Policy) -> list[Case]:
    cases = []
    for r in _rules("principle"):
        cases += [Case(policy, r, p["id"], "", p) for p in policy.needs.of_type("principle")]
    for r in _rules("requirement"):
        cases += [Case(policy, r, q.id, "", q) for q in policy.requirements]
    if policy.needs.srcdir:
        cases += [Case(policy, r, "site", "") for r in _rules("site")]
    for r in _rules("risk_level"):
        cases += [Case(policy, r, level, "", level) for level in policy.vocabulary.risk_levels]
    return cases


def project_cases(policy: Policy, only: str | None = None) -> list[Case]:
    """The cases of every project, or `only` of the project with that ID."""
    answer_rules = {r.answers: r for r in _rules("answer")}
    applicable_rules, biastest_rules = _rules("applicable"), _rules("biastest")
    # Project-wide rules run once per project, citing the requirement that names them in
    # `checks`. Status runs even if none does: the build cannot see a missing core field.
    project_rules = [(r, next((q.id for q in policy.requirements if r.name in q.checks), None))
                     for r in _rules("project")]
    cases = []
    meeting: dict[int, list[Rule]] = {}  # requirement -> the applicable rules it meets, asked once per requirement
    for project in policy.projects:
        pid = project["id"]
        if only is not None and pid != only:
            continue
        for req in policy.applicable(project):
            key = f"{pid}-{req.id}"
            cases += [Case(policy, answer_rules[answer], key, pid, project, req)
                      for answer in req.answered_by if answer in answer_rules]
            if id(req) not in meeting:  # the policy's own Requirement objects, alive as long as it is
                meeting[id(req)] = [r for r in applicable_rules if r.when(req)]
            cases += [Case(policy, r, key, pid, project, req) for r in meeting[id(req)]]
        for r in biastest_rules:
            cases += [Case(policy, r, t["id"], pid, t) for t in policy.needs.parts_of(pid, "biastest")]
        cases += [Case(policy, r, f"{pid}-{cited}" if cited else pid, pid, project, cited or "")
                  for r, cited in project_rules if cited or r.always]
    return cases


def all_cases(policy: Policy) -> list[Case]:
    with collector_paused():
        return policy_cases(policy) + project_cases(policy)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """For work that makes many objects and no cycles among them (cases, the words of every text): the
    garbage collector would only walk the site's needs again and again, at 1,000 projects for seconds."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# Importing the rule modules registers their rules, in the order the reference lists them.
from dataetik.rules import structure, sources, bias, answers, reasoning, project, trail, personal_data, files  # noqa: E402,F401
