"""Rules about one project's assessment, generated from the requirements' fields."""

from __future__ import annotations

import datetime as dt
import posixpath
import re

from dataetik import model
from dataetik.findings import Finding
from dataetik.needs_data import source_file
from dataetik.policy import Policy, Requirement, decision_rank, risk_rank
from dataetik.site_files import site_files

# Text the `dataetik new` template and careless authors leave behind: the markers in capitals,
# or "udfyldes" as a note of its own – opening the text or a paragraph, or in brackets – not in
# a (hard-wrapped) sentence such as "skemaet ...\nudfyldes af borgeren".
PLACEHOLDER = re.compile(
    r"\b(?P<marker>TODO|XXX|FIXME|TBD|UDFYLDES|UDFYLD)\b|(?P<lorem>(?i:lorem ipsum))"
    r"|(?:\A|\n[ \t]*\n|[(\[<])[ \t]*(?P<note>(?i:udfyld(?:es)?))\b")


def placeholder_in(text: str | None) -> str | None:
    match = PLACEHOLDER.search(text or "")
    return next(g for g in match.groups() if g) if match else None


def _finding(need: dict, rule: str, project: dict, problem: str, fix: str, requirement: str = "") -> Finding:
    return Finding(
        rule=rule, file=source_file(need), line=need.get("lineno"), problem=problem, fix=fix,
        project=project["id"], requirement=requirement, need=need["id"],
    )


def _answers(policy: Policy, project: dict, need_type: str, req: Requirement) -> list[dict]:
    return [n for n in policy.needs.parts_of(project["id"], need_type) if req.id in (n.get("addresses") or [])]


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text or ""))


