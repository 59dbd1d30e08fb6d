"""Each check against a fixture site with exactly one defect.

The fixture (tests/sites/tiny) is a *different*, tiny policy: two principles, four
requirements with their own applicability, and one project. That the real checks
judge it correctly, with no change to Python, shows the policy pages are the single
source of truth. Expected findings are compared whole.
"""

from __future__ import annotations

import pytest
from sitebuild import build, copy_site

from dataetik.findings import render_all
from dataetik.rules import all_cases

DEMO = "projects/demo/index.md"
POLICY = "policy/index.md"


def findings(built, rule: str | None = None) -> str:
    return render_all([f for c in all_cases(built.policy) if rule in (None, c.rule) for f in c.run()])


def site(tmp_path, edits=None, strict=False):
    return build(copy_site("tiny", tmp_path / "site", edits), strict=strict)


def test_clean_fixture_passes_strict_build_and_every_check(tmp_path):
    built = site(tmp_path, strict=True)
    assert built.returncode == 0, built.warnings
    assert findings(built) == ""
    rules = {(c.rule, c.key) for c in all_cases(built.policy)}
    # Applicability comes from the fixture's own requirement fields:
    assert ("evidence", "PRJ_DEMO-R_SIKKERHED") in rules  # applies to 'høj'
    assert "PRJ_DEMO-R_AFTALE" not in {key for _, key in rules}  # only when procured


def test_requirement_applies_when_project_trait_is_set(tmp_path):
    built = site(tmp_path, {DEMO: (":procured: nej", ":procured: ja")})
    assert findings(built, "evidence") == (
        "projects/demo/index.md:3: PRJ_DEMO / R_AFTALE: Der mangler dokumentation af typen "
        "'databehandleraftale' for kravet 'Indkøbte løsninger har en databehandleraftale'.\n"
        "    Sådan retter du det: Tilføj et 'evidence'-element med ':addresses: R_AFTALE', "
        "':kind: databehandleraftale', ':date:' og ':reference:' (hvor dokumentet findes, fx journalnummer)."
    )


def test_principle_without_requirement_fails(tmp_path):
    built = site(tmp_path, {POLICY: ("", "\n:::{principle} Tom\n:id: P_TOM\n\nIngen krav.\n:::\n")})
    assert findings(built, "principle_has_requirement") == (
        "policy/index.md:86: P_TOM: Princippet 'Tom' har ingen krav, der udspringer af det.\n"
        "    Sådan retter du det: Tilføj et krav i policy/index.md med ':derives_from: P_TOM', "
        "eller knyt et eksisterende krav til princippet."
    )


def test_requirement_without_principle_fails_build_and_check(tmp_path):
    built = site(tmp_path, {POLICY: (":derives_from: P_OMTANKE\n:source: Omtanke\n:applies_risk: lav", ":source: Omtanke\n:applies_risk: lav")})
    assert "policy/index.md:15: ERROR: Need 'R_FORMAAL' has schema violations" in built.warnings
    assert "Et krav skal udspringe af mindst ét princip" in built.warnings
    assert findings(built, "requirement_is_traceable") == (
        "policy/index.md:15: R_FORMAAL: Kravet udspringer ikke af noget princip.\n"
        "    Sådan retter du det: Tilføj ':derives_from: P_...' med ID'et på det eller de principper, kravet bygger på."
    )


def test_requirement_without_answer_fails(tmp_path):
    built = site(tmp_path, {POLICY: (":applies_risk: lav, middel, høj\n:answered_by: godkendelse\n", ":applies_risk: lav, middel, høj\n")})
    assert "'R_GODKENDT' has schema violations" in built.warnings
    assert findings(built, "requirement_is_traceable") == (
        "policy/index.md:50: R_GODKENDT: Kravet siger ikke, hvad der besvarer det.\n"
        "    Sådan retter du det: Tilføj ':answered_by:' med en eller flere af: overvejelse, bias-test, dokumentation, godkendelse."
    )


def test_requirement_with_evidence_but_no_kind_fails(tmp_path):
    built = site(tmp_path, {POLICY: (":evidence_kind: sikkerhedsvurdering\n", "")})
    assert findings(built, "requirement_is_traceable") == (
        "policy/index.md:27: R_SIKKERHED: Kravet besvares af dokumentation, men siger ikke hvilken slags.\n"
        "    Sådan retter du det: Tilføj ':evidence_kind:' med en af juridisk vurdering, konsekvensanalyse, "
        "sikkerhedsvurdering, tværfaglig deltagelse, databehandleraftale, andet."
    )


