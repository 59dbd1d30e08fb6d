"""The words a policy speaks, declared by the policy itself in ``<policy folder>/policy.toml``.

Python knows *meanings* (a status that means "in use", a decision that "rejects", the need
type that answers a requirement); a policy names them in its own words. Every folder of the
site holding a ``policy.toml`` is a policy. Several policies may share a site: the tables that
describe a project as a whole (statuses, decisions, risk levels, decision levels, the words for
yes and no, answers) are declared once, in any one of them – the base policy, listed first;
evidence kinds, traits, classifications, checks and exports add up.

Errors name the file and line an editor opens, and say how to fix it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dataetik.i18n import _

FILE_NAME = "policy.toml"

# What the rules need to know about a value: its meaning. The words are the policy's.
STATUS_MEANINGS = ("planned", "in_use", "ended", "stopped")
DECISION_MEANINGS = ("approves", "approves_with_conditions", "rejects")
# Need types that can answer a requirement (the model's directives).
ANSWER_TYPES = ("consideration", "biastest", "evidence", "approval")

# Tables declared once per site, and the shape of each.
_SHARED = {
    "yes": str, "no": str, "risk_levels": list, "decision_levels": list,
    "statuses": dict, "decisions": dict, "answers": dict,
}
_ADDITIVE = {"evidence_kinds": list, "traits": dict, "classifications": dict, "checks": dict}
_POLICY_KEYS = {"title": str, "language": str}
_TRAIT_KEYS = {"field": str, "label": str, "question": str}
_CLASSIFICATION_KEYS = {"field": str, "label": str, "levels": list}
_EXPORT_KEYS = {"title": str, "requirements": list}
_DATE_KEYS = {"applies_from": dt.date, "existing_from": dt.date, "source": str}
_TOP_KEYS = ("policy", "vocabulary", "dates", "exports", "contact", "settings")
# [contact]: where citizens write about the projects (the register's "report an error" link). Declared once.
_CONTACT_KEYS = {"name": str, "email": str, "page": str}
# [settings]: switches of the rules; each has a default, so a policy states only what it changes.
_SETTINGS = {"changed_requirement_fails": (bool, False), "annual_report": (list, []),
             # The words that signal a consideration refers elsewhere ("see above"): language, so the policy's.
             "reference_phrases": (list, []),
             # The largest share of words a consideration may have in common with another (0 < x <= 1).
             "max_similarity": (float, 0.9),
             # The organisation's own published e-mail addresses and phone numbers ([contact] email is one
             # already): not a private person's, so the site may show them.
             "public_contacts": (list, []),
             # Sizes an author's file may have: a page, a bias test's counts file (in KB), a need's or a
             # heading's title (in characters). A page of 41 KB is the longest assessment of the examples.
             "max_page_kb": (int, 500), "max_counts_kb": (int, 100), "max_title_length": (int, 150)}
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# A published contact: an e-mail address, or a phone number (digits, spaces, +, -, brackets).
_CONTACT = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+|\+?(?:[\s()-]*\d){3,}[\s()-]*")


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
class Classification:
    """A scale a policy sorts projects on besides risk (e.g. a law's categories): a project field
    taking one of the levels, lowest first. A requirement's applies_when may name a level."""

    word: str
    field: str
    label: str
    levels: tuple[str, ...]
    folder: str    # the policy that declares it


@dataclass(frozen=True)
class NamedDate:
    """A date a policy's duties apply from, declared once and named by requirements (effective_from),
    so a change in the law is one edit. `existing_from`: the later date for projects started before
    it (a law's transition for systems already in use)."""

    name: str
    applies_from: dt.date
    existing_from: dt.date | None
    source: str
    folder: str


@dataclass(frozen=True)
class Export:
    """A document the policy hands on (a law's impact assessment, a registration): the answers
    to the listed requirements, in that order."""

    name: str
    title: str
    requirements: tuple[str, ...]
    folder: str


@dataclass(frozen=True)
class Contact:
    """Where citizens write about a project: a name, an e-mail address and (optional) the site's
    page with every contact (a docname, e.g. policy/contact)."""

    name: str
    email: str
    page: str = ""


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
    classifications: tuple[Classification, ...] = ()
    exports: tuple[Export, ...] = ()
    dates: dict[str, NamedDate] = field(default_factory=dict)
    declared_in: dict[str, str] = field(default_factory=dict)  # shared table -> folder of the policy declaring it
    contact: Contact | None = None
    settings: dict[str, object] = field(default_factory=lambda: {k: d for k, (_t, d) in _SETTINGS.items()})

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
    def project_fields(self) -> list[str]:
        """The fields the policy adds to a project: traits and classifications."""
        return [*(t.field for t in self.traits), *(c.field for c in self.classifications)]

    @property
    def condition_words(self) -> list[str]:
        """What a requirement's applies_when (and a criterion's sets) may name."""
        return [*(t.word for t in self.traits), *(level for c in self.classifications for level in c.levels)]

    def condition(self, word: str) -> tuple[str, str] | None:
        """applies_when's word -> (project field, the value it must have)."""
        for t in self.traits:
            if t.word == word:
                return t.field, self.yes
        for c in self.classifications:
            if word in c.levels:
                return c.field, word
        return None

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


def declared_language(srcdir: Path, exclude: list[str] = ()) -> str:
    """The language the site's policies declare ('' if none can be read), read as far as it can
    be when the rest of a policy.toml is broken: the error is then said in that language."""
    for path in policy_files(srcdir, exclude):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        try:
            language = tomllib.loads(text).get("policy", {}).get("language")
        except (tomllib.TOMLDecodeError, AttributeError):
            match = re.search(r"""^\s*language\s*=\s*["']([^"'\n]+)["']""", text, re.M)
            language = match.group(1) if match else None
        if isinstance(language, str) and language.strip():
            return language.strip()
    return ""


def load_site(srcdir: Path, exclude: list[str] = (), rule_names: frozenset[str] = frozenset()) -> Vocabulary:
    """The vocabulary of every policy in the site. Raises VocabularyError."""
    files = policy_files(srcdir, exclude)
    if not files:
        raise VocabularyError(srcdir / "policy" / FILE_NAME, None, _("The site has no policy: there is no policy.toml."),
                              _("Put the policy's vocabulary in a policy.toml in the policy's folder (see the field "
                                "reference)."))
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
        raise VocabularyError(path, None, _("The file is not saved as UTF-8."),
                              _("Save the file as UTF-8 in your editor.")) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        where = re.search(r"line (\d+)", str(err))
        raise VocabularyError(path, int(where.group(1)) if where else None,
                              _("The file cannot be read as TOML ({error}).").format(error=err),
                              _("Correct the line: text is written in quotation marks, lists in [ ], and each key "
                                "appears once.")) from None
    return _File(path, text, path.parent.relative_to(srcdir).as_posix(), data)


def _unknown(f: _File, keys: tuple[str, ...], key: str, allowed) -> VocabularyError:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    hint = _("Did you mean '{name}'?").format(name=close[0]) + " " if close else ""
    return f.error((*keys, key), _("The key '{key}' is not known.").format(key=key),
                   _("{suggestion}Allowed here: {allowed}.").format(suggestion=hint, allowed=", ".join(allowed)))


def _typed(f: _File, keys: tuple[str, ...], value, kind: type):
    if kind is dt.date:  # a TOML date, not a text in quotation marks (nor a date with a time)
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise f.error(keys, _("'{key}' must be a date written without quotation marks, e.g. "
                                  "{key} = 2027-12-02.").format(key=keys[-1]), _("Correct the value."))
        return value
    if kind is int and not (isinstance(value, int) and not isinstance(value, bool) and value > 0):
        raise f.error(keys, _("'{key}' must be a whole number above 0, e.g. 500.").format(key=".".join(keys)),
                      _("Correct the value."))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)  # "max_similarity = 1" is a number too
    if kind is float and not (isinstance(value, float) and 0 < value <= 1):  # a float setting is a share
        raise f.error(keys, _("'{key}' must be a number above 0 and at most 1, e.g. 0.9.").format(key=".".join(keys)),
                      _("Correct the value."))
    if not isinstance(value, kind) or (kind is list and not all(isinstance(v, str) and v.strip() for v in value)):
        shape = {str: _("a text in quotation marks"), bool: _("true or false, without quotation marks"), list: _('a list of texts, e.g. ["a", "b"]'),
                 dict: _("a table, e.g. [vocabulary.{key}]").format(key=keys[-1])}[kind]
        raise f.error(keys, _("'{key}' must be {shape}.").format(key=".".join(keys), shape=shape), _("Correct the value."))
    if kind is list and len(set(value)) != len(value):
        twice = next(v for v in value if value.count(v) > 1)
        raise f.error(keys, _("'{value}' appears twice in '{key}'.").format(value=twice, key=keys[-1]),
                      _("Write each value once."))
    return value


