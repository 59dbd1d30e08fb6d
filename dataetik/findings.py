"""A finding: one thing an author must fix, said in the policy's language, pointing at file and line.

Every rule returns findings; reporters (text, JUnit, GitHub annotations) only format
them. A finding always names where to edit, which project and requirement it is
about, what is wrong and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

from dataetik.i18n import _


def how_to_fix() -> str:
    """The words before a finding's fix, wherever one is shown."""
    return _("How to fix it:")


@dataclass(frozen=True)
class Finding:
    rule: str          # the check's name, e.g. "consideration" (stamped by dataetik.rules on every case)
    file: str          # path relative to the site root, e.g. "projects/x/index.md"; "" = the whole site
    line: int | None
    problem: str       # what is wrong (in the policy's language)
    fix: str           # how to fix it (in the policy's language)
    project: str = ""  # project need ID, when the finding concerns a project
    requirement: str = ""  # requirement need ID, when one is concerned
    need: str = ""     # the need the finding is about, if any
    source: str = ""   # a build finding's Sphinx warning type, e.g. "dataetik.biastest"
    policy: str = ""   # the policy the requirement is in, where the site has several
    severity: str = "error"  # "warning": reported, but fails nothing (e.g. a requirement not yet in force)
    cause: bool = False  # a root cause other findings may follow from (a duplicate ID): shown first

    @property
    def order(self) -> tuple:
        """How a report lists findings: root causes first, then by file and line."""
        return (not self.cause, self.file, self.line or 0)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    @property
    def subject(self) -> str:
        """Project and requirement, as far as they are known: 'PRJ_X / R_Y'."""
        requirement = f"{self.requirement} ({self.policy})" if self.requirement and self.policy else self.requirement
        parts = [p for p in (self.project, requirement) if p]
        if not parts and self.need:
            parts = [self.need]
        return " / ".join(parts)

    def render(self) -> str:
        head = ": ".join(part for part in (self.location, self.subject, self.problem) if part)
        return f"{head}\n    {how_to_fix()} {self.fix}"


def render_all(findings: list[Finding]) -> str:
    return "\n".join(f.render() for f in findings)


def fail_on(findings: list[Finding]) -> None:
    """Fail the current pytest test with the errors as its whole message; warnings (a requirement
    not yet in force) are shown in pytest's warnings summary and fail nothing."""
    import warnings

    import pytest

    for finding in findings:
        if not finding.is_error:
            warnings.warn(finding.render(), UserWarning, stacklevel=2)
    errors = [f for f in findings if f.is_error]
    if errors:
        pytest.fail(render_all(errors), pytrace=False)
