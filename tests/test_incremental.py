"""An incremental `dataetik check` gives exactly what a clean one gives (dataetik.freshness).

Two copies of one fixture site get the same edits, one after the other: copy A is checked
incrementally after each edit (building on the check before), copy B from scratch (--forfra). After
each edit the two must agree on everything: the exit code, every finding, needs.json (without the
build's metadata) and what every page of the built site says – the back-links on pages no edit
touched, the register, the matrix, the yearly reports, the history. (The check leaves the menus of
pages not otherwise changed as they were when a page is added; a plain incremental build writes them
too, which the tests with sphinx-build compare, menus included.) The fixture holds a warning on a
page no edit touches, which an incremental build must still report.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dataetik import check_cmd, freshness
from dataetik.i18n import _
from sitebuild import BIAS_REQUIREMENT, DEMO_BIASTEST, copy_site

TODAY = "2026-11-26"
COUNTS = "attribute,group,actual,predicted,count\nkøn,kvinde,,1,30\nkøn,kvinde,,0,70\nkøn,mand,,1,28\nkøn,mand,,0,72\n"
SECOND = """# Andet projekt

:::{project} Andet projekt
:id: PRJ_ANDET
:department: Jobcenter
:risk: lav
:status: igangværende
:start_date: 2025-03-01
:personal_data: navn
:legal_basis: GDPR art. 6, stk. 1, litra e
:new_technology: nej
:new_combination: nej
:procured: nej
:external_partners: nej

Et andet lille projekt.
:::

:::{consideration} Formål med det andet projekt
:id: C_ANDET_FORMAAL
:addresses: R_FORMAAL
:date: 2025-02-01

Formålet er at finde den rette praktikplads hurtigere, og vi bruger kun navnet til det.
:::

:::{approval} Godkendt af lederen
:id: AP_ANDET
:addresses: R_GODKENDT
:role: Leder af Jobcenteret
:decision_level: leder
:decision: godkendt
:date: 2025-02-15

Godkendt som beskrevet.
:::
"""
PAGES = {
    "register.md": "# Register\n\n```{projectregister}\n```\n",
    "matrix.md": "# Matrix\n\n```{traceabilitymatrix}\n```\n",
    "aarsrapporter.md": "# Redegørelser\n\n```{annualreports}\n```\n\n```{toctree}\n:glob:\n:reversed:\n\naar/*\n```\n",
    # A page naming a need with a role, and one that warns every time it is read (MyST: no H1).
    "om.md": "# Om\n\nSe {need}`R_FORMAAL`.\n",
    "advarsel.md": "## Uden overskrift\n\nDenne side advarer, hver gang den læses.\n",
}
TOCTREE = ("policy/index\nprojects/demo/index\n",
           ":glob:\n\npolicy/index\nprojects/*/index\nregister\nmatrix\naarsrapporter\nom\nadvarsel\n")

DEMO = "projects/demo/index.md"
# Each edit as (file, old, new); old "" appends, new None removes the file. Applied in this order.
EDITS = {
    "link": (DEMO, ":addresses: R_FORMAAL\n:date: 2025-02-01\n\nFormålet er at give",
             ":addresses: R_FORMAAL, R_GODKENDT\n:date: 2025-02-01\n\nFormålet er at give"),
    "status": ("projects/andet/index.md", ":status: igangværende", ":status: afsluttet\n:end_date: 2026-01-31"),
    "counts": ("projects/demo/biastest.csv", "køn,mand,,1,28", "køn,mand,,1,12"),
    "text": (DEMO, "og vi bruger kun navn og adresse til det.", "og vi bruger kun navn og adresse."),
    "title": ("projects/andet/index.md", ":::{consideration} Formål med det andet projekt",
              ":::{consideration} Hvorfor det andet projekt findes"),
    "requirement": ("policy/index.md", "Beskriv formålet.", "Beskriv formålet med egne ord."),
    "new project": ("projects/tredje/index.md", "", SECOND.replace("ANDET", "TREDJE").replace("Andet", "Tredje")
                    .replace("andet", "tredje")),
    "removed project": ("projects/tredje/index.md", "", None),
    "unlinked": (DEMO, ":addresses: R_FORMAAL, R_GODKENDT", ":addresses: R_FORMAAL"),
}


def _git(site: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args], cwd=site, check=True,
                   capture_output=True)


def _make(dest: Path) -> Path:
    edits = {"index.md": TOCTREE, "policy/index.md": ("", BIAS_REQUIREMENT), DEMO: ("", DEMO_BIASTEST),
             "projects/demo/biastest.csv": ("", COUNTS), "projects/andet/index.md": ("", SECOND),
             "conf.py": ("", '\ndataetik_annual_reports = "aar"\nhtml_baseurl = "https://example.org/"\n'),
             **{name: ("", text) for name, text in PAGES.items()}}
    site = copy_site("tiny", dest, edits)
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "commit", "-q", "-m", "The fixture")
    return site


def _edit(site: Path, name: str) -> None:
    rel, old, new = EDITS[name]
    path = site / rel
    if new is None:
        shutil.rmtree(path.parent)
        return
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    assert not old or old in text, f"{name}: {old!r} not in {rel}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace(old, new, 1) if old else text + new, encoding="utf-8")


def _check(site: Path, clean: bool, pages: bool = True) -> tuple[int, list[str]]:
    """The check through the build (`pages`), or where it may, without (dataetik.project_recheck)."""
    said: list[str] = []
    code = check_cmd.run(site, say=lambda text="": said.extend(str(text).splitlines()), clean=clean, pages=pages)
    return code, said


_TIMING = re.compile(r"\d+ s\b")
_RANDOM = [(re.compile(r"SNCB-[0-9a-f]{8}"), "SNCB-x"),  # sphinx-needs' containers
           (re.compile(r"\b([td])-\d{6,}\b"), r"\1-x")]  # the bias charts' title and description


def _report(site: Path, said: list[str]) -> list[str]:
    """What the check said, without its timing, the site's own path and how it built."""
    return [_TIMING.sub("N s", line.replace(str(site), "<site>")) for line in said[1:]]