def _meanings(f: _File, key: str, table: dict, allowed: tuple[str, ...] | set[str], what: str) -> dict[str, str]:
    for word, meaning in table.items():
        if not isinstance(meaning, str) or meaning not in allowed:
            raise f.error(("vocabulary", key, word),
                          _("'{word}' has the meaning '{meaning}', which does not exist.").format(word=word, meaning=meaning),
                          _("Choose {what}: {allowed}.").format(what=what, allowed=", ".join(sorted(allowed))))
    return dict(table)


def _policy_info(f: _File) -> PolicyInfo:
    table = f.data.get("policy")
    if not isinstance(table, dict):
        raise f.error(("policy",), _("The file lacks the table [policy]."),
                      _('Add [policy] with title = "The policy\'s name" and language = "en".'))
    for key in table:
        if key not in _POLICY_KEYS:
            raise _unknown(f, ("policy",), key, _POLICY_KEYS)
    for key, kind in _POLICY_KEYS.items():
        if key not in table:
            raise f.error(("policy",), _("[policy] lacks '{key}'.").format(key=key), _add_key(key))
        _typed(f, ("policy", key), table[key], kind)
    return PolicyInfo(f.folder, table["title"], table["language"], f.path)


def _add_key(key: str) -> str:
    return _('Add {key} = "...".').format(key=key)


