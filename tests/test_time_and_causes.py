"""Dates judged against today, root causes before what they cause (issue 12).

Each mistake a hurried author makes must be caught, pointing at the line to correct, and each
has a control that must pass. The day the checks judge by is an input (DATAETIK_TODAY, --dato),
so the same fixture is judged on several days. The fixture is tests/sites/tiny: its demo project
is 'igangværende' from 2025-03-01, its considerations, evidence and approval are dated before.
Assertions name lines, IDs, dates and severities, not the wording (that is the catalogue's).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sitebuild import REPO, build, copy_site

from dataetik.policy import Policy
from dataetik.rules import all_cases

DEMO = "projects/demo/index.md"
TODAY = "2026-11-26"
# Lines in the fixture's demo page.
START_LINE, END_LINE = 8, 9  # ':start_date:', and ':end_date:' where an edit adds it below
FORMAAL_DATE, SIKKERHED_DATE, EVIDENCE_DATE, APPROVAL_DATE = 23, 31, 40, 52


def built(tmp_path, *edits: tuple[str, str]):
    site = copy_site("tiny", tmp_path / "site")
    page = site / DEMO
    text = page.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    page.write_text(text, encoding="utf-8")
    return build(site)


def dates(site, today: str, monkeypatch) -> list:
    """The dates rule's findings as judged on `today`."""
    monkeypatch.setenv("DATAETIK_TODAY", today)
    policy = Policy.from_needs(site.policy.needs, site.policy.vocabulary)
    return [f for c in all_cases(policy) if c.rule == "dates" for f in c.run()]


def where(findings) -> list[tuple[int, str, str]]:
    return sorted((f.line, f.need, f.severity) for f in findings)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    return build(copy_site("tiny", tmp_path_factory.mktemp("clean") / "site"))


def test_control_past_dated_parts_and_a_started_project_pass(clean, monkeypatch):
    for today in ("2025-03-01", TODAY, "2040-01-01"):
        assert dates(clean, today, monkeypatch) == [], today


def test_parts_dated_after_today_are_findings_at_their_date_line(tmp_path, monkeypatch):
    site = built(tmp_path, (":decision: godkendt\n:date: 2025-02-15", ":decision: godkendt\n:date: 2026-12-10"),
                 (":kind: sikkerhedsvurdering\n:date: 2025-02-01", ":kind: sikkerhedsvurdering\n:date: 2026-12-01"))
    found = dates(site, TODAY, monkeypatch)
    assert where(found) == [(EVIDENCE_DATE, "EV_DEMO_SIKKERHED", "error"), (APPROVAL_DATE, "AP_DEMO", "error")]
    assert all(TODAY in f.problem for f in found)
    assert "2026-12-10" in next(f for f in found if f.need == "AP_DEMO").problem
    # Once the day has come, the approval is no longer in the future, only late for a project
    # already in use: one finding, and no more about the evidence, which only documents.
    assert where(dates(site, "2026-12-10", monkeypatch)) == [(APPROVAL_DATE, "AP_DEMO", "error")]


def test_in_use_before_its_start_date_is_a_finding_and_planned_is_the_control(tmp_path, monkeypatch):
    site = built(tmp_path, (":start_date: 2025-03-01", ":start_date: 2027-03-01"))
    found = dates(site, TODAY, monkeypatch)
    assert where(found) == [(START_LINE, "PRJ_DEMO", "error")]
    assert "2027-03-01" in found[0].problem and TODAY in found[0].problem
    assert "planlagt" in found[0].fix  # the status word the policy declares for 'planned'
    planned = built(tmp_path / "planned", (":status: igangværende", ":status: planlagt"),
                    (":start_date: 2025-03-01", ":start_date: 2027-03-01"))
    assert dates(planned, TODAY, monkeypatch) == []


def test_planned_after_its_start_date_is_a_warning_that_fails_nothing(tmp_path, monkeypatch):
    site = built(tmp_path, (":status: igangværende", ":status: planlagt"))
    found = dates(site, TODAY, monkeypatch)
    assert where(found) == [(START_LINE, "PRJ_DEMO", "warning")]
    assert "igangværende" in found[0].fix  # the word for 'in use'
    assert dates(site, "2025-02-20", monkeypatch) == []  # control: judged before the start
    # Nothing is in use yet, so an assessment written after the planned start is not "too late":
    # the start date that has passed is the one thing to correct.
    later = built(tmp_path / "later", (":status: igangværende", ":status: planlagt"),
                  (":decision: godkendt\n:date: 2025-02-15", ":decision: godkendt\n:date: 2025-04-15"))
    assert where(dates(later, TODAY, monkeypatch)) == [(START_LINE, "PRJ_DEMO", "warning")]


