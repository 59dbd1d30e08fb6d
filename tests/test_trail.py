"""The change trail on a fixture site in a temporary git repository: `dataetik fingeraftryk`
records what the approval approved; a requirement text changed afterwards makes the project one
to reassess (a warning, an error where the policy says so, a notice on its page), and shows what
changed; a re-wrapped paragraph is no change.

Each case below is a fixture that carries the finding it expects: the edit made to the policy
after the approval, and whether the project is then suspect.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sitebuild import REPO, build, copy_site

from dataetik import trail
from dataetik.i18n import _
from dataetik.rules import RULES

PAGE = "projects/demo/index.md"
POLICY = "policy/index.md"
PURPOSE = "Beskriv formålet.\n"


def git(root: Path, *args: str, day: str = "2025-02-16") -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": f"{day}T12:00:00+01:00", "GIT_COMMITTER_DATE": f"{day}T12:00:00+01:00",
           "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.org"}
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True, env=env).stdout


def commit(root: Path, day: str) -> None:
    git(root, "add", ".", day=day)
    git(root, "commit", "-q", "-m", "version", day=day)


def dataetik(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dataetik.cli", *args, "--site", str(root)], capture_output=True,
                          text=True, cwd=root, env={**os.environ, "PYTHONPATH": str(REPO)})


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def approved(tmp_path_factory) -> Path:
    """The tiny site in git, its approval's fingerprints recorded by the command and committed."""
    root = copy_site("tiny", tmp_path_factory.mktemp("trail") / "site", {".gitignore": ("", "_build/\n")})
    git(root, "init", "-q")
    commit(root, "2025-02-01")
    result = dataetik(root, "fingeraftryk", "projects/demo")
    assert result.returncode == 0, result.stderr
    commit(root, "2025-02-15")
    return root


def variant(approved: Path, tmp_path: Path, edits: list[tuple[str, str, str]], with_git: bool = True) -> Path:
    """A copy of the approved site (with its history, or without git) and the edits made after the approval."""
    root = tmp_path / "site"
    subprocess.run(["cp", "-r", str(approved), str(root)], check=True)
    if not with_git:
        subprocess.run(["rm", "-rf", str(root / ".git")], check=True)
    for rel, old, new in edits:
        edit(root, rel, old, new)
    return root


def suspects_of(root: Path):
    built = build(root)
    assert built.policy, built.warnings
    project = built.policy.needs.get("PRJ_DEMO")
    return built.policy, project, trail.suspect_requirements(built.policy, project)


# --- fingerprints ------------------------------------------------------------------------------

REQUIREMENT = {"type": "requirement", "id": "R_X", "title": "Titel", "content": "Et krav med\nflere ord.",
               "applies_risk": ["lav", "høj"], "min_ratio": 0.8, "source": "Afsnit 1", "derives_from": ["P_A"]}


def test_a_fingerprint_is_eight_hex_digits_and_reads_back():
    value = trail.fingerprint(REQUIREMENT)
    assert len(value) == 8 and int(value, 16) >= 0
    written = trail.format_fingerprints({"R_X": value, "R_Y": "0123abcd"})
    assert written == f"R_X={value}, R_Y=0123abcd"
    assert trail.parse_fingerprints(written) == {"R_X": value, "R_Y": "0123abcd"}


@pytest.mark.parametrize("bad", ["R_X", "R_X=12", "R_X=1234567G", "x=12345678", "R_X=12345678 R_Y=12345678"])
def test_a_fingerprint_that_cannot_be_read_is_named(bad):
    with pytest.raises(ValueError):
        trail.parse_fingerprints(bad)


@pytest.mark.parametrize("change, same", [
    ({"content": "Et krav   med flere\n\n ord."}, True),           # re-wrapped
    ({"applies_risk": "lav, høj"}, True),                          # as the page writes it
    ({"min_ratio": "0.80"}, True),
    ({"source": "Afsnit 2", "derives_from": ["P_B"]}, True),        # where it is cited from: not what it demands
    ({"content": "Et krav med færre ord."}, False),
    ({"title": "Ny titel"}, False),
    ({"applies_risk": ["lav", "middel", "høj"]}, False),
    ({"min_ratio": 0.9}, False),
])
def test_what_the_fingerprint_covers(change, same):
    assert (trail.fingerprint({**REQUIREMENT, **change}) == trail.fingerprint(REQUIREMENT)) is same


