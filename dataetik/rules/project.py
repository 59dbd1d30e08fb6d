"""Project-wide rules: run once per project where a requirement names them in `checks`
(status always), and cite that requirement."""

from __future__ import annotations

import datetime as dt
import posixpath
import re

from dataetik import model
from dataetik.findings import Finding
from dataetik.policy import Policy, parse_date
from dataetik.rules import rule
from dataetik.rules.answers import finding, placeholder_in
from dataetik.site_files import site_files

NO_SUCH_DAY = "Ret dagen eller måneden i ':{field}:' (fx har februar kun 28 eller 29 dage)."


def _impossible_date(value) -> bool:
    """Shaped like a date but not one (2025-02-30). Other shapes fail the build's field schema,
    which already names file and line; reporting them here too would say it twice."""
    return bool(value) and re.match(model.DATE_PATTERN, str(value)) is not None and parse_date(value) is None


def _must_precede_start(policy: Policy, need: dict) -> bool:
    return need["type"] == "consideration" or (need["type"] == "approval" and policy.vocabulary.approves(need.get("decision")))


@rule("status", each="project", always=True,
      description="Projektet har en status, en af dem politikken erklærer.")
def status(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    """A status is set. (A value that is not allowed is the build's to report, from the field schema.)"""
    if project.get("status"):
        return []
    return [finding(policy, project, project, "Projektet har ingen status.",
                    f"Tilføj ':status:' med en af {', '.join(policy.vocabulary.statuses)}.", requirement)]


@rule("dates", each="project",
      description="Datoer er gyldige (ÅÅÅÅ-MM-DD); slutdato ligger ikke før startdato; afsluttede og stoppede "
                  "projekter har en slutdato; overvejelser og godkendelser (ikke afvisninger) er dateret før "
                  "startdatoen – en afvisning må komme når som helst.")
def dates(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    """Dates parse; end >= start; finished projects have an end date; assessment before use."""
    problems = []

    def bad(need, text, fix):
        problems.append(finding(policy, need, project, text, fix, requirement))

    start = parse_date(project.get("start_date"))
    end_raw = project.get("end_date")
    end = parse_date(end_raw) if end_raw else None
    if _impossible_date(project.get("start_date")):
        bad(project, f"Startdatoen '{project.get('start_date')}' findes ikke i kalenderen.", NO_SUCH_DAY.format(field="start_date"))
    if _impossible_date(end_raw):
        bad(project, f"Slutdatoen '{end_raw}' findes ikke i kalenderen.", NO_SUCH_DAY.format(field="end_date"))
    if policy.vocabulary.status_means(project.get("status"), "ended", "stopped") and not end_raw:
        bad(project, f"Projektet har status '{project.get('status')}', men ingen slutdato.",
            "Tilføj ':end_date: ÅÅÅÅ-MM-DD' – datoen, hvor projektet sluttede eller blev stoppet.")
    if start and end and end < start:
        bad(project, f"Slutdatoen {end} ligger før startdatoen {start}.", "Ret ':start_date:' eller ':end_date:'.")
    for need_type in model.PROJECT_PARTS:
        for need in policy.needs.parts_of(project["id"], need_type):
            when = parse_date(need.get("date"))
            if _impossible_date(need.get("date")):
                bad(need, f"Datoen '{need.get('date')}' på {need['id']} findes ikke i kalenderen.",
                    NO_SUCH_DAY.format(field="date"))
            # Permission must precede use; a rejection (afvist) may come at any time.
            elif _must_precede_start(policy, need) and when and start and when >= start:
                bad(need, f"{need['id']} er dateret {when}, {'samme dag som' if when == start else 'efter'} projektets start {start}. "
                    "Overvejelser og godkendelse skal ligge før data tages i brug.",
                    "Ret datoen, hvis den er forkert. Er vurderingen reelt lavet efter start, så stop brugen, "
                    "gør vurderingen færdig og sæt ':start_date:' til datoen for den nye ibrugtagning.")
    return problems


@rule("placeholders", each="project",
      description="Ingen pladsholdere (UDFYLDES, TODO, XXX ...) i projektets felter og tekst, dokumentation, "
                  "bias-test eller godkendelse.")
def placeholders(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    """No placeholder left in the project's fields, summary, evidence, bias test or approval.

    (A consideration's text is judged by the consideration rule.)"""
    found = []
    needs = [project] + [n for t in model.PROJECT_PARTS for n in policy.needs.parts_of(project["id"], t)]
    for need in needs:
        texts = {f: need.get(f) for f in [*model.FIELDS, *policy.vocabulary.trait_fields] if isinstance(need.get(f), str)}
        if need["type"] != "consideration":
            texts["tekst"] = need.get("content") or ""
        for field, value in texts.items():
            placeholder = placeholder_in(value)
            if placeholder:
                where = "teksten" if field == "tekst" else f"feltet '{field}'"
                found.append(finding(
                    policy, need, project,
                    f"{need['id']} har stadig pladsholderen '{placeholder}' i {where}.",
                    "Erstat pladsholderen med de rigtige oplysninger.", requirement,
                ))
    return found


@rule("risk_profile", each="project",
      description="Risikoprofilen er mindst lige så høj som de risikokriterier, projektet opfylder.")
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
        f"Risikoprofilen er '{project.get('risk')}', men projektet opfylder kriterier, der kræver mindst '{top}': {names}.",
        f"Sæt ':risk: {top}', eller fjern kriterier, som projektet ikke opfylder, fra ':risk_criteria:'.", requirement,
    )]


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
      description="Ingen tekstfil i projektets mappe (Markdown, CSV, tekst) indeholder noget, der ligner et "
                  "CPR-nummer; vurderingen offentliggøres.")
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
                    problem="Linjen indeholder noget, der ligner et CPR-nummer (gentages ikke her).",
                    fix="Fjern CPR-nummeret – vurderingen offentliggøres og må ikke nævne enkelte borgere. Er filen "
                        "committet, så fjern nummeret også fra git-historikken. Er tallet ikke et CPR-nummer (fx et "
                        "journalnummer), så skriv det med skråstreg eller punktum, fx 2501/251234.",
                    project=project["id"], requirement=requirement,
                    policy=policy.policy_label(policy.requirement(requirement))))
    return found
