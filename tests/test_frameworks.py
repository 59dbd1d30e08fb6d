"""Policies nobody here wrote, checked by the same code.

tests/sites/framework is modelled on Canada's Directive on Automated Decision-Making and its
Algorithmic Impact Assessment, in English: four impact levels, approvers of its own, evidence
kinds, statuses, decisions, traits and check words of its own. One project complies; the other
has exactly four deliberate gaps (one peer review where two are demanded, a monitoring report
older than twelve months, an approval one level too low, and no GBA Plus, a requirement that only
takes effect on 2027-06-01).

tests/sites/principles is a framework of principles and actions with no risk levels, no
approvers, no decisions and no traits: requirements are answered by reasoning and records only.

Findings are compared whole. The day the checks judge by is pinned with DATAETIK_TODAY.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sitebuild import REPO, build, copy_site

from dataetik.findings import render_all
from dataetik.policy import Policy
from dataetik.rules import all_cases

TODAY = "2026-11-26"
TRIAGE = "projects/benefit-triage/index.md"
PERMIT = "projects/permit-screening/index.md"
POLICY_TOML = "policy/policy.toml"

# The four gaps of PRJ_PERMIT_SCREENING, as the checks report them on TODAY.
PEER_REVIEW_GAP = (
    "projects/permit-screening/index.md:3: PRJ_PERMIT_SCREENING / R_PEER_REVIEW: Kravet 'Qualified experts review "
    "the system' kræver mindst 2 dokumenter af typen 'peer review', men projektet har 1.\n"
    "    Sådan retter du det: Tilføj et 'evidence'-element med ':addresses: R_PEER_REVIEW', ':kind: peer review', "
    "':date:' og ':reference:' (hvor dokumentet findes, fx journalnummer). Hvert dokument er sit eget element med "
    "sit eget ID (fx to uafhængige gennemgange)."
)
REVIEW_GAP = (
    "projects/permit-screening/index.md:36: PRJ_PERMIT_SCREENING / R_MONITORING: Kravet skal vurderes igen mindst "
    "hver 12. måned. Den nyeste vurdering, EV_PERMIT_MONITORING, er fra 2025-09-01, så en ny var påkrævet senest "
    "2026-09-01.\n"
    "    Sådan retter du det: Vurdér kravet igen, og skriv det som et nyt element med ':addresses: R_MONITORING' og "
    "datoen for den nye vurdering. Ret ikke datoen på det gamle: det dokumenterer den vurdering, der blev gjort dengang."
)
GBA_PLUS_GAP = (
    "projects/permit-screening/index.md:3: PRJ_PERMIT_SCREENING / R_GBA_PLUS: Der mangler dokumentation af typen "
    "'gba plus' for kravet 'Gender-based analysis plus'.{until}\n"
    "    Sådan retter du det: Tilføj et 'evidence'-element med ':addresses: R_GBA_PLUS', ':kind: gba plus', ':date:' "
    "og ':reference:' (hvor dokumentet findes, fx journalnummer)."
)
NOT_YET = " (Kravet gælder fra 2027-06-01; indtil da er det en advarsel, derefter en fejl.)"
APPROVAL_GAP = (
    "projects/permit-screening/index.md:46: PRJ_PERMIT_SCREENING / R_APPROVAL: Projektet har status 'in production' "
    "og risikoprofil 'level III', så det kræver en godkendelse (approved/approved with conditions) på mindst niveauet "
    "'deputy head', men AP_PERMIT er 'approved' på niveauet 'assistant deputy minister'.\n"
    "    Sådan retter du det: Forelæg projektet for deputy head, og skriv afgørelsen i et nyt 'approval'-element med "
    "':addresses: R_APPROVAL' og ':decision_level: deputy head' – eller ret ':decision_level:' her, hvis det "
    "faktisk var deputy head, der godkendte."
)


def findings_on(built, day: str, monkeypatch) -> list:
    """Every finding of every case, judged on `day` (a Policy reads today once, so a fresh one)."""
    monkeypatch.setenv("DATAETIK_TODAY", day)
    policy = Policy.from_needs(built.policy.needs, built.policy.vocabulary)
    return [f for c in all_cases(policy) for f in c.run()]


@pytest.fixture(scope="module")
def framework(tmp_path_factory):
    built = build(copy_site("framework", tmp_path_factory.mktemp("framework") / "site"), strict=True)
    assert built.returncode == 0, built.warnings
    assert built.warnings == ""
    return built


@pytest.fixture(scope="module")
def principles(tmp_path_factory):
    built = build(copy_site("principles", tmp_path_factory.mktemp("principles") / "site"), strict=True)
    assert built.returncode == 0, built.warnings
    assert built.warnings == ""
    return built


# --- the framework fixture ---------------------------------------------------------------

def test_framework_vocabulary_is_its_own(framework):
    vocab = framework.policy.vocabulary
    assert vocab.risk_levels == ("level I", "level II", "level III", "level IV")
    assert vocab.decision_levels == ("manager", "assistant deputy minister", "deputy head", "treasury board")
    assert [p.language for p in vocab.policies] == ["en"]
    assert {t.word: t.field for t in vocab.traits} == {"automated decision": "automated_decision",
                                                       "personal information": "personal_information"}


def test_compliant_project_passes_and_each_gap_gives_exactly_its_finding(framework, monkeypatch):
    found = findings_on(framework, TODAY, monkeypatch)
    assert render_all(found) == "\n".join(
        [PEER_REVIEW_GAP, REVIEW_GAP, GBA_PLUS_GAP.format(until=NOT_YET), APPROVAL_GAP])
    assert [(f.rule, f.severity) for f in found] == [
        ("evidence", "error"), ("review", "error"), ("evidence", "warning"), ("approval", "error")]
    assert not [f for f in found if f.project == "PRJ_BENEFIT_TRIAGE"]
    assert {f.policy for f in found} == {""}  # one policy on the site: findings need not name it


def test_applicability_follows_the_framework_fields(framework):
    keys = {(c.rule, c.key) for c in all_cases(framework.policy)}
    # Peer review for level III; privacy only where personal information is used; bias tests
    # only for automated decisions (traits in the framework's own words).
    assert ("evidence", "PRJ_PERMIT_SCREENING-R_PEER_REVIEW") in keys
    assert ("evidence", "PRJ_BENEFIT_TRIAGE-R_PRIVACY") in keys
    assert ("evidence", "PRJ_PERMIT_SCREENING-R_PRIVACY") not in keys
    assert ("biastest", "PRJ_BENEFIT_TRIAGE-R_BIAS") in keys and ("bias_result", "BT_TRIAGE") in keys
    assert ("biastest", "PRJ_PERMIT_SCREENING-R_BIAS") not in keys
    # Each impact level is described with its approver; check words map onto rules.
    assert {key for rule, key in keys if rule == "risk_level_is_defined"} == set(framework.policy.vocabulary.risk_levels)
    assert {rule for rule, key in keys if key == "PRJ_PERMIT_SCREENING-R_NOTICE"} >= {"consideration", "status", "dates",
                                                                                       "placeholders"}
    assert ("risk_profile", "PRJ_PERMIT_SCREENING-R_APPROVAL") in keys


@pytest.mark.parametrize(
    "day, severity, until",
    [("2027-05-31", "warning", NOT_YET), ("2027-06-01", "error", ""), ("2027-06-14", "error", "")],
    ids=["day-before", "on-the-day", "two-weeks-later"],
)
def test_effective_from_gap_is_a_warning_before_the_date_and_an_error_from_it(framework, monkeypatch, day, severity,
                                                                               until):
    found = findings_on(framework, day, monkeypatch)
    gba = [f for f in found if f.requirement == "R_GBA_PLUS"]
    assert [f.severity for f in gba] == [severity]
    assert render_all(gba) == GBA_PLUS_GAP.format(until=until)
    # The other gaps do not depend on the requirement's date; the compliant project stays clean
    # until its monitoring report of 2026-06-15 falls due on 2027-06-15.
    assert [(f.requirement, f.severity) for f in found if f.requirement != "R_GBA_PLUS"] == [
        ("R_PEER_REVIEW", "error"), ("R_MONITORING", "error"), ("R_APPROVAL", "error")]


@pytest.mark.parametrize("day, overdue", [("2026-09-01", False), ("2026-09-02", True)], ids=["due-day", "day-after"])
def test_review_every_counts_from_the_newest_answer_to_today(framework, monkeypatch, day, overdue):
    """EV_PERMIT_MONITORING is of 2025-09-01 and R_MONITORING says every 12 months."""
    found = [f for f in findings_on(framework, day, monkeypatch) if f.rule == "review"]
    assert render_all(found) == (REVIEW_GAP if overdue else "")


def test_field_values_come_from_the_framework_vocabulary(tmp_path):
    """Gladsaxe's words are no values here: each is a schema violation at its file:line."""
    site = copy_site("framework", tmp_path / "site")
    edits = {TRIAGE: [(":status: in production", ":status: igangværende"), (":risk: level III", ":risk: høj"),
                      (":automated_decision: yes", ":automated_decision: ja")],
             PERMIT: [(":kind: peer review", ":kind: sikkerhedsvurdering"),
                      (":decision_level: assistant deputy minister", ":decision_level: direktørkreds"),
                      (":decision: approved", ":decision: godkendt")]}
    for page, changes in edits.items():
        text = (site / page).read_text(encoding="utf-8")
        for old, new in changes:
            assert old in text
            text = text.replace(old, new, 1)
        (site / page).write_text(text, encoding="utf-8")
    built = build(site, strict=True)
    assert built.returncode != 0
    violations = re.findall(r"^(\S+:\d+): ERROR: Need '(\w+)' has schema violations:\n(?:  .*\n)*?  Field:\s+(\w+)\n"
                            r"(?:  .*\n)*?  Schema message: \"([^\"]+)\" is not one of \"([^\"]+)\"",
                            built.warnings, re.M)
    assert sorted(violations) == sorted([
        (f"{TRIAGE}:3", "PRJ_BENEFIT_TRIAGE", "status", "igangværende", "in development"),
        (f"{TRIAGE}:3", "PRJ_BENEFIT_TRIAGE", "risk", "høj", "level I"),
        (f"{TRIAGE}:3", "PRJ_BENEFIT_TRIAGE", "automated_decision", "ja", "yes"),
        (f"{PERMIT}:26", "EV_PERMIT_REVIEW", "kind", "sikkerhedsvurdering", "peer review"),
        (f"{PERMIT}:46", "AP_PERMIT", "decision_level", "direktørkreds", "manager"),
        (f"{PERMIT}:46", "AP_PERMIT", "decision", "godkendt", "approved"),
    ]), built.warnings


