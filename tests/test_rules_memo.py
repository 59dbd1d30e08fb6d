"""The site rules' memo (dataetik.rules.memo): a re-check reads again only the files that changed,
and finds exactly what a check without the memo finds, edit after edit."""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import sys
from pathlib import Path

import pytest

from dataetik.needs_data import load_needs
from dataetik.policy import Policy
from dataetik.rules import RULES, all_cases
from dataetik.rules import memo as rules_memo
from sitebuild import BIAS_REQUIREMENT, DEMO_BIASTEST, build, copy_site

COUNTS = "attribute,group,actual,predicted,count\n" + "".join(
    f"køn,{g},,{p},{n}\n" for g in ("kvinde", "mand") for p, n in ((1, 400), (0, 600)))
SMALL_CELL = COUNTS.replace(",400\n", ",3\n", 1)  # an unused counts file that discloses a small cell
ROW_LEVEL = "navn,alder,bydel\nJens,40,Søborg\nAnna,35,Bagsværd\n"
LONG_HEADING = "\n## " + "Ord " * 45 + "\n"  # 180 characters: above the default max_title_length (150)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The tiny site with a bias test (its counts file used), an unused counts file and a text file."""
    root = copy_site("tiny", tmp_path_factory.mktemp("memo") / "site", {
        "policy/index.md": ("", BIAS_REQUIREMENT),
        "projects/demo/index.md": ("", DEMO_BIASTEST),
        "projects/demo/biastest.csv": ("", COUNTS),
        "projects/demo/gammel.csv": ("", SMALL_CELL),
        "projects/demo/noter.txt": ("", "Noter til projektet.\n")})
    assert build(root).needs_json.exists()
    return root


@pytest.fixture
def site(built: Path, tmp_path: Path, monkeypatch) -> Path:
    """A copy of the built site to edit; its files count as settled as soon as they are written
    (the racy window has a test of its own)."""
    monkeypatch.setattr(rules_memo, "SETTLED_NS", 0)
    return Path(shutil.copytree(built, tmp_path / "site"))


def run(root: Path, memo: rules_memo.FileMemo | None = None, site_rules_only: bool = False) -> list:
    """(rule, case, findings) of every case, as a check run gives them, with the memo or without any."""
    policy = Policy.from_needs(load_needs(root / "_build" / "needs" / "needs.json", srcdir=root))
    if memo is not None:
        rules_memo.use(policy, memo)
    cases = [c for c in all_cases(policy) if not site_rules_only or RULES[c.rule].each == "site"]
    return [(c.rule, c.key, c.run()) for c in cases]


def rules_with_findings(results: list) -> set[str]:
    return {rule for rule, _key, found in results if found}


def reads(monkeypatch, root: Path) -> set[str]:
    """The files of the site opened from now on (relative paths): every rule reads through Path.open."""
    opened: set[str] = set()
    real = Path.open

    def counting(self, *args, **kwargs):
        if self.is_relative_to(root):
            opened.add(self.relative_to(root).as_posix())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting)
    return opened


def edit(root: Path, file: str, text: str | None = None, append: str = "", old: str = "", new: str = "") -> None:
    path = root / file
    if text is None:
        text = path.read_text(encoding="utf-8")
        assert old in text
        text = text.replace(old, new, 1) + append
    path.write_text(text, encoding="utf-8")


# Each edit, applied in turn to the same site, the memo saved and loaded between them: the files read
# again, and a rule that must find something after it (the memo may not hide a change).
EDITS = [
    ("a CPR-like number on a page", dict(file="projects/demo/index.md", append="\nRing på 010203-1234.\n"),
     {"projects/demo/index.md"}, "cpr_numbers"),
    ("the same number with another last digit (same size)",
     dict(file="projects/demo/index.md", old="010203-1234", new="010203-1235"), {"projects/demo/index.md"},
     "cpr_numbers"),
    ("a long heading", dict(file="policy/index.md", append=LONG_HEADING), {"policy/index.md"}, "title_lengths"),
    ("a private e-mail address in a text file", dict(file="projects/demo/noter.txt", append="jens@example.dk\n"),
     {"projects/demo/noter.txt"}, "contact_details"),
    ("an unused counts file made row-level", dict(file="projects/demo/gammel.csv", text=ROW_LEVEL),
     {"projects/demo/gammel.csv"}, "row_level_data"),
    ("a page emptied", dict(file="projects/demo/index.md", text=""), {"projects/demo/index.md"}, "empty_pages"),
]


