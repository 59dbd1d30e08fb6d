"""Project-wide rules: run once per project where a requirement names them in `checks`
(status always), and cite that requirement."""

from __future__ import annotations

import dataclasses
import datetime as dt
import posixpath

from dataetik import model
from dataetik.findings import Finding
from dataetik.i18n import N_, _, ngettext
from dataetik.policy import Policy, impossible_date, no_such_day, parse_date
from dataetik.rules import rule
from dataetik.rules.answers import field_line, finding, placeholder_in


def _assessment(policy: Policy, need: dict) -> bool:
    """A consideration, or an approval that approves: permission, which must precede use.
    (A rejection may come at any time.)"""
    return need["type"] == "consideration" or (need["type"] == "approval" and policy.vocabulary.approves(need.get("decision")))


def _in_force_at_start(policy: Policy, req_id: str, start: dt.date | None) -> bool:
    """A requirement that took effect after the project started (a new law) could not be assessed
    before the start: its first assessment is due by the day it binds the project, not before use."""
    req = policy.requirement(req_id)
    return not (req and req.effective_from and start and start < req.effective_from)


def _first_assessments(policy: Policy, project: dict) -> set[str]:
    """The needs that are the first assessment of some requirement they answer: those must come
    before the start. A later one answering the same requirement is a reassessment (a periodic
    review, a change), made while the project is in use."""
    first: dict[str, tuple[str, str]] = {}  # requirement -> (date, need ID)
    start = parse_date(project.get("start_date"))
    for need_type in ("consideration", "approval"):
        for need in policy.needs.parts_of(project["id"], need_type):
            if _assessment(policy, need) and parse_date(need.get("date")):
                for req in [r for r in need.get("addresses") or [""] if _in_force_at_start(policy, r, start)]:
                    first[req] = min(first.get(req, (need["date"], need["id"])), (need["date"], need["id"]))
    return {need_id for _, need_id in first.values()}


@rule("status", each="project", always=True,
      description=N_("The project has a status, one of those the policy declares."))