def test_the_word_diff_shows_the_change_with_a_little_context():
    old = "en to tre fire fem seks syv otte ni ti elleve tolv"
    new = "en to tre fire fem seks SYV otte ni ti elleve tolv"
    assert trail.diff_as_text(trail.word_diff(old, new)) == "… tre fire fem seks [-syv-] {+SYV+} otte ni ti elleve …"
    assert trail.word_diff("a b", "a b") == []


# --- the command -------------------------------------------------------------------------------

def test_the_command_writes_the_field_and_changes_no_other_line(approved):
    text = (approved / PAGE).read_text(encoding="utf-8")
    before = git(approved, "show", f"HEAD~1:{PAGE}")
    added = [line for line in text.splitlines() if line not in before.splitlines()]
    assert len(added) == 1 and added[0].startswith(":fingerprints: ")
    assert [line for line in text.splitlines() if line != added[0]] == before.splitlines()
    lines = text.splitlines()
    assert lines[lines.index(added[0]) - 1] == ":date: 2025-02-15"  # with the approval's other options
    prints = trail.parse_fingerprints(added[0].removeprefix(":fingerprints: "))
    assert set(prints) == {"R_FORMAAL", "R_SIKKERHED", "R_GODKENDT"}  # what applies to the project, not only what it addresses


def test_the_command_leaves_recorded_fingerprints_and_renews_the_newest_with_forny(approved, tmp_path):
    root = variant(approved, tmp_path, [(POLICY, PURPOSE, "Beskriv formålet grundigt.\n")])
    again = dataetik(root, "fingeraftryk", "projects/demo")
    assert again.returncode == 0 and (root / PAGE).read_text() == (approved / PAGE).read_text()
    assert [s.requirement.id for s in suspects_of(root)[2]] == ["R_FORMAAL"]
    renewed = dataetik(root, "fingeraftryk", "projects/demo", "--forny")
    assert renewed.returncode == 0, renewed.stderr
    assert suspects_of(root)[2] == []


@pytest.mark.parametrize("page, folder, where", [
    ((":fingerprints: R_", ":fingerprints: R_FORMAAL=nothex, R_"), "projects/demo", f"{PAGE}:"),
    (("\n:id: AP_DEMO\n", "\n"), "projects/demo", f"{PAGE}:"),
    ((":::{approval}", ":::{note}"), "projects/demo", f"{PAGE}:1"),
    (None, "projects/nothing-here", "projects/nothing-here"),
])
def test_the_command_refuses_bad_input_with_file_and_line_and_leaves_the_page(approved, tmp_path, page, folder, where):
    root = variant(approved, tmp_path, [(PAGE, *page)] if page else [])
    before = (root / PAGE).read_text(encoding="utf-8")
    result = dataetik(root, "fingeraftryk", folder)
    assert result.returncode == 2, result.stdout + result.stderr
    assert where in result.stderr and "Traceback" not in result.stderr
    assert (root / PAGE).read_text(encoding="utf-8") == before


def test_the_command_writes_nothing_when_one_of_the_folders_is_wrong(approved, tmp_path):
    root = variant(approved, tmp_path, [])
    page = root / PAGE
    page.write_text("".join(line for line in page.read_text().splitlines(keepends=True)
                            if not line.startswith(":fingerprints:")))
    before = page.read_text()
    result = dataetik(root, "fingeraftryk", "projects/demo", "projects/nothing-here")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert page.read_text() == before


# --- suspect links -----------------------------------------------------------------------------

@pytest.mark.parametrize("edits, expected", [
    ([], []),
    ([(POLICY, PURPOSE, "Beskriv formålet og hvem det gavner.\n")], ["R_FORMAAL"]),
    ([(POLICY, ":applies_risk: høj\n", ":applies_risk: middel, høj\n")], ["R_SIKKERHED"]),
    ([(POLICY, "Vurder sikkerheden.", "Vurder\n   sikkerheden.")], []),                 # re-wrapped: no change
    ([(POLICY, ":source: Omtanke\n:applies_risk: høj", ":source: Sikkerhed\n:applies_risk: høj")], []),  # a citation
    ([(POLICY, PURPOSE, "Beskriv formålet.\n\nNyt afsnit.\n"), (PAGE, ":status: igangværende", ":status: afsluttet\n:end_date: 2025-12-31")],
     []),                                                                               # ended: nothing to reassess
    ([(POLICY, "Vurder sikkerheden.", "Vurder sikkerheden grundigt."), (PAGE, ":risk: høj", ":risk: middel")],
     []),                                                                               # no longer applies to it
])
def test_a_requirement_changed_after_the_approval_makes_the_project_suspect(approved, tmp_path, edits, expected):
    assert [s.requirement.id for s in suspects_of(variant(approved, tmp_path, edits))[2]] == expected


