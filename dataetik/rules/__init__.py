"""Every check, as a list of cases generated from the policy's needs.

A case is one rule applied to one subject (a principle, a requirement, a project,
or a project x requirement pair). pytest parametrizes over the cases, so its
output reads as a compliance report; the CLI runs the same cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dataetik import model
from dataetik.findings import Finding
from dataetik.policy import Policy
from dataetik.rules import policy_rules, project_rules


@dataclass(frozen=True)
class Case:
    rule: str     # matches a test function test_<rule> in checks/
    key: str      # pytest id, e.g. "PRJ_X-R_Y"
    project: str  # project ID, or "" for policy cases
    run: Callable[[], list[Finding]]


def policy_cases(policy: Policy) -> list[Case]:
    cases = [
        Case("principle_has_requirement", p["id"], "", lambda p=p: policy_rules.principle_has_requirement(policy, p))
        for p in policy.needs.of_type("principle")
    ]
    cases += [
        Case("requirement_is_traceable", r.id, "", lambda r=r: policy_rules.requirement_is_traceable(policy, r))
        for r in policy.requirements
    ]
    cases += [
        Case("risk_level_is_defined", level, "", lambda level=level: policy_rules.risk_level_is_defined(policy, level))
        for level in model.RISK_LEVELS
    ]
    return cases


def project_cases(policy: Policy) -> list[Case]:
    cases = []
    for project in policy.projects:
        pid = project["id"]
        for req in policy.applicable(project):
            for answer in req.answered_by:
                rule = project_rules.BY_ANSWER[answer]
                cases.append(Case(answer, f"{pid}-{req.id}", pid, lambda rule=rule, p=project, r=req: rule(policy, p, r)))
        cases.append(Case("status", pid, pid, lambda p=project: project_rules.status(policy, p)))
        cases.append(Case("dates", pid, pid, lambda p=project: project_rules.dates(policy, p)))
        cases.append(Case("risk_profile", pid, pid, lambda p=project: project_rules.risk_profile(policy, p)))
    return cases


def all_cases(policy: Policy) -> list[Case]:
    return policy_cases(policy) + project_cases(policy)
