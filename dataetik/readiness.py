"""Ready for go-live: what changing a planned project's status to the policy's in-use word
will demand, said while it is still planned, and failing nothing.

Nothing is re-implemented: the project's own cases (dataetik.rules.project_cases) run on a
copy of the needs where the project has the in-use status, judged on the day it is to start
(its start date, or today if that has passed). What that finds and the project as it stands
today does not, is what go-live will demand: an approval at the level its risk profile
demands, a manual review of an undecided bias verdict, reassessments due by then,
requirements in force by then.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from dataetik.findings import Finding
from dataetik.policy import Policy, parse_date
from dataetik.rules import project_cases
from dataetik.rules.answers import approves  # the approval rule's own test of "high enough"


@dataclass(frozen=True)
class Readiness:
    """What one planned project needs before its status may change to `status`."""

    project: dict
    status: str                    # the policy's word for in use, the status it will get
    day: dt.date                   # the day it was judged on: the start date, or today if that has passed
    start: dt.date | None          # the valid start date, if any
    approval_level: str | None     # the lowest decision level its risk profile demands (None: none demanded)
    approvals: tuple[str, ...]     # the approvals that already approve it at that level or above
    findings: tuple[Finding, ...]  # the errors go-live adds to those it has today
    errors_now: int                # the errors it has today (reported with the other errors)

    @property
    def ready(self) -> bool:
        return not self.findings and not self.errors_now


def _key(finding: Finding) -> tuple:
    """The same demand: the same rule, place, remedy and severity. Not the problem's words, which
    may name the status or the day judged on; a new remedy or a warning turned error is new."""
    return (finding.rule, finding.requirement, finding.need, finding.file, finding.line, finding.severity, finding.fix)


def _findings(policy: Policy, project_id: str) -> list[Finding]:
    return [f for case in project_cases(policy, only=project_id) for f in case.run()]


# What a project case works out once per policy (in its __dict__) from what the copy does not change:
# the considerations' texts and dates (dataetik.rules.reasoning.index: every consideration of the site
# compared with every other, most of a planned project's time at 1,000 projects). The copy changes one
# project's status and the day alone, so it keeps it: worked out again, it would be the same.
UNCHANGED_BY_STATUS = ("_reasoning_index",)


def _as_in_use(policy: Policy, project: dict, status: str, day: dt.date) -> Policy:
    """The policy's needs with the project in use, judged on `day`."""
    by_id = dict(policy.needs.by_id)
    by_id[project["id"]] = {**project, "status": status}
    copy = dataclasses.replace(policy, needs=dataclasses.replace(policy.needs, by_id=by_id))
    copy.__dict__["today"] = day  # Policy.today is a cached_property: this is the value it keeps
    copy.__dict__.update({k: v for k, v in vars(policy).items() if k in UNCHANGED_BY_STATUS})
    return copy


def readiness(policy: Policy, project: dict, now: list[Finding] | None = None) -> Readiness | None:
    """For a project whose status means planned; None for any other (or where the policy has
    no word for in use). `now`: what the project's checks found today, where already run."""
    vocab = policy.vocabulary
    in_use = vocab.words_for(vocab.statuses, "in_use")
    if not in_use or not vocab.status_means(project.get("status"), "planned"):
        return None
    start = parse_date(project.get("start_date"))
    day = max(start, policy.today) if start else policy.today
    now = _findings(policy, project["id"]) if now is None else now
    known = {_key(f) for f in now}
    then = _findings(_as_in_use(policy, project, in_use[0], day), project["id"])
    new = []
    for f in then:
        if f.is_error and _key(f) not in known:
            known.add(_key(f))  # said once, even if two cases find it
            new.append(f)
    level = policy.approval_level(project.get("risk"))
    approvals = tuple(a["id"] for a in policy.needs.parts_of(project["id"], "approval") if approves(policy, project, a))
    return Readiness(project, in_use[0], day, start, level, approvals, tuple(new),
                     sum(1 for f in now if f.is_error))


def planned(policy: Policy, now: dict[str, list[Finding]] | None = None) -> list[Readiness]:
    """Every planned project's readiness, by project ID. `now`: each project's findings today
    (its checks' and the build's), where already run."""
    return [r for p in policy.projects if (r := readiness(policy, p, None if now is None else now.get(p["id"], [])))]
