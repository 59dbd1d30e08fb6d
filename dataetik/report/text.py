"""The human report: failures grouped by project, each with where, what and how to fix;
then the warnings (requirements not yet in force), which fail nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from dataetik.findings import Finding
from dataetik.report import Result


def _by_project(pairs: list[tuple[Result, Finding]]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for result, finding in pairs:  # a site-wide check may still find something in one project
        grouped[finding.project or result.project or "Politikken og sitet"].append(finding)
    return grouped


def _section(grouped: dict[str, list[Finding]], noun: str, requirement_url) -> list[str]:
    lines = []
    for project in sorted(grouped):
        findings = sorted(grouped[project], key=lambda f: (f.file, f.line or 0))
        lines.append(f"{project} – {len(findings)} {noun}")
        for f in findings:
            lines.append(f"  {f.location or '(hele sitet, fx conf.py)'}")
            requirement = f"{f.requirement} ({f.policy})" if f.requirement and f.policy else f.requirement
            lines.append(f"    {requirement + ': ' if requirement else ''}{f.problem}")
            for i, fix in enumerate(f.fix.splitlines()):
                lines.append(f"    {'Sådan retter du det: ' if i == 0 else ''}{fix}")
            url = requirement_url(f.requirement) if f.requirement else None
            if url:
                lines.append(f"    Læs kravet: {url}")
        lines.append("")
    return lines


def render(results: list[Result], requirement_url: Callable[[str], str | None] = lambda _: None) -> str:
    failed = [r for r in results if not r.passed]
    warned = [(r, f) for r in results for f in r.warnings]
    lines = _section(_by_project([(r, f) for r in failed for f in r.errors]), "fejl", requirement_url)
    if warned:
        lines += ["Advarsler – krav, der endnu ikke gælder; de fejler ikke nu:", ""]
        lines += _section(_by_project(warned), "advarsel" if len(warned) == 1 else "advarsler", requirement_url)
    if not failed:
        lines.append(f"Alle {len(results)} kontroller bestået.")
    else:
        count = sum(len(r.errors) for r in failed)
        lines.append(f"{count} fejl i {len(failed)} af {len(results)} kontroller.")
    if warned:
        lines[-1] += f" {len(warned)} {'advarsel' if len(warned) == 1 else 'advarsler'}."
    return "\n".join(lines)
