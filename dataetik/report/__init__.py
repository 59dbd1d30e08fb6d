"""Output formats for check results: one module each, all fed the same results."""

from __future__ import annotations

from dataclasses import dataclass

from dataetik.findings import Finding


@dataclass(frozen=True)
class Result:
    """One case run: its rule, key, project and what it found (empty: passed)."""

    rule: str
    key: str
    project: str
    findings: tuple[Finding, ...]

    @property
    def passed(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_error)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.is_error)

    @property
    def test_name(self) -> str:
        """The same name the pytest checks give the case, so reports line up."""
        return f"test_{self.rule}[{self.key}]"