def test_a_recheck_reads_only_the_edited_file_and_finds_what_a_check_without_memo_finds(site, tmp_path, monkeypatch):
    saved = tmp_path / "check-doctrees" / rules_memo.FILE_NAME
    cold = rules_memo.load(saved)  # none yet: an empty memo
    assert len(cold) == 0
    assert run(site, cold) == run(site)
    assert cold.computed  # every file worked out ...
    assert cold.save(saved)
    opened = reads(monkeypatch, site)
    warm = rules_memo.load(saved)
    results = run(site, warm)
    assert warm.computed == []  # ... and none again while nothing changed:
    unchanged = set(opened)
    # Read by what is not per file: the needs, the policy's words, the bias test's counts (bias_result), and an
    # unused counts file that discloses a small cell (its finding is in words: worked out again, it is rare).
    assert unchanged == {"_build/needs/needs.json", "policy/policy.toml", "projects/demo/biastest.csv",
                         "projects/demo/gammel.csv"}
    assert results == run(site)
    assert "row_level_data" in rules_with_findings(results)  # the unused counts file's small cell, from the memo
    for what, change, changed, finds in EDITS:
        edit(site, **change)
        memo = rules_memo.load(saved)
        opened.clear()
        with_memo = run(site, memo)
        assert {file for _work, file in memo.computed} == changed, what
        assert changed <= opened <= unchanged | changed, what
        assert with_memo == run(site), what
        assert finds in rules_with_findings(with_memo), what
        assert memo.save(saved)


def test_a_removed_file_is_not_kept(site, tmp_path):
    saved = tmp_path / rules_memo.FILE_NAME
    memo = rules_memo.FileMemo()
    run(site, memo)
    memo.save(saved)
    (site / "projects/demo/gammel.csv").unlink()
    memo = rules_memo.load(saved)
    assert run(site, memo) == run(site)
    memo.save(saved)
    kept = pickle.loads(saved.read_bytes())["entries"]
    assert kept and not [file for _work, file in kept if file.endswith("gammel.csv")]


def test_what_a_run_did_not_ask_for_at_all_is_kept(site, tmp_path):
    """A rule not run (pytest -k, or run in the build) loses nothing; a rule run keeps only what it asked."""
    saved = tmp_path / rules_memo.FILE_NAME
    memo = rules_memo.FileMemo()
    run(site, memo)
    memo.save(saved)
    before = pickle.loads(saved.read_bytes())["entries"]
    (site / "projects/demo/noter.txt").unlink()
    memo = rules_memo.load(saved)
    policy = Policy.from_needs(load_needs(site / "_build" / "needs" / "needs.json", srcdir=site))
    rules_memo.use(policy, memo)
    assert [c.run() for c in all_cases(policy) if c.rule == "cpr_numbers"] == [[]]
    memo.save(saved)
    after = pickle.loads(saved.read_bytes())["entries"]
    assert {e for e in before if e[0] != "personal_data"} == {e for e in after if e[0] != "personal_data"}
    assert {e for e in before if e[0] == "personal_data"} - {e for e in after} == {("personal_data",
                                                                                   "projects/demo/noter.txt")}


def test_attach_keeps_a_memo_already_attached(site, tmp_path):
    saved = _saved(site, tmp_path)
    policy = Policy.from_needs(load_needs(site / "_build" / "needs" / "needs.json", srcdir=site))
    memo = rules_memo.attach(policy, saved)
    assert len(memo) > 0 and rules_memo.memo_of(policy) is memo
    assert rules_memo.attach(policy, tmp_path / "elsewhere") is memo