def _named_tables(f: _File, keys: tuple[str, ...], table: dict, allowed: dict[str, type], required: tuple[str, ...],
                  not_a_table: tuple[str, str], lacks: str, how_to_add) -> list[tuple[str, dict, tuple[str, ...]]]:
    """The entries of a table of named tables (traits, classifications, dates, exports): each a
    table with only the allowed keys, every required one, each of its type. The messages name
    the kind of entry (msgids with {name} or {word}); how_to_add(key) says how to add a missing key."""
    entries = []
    for name, spec in table.items():
        at = (*keys, name)
        if not isinstance(spec, dict):
            raise f.error(at, not_a_table[0].format(name=name, word=name), not_a_table[1].format(name=name, word=name))
        for key in spec:
            if key not in allowed:
                raise _unknown(f, at, key, allowed)
        for key, kind in allowed.items():
            if key in required and key not in spec:
                raise f.error(at, lacks.format(name=name, word=name, key=key), how_to_add(key))
            if key in spec:
                _typed(f, (*at, key), spec[key], kind)
        entries.append((name, spec, at))
    return entries


def _field_name(f: _File, at: tuple[str, ...], spec: dict) -> str:
    if not _FIELD_NAME.match(spec["field"]):
        raise f.error((*at, "field"), _("The field name '{field}' cannot be used.").format(field=spec["field"]),
                      _('Use lower-case letters a-z, digits and _, e.g. field = "procured".'))
    return spec["field"]


def _traits(f: _File, table: dict) -> list[Trait]:
    entries = _named_tables(
        f, ("vocabulary", "traits"), table, _TRAIT_KEYS, tuple(_TRAIT_KEYS),
        (_("The project trait '{word}' must be a table."),
         _('Write [vocabulary.traits."{word}"] with field, label and question.')),
        _("The project trait '{word}' lacks '{key}'."), _add_key)
    return [Trait(word, _field_name(f, at, spec), spec["label"], spec["question"]) for word, spec, at in entries]