def _needs(site: Path) -> dict:
    data = json.loads((site / "_build" / "check" / "needs.json").read_text(encoding="utf-8"))
    return {version: content["needs"] for version, content in data["versions"].items()}


def _pages(site: Path, folder: str = "_build/check", menus: bool = True) -> dict[str, str]:
    """Every page, with the ids made up at random by a build; without the menus, only what the page
    itself says (dataetik check leaves the menus of pages not otherwise changed as they were)."""
    out = site / folder
    pages = {}
    for path in sorted(out.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        main = re.search(r'role="main">(.*)<div class="sphinxsidebar"', html, re.S)
        text = html if menus or not main else main.group(1)
        for pattern, repl in _RANDOM:
            text = pattern.sub(repl, text)
        pages[path.relative_to(out).as_posix()] = text.replace(str(site), "<site>")
    return pages


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("DATAETIK_TODAY", TODAY)
    incremental = _make(tmp_path_factory.mktemp("incremental") / "site")
    clean = _make(tmp_path_factory.mktemp("clean") / "site")
    first = _check(incremental, clean=False)
    assert "forfra" in first[1][0] or "scratch" in first[1][0], first[1][0]  # nothing to build on yet
    yield incremental, clean
    mp.undo()


def _same(incremental: Path, clean: Path) -> None:
    code_i, said_i = _check(incremental, clean=False)
    code_c, said_c = _check(clean, clean=True)
    assert code_i == code_c
    assert _report(incremental, said_i) == _report(clean, said_c)
    assert _needs(incremental) == _needs(clean)
    pages_i, pages_c = _pages(incremental, menus=False), _pages(clean, menus=False)
    assert sorted(pages_i) == sorted(pages_c)
    differ = [page for page in pages_i if pages_i[page] != pages_c[page]]
    assert not differ, f"stale pages: {differ}\n" + "\n".join(
        line[:300] for page in differ
        for line in difflib.unified_diff(pages_c[page].splitlines(), pages_i[page].splitlines(), "clean", page, n=0))


@pytest.mark.parametrize("name", list(EDITS))
def test_an_edit_checked_incrementally_gives_what_a_clean_check_gives(sites, name):
    incremental, clean = sites
    before = (incremental / "_build" / "check-doctrees" / "om.doctree").stat().st_mtime_ns
    for site in sites:
        _edit(site, name)
    _same(incremental, clean)
    # Built on the last check: a page no edit touches was not read again.
    assert (incremental / "_build" / "check-doctrees" / "om.doctree").stat().st_mtime_ns == before


def test_a_commit_and_another_day_give_what_a_clean_check_gives(sites, monkeypatch):
    for site in sites:
        page = site / "projects/andet/index.md"
        page.write_text(page.read_text(encoding="utf-8").replace(":department: Jobcenter", ":department: Beskæftigelse"),
                        encoding="utf-8")
        _git(site, "add", "-A")
        _git(site, "commit", "-q", "-m", "An edit")  # history pages show the new commit
    monkeypatch.setenv("DATAETIK_TODAY", "2027-02-01")  # a new year: another yearly report, other dates
    _same(*sites)


def test_the_warning_of_a_page_not_read_again_is_still_reported(sites):
    incremental, _clean = sites
    _code, said = _check(incremental, clean=False)
    assert any("advarsel.md" in line for line in said), said


def _sphinx(site: Path, builder: str, out: str, doctrees: str, *flags: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-b", builder, "-q", *flags, "-d", str(site / doctrees),
                           str(site), str(site / out)], capture_output=True, text=True, cwd=site)
    assert proc.returncode == 0, proc.stderr