def consideration(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    """An applicable requirement has a consideration of the project with real reasoning."""
    found = _answers(policy, project, "consideration", req)
    if not found:
        return [_finding(
            project, "consideration", project,
            f"Der mangler en overvejelse for kravet '{req.title}'.",
            "Tilføj på projektsiden:\n"
            f"    :::{{consideration}} <kort titel>\n    :id: C_<PROJEKT>_{req.id.removeprefix('R_')}\n"
            f"    :addresses: {req.id}\n    :date: ÅÅÅÅ-MM-DD\n\n    <jeres begrundelse>\n    :::",
            req.id,
        )]
    least = min_words(policy)
    return [_finding(need, "consideration", project, *problem, req.id)
            for need in found if (problem := text_problem(need, least))]


def min_words(policy: Policy) -> int:
    return int(policy.setting("min_words") or 0)


def text_problem(need: dict, min_words: int) -> tuple[str, str] | None:
    """Why a consideration's text is not real reasoning, as (problem, fix); None if it is."""
    text = need.get("content") or ""
    placeholder = placeholder_in(text)
    if placeholder:
        return (f"Overvejelsen {need['id']} indeholder pladsholderen '{placeholder}'.",
                "Erstat pladsholderen med jeres egen begrundelse.")
    if _words(text) < min_words:
        return (f"Overvejelsen {need['id']} har kun {_words(text)} ord; politikken kræver mindst {min_words}.",
                "Skriv en egentlig begrundelse: hvad har I overvejet, hvad har I besluttet og hvorfor. "
                "'Ikke relevant' er et gyldigt svar, når I begrunder det.")
    return None


def biastest(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    if _answers(policy, project, "biastest", req):
        return []
    return [_finding(
        project, "biastest", project,
        "Projektet har ingen bias-test. Test for skævhed er en fast del af alt dataarbejde.",
        f"Tilføj et 'biastest'-element med ':addresses: {req.id}' og ':counts: biastest.csv', "
        "og læg de samlede optællinger i projektmappen (se vejledningen om bias-test).",
        req.id,
    )]


def evidence(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    found = _answers(policy, project, "evidence", req)
    kinds = {n.get("kind") for n in found}
    return [
        _finding(
            project, "evidence", project,
            f"Der mangler dokumentation af typen '{kind}' for kravet '{req.title}'.",
            f"Tilføj et 'evidence'-element med ':addresses: {req.id}', ':kind: {kind}', ':date:' og "
            "':reference:' (hvor dokumentet findes, fx journalnummer).",
            req.id,
        )
        for kind in req.evidence_kind
        if kind not in kinds
    ]


def approval(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    """Beyond 'planlagt', a project is approved at or above the level its risk demands."""
    status = project.get("status")
    if status == "planlagt":
        return []
    needed = policy.approval_level(project.get("risk"))
    found = _answers(policy, project, "approval", req)
    high_enough = [a for a in found if approves(policy, project, a)]
    rejected = [a for a in found if a.get("decision") == "afvist"]
    if high_enough or (status == "stoppet" and rejected):
        return []
    situation = f"Projektet har status '{status}' og risikoprofil '{project.get('risk')}'"
    stopped = " Et stoppet projekt kan i stedet have ':decision: afvist'." if status == "stoppet" else ""
    if found:  # point at the latest decision, which is the one to act on
        latest = max(found, key=lambda a: a.get("date") or "")
        if latest.get("decision") == "afvist":
            return [_finding(
                latest, "approval", project,
                f"{situation}, men den seneste afgørelse, {latest['id']}, afviste projektet.",
                "Et afvist projekt må ikke være i brug: sæt ':status: stoppet' og ':end_date:'. Er projektet ændret og "
                f"godkendt siden, så skriv den nye afgørelse i et nyt 'approval'-element med ':addresses: {req.id}'.",
                req.id,
            )]
        return [_finding(
            latest, "approval", project,
            f"{situation}, så det kræver en godkendelse (godkendt/betinget) på mindst niveauet '{needed}', men "
            f"{latest['id']} er '{latest.get('decision')}' på niveauet '{latest.get('decision_level')}'.",
            f"Forelæg projektet for {needed}, og skriv afgørelsen i et nyt 'approval'-element med ':addresses: {req.id}' "
            f"og ':decision_level: {needed}' – eller ret ':decision_level:' her, hvis det faktisk var {needed}, der "
            f"godkendte.{stopped}",
            req.id,
        )]
    return [_finding(
        project, "approval", project,
        f"{situation}, men mangler en godkendelse på mindst niveauet '{needed}'.",
        f"Tilføj et 'approval'-element med ':addresses: {req.id}', ':decision_level: {needed}' (eller højere), "
        f"':decision: godkendt' eller 'betinget', ':role:' og ':date:'.{stopped}",
        req.id,
    )]


def approves(policy: Policy, project: dict, approval: dict) -> bool:
    """A positive decision at or above the level the project's risk profile demands."""
    needed = policy.approval_level(project.get("risk"))
    return (approval.get("decision") in model.POSITIVE_DECISIONS
            and decision_rank(approval.get("decision_level")) >= decision_rank(needed))


# Rules generated per applicable requirement, one per answer type.
BY_ANSWER = {"consideration": consideration, "biastest": biastest, "evidence": evidence, "approval": approval}


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


NO_SUCH_DAY = "Ret dagen eller måneden i ':{field}:' (fx har februar kun 28 eller 29 dage)."


def _impossible_date(value) -> bool:
    """Shaped like a date but not one (2025-02-30). Other shapes fail the build's field schema,
    which already names file and line; reporting them here too would say it twice."""
    return bool(value) and re.match(model.DATE_PATTERN, str(value)) is not None and _date(value) is None


def _must_precede_start(need: dict) -> bool:
    return need["type"] == "consideration" or (need["type"] == "approval" and need.get("decision") in model.POSITIVE_DECISIONS)


def dates(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    """Dates parse; end >= start; finished projects have an end date; assessment before use."""
    problems = []

    def bad(need, text, fix):
        problems.append(_finding(need, "dates", project, text, fix, requirement))

    start = _date(project.get("start_date"))
    end_raw = project.get("end_date")
    end = _date(end_raw) if end_raw else None
    if _impossible_date(project.get("start_date")):
        bad(project, f"Startdatoen '{project.get('start_date')}' findes ikke i kalenderen.", NO_SUCH_DAY.format(field="start_date"))
    if _impossible_date(end_raw):
        bad(project, f"Slutdatoen '{end_raw}' findes ikke i kalenderen.", NO_SUCH_DAY.format(field="end_date"))
    if project.get("status") in ("afsluttet", "stoppet") and not end_raw:
        bad(project, f"Projektet har status '{project.get('status')}', men ingen slutdato.",
            "Tilføj ':end_date: ÅÅÅÅ-MM-DD' – datoen, hvor projektet sluttede eller blev stoppet.")
    if start and end and end < start:
        bad(project, f"Slutdatoen {end} ligger før startdatoen {start}.", "Ret ':start_date:' eller ':end_date:'.")
    for need_type in model.PROJECT_PARTS:
        for need in policy.needs.parts_of(project["id"], need_type):
            when = _date(need.get("date"))
            if _impossible_date(need.get("date")):
                bad(need, f"Datoen '{need.get('date')}' på {need['id']} findes ikke i kalenderen.",
                    NO_SUCH_DAY.format(field="date"))
            # Permission must precede use; a rejection (afvist) may come at any time.
            elif _must_precede_start(need) and when and start and when >= start:
                bad(need, f"{need['id']} er dateret {when}, {'samme dag som' if when == start else 'efter'} projektets start {start}. "
                    "Overvejelser og godkendelse skal ligge før data tages i brug.",
                    "Ret datoen, hvis den er forkert. Er vurderingen reelt lavet efter start, så stop brugen, "
                    "gør vurderingen færdig og sæt ':start_date:' til datoen for den nye ibrugtagning.")
    return problems


def placeholders(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    """No placeholder left in the project's fields, summary, evidence, bias test or approval.

    (A consideration's text is judged by the consideration rule.)"""
    found = []
    needs = [project] + [n for t in model.PROJECT_PARTS for n in policy.needs.parts_of(project["id"], t)]
    for need in needs:
        texts = {f: need.get(f) for f in model.NEED_FIELDS if isinstance(need.get(f), str)}
        if need["type"] != "consideration":
            texts["tekst"] = need.get("content") or ""
        for field, value in texts.items():
            placeholder = placeholder_in(value)
            if placeholder:
                where = "teksten" if field == "tekst" else f"feltet '{field}'"
                found.append(_finding(
                    need, "placeholders", project,
                    f"{need['id']} har stadig pladsholderen '{placeholder}' i {where}.",
                    "Erstat pladsholderen med de rigtige oplysninger.", requirement,
                ))
    return found


def status(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    """A status is set. (A value that is not allowed is the build's to report, from the field schema.)"""
    if project.get("status"):
        return []
    return [_finding(project, "status", project, "Projektet har ingen status.",
                     f"Tilføj ':status:' med en af {', '.join(model.STATUSES)}.", requirement)]


def risk_profile(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    """The risk level is at least as high as the criteria the project meets."""
    criteria = [policy.needs.get(c) for c in project.get("risk_criteria") or []]
    too_high = [c for c in criteria if c and risk_rank(c.get("raises_to")) > risk_rank(project.get("risk"))]
    if not too_high:
        return []
    names = ", ".join(f"{c['id']} ({c.get('raises_to')})" for c in too_high)
    top = max((c.get("raises_to") for c in too_high), key=risk_rank)
    return [_finding(
        project, "risk-profile", project,
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
                    rule="cpr_numbers", file=path.relative_to(root).as_posix(), line=number,
                    problem="Linjen indeholder noget, der ligner et CPR-nummer (gentages ikke her).",
                    fix="Fjern CPR-nummeret – vurderingen offentliggøres og må ikke nævne enkelte borgere. Er filen "
                        "committet, så fjern nummeret også fra git-historikken. Er tallet ikke et CPR-nummer (fx et "
                        "journalnummer), så skriv det med skråstreg eller punktum, fx 2501/251234.",
                    project=project["id"], requirement=requirement))
    return found


# Rules a requirement runs for every project by naming them in `checks` (model.PROJECT_CHECKS).
PROJECT_WIDE = {"status": status, "dates": dates, "placeholders": placeholders, "risk_profile": risk_profile,
                "cpr_numbers": cpr_numbers}
ALWAYS = {"status"}  # a core field of sphinx-needs: no build-time schema can demand it (model.CORE_FIELDS)
