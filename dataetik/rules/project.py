"""Project-wide rules: run once per project where a requirement names them in `checks`
(status always), and cite that requirement."""

from __future__ import annotations

import datetime as dt
import posixpath
import re

from dataetik import model
from dataetik.findings import Finding
from dataetik.i18n import N_, _
from dataetik.policy import Policy, impossible_date, no_such_day, parse_date
from dataetik.rules import rule
from dataetik.rules.answers import finding, placeholder_in
from dataetik.site_files import site_files


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


@rule("dates", each="project",
      description=N_("Dates are valid (YYYY-MM-DD); the end date is not before the start date; ended and stopped "
                     "projects have an end date; the first consideration and approval (not rejection) of each "
                     "requirement are dated before the start date – later ones are reassessments, and a rejection "
                     "may come at any time."))
def dates(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    """Dates parse; end >= start; finished projects have an end date; assessment before use."""
    problems = []

    def bad(need, text, fix):
        problems.append(finding(policy, need, project, text, fix, requirement))

    start = parse_date(project.get("start_date"))
    end_raw = project.get("end_date")
    end = parse_date(end_raw) if end_raw else None
    if impossible_date(project.get("start_date")):
        bad(project, _("The start date '{date}' does not exist in the calendar.").format(date=project.get("start_date")),
            no_such_day("start_date"))
    if impossible_date(end_raw):
        bad(project, _("The end date '{date}' does not exist in the calendar.").format(date=end_raw),
            no_such_day("end_date"))
    if policy.vocabulary.status_means(project.get("status"), "ended", "stopped") and not end_raw:
        bad(project, _("The project has status '{status}' but no end date.").format(status=project.get("status")),
            _("Add ':end_date: YYYY-MM-DD' – the date the project ended or was stopped."))
    if start and end and end < start:
        bad(project, _("The end date {end} is before the start date {start}.").format(end=end, start=start),
            _("Correct ':start_date:' or ':end_date:'."))
    first = _first_assessments(policy, project)
    for need_type in model.PROJECT_PARTS:
        for need in policy.needs.parts_of(project["id"], need_type):
            when = parse_date(need.get("date"))
            if impossible_date(need.get("date")):
                bad(need, _("The date '{date}' on {need} does not exist in the calendar.").format(
                    date=need.get("date"), need=need["id"]), no_such_day("date"))
            # Permission must precede use: the first assessment of each requirement (rejections may come at any time).
            elif need["id"] in first and when and start and when >= start:
                early = (_("{need} is dated {date}, the same day as the project's start {start}. Considerations and "
                           "approval must come before data is put to use.") if when == start else
                         _("{need} is dated {date}, after the project's start {start}. Considerations and approval "
                           "must come before data is put to use."))
                bad(need, early.format(need=need["id"], date=when, start=start),
                    _("Correct the date if it is wrong. If the assessment was really made after the start, stop the "
                      "use, finish the assessment and set ':start_date:' to the date the use starts anew."))
    return problems


@rule("placeholders", each="project",
      description=N_("No placeholders (TODO, XXX ...) in the project's fields and text, evidence, bias test or "
                     "approval."))
def placeholders(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    """No placeholder left in the project's fields, summary, evidence, bias test or approval.

    (A consideration's text is judged by the consideration rule.)"""
    found = []
    needs = [project] + [n for t in model.PROJECT_PARTS for n in policy.needs.parts_of(project["id"], t)]
    for need in needs:
        texts = {f: need.get(f) for f in [*model.FIELDS, *policy.vocabulary.project_fields] if isinstance(need.get(f), str)}
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


# A Danish CPR number: DDMMÅÅ, an optional dash (Word turns '-' into '–') or space, four digits.
# Not part of a longer number such as 1.234.567.890 or 2501/251234 (a sentence may end right after it).
_CPR = re.compile(r"(?<!\w)(?<!\d[.,/-])(\d{2})(\d{2})\d{2}[-–— ]?\d{4}(?!\w|[.,/-]\d)")
TEXT_SUFFIXES = {".md", ".txt", ".csv", ".tsv", ".json", ".yaml", ".yml"}


def _is_cpr(match: re.Match) -> bool:
    """A real day of a real month (29 February too: the century is unknown)."""
    day, month = int(match.group(1)), int(match.group(2))
    try:
        dt.date(2000, month, day)
    except ValueError:
        return False
    return True


@rule("cpr_numbers", each="project",
      description=N_("No text file in the project's folder (Markdown, CSV, text) contains anything that looks like "
                     "a CPR number; the assessment is published."))
def cpr_numbers(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    """No CPR number in any text file of the project's folder: the assessment is published."""
    root = policy.needs.srcdir
    if root is None:
        return []
    found = []
    for path in site_files(root / posixpath.dirname(project["docname"])):
        if path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            if any(_is_cpr(m) for m in _CPR.finditer(line)):
                found.append(Finding(
                    rule="", file=path.relative_to(root).as_posix(), line=number,
                    problem=_("The line contains something that looks like a CPR number (not repeated here)."),
                    fix=_("Remove the CPR number – the assessment is published and must not name individual "
                          "citizens. If the file has been committed, remove the number from the git history too. If "
                          "the number is not a CPR number (e.g. a case number), write it with a slash or a full stop, "
                          "e.g. 2501/251234."),
                    project=project["id"], requirement=requirement,
                    policy=policy.policy_label(policy.requirement(requirement))))
    return found
