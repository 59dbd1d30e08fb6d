"""Rules per project x applicable requirement: what answers it (consideration, bias test,
evidence, approval), and whether it has been reviewed as often as the policy demands."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from dataetik.findings import Finding
from dataetik.needs_data import source_file
from dataetik.policy import Policy, Requirement, parse_date
from dataetik.rules import rule

# Text the `dataetik new` template and careless authors leave behind: the markers in capitals,
# or "udfyldes" as a note of its own – opening the text or a paragraph, or in brackets – not in
# a (hard-wrapped) sentence such as "skemaet ...\nudfyldes af borgeren".
PLACEHOLDER = re.compile(
    r"\b(?P<marker>TODO|XXX|FIXME|TBD|UDFYLDES|UDFYLD)\b|(?P<lorem>(?i:lorem ipsum))"
    r"|(?:\A|\n[ \t]*\n|[(\[<])[ \t]*(?P<note>(?i:udfyld(?:es)?))\b")


def placeholder_in(text: str | None) -> str | None:
    match = PLACEHOLDER.search(text or "")
    return next(g for g in match.groups() if g) if match else None


def finding(policy: Policy, need: dict, project: dict, problem: str, fix: str, requirement: str = "") -> Finding:
    return Finding(
        rule="", file=source_file(need), line=need.get("lineno"), problem=problem, fix=fix,
        project=project["id"], requirement=requirement, need=need["id"],
        policy=policy.policy_label(policy.requirement(requirement)),
    )


def answers(policy: Policy, project: dict, need_type: str, req: Requirement) -> list[dict]:
    return [n for n in policy.needs.parts_of(project["id"], need_type) if req.id in (n.get("addresses") or [])]


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text or ""))


def _list(words) -> str:
    return " eller ".join(f"'{w}'" for w in words)


def min_words(policy: Policy) -> int:
    """The policy's minimum length of a consideration; 0 (no minimum) where it states none."""
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


@rule("consideration", each="answer", answers="consideration",
      description="For hvert krav, der gælder for projektet og besvares af en overvejelse: en overvejelse, der "
                  "besvarer kravet, med en egentlig begrundelse – mindst så mange ord, som politikken kræver "
                  "(min_words), og ingen pladsholdere som UDFYLDES eller TODO.")