@pytest.mark.parametrize("settings, rule", [
    ("max_title_length = 200", "title_lengths"),  # the long heading is allowed now
    ('public_contacts = ["jens@example.dk"]', "contact_details"),  # the address is a published contact now
])
def test_a_changed_setting_is_not_answered_from_the_memo(site, tmp_path, settings, rule):
    edit(site, "policy/index.md", append=LONG_HEADING)
    edit(site, "projects/demo/noter.txt", append="jens@example.dk\n")
    saved = tmp_path / rules_memo.FILE_NAME
    memo = rules_memo.FileMemo()
    assert rule in rules_with_findings(run(site, memo))
    memo.save(saved)
    edit(site, "policy/policy.toml", append=f"\n[settings]\n{settings}\n")
    memo = rules_memo.load(saved)
    results = run(site, memo)
    assert results == run(site)
    assert rule not in rules_with_findings(results)


def test_a_file_written_just_now_is_read_again(built, tmp_path):
    """A file may change again within the file system clock's tick without its stat changing: its
    result is not kept until it has settled."""
    site = Path(shutil.copytree(built, tmp_path / "site"))  # every file written just now
    saved = tmp_path / rules_memo.FILE_NAME
    memo = rules_memo.FileMemo()
    assert run(site, memo) == run(site)
    memo.save(saved)
    kept = pickle.loads(saved.read_bytes())["entries"]
    assert [key for key, _context, _result in kept.values() if key != ()] == []  # only texts, by their digest
    memo = rules_memo.load(saved)
    assert run(site, memo) == run(site)
    assert {file for _work, file in memo.computed} >= {"projects/demo/index.md", "policy/index.md"}


def _saved(site: Path, tmp_path: Path) -> Path:
    saved = tmp_path / rules_memo.FILE_NAME
    memo = rules_memo.FileMemo()
    run(site, memo)
    assert memo.save(saved)
    assert len(rules_memo.load(saved)) > 0
    return saved


def test_a_memo_of_other_rules_or_another_python_is_not_used(site, tmp_path):
    saved = _saved(site, tmp_path)
    data = pickle.loads(saved.read_bytes())
    file_format, rules, python, tag = data["header"]
    for header in [(file_format, "0" * len(rules), python, tag), (file_format, rules, "2.7.18", tag),
                   (file_format + 1, rules, python, tag)]:
        saved.write_bytes(pickle.dumps({**data, "header": header}))
        assert len(rules_memo.load(saved)) == 0, header


def test_the_rules_digest_follows_their_source(monkeypatch, tmp_path):
    package = tmp_path / "dataetik"
    shutil.copytree(Path(rules_memo.__file__).parent.parent, package,
                    ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "templates"))
    monkeypatch.setattr(rules_memo, "__file__", str(package / "rules" / "memo.py"))
    rules_memo._header.cache_clear()
    try:
        before = rules_memo._header()
        with open(package / "rules" / "files.py", "a", encoding="utf-8") as f:
            f.write("\n# another version\n")
        rules_memo._header.cache_clear()
        assert rules_memo._header() != before
    finally:
        monkeypatch.undo()
        rules_memo._header.cache_clear()


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "not a memo", "a folder",
                                    "a class that does not exist"])
