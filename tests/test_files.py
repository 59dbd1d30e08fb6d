"""Files and sizes an author can get wrong, and words on a policy page the policy does not know:
each a finding with file and line, never a traceback, never minutes of building. On the tiny
fixture site: a site holding every defect at once (one build), its control, a page too big to
build, and a policy page with a misspelt word in each of a requirement's fields, through
`dataetik check` and through `pytest checks`."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from sitebuild import REPO, build, copy_site

from dataetik.i18n import _
from dataetik.rules import all_cases
from dataetik.rules.files import page_too_big
from dataetik.site_files import EXCLUDE_PATTERNS
from dataetik.vocabulary import VocabularyError, load_site

DEMO = "projects/demo/index.md"
LONG = "Et langt navn " * 12  # 168 characters; the default limit is 150
EXACT = ("Sikkerhed " * 15).strip()[:150]


def found(built, rule: str) -> list[tuple[str, int | None, str, str]]:
    return [(f.file, f.line, f.project, f.problem) for c in all_cases(built.policy) if c.rule == rule for f in c.run()]


def dataetik_check(site) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"} | {"PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "dataetik.cli", "check"], capture_output=True, text=True, cwd=site,
                          env=env)


# --- a site with every defect, each in a place of its own --------------------------------------

DEFECTS = {
    "projects/tom/index.md": ("", ""),                                     # an empty project page
    "projects/blank/index.md": ("", "  \n\n\t\n"),                           # only whitespace
    "projects/kladde/index.md": ("", "---\norphan: true\n---\n\n<!-- kommer senere -->\n"),  # front matter, a comment
    "docs/tom.md": ("", "\n"),                                             # an empty guide
    "projects/kun-csv/optaelling.csv": ("", "attribute,group,actual,predicted,count\nkøn,kvinde,,1,605\n"),
    "projects/noter/index.md": ("", "# Noter\n\nTekst uden et projekt.\n"),  # a page, but no project
    "projects/demo/stor.csv": ("", "attribute,group,actual,predicted,count\n" + "køn,kvinde,,1,605\n" * 6000),
    DEMO: (":::{evidence} Sikkerhedsvurdering", f":::{{evidence}} {LONG}"),
    "docs/vejledning.md": ("", f"# Vejledning\n\n## {LONG}\n\n```python\n# {LONG}\n```\n\n## {EXACT}\n"),
    # Controls: a page of only a heading is not empty; a folder below a project is the project's.
    "projects/demo/bilag/note.md": ("", "# Bilag\n"),
    "projects/demo/bilag/tal.csv": ("", "attribute,group,actual,predicted,count\nkøn,kvinde,,1,605\n"),
}


@pytest.fixture(scope="module")
def defects(tmp_path_factory):
    return build(copy_site("tiny", tmp_path_factory.mktemp("files") / "site", DEFECTS))


def test_an_empty_page_is_a_finding(defects):
    project = _("The project's page is empty, so the site shows no assessment for the folder.")
    assert found(defects, "empty_pages") == [
        ("docs/tom.md", 1, "", _("The page is empty.")),
        ("projects/blank/index.md", 1, "", project),
        ("projects/kladde/index.md", 1, "", project),
        ("projects/tom/index.md", 1, "", project),
    ]


def test_a_project_folder_without_a_project_page_is_a_finding(defects):
    assert found(defects, "project_folders") == [
        ("projects/kun-csv/", None, "", _("The folder {folder}/ holds no page, so it is not a project and what it "
                                          "holds is not published with one.").format(folder="projects/kun-csv")),
        ("projects/noter/", None, "", _("The folder {folder}/ has pages, but none of them holds a project "
                                        "element.").format(folder="projects/noter")),
    ]


def test_a_counts_file_above_the_limit_is_a_finding(defects):
    size = (defects.root / "projects/demo/stor.csv").stat().st_size
    assert found(defects, "file_sizes") == [
        ("projects/demo/stor.csv", 1, "PRJ_DEMO", _("The file is {size} KB; the policy allows at most {limit} KB for "
                                                    "a CSV file.").format(size=round(size / 1000), limit=100)),
    ]


def test_a_title_above_the_limit_is_a_finding_and_one_at_the_limit_is_not(defects):
    lines = (defects.root / DEMO).read_text(encoding="utf-8").splitlines()
    evidence = next(n for n, line in enumerate(lines, 1) if LONG in line)
    assert found(defects, "title_lengths") == [
        ("docs/vejledning.md", 3, "", _("The heading is {length} characters long; the policy allows at most "
                                        "{limit}.").format(length=len(LONG.strip()), limit=150)),
        (DEMO, evidence, "PRJ_DEMO", _("The title of {need} is {length} characters long; the policy allows at most "
                                       "{limit}.").format(need="EV_DEMO_SIKKERHED", length=len(LONG.strip()),
                                                          limit=150)),
    ]


def test_the_clean_site_has_no_such_finding(tmp_path):
    built = build(copy_site("tiny", tmp_path / "site"))
    assert [f for rule in ("empty_pages", "project_folders", "file_sizes", "title_lengths") for f in found(built, rule)] == []


# --- the policy's limits --------------------------------------------------------------------------

def test_the_policy_sets_the_limits(tmp_path):
    site = copy_site("tiny", tmp_path / "site", {"policy/policy.toml": (
        "", "\n[settings]\nmax_page_kb = 2000\nmax_counts_kb = 5\nmax_title_length = 80\n")})
    settings = load_site(site, EXCLUDE_PATTERNS).settings
    assert (settings["max_page_kb"], settings["max_counts_kb"], settings["max_title_length"]) == (2000, 5, 80)


@pytest.mark.parametrize("value", ['"stor"', "0", "-1", "true", "1.5"])
def test_a_limit_that_is_not_a_whole_number_above_0_is_refused_with_its_line(tmp_path, value):
    site = copy_site("tiny", tmp_path / "site", {"policy/policy.toml": ("", f"\n[settings]\nmax_page_kb = {value}\n")})
    with pytest.raises(VocabularyError) as err:
        load_site(site, EXCLUDE_PATTERNS)
    assert err.value.problem == _("'{key}' must be a whole number above 0, e.g. 500.").format(key="settings.max_page_kb")
    lines = (site / "policy/policy.toml").read_text(encoding="utf-8").splitlines()
    assert lines[err.value.line - 1].startswith("max_page_kb")


# --- a page too big to build ------------------------------------------------------------------------

BIG_NEED = ":::{consideration} Gemt i en kæmpe side\n:id: C_DEMO_KAEMPE\n:addresses: R_FORMAAL\n:date: 2025-02-01\n\nTekst.\n:::\n"


def test_a_20_mb_page_is_refused_before_it_is_parsed(tmp_path):
    """Before the guard, the page took the parser more than a minute (78 s on two shared cores, against
    6 s for the site without it). Now its text is dropped as soon as it is read: the need in it never
    exists, the strict build fails with the page's first line, and the check says it again."""
    paragraph = "Borgerne får hurtigere svar, og data slettes efter tre måneder.\n\n"
    big = "# Bilag\n\n" + BIG_NEED + paragraph * (20_000_000 // len(paragraph.encode()))
    site = copy_site("tiny", tmp_path / "site", {"projects/demo/bilag.md": ("", big)})
    built = build(site, strict=True)
    size = (site / "projects/demo/bilag.md").stat().st_size
    assert built.returncode != 0
    assert f"projects/demo/bilag.md:1: WARNING: {page_too_big(size, 500)}" in built.warnings
    assert "[dataetik.file_limits]" in built.warnings
    assert built.policy.needs.get("C_DEMO_KAEMPE") is None
    assert found(built, "file_sizes") == [("projects/demo/bilag.md", 1, "PRJ_DEMO", page_too_big(size, 500))]


def test_a_page_under_the_limit_is_built(tmp_path):
    """Control: the same page, small, is built with its need."""
    site = copy_site("tiny", tmp_path / "site", {"projects/demo/bilag.md": ("", "# Bilag\n\n" + BIG_NEED)})
    built = build(site)
    assert "file_limits" not in built.warnings
    assert built.policy.needs.get("C_DEMO_KAEMPE") is not None


# --- a word on a policy page the policy does not declare ------------------------------------------

REQUIREMENT = """
:::{{requirement}} Krav {key}
:id: R_{key}
:derives_from: P_OMTANKE
:source: Omtanke
:applies_risk: lav, middel, høj
:answered_by: overvejelse
{field}

Beskriv det.
:::
"""
MISSPELT = {  # requirement -> (the field's line as written, the word the policy does not declare, a close word)
    "SVAR": (":answered_by: overvejlse", "answered_by", "overvejlse", "overvejelse"),
    "RISIKO": (":applies_risk: lav, midel", "applies_risk", "midel", "middel"),
    "TRAEK": (":applies_when: ny teknolgi", "applies_when", "ny teknolgi", "ny teknologi"),
    "SLAGS": (":evidence_kind: sikkerhedsvurdring", "evidence_kind", "sikkerhedsvurdring", "sikkerhedsvurdering"),
    "KONTROL": (":checks: statsu", "checks", "statsu", "status"),
    "STATUS": (":forbids_status: igang", "forbids_status", "igang", None),
}
NOT_A_DATE = ":effective_from: 2025-13-01"


def misspelt_policy() -> str:
    """A requirement of its own for each misspelt field: the line replaces its namesake, or is added."""
    text = ""
    for key, (line, field, _word, _close) in MISSPELT.items():
        block = REQUIREMENT.format(key=key, field="")
        if field in ("answered_by", "applies_risk"):
            block = re.sub(rf"^:{field}: .*$", line, block, count=1, flags=re.M)
        else:
            block = block.replace(":answered_by: overvejelse\n", f":answered_by: overvejelse\n{line}\n")
        text += block
    return text + REQUIREMENT.format(key="DATO", field=NOT_A_DATE)


@pytest.fixture(scope="module")
def misspelt(tmp_path_factory):
    site = copy_site("tiny", tmp_path_factory.mktemp("words") / "site", {"policy/index.md": ("", misspelt_policy())})
    return site, dataetik_check(site)


def test_a_misspelt_word_in_a_requirement_is_a_finding_at_its_line_in_dataetik_check(misspelt):
    site, check = misspelt
    out = check.stdout + check.stderr
    assert check.returncode == 1 and "Traceback" not in out
    lines = (site / "policy/index.md").read_text(encoding="utf-8").splitlines()
    for key, (line, field, word, close) in MISSPELT.items():
        number = next(n for n, text in enumerate(lines, 1) if text == line)
        assert f"policy/index.md:{number}" in out, key
        problem = _("':{field}:' names '{word}', which the policy does not declare.").format(field=field, word=word)
        assert problem in out, key
        if close:
            assert _("Did you mean '{name}'?").format(name=close) in out, key


def test_a_misspelt_word_in_a_requirement_fails_pytest_checks_without_a_traceback(misspelt):
    site, _check = misspelt
    env = {**os.environ, "PYTHONPATH": str(REPO), "DATAETIK_SITE": str(site),
           "DATAETIK_NEEDS_JSON": str(site / "_build" / "check" / "needs.json")}
    env.pop("GITHUB_ACTIONS", None)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(REPO / "checks" / "test_policy.py")],
                         capture_output=True, text=True, cwd=site, env=env)
    out = run.stdout + run.stderr
    assert run.returncode == 1 and "Traceback" not in out
    failed = {m for line in out.splitlines() if line.startswith("FAILED")
              for m in re.findall(r"test_requirement_words\[(R_\w+)\]", line)}
    assert failed == {f"R_{key}" for key in MISSPELT}
    assert "test_requirement_is_traceable[R_DATO]" in out  # a month that does not exist