def consideration(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    """An applicable requirement has a consideration of the project with real reasoning."""
    found = answers(policy, project, "consideration", req)
    if not found:
        return [finding(
            policy, project, project,
            f"Der mangler en overvejelse for kravet '{req.title}'.",
            "Tilføj på projektsiden:\n"
            f"    :::{{consideration}} <kort titel>\n    :id: C_<PROJEKT>_{req.id.removeprefix('R_')}\n"
            f"    :addresses: {req.id}\n    :date: ÅÅÅÅ-MM-DD\n\n    <jeres begrundelse>\n    :::",
            req.id,
        )]
    least = min_words(policy)
    return [finding(policy, need, project, *problem, req.id)
            for need in found if (problem := text_problem(need, least))]


@rule("biastest", each="answer", answers="biastest",
      description="For hvert krav, der besvares af en bias-test: projektet har en bias-test, der besvarer kravet.")
def biastest(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    if answers(policy, project, "biastest", req):
        return []
    return [finding(
        policy, project, project,
        "Projektet har ingen bias-test. Test for skævhed er en fast del af alt dataarbejde.",
        f"Tilføj et 'biastest'-element med ':addresses: {req.id}' og ':counts: biastest.csv', "
        "og læg de samlede optællinger i projektmappen (se vejledningen om bias-test).",
        req.id,
    )]


@rule("evidence", each="answer", answers="evidence",
      description="For hvert krav, der besvares af dokumentation: projektet har dokumentation af hver krævet slags "
                  "(evidence_kind), der besvarer kravet – mindst så mange af hver, som kravet kræver (min_evidence).")
def evidence(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    found = answers(policy, project, "evidence", req)
    least = int(req.number("min_evidence") or 1)
    problems = []
    for kind in req.evidence_kind:
        have = sum(1 for n in found if n.get("kind") == kind)
        if have >= least:
            continue
        fix = (f"Tilføj et 'evidence'-element med ':addresses: {req.id}', ':kind: {kind}', ':date:' og "
               "':reference:' (hvor dokumentet findes, fx journalnummer).")
        if have == 0 and least == 1:
            problem = f"Der mangler dokumentation af typen '{kind}' for kravet '{req.title}'."
        else:
            problem = (f"Kravet '{req.title}' kræver mindst {least} dokumenter af typen '{kind}', men projektet "
                       f"har {have}.")
            fix += " Hvert dokument er sit eget element med sit eget ID (fx to uafhængige gennemgange)."
        problems.append(finding(policy, project, project, problem, fix, req.id))
    return problems


def approves(policy: Policy, project: dict, approval: dict) -> bool:
    """A positive decision at or above the level the project's risk profile demands."""
    vocab = policy.vocabulary
    needed = policy.approval_level(project.get("risk"))
    return (vocab.approves(approval.get("decision"))
            and vocab.decision_rank(approval.get("decision_level")) >= vocab.decision_rank(needed))


@rule("approval", each="answer", answers="approval",
      description="For hvert krav, der besvares af en godkendelse: et projekt, der er sat i gang, er godkendt "
                  "(eventuelt med vilkår) på mindst det niveau, risikoprofilen kræver. Et stoppet projekt må i "
                  "stedet have en afvisning.")
def approval(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    """Once started, a project is approved at or above the level its risk demands."""
    vocab = policy.vocabulary
    status = project.get("status")
    if vocab.status_means(status, "planned"):
        return []
    stopped_status = vocab.status_means(status, "stopped")
    needed = policy.approval_level(project.get("risk"))
    found = answers(policy, project, "approval", req)
    high_enough = [a for a in found if approves(policy, project, a)]
    rejected = [a for a in found if vocab.decision_means(a.get("decision"), "rejects")]
    if high_enough or (stopped_status and rejected):
        return []
    positive = vocab.words_for(vocab.decisions, "approves", "approves_with_conditions")
    reject = vocab.words_for(vocab.decisions, "rejects")
    stop = vocab.words_for(vocab.statuses, "stopped")
    risk = f" og risikoprofil '{project.get('risk')}'" if vocab.risk_levels else ""
    situation = f"Projektet har status '{status}'{risk}"
    at_level = f" på mindst niveauet '{needed}'" if needed else ""
    stopped = f" Et stoppet projekt kan i stedet have ':decision: {reject[0]}'." if stopped_status and reject else ""
    if found:  # point at the latest decision, which is the one to act on
        latest = max(found, key=lambda a: a.get("date") or "")
        if vocab.decision_means(latest.get("decision"), "rejects"):
            return [finding(
                policy, latest, project,
                f"{situation}, men den seneste afgørelse, {latest['id']}, afviste projektet.",
                f"Et afvist projekt må ikke være i brug: sæt ':status: {stop[0] if stop else '...'}' og ':end_date:'. Er "
                "projektet ændret og godkendt siden, så skriv den nye afgørelse i et nyt 'approval'-element med "
                f"':addresses: {req.id}'.",
                req.id,
            )]
        return [finding(
            policy, latest, project,
            f"{situation}, så det kræver en godkendelse ({'/'.join(positive)}){at_level}, men "
            f"{latest['id']} er '{latest.get('decision')}' på niveauet '{latest.get('decision_level')}'.",
            f"Forelæg projektet for {needed}, og skriv afgørelsen i et nyt 'approval'-element med ':addresses: {req.id}' "
            f"og ':decision_level: {needed}' – eller ret ':decision_level:' her, hvis det faktisk var {needed}, der "
            f"godkendte.{stopped}",
            req.id,
        )]
    level_fix = f", ':decision_level: {needed}' (eller højere)" if needed else ""
    return [finding(
        policy, project, project,
        f"{situation}, men mangler en godkendelse{at_level}.",
        f"Tilføj et 'approval'-element med ':addresses: {req.id}'{level_fix}, ':decision: {_list(positive)[1:]}, "
        f"':role:' og ':date:'.{stopped}",
        req.id,
    )]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day some months later (the month's last day where it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@rule("review", each="applicable", when=lambda req: req.number("review_every") is not None,
      description="For hvert krav med en fast frist for ny vurdering (review_every, i måneder): et projekt i brug "
                  "har en overvejelse, dokumentation, bias-test eller godkendelse for kravet, der ikke er ældre end "
                  "fristen – regnet fra dags dato.")
def review(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    """A requirement reviewed every N months: the newest answer is at most N months old today."""
    if not policy.vocabulary.status_means(project.get("status"), "in_use"):
        return []
    months = int(req.number("review_every"))
    dated = [(day, n) for t in ("consideration", "evidence", "biastest", "approval")
             for n in answers(policy, project, t, req) if (day := parse_date(n.get("date")))]
    if not dated:
        return []  # nothing answers it yet: the answer rules say what is missing
    last, need = max(dated, key=lambda d: d[0])
    due = add_months(last, months)
    if due >= policy.today:
        return []
    return [finding(
        policy, need, project,
        f"Kravet skal vurderes igen mindst hver {months}. måned. Den nyeste vurdering, {need['id']}, er fra {last}, "
        f"så en ny var påkrævet senest {due}.",
        f"Vurdér kravet igen, og skriv det som et nyt element med ':addresses: {req.id}' og datoen for den nye "
        "vurdering. Ret ikke datoen på det gamle: det dokumenterer den vurdering, der blev gjort dengang.",
        req.id,
    )]
