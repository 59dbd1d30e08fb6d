"""The human report: failures grouped by project, each with where, what and how to fix;
then the warnings (requirements not yet in force), which fail nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from dataetik.findings import Finding, how_to_fix
from dataetik.i18n import _, ngettext
from dataetik.report import Result


def _by_project(pairs: list[tuple[Result, Finding]]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for result, finding in pairs:  # a site-wide check may still find something in one project
        grouped[finding.project or result.project or _("The policy and the site")].append(finding)
    return grouped


def _section(grouped: dict[str, list[Finding]], heading: Callable[[str, int], str], requirement_url) -> list[str]:
    lines = []
    for project in sorted(grouped):
        findings = sorted(grouped[project], key=lambda f: (f.file, f.line or 0))
        lines.append(heading(project, len(findings)))
        for f in findings:
            lines.append("  " + (f.location or _("(the whole site, e.g. conf.py)")))
            requirement = f"{f.requirement} ({f.policy})" if f.requirement and f.policy else f.requirement
            lines.append(f"    {requirement + ': ' if requirement else ''}{f.problem}")
            for i, fix in enumerate(f.fix.splitlines()):
                lines.append(f"    {how_to_fix() + ' ' if i == 0 else ''}{fix}")
            url = requirement_url(f.requirement) if f.requirement else None
            if url:
                lines.append("    " + _("Read the requirement: {url}").format(url=url))
        lines.append("")
    return lines


def render(results: list[Result], requirement_url: Callable[[str], str | None] = lambda _: None) -> str:
    failed = [r for r in results if not r.passed]
    warned = [(r, f) for r in results for f in r.warnings]
    errors = lambda project, n: ngettext("{project} – {count} error", "{project} – {count} errors", n).format(  # noqa: E731
        project=project, count=n)
    lines = _section(_by_project([(r, f) for r in failed for f in r.errors]), errors, requirement_url)
    if warned:
        lines += [_("Warnings – requirements not yet in force; they fail nothing now:"), ""]
        warnings = lambda project, n: ngettext("{project} – {count} warning", "{project} – {count} warnings", n).format(  # noqa: E731
            project=project, count=n)
        lines += _section(_by_project(warned), warnings, requirement_url)
    if not failed:
        lines.append(ngettext("All {total} check passed.", "All {total} checks passed.", len(results)).format(
            total=len(results)))
    else:
        count = sum(len(r.errors) for r in failed)
        lines.append(ngettext("{count} error in {failed} of {total} checks.", "{count} errors in {failed} of {total} checks.",
                              count).format(count=count, failed=len(failed), total=len(results)))
    if warned:
        lines[-1] += " " + ngettext("{count} warning.", "{count} warnings.", len(warned)).format(count=len(warned))
    return "\n".join(lines)
