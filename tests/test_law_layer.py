"""A law layered on the policy, with its own classification, named dates, questionnaire and export.

The law here is a fixture of its own shape (four categories, one named date with a transition
for systems already in use, a questionnaire with a gate, an exception and a profiling override),
not the live AI Act pages: those may change without these tests noticing.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sitebuild import REPO, build, copy_site

from dataetik import classify
from dataetik.findings import render_all
from dataetik.rules import all_cases

LAW = """[policy]
title = "Lov om algoritmer"
language = "da"

[vocabulary]
evidence_kinds = ["konsekvensanalyse for rettigheder"]

[vocabulary.checks]
klassificeret = "classified"

[vocabulary.classifications."kategori"]
field = "law_category"
label = "Kategori efter loven"
levels = ["ikke omfattet", "begrænset", "højrisiko", "forbudt"]

[vocabulary.classifications."område"]
field = "law_area"
label = "Område"
levels = ["intet område", "ydelser"]

[dates."højrisiko-pligter"]
applies_from = 2027-12-02
existing_from = 2030-08-02
source = "Lovens § 113"

[exports.analyse]
title = "Konsekvensanalyse"
requirements = ["R_LOV_ANALYSE", "R_LOV_KLASSE"]
"""
LAW_PAGE = """# Lov om algoritmer

:::{principle} Rettigheder
:id: P_LOV

Rettighederne beskyttes.
:::

:::{requirement} Projektet er klassificeret
:id: R_LOV_KLASSE
:derives_from: P_LOV
:source: Lovens § 6
:answered_by: overvejelse
:checks: klassificeret

Klassificér projektet.
:::

:::{requirement} Forbudt praksis bruges aldrig
:id: R_LOV_FORBUD
:derives_from: P_LOV
:source: Lovens § 5
:applies_when: forbudt
:answered_by: overvejelse
:forbids_status: igangværende

Brug den aldrig.
:::

:::{requirement} Konsekvensanalyse før brug
:id: R_LOV_ANALYSE
:derives_from: P_LOV
:source: Lovens § 27
:applies_when: højrisiko
:answered_by: dokumentation
:evidence_kind: konsekvensanalyse for rettigheder
:effective_from: højrisiko-pligter

Lav en konsekvensanalyse.
:::

:::{criterion} Et AI-system
:id: K_LOV_AI
:raises_to: begrænset
:why: Loven gælder kun AI-systemer.
:example: En sprogmodel.

Udleder systemet selv sine svar af data?
:::

:::{criterion} Social pointgivning
:id: K_LOV_POINT
:asked_if: K_LOV_AI
:raises_to: forbudt

Giver systemet borgerne point for deres adfærd?
:::

:::{criterion} Ydelser
:id: K_LOV_YDELSER
:asked_if: K_LOV_AI
:sets: ydelser

Afgør systemet, hvem der får en ydelse?
:::

:::{criterion} Profilering
:id: K_LOV_PROFIL
:asked_if: K_LOV_YDELSER
:raises_to: højrisiko

Profilerer systemet borgerne?
:::

:::{criterion} Undtagelsen
:id: K_LOV_UNDTAGELSE
:asked_if: K_LOV_YDELSER
:skipped_if: K_LOV_PROFIL
:raises_if_no: højrisiko

Udfører systemet kun en forberedende opgave?
:::
"""
CLASSIFIED = ":external_partners: nej\n:law_category: {category}\n:law_area: {area}"
REASONING = ("Systemet sorterer ansøgninger om en ydelse og beregner en score for hver ansøger, så vi har "
             "svaret ja til profilering.")


def law_site(tmp_path, category: str | None = "højrisiko", area: str = "ydelser", extra: dict | None = None):
    """tiny with the law on top; the demo project classified (unless category is None) and with a
    consideration of its classification. `extra`: more {file: (old, new)} edits."""
    project = CLASSIFIED.format(category=category, area=area) if category else ":external_partners: nej"
    site = copy_site("tiny", tmp_path / "site", {
        "law/policy.toml": ("", LAW), "law/index.md": ("", LAW_PAGE),
        "index.md": ("policy/index\n", "policy/index\nlaw/index\n"),
        "projects/demo/index.md": (":external_partners: nej", project)})
    page = site / "projects/demo/index.md"
    page.write_text(page.read_text(encoding="utf-8") + CONSIDERATION, encoding="utf-8")
    for rel, (old, new) in (extra or {}).items():
        path = site / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (old, rel)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return site


CONSIDERATION = """
:::{consideration} Klassificering
:id: C_DEMO_KLASSE
:addresses: R_LOV_KLASSE
:date: 2025-02-01

