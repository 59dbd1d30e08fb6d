"""The human report: failures grouped by project, each with where, what and how to fix;
then the warnings (a requirement not yet in force, a planned project past its start, a changed requirement text) and what each planned project's start will
demand, which fail nothing; last a summary whose every figure is explained."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from dataetik.findings import Finding, how_to_fix
from dataetik.i18n import _, ngettext
from dataetik.readiness import Readiness
from dataetik.report import Result

# Results that are not check cases: what the build (Sphinx) or the policy's words said.
BUILD, VOCABULARY = "build", "vocabulary"


def _by_project(pairs: list[tuple[Result, Finding]]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for result, finding in pairs:  # a site-wide check may still find something in one project
        grouped[finding.project or result.project or _("The policy and the site")].append(finding)
    return grouped


def _findings(findings: list[Finding], requirement_url) -> list[str]:
    lines = []
    for f in sorted(findings, key=lambda f: f.order):  # a root cause first, then by file and line
        lines.append("  " + (f.location or _("(the whole site, e.g. conf.py)")))
        requirement = f"{f.requirement} ({f.policy})" if f.requirement and f.policy else f.requirement
        lines.append(f"    {requirement + ': ' if requirement else ''}{f.problem}")
        for i, fix in enumerate(f.fix.splitlines()):
            lines.append(f"    {how_to_fix() + ' ' if i == 0 else ''}{fix}")
        url = requirement_url(f.requirement) if f.requirement else None
        if url:
            lines.append("    " + _("Read the requirement: {url}").format(url=url))
    return lines


def _section(grouped: dict[str, list[Finding]], heading: Callable[[str, int], str], requirement_url) -> list[str]:
    lines = []
    for project in sorted(grouped):
        lines.append(heading(project, len(grouped[project])))
        lines += _findings(grouped[project], requirement_url)
        lines.append("")
    return lines


def _when(r: Readiness) -> str:
    """The project's heading: the day its start was judged on, and why that day."""
    project = r.project["id"]
    if r.start is None:
        return _("{project} – no valid start date yet; judged as if in use today, {day}").format(project=project,
                                                                                              day=r.day)
    if r.start < r.day:
        return _("{project} – the start date {start} has passed; judged as if in use today, {day}").format(
            project=project, start=r.start, day=r.day)
    return _("{project} – to start {day}; judged as if in use from that day").format(project=project, day=r.day)


def _readiness(items: Sequence[Readiness], requirement_url) -> list[str]:
    status = items[0].status
    lines = [_("Before the project can be started"),
             _("What changing the status to '{status}' will demand, beyond the errors above. It fails nothing "
               "now.").format(status=status), ""]
    for r in sorted(items, key=lambda r: r.project["id"]):
        lines.append(_when(r))
        if r.start and r.start >= r.day:  # the dates that must hold on the day
            lines.append("  " + _("Considerations and approval must be dated before {start}; from that day the status "
                                  "may be '{status}'.").format(start=r.start, status=r.status))
        if r.approval_level and r.approvals:  # a missing approval is the approval rule's finding, with its level
            lines.append("  " + _("Approved at the level its risk profile '{risk}' demands ('{level}' or higher) by "
                                  "{approvals}.").format(risk=r.project.get("risk"), level=r.approval_level,
                                                         approvals=", ".join(r.approvals)))
        lines += _findings(list(r.findings), requirement_url)
        if r.errors_now:
            lines.append("  " + ngettext("And the {count} error above.", "And the {count} errors above.",
                                         r.errors_now).format(count=r.errors_now))
        if r.ready:
            lines.append("  " + _("Nothing is missing: the status can be changed to '{status}' on {day}.").format(
                status=r.status, day=r.day))
        lines.append("")
    return lines


def _summary(results: list[Result], readiness: Sequence[Readiness], checked: bool) -> list[str]:
    """One line of figures, then what each figure counts."""
    messages = [r for r in results if r.rule in (BUILD, VOCABULARY)]
    cases = [r for r in results if r.rule not in (BUILD, VOCABULARY)]
    failed = [r for r in cases if not r.passed]
    errors = sum(len(r.errors) for r in failed)
    built = sum(len(r.errors) for r in messages if r.rule == BUILD)
    words = sum(len(r.errors) for r in messages if r.rule == VOCABULARY)
    warnings = sum(len(r.warnings) for r in results)
    parts, notes = [], []
    if words:
        parts.append(ngettext("{count} error in the policy's words", "{count} errors in the policy's words",
                              words).format(count=words))
        notes.append(_("the policy's words: a policy.toml that cannot be read; until it can, nothing is built or "
                       "checked"))
    if built:
        parts.append(ngettext("{count} message from the build", "{count} messages from the build", built).format(
            count=built))
        notes.append(_("messages from the build: what Sphinx said while building the site (e.g. a field with a value "
                       "the policy does not allow, a reference to an ID that does not exist); each is an error"))
    if checked:
        parts.append(ngettext("all {total} check passed", "all {total} checks passed", len(cases)).format(
            total=len(cases)) if not failed else
            ngettext("{count} error in {failed} of {total} checks", "{count} errors in {failed} of {total} checks",
                     errors).format(count=errors, failed=len(failed), total=len(cases)))
        notes.append(_("checks: each rule run once on each thing it covers – a project with each requirement that "
                       "applies to it, a project as a whole, a bias test, the policy's principles and requirements. "
                       "The number depends only on the policy and the projects, so the same site always gives the "
                       "same number"))
    elif not words:
        parts.append(_("the checks were not run: the build made no list of the needs"))
    if warnings:
        parts.append(ngettext("{count} warning", "{count} warnings", warnings).format(count=warnings))
        notes.append(_("warnings: what is not wrong yet – a requirement not yet in force, a planned project past its "
                       "start date, a requirement changed since the approval; they fail nothing now"))
    if readiness:
        parts.append(ngettext("{count} planned project", "{count} planned projects", len(readiness)).format(
            count=len(readiness)))
        notes.append(_("planned projects: what their start will demand is listed under 'Before the project can be "
                       "started'; it fails nothing now"))
    line = ", ".join(parts)
    return [line[:1].upper() + line[1:] + "."] + [f"  – {note}." for note in notes]


def render(results: list[Result], requirement_url: Callable[[str], str | None] = lambda _: None,
           readiness: Sequence[Readiness] = (), checked: bool = True) -> str:
    """The report. `checked`: the checks ran (the build made needs.json)."""
    failed = [r for r in results if not r.passed]
    warned = [(r, f) for r in results for f in r.warnings]
    errors = lambda project, n: ngettext("{project} – {count} error", "{project} – {count} errors", n).format(  # noqa: E731
        project=project, count=n)
    lines = _section(_by_project([(r, f) for r in failed for f in r.errors]), errors, requirement_url)
    if warned:
        lines += [_("Warnings – they fail nothing now:"), ""]
        warnings = lambda project, n: ngettext("{project} – {count} warning", "{project} – {count} warnings", n).format(  # noqa: E731
            project=project, count=n)
        lines += _section(_by_project(warned), warnings, requirement_url)
    if readiness:
        lines += _readiness(readiness, requirement_url)
    return "\n".join(lines + _summary(results, readiness, checked))
