"""The policy's words are only words: rename every one of them and the checks find the same.

A copy of the repository's site gets every value of the vocabulary its policy.toml declares
(yes/no, risk levels, decision levels, evidence kinds, statuses, decisions, answers, checks,
traits) replaced by a made-up word, in policy.toml and in every field that uses it on the
policy and project pages. The same deliberate breakages, found by what the words *mean* (a
finished project, an approval above the lowest level, ...), are made in a plain copy and in the
renamed one. Both are built and checked: the findings are the same, once the made-up words are
mapped back. Nothing here names one of Gladsaxe's words; they are read from policy.toml.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
import unicodedata
from pathlib import Path

import pytest
from sitebuild import REPO, build

from dataetik.findings import render_all
from dataetik.policy import Policy
from dataetik.rules import all_cases

pytestmark = pytest.mark.slow  # builds three copies of the whole site

SKIP = {".git", ".venv", "_build", ".pytest_cache", "__pycache__", "tests"}
TODAY = "2026-11-26"

# Fields whose values are vocabulary words, and the vocabulary table each takes them from
# (a list field holds several, comma-separated). Trait fields take yes/no; they are read from
# the policy's traits.
WORD_FIELDS = {
    "applies_risk": "risk_levels", "level": "risk_levels", "raises_to": "risk_levels", "risk": "risk_levels",
    "approval_level": "decision_levels", "decision_level": "decision_levels",
    "evidence_kind": "evidence_kinds", "kind": "evidence_kinds",
    "status": "statuses", "decision": "decisions", "answered_by": "answers", "checks": "checks",
    "applies_when": "traits", "sets": "traits", "forbids_status": "statuses",
}
_FIELD = re.compile(r"^:(?P<field>[a-z_]+):(?P<space>[ \t]*)(?P<value>.*?)\s*$")
_OPENER = re.compile(r"^:{3,}\{(?P<type>[a-z]+)\}")


# --- the vocabulary and its renaming ---------------------------------------------------------

def read_vocabulary(site: Path) -> dict:
    return tomllib.loads((site / "policy" / "policy.toml").read_text(encoding="utf-8"))["vocabulary"]


def words_of(vocab: dict) -> dict[str, list[str]]:
    """Every word the vocabulary declares, by table (yes and no as the table 'yes_no')."""
    return {
        "yes_no": [vocab["yes"], vocab["no"]],
        **{table: list(vocab.get(table, [])) for table in ("risk_levels", "decision_levels", "evidence_kinds")},
        **{table: list(vocab.get(table, {})) for table in ("statuses", "decisions", "answers", "checks", "traits")},
    }


def slug(word: str) -> str:
    text = unicodedata.normalize("NFKD", word.translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})))
    return re.sub(r"[^a-z0-9]+", "-", text.encode("ascii", "ignore").decode().lower()).strip("-")


def renaming(vocab: dict) -> dict[str, str]:
    """word -> made-up word, the same wherever the word is used."""
    mapping = {}
    for words in words_of(vocab).values():
        for word in words:
            mapping[word] = f"x-{slug(word)}"
    assert len(set(mapping.values())) == len(mapping), "two words would get the same made-up word"
    return mapping


def renamed_vocabulary(vocab: dict, new: dict[str, str]) -> dict:
    out = {}
    for key, value in vocab.items():
        if isinstance(value, str):
            out[key] = new[value]
        elif isinstance(value, list):
            out[key] = [new[v] for v in value]
        else:  # a table keyed by words
            out[key] = {new[word]: meaning for word, meaning in value.items()}
    return out


def toml_text(data: dict, prefix: str = "") -> str:
    """Just enough TOML for a policy.toml: strings, lists of strings and tables."""
    def key(k):
        return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)

    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        return json.dumps(v, ensure_ascii=False) if isinstance(v, str) else "[" + ", ".join(map(value, v)) + "]"

    lines = [f"[{prefix}]"] if prefix else []
    lines += [f"{key(k)} = {value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for k, v in data.items():
        if isinstance(v, dict):
            lines += ["", toml_text(v, f"{prefix}.{key(k)}" if prefix else key(k))]
    return "\n".join(lines)


def pages(site: Path) -> list[Path]:
    """Every policy's pages (a law layered on the policy uses its words too) and the projects'."""
    policies = [toml.parent for toml in site.glob("*/policy.toml")]
    return sorted([*(p for folder in policies for p in folder.glob("*.md")), *(site / "projects").glob("**/index.md")])


def layered_words(site: Path) -> tuple[set[str], dict[str, str]]:
    """What the other policies on the site (a law layered on this one) declare: their words are
    theirs, and stay; their traits are yes/no fields, whose yes and no are renamed."""
    words, traits = set(), {}
    for toml in site.glob("*/policy.toml"):
        if toml.parent.name == "policy":
            continue
        vocab = tomllib.loads(toml.read_text(encoding="utf-8")).get("vocabulary", {})
        words |= set(vocab.get("evidence_kinds", [])) | set(vocab.get("checks", {})) | set(vocab.get("traits", {}))
        words |= {level for c in vocab.get("classifications", {}).values() for level in c["levels"]}
        traits |= {t["field"]: "yes_no" for t in vocab.get("traits", {}).values()}
    return words, traits


def rename_site(site: Path, new: dict[str, str]) -> int:
    """Rename every vocabulary word in policy.toml and in the word fields of the policy and
    project pages; returns how many field values changed."""
    toml = site / "policy" / "policy.toml"
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    vocab = data["vocabulary"]
    data["vocabulary"] = renamed_vocabulary(vocab, new)
    toml.write_text(toml_text(data) + "\n", encoding="utf-8")
    theirs, their_traits = layered_words(site)
    fields = WORD_FIELDS | their_traits | {trait["field"]: "yes_no" for trait in vocab.get("traits", {}).values()}
    tables = words_of(vocab)
    changed = 0
    for page in pages(site):
        lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
        for i, line in enumerate(lines):
            match = _FIELD.match(line)
            if not match or match["field"] not in fields:
                continue
            values = [v.strip() for v in match["value"].split(",")]
            known = tables[fields[match["field"]]]
            assert all(v in known or v in theirs for v in values), f"{page}:{i + 1}: {line!r} uses a word no vocabulary has"
            lines[i] = f":{match['field']}:{match['space']}{', '.join(new[v] if v in known else v for v in values)}\n"
            changed += 1
        page.write_text("".join(lines), encoding="utf-8")
    return changed


def unrename(text: str, new: dict[str, str]) -> str:
    """The made-up words back to the policy's own."""
    back = {made_up: word for word, made_up in new.items()}
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(m) for m in sorted(back, key=len, reverse=True)) + r")(?![\w-])")
    return pattern.sub(lambda m: back[m.group(1)], text)