def findings_of(root: Path):
    policy, project, _suspects = suspects_of(root)
    return [f for f in RULES["changed_requirement"].run(policy, project, "")]


def test_the_finding_points_at_the_approval_and_shows_what_changed_from_git(approved, tmp_path):
    root = variant(approved, tmp_path, [(POLICY, PURPOSE, "Beskriv formålet og hvem det gavner.\n")])
    [found] = findings_of(root)
    line = next(n for n, text in enumerate((root / PAGE).read_text().splitlines(), 1) if text.startswith(":::{approval}"))
    assert (found.file, found.line, found.project, found.requirement) == (PAGE, line, "PRJ_DEMO", "R_FORMAAL")
    assert found.severity == "warning"
    assert "[-formålet.-] {+formålet og hvem det gavner.+}" in found.problem
    assert "dataetik fingeraftryk projects/demo --forny" in found.fix and "C_DEMO_FORMAAL" in found.fix


def test_the_policy_setting_makes_a_changed_requirement_fail(approved, tmp_path):
    root = variant(approved, tmp_path, [(POLICY, PURPOSE, "Beskriv formålet nøje.\n"),
                                        ("policy/policy.toml", "[vocabulary]", "[settings]\nchanged_requirement_fails = true\n\n[vocabulary]")])
    [found] = findings_of(root)
    assert found.severity == "error"


def test_without_git_the_finding_says_the_text_changed_and_shows_the_current_text(approved, tmp_path):
    root = variant(approved, tmp_path, [(POLICY, PURPOSE, "Beskriv formålet nøje.\n")], with_git=False)
    [found] = findings_of(root)
    assert "Beskriv formålet nøje." in found.problem and "{+" not in found.problem


NEWER = """
:::{approval} Godkendt igen
:id: AP_DEMO_2
:addresses: R_GODKENDT
:role: Direktør for Borgerservice
:decision_level: direktørkreds
:decision: godkendt
:date: 2025-06-01

Godkendt igen.
:::
"""


def test_an_approval_without_fingerprints_is_a_warning_asking_for_them(approved, tmp_path):
    root = variant(approved, tmp_path, [])
    (root / PAGE).write_text((root / PAGE).read_text() + NEWER)
    [found] = findings_of(root)
    assert found.severity == "warning" and found.need == "AP_DEMO_2" and "dataetik fingeraftryk projects/demo" in found.fix


def test_the_command_stamps_only_the_newest_approval_never_an_older_one_with_todays_texts(approved, tmp_path):
    root = variant(approved, tmp_path, [])
    page = root / PAGE
    page.write_text("".join(line for line in page.read_text().splitlines(keepends=True)
                            if not line.startswith(":fingerprints:")) + NEWER)
    result = dataetik(root, "fingeraftryk", "projects/demo")
    assert result.returncode == 0, result.stderr
    text = page.read_text()
    assert text.count(":fingerprints:") == 1 and text.index(":fingerprints:") > text.index(":id: AP_DEMO_2")


def test_a_site_that_keeps_no_fingerprints_is_not_warned(approved, tmp_path):
    root = variant(approved, tmp_path, [])
    page = root / PAGE
    page.write_text("".join(line for line in page.read_text().splitlines(keepends=True)
                            if not line.startswith(":fingerprints:")))
    assert findings_of(root) == []


def test_the_project_page_says_it_is_to_be_reassessed_and_links_the_requirement(approved, tmp_path):
    root = variant(approved, tmp_path, [(POLICY, PURPOSE, "Beskriv formålet og hvem det gavner.\n")])
    built = build(root, "html", strict=True)
    assert built.returncode == 0, built.warnings
    html = (root / "_build" / "html" / "projects" / "demo" / "index.html").read_text(encoding="utf-8")
    notice = html[html.index("dataetik-trail"):]
    assert _("To be reassessed") in notice
    assert 'href="../../policy/index.html#R_FORMAAL"' in notice
    assert 'class="dataetik-ins"' in notice and "gavner." in notice
    assert html.index("dataetik-trail") < html.index('id="C_DEMO_FORMAAL"')  # near the top, before the assessment