def test_a_setting_the_policy_does_not_state_is_not_applied(tmp_path):
    """No hidden defaults: without min_words a short consideration passes; the policy is still whole."""
    built = site(tmp_path, {POLICY: (":min_words: 12\n", ""),
                            DEMO: ("Formålet er at give borgerne hurtigere svar, og vi bruger kun navn og adresse til det.",
                                   "Hurtigere svar.")})
    assert findings(built, "requirement_is_traceable") == ""
    assert findings(built, "consideration") == ""


def test_undefined_risk_level_fails(tmp_path):
    built = site(tmp_path, {POLICY: (":id: RISK_HOJ\n:level: høj", ":id: RISK_HOJ\n:level: middel")})
    assert findings(built, "risk_level_is_defined") == (
        "policy/index.md: Risikoniveauet 'høj' er ikke beskrevet med et godkendelsesniveau.\n"
        "    Sådan retter du det: Tilføj et 'risklevel'-element med ':level: høj' og ':approval_level:' "
        "(en af leder, direktørkreds, politisk niveau) ved de andre risikoprofiler."
    )


def test_missing_consideration_fails(tmp_path):
    built = site(tmp_path, {DEMO: (":id: C_DEMO_FORMAAL\n:addresses: R_FORMAAL", ":id: C_DEMO_FORMAAL\n:addresses: R_SIKKERHED")})
    assert findings(built, "consideration") == (
        "projects/demo/index.md:3: PRJ_DEMO / R_FORMAAL: Der mangler en overvejelse for kravet "
        "'Alle projekter begrunder formålet'.\n"
        "    Sådan retter du det: Tilføj på projektsiden:\n"
        "    :::{consideration} <kort titel>\n    :id: C_<PROJEKT>_FORMAAL\n    :addresses: R_FORMAAL\n"
        "    :date: ÅÅÅÅ-MM-DD\n\n    <jeres begrundelse>\n    :::"
    )


def test_placeholder_words_in_ordinary_sentences_are_not_placeholders():
    from dataetik.rules.answers import placeholder_in

    assert placeholder_in("Skemaet udfyldes af borgeren sammen med sagsbehandleren.") is None
    assert placeholder_in("Skemaet til ansøgningen\nudfyldes af borgeren.") is None  # a wrapped sentence
    assert placeholder_in("Tekst.\n\n  udfyldes") == "udfyldes"
    assert [placeholder_in(s) for s in ("UDFYLDES: navn", "Udfyldes senere", "<udfyld>", "TODO")] == [
        "UDFYLDES", "Udfyldes", "udfyld", "TODO"]
    # In brackets: a note standing for missing text is a placeholder, a sentence about a form is not.
    assert placeholder_in("Ansøgningsskemaet (udfyldes af borgeren) sendes til kommunen.") is None
    assert placeholder_in("Udfyldes af borgeren i selvbetjeningen, og sagsbehandleren kontrollerer det.") is None
    assert [placeholder_in(s) for s in ("(udfyldes)", "(udfyldes senere)", "[udfyld her]", "(udfyldes: navn)",
                                        "Formålet (udfyldes …)", "Tekst.\n\nUdfyldes.")] == [
        "udfyldes", "udfyldes", "udfyld", "udfyldes", "udfyldes", "Udfyldes"]


@pytest.mark.parametrize(
    "text, problem",
    [
        ("TODO: beskriv formålet, udfyldes senere af projektlederen når vi ved mere om det", "indeholder pladsholderen 'TODO'"),
        ("Formålet er godt.", "har kun 3 ord; politikken kræver mindst 12"),
        ("Formålet beskrives her, når projektgruppen har mødtes med jurist og fagpersoner (udfyldes).",
         "indeholder pladsholderen 'udfyldes'"),
    ],
    ids=["placeholder", "too-short", "placeholder-in-brackets"],
)
def test_insubstantial_consideration_fails(tmp_path, text, problem):
    original = "Formålet er at give borgerne hurtigere svar, og vi bruger kun navn og adresse til det."
    built = site(tmp_path, {DEMO: (original, text)})
    result = findings(built, "consideration")
    assert result.startswith(f"projects/demo/index.md:20: PRJ_DEMO / R_FORMAAL: Overvejelsen C_DEMO_FORMAAL {problem}")
    assert "Sådan retter du det:" in result