# --- dataetik check on a copy of the framework -----------------------------------------------

def dataetik(site: Path, *args: str) -> subprocess.CompletedProcess:
    # The day comes from --dato only; no GitHub annotations (tested on their own).
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "DATAETIK_TODAY")} | {"PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "dataetik.cli", *args, "--site", str(site)],
                          capture_output=True, text=True, cwd=site, env=env)


def junit_cases(site: Path) -> dict[str, str]:
    """test name -> 'failure', 'warning' (passed, with output) or 'passed', from _build/checks.xml."""
    suite = ET.parse(site / "_build" / "checks.xml").getroot()
    return {case.get("name"): "failure" if case.find("failure") is not None
            else "warning" if case.find("system-out") is not None else "passed"
            for case in suite.iter("testcase")}


def listed(stdout: str, location: str, requirement: str) -> int:
    """Where the report lists a finding (its location line, then the requirement); -1 if not."""
    return stdout.find(f"  {location}\n    {requirement}: ")


def test_check_fails_on_the_gaps_and_passes_when_only_the_warning_remains(tmp_path):
    site = copy_site("framework", tmp_path / "site")
    check = dataetik(site, "check", "--dato", TODAY)
    out = check.stdout + check.stderr
    assert check.returncode == 1, out
    assert "Traceback" not in out
    errors = [listed(check.stdout, f"{PERMIT}:3", "R_PEER_REVIEW"), listed(check.stdout, f"{PERMIT}:36", "R_MONITORING"),
              listed(check.stdout, f"{PERMIT}:46", "R_APPROVAL")]
    warning = listed(check.stdout, f"{PERMIT}:3", "R_GBA_PLUS")
    assert min(errors) >= 0 and warning > max(errors), check.stdout  # the warning in its own section, after the errors
    assert "PRJ_BENEFIT_TRIAGE" not in check.stdout
    cases = junit_cases(site)
    assert {name: state for name, state in cases.items() if state != "passed"} == {
        "test_evidence[PRJ_PERMIT_SCREENING-R_PEER_REVIEW]": "failure",
        "test_review[PRJ_PERMIT_SCREENING-R_MONITORING]": "failure",
        "test_approval[PRJ_PERMIT_SCREENING-R_APPROVAL]": "failure",
        "test_evidence[PRJ_PERMIT_SCREENING-R_GBA_PLUS]": "warning",
    }

    # Close the three gaps that are errors; the GBA Plus requirement is not in force yet.
    page = site / PERMIT
    text = page.read_text(encoding="utf-8").replace(":decision_level: assistant deputy minister",
                                                      ":decision_level: deputy head")
    page.write_text(text + """
:::{evidence} Second peer review
:id: EV_PERMIT_REVIEW_2
:addresses: R_PEER_REVIEW
:kind: peer review
:date: 2025-02-10
:reference: Statistics agency, memo 2025/021

No defects found.
:::

:::{evidence} Monitoring report 2026
:id: EV_PERMIT_MONITORING_2026
:addresses: R_MONITORING
:kind: monitoring report
:date: 2026-10-01
:reference: Branch file 2026-0190

Flag rates are stable.
:::
""", encoding="utf-8")
    check = dataetik(site, "check", "--dato", TODAY)
    assert check.returncode == 0, check.stdout + check.stderr
    assert listed(check.stdout, f"{PERMIT}:3", "R_GBA_PLUS") >= 0
    assert {name: state for name, state in junit_cases(site).items() if state != "passed"} == {
        "test_evidence[PRJ_PERMIT_SCREENING-R_GBA_PLUS]": "warning"}

    # From the day it takes effect, the same gap fails the check.
    check = dataetik(site, "check", "--dato", "2027-06-01")
    assert check.returncode == 1
    assert {name: state for name, state in junit_cases(site).items() if state != "passed"} == {
        "test_evidence[PRJ_PERMIT_SCREENING-R_GBA_PLUS]": "failure"}


