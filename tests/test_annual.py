"""The annual report: which projects a year holds, grouped how, with what; its CSV files; its PDF.

The model is tested on needs made here (fast); one build of a fixture site tests the pages, the
CSV files and the PDF together.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from pathlib import Path

import pytest

from dataetik import annual
from dataetik.biastest.metrics import BIAS
from dataetik.needs_data import Needs
from dataetik.policy import Policy
from dataetik.vocabulary import load_site
from sitebuild import SITES, build, copy_site

VOCAB = dataclasses.replace(load_site(SITES / "tiny"), settings={"annual_report": ["R_DEBAT"]})


def _project(pid, status, start, end=None):
    return {"id": pid, "type": "project", "title": pid.title(), "status": status, "start_date": start,
            "end_date": end or "", "risk": "lav", "docname": f"projects/{pid.lower()}/index"}


def _part(nid, kind, project, date, **fields):
    return {"id": nid, "type": kind, "title": nid, "belongs_to": [project], "date": date,
            "docname": f"projects/{project.lower()}/index", **fields}


NEEDS = [
    _project("PRJ_DEC31", "igangværende", "2024-12-31"),          # started on the year's last day
    _project("PRJ_JAN1", "afsluttet", "2023-03-01", "2025-01-01"),  # ended on the year's first day
    _project("PRJ_PLANNED", "planlagt", "2025-06-01"),            # never in use
    _project("PRJ_NEVER", "stoppet", "2026-02-01", "2025-10-01"),   # stopped before its start
    _project("PRJ_STOPPED", "stoppet", "2025-02-01", "2025-05-01"),
    _part("AP_DEC31", "approval", "PRJ_DEC31", "2024-12-01", decision="godkendt", decision_level="leder"),
    _part("AP_STOPPED_OK", "approval", "PRJ_STOPPED", "2024-11-01", decision="godkendt", decision_level="leder"),
    _part("AP_STOPPED_NO", "approval", "PRJ_STOPPED", "2025-04-20", decision="afvist", decision_level="leder",
          content="Afvist, fordi testen viste skævhed."),
    _part("AP_PLANNED", "approval", "PRJ_PLANNED", "2025-09-01", decision="godkendt", decision_level="leder"),
    _part("C_DEC31_DEBAT", "consideration", "PRJ_DEC31", "2024-11-15", addresses=["R_DEBAT"],
          content="Et *dilemma* til debat.\n\nAnden del."),
    _part("C_DEC31_OTHER", "consideration", "PRJ_DEC31", "2024-11-15", addresses=["R_ANDET"]),
    _part("BT_DEC31", "biastest", "PRJ_DEC31", "2025-03-01"),
    {"id": "R_DEBAT", "type": "requirement", "title": "Debat", "docname": "policy/index"},
]
POLICY = Policy.from_needs(Needs(by_id={n["id"]: n for n in NEEDS}), VOCAB)


def report(year: int) -> annual.YearReport:
    return annual.report(POLICY, year, lambda test: BIAS)


def ids(projects) -> list[str]:
    return sorted(p.id for p in projects)


def test_a_year_holds_exactly_the_projects_in_use_in_it():
    assert ids(report(2023).projects) == ["PRJ_JAN1"]
    assert ids(report(2024).projects) == ["PRJ_DEC31", "PRJ_JAN1"]  # started Dec 31
    assert ids(report(2025).projects) == ["PRJ_DEC31", "PRJ_JAN1", "PRJ_STOPPED"]  # ended Jan 1
    assert ids(report(2026).projects) == ["PRJ_DEC31"]  # never: planned, stopped before its start


def test_projects_are_grouped_by_their_status_at_the_end_of_the_year():
    assert [(w, ids(ps)) for w, ps in report(2024).groups()] == [("igangværende", ["PRJ_DEC31", "PRJ_JAN1"])]
    assert [(w, ids(ps)) for w, ps in report(2025).groups()] == [
        ("igangværende", ["PRJ_DEC31"]), ("afsluttet", ["PRJ_JAN1"]), ("stoppet", ["PRJ_STOPPED"])]


def test_the_approvals_are_those_of_the_year():
    assert [a["id"] for a in report(2024).approvals] == ["AP_STOPPED_OK", "AP_DEC31"]
    assert [a["id"] for a in report(2025).approvals] == ["AP_STOPPED_NO", "AP_PLANNED"]  # any project's
    by_id = {p.id: p for p in report(2025).projects}
    assert [a["id"] for a in by_id["PRJ_STOPPED"].approvals] == ["AP_STOPPED_NO"]
    assert by_id["PRJ_DEC31"].approvals == ()


def test_stopped_projects_say_why_and_a_project_stopped_before_use_is_named():
    rep = report(2025)
    assert [(p.id, p.stop_reason["id"]) for p in rep.stopped] == [("PRJ_STOPPED", "AP_STOPPED_NO")]
    assert [p["id"] for p in rep.stopped_unused] == ["PRJ_NEVER"]


def test_totals_count_this_year_and_the_year_before():
    totals = report(2025).totals()
    assert totals["status"] == [("igangværende", 1, 2), ("afsluttet", 1, 0), ("stoppet", 1, 0)]
    assert totals["risk"] == [("lav", 3, 2), ("middel", 0, 0), ("høj", 0, 0)]
    verdicts = dict((v, n) for v, n, _before in totals["verdict"])
    assert verdicts[BIAS] == 1 and verdicts[annual.VERDICT_MISSING] == 2  # the test is dated 2025


def test_changes_since_the_year_before():
    rep = report(2025)
    assert ids(rep.new) == ["PRJ_STOPPED"]
    assert ids(rep.finished) == ["PRJ_JAN1", "PRJ_STOPPED"]
    assert ids(report(2024).new) == ["PRJ_DEC31"]


def test_dilemmas_answer_the_requirements_the_policy_lays_open():
    assert [c["id"] for _p, c in report(2024).dilemmas] == ["C_DEC31_DEBAT"]
    assert annual.paragraphs(POLICY.needs.get("C_DEC31_DEBAT")["content"]) == ["Et dilemma til debat.", "Anden del."]


def test_the_years_run_from_the_earliest_start_to_now():
    assert annual.years(POLICY, dt.date(2026, 11, 26)) == [2023, 2024, 2025, 2026]
    assert annual.years(Policy.from_needs(Needs(by_id={}), VOCAB), dt.date(2026, 1, 1)) == []


# --- one build: the pages, the CSV files and the PDF ------------------------------------------------

PAGE = """# {title}

