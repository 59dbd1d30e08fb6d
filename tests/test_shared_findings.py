"""The project cases run once per check (dataetik.shared_findings): the traceability matrix judges the
needs as needs.json holds them, and `dataetik check` takes its findings only where the needs.json it
reads is that very text. Taken or not, the check says the same; a needs.json that is not that text is
read and judged again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sitebuild import BIAS_REQUIREMENT, DEMO_BIASTEST, copy_site

from dataetik import check_cmd, readiness, shared_findings
from dataetik.needs_data import load_needs
from dataetik.policy import Policy

TODAY = "2026-11-26"
COUNTS = "attribute,group,actual,predicted,count\nkøn,kvinde,,1,30\nkøn,kvinde,,0,70\nkøn,mand,,1,28\nkøn,mand,,0,72\n"
# The demo project planned for next year: the check says what its start will demand.
PLANNED = (":status: igangværende\n:start_date: 2025-03-01", ":status: planlagt\n:start_date: 2027-03-01")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("DATAETIK_TODAY", TODAY)
    root = copy_site("tiny", tmp_path_factory.mktemp("shared") / "site", {
        "policy/index.md": ("", BIAS_REQUIREMENT), "projects/demo/index.md": ("", DEMO_BIASTEST),
        "projects/demo/biastest.csv": ("", COUNTS), "matrix.md": ("", "# Matrix\n\n```{traceabilitymatrix}\n```\n"),
        "index.md": ("projects/demo/index\n", "projects/demo/index\nmatrix\n")})
    page = root / "projects/demo/index.md"
    page.write_text(page.read_text(encoding="utf-8").replace(*PLANNED, 1), encoding="utf-8")
    yield root
    mp.undo()


def _check(site: Path) -> tuple[int, list[str]]:
    said: list[str] = []
    code = check_cmd.run(site, say=lambda text="": said.extend(str(text).splitlines()), pages=True)  # builds
    return code, said[2:]  # without how it built, and in how many seconds


def test_the_check_takes_the_matrix_findings_and_says_what_it_says_without_them(site, monkeypatch):
    taken = []
    original = shared_findings.taken

    def spy(*args):
        taken.append(original(*args))
        return taken[-1]

    monkeypatch.setattr(shared_findings, "taken", spy)
    shared = _check(site)
    assert taken and taken[-1] is not None and taken[-1].findings is not None, "the matrix's findings were not taken"
    assert any("planlagt" in line or "planned" in line for line in shared[1])  # readiness ran on them too
    monkeypatch.setattr(shared_findings, "taken", lambda *args: None)
    assert _check(site) == shared


def test_the_needs_judged_are_the_needs_json_the_build_writes(site):
    _check(site)
    written = (site / "_build" / "check" / "needs.json").read_text(encoding="utf-8")
    needs = load_needs(site / "_build" / "check" / "needs.json", srcdir=site)
    assert shared_findings.needs_of(written, site).by_id == needs.by_id


def test_a_needs_json_not_that_text_is_read_again(site, tmp_path):
    """The needs.json on disk differs from what the build judged (here: another file): nothing is taken."""

    class App:
        pass

    needs_json = site / "_build" / "check" / "needs.json"
    _check(site)
    policy = Policy.from_needs(load_needs(needs_json, srcdir=site))
    app = App()
    judged = shared_findings.Judged(needs_json.read_text(encoding="utf-8"), policy)
    shared_findings.findings(judged)
    app._dataetik_judged = (None, judged)
    assert shared_findings.taken(app, needs_json, policy.vocabulary, site) is judged
    other = tmp_path / "needs.json"
    data = json.loads(needs_json.read_text(encoding="utf-8"))
    other.write_text(json.dumps(data, indent=1), encoding="utf-8")  # the same needs, not the same text
    assert shared_findings.taken(app, other, policy.vocabulary, site) is None
    assert shared_findings.taken(app, needs_json, policy.vocabulary, tmp_path) is None  # another site


def test_readiness_keeps_what_the_status_does_not_change_and_finds_the_same(site, monkeypatch):
    _check(site)
    policy = Policy.from_needs(load_needs(site / "_build" / "check" / "needs.json", srcdir=site))
    kept = readiness.planned(policy)
    assert kept and any(r.findings for r in kept)
    assert set(readiness.UNCHANGED_BY_STATUS) <= set(vars(policy)), "a rule's per-policy cache was renamed"
    monkeypatch.setattr(readiness, "UNCHANGED_BY_STATUS", ())
    fresh = Policy.from_needs(load_needs(site / "_build" / "check" / "needs.json", srcdir=site))
    assert readiness.planned(fresh) == kept