@pytest.mark.parametrize(
    "old, new, shows",
    [
        ('yes = "yes"\n', 'yes = "yes"\nmaybe = "perhaps"\n', ["'maybe'", "risk_levels"]),
        ('withdrawn = "stopped"', 'withdrawn = "paused"', ["'paused'", "stopped", "in_use"]),
        ('refused = "rejects"', "refused = rejects", []),
    ],
    ids=["unknown-key", "unknown-meaning", "toml-syntax"],
)
def test_a_broken_policy_toml_is_named_with_its_line_and_a_fix(tmp_path, old, new, shows):
    site = copy_site("framework", tmp_path / "site", {POLICY_TOML: (old, new)})
    line = next(i for i, text in enumerate((site / POLICY_TOML).read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith(new.splitlines()[-1]))
    check = dataetik(site, "check", "--dato", TODAY)
    out = check.stdout + check.stderr
    assert check.returncode != 0 and "Traceback" not in out, out
    report = check.stdout.splitlines()
    at = report.index(f"  {POLICY_TOML}:{line}")
    problem, fix = report[at + 1], report[at + 2]
    assert problem.startswith("    ") and fix.startswith("    ") and len(fix.split()) > 4, out
    for word in shows:
        assert word in problem + fix, out
    assert not (site / "_build" / "check" / "needs.json").exists()  # nothing was built on a broken vocabulary


# --- the principles fixture: no risk levels, approvers, decisions or traits ---------------------

def test_principles_without_risk_levels_or_approvals_are_checked(principles, monkeypatch):
    vocab = principles.policy.vocabulary
    assert (vocab.risk_levels, vocab.decision_levels, vocab.decisions, vocab.traits, vocab.yes, vocab.no) == (
        (), (), {}, (), "", "")
    found = findings_on(principles, TODAY, monkeypatch)
    assert render_all(found) == (
        "projects/school-admissions/index.md:3: PRJ_SCHOOL_ADMISSIONS / R_LAW: Der mangler en overvejelse for kravet "
        "'Comply with the law'.\n"
        "    Sådan retter du det: Tilføj på projektsiden:\n"
        "    :::{consideration} <kort titel>\n    :id: C_<PROJEKT>_LAW\n    :addresses: R_LAW\n"
        "    :date: ÅÅÅÅ-MM-DD\n\n    <jeres begrundelse>\n    :::\n"
        "projects/school-admissions/index.md:3: PRJ_SCHOOL_ADMISSIONS / R_DATA_QUALITY: Der mangler dokumentation af "
        "typen 'data quality report' for kravet 'Review the quality and limitations of the data'.\n"
        "    Sådan retter du det: Tilføj et 'evidence'-element med ':addresses: R_DATA_QUALITY', ':kind: data quality "
        "report', ':date:' og ':reference:' (hvor dokumentet findes, fx journalnummer)."
    )
    rules = {c.rule for c in all_cases(principles.policy)}
    assert {"consideration", "evidence", "status", "dates", "placeholders"} <= rules
    assert not rules & {"approval", "risk_level_is_defined", "risk_profile", "biastest", "review"}
    # Every requirement applies to every project: there is no risk level or trait to select by.
    keys = {c.key for c in all_cases(principles.policy) if c.rule in ("consideration", "evidence")}
    assert keys == {f"{p}-{r}" for p in ("PRJ_LIBRARY_FOOTFALL", "PRJ_SCHOOL_ADMISSIONS")
                    for r in ("R_PUBLIC_BENEFIT", "R_LAW", "R_DATA_QUALITY")}


def test_principles_fields_come_from_their_vocabulary(tmp_path):
    built = build(copy_site("principles", tmp_path / "site",
                            {"projects/library-footfall/index.md": (":status: live", ":status: igangværende")}),
                  strict=True)
    assert built.returncode != 0
    assert "projects/library-footfall/index.md:3: ERROR: Need 'PRJ_LIBRARY_FOOTFALL' has schema violations" in built.warnings
    assert '"igangværende" is not one of "scoping", "live"' in built.warnings


# --- bugs these fixtures found in dataetik/, fixed: each test keeps its bug fixed ---

def test_a_new_consideration_answers_a_periodic_review(tmp_path, monkeypatch):
    site = copy_site("framework", tmp_path / "site", {
        "policy/index.md": (":min_words: 8\n", ":min_words: 8\n:review_every: 12\n"),
        PERMIT: ("", "\n:::{consideration} Notice to applicants, reviewed\n:id: C_PERMIT_NOTICE_2026\n"
                     ":addresses: R_NOTICE\n:date: 2026-11-01\n\n"
                     "The yearly review found the notice on the form still read by applicants; two asked about it, "
                     "so the wording stays.\n:::\n")})
    built = build(site, strict=True)
    assert built.returncode == 0, built.warnings
    found = [f for f in findings_on(built, TODAY, monkeypatch) if f.requirement == "R_NOTICE"]
    assert render_all(found) == ""


def test_a_bad_dataetik_today_is_said_without_a_traceback(tmp_path):
    site = copy_site("framework", tmp_path / "site")  # it has requirements that depend on the day
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"} | {"PYTHONPATH": str(REPO),
                                                                          "DATAETIK_TODAY": "26-11-2026"}
    check = subprocess.run([sys.executable, "-m", "dataetik.cli", "check", "--site", str(site)],
                           capture_output=True, text=True, cwd=site, env=env)
    assert check.returncode != 0
    assert "Traceback" not in check.stdout + check.stderr and "DATAETIK_TODAY" in check.stdout + check.stderr


