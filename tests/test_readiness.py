"""Ready for go-live: `dataetik check` tells a planned project what changing its status will
demand, failing nothing; the summary's figures are explained, and the check count is stable.

Driven end to end through the CLI on tests/sites/tiny with a bias requirement and a bias test
whose groups are too small to decide (each group's interval reaches below the four-fifths limit).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sitebuild import BIAS_REQUIREMENT, DEMO_BIASTEST, REPO, copy_site

from dataetik.findings import Finding
from dataetik.readiness import Readiness
from dataetik.report import Result, text

TODAY = "2026-11-26"
PAGE = "projects/demo/index.md"
# 30 of 40 women and 34 of 40 men selected: a ratio of 0,88, but with 40 in each group the
# interval reaches below 0,8 – neither bias nor no bias can be shown.
UNDECIDED_COUNTS = "attribute,group,actual,predicted,count\n" + "".join(
    f"køn,{group},,{predicted},{count}\n"
    for group, selected in (("kvinde", 30), ("mand", 34)) for predicted, count in ((1, selected), (0, 40 - selected)))
# 410 of 500 in every group: no bias.
CLEAR_COUNTS = "attribute,group,actual,predicted,count\n" + "".join(
    f"køn,{group},,{predicted},{count}\n" for group in ("kvinde", "mand") for predicted, count in ((1, 410), (0, 90)))
# Planned, to start next year, approved only by a manager where the risk profile 'høj' demands 'direktørkreds'.
PLANNED = (":status: igangværende\n:start_date: 2025-03-01", ":status: planlagt\n:start_date: 2027-03-01")
MANAGER = (":decision_level: direktørkreds", ":decision_level: leder")
REVIEW = """
:::{consideration} Gennemgang af bias-testen
:id: C_DEMO_BIAS
:addresses: R_SKAEVHED
:reviews: BT_DEMO
:date: 2025-02-10

