"""The policies as the checks see them, read from their own needs and policy.toml files.

Nothing here lists requirements or words: which projects a requirement applies to and what
answers it come from the requirement's fields on the policy pages, and what those fields'
words mean from the policy's vocabulary.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
from dataclasses import dataclass
from functools import cached_property

from dataetik.i18n import _
from dataetik.model import DATE_PATTERN
from dataetik.needs_data import Needs
from dataetik.site_files import EXCLUDE_PATTERNS
from dataetik.vocabulary import PolicyInfo, Vocabulary, load_site


def _as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def _number(value) -> float | None:
    return None if value in (None, "") else float(value)


def parse_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def impossible_date(value) -> bool:
    """Shaped like a date but not one (2025-02-30). Other shapes fail the build's field schema,
    which already names file and line; reporting them here too would say it twice."""
    return bool(value) and re.match(DATE_PATTERN, str(value)) is not None and parse_date(value) is None


def no_such_day(field: str) -> str:
    return _("Correct the day or the month in ':{field}:' (February, for instance, has only 28 or 29 days).").format(
        field=field)


def today() -> dt.date:
    """Today, or the day DATAETIK_TODAY names (ÅÅÅÅ-MM-DD): checks that depend on the date are
    reproducible. A value that is not a date is an author's error, said in words."""
    value = os.environ.get("DATAETIK_TODAY", "").strip()
    if not value:
        return dt.date.today()
    day = parse_date(value)
    if day is None:
        raise ValueError(_("{setting}='{value}' is not a date. Write it as YYYY-MM-DD, e.g. 2026-11-26.").format(
            setting="DATAETIK_TODAY", value=value))
    return day


def _effective(value, vocab: Vocabulary) -> dict:
    """effective_from as written: a date, or the name of a date the policy declares."""
    named = vocab.dates.get(str(value or "").strip())
    if named:
        return {"effective_from": named.applies_from, "existing_from": named.existing_from}
    return {"effective_from": parse_date(value) if value else None}


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    need: dict
    policy: PolicyInfo | None
    applies_risk: tuple[str, ...]
    applies_when: tuple[tuple[str, str], ...]  # (project field, value): one must hold (a trait 'yes', a level)
    answered_by: tuple[str, ...]    # need types
    evidence_kind: tuple[str, ...]
    checks: tuple[str, ...] = ()    # project-wide rules that cite this requirement
    forbids_status: tuple[str, ...] = ()  # status words a project it applies to may never have
    effective_from: dt.date | None = None  # the date, or the named date's, it applies from
    existing_from: dt.date | None = None   # the named date's later date for projects started before

    @classmethod
    def from_need(cls, need: dict, vocab: Vocabulary) -> "Requirement":
        return cls(
            id=need["id"],
            title=need["title"],
            need=need,
            policy=vocab.policy_of(need.get("docname") or "") or (vocab.policies[0] if vocab.policies else None),
            applies_risk=tuple(_as_list(need.get("applies_risk"))),
            # The policy's words on the page -> project fields / need types / rules.
            applies_when=tuple(vocab.condition(v) or (v, vocab.yes) for v in _as_list(need.get("applies_when"))),
            answered_by=tuple(vocab.answers.get(v, v) for v in _as_list(need.get("answered_by"))),
            evidence_kind=tuple(_as_list(need.get("evidence_kind"))),
            checks=tuple(vocab.checks.get(v, v) for v in _as_list(need.get("checks"))),
            forbids_status=tuple(_as_list(need.get("forbids_status"))),
            **_effective(need.get("effective_from"), vocab),
        )

    def number(self, field: str) -> float | None:
        try:
            return _number(self.need.get(field))
        except ValueError:
            return None  # not a number: the build's field schema says so

    def effective_for(self, project: dict | None) -> dt.date | None:
        """The day the requirement binds a project: `effective_from`, or for a project started
        before it, the later `existing_from` where the policy grants one (a law's transition for
        systems already in use)."""
        start = parse_date((project or {}).get("start_date"))
        if self.effective_from and self.existing_from and start and start < self.effective_from:
            return max(self.existing_from, self.effective_from)
        return self.effective_from


def word_fields(vocab: Vocabulary) -> dict[str, tuple[str, ...]]:
    """A requirement's fields that take the policy's words, each with the words it may take. A word
    the policy does not declare would silently apply the requirement to no project, or demand nothing."""
    return {
        "applies_risk": tuple(vocab.risk_levels),
        "applies_when": tuple(vocab.condition_words),
        "answered_by": tuple(vocab.answers),
        "evidence_kind": tuple(vocab.evidence_kinds),
        "checks": tuple(vocab.checks),
        "forbids_status": tuple(vocab.statuses),
    }


