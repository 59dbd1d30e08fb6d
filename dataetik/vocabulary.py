"""The words a policy speaks, declared by the policy itself in ``<policy folder>/policy.toml``.

Python knows *meanings* (a status that means "in use", a decision that "rejects", the need
type that answers a requirement); a policy names them in its own words. Every folder of the
site holding a ``policy.toml`` is a policy. Several policies may share a site: the tables that
describe a project as a whole (statuses, decisions, risk levels, decision levels, the words for
yes and no, answers and checks) are declared once, in any one of them; evidence kinds and
traits add up.

Errors name the file and line an editor opens, and say how to fix it.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

FILE_NAME = "policy.toml"

# What the rules need to know about a value: its meaning. The words are the policy's.
STATUS_MEANINGS = ("planned", "in_use", "ended", "stopped")
DECISION_MEANINGS = ("approves", "approves_with_conditions", "rejects")
# Need types that can answer a requirement (the model's directives).
ANSWER_TYPES = ("consideration", "biastest", "evidence", "approval")

# Tables declared once per site, and the shape of each.
_SHARED = {
    "yes": str, "no": str, "risk_levels": list, "decision_levels": list,
    "statuses": dict, "decisions": dict, "answers": dict, "checks": dict,
}
_ADDITIVE = {"evidence_kinds": list, "traits": dict}
_POLICY_KEYS = {"title": str, "language": str}
_TRAIT_KEYS = {"field": str, "label": str, "question": str}
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class VocabularyError(ValueError):
    """A defect in a policy.toml, with the place to fix it."""

    def __init__(self, file: Path, line: int | None, problem: str, fix: str):
        self.file, self.line, self.problem, self.fix = file, line, problem, fix
        super().__init__(f"{file}:{line or 1}: {problem} {fix}")


@dataclass(frozen=True)
class Trait:
    word: str      # as a requirement's applies_when names it
    field: str     # the project's yes/no field
    label: str     # shown beside the field
    question: str  # asked by `dataetik new`


@dataclass(frozen=True)
class PolicyInfo:
    """One policy of the site: its folder (relative to the site, '/'-separated) and title."""

    folder: str
    title: str
    language: str
    file: Path


@dataclass(frozen=True)
class Vocabulary:
    policies: tuple[PolicyInfo, ...] = ()
    yes: str = ""
    no: str = ""
    risk_levels: tuple[str, ...] = ()        # lowest first
    decision_levels: tuple[str, ...] = ()    # lowest first
    evidence_kinds: tuple[str, ...] = ()
    statuses: dict[str, str] = field(default_factory=dict)   # word -> meaning
    decisions: dict[str, str] = field(default_factory=dict)  # word -> meaning
    answers: dict[str, str] = field(default_factory=dict)    # word -> need type
    checks: dict[str, str] = field(default_factory=dict)     # word -> rule name
    traits: tuple[Trait, ...] = ()

    # --- meanings, as the rules ask for them ------------------------------------------
    def status_means(self, word: str | None, *meanings: str) -> bool:
        return self.statuses.get(word or "") in meanings

    def decision_means(self, word: str | None, *meanings: str) -> bool:
        return self.decisions.get(word or "") in meanings

    def approves(self, decision: str | None) -> bool:
        """A positive decision: approved, possibly with conditions."""
        return self.decision_means(decision, "approves", "approves_with_conditions")

    def words_for(self, table: dict[str, str], *meanings: str) -> list[str]:
        return [word for word, meaning in table.items() if meaning in meanings]

    def risk_rank(self, level: str | None) -> int:
        return self.risk_levels.index(level) if level in self.risk_levels else -1

    def decision_rank(self, level: str | None) -> int:
        return self.decision_levels.index(level) if level in self.decision_levels else -1

    @property
    def trait_fields(self) -> dict[str, Trait]:
        return {t.field: t for t in self.traits}

    @property
    def language(self) -> str:
        return self.policies[0].language if self.policies else ""

    def policy_of(self, docname: str) -> PolicyInfo | None:
        """The policy whose folder holds a page (the deepest folder, if policies nest)."""
        holding = [p for p in self.policies if docname.startswith(p.folder + "/")]
        return max(holding, key=lambda p: len(p.folder), default=None)


# --- reading ----------------------------------------------------------------------------

def policy_files(srcdir: Path, exclude: list[str] = ()) -> list[Path]:
    """Every policy.toml in a folder of the site or one below it, minus excluded folders."""
    found = []
    for path in sorted([*srcdir.glob(f"*/{FILE_NAME}"), *srcdir.glob(f"*/*/{FILE_NAME}")]):
        folder = path.parent.relative_to(srcdir).as_posix()
        if not any(fnmatch.fnmatch(folder, pattern) or fnmatch.fnmatch(folder.split("/")[0], pattern)
                   for pattern in exclude):
            found.append(path)
    return found


def load_site(srcdir: Path, exclude: list[str] = (), rule_names: frozenset[str] = frozenset()) -> Vocabulary:
    """The vocabulary of every policy in the site. Raises VocabularyError."""
    files = policy_files(srcdir, exclude)
    if not files:
        raise VocabularyError(srcdir / "policy" / FILE_NAME, None, "Sitet har ingen politik: der er ingen policy.toml.",
                              "Læg politikkens ordforråd i en policy.toml i politikkens mappe (se feltreferencen).")
    return merge([_read(path, srcdir) for path in files], rule_names)


@dataclass
class _File:
    path: Path
    text: str
    folder: str
    data: dict

    def line_of(self, *keys: str) -> int | None:
        """The line where a key is written (tomllib keeps no positions): the last key's
        assignment, or its table header, searched after the table of the keys before it."""
        lines = self.text.splitlines()
        start = 0
        for depth, key in enumerate(keys):
            quoted = rf'(?:{re.escape(key)}|"{re.escape(key)}"|\'{re.escape(key)}\')'
            assign = re.compile(rf"^\s*{quoted}\s*=")
            header = re.compile(rf"^\s*\[(?:[^\]]*\.)?\s*{quoted}\s*(?:\.[^\]]*)?\]")
            hit = next((i for i in range(start, len(lines)) if assign.match(lines[i]) or header.match(lines[i])), None)
            if hit is None:
                return start + 1 if depth else None
            start = hit
        return start + 1

    def error(self, keys: tuple[str, ...], problem: str, fix: str) -> VocabularyError:
        return VocabularyError(self.path, self.line_of(*keys), problem, fix)


def _read(path: Path, srcdir: Path) -> _File:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise VocabularyError(path, None, "Filen er ikke gemt som UTF-8.", "Gem filen som UTF-8 i din editor.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        where = re.search(r"line (\d+)", str(err))
        raise VocabularyError(path, int(where.group(1)) if where else None, f"Filen kan ikke læses som TOML ({err}).",
                              "Ret linjen: tekst skrives i anførselstegn, lister i [ ], og hver nøgle står én gang.") from None
    return _File(path, text, path.parent.relative_to(srcdir).as_posix(), data)


def _unknown(f: _File, keys: tuple[str, ...], key: str, allowed) -> VocabularyError:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    hint = f"Mente du '{close[0]}'? " if close else ""
    return f.error((*keys, key), f"Nøglen '{key}' kendes ikke.", f"{hint}Tilladt her: {', '.join(allowed)}.")


def _typed(f: _File, keys: tuple[str, ...], value, kind: type):
    if not isinstance(value, kind) or (kind is list and not all(isinstance(v, str) and v.strip() for v in value)):
        shape = {str: "en tekst i anførselstegn", list: "en liste af tekster, fx [\"a\", \"b\"]",
                 dict: "en tabel, fx [vocabulary." + keys[-1] + "]"}[kind]
        raise f.error(keys, f"'{'.'.join(keys)}' skal være {shape}.", "Ret værdien.")
    if kind is list and len(set(value)) != len(value):
        twice = next(v for v in value if value.count(v) > 1)
        raise f.error(keys, f"'{twice}' står to gange i '{keys[-1]}'.", "Skriv hver værdi én gang.")
    return value


def _meanings(f: _File, key: str, table: dict, allowed: tuple[str, ...] | set[str], what: str) -> dict[str, str]:
    for word, meaning in table.items():
        if not isinstance(meaning, str) or meaning not in allowed:
            raise f.error(("vocabulary", key, word), f"'{word}' har betydningen '{meaning}', som ikke findes.",
                          f"Vælg {what}: {', '.join(sorted(allowed))}.")
    return dict(table)


def _policy_info(f: _File) -> PolicyInfo:
    table = f.data.get("policy")
    if not isinstance(table, dict):
        raise f.error(("policy",), "Filen mangler tabellen [policy].",
                      'Tilføj [policy] med title = "Politikkens navn" og language = "da".')
    for key in table:
        if key not in _POLICY_KEYS:
            raise _unknown(f, ("policy",), key, _POLICY_KEYS)
    for key, kind in _POLICY_KEYS.items():
        if key not in table:
            raise f.error(("policy",), f"[policy] mangler '{key}'.", f'Tilføj {key} = "...".')
        _typed(f, ("policy", key), table[key], kind)
    return PolicyInfo(f.folder, table["title"], table["language"], f.path)


def _traits(f: _File, table: dict) -> list[Trait]:
    traits = []
    for word, spec in table.items():
        keys = ("vocabulary", "traits", word)
        if not isinstance(spec, dict):
            raise f.error(keys, f"Projekttrækket '{word}' skal være en tabel.",
                          f'Skriv [vocabulary.traits."{word}"] med field, label og question.')
        for key in spec:
            if key not in _TRAIT_KEYS:
                raise _unknown(f, keys, key, _TRAIT_KEYS)
        for key, kind in _TRAIT_KEYS.items():
            if key not in spec:
                raise f.error(keys, f"Projekttrækket '{word}' mangler '{key}'.", f'Tilføj {key} = "...".')
            _typed(f, (*keys, key), spec[key], kind)
        if not _FIELD_NAME.match(spec["field"]):
            raise f.error((*keys, "field"), f"Feltnavnet '{spec['field']}' kan ikke bruges.",
                          "Brug små bogstaver a-z, tal og _, fx field = \"procured\".")
        traits.append(Trait(word, spec["field"], spec["label"], spec["question"]))
    return traits


def merge(files: list[_File], rule_names: frozenset[str] = frozenset()) -> Vocabulary:
    """One vocabulary from every policy's file: shared tables once, additive ones summed."""
    from dataetik import model  # field names a trait may not take

    shared: dict[str, tuple[object, _File]] = {}
    kinds: dict[str, _File] = {}
    traits: dict[str, tuple[Trait, _File]] = {}
    policies = []
    for f in files:
        policies.append(_policy_info(f))
        for key in f.data:
            if key not in ("policy", "vocabulary"):
                raise _unknown(f, (), key, ("policy", "vocabulary"))
        vocab = f.data.get("vocabulary", {})
        for key, value in vocab.items():
            kind = _SHARED.get(key) or _ADDITIVE.get(key)
            if kind is None:
                raise _unknown(f, ("vocabulary",), key, [*_SHARED, *_ADDITIVE])
            _typed(f, ("vocabulary", key), value, kind)
            if key in _SHARED:
                if key in shared:
                    other = shared[key][1]
                    raise f.error(("vocabulary", key), f"'{key}' er også erklæret i {other.path.name} i {other.folder}/ "
                                  f"(linje {other.line_of('vocabulary', key)}).",
                                  "Erklær det kun ét sted: politikkerne på sitet deler det.")
                shared[key] = (value, f)
        for word in vocab.get("evidence_kinds", []):
            if word in kinds:
                raise f.error(("vocabulary", "evidence_kinds"), f"Dokumentationstypen '{word}' er også erklæret i "
                              f"{kinds[word].folder}/{FILE_NAME}.", "Erklær den kun ét sted.")
            kinds[word] = f
        for trait in _traits(f, vocab.get("traits", {})):
            taken = {t.field: w for w, (t, _) in traits.items()}
            if trait.word in traits or trait.field in taken:
                raise f.error(("vocabulary", "traits", trait.word), f"Projekttrækket '{trait.word}' (feltet "
                              f"'{trait.field}') er allerede erklæret.", "Erklær hvert træk og felt kun ét sted.")
            if trait.field in model.FIXED_FIELDS:
                raise f.error(("vocabulary", "traits", trait.word, "field"), f"Feltet '{trait.field}' bruges allerede "
                              "af modellen.", "Giv trækket sit eget feltnavn.")
            traits[trait.word] = (trait, f)

    def get(key, default):
        return shared[key][0] if key in shared else default

    def where(key) -> _File:
        return shared[key][1]

    statuses = _meanings(where("statuses"), "statuses", get("statuses", {}), STATUS_MEANINGS, "en af betydningerne") \
        if "statuses" in shared else {}
    decisions = _meanings(where("decisions"), "decisions", get("decisions", {}), DECISION_MEANINGS,
                          "en af betydningerne") if "decisions" in shared else {}
    answers = _meanings(where("answers"), "answers", get("answers", {}), ANSWER_TYPES, "en elementtype") \
        if "answers" in shared else {}
    checks = get("checks", {})
    if checks and rule_names:
        _meanings(where("checks"), "checks", checks, rule_names, "en af kontrollerne")
    result = Vocabulary(
        policies=tuple(policies), yes=get("yes", ""), no=get("no", ""),
        risk_levels=tuple(get("risk_levels", [])), decision_levels=tuple(get("decision_levels", [])),
        evidence_kinds=tuple(kinds), statuses=statuses, decisions=decisions, answers=answers, checks=dict(checks),
        traits=tuple(t for t, _ in traits.values()),
    )
    _check_whole(result, files[0], shared, traits)
    return result