Systemet er et AI-system, der afgør ydelser og profilerer ansøgerne; derfor højrisiko.
:::
"""


def findings(built, monkeypatch, today: str):
    monkeypatch.setenv("DATAETIK_TODAY", today)
    return [f for c in all_cases(built.policy) for f in c.run()]


def test_a_high_risk_project_in_use_without_an_impact_assessment_fails_citing_the_article(tmp_path, monkeypatch):
    built = build(law_site(tmp_path, extra={"projects/demo/index.md": (":start_date: 2025-03-01",
                                                                        ":start_date: 2028-01-10")}))
    assert built.returncode == 0, built.warnings
    found = findings(built, monkeypatch, "2028-03-01")
    assert render_all(found) == (
        "projects/demo/index.md:3: PRJ_DEMO / R_LOV_ANALYSE (Lov om algoritmer, Lovens § 27): Der mangler dokumentation "
        "af typen 'konsekvensanalyse for rettigheder' for kravet 'Konsekvensanalyse før brug'.\n"
        "    Sådan retter du det: Tilføj et 'evidence'-element med ':addresses: R_LOV_ANALYSE', ':kind: konsekvensanalyse "
        "for rettigheder', ':date:' og ':reference:' (hvor dokumentet findes, fx journalnummer)."
    )
    assert [f.severity for f in found] == ["error"]


def test_before_the_named_date_the_same_gap_is_a_warning_saying_from_when(tmp_path, monkeypatch):
    # Judged in 2027, a project that starts in 2028 is planned: in use before its start is a finding of its own.
    built = build(law_site(tmp_path, extra={"projects/demo/index.md": (":status: igangværende\n:start_date: 2025-03-01",
                                                                        ":status: planlagt\n:start_date: 2028-01-10")}))
    [warning] = findings(built, monkeypatch, "2027-06-01")
    assert warning.severity == "warning" and "2027-12-02" in warning.problem


@pytest.mark.parametrize("today, severity", [("2028-03-01", "warning"), ("2030-08-02", "error")])
def test_a_system_in_use_before_the_date_gets_the_later_date_of_the_transition(tmp_path, monkeypatch, today, severity):
    """The demo started 2025-03-01, before the duty's date: it binds from existing_from, 2030-08-02."""
    built = build(law_site(tmp_path))
    [found] = findings(built, monkeypatch, today)
    assert found.rule == "evidence" and found.severity == severity
    assert ("2030-08-02" in found.problem) == (severity == "warning")


def test_a_prohibited_project_can_never_be_in_use(tmp_path, monkeypatch):
    built = build(law_site(tmp_path, category="forbudt"))
    found = [f for f in findings(built, monkeypatch, "2026-11-26") if f.rule == "forbidden_status"]
    assert render_all(found) == (
        "projects/demo/index.md:3: PRJ_DEMO / R_LOV_FORBUD (Lov om algoritmer, Lovens § 5): Projektet har status "
        "'igangværende', men kravet 'Forbudt praksis bruges aldrig' siger, at et projekt som det aldrig må have den "
        "status.\n"
        "    Sådan retter du det: Stop brugen, og sæt ':status:' til en af afsluttet, stoppet (med ':end_date:'), eller "
        "ret klassificeringen, hvis den er forkert – aldrig for at få kontrollen til at gå igennem."
    )


def test_a_stopped_prohibited_project_passes_that_check(tmp_path, monkeypatch):
    built = build(law_site(tmp_path, category="forbudt", extra={
        "projects/demo/index.md": (":status: igangværende", ":status: stoppet\n:end_date: 2025-06-01")}))
    assert not [f for f in findings(built, monkeypatch, "2026-11-26") if f.rule == "forbidden_status"]


def test_an_unclassified_project_is_a_finding_that_says_how(tmp_path, monkeypatch):
    built = build(law_site(tmp_path, category=None))
    assert built.returncode == 0, built.warnings
    found = [f for f in findings(built, monkeypatch, "2026-11-26") if f.rule == "classified"]
    assert [f.location for f in found] == ["projects/demo/index.md:3", "projects/demo/index.md:3"]
    assert "':law_category:' (Kategori efter loven) mangler" in found[0].problem
    assert "dataetik klassificer projects/demo" in found[0].fix and "ikke omfattet, begrænset" in found[0].fix


def test_a_limited_project_is_not_asked_for_an_impact_assessment(tmp_path, monkeypatch):
    built = build(law_site(tmp_path, category="begrænset", area="intet område"))
    found = findings(built, monkeypatch, "2031-01-01")
    assert found == []
    assert not [c for c in all_cases(built.policy) if c.project and "R_LOV_ANALYSE" in c.key]