def test_new_on_a_policy_that_cannot_approve_crashes_nothing_and_leaves_nothing(tmp_path):
    site = copy_site("framework", tmp_path / "site", {POLICY_TOML: ('approved = "approves"\n"approved with conditions" = '
                                                                    '"approves_with_conditions"\n', "")})
    for page in (TRIAGE, PERMIT):
        (site / page).write_text((site / page).read_text(encoding="utf-8").replace(":decision: approved",
                                                                                   ":decision: refused"), encoding="utf-8")
    new = dataetik(site, "new", "Test thing", "--forvaltning", "X", "--risiko", "level I", "--ikke-interaktiv")
    assert "Traceback" not in new.stdout + new.stderr
    page = site / "projects" / "test-thing" / "index.md"
    assert (new.returncode == 0 and page.stat().st_size > 0) or (new.returncode != 0 and not page.parent.exists())


def test_an_impossible_effective_from_is_named(tmp_path):
    built = build(copy_site("framework", tmp_path / "site",
                            {"policy/index.md": (":effective_from: 2027-06-01", ":effective_from: 2027-02-30")}), strict=True)
    said = [f for c in all_cases(built.policy) for f in c.run() if f.file == "policy/index.md" and "2027-02-30" in f.problem]
    assert built.returncode != 0 or said