def unknown_words(req: Requirement, vocab: Vocabulary) -> list[tuple[str, str, tuple[str, ...]]]:
    """(field, word, the words allowed there) for each word of the requirement the policy does not declare."""
    return [(field, word, words) for field, words in word_fields(vocab).items()
            # Risk levels on a policy without any: requirement_is_traceable says so, once.
            if words or field != "applies_risk"
            for word in _as_list(req.need.get(field)) if word not in words]


@dataclass(frozen=True)
class Policy:
    """Every policy of the site, with the needs written under and against them."""

    needs: Needs
    requirements: tuple[Requirement, ...]
    vocabulary: Vocabulary

    @classmethod
    def from_needs(cls, needs: Needs, vocabulary: Vocabulary | None = None) -> "Policy":
        if vocabulary is None:
            from dataetik.rules import project_wide_names

            vocabulary = load_site(needs.srcdir, EXCLUDE_PATTERNS, project_wide_names())
        # In the order the policy pages state them, so generated pages read like the policy.
        ordered = sorted(needs.of_type("requirement"), key=lambda n: (n.get("docname") or "", n.get("lineno") or 0))
        return cls(needs=needs, requirements=tuple(Requirement.from_need(n, vocabulary) for n in ordered),
                   vocabulary=vocabulary)

    @cached_property
    def today(self) -> dt.date:
        return today()

    @cached_property
    def _requirement_by_id(self) -> dict[str, Requirement]:
        return {r.id: r for r in self.requirements}

    def requirement(self, req_id: str) -> Requirement | None:
        return self._requirement_by_id.get(req_id)

    @property
    def projects(self) -> list[dict]:
        return self.needs.of_type("project")

    @cached_property
    def _project_by_folder(self) -> dict[str, str]:
        return {posixpath.dirname(p["docname"]): p["id"] for p in self.projects}

    def project_of_file(self, file: str) -> str:
        """The ID of the project whose folder holds this file (relative to the site), or ''."""
        return self._project_by_folder.get(posixpath.dirname(file), "")

    def applies_to(self, req: Requirement, project: dict) -> bool:
        """Risk level in `applies_risk` (where it names levels: a requirement that names none does
        not depend on risk), and (if `applies_when` names traits or classification levels) the
        project has one of them."""
        if req.applies_risk and project.get("risk") not in req.applies_risk:
            return False
        return not req.applies_when or any(project.get(f) == value for f, value in req.applies_when)

    def applicable(self, project: dict) -> list[Requirement]:
        """The requirements that apply to the project: worked out once per combination of the values
        they depend on (the risk level, the fields their applies_when name), not once per call."""
        key = (project.get("risk"), *(project.get(f) for f in self._conditions))
        try:
            found = self._applicable.get(key)
        except TypeError:  # a value that cannot be a key (a list): worked out each time
            return [r for r in self.requirements if self.applies_to(r, project)]
        if found is None:
            found = self._applicable[key] = tuple(r for r in self.requirements if self.applies_to(r, project))
        return list(found)

    @cached_property
    def _conditions(self) -> tuple[str, ...]:
        """The project fields some requirement's applies_when names."""
        return tuple(dict.fromkeys(f for r in self.requirements for f, _value in r.applies_when))

    @cached_property
    def _applicable(self) -> dict[tuple, tuple[Requirement, ...]]:
        return {}

    def approval_level(self, risk: str | None) -> str | None:
        """The lowest decision level the policy's risk level demands; None where it demands none."""
        for level in self.needs.of_type("risklevel"):
            if level.get("level") == risk:
                return level.get("approval_level")
        return None

    def setting(self, field: str) -> float | None:
        """A policy-wide number declared on a requirement (min_words, min_ratio, ...); None where
        no requirement states it: a setting applies only where the policy states it.

        If several requirements declare it, the strictest wins."""
        known = vars(self).setdefault("_settings", {})  # asked per case (min_words, ...): worked out once per field
        if field not in known:
            values = [r.number(field) for r in self.requirements if r.number(field) is not None]
            known[field] = None if not values else min(values) if field == "max_difference" else max(values)
        return known[field]

    def policy_label(self, req: Requirement | None) -> str:
        """The policy a finding cites, when the site has several (with one, it would be noise)."""
        if not (req and req.policy and len(self.vocabulary.policies) > 1):
            return ""
        # The policy and where in it (a law's article): a finding under a law cites both.
        source = req.need.get("source")
        return f"{req.policy.title}, {source}" if source else req.policy.title