def _classifications(f: _File, table: dict) -> list[Classification]:
    entries = _named_tables(
        f, ("vocabulary", "classifications"), table, _CLASSIFICATION_KEYS, tuple(_CLASSIFICATION_KEYS),
        (_("The classification '{word}' must be a table."),
         _('Write [vocabulary.classifications."{word}"] with field, label and levels.')),
        _("The classification '{word}' lacks '{key}'."),
        lambda key: _('Add levels = ["...", "..."] (lowest first).') if key == "levels" else _add_key(key))
    return [Classification(word, _field_name(f, at, spec), spec["label"], tuple(spec["levels"]), f.folder)
            for word, spec, at in entries]


def _dates(f: _File, table) -> list[NamedDate]:
    entries = _named_tables(
        f, ("dates",), _typed(f, ("dates",), table, dict), _DATE_KEYS, ("applies_from", "source"),
        (_("The date '{name}' must be a table."),
         _('Write [dates."{name}"] with applies_from = 2027-12-02 and source = "...".')),
        _("The date '{name}' lacks '{key}'."), _add_key)
    return [NamedDate(name, spec["applies_from"], spec.get("existing_from"), spec["source"], f.folder)
            for name, spec, _at in entries]


def _exports(f: _File, table) -> list[Export]:
    entries = _named_tables(
        f, ("exports",), _typed(f, ("exports",), table, dict), _EXPORT_KEYS, tuple(_EXPORT_KEYS),
        (_("The export '{name}' must be a table."), _("Write [exports.{name}] with title and requirements.")),
        _("The export '{name}' lacks '{key}'."),
        lambda key: _('Add requirements = ["R_...", ...].') if key == "requirements" else _add_key(key))
    return [Export(name, spec["title"], tuple(spec["requirements"]), f.folder) for name, spec, _at in entries]


def _contact(f: _File, table) -> Contact | None:
    if table is None:
        return None
    table = _typed(f, ("contact",), table, dict)
    for key in table:
        if key not in _CONTACT_KEYS:
            raise _unknown(f, ("contact",), key, _CONTACT_KEYS)
    for key in ("name", "email"):
        if key not in table:
            raise f.error(("contact",), _("[contact] lacks '{key}'.").format(key=key), _add_key(key))
    values = {key: _typed(f, ("contact", key), value, _CONTACT_KEYS[key]) for key, value in table.items()}
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", values["email"]):
        raise f.error(("contact", "email"), _("'{email}' is not an e-mail address.").format(email=values["email"]),
                      _('Write it as email = "name@example.org".'))
    return Contact(**values)


def _settings(f: _File, table) -> dict[str, object]:
    table = _typed(f, ("settings",), table or {}, dict)
    for key, value in table.items():
        if key not in _SETTINGS:
            raise _unknown(f, ("settings",), key, _SETTINGS)
    settings = {key: _typed(f, ("settings", key), value, _SETTINGS[key][0]) for key, value in table.items()}
    for contact in settings.get("public_contacts", []):
        if not _CONTACT.fullmatch(contact.strip()):
            raise f.error(("settings", "public_contacts"),
                          _("'{value}' in public_contacts is neither an e-mail address nor a phone number.").format(
                              value=contact),
                          _('Write each as an address or a number, e.g. public_contacts = ["borgerservice@example.org", '
                            '"39 57 50 00"].'))
    return settings


