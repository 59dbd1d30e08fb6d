"""The policy as the checks see it, read from the policy's own needs.

Nothing here lists requirements: which projects a requirement applies to and what
answers it come from the requirement's fields on the policy pages.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import cached_property

from dataetik import model
from dataetik.needs_data import Needs


def _as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def _number(value) -> float | None:
    return None if value in (None, "") else float(value)


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    need: dict
    applies_risk: tuple[str, ...]
    applies_when: tuple[str, ...]
    answered_by: tuple[str, ...]
    evidence_kind: tuple[str, ...]
    checks: tuple[str, ...] = ()  # project-wide rules that cite this requirement

    @classmethod
    def from_need(cls, need: dict) -> "Requirement":
        return cls(
            id=need["id"],
            title=need["title"],
            need=need,
            applies_risk=tuple(_as_list(need.get("applies_risk"))),
            # Danish values on the page -> project fields / need types the rules use.
            applies_when=tuple(model.PROJECT_TRAITS.get(v, v) for v in _as_list(need.get("applies_when"))),
            answered_by=tuple(model.ANSWER_TYPES.get(v, v) for v in _as_list(need.get("answered_by"))),
            evidence_kind=tuple(_as_list(need.get("evidence_kind"))),
            checks=tuple(model.PROJECT_CHECKS.get(v, v) for v in _as_list(need.get("checks"))),
        )

    def applies_to(self, project: dict) -> bool:
        """Risk level in `applies_risk`, and (if `applies_when` names traits) one of them is 'ja'."""
        if project.get("risk") not in self.applies_risk:
            return False
        return not self.applies_when or any(project.get(t) == "ja" for t in self.applies_when)

    def number(self, field: str) -> float | None:
        return _number(self.need.get(field))


@dataclass(frozen=True)
class Policy:
    needs: Needs
    requirements: tuple[Requirement, ...]

    @classmethod
    def from_needs(cls, needs: Needs) -> "Policy":
        # In the order the policy pages state them, so generated pages read like the policy.
        ordered = sorted(needs.of_type("requirement"), key=lambda n: (n.get("docname") or "", n.get("lineno") or 0))
        return cls(needs=needs, requirements=tuple(Requirement.from_need(n) for n in ordered))

    @property
    def projects(self) -> list[dict]:
        return self.needs.of_type("project")

    @cached_property
    def _project_by_folder(self) -> dict[str, str]:
        return {posixpath.dirname(p["docname"]): p["id"] for p in self.projects}

    def project_of_file(self, file: str) -> str:
        """The ID of the project whose folder holds this file (relative to the site), or ''."""
        return self._project_by_folder.get(posixpath.dirname(file), "")

    def applicable(self, project: dict) -> list[Requirement]:
        return [r for r in self.requirements if r.applies_to(project)]

    def approval_level(self, risk: str) -> str | None:
        """The lowest decision level the policy's risk level demands."""
        for level in self.needs.of_type("risklevel"):
            if level.get("level") == risk:
                return level.get("approval_level")
        return None

    def setting(self, field: str) -> float | None:
        """A policy-wide number declared on a requirement (min_words, min_ratio, ...).

        If several requirements declare it, the strictest wins."""
        values = [r.number(field) for r in self.requirements if r.number(field) is not None]
        if not values:
            return None
        return min(values) if field == "max_difference" else max(values)


def rank(values: list[str], value: str | None) -> int:
    """Position of a value in an ordered list (model.RISK_LEVELS, DECISION_LEVELS); -1 if unknown."""
    return values.index(value) if value in values else -1


def risk_rank(value: str | None) -> int:
    return rank(model.RISK_LEVELS, value)


def decision_rank(value: str | None) -> int:
    return rank(model.DECISION_LEVELS, value)
