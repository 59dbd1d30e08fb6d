"""The history from git, on the tiny site committed version by version on different days: what a
project page says changed (in words derived from the content), the changes to the requirements,
and a plain sentence instead of an error where there is no git history."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sitebuild import REPO, build, copy_site
from test_cli import COUNTS
from test_trail import commit, edit, git

from dataetik import history, model
from dataetik.i18n import _

PAGE = "projects/demo/index.md"
POLICY = "policy/index.md"
BIASTEST = """
:::{biastest} Test
:id: BT_DEMO
:addresses: R_FORMAAL
:date: 2025-02-10
:counts: biastest.csv

Optællingen.
:::
"""


def q(title: str) -> str:
    return _("“{title}”").format(title=title)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Five days in the life of the tiny site."""
    root = copy_site("tiny", tmp_path_factory.mktemp("history") / "site", {".gitignore": ("", "_build/\n")})
    edit(root, PAGE, ":status: igangværende", ":status: planlagt")
    git(root, "init", "-q")
    commit(root, "2025-01-10")
    # Re-wrapped the same day, then a real change the next: one version per day.
    edit(root, PAGE, "Et lille demoprojekt.", "Et lille\ndemoprojekt.")
    commit(root, "2025-01-10")
    edit(root, PAGE, ":status: planlagt", ":status: igangværende")
    edit(root, PAGE, ":::{approval}", BIASTEST.lstrip() + "\n:::{approval}")
    (root / "projects/demo/biastest.csv").write_text(COUNTS, encoding="utf-8")
    edit(root, POLICY, "Beskriv formålet.", "Beskriv formålet, og hvem det gavner.")
    commit(root, "2025-02-20")
    edit(root, PAGE, ":decision: godkendt", ":decision: betinget")
    edit(root, PAGE, "Ingen væsentlige risici.", "Ingen væsentlige risici, men logning skal følges.")
    (root / "projects/demo/biastest.csv").write_text(COUNTS.replace(",410", ",400"), encoding="utf-8")
    edit(root, POLICY, ":::{risklevel} Lav", ":::{requirement} Nyt krav\n:id: R_NYT\n:derives_from: P_AABEN\n"
                                           ":source: Åbenhed\n:answered_by: overvejelse\n\nEt nyt krav.\n:::\n\n"
                                           ":::{risklevel} Lav")
    commit(root, "2025-03-05")
    text = (root / PAGE).read_text(encoding="utf-8")
    start = text.index(":::{evidence}")
    (root / PAGE).write_text(text[:start] + text[text.index(":::\n", start) + 4:], encoding="utf-8")
    edit(root, PAGE, ":date: 2025-02-15\n", ":date: 2025-02-15\n:fingerprints: R_FORMAAL=0123abcd\n")
    commit(root, "2025-04-01")
    return root


def test_a_project_page_tells_its_history_in_words_newest_first(site):
    entries = history.project_history(site, PAGE)
    assert [e.day for e in entries] == [dt.date(2025, 4, 1), dt.date(2025, 3, 5), dt.date(2025, 2, 20),
                                        dt.date(2025, 1, 10)]
    said = {e.day.isoformat(): list(e.changes) for e in entries}
    approval, evidence, bias = (model.type_title(t) for t in ("approval", "evidence", "biastest"))
    assert said["2025-01-10"] == [_("The project was created")]  # the re-wrap the same day is no change
    assert said["2025-02-20"] == [
        _("Status changed from {old} to {new}").format(old=q("planlagt"), new=q("igangværende")),
        _("{type} added: {title}").format(type=bias, title=q("Test")),
        _("The bias test's counts were added"),
    ]
    assert said["2025-03-05"] == [
        _("{type} changed: {title}").format(type=evidence, title=q("Sikkerhedsvurdering")),
        _("{type} {title}: decision changed from {old} to {new}").format(
            type=approval, title=q("Godkendt af direktørkredsen"), old=q("godkendt"), new=q("betinget")),
        _("The bias test's counts changed"),
    ]
    assert said["2025-04-01"] == [
        _("Fingerprints of the requirement texts recorded on {title}").format(title=q("Godkendt af direktørkredsen")),
        _("{type} removed: {title}").format(type=evidence, title=q("Sikkerhedsvurdering")),
    ]


def test_the_changes_to_the_requirements_over_time(site):
    from dataetik.vocabulary import PolicyInfo

    policies = [PolicyInfo("policy", "Tiny", "da", site / "policy" / "policy.toml")]
    changes = history.policy_changes(site, policies)
    assert [(c.day.isoformat(), c.kind, c.requirement) for c in changes] == [
        ("2025-03-05", "added", "R_NYT"),
        ("2025-02-20", "changed", "R_FORMAAL"),
        ("2025-01-10", "policy_added", "policy"),
    ]
    assert changes[-1].count == 4 and changes[-1].title == "Tiny"
    assert "Beskriv formålet, og hvem det gavner." in changes[1].new["content"]


def test_the_pages_show_the_history_and_the_policy_changes(site, tmp_path):
    root = tmp_path / "site"
    shutil.copytree(site, root)
    (root / POLICY).write_text((root / POLICY).read_text(encoding="utf-8") + "\n## Ændringer\n\n```{policychanges}\n```\n",
                               encoding="utf-8")
    built = build(root, "html", strict=True)
    assert built.returncode == 0, built.warnings
    page = (root / "_build/html/projects/demo/index.html").read_text(encoding="utf-8")
    assert "1. april 2025" in page and "10. januar 2025" in page  # dates in Danish
    assert page.index("1. april 2025") < page.index("10. januar 2025")
    assert _("The project was created") in page
    policy = (root / "_build/html/policy/index.html").read_text(encoding="utf-8")
    changed = policy[policy.index("20. februar 2025"):]
    assert 'href="#R_FORMAAL"' in changed and 'class="dataetik-ins"' in changed and "gavner." in changed


def test_without_a_git_repository_a_sentence_says_why_and_the_build_passes(tmp_path):
    root = copy_site("tiny", tmp_path / "site")
    reason = history.project_history(root, PAGE)
    assert reason == _("the site was built from a folder that is not a git repository")
    built = build(root, "html", strict=True)
    assert built.returncode == 0, built.warnings
    page = (root / "_build/html/projects/demo/index.html").read_text(encoding="utf-8")
    assert history.unavailable(reason) in page


def test_a_repository_without_commits_says_so(tmp_path):
    root = copy_site("tiny", tmp_path / "site")
    git(root, "init", "-q")
    assert history.project_history(root, PAGE) == _("no version of the site has been committed to git yet")


def test_the_parser_reads_need_blocks_as_the_build_does(site):
    built = build(site)
    blocks = {b.id: b for b in history.parse_blocks((site / PAGE).read_text(encoding="utf-8"))}
    for need in built.policy.needs.by_id.values():
        if need["docname"] == "projects/demo/index":
            block = blocks[need["id"]]
            assert (block.type, block.title, " ".join(block.content.split())) == (
                need["type"], need["title"], " ".join(need["content"].split()))


def test_a_version_git_cannot_find_reads_as_empty_instead_of_a_traceback():
    from dataetik.history import NoHistory, repository

    try:
        repo = repository(REPO)
    except NoHistory:
        pytest.skip("the repository's own history is not available here")
    known = next(c.blob for changes in repo.changes.values() for c in changes if c.blob)
    texts = repo.texts(["0" * 40, known])
    assert texts["0" * 40] == "" and texts[known]