def test_a_build_into_another_folder_from_the_same_environment_writes_every_page(tmp_path, monkeypatch):
    """make html and make preview may share _build/doctrees: what one build found changed, the other's pages
    never saw."""
    monkeypatch.setenv("DATAETIK_TODAY", TODAY)
    site = _make(tmp_path / "site")
    _sphinx(site, "html", "_build/a", "_build/d")
    _edit(site, "link")
    _sphinx(site, "needs", "_build/n", "_build/d")  # reads the edit, writes no page
    _sphinx(site, "html", "_build/a", "_build/d")
    _sphinx(site, "html", "_build/clean", "_build/d-clean")
    assert _pages(site, "_build/a") == _pages(site, "_build/clean")


def test_an_incremental_build_in_parallel_gives_what_a_clean_one_gives(tmp_path, monkeypatch):
    """With -j each reader process notes its pages' nodes and warnings; they come back to the main one."""
    monkeypatch.setenv("DATAETIK_TODAY", TODAY)
    site = _make(tmp_path / "site")
    _sphinx(site, "html", "_build/a", "_build/d", "-j", "2")
    for name in ("link", "title", "new project"):  # a page added: every page's menus change
        _edit(site, name)
    _sphinx(site, "html", "_build/a", "_build/d", "-j", "2")
    _sphinx(site, "html", "_build/clean", "_build/d-clean")
    assert _pages(site, "_build/a") == _pages(site, "_build/clean")


# --- when to build from scratch -------------------------------------------------------------------

def test_a_first_check_or_forfra_builds_from_scratch(tmp_path):
    doctrees = tmp_path / "doctrees"
    assert check_cmd.from_scratch(doctrees, "abc", asked=False) is not None  # nothing to build on
    doctrees.mkdir()
    (doctrees / "environment.pickle").write_bytes(b"")
    (doctrees / check_cmd.FINGERPRINT).write_text("abc", encoding="utf-8")
    assert check_cmd.from_scratch(doctrees, "abc", asked=False) is None
    assert check_cmd.from_scratch(doctrees, "abc", asked=True) is not None
    assert check_cmd.from_scratch(doctrees, "abd", asked=False) is not None


@pytest.mark.parametrize("changed", ["conf.py", "policy/policy.toml", "package"])
def test_the_fingerprint_covers_conf_the_policies_and_dataetik(tmp_path, monkeypatch, changed):
    site = copy_site("tiny", tmp_path / "site")
    package = tmp_path / "package"
    package.mkdir()
    (package / "rules.py").write_text("RULE = 1\n", encoding="utf-8")
    monkeypatch.setattr(freshness, "_package_files", lambda: [package / "rules.py"])
    monkeypatch.setattr(freshness, "_package_root", lambda: package)
    before = freshness.fingerprint(site)
    assert freshness.fingerprint(site) == before  # the same site, the same fingerprint
    path = package / "rules.py" if changed == "package" else site / changed
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert freshness.fingerprint(site) != before


def test_the_fingerprint_covers_the_versions_of_python_and_the_packages(tmp_path, monkeypatch):
    site = copy_site("tiny", tmp_path / "site")
    before = freshness.fingerprint(site)
    real = freshness.metadata.version
    monkeypatch.setattr(freshness.metadata, "version", lambda name: "0.0" if name == "sphinx-needs" else real(name))
    assert freshness.fingerprint(site) != before


def test_a_changed_fingerprint_makes_the_check_build_from_scratch(sites, monkeypatch):
    incremental, _clean = sites
    monkeypatch.setattr(freshness, "fingerprint", lambda site: "another machinery")
    assert _("the policy, conf.py or dataetik itself changed since the last check") in _check(incremental, False)[1][0]
    assert _check(incremental, clean=False)[1][0] == _("Building what changed since the last check ...")


# --- every node a page can hold is known to freshness ---------------------------------------------

def test_every_node_dataetik_defines_says_what_it_depends_on():
    """A new placeholder filled in from the needs must be named in freshness, or its pages go stale."""
    import importlib
    import pkgutil

    from docutils import nodes

    import dataetik

    known = {*freshness.ALL_NEEDS, *freshness.PROJECT_VIEWS, *freshness.HISTORY, *freshness.REREAD,
             *freshness.STATIC}
    found = set()
    for module in pkgutil.walk_packages(dataetik.__path__, "dataetik."):
        mod = importlib.import_module(module.name)
        for name, value in vars(mod).items():
            if isinstance(value, type) and issubclass(value, nodes.Node) and value.__module__ == mod.__name__:
                found.add(f"{mod.__name__}:{name}")
    assert found - known == set(), "classify these nodes in dataetik/freshness.py"
