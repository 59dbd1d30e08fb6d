"""The human report: failures grouped by project, each with where, what and how to fix."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from dataetik.report import Result


def render(results: list[Result], requirement_url: Callable[[str], str | None] = lambda _: None) -> str:
    failed = [r for r in results if not r.passed]
    if not failed:
        return f"Alle {len(results)} kontroller bestået."
    by_project: dict[str, list] = defaultdict(list)
    for result in failed:
        for finding in result.findings:  # a site-wide check may still find something in one project
            by_project[finding.project or result.project or "Politikken og sitet"].append(finding)
    lines = []
    for project in sorted(by_project):
        findings = sorted(by_project[project], key=lambda f: (f.file, f.line or 0))
        lines.append(f"{project} – {len(findings)} fejl")
        for f in findings:
            lines.append(f"  {f.location or '(hele sitet, fx conf.py)'}")
            lines.append(f"    {f.requirement + ': ' if f.requirement else ''}{f.problem}")
            for i, fix in enumerate(f.fix.splitlines()):
                lines.append(f"    {'Sådan retter du det: ' if i == 0 else ''}{fix}")
            url = requirement_url(f.requirement) if f.requirement else None
            if url:
                lines.append(f"    Læs kravet: {url}")
        lines.append("")
    count = sum(len(f) for f in by_project.values())
    lines.append(f"{count} fejl i {len(failed)} af {len(results)} kontroller.")
    return "\n".join(lines)