def test_a_damaged_memo_is_ignored(site, tmp_path, damage, capsys):
    edit(site, "projects/demo/noter.txt", append="010203-1234\n")  # a hit: the memo holds a Hit
    saved = _saved(site, tmp_path)
    data = saved.read_bytes()
    assert b"Hit" in data
    if damage == "truncated":
        saved.write_bytes(data[:len(data) // 2])
    elif damage == "garbage":
        saved.write_bytes(os.urandom(2000))
    elif damage == "empty":
        saved.write_bytes(b"")
    elif damage == "not a memo":
        saved.write_bytes(pickle.dumps(["entries", 1, 2]))
    elif damage == "a folder":
        saved.unlink()
        saved.mkdir()
    else:  # a pickle naming what this version of dataetik does not have
        saved.write_bytes(data.replace(b"Hit", b"Hot"))
    memo = rules_memo.load(saved)
    assert len(memo) == 0
    assert run(site, memo) == run(site)
    assert "Traceback" not in capsys.readouterr().err


def test_saving_leaves_no_temporary_file_and_a_failed_save_only_says_so(site, tmp_path):
    saved = _saved(site, tmp_path / "new" / "folder")
    assert [p.name for p in saved.parent.iterdir()] == [rules_memo.FILE_NAME]
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert rules_memo.FileMemo().save(blocked / rules_memo.FILE_NAME) is False


def test_without_a_memo_the_rules_use_a_throwaway_one(site):
    policy = Policy.from_needs(load_needs(site / "_build" / "needs" / "needs.json", srcdir=site))
    memo = rules_memo.memo_of(policy)
    assert memo is rules_memo.memo_of(policy) and len(memo) == 0
    assert [(c.rule, c.key, c.run()) for c in all_cases(policy)] == run(site)
    assert memo.computed


def test_the_memo_key_is_the_files_stat(site, monkeypatch):
    """Python's own idea of a file's identity: inode, size, mtime and ctime to the nanosecond."""
    policy = Policy.from_needs(load_needs(site / "_build" / "needs" / "needs.json", srcdir=site))
    path = site / "projects/demo/index.md"
    st = os.stat(path)
    assert rules_memo._key(policy, str(path)) == (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    assert rules_memo._key(policy, str(site / "no-such-file")) is None
    assert sys.version in rules_memo._header()


# --- texts: the reasoning rules' work per consideration text ----------------------------------------

def edit_needs(root: Path, contents: dict[str, str]) -> None:
    """Change considerations' texts in needs.json, as a build of the edited pages would."""
    path = root / "_build" / "needs" / "needs.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for version in data["versions"].values():
        for need_id, content in contents.items():
            version["needs"][need_id]["content"] = content
    path.write_text(json.dumps(data), encoding="utf-8")


FORMAAL = "Formålet er at give borgerne hurtigere svar, og vi bruger kun navn og adresse til det."
REFERS = "Se ovenfor om formålet og om adgangen til data i kommunens eget system. Vi følger det."


def test_the_reasoning_rules_work_out_again_only_what_a_changed_text_changes(site, tmp_path):
    edit(site, "policy/policy.toml", append='\n[settings]\nreference_phrases = ["se ovenfor", "jf."]\n')
    saved = tmp_path / rules_memo.FILE_NAME
    memo = rules_memo.FileMemo()
    assert run(site, memo) == run(site)
    memo.save(saved)

    def works(memo: rules_memo.FileMemo) -> list[str]:
        return sorted(work for work, _name in memo.computed if work in ("referring", "alike_pairs"))

    edit(site, "projects/demo/index.md", append="\nEt afsnit mere.\n")  # a page, not a consideration's text
    memo = rules_memo.load(saved)
    assert run(site, memo) == run(site)
    assert works(memo) == []
    memo.save(saved)
    # (the new text, the rule that finds something then, what is worked out again: the texts compared
    # with each other, and the new text searched for references unless another consideration has it)
    for content, finds, again in [(FORMAAL, "repeated_reasoning", ["alike_pairs"]),
                                  (REFERS, "referring_reasoning", ["alike_pairs", "referring"]),
                                  (REFERS.replace("Se ovenfor", "Se nedenfor"), None, ["alike_pairs", "referring"])]:
        edit_needs(site, {"C_DEMO_SIKKERHED": content})
        memo = rules_memo.load(saved)
        results = run(site, memo)
        assert results == run(site), content
        assert works(memo) == again, content
        found = {"repeated_reasoning", "referring_reasoning"} & rules_with_findings(results)
        assert found == ({finds} if finds else set()), content
        memo.save(saved)


def test_a_changed_reference_phrase_is_not_answered_from_the_memo(site, tmp_path):
    edit_needs(site, {"C_DEMO_SIKKERHED": REFERS})
    edit(site, "policy/policy.toml", append='\n[settings]\nreference_phrases = ["jf."]\n')
    saved = tmp_path / rules_memo.FILE_NAME
    memo = rules_memo.FileMemo()
    assert "referring_reasoning" not in rules_with_findings(run(site, memo))
    memo.save(saved)
    edit(site, "policy/policy.toml", old='["jf."]', new='["jf.", "se ovenfor"]')
    memo = rules_memo.load(saved)
    results = run(site, memo)
    assert results == run(site)
    assert "referring_reasoning" in rules_with_findings(results)


# --- texts: what the consideration rules judge a text by (answers.text_facts) -----------------------

def set_min_words(root: Path, least: int) -> None:
    """The policy's minimum length of a consideration (a requirement's field), as a build of the edited
    policy page would give it."""
    path = root / "_build" / "needs" / "needs.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for version in data["versions"].values():
        version["needs"]["R_FORMAAL"]["min_words"] = str(least)
    path.write_text(json.dumps(data), encoding="utf-8")


def short_or_unfinished(results: list) -> list[str]:
    """The considerations the consideration rule finds not to be real reasoning."""
    return [f.need for rule, _key, found in results if rule == "consideration" for f in found
            if f.need.startswith("C_")]


def text_facts_computed(memo: rules_memo.FileMemo) -> int:
    return sum(1 for work, _name in memo.computed if work == "text_facts")


def test_an_edited_text_is_judged_again_and_the_others_come_from_the_memo(site, tmp_path):
    saved = tmp_path / rules_memo.FILE_NAME
    memo = rules_memo.FileMemo()
    assert run(site, memo) == run(site)
    assert text_facts_computed(memo) == 2  # the two considerations' texts
    memo.save(saved)
    memo = rules_memo.load(saved)
    assert run(site, memo) == run(site)
    assert text_facts_computed(memo) == 0
    # (the new text, the considerations judged not real reasoning, texts worked out again)
    for content, found, again in [("TODO: skriv om sikkerheden.", ["C_DEMO_SIKKERHED"], 1),
                                  ("For kort.", ["C_DEMO_SIKKERHED"], 1),
                                  (FORMAAL.replace("hurtigere", "HURTIGERE"), [], 1),
                                  (FORMAAL, [], 0),  # the other consideration's text
                                  ("For kort.", ["C_DEMO_SIKKERHED"], 1)]:  # a text gone is not kept
        edit_needs(site, {"C_DEMO_SIKKERHED": content})
        memo = rules_memo.load(saved)
        results = run(site, memo)
        assert results == run(site), content
        assert short_or_unfinished(results) == found, content
        assert text_facts_computed(memo) == again, content
        memo.save(saved)


@pytest.mark.parametrize("before, after, found", [(12, 20, ["C_DEMO_FORMAAL", "C_DEMO_SIKKERHED"]),
                                                   (20, 12, [])])
def test_a_changed_minimum_length_is_not_answered_from_the_memo(site, tmp_path, before, after, found):
    """The memo keeps a text's facts, never a verdict under the policy's min_words: under another minimum a
    warm memo judges as a check without one (it would not if a verdict were kept under the text alone)."""
    set_min_words(site, before)
    saved = tmp_path / rules_memo.FILE_NAME
    memo = rules_memo.FileMemo()
    assert short_or_unfinished(run(site, memo)) != found
    memo.save(saved)
    set_min_words(site, after)
    memo = rules_memo.load(saved)
    results = run(site, memo)
    assert results == run(site)
    assert short_or_unfinished(results) == found
    assert text_facts_computed(memo) == 0


def test_the_words_kept_joined_are_the_texts_words():
    """The index splits the words the memo keeps joined: the same words as tokenising the text."""
    from dataetik.rules.answers import lower_words, text_facts
    from dataetik.rules.reasoning import Index

    texts = ["", "  ", "Æbler og ØL – 3½ × 2", "İstanbul", "a\u00a0b\tc\nd", "under_score x²", "ﬁ ǅ ẞ", "TODO"]
    needs = [{"id": f"C_{i}", "content": t, "docname": "p", "lineno": i} for i, t in enumerate(texts)]
    assert sorted(Index(needs, 0.9).words) == sorted(set(map(lower_words, texts)))
    assert [text_facts(None, t)[1] for t in texts] == [len(re.findall(r"\w+", t)) for t in texts]