def status(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    """A status is set. (A value that is not allowed is the build's to report, from the field schema.)"""
    if project.get("status"):
        return []
    return [finding(policy, project, project, _("The project has no status."),
                    _("Add ':status:' with one of {statuses}.").format(statuses=", ".join(policy.vocabulary.statuses)),
                    requirement)]


# The start date is the likely cause, not each consideration, when at least this share of the
# first assessments (and at least two) are dated on or after it: an author who enters a start
# date before the assessment was written gets every consideration "late" at once. One late
# assessment among timely ones is that assessment's own problem, and is reported at its date.
START_IS_THE_CAUSE = 0.5


def _late_assessments(policy: Policy, project: dict, start: dt.date | None) -> list[tuple[dict, dt.date]]:
    """The first assessments dated on or after the start (not those dated after today: their
    date is the problem, said once by `_future_parts`)."""
    if not start:
        return []
    first = _first_assessments(policy, project)
    return [(need, when) for need_type in ("consideration", "approval")
            for need in policy.needs.parts_of(project["id"], need_type)
            if need["id"] in first and (when := parse_date(need.get("date"))) and start <= when <= policy.today]


def _started_too_early(policy: Policy, project: dict, start: dt.date, late: list[tuple[dict, dt.date]], total: int,
                       requirement: str) -> Finding:
    """One finding at ':start_date:', naming what it causes, instead of one per assessment."""
    ids = ", ".join(need["id"] for need, when in late)
    return finding(
        policy, project, project,
        ngettext("The start date {start} is probably wrong: {count} of the project's {total} first assessment is "
                 "dated on or after it ({ids}). Considerations and approval must come before data is put to use, so "
                 "either the start date is wrong or the project was used before it was assessed.",
                 "The start date {start} is probably wrong: {count} of the project's {total} first assessments are "
                 "dated on or after it ({ids}). Considerations and approval must come before data is put to use, so "
                 "either the start date is wrong or the project was used before it was assessed.", len(late)).format(
            start=start, count=len(late), total=total, ids=ids),
        _("':start_date:' must be the day data was first put to use. If the use in fact began later, after the "
          "assessments and the approval, write that day. If it did begin on {start}, stop the use, finish the "
          "assessment and set ':start_date:' to the day the use starts anew. Do not change the dates of the "
          "assessments: they document when they were made.").format(start=start),
        requirement, line=field_line(policy, project, "start_date"))


def _assessed_late(policy: Policy, project: dict, need: dict, when: dt.date, start: dt.date,
                   requirement: str) -> Finding:
    early = (_("{need} is dated {date}, the same day as the project's start {start}. Considerations and approval "
               "must come before data is put to use.") if when == start else
             _("{need} is dated {date}, after the project's start {start}. Considerations and approval must come "
               "before data is put to use."))
    return finding(
        policy, need, project, early.format(need=need["id"], date=when, start=start),
        _("':date:' must be the day the assessment was actually made. If it was made before the start and the date "
          "was written wrong, write the right day. If it was made on {date}, do not backdate it: stop the use, finish "
          "the assessment and set ':start_date:' to the day the use starts anew.").format(date=when),
        requirement, line=field_line(policy, need, "date"))


def _future_parts(policy: Policy, project: dict, requirement: str) -> list[Finding]:
    """A consideration, evidence, bias test or approval documents something done: not dated after
    today (the register would publish, say, an approval that has not happened)."""
    return [finding(
        policy, need, project,
        _("{need} is dated {date}, after today ({today}). It documents something that has been done, so it cannot "
          "be dated in the future.").format(need=need["id"], date=when, today=policy.today),
        _("':date:' must be the day it actually happened. If it has not happened yet (e.g. a meeting that is to "
          "approve the project), remove the element and add it on the day it happens."),
        requirement, line=field_line(policy, need, "date"))
        for need_type in model.PROJECT_PARTS for need in policy.needs.parts_of(project["id"], need_type)
        if (when := parse_date(need.get("date"))) and when > policy.today]


def _status_and_today(policy: Policy, project: dict, start: dt.date | None, end: dt.date | None,
                      requirement: str) -> list[Finding]:
    """The status agrees with today's date: in use not before the start, planned not after it
    (a warning: the plan may just be late), ended or stopped not before the end."""
    vocab, today, status = policy.vocabulary, policy.today, project.get("status")
    planned, in_use = (next(iter(vocab.words_for(vocab.statuses, m)), "...") for m in ("planned", "in_use"))
    found = []
    if start and start > today and vocab.status_means(status, "in_use"):
        found.append(finding(
            policy, project, project,
            _("The project has status '{status}', but its start date {start} is after today ({today}).").format(
                status=status, start=start, today=today),
            _("If the use has not begun, set ':status: {planned}'. If it has begun, ':start_date:' must be the day "
              "data was first put to use: write that day.").format(planned=planned),
            requirement, line=field_line(policy, project, "start_date")))
    if start and start < today and vocab.status_means(status, "planned"):
        found.append(dataclasses.replace(finding(
            policy, project, project,
            _("The project has status '{status}', but its start date {start} has passed (today is {today}).").format(
                status=status, start=start, today=today),
            _("If the use has begun, set ':status: {in_use}' – the checks for a project in use then apply. If it has "
              "not, ':start_date:' must be the day the use is now expected to begin: write that day.").format(
                in_use=in_use),
            requirement, line=field_line(policy, project, "start_date")), severity="warning"))
    if end and end > today and vocab.status_means(status, "ended", "stopped"):
        found.append(finding(
            policy, project, project,
            _("The project has status '{status}', but its end date {end} is after today ({today}).").format(
                status=status, end=end, today=today),
            _("':end_date:' must be the day the use actually ended or was stopped: write that day. If the use goes on "
              "until {end}, set ':status: {in_use}' until then.").format(end=end, in_use=in_use),
            requirement, line=field_line(policy, project, "end_date")))
    return found


@rule("dates", each="project",
      description=N_("Dates are valid (YYYY-MM-DD); the end date is not before the start date; ended and stopped "
                     "projects have an end date; the first consideration and approval (not rejection) of each "
                     "requirement are dated before the start date – later ones are reassessments, and a rejection "
                     "may come at any time; nothing is dated after today; a project in use has started, an ended "
                     "or stopped one has ended, and a planned one whose start date has passed gets a warning."))
def dates(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    """Dates parse; end >= start; finished projects have an end date; assessment before use;
    nothing done is dated after today, and the status agrees with today's date."""
    problems = []

    def bad(need, text, fix, field=None):
        problems.append(finding(policy, need, project, text, fix, requirement,
                                line=field_line(policy, need, field) if field else None))

    start = parse_date(project.get("start_date"))
    end_raw = project.get("end_date")
    end = parse_date(end_raw) if end_raw else None
    if impossible_date(project.get("start_date")):
        bad(project, _("The start date '{date}' does not exist in the calendar.").format(date=project.get("start_date")),
            no_such_day("start_date"), "start_date")
    if impossible_date(end_raw):
        bad(project, _("The end date '{date}' does not exist in the calendar.").format(date=end_raw),
            no_such_day("end_date"), "end_date")
    if policy.vocabulary.status_means(project.get("status"), "ended", "stopped") and not end_raw:
        bad(project, _("The project has status '{status}' but no end date.").format(status=project.get("status")),
            _("Add ':end_date: YYYY-MM-DD' – the date the project ended or was stopped."))
    if start and end and end < start:
        bad(project, _("The end date {end} is before the start date {start}.").format(end=end, start=start),
            _("':start_date:' must be the day data was first put to use and ':end_date:' the day the use ended or "
              "was stopped: correct the one that is not."), "end_date")
    problems += _status_and_today(policy, project, start, end, requirement)
    for need_type in model.PROJECT_PARTS:
        for need in policy.needs.parts_of(project["id"], need_type):
            if impossible_date(need.get("date")):
                bad(need, _("The date '{date}' on {need} does not exist in the calendar.").format(
                    date=need.get("date"), need=need["id"]), no_such_day("date"), "date")
    problems += _future_parts(policy, project, requirement)
    # Permission must precede use: the first assessment of each requirement (rejections may come at any time).
    # A planned project uses nothing yet: its start date is a plan, and one that has passed is the warning above.
    planned = policy.vocabulary.status_means(project.get("status"), "planned")
    late = [] if planned else _late_assessments(policy, project, start)
    first_dated = len(_first_assessments(policy, project))
    if len(late) >= 2 and len(late) > START_IS_THE_CAUSE * first_dated:
        problems.append(_started_too_early(policy, project, start, late, first_dated, requirement))
    else:
        problems += [_assessed_late(policy, project, need, when, start, requirement) for need, when in late]
    return problems


@rule("placeholders", each="project",
      description=N_("No placeholders (TODO, XXX ...) in the project's fields and text, evidence, bias test or "
                     "approval."))
def placeholders(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    """No placeholder left in the project's fields, summary, evidence, bias test or approval.

    (A consideration's text is judged by the consideration rule.)"""
    found = []
    needs = [project] + [n for t in model.PROJECT_PARTS for n in policy.needs.parts_of(project["id"], t)]
    fields = list(dict.fromkeys([*model.FIELDS, *policy.vocabulary.project_fields]))
    for need in needs:
        texts = {f: value for f, value in zip(fields, map(need.get, fields)) if isinstance(value, str)}
        if need["type"] != "consideration":
            texts["tekst"] = need.get("content") or ""
        for field, value in texts.items():
            placeholder = placeholder_in(value)
            if placeholder:
                problem = (_("{need} still has the placeholder '{placeholder}' in the text.") if field == "tekst" else
                           _("{need} still has the placeholder '{placeholder}' in the field '{field}'."))
                found.append(finding(
                    policy, need, project,
                    problem.format(need=need["id"], placeholder=placeholder, field=field),
                    _("Replace the placeholder with the right information."), requirement,
                ))
    return found


@rule("risk_profile", each="project",
      description=N_("The risk profile is at least as high as the risk criteria the project meets."))
def risk_profile(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    """The risk level is at least as high as the criteria the project meets."""
    rank = policy.vocabulary.risk_rank
    criteria = [policy.needs.get(c) for c in project.get("risk_criteria") or []]
    too_high = [c for c in criteria if c and rank(c.get("raises_to")) > rank(project.get("risk"))]
    if not too_high:
        return []
    names = ", ".join(f"{c['id']} ({c.get('raises_to')})" for c in too_high)
    top = max((c.get("raises_to") for c in too_high), key=rank)
    return [finding(
        policy, project, project,
        _("The risk profile is '{risk}', but the project meets criteria that demand at least '{top}': {criteria}.").format(
            risk=project.get("risk"), top=top, criteria=names),
        _("Set ':risk: {top}', or remove criteria the project does not meet from ':risk_criteria:'.").format(top=top),
        requirement,
    )]


@rule("classified", each="project",
      description=N_("The project is placed in each classification that the policy naming this check declares (e.g. "
                     "a law's categories), with one of its levels."))
def classified(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    req = policy.requirement(requirement)
    folder = req.policy.folder if req and req.policy else None
    return [finding(
        policy, project, project,
        _("The project is not classified: ':{field}:' ({label}) is missing.").format(field=c.field, label=c.label),
        _("Answer the questions with 'dataetik klassificer {folder}', or add ':{field}:' with one of: {levels}.").format(
            folder=posixpath.dirname(project["docname"]), field=c.field, levels=", ".join(c.levels)),
        requirement,
    ) for c in policy.vocabulary.classifications if c.folder == folder and not project.get(c.field)]