Grupperne er for små til at afgøre sagen: 30 af 40 kvinder og 34 af 40 mænd får hurtigere svar. Vi har læst
sagerne igennem og fundet, at forskellen skyldes, hvilke henvendelser der kom i januar, ikke køn. Vi tester
igen efter et halvt år med flere sager, og en medarbejder ser hvert svar igennem, indtil da.
:::
"""


def site(dest: Path, counts: str, page_edit: tuple[str, str] | None = None, extra: str = "") -> Path:
    root = copy_site("tiny", dest, {"policy/index.md": ("", BIAS_REQUIREMENT), "projects/demo/biastest.csv": ("", counts)})
    page = root / PAGE
    content = page.read_text(encoding="utf-8")
    if page_edit:
        assert page_edit[0] in content
        content = content.replace(*page_edit, 1)
    page.write_text(content + DEMO_BIASTEST + extra, encoding="utf-8")
    return root


def check(root: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"} | {
        "PYTHONPATH": str(REPO), "DATAETIK_TODAY": TODAY}
    return subprocess.run([sys.executable, "-m", "dataetik.cli", "check", "--site", str(root)],
                          capture_output=True, text=True, cwd=root, env=env)


def section(out: str) -> str:
    """The readiness section: from its heading to the summary."""
    start = out.index("Før projektet kan sættes i gang\n")
    return out[start:out.index("\n\n", out.rindex("PRJ_DEMO – "))]


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> subprocess.CompletedProcess:
    root = site(tmp_path_factory.mktemp("planned") / "site", UNDECIDED_COUNTS)
    page = root / PAGE
    content = page.read_text(encoding="utf-8")
    page.write_text(content.replace(*PLANNED).replace(*MANAGER), encoding="utf-8")
    return check(root)


def test_a_planned_project_hears_what_its_start_will_demand_and_passes(planned):
    assert planned.returncode == 0, planned.stdout + planned.stderr
    part = section(planned.stdout)
    assert "Det kræves, når status ændres til 'igangværende' – ud over fejlene ovenfor. Det fejler intet nu." in part
    # Judged on the day it is to start, not today.
    assert "PRJ_DEMO – skal i gang 2027-03-01; kontrolleret, som om det var i brug fra den dag" in part
    assert ("  Overvejelser og godkendelse skal være dateret før 2027-03-01; fra den dag kan status være "
            "'igangværende'.") in part
    # The level its risk profile demands, and that the manager's approval is not enough.
    assert ("Projektet har status 'igangværende' og risikoprofil 'høj', så det kræver en godkendelse (godkendt/"
            "betinget) på mindst niveauet 'direktørkreds', men AP_DEMO er 'godkendt' på niveauet 'leder'.") in part
    # The undecided verdict will need a manual review, pointing at the test.
    assert "R_SKAEVHED: Bias-testen er ikke afgjort for køn:" in part
    assert ":addresses: R_SKAEVHED' og ':reviews: BT_DEMO'" in part
    # Each said once, with where to edit.
    assert part.count("Bias-testen er ikke afgjort") == 1 and f"  {PAGE}:" in part


def test_the_section_comes_after_the_errors_and_is_counted_in_the_summary(planned):
    out = planned.stdout
    assert out.index("Før projektet kan sættes i gang") > out.index("Kører ")
    summary = out[out.rindex("\n\n") + 2:]
    assert summary.startswith("Alle "), summary
    assert "1 planlagt projekt." in summary.splitlines()[0]
    assert ("  – planlagte projekter: det, deres start vil kræve, står under 'Før projektet kan sættes i gang'; det "
            "fejler intet nu.") in summary
    # Nothing of it fails, and nothing of it is said in CI's annotations or JUnit.
    assert "Bias-testen er ikke afgjort" not in out[:out.index("Før projektet kan sættes i gang")]


def test_a_planned_project_with_its_review_and_approval_is_ready(tmp_path):
    root = site(tmp_path / "site", UNDECIDED_COUNTS, PLANNED, REVIEW)
    out = check(root)
    assert out.returncode == 0, out.stdout
    part = section(out.stdout)
    assert "Godkendt på det niveau, risikoprofilen 'høj' kræver ('direktørkreds' eller højere), af AP_DEMO." in part
    assert "Intet mangler: status kan ændres til 'igangværende' den 2027-03-01." in part
    assert "Bias-testen" not in part


def test_a_project_in_use_gets_no_section(tmp_path):
    out = check(site(tmp_path / "site", CLEAR_COUNTS))
    assert out.returncode == 0, out.stdout
    assert "Før projektet kan sættes i gang" not in out.stdout and "planlagt projekt" not in out.stdout


def _figures(out: str) -> tuple[int, int, int]:
    """(checks announced, build messages announced, checks in the summary)."""
    announced = int(re.search(r"^Kører (\d+) kontroller", out, re.M).group(1))
    messages = int(re.search(r"bygget på \d+ s, (\d+) melding(?:er)? fra bygget", out).group(1))
    counted = re.search(r"(\d+) kontroller? bestået|af (\d+) kontroller", out[out.rindex("\n\n"):])
    return announced, messages, int(counted.group(1) or counted.group(2))


def test_the_same_site_gives_the_same_check_count_every_time(tmp_path):
    # A field the policy does not know is a message from the build: it used to be counted as a check
    # in the summary but not in 'Kører N kontroller', so the count changed with every fix.
    root = site(tmp_path / "site", CLEAR_COUNTS, (":personal_data:", ":staus: planlagt\n:personal_data:"))
    first, second = check(root), check(root)
    assert first.returncode == second.returncode == 1
    announced, messages, summary = _figures(first.stdout)
    assert messages >= 1 and announced == summary
    assert _figures(second.stdout) == (announced, messages, summary)
    last = first.stdout[first.stdout.rindex("\n\n") + 2:]
    assert last.startswith(f"{messages} melding"), last
    assert "  – meldinger fra bygget: det, Sphinx sagde, mens sitet blev bygget" in last
    assert "  – kontroller: hver regel køres én gang for hver ting, den gælder" in last


def test_every_figure_in_the_summary_is_explained():
    build = Finding("build", PAGE, 3, "Feltet ':staus:' findes ikke.", "Mente du ':status:'?", project="PRJ_X")
    missing = Finding("consideration", PAGE, 5, "Der mangler en overvejelse.", "Tilføj en.", project="PRJ_X",
                      requirement="R_Y")
    later = Finding("evidence", PAGE, 5, "Der mangler dokumentation.", "Tilføj den.", project="PRJ_X",
                    requirement="R_Z", severity="warning")
    results = [Result("build", build.location, "PRJ_X", (build,)), Result("consideration", "PRJ_X-R_Y", "PRJ_X", (missing,)),
               Result("evidence", "PRJ_X-R_Z", "PRJ_X", (later,)), Result("dates", "PRJ_X", "PRJ_X", ())]
    start = dt.date(2027, 1, 4)
    ready = Readiness({"id": "PRJ_X", "risk": "lav"}, "igangværende", start, start, "leder", (), (), 2)
    summary = text.render(results, readiness=[ready]).split("\n\n")[-1].splitlines()
    assert summary[0] == "1 melding fra bygget, 1 fejl i 1 af 3 kontroller, 1 advarsel, 1 planlagt projekt."
    # One line for each kind of figure, in the order the figures come.
    assert [line.split(":")[0] for line in summary[1:]] == [
        "  – meldinger fra bygget", "  – kontroller", "  – advarsler", "  – planlagte projekter"]


def test_without_a_build_the_summary_says_the_checks_did_not_run():
    broken = Finding("build", "index.md", 1, "Sitet kunne ikke bygges.", "Ret fejlen.")
    summary = text.render([Result("build", "index.md:1", "", (broken,))], checked=False).splitlines()
    assert "1 melding fra bygget, kontrollerne er ikke kørt: bygget lavede ingen liste over elementerne." in summary