def test_a_level_the_law_does_not_declare_is_refused_with_file_and_line(tmp_path):
    built = build(law_site(tmp_path, category="lidt risiko"), strict=True)
    assert built.returncode != 0 and "Traceback" not in built.warnings
    assert "projects/demo/index.md:3" in built.warnings and "lidt risiko" in built.warnings


# --- the questionnaire -------------------------------------------------------------------

@pytest.fixture(scope="module")
def law(tmp_path_factory):
    built = build(law_site(tmp_path_factory.mktemp("law")))
    assert built.returncode == 0, built.warnings
    return built


def outcome(law, yes: set[str]) -> dict[str, str]:
    result = classify.ask(law.policy, "law", lambda q, _n: q.id in yes)
    return result.fields


@pytest.mark.parametrize("yes, category, area", [
    (set(), "ikke omfattet", "intet område"),                       # not an AI system: nothing else is asked
    ({"K_LOV_POINT", "K_LOV_YDELSER"}, "ikke omfattet", "intet område"),  # ... even if a later yes is given
    ({"K_LOV_AI"}, "begrænset", "intet område"),
    ({"K_LOV_AI", "K_LOV_YDELSER", "K_LOV_UNDTAGELSE"}, "begrænset", "ydelser"),  # the exception holds
    ({"K_LOV_AI", "K_LOV_YDELSER"}, "højrisiko", "ydelser"),          # the exception does not hold
    ({"K_LOV_AI", "K_LOV_YDELSER", "K_LOV_PROFIL", "K_LOV_UNDTAGELSE"}, "højrisiko", "ydelser"),  # profiling overrides it
    ({"K_LOV_AI", "K_LOV_POINT", "K_LOV_YDELSER", "K_LOV_PROFIL"}, "forbudt", "ydelser"),
])
def test_the_questionnaire_proposes_the_highest_level_its_answers_reach(law, yes, category, area):
    assert outcome(law, yes) == {"law_category": category, "law_area": area}


def test_a_question_is_asked_only_when_its_conditions_hold(law):
    asked = []
    classify.ask(law.policy, "law", lambda q, _n: asked.append(q.id) or q.id in {"K_LOV_AI", "K_LOV_YDELSER", "K_LOV_PROFIL"})
    assert asked == ["K_LOV_AI", "K_LOV_POINT", "K_LOV_YDELSER", "K_LOV_PROFIL"]  # the exception is skipped


def test_the_risk_questionnaire_does_not_ask_the_laws_questions(law):
    from dataetik.risk import questions

    assert [q.id for q in questions(law.policy)] == ["K_SAARBARE"]


# --- the command line: classify, check, export ------------------------------------------

def dataetik(site, *args):
    env = {"PYTHONPATH": str(REPO), "DATAETIK_TODAY": "2026-11-26", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "dataetik.cli", *args, "--site", str(site)],
                          capture_output=True, text=True, cwd=site, env=env)


def test_classify_records_the_fields_and_the_answers_and_check_passes(tmp_path):
    site = law_site(tmp_path, category=None)
    run = dataetik(site, "klassificer", "projects/demo", "--ja", "K_LOV_AI", "--ja", "K_LOV_YDELSER",
                   "--ja", "K_LOV_PROFIL", "--begrundelse", REASONING)
    assert run.returncode == 0, run.stderr
    assert "Foreslået: Kategori efter loven: højrisiko" in run.stdout
    text = (site / "projects/demo/index.md").read_text(encoding="utf-8")
    assert ":risk_criteria: K_SAARBARE\n:law_category: højrisiko\n:law_area: ydelser\n\n" in text  # with the options
    assert "## Lov om algoritmer\n\n:::{consideration} Klassificering efter Lov om algoritmer\n:id: C_DEMO_LOV_KLASSE\n" in text
    assert ":date: 2026-11-26" in text and REASONING in text
    assert "- Profilering: Profilerer systemet borgerne? **ja**" in text
    assert "- Undtagelsen" not in text  # skipped: not asked, not recorded
    check = dataetik(site, "check")
    assert "1 advarsel" in check.stdout and "R_LOV_ANALYSE" in check.stdout and "2030-08-02" in check.stdout
    assert check.returncode == 0, check.stdout


@pytest.mark.parametrize("args", [["--ja", "K_LOV_NOPE", "--begrundelse", REASONING],
                                  ["--begrundelse", "  "],
                                  ["--begrundelse", REASONING, "--site-typo"]])
