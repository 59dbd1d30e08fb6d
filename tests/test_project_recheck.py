"""`dataetik check` after editing projects only: checked without building the site (dataetik.project_recheck).

Two copies of the fixture site of tests/test_incremental.py get the same edits, one after the other:
copy A is checked as an author checks (the quick check where it may), copy B from scratch. After each
edit both must agree on the exit code, every finding and needs.json; A must have taken the quick check
exactly where nothing outside the edited projects can differ, and built otherwise. The quick check
writes no page and changes no file of the site.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataetik import project_recheck
from dataetik.i18n import _
from test_incremental import DEMO, EDITS, TODAY, _check, _edit, _make, _needs, _report

ANDET = "projects/andet/index.md"
NEEDS_JSON = "_build/check/needs.json"
MORE = {  # edits besides test_incremental's (file, old, new)
    "page added": ("projects/demo/mere.md", "", "# Mere om projektet\n\nEn side mere.\n"),
    "ID of another project": (ANDET, ":id: C_ANDET_FORMAAL", ":id: C_DEMO_FORMAAL"),
    "ID back": (ANDET, ":id: C_DEMO_FORMAAL", ":id: C_ANDET_FORMAAL"),
    "start year": (ANDET, ":start_date: 2025-03-01", ":start_date: 2024-03-01"),
    "new warning": (ANDET, "Et andet lille projekt.", "Et andet lille projekt. Se {doc}`/findes-ikke`."),
    "warning gone": (ANDET, "Et andet lille projekt. Se {doc}`/findes-ikke`.", "Et andet lille projekt."),
    "demo text": (DEMO, "Svar på henvendelser, januar 2025.", "Svar på henvendelser i januar 2025."),
    "andet text": (ANDET, "Et andet lille projekt.", "Et andet, lille projekt."),
    "andet text again": (ANDET, "Et andet, lille projekt.", "Et andet – og lille – projekt."),
    "demo text back": (DEMO, "Svar på henvendelser i januar 2025.", "Svar på henvendelser, januar 2025."),
}
# In order: (edit, checked without building?)
STEPS = [("link", True), ("status", True), ("counts", True), ("nothing", True), ("page added", False),
         ("text", True), ("requirement", False), ("title", True), ("ID of another project", False),
         ("ID back", False), ("start year", False), ("new warning", False), ("warning gone", True),
         ("unlinked", True), ("copied text", True), ("own text", True)]
ANDET_TEXT = "Formålet er at finde den rette praktikplads hurtigere, og vi bruger kun navnet til det."


def _consideration_text(page: Path, nid: str) -> str:
    text = page.read_text(encoding="utf-8")
    start = text.index("\n\n", text.index(f":id: {nid}")) + 2
    return text[start:text.index("\n:::", start)]


def _apply(site: Path, name: str) -> None:
    if name == "nothing":
        return
    if name in ("copied text", "own text"):  # the other project's consideration, the later of two alike, is reported
        page = site / ANDET
        new = _consideration_text(site / DEMO, "C_DEMO_FORMAAL") if name == "copied text" else ANDET_TEXT
        page.write_text(page.read_text(encoding="utf-8").replace(_consideration_text(page, "C_ANDET_FORMAAL"), new),
                        encoding="utf-8")
        return
    if name in EDITS:
        _edit(site, name)
        return
    rel, old, new = MORE[name]
    path = site / rel
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    assert not old or old in text, f"{name}: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1) if old else text + new, encoding="utf-8")


def _written(site: Path) -> dict[str, int]:
    """Every file the check wrote besides needs.json (its pages), and every file of the site, as they are now."""
    out = site / "_build" / "check"
    return {**{p.as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != "needs.json"},
            **{name: key for name, key in project_recheck.snapshot(site).items()}}


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("DATAETIK_TODAY", TODAY)
    mp.setattr(project_recheck, "SETTLED_NS", 0)  # the edits follow the checks within a second (tested on its own)
    quick = _make(tmp_path_factory.mktemp("quick") / "site")
    clean = _make(tmp_path_factory.mktemp("clean") / "site")
    _check(quick, clean=False, pages=False)  # from scratch: nothing to build on
    yield quick, clean
    mp.undo()


@pytest.mark.parametrize("name,quick", STEPS, ids=[name for name, _quick in STEPS])
def test_an_edit_is_checked_without_building_where_only_projects_changed(sites, name, quick):
    site, clean = sites
    for each in sites:
        _apply(each, name)
    before = _written(site)
    code, said = _check(site, clean=False, pages=False)
    code_clean, said_clean = _check(clean, clean=True)
    started = _("Checking what changed since the last check, without building the site: {folders} ...").split("{")[0]
    assert said[0].startswith(started) == quick, said[0]
    assert code == code_clean
    assert _report(site, said) == _report(clean, said_clean)
    assert _needs(site) == _needs(clean)
    if quick:  # byte for byte as sphinx-needs writes it
        assert (site / NEEDS_JSON).read_text(encoding="utf-8") == (clean / NEEDS_JSON).read_text(encoding="utf-8")
        assert _written(site) == before  # no page written, no file of the site changed


def test_the_quick_check_names_what_it_read_again(sites):
    site, _clean = sites
    for each in sites:
        _apply(each, "demo text")
        _apply(each, "andet text")
    said = _check(site, clean=False, pages=False)[1]
    assert "projects/andet, projects/demo" in said[0], said[0]
    assert _check(site, clean=False, pages=False)[1][0].endswith(_("nothing changed") + " ..."), "checked again"


def test_asked_for_the_pages_the_check_builds(sites):
    site, _clean = sites
    for each in sites:
        page = each / DEMO
        page.write_text(page.read_text(encoding="utf-8") + "\nEn linje mere.\n", encoding="utf-8")
    assert _check(site, clean=False, pages=True)[1][0] == _("Building what changed since the last check ...")


# --- the merge, on its own -------------------------------------------------------------------------

LINKS = {"addresses": False, "belongs_to": False, "reviews": True}


def _need(nid: str, docname: str, kind: str = "consideration", **links) -> dict:
    need = {"id": nid, "docname": docname, "type": kind, "has_dead_links": False, "has_forbidden_dead_links": False}
    for name in LINKS:
        need[name], need[f"{name}_back"] = sorted(links.get(name, [])), []
    return need


def _resolved(needs: list[dict]) -> dict:
    """Back-links as sphinx-needs makes them: every source, in ID order."""
    by_id = {n["id"]: n for n in sorted(needs, key=lambda n: n["id"])}
    for nid, need in by_id.items():
        for name in LINKS:
            for target in need[name]:
                if target in by_id:
                    by_id[target][f"{name}_back"].append(nid)
    return by_id


def _old():
    return _resolved([_need("R_A", "policy/krav", "requirement"), _need("R_B", "policy/krav", "requirement"),
                      _need("PRJ_X", "projects/x/index", "project"), _need("C_X", "projects/x/index", addresses=["R_A"]),
                      _need("PRJ_Y", "projects/y/index", "project"), _need("C_Y", "projects/y/index", addresses=["R_A"])])


def test_the_merge_replaces_a_projects_needs_and_works_out_the_back_links_again():
    read = {n["id"]: n for n in [_need("PRJ_X", "projects/x/index", "project"),
                                 _need("C_X", "projects/x/index", addresses=["R_B"]),
                                 _need("C_X2", "projects/x/index", addresses=["R_A", "R_GONE"], reviews=["BT_GONE"])]}
    merged, touched = project_recheck.merge(_old(), read, {"projects/x"}, LINKS)
    assert touched == {"R_A", "R_B"}  # their back-links changed; C_Y's and PRJ_Y's did not
    assert list(merged) == sorted(merged)
    assert merged["R_A"]["addresses_back"] == ["C_X2", "C_Y"]
    assert merged["R_B"]["addresses_back"] == ["C_X"]
    assert merged["C_X2"]["has_dead_links"] and merged["C_X2"]["has_forbidden_dead_links"]  # addresses allows none
    assert not merged["C_Y"]["has_dead_links"]


@pytest.mark.parametrize("case", ["an ID used elsewhere", "a need linked from elsewhere removed",
                                  "a dead link elsewhere resolved", "a link to a part", "the start year"])
def test_the_merge_gives_way_where_a_clean_build_could_differ(case):
    old = _old()
    read = {n["id"]: n for n in [_need("PRJ_X", "projects/x/index", "project"), _need("C_X", "projects/x/index")]}
    if case == "an ID used elsewhere":
        read["C_Y"] = _need("C_Y", "projects/x/index")
    elif case == "a need linked from elsewhere removed":
        old["C_Y"]["reviews"] = ["C_X"]
        old = _resolved(list(old.values()))
        del read["C_X"]
    elif case == "a dead link elsewhere resolved":
        old["C_Y"].update(addresses=["C_NEW"], has_dead_links=True)
        read["C_NEW"] = _need("C_NEW", "projects/x/index")
    elif case == "a link to a part":
        read["C_X"]["addresses"] = ["R_A.1"]
    else:
        old["PRJ_X"]["start_date"], read["PRJ_X"]["start_date"] = "2024-01-01", "2023-12-31"
    assert project_recheck.merge(old, read, {"projects/x"}, LINKS) is None


def test_a_file_changed_while_a_check_read_it_or_just_before_counts_as_changed_next_time(monkeypatch):
    second = 1_000_000_000
    monkeypatch.setattr(project_recheck, "SETTLED_NS", 2 * second)
    before = {"a.md": (1, 1, 1, 1), "aar/2025.md": (2, 2, 2, 2), "b.md": (3, 3, 3, 3), "c.md": (4, 4, 9 * second, 0)}
    after = {**before, "aar/2025.md": (2, 2, 9, 9), "b.md": (3, 4, 9, 9), "aar/2026.md": (5, 5, 5, 5)}
    settled = project_recheck.settled(before, after, "aar", looked_at=10 * second)
    assert settled["a.md"] == after["a.md"]
    assert settled["b.md"] == project_recheck.CHANGED_DURING  # edited while the check ran
    assert settled["c.md"] == project_recheck.CHANGED_DURING  # written a second before: may change unseen
    assert settled["aar/2025.md"] == after["aar/2025.md"] and settled["aar/2026.md"] == after["aar/2026.md"]  # the build's


def test_what_changed_outside_the_projects_or_a_page_added_is_not_the_quick_checks():
    state = project_recheck.State("fp", TODAY, "da", {"index.md": (1,), "projects/x/index.md": (2,),
                                                      "projects/x/counts.csv": (3,)}, (0,), {"projects/x": "PRJ_X"}, {})
    def changed(**files):
        return project_recheck.changed_folders(state, {**state.files, **files})
    assert changed() == set()
    assert changed(**{"projects/x/counts.csv": (4,)}) == {"projects/x"}
    assert changed(**{"projects/x/new.csv": (4,)}) == {"projects/x"}  # a data file added: read with the pages
    assert changed(**{"projects/x/new.md": (4,)}) is None  # a page added
    assert changed(**{"index.md": (4,)}) is None
    assert changed(**{"projects/z/index.md": (4,)}) is None  # not a known project's folder


def test_needs_json_is_written_as_sphinx_needs_writes_it_encoding_only_what_changed():
    needs = {f"N_{i}": {"id": f"N_{i}", "title": f"Nål {i}", "links": [], "arch": {"x": [1, {"y": None}]}} for i in range(5)}
    data = {"current_version": "", "project": "P", "versions": {"": {
        "creator": {"program": "sphinx_needs"}, "needs": needs, "needs_amount": 5, "needs_schema": {"a": 1}}}}
    text = json.dumps(data, sort_keys=True)
    read, spans = project_recheck.read_needs_json(text)
    assert read == data
    new = {nid: need for nid, need in read["versions"][""]["needs"].items() if nid != "N_1"}
    new["N_2"]["title"], new["N_9"] = "Ændret", {"id": "N_9"}
    data["versions"][""].update(needs=new, needs_amount=len(new))
    assert project_recheck.needs_json_text(text, spans, "", new, {"N_2", "N_9"}) == json.dumps(data, sort_keys=True)
    # Copied, not encoded again: a need not said to have changed keeps its old text.
    copied = json.loads(project_recheck.needs_json_text(text, spans, "", new, {"N_9"}))
    assert copied["versions"][""]["needs"]["N_2"]["title"] == "Nål 2"
    with pytest.raises(ValueError):
        project_recheck.read_needs_json(json.dumps(data, sort_keys=True, indent=1))  # not laid out as written


def test_another_day_is_checked_through_the_build(sites, monkeypatch):
    """What the last check left was judged on its day: another day builds (the yearly pages, the dates)."""
    site, _clean = sites
    monkeypatch.setenv("DATAETIK_TODAY", "2026-11-27")
    _apply(site, "nothing")
    assert _check(site, clean=False, pages=False)[1][0] == _("Building what changed since the last check ...")
    assert _check(site, clean=False, pages=False)[1][0].endswith(_("nothing changed") + " ...")  # built on that day


def test_a_side_build_that_fails_gives_way_to_the_build(sites, monkeypatch):
    site, clean = sites
    def broken(*args):
        raise RuntimeError("the side build broke")
    monkeypatch.setattr(project_recheck, "_read", broken)  # in the child too: it is forked from here
    for each in sites:
        _apply(each, "andet text again")
    code, said = _check(site, clean=False, pages=False)
    code_clean, said_clean = _check(clean, clean=True)
    assert said[0] == _("Building what changed since the last check ...")
    assert (code, _report(site, said), _needs(site)) == (code_clean, _report(clean, said_clean), _needs(clean))


def test_without_fork_the_side_build_runs_in_the_check_itself(sites, monkeypatch):
    site, clean = sites
    monkeypatch.delattr(project_recheck.os, "fork")
    for each in sites:
        _apply(each, "demo text back")
    code, said = _check(site, clean=False, pages=False)
    code_clean, said_clean = _check(clean, clean=True)
    assert said[0].endswith("projects/demo ..."), said[0]
    assert (code, _report(site, said), _needs(site)) == (code_clean, _report(clean, said_clean), _needs(clean))