def merge(files: list[_File], rule_names: frozenset[str] = frozenset()) -> Vocabulary:
    """One vocabulary from every policy's file: shared tables once, additive ones summed."""
    from dataetik import model  # field names a trait may not take

    shared: dict[str, tuple[object, _File]] = {}
    kinds: dict[str, _File] = {}
    traits: dict[str, tuple[Trait, _File]] = {}
    classes: dict[str, tuple[Classification, _File]] = {}
    exports: dict[str, Export] = {}
    dates: dict[str, NamedDate] = {}
    checks: dict[str, tuple[object, _File]] = {}
    policies = []
    contact: tuple[Contact, _File] | None = None
    settings: dict[str, object] = {k: d for k, (_t, d) in _SETTINGS.items()}
    for f in files:
        policies.append(_policy_info(f))
        found = _contact(f, f.data.get("contact"))
        if found and contact:
            raise f.error(("contact",), _("[contact] is also declared in {file}.").format(
                file=f"{contact[1].folder}/{FILE_NAME}"), _("Declare it in one place only: the site's policies share it."))
        contact = (found, f) if found else contact
        for key, value in _settings(f, f.data.get("settings")).items():  # lists add up, like a law's requirements
            settings[key] = [*settings[key], *value] if isinstance(value, list) else value
        for key in f.data:
            if key not in _TOP_KEYS:
                raise _unknown(f, (), key, _TOP_KEYS)
        for named in _dates(f, f.data.get("dates", {})):
            if named.name in dates:
                raise f.error(("dates", named.name), _("The date '{name}' is already declared.").format(
                    name=named.name), _("Declare each date in one place only."))
            dates[named.name] = named
        for export in _exports(f, f.data.get("exports", {})):
            if export.name in exports:
                raise f.error(("exports", export.name), _("The export '{name}' is already declared.").format(
                    name=export.name), _("Give each export a name of its own."))
            exports[export.name] = export
        vocab = f.data.get("vocabulary", {})
        for key, value in vocab.items():
            kind = _SHARED.get(key) or _ADDITIVE.get(key)
            if kind is None:
                raise _unknown(f, ("vocabulary",), key, [*_SHARED, *_ADDITIVE])
            _typed(f, ("vocabulary", key), value, kind)
            if key in _SHARED:
                if key in shared:
                    other = shared[key][1]
                    raise f.error(("vocabulary", key),
                                  _("'{key}' is also declared in {file} in {folder}/ (line {line}).").format(
                                      key=key, file=other.path.name, folder=other.folder,
                                      line=other.line_of("vocabulary", key)),
                                  _("Declare it in one place only: the site's policies share it."))
                shared[key] = (value, f)
        for word in vocab.get("evidence_kinds", []):
            if word in kinds:
                raise f.error(("vocabulary", "evidence_kinds"),
                              _("The evidence kind '{word}' is also declared in {file}.").format(
                                  word=word, file=f"{kinds[word].folder}/{FILE_NAME}"),
                              _("Declare it in one place only."))
            kinds[word] = f
        for trait in _traits(f, vocab.get("traits", {})):
            taken = {t.field for t, _file in traits.values()} | {c.field for c, _file in classes.values()}
            levels = {level for c, _file in classes.values() for level in c.levels}
            if trait.word in traits or trait.word in levels or trait.field in taken:
                raise f.error(("vocabulary", "traits", trait.word),
                              _("The project trait '{word}' (the field '{field}') is already declared.").format(
                                  word=trait.word, field=trait.field),
                              _("Declare each trait and field in one place only."))
            if trait.field in model.FIXED_FIELDS or trait.field in model.NEED_LINKS:
                raise f.error(("vocabulary", "traits", trait.word, "field"),
                              _("The field '{field}' is already used by the model.").format(field=trait.field),
                              _("Give the trait a field name of its own."))
            traits[trait.word] = (trait, f)
        for word, name in vocab.get("checks", {}).items():
            if word in checks:
                raise f.error(("vocabulary", "checks", word), _("The check word '{word}' is also declared in {file}.").format(
                    word=word, file=f"{checks[word][1].folder}/{FILE_NAME}"), _("Declare it in one place only."))
            checks[word] = (name, f)
        for scale in _classifications(f, vocab.get("classifications", {})):
            _unique_fields_and_words(f, scale, traits, classes)
            classes[scale.word] = (scale, f)

    def get(key, default):
        return shared[key][0] if key in shared else default

    def where(key) -> _File:
        return shared[key][1]

    statuses = _meanings(where("statuses"), "statuses", get("statuses", {}), STATUS_MEANINGS,
                         _("one of the meanings")) if "statuses" in shared else {}
    decisions = _meanings(where("decisions"), "decisions", get("decisions", {}), DECISION_MEANINGS,
                          _("one of the meanings")) if "decisions" in shared else {}
    answers = _meanings(where("answers"), "answers", get("answers", {}), ANSWER_TYPES, _("an element type")) \
        if "answers" in shared else {}
    if rule_names:
        for f in files:
            _meanings(f, "checks", {w: n for w, (n, owner) in checks.items() if owner is f}, rule_names,
                      _("one of the checks"))
    # The base policy first (the one declaring the projects' statuses); laws layered on it after.
    base = shared["statuses"][1].folder if "statuses" in shared else None
    policies.sort(key=lambda p: p.folder != base)
    result = Vocabulary(
        policies=tuple(policies), yes=get("yes", ""), no=get("no", ""),
        risk_levels=tuple(get("risk_levels", [])), decision_levels=tuple(get("decision_levels", [])),
        evidence_kinds=tuple(kinds), statuses=statuses, decisions=decisions, answers=answers, checks={w: n for w, (n, _f) in checks.items()},
        traits=tuple(t for t, _file in traits.values()),
        classifications=tuple(c for c, _file in classes.values()),
        exports=tuple(exports.values()), dates=dates,
        declared_in={key: f.folder for key, (_value, f) in shared.items()},
        contact=contact[0] if contact else None, settings=settings,
    )
    _check_whole(result, files[0], shared, traits)
    return result