def test_missing_evidence_of_kind_fails(tmp_path):
    built = site(tmp_path, {DEMO: (":kind: sikkerhedsvurdering", ":kind: andet")})
    assert findings(built, "evidence").startswith(
        "projects/demo/index.md:3: PRJ_DEMO / R_SIKKERHED: Der mangler dokumentation af typen 'sikkerhedsvurdering'"
    )


def test_approval_below_required_level_fails(tmp_path):
    built = site(tmp_path, {DEMO: (":decision_level: direktørkreds", ":decision_level: leder")})
    assert findings(built, "approval") == (
        "projects/demo/index.md:46: PRJ_DEMO / R_GODKENDT: Projektet har status 'igangværende' og risikoprofil "
        "'høj', så det kræver en godkendelse (godkendt/betinget) på mindst niveauet 'direktørkreds', men AP_DEMO er "
        "'godkendt' på niveauet 'leder'.\n"
        "    Sådan retter du det: Forelæg projektet for direktørkreds, og skriv afgørelsen i et nyt 'approval'-element "
        "med ':addresses: R_GODKENDT' og ':decision_level: direktørkreds' – eller ret ':decision_level:' her, hvis det "
        "faktisk var direktørkreds, der godkendte."
    )
    without = site(tmp_path / "none", {DEMO: (":::{approval} Godkendt af direktørkredsen\n:id: AP_DEMO\n:addresses: R_GODKENDT",
                                             ":::{approval} Godkendt af direktørkredsen\n:id: AP_DEMO\n:addresses: R_SIKKERHED")})
    assert findings(without, "approval") == (
        "projects/demo/index.md:3: PRJ_DEMO / R_GODKENDT: Projektet har status 'igangværende' og risikoprofil 'høj', "
        "men mangler en godkendelse på mindst niveauet 'direktørkreds'.\n"
        "    Sådan retter du det: Tilføj et 'approval'-element med ':addresses: R_GODKENDT', ':decision_level: "
        "direktørkreds' (eller højere), ':decision: godkendt' eller 'betinget', ':role:' og ':date:'."
    )


def test_rejected_approval_is_enough_only_for_a_stopped_project(tmp_path):
    reject = (":decision: godkendt", ":decision: afvist")
    running = site(tmp_path / "a", {DEMO: reject})
    assert "men den seneste afgørelse, AP_DEMO, afviste projektet." in findings(running, "approval")
    assert "sæt ':status: stoppet'" in findings(running, "approval")
    stop = ":status: stoppet\n:end_date: 2025-06-01"
    stopped = copy_site("tiny", tmp_path / "b", {DEMO: (":status: igangværende", stop)})
    (stopped / DEMO).write_text((stopped / DEMO).read_text().replace(*reject))
    assert findings(build(stopped), "approval") == ""


def test_planned_project_needs_no_approval(tmp_path):
    built = site(tmp_path, {DEMO: (":status: igangværende", ":status: planlagt")})
    assert findings(built, "approval") == ""