:::{{project}} {title}
:id: {pid}
:department: Borgerservice
:risk: lav
:status: {status}
:start_date: {start}
{end}:personal_data: navn
:legal_basis: GDPR art. 6, stk. 1, litra e
:new_technology: nej
:new_combination: nej
:procured: nej
:external_partners: nej

Et projekt.
:::
{extra}"""

SITE_PROJECTS = {
    "dec31": ("Starter nytårsaften", "PRJ_DEC31", "igangværende", "2024-12-31", "", ""),
    "jan1": ("Slutter nytårsdag", "PRJ_JAN1", "afsluttet", "2023-03-01", "2025-01-01", ""),
    "planned": ("Planlagt", "PRJ_PLANNED", "planlagt", "2027-06-01", "", ""),
    "stopped": ("Stoppet", "PRJ_STOPPED", "stoppet", "2025-02-01", "2025-05-01",
                "\n:::{approval} Afvist\n:id: AP_STOPPED\n:addresses: R_GODKENDT\n:role: Direktør\n"
                ":decision_level: direktørkreds\n:decision: afvist\n:date: 2025-04-20\n\nTesten viste skævhed.\n:::\n"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("annual") / "site"
    edits = {"conf.py": ("", '\ndataetik_annual_reports = "aar"\nhtml_baseurl = "https://example.org/"\n'),
             "index.md": ("projects/demo/index\n", "projects/demo/index\naarsrapporter\n" +
                          "".join(f"projects/{slug}/index\n" for slug in SITE_PROJECTS)),
             "aarsrapporter.md": ("", "# Redegørelser\n\n```{annualreports}\n```\n\n```{toctree}\n:glob:\n:reversed:\n\n"
                                      "aar/*\n```\n"),
             "aar/1999.md": ("", "% generated by dataetik.annual_pages: a stale year\n# 1999\n")}
    for slug, (title, pid, status, start, end, extra) in SITE_PROJECTS.items():
        edits[f"projects/{slug}/index.md"] = ("", PAGE.format(title=title, pid=pid, status=status, start=start,
                                                              end=f":end_date: {end}\n" if end else "", extra=extra))
    copy_site("tiny", root, edits)
    mp = pytest.MonkeyPatch()
    mp.setenv("DATAETIK_TODAY", "2026-11-26")
    built = build(root, "html", strict=True)
    mp.undo()
    assert built.returncode == 0, built.warnings
    return root


def _project_links(html: str) -> set[str]:
    """The projects the page's tables of projects link to (the section 'projects')."""
    section = html.split('class="dataetik-annual-projects', 1)[1].split("<section", 1)[0]
    return set(re.findall(r'href="[^"]*#(PRJ_\w+)"', section))


