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
from dataetik.biastest import PolicyBias
from dataetik.biastest import rules as bias_rules
from dataetik.rules import policy_rules, project_rules, source_rules


# What each check demands, in Danish: the reference page is generated from this, and a
# test fails if a rule has no description.
DESCRIPTIONS = {
    "build": "Bygget: hvert felt har en tilladt værdi, påkrævede felter er udfyldt, ID'er har det rigtige "
             "format, og hvert link peger på et eksisterende element af den rigtige type.",
    "principle_has_requirement": "Hvert princip har mindst ét krav, der udspringer af det.",
    "requirement_is_traceable": "Hvert krav udspringer af et princip og siger, hvilke projekter det gælder for "
                                "(applies_risk, applies_when), og hvad der besvarer det (answered_by, evidence_kind).",
    "risk_level_is_defined": "Hver risikoprofil har et mindste godkendelsesniveau på siden om risikoprofiler.",
    "consideration": "For hvert krav, der gælder for projektet og besvares af en overvejelse: en overvejelse, der "
                     "besvarer kravet, med en egentlig begrundelse – mindst så mange ord, som politikken kræver "
                     "(min_words), og ingen pladsholdere som UDFYLDES eller TODO.",
    "biastest": "For hvert krav, der besvares af en bias-test: projektet har en bias-test, der besvarer kravet.",
    "evidence": "For hvert krav, der besvares af dokumentation: projektet har dokumentation af hver krævet slags "
                "(evidence_kind), der besvarer kravet.",
    "approval": "For hvert krav, der besvares af en godkendelse: et projekt ud over 'planlagt' er godkendt eller "
                "betinget godkendt på mindst det niveau, risikoprofilen kræver. Et stoppet projekt må i stedet "
                "have en afvisning.",
    "bias_result": "Hver bias-test genberegnes ud fra de offentliggjorte optællinger (gyldigt format, ingen celler "
                   "under diskretionsgrænsen, de egenskaber politikken kræver). Et igangværende eller afsluttet projekt "
                   "må ikke vise skævhed, og et uafgjort resultat kræver en dokumenteret manuel gennemgang: en overvejelse, "
                   "der besvarer bias-kravet, peger på testen med ':reviews:' og er en egentlig begrundelse. Grænserne må "
                   "kun lempes med en sådan begrundelse og en godkendelse på projektets niveau, givet efter den. "
                   "Undertrykte grupper må ikke kunne regnes ud ved at trække fra.",
    "needs_are_whole": "Hvert element, der står i en politik- eller projektside, bliver til sit eget element på sitet: "
                       "intet forsvinder (en kodeblok ``` der ikke er lukket), og intet står inde i et andet (et "
                       "':::' der mangler). Et ID, der bruges to gange, melder bygget selv.",
    "row_level_data": "Ingen fil i mappen med sitet ligner data om enkelte borgere (regneark, Parquet, SPSS/Stata/SAS, "
                      "CSV, der ikke er samlede optællinger); kun samlede optællinger offentliggøres.",
    # The five below run once per project when a requirement names them in 'checks' (status always).
    "placeholders": "Ingen pladsholdere (UDFYLDES, TODO, XXX ...) i projektets felter og tekst, dokumentation, "
                    "bias-test eller godkendelse.",
    "status": "Projektet har en status: planlagt, igangværende, afsluttet eller stoppet.",
    "dates": "Datoer er gyldige (ÅÅÅÅ-MM-DD); slutdato ligger ikke før startdato; afsluttede og stoppede projekter "
             "har en slutdato; overvejelser og godkendelser (godkendt/betinget) er dateret før startdatoen – en "
             "afvisning må komme når som helst.",
    "cpr_numbers": "Ingen tekstfil i projektets mappe (Markdown, CSV, tekst) indeholder noget, der ligner et "
                   "CPR-nummer; vurderingen offentliggøres.",
    "risk_profile": "Risikoprofilen er mindst lige så høj som de risikokriterier, projektet opfylder.",
}


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
    if policy.needs.srcdir:
        cases.append(Case("needs_are_whole", "site", "", lambda: source_rules.needs_are_whole(policy)))
        cases.append(Case("row_level_data", "site", "", lambda: bias_rules.row_level_data(
            policy.needs.srcdir, bias_rules.used_counts_files(policy), PolicyBias.of(policy).min_cell)))
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
        cases += [
            Case("bias_result", t["id"], pid, lambda t=t: bias_rules.bias_result(policy, t))
            for t in policy.needs.parts_of(pid, "biastest")
        ]
        # Project-wide checks run once per project, citing the requirement that names them in
        # `checks`. Status runs even if none does: the build cannot see a missing core field.
        for name, rule in project_rules.PROJECT_WIDE.items():
            cited = next((r.id for r in policy.requirements if name in r.checks), None)
            if cited or name in project_rules.ALWAYS:
                cases.append(Case(name, f"{pid}-{cited}" if cited else pid, pid,
                                  lambda rule=rule, p=project, r=cited or "": rule(policy, p, r)))
    return cases


def all_cases(policy: Policy) -> list[Case]:
    return policy_cases(policy) + project_cases(policy)