# --- the breakages, found by meaning ----------------------------------------------------------

class Page:
    """A page's needs: their type and the line index of each field."""

    def __init__(self, path: Path):
        self.path = path
        self.lines = path.read_text(encoding="utf-8").splitlines(keepends=True)

    def needs(self) -> list[tuple[str, dict[str, int]]]:
        found = []
        for i, line in enumerate(self.lines):
            opener = _OPENER.match(line)
            if not opener:
                continue
            fields = {}
            for j in range(i + 1, len(self.lines)):
                if self.lines[j] == "":  # a field this test removed
                    continue
                match = _FIELD.match(self.lines[j])
                if not match:
                    break
                fields[match["field"]] = j
            found.append((opener["type"], fields))
        return found

    def value(self, index: int) -> str:
        return _FIELD.match(self.lines[index])["value"]

    def set(self, index: int, value: str | None) -> None:
        field = _FIELD.match(self.lines[index])["field"]
        self.lines[index] = "" if value is None else f":{field}: {value}\n"

    def save(self) -> None:
        self.path.write_text("".join(self.lines), encoding="utf-8")


def break_site(site: Path) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """Make the same breakages in any copy, whatever its words: each is chosen by what the words
    mean (from policy.toml) and by position. Returns what was done, without words, to compare:
    (page, what, the rules that should find it, the requirements it concerns where known)."""
    vocab = read_vocabulary(site)
    meaning = vocab["statuses"]
    decisions = vocab["decision_levels"]
    risks = vocab["risk_levels"]
    no = vocab["no"]
    trait_of_field = {t["field"]: word for word, t in vocab["traits"].items()}
    applies_when: dict[str, list[str]] = {}  # trait word -> requirements that apply only with it
    for path in pages(site):
        page = Page(path)
        for need_type, fields in page.needs():
            if need_type == "requirement" and "applies_when" in fields:
                for word in page.value(fields["applies_when"]).split(","):
                    applies_when.setdefault(word.strip(), []).append(page.value(fields["id"]))
    projects = [Page(p) for p in sorted((site / "projects").glob("*/index.md"))]

    def project(page: Page) -> dict[str, int]:
        return next(fields for need_type, fields in page.needs() if need_type == "project")

    def status_means(page: Page, *meanings: str) -> bool:
        return meaning.get(page.value(project(page)["status"])) in meanings

    def rel(page: Page) -> str:
        return page.path.relative_to(site).as_posix()

    def addresses(page: Page, fields: dict[str, int]) -> tuple[str, ...]:
        return tuple(a.strip() for a in page.value(fields["addresses"]).split(","))

    done = []
    ended = [p for p in projects if status_means(p, "ended", "stopped") and "end_date" in project(p)]
    in_use = [p for p in projects if status_means(p, "in_use")]
    planned = [p for p in projects if status_means(p, "planned")]
    assert ended and in_use and planned, "the site needs a finished, an in-use and a planned project"

    # 1. A finished project without its end date (dates).
    page = ended[0]
    page.set(project(page)["end_date"], None)
    done.append((rel(page), "end_date removed", ("dates",), ()))
    # 2. An in-use project's approval one decision level lower (approval).
    approved = next(p for p in in_use for t, f in p.needs()
                    if t == "approval" and decisions.index(p.value(f["decision_level"])))
    fields = next(f for t, f in approved.needs() if t == "approval")
    approved.set(fields["decision_level"], decisions[decisions.index(approved.value(fields["decision_level"])) - 1])
    done.append((rel(approved), "decision_level lowered", ("approval",), addresses(approved, fields)))
    # 3. A consideration that no longer says what it answers (consideration).
    page = in_use[-1]
    fields = next(f for t, f in page.needs() if t == "consideration")
    done.append((rel(page), "addresses of its first consideration removed", ("consideration",), addresses(page, fields)))
    page.set(fields["addresses"], None)
    # 4. A trait set to yes where a requirement applies only with it (applies_when, yes/no).
    page, field = next((p, f) for p in in_use for f in project(p)
                       if trait_of_field.get(f) in applies_when and p.value(project(p)[f]) == no)
    page.set(project(page)[field], vocab["yes"])
    done.append((rel(page), f"{field} set to yes", ("consideration", "evidence", "biastest", "approval"),
                 tuple(applies_when[trait_of_field[field]])))
    # 5. A piece of evidence of the next kind in the list (evidence).
    page = in_use[0]
    kinds = vocab["evidence_kinds"]
    fields = next(f for t, f in page.needs() if t == "evidence" and page.value(f["kind"]) in kinds)
    page.set(fields["kind"], kinds[(kinds.index(page.value(fields["kind"])) + 1) % len(kinds)])
    done.append((rel(page), "kind of its first evidence changed", ("evidence",), addresses(page, fields)))
    # 6. A project's risk one level lower than its criteria raise it to (risk_profile).
    page = next(p for p in projects if p is not approved and risks.index(p.value(project(p)["risk"])))
    page.set(project(page)["risk"], risks[risks.index(page.value(project(page)["risk"])) - 1])
    done.append((rel(page), "risk lowered", ("risk_profile",), ()))
    # 7. A planned project put into use, unapproved (status, approval).
    page = planned[0]
    page.set(project(page)["status"], next(word for word, m in meaning.items() if m == "in_use"))
    done.append((rel(page), "status set to in use", ("approval",), ()))
    for page in projects:
        page.save()
    return done