def _check_whole(v: Vocabulary, first: _File, shared: dict, traits: dict) -> None:
    """What the declared words together must satisfy for the rules to work."""
    languages = {p.language for p in v.policies}
    if len(languages) > 1:
        raise first.error(("policy", "language"), f"Politikkerne på sitet har forskellige sprog ({', '.join(sorted(languages))}).",
                          "Giv dem samme language: sitet har ét sprog.")
    if not v.statuses:
        raise first.error(("vocabulary",), "Ingen politik erklærer projekternes statusser.",
                          'Tilføj [vocabulary.statuses] med fx planlagt = "planned" og "igangværende" = "in_use".')
    if not v.answers:
        raise first.error(("vocabulary",), "Ingen politik erklærer, hvad der kan besvare et krav.",
                          'Tilføj [vocabulary.answers] med fx overvejelse = "consideration".')
    if v.traits and not (v.yes and v.no):
        f = traits[v.traits[0].word][1]
        raise f.error(("vocabulary", "traits"), "Projekttræk er ja/nej-felter, men ordene for ja og nej mangler.",
                      'Tilføj yes = "ja" og no = "nej" under [vocabulary].')
    answered = set(v.answers.values())
    if "approval" in answered and not v.decisions:
        f = shared["answers"][1]
        raise f.error(("vocabulary", "answers"), "Et krav kan besvares med en godkendelse, men der er ingen beslutninger.",
                      'Tilføj [vocabulary.decisions] med fx godkendt = "approves" og afvist = "rejects".')
    if "evidence" in answered and not v.evidence_kinds:
        f = shared["answers"][1]
        raise f.error(("vocabulary", "answers"), "Et krav kan besvares med dokumentation, men der er ingen "
                      "dokumentationstyper.", 'Tilføj evidence_kinds = ["juridisk vurdering", ...] under [vocabulary].')