@pytest.mark.parametrize(
    "edit, expected",
    [
        ((":status: igangværende", ":status: afsluttet"),
         "projects/demo/index.md:3: PRJ_DEMO / R_FORMAAL: Projektet har status 'afsluttet', men ingen slutdato.\n"
         "    Sådan retter du det: Tilføj ':end_date: ÅÅÅÅ-MM-DD' – datoen, hvor projektet sluttede eller blev stoppet."),
        ((":start_date: 2025-03-01", ":start_date: 2025-03-01\n:end_date: 2024-12-31"),
         "projects/demo/index.md:9: PRJ_DEMO / R_FORMAAL: Slutdatoen 2024-12-31 ligger før startdatoen 2025-03-01.\n"
         "    Sådan retter du det: ':start_date:' skal være den dag, data første gang blev taget i brug, og "
         "':end_date:' den dag, brugen sluttede eller blev stoppet: ret den, der ikke er."),
        ((":date: 2025-02-15", ":date: 2025-04-15"),
         "projects/demo/index.md:52: PRJ_DEMO / R_FORMAAL: AP_DEMO er dateret 2025-04-15, efter projektets start 2025-03-01. "
         "Overvejelser og godkendelse skal ligge før data tages i brug.\n"
         "    Sådan retter du det: ':date:' skal være den dag, vurderingen faktisk blev lavet. Blev den lavet før "
         "start, og er datoen skrevet forkert, så skriv den rigtige dag. Blev den lavet 2025-04-15, så ret ikke datoen "
         "tilbage: stop brugen, gør vurderingen færdig og sæt ':start_date:' til den dag, brugen begynder igen."),
        ((":start_date: 2025-03-01", ":start_date: 2025-02-30"),
         "projects/demo/index.md:8: PRJ_DEMO / R_FORMAAL: Startdatoen '2025-02-30' findes ikke i kalenderen.\n"
         "    Sådan retter du det: Ret dagen eller måneden i ':start_date:' (fx har februar kun 28 eller 29 dage)."),
        ((":id: C_DEMO_FORMAAL\n:addresses: R_FORMAAL\n:date: 2025-02-01", ":id: C_DEMO_FORMAAL\n:addresses: R_FORMAAL\n:date: 2025-03-02"),
         "projects/demo/index.md:23: PRJ_DEMO / R_FORMAAL: C_DEMO_FORMAAL er dateret 2025-03-02, efter projektets start 2025-03-01. "
         "Overvejelser og godkendelse skal ligge før data tages i brug.\n"
         "    Sådan retter du det: ':date:' skal være den dag, vurderingen faktisk blev lavet. Blev den lavet før "
         "start, og er datoen skrevet forkert, så skriv den rigtige dag. Blev den lavet 2025-03-02, så ret ikke datoen "
         "tilbage: stop brugen, gør vurderingen færdig og sæt ':start_date:' til den dag, brugen begynder igen."),
        ((":decision: godkendt\n:date: 2025-02-15", ":decision: godkendt\n:date: 2025-03-01"),
         "projects/demo/index.md:52: PRJ_DEMO / R_FORMAAL: AP_DEMO er dateret 2025-03-01, samme dag som projektets start 2025-03-01. "
         "Overvejelser og godkendelse skal ligge før data tages i brug.\n"
         "    Sådan retter du det: ':date:' skal være den dag, vurderingen faktisk blev lavet. Blev den lavet før "
         "start, og er datoen skrevet forkert, så skriv den rigtige dag. Blev den lavet 2025-03-01, så ret ikke datoen "
         "tilbage: stop brugen, gør vurderingen færdig og sæt ':start_date:' til den dag, brugen begynder igen."),
        # Not shaped like a date: the build's field schema reports it (see below), so the rule stays quiet.
        ((":start_date: 2025-03-01", ":start_date: 1. marts 2025"), ""),
    ],
    ids=["completed-without-end", "end-before-start", "approval-after-start", "impossible-date",
         "consideration-after-start", "approval-on-start-day", "shape-left-to-build"],
)
def test_date_rules(tmp_path, edit, expected):
    built = site(tmp_path, {DEMO: edit})
    assert findings(built, "dates") == expected


def test_a_rejection_may_come_after_the_start(tmp_path):
    rejected_later = ":decision: afvist\n:date: 2025-04-15"
    built = site(tmp_path, {DEMO: (":decision: godkendt\n:date: 2025-02-15", rejected_later)})
    assert findings(built, "dates") == ""


def test_missing_status_fails(tmp_path):
    built = site(tmp_path, {DEMO: (":status: igangværende\n", "")})
    assert findings(built, "status") == (
        "projects/demo/index.md:3: PRJ_DEMO / R_FORMAAL: Projektet har ingen status.\n"
        "    Sådan retter du det: Tilføj ':status:' med en af planlagt, igangværende, afsluttet, stoppet."
    )


def test_project_wide_checks_run_only_where_a_requirement_names_them(tmp_path):
    """The policy decides: without ':checks: datoer' on some requirement, dates are not checked;
    status is checked anyway (the build cannot see a missing status), citing no requirement."""
    built = site(tmp_path, {POLICY: (":checks: status, datoer, pladsholdere", ":checks: pladsholdere"),
                            DEMO: (":status: igangværende\n", "")})
    cases = {(c.rule, c.key) for c in all_cases(built.policy)}
    assert "dates" not in {rule for rule, _ in cases} and ("placeholders", "PRJ_DEMO-R_FORMAAL") in cases
    assert findings(built, "status") == (
        "projects/demo/index.md:3: PRJ_DEMO: Projektet har ingen status.\n"
        "    Sådan retter du det: Tilføj ':status:' med en af planlagt, igangværende, afsluttet, stoppet."
    )


