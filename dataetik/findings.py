"""A finding: one thing an author must fix, said in Danish, pointing at file and line.

Every rule returns findings; reporters (text, JUnit, GitHub annotations) only format
them. A finding always names where to edit, which project and requirement it is
about, what is wrong and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    rule: str          # the check's name, e.g. "consideration-missing"
    file: str          # path relative to the site root, e.g. "projects/x/index.md"; "" = the whole site
    line: int | None
    problem: str       # what is wrong (Danish)
    fix: str           # how to fix it (Danish)
    project: str = ""  # project need ID, when the finding concerns a project
    requirement: str = ""  # requirement need ID, when one is concerned
    need: str = ""     # the need the finding is about, if any
    source: str = ""   # a build finding's Sphinx warning type, e.g. "dataetik.biastest"

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    @property
    def subject(self) -> str:
        """Project and requirement, as far as they are known: 'PRJ_X / R_Y'."""
        parts = [p for p in (self.project, self.requirement) if p]
        if not parts and self.need:
            parts = [self.need]
        return " / ".join(parts)

    def render(self) -> str:
        head = ": ".join(part for part in (self.location, self.subject, self.problem) if part)
        return f"{head}\n    Sådan retter du det: {self.fix}"


def render_all(findings: list[Finding]) -> str:
    return "\n".join(f.render() for f in findings)


def fail_on(findings: list[Finding]) -> None:
    """Fail the current pytest test with the findings as its whole message."""
    if findings:
        import pytest

        pytest.fail(render_all(findings), pytrace=False)