def test_a_page_per_year_and_stale_years_removed(site):
    assert sorted(p.name for p in (site / "aar").glob("*.md")) == ["2023.md", "2024.md", "2025.md", "2026.md"]
    assert "do not edit" in (site / "aar" / "2025.md").read_text(encoding="utf-8")
    out = site / "_build" / "html"
    html = (out / "aar" / "2025.html").read_text(encoding="utf-8")
    assert _project_links(html) == {"PRJ_DEC31", "PRJ_JAN1", "PRJ_STOPPED", "PRJ_DEMO"}
    assert _project_links((out / "aar" / "2023.html").read_text(encoding="utf-8")) == {"PRJ_JAN1"}
    assert 'tabindex="0"' in html and "<th" in html
    index = (out / "aarsrapporter.html").read_text(encoding="utf-8")
    assert index.index("aar/2026.html") < index.index("aar/2023.html")  # newest first


def _csv_names(year: int) -> dict[str, str]:
    """The file names in the fixture site's language (Danish)."""
    from dataetik import annual_pages, i18n

    before = i18n.language()
    i18n.use("da")
    try:
        return annual_pages.csv_names(year)
    finally:
        i18n.use(before)


def _rows(path: Path) -> list[list[str]]:
    """As a Danish spreadsheet reads it: a BOM, ';' between fields."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_the_csv_files_hold_the_projects_and_the_figures(site):
    folder = site / "_build" / "html" / "aar"
    names = _csv_names(2025)
    projects = _rows(folder / names["projects"])
    assert sorted(row[0] for row in projects[1:]) == ["PRJ_DEC31", "PRJ_DEMO", "PRJ_JAN1", "PRJ_STOPPED"]
    html = (folder / "2025.html").read_text(encoding="utf-8")
    assert f'href="{names["projects"]}"' in html and f'href="{names["totals"]}"' in html
    figures = _rows(folder / names["totals"])
    assert figures[0][2:] == ["2024", "2025"]  # as the page shows them: the year before first
    status = {row[1]: (int(row[3]), int(row[2])) for row in figures[1:] if row[1] in ("igangværende", "afsluttet",
                                                                                       "stoppet")}
    assert status == {"igangværende": (2, 2), "afsluttet": (1, 0), "stoppet": (1, 0)}


def test_the_pdf_has_as_many_projects_as_the_page(site):
    from pypdf import PdfReader

    from dataetik import pdf

    out = site / "_build" / "html"
    written = pdf.write_pdfs(out)
    assert len(written) == 4
    target = next(p for p in written if "2025" in p.name)
    reader = PdfReader(str(target))
    text = "\n".join(page.extract_text() for page in reader.pages)
    page_projects = _project_links((out / "aar" / "2025.html").read_text(encoding="utf-8"))
    assert set(re.findall(r"PRJ_\w+", text)) == page_projects
    assert "nytårsaften" in text and "https://example.org/aar/2025.html" in text
    assert len(reader.pages) >= 2 and reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)