def test_classify_with_bad_input_changes_nothing(tmp_path, args):
    site = law_site(tmp_path, category=None)
    before = (site / "projects/demo/index.md").read_bytes()
    run = dataetik(site, "klassificer", "projects/demo", *args)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert (site / "projects/demo/index.md").read_bytes() == before


def test_classify_a_folder_without_a_project_is_an_error_in_words(tmp_path):
    site = law_site(tmp_path)
    run = dataetik(site, "klassificer", "projects/nope")
    assert run.returncode == 2 and "Der er ingen projektside" in run.stderr and "Traceback" not in run.stderr


def test_export_gives_the_answers_in_the_declared_order(tmp_path):
    site = law_site(tmp_path)
    run = dataetik(site, "eksport", "PRJ_DEMO", "analyse", "--format", "json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["title"] == "Konsekvensanalyse" and doc["project"]["law_category"] == "højrisiko"
    assert [s["requirement"] for s in doc["sections"]] == ["R_LOV_ANALYSE", "R_LOV_KLASSE"]
    assert doc["sections"][0]["answers"] == [] and doc["sections"][1]["answers"][0]["id"] == "C_DEMO_KLASSE"
    markdown = dataetik(site, "eksport", "projects/demo", "analyse")
    assert markdown.stdout.startswith("# Konsekvensanalyse\n") and "Ikke besvaret endnu." in markdown.stdout


def test_an_export_naming_a_requirement_that_does_not_exist_is_a_finding_in_policy_toml(tmp_path, monkeypatch):
    built = build(law_site(tmp_path, extra={"law/policy.toml": ('"R_LOV_KLASSE"]', '"R_LOV_KLASSE", "R_LOV_NOPE"]')}))
    found = [f for f in findings(built, monkeypatch, "2026-11-26") if f.rule == "references_resolve"]
    assert [(f.location, f.need) for f in found] == [("law/policy.toml:28", "")]
    assert "R_LOV_NOPE" in found[0].problem


@pytest.mark.parametrize("edit, line, words", [
    (('applies_from = 2027-12-02', 'applies_from = "2. december 2027"'), 22, "skal være en dato"),
    (('levels = ["intet område", "ydelser"]', 'levels = ["intet område", "forbudt"]'), 19, "'forbudt'"),
    (('field = "law_area"', 'field = "law_category"'), 17, "law_category"),
])
def test_a_malformed_law_vocabulary_stops_the_build_with_file_and_line(tmp_path, edit, line, words):
    built = build(law_site(tmp_path, extra={"law/policy.toml": edit}))
    assert built.returncode != 0 and "Traceback" not in built.warnings
    assert f"law/policy.toml:{line}: ERROR:" in built.warnings and words in built.warnings


def test_a_trait_a_question_can_set_is_no_when_that_question_is_never_asked():
    """A system that is not an AI system is never asked whether it is a chatbot: the trait is
    still written (no), since every project must carry it."""
    from dataetik.vocabulary import Classification, Trait, Vocabulary

    vocab = Vocabulary(yes="ja", no="nej", traits=(Trait("chatbot", "law_chat", "Chatbot", "?"),),
                       classifications=(Classification("kategori", "law_category", "Kategori", ("ude", "inde"), "law"),))
    gate = classify.Question("K_A", "AI?", "?", "", "", "inde", "", (), (), ())
    chat = classify.Question("K_C", "Chat?", "?", "", "", "", "", ("chatbot",), ("K_A",), ())
    assert classify.propose(vocab, "law", [gate, chat], [(gate, False)]).fields == {"law_chat": "nej", "law_category": "ude"}
    assert classify.propose(vocab, "law", [gate, chat], [(gate, True), (chat, True)]).fields == {
        "law_chat": "ja", "law_category": "inde"}


@pytest.mark.parametrize("effective, reported", [("", True), (":effective_from: 2025-05-01\n", False)])
def test_an_assessment_after_the_start_is_late_only_for_a_requirement_in_force_at_the_start(tmp_path, monkeypatch,
                                                                                            effective, reported):
    """The demo started 2025-03-01 and classified itself 2025-06-01: too late, unless the law's
    requirement only took effect after the start (2025-05-01)."""
    built = build(law_site(tmp_path, extra={
        "law/index.md": (":checks: klassificeret\n", f":checks: klassificeret\n{effective}"),
        "projects/demo/index.md": (":addresses: R_LOV_KLASSE\n:date: 2025-02-01", ":addresses: R_LOV_KLASSE\n:date: 2025-06-01")}))
    late = [f for f in findings(built, monkeypatch, "2026-11-26") if f.rule == "dates"]
    assert [f.need for f in late] == (["C_DEMO_KLASSE"] if reported else [])