def test_an_ended_project_with_an_end_date_in_the_future_is_a_finding(tmp_path, monkeypatch):
    site = built(tmp_path, (":status: igangværende", ":status: afsluttet"),
                 (":start_date: 2025-03-01", ":start_date: 2025-03-01\n:end_date: 2027-06-30"))
    found = dates(site, TODAY, monkeypatch)
    assert where(found) == [(END_LINE, "PRJ_DEMO", "error")]
    assert "2027-06-30" in found[0].problem
    assert dates(site, "2027-06-30", monkeypatch) == []  # control: on the day it ends


def test_a_start_date_before_every_assessment_is_one_finding_at_the_start_date(tmp_path, monkeypatch):
    site = built(tmp_path, (":start_date: 2025-03-01", ":start_date: 2025-01-01"))
    found = dates(site, TODAY, monkeypatch)
    assert where(found) == [(START_LINE, "PRJ_DEMO", "error")]
    for caused in ("C_DEMO_FORMAAL", "C_DEMO_SIKKERHED", "AP_DEMO"):
        assert caused in found[0].problem
    assert "':start_date:'" in found[0].fix


def test_a_single_late_consideration_is_its_own_finding(tmp_path, monkeypatch):
    site = built(tmp_path, (":id: C_DEMO_FORMAAL\n:addresses: R_FORMAAL\n:date: 2025-02-01",
                            ":id: C_DEMO_FORMAAL\n:addresses: R_FORMAAL\n:date: 2025-03-02"))
    found = dates(site, TODAY, monkeypatch)
    assert where(found) == [(FORMAAL_DATE, "C_DEMO_FORMAAL", "error")]
    assert "2025-03-02" in found[0].fix  # says what the date is, and that it stays


# -- end to end, through the CLI ---------------------------------------------------------------

def dataetik(site, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "DATAETIK_TODAY")} | {
        "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "dataetik.cli", *args, "--site", str(site)],
                          capture_output=True, text=True, cwd=site, env=env)


def test_check_with_dato_catches_an_approval_that_has_not_happened(tmp_path):
    site = copy_site("tiny", tmp_path / "site", {DEMO: (":decision: godkendt\n:date: 2025-02-15",
                                                        ":decision: godkendt\n:date: 2027-01-10")})
    check = dataetik(site, "check", "--dato", TODAY)
    assert check.returncode == 1, check.stdout
    assert f"{DEMO}:{APPROVAL_DATE}" in check.stdout and "2027-01-10" in check.stdout
    control = dataetik(copy_site("tiny", tmp_path / "control"), "check", "--dato", TODAY)
    assert control.returncode == 0, control.stdout


def test_check_shows_a_planned_project_past_its_start_as_a_warning_and_passes(tmp_path):
    site = copy_site("tiny", tmp_path / "site", {DEMO: (":status: igangværende", ":status: planlagt")})
    check = dataetik(site, "check", "--dato", TODAY)
    assert check.returncode == 0, check.stdout
    assert f"{DEMO}:{START_LINE}" in check.stdout and "2025-03-01" in check.stdout


def test_check_names_the_start_date_once_instead_of_every_consideration(tmp_path):
    site = copy_site("tiny", tmp_path / "site", {DEMO: (":start_date: 2025-03-01", ":start_date: 2025-01-01")})
    check = dataetik(site, "check", "--dato", TODAY)
    assert check.returncode == 1
    assert f"{DEMO}:{START_LINE}" in check.stdout
    for line in (FORMAAL_DATE, SIKKERHED_DATE, APPROVAL_DATE):
        assert f"{DEMO}:{line}\n" not in check.stdout


COPIED_ID = (":id: C_DEMO_SIKKERHED", ":id: C_DEMO_FORMAAL")
DUPLICATE_LINE = 28  # the second consideration, whose ID was copied from the first


def test_a_copied_id_says_that_other_messages_may_follow_from_it(tmp_path):
    check = dataetik(copy_site("tiny", tmp_path / "site", {DEMO: COPIED_ID}), "check", "--dato", TODAY)
    assert check.returncode == 1
    after = check.stdout.split(f"{DEMO}:{DUPLICATE_LINE}\n", 1)[1]
    assert "C_DEMO_FORMAAL" in after.splitlines()[0]
    assert "overvejelse" in after.splitlines()[0]  # "other messages (e.g. that a consideration is missing) ..."


def test_a_copied_id_is_reported_before_the_missing_consideration_it_causes(tmp_path):
    check = dataetik(copy_site("tiny", tmp_path / "site", {DEMO: COPIED_ID}), "check", "--dato", TODAY)
    # Root causes first (Finding.order), though its line comes after the project's.
    assert check.stdout.index(f"{DEMO}:{DUPLICATE_LINE}\n") < check.stdout.index(f"{DEMO}:3\n")