def _unique_fields_and_words(f: _File, scale: Classification, traits: dict, classes: dict) -> None:
    """A classification's field is its own, and each level word names one thing an applies_when
    can mean."""
    from dataetik import model

    keys = ("vocabulary", "classifications", scale.word)
    fields = {t.field for t, _file in traits.values()} | {c.field for c, _file in classes.values()}
    if scale.word in classes or scale.field in fields or scale.field in model.FIXED_FIELDS or scale.field in model.NEED_LINKS:
        raise f.error((*keys, "field"), _("The classification '{word}' (the field '{field}') is already declared or "
                                         "used by the model.").format(word=scale.word, field=scale.field),
                      _("Give the classification a name and a field of its own."))
    words = set(traits) | {level for c, _file in classes.values() for level in c.levels}
    taken = next((level for level in scale.levels if level in words), None)
    if taken:
        raise f.error((*keys, "levels"), _("The level '{level}' is already a trait or a level of another "
                                          "classification.").format(level=taken),
                      _("Give each level a word of its own: a requirement's applies_when names it."))


def _check_whole(v: Vocabulary, first: _File, shared: dict, traits: dict) -> None:
    """What the declared words together must satisfy for the rules to work."""
    languages = {p.language for p in v.policies}
    if len(languages) > 1:
        raise first.error(("policy", "language"),
                          _("The site's policies have different languages ({languages}).").format(
                              languages=", ".join(sorted(languages))),
                          _("Give them the same language: the site has one language."))
    if not v.statuses:
        raise first.error(("vocabulary",), _("No policy declares the projects' statuses."),
                          _('Add [vocabulary.statuses] with e.g. planned = "planned" and "in use" = "in_use".'))
    if not v.answers:
        raise first.error(("vocabulary",), _("No policy declares what can answer a requirement."),
                          _('Add [vocabulary.answers] with e.g. consideration = "consideration".'))
    if (v.traits or v.classifications) and not (v.yes and v.no):
        f = first
        raise f.error(("vocabulary",), _("Project traits and questionnaires are answered yes or no, but the words for "
                                         "yes and no are missing."),
                      _('Add yes = "yes" and no = "no" under [vocabulary].'))
    answered = set(v.answers.values())
    if "approval" in answered and not v.words_for(v.decisions, "approves", "approves_with_conditions"):
        f = shared["answers"][1]
        raise f.error(("vocabulary", "answers"), _("A requirement can be answered with an approval, but no decision "
                                                   "approves."),
                      _('Add [vocabulary.decisions] with e.g. approved = "approves" and rejected = "rejects".'))
    if "evidence" in answered and not v.evidence_kinds:
        f = shared["answers"][1]
        raise f.error(("vocabulary", "answers"), _("A requirement can be answered with evidence, but there are no "
                                                   "evidence kinds."),
                      _('Add evidence_kinds = ["legal assessment", ...] under [vocabulary].'))