# --- the test ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> tuple[Path, Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("rename")
    plain = root / "plain"
    shutil.copytree(REPO, plain, ignore=lambda _, names: [n for n in names if n in SKIP])
    # An approval's fingerprints hash the requirement texts, words included: renamed words are
    # changed texts, rightly, so the site would be reassessed. Not what this test is about.
    for page in (plain / "projects").glob("*/index.md"):
        text = page.read_text(encoding="utf-8")
        page.write_text(re.sub(r"^:fingerprints:.*\n", "", text, flags=re.M), encoding="utf-8")
    renamed = root / "renamed"
    shutil.copytree(plain, renamed)
    new = renaming(read_vocabulary(plain))
    assert rename_site(renamed, new) > 100
    return plain, renamed, new


def check(site: Path, strict: bool = False) -> tuple[str, list[tuple[str, str]], list]:
    """The build's warnings, the cases (rule, key) and every finding."""
    built = build(site, strict=strict)
    assert built.policy is not None, built.warnings
    policy = Policy.from_needs(built.policy.needs, built.policy.vocabulary)  # today as the test sets it
    cases = all_cases(policy)
    return built.warnings, [(c.rule, c.key) for c in cases], [f for c in cases for f in c.run()]


def old_words_in(text: str, new: dict[str, str]) -> list[str]:
    """Old words a message still names, quoted ('word') or as a field value (':field: word')."""
    return [word for word in new if re.search(rf"'{re.escape(word)}'|:[a-z_]+: {re.escape(word)}(?![\w-])", text)]