def test_risk_below_criteria_fails(tmp_path):
    built = site(tmp_path, {DEMO: (":risk: høj", ":risk: lav")})
    assert findings(built, "risk_profile") == (
        "projects/demo/index.md:3: PRJ_DEMO / R_GODKENDT: Risikoprofilen er 'lav', men projektet opfylder kriterier, der "
        "kræver mindst 'høj': K_SAARBARE (høj).\n"
        "    Sådan retter du det: Sæt ':risk: høj', eller fjern kriterier, som projektet ikke opfylder, fra ':risk_criteria:'."
    )


@pytest.mark.parametrize(
    "edit, expected",
    [
        ((":addresses: R_SIKKERHED\n:kind:", ":addresses: R_UKENDT\n:kind:"),
         "projects/demo/index.md:36: WARNING: Need 'EV_DEMO_SIKKERHED' has unknown outgoing link 'R_UKENDT' in field 'addresses'"),
        ((":addresses: R_SIKKERHED\n:kind:", ":addresses: P_OMTANKE\n:kind:"),
         "projects/demo/index.md:36: WARNING: Need 'EV_DEMO_SIKKERHED' link 'P_OMTANKE' in field 'addresses': "
         "target need type 'principle' is not one of 'requirement'"),
        ((":risk: høj", ":risk: meget høj"),
         "projects/demo/index.md:3: ERROR: Need 'PRJ_DEMO' has schema violations"),
        ((":start_date: 2025-03-01", ":start_date: 1. marts 2025"),
         "projects/demo/index.md:3: ERROR: Need 'PRJ_DEMO' has schema violations"),
        ((":id: C_DEMO_FORMAAL", ":id: c-demo"),
         "projects/demo/index.md:20: WARNING: Need could not be created: Given ID 'c-demo' does not match"),
    ],
    ids=["unknown-link", "wrong-link-type", "bad-enum", "bad-date-format", "bad-id"],
)
def test_build_rejects_broken_links_and_fields_with_file_and_line(tmp_path, edit, expected):
    built = site(tmp_path, {DEMO: edit}, strict=True)
    assert built.returncode != 0
    assert expected in built.warnings


@pytest.mark.parametrize(
    "edit, expected",
    [
        # A ':::' left out: the next need becomes a child of this one and passes every other check.
        (("Formålet er at give borgerne hurtigere svar, og vi bruger kun navn og adresse til det.\n:::\n",
          "Formålet er at give borgerne hurtigere svar, og vi bruger kun navn og adresse til det.\n"),
         "projects/demo/index.md:27: PRJ_DEMO: C_DEMO_SIKKERHED står inde i C_DEMO_FORMAAL, fordi C_DEMO_FORMAAL ikke "
         "er lukket, før C_DEMO_SIKKERHED begynder.\n"
         "    Sådan retter du det: Afslut C_DEMO_FORMAAL med en linje, der kun indeholder ':::', før C_DEMO_SIKKERHED begynder."),
        # A code fence left open swallows what follows.
        (("Et lille demoprojekt.\n:::\n", "Et lille demoprojekt.\n:::\n\n```\n"),
         "projects/demo/index.md:23: PRJ_DEMO: Elementet C_DEMO_FORMAAL blev ikke oprettet og mangler på sitet.\n"
         "    Sådan retter du det: Se efter en kodeblok (```) eller et element (:::) ovenfor, der ikke er lukket, og "
         "efter fejl i elementets felter; meldingerne fra bygget peger på dem."),
    ],
    ids=["unclosed-directive", "unclosed-code-fence"],
)
def test_every_need_written_becomes_a_need_of_its_own(tmp_path, edit, expected):
    found = findings(site(tmp_path, {DEMO: edit}), "needs_are_whole").split("\n")
    assert "\n".join(found[:2]) == expected  # the first finding whole; an open code fence swallows the rest too


def test_examples_drafts_readmes_and_duplicates_are_not_vanished_needs(tmp_path):
    example = "```md\n:::{consideration} Eksempel\n:id: C_DEMO_EKSEMPEL\n:::\n```\n"
    draft = "<!--\n:::{evidence} Kladde\n:id: EV_DEMO_KLADDE\n:::\n-->\n"
    built = site(tmp_path, {DEMO: ("", example + draft), "projects/demo/README.md": ("", draft.strip("<!-->\n")),
                            # A reused ID: the build says it, with both places (see test_reports).
                            "projects/demo/kopi.md": ("", "# Kopi\n\n:::{consideration} Kopi\n:id: C_DEMO_FORMAAL\n:::\n")})
    assert findings(built, "needs_are_whole") == ""