def test_renamed_site_is_whole_and_uses_none_of_the_old_words(sites, monkeypatch):
    plain, renamed, new = sites
    monkeypatch.setenv("DATAETIK_TODAY", TODAY)
    warnings, cases, found = check(renamed, strict=True)
    assert (warnings, render_all([f for f in found if f.is_error])) == ("", "")
    assert len(cases) > 100
    declared = {word for words in words_of(read_vocabulary(renamed)).values() for word in words}
    assert declared == set(new.values())


def test_the_same_breakages_give_the_same_findings_whatever_the_words(sites, tmp_path, monkeypatch):
    plain, renamed = (shutil.copytree(site, tmp_path / site.name, ignore=shutil.ignore_patterns("_build"))
                      for site in sites[:2])  # the module's copies stay whole for the other test
    new = sites[2]
    monkeypatch.setenv("DATAETIK_TODAY", TODAY)
    breakages = break_site(plain)
    assert break_site(renamed) == breakages
    plain_warnings, plain_cases, plain_found = check(plain)
    renamed_warnings, renamed_cases, renamed_found = check(renamed)
    # Not vacuous: every breakage is found.
    for page, what, rules, requirements in breakages:
        assert any(f.file == page and f.rule in rules and (f.requirement in requirements or not requirements)
                   for f in plain_found), f"{page}: {what}: not found"
    assert [(rule, unrename(key, new)) for rule, key in renamed_cases] == plain_cases  # a risk level is a key
    assert unrename(renamed_warnings, new) == plain_warnings
    assert unrename(render_all(renamed_found), new) == render_all(plain_found)
    # A message with a word of its own (not the policy's) would read the same in both: said here.
    assert old_words_in(render_all(renamed_found) + renamed_warnings, new) == []
