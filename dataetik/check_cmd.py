"""`dataetik check`: build the site, run every check, report by project.

The build runs with --keep-going but without -W so that every problem is listed
at once; any build warning still makes the check fail.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from dataetik import i18n, readiness
from dataetik.build_messages import parse_warnings
from dataetik.findings import Finding
from dataetik.i18n import _, ngettext
from dataetik.needs_data import load_needs
from dataetik.policy import Policy
from dataetik.report import Result, github, junit, text
from dataetik.rules import all_cases, project_wide_names
from dataetik.site_files import EXCLUDE_PATTERNS, site_files
from dataetik.vocabulary import Vocabulary, VocabularyError, declared_language, load_site


def unreadable_pages(site: Path) -> list[Finding]:
    """Pages that are not UTF-8: Sphinx would stop with an English traceback."""
    found = []
    for path in sorted(p for p in site_files(site) if p.suffix == ".md"):
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as err:
            found.append(Finding(rule="build", file=path.relative_to(site).as_posix(), line=data[:err.start].count(b"\n") + 1,
                                 problem=_("The page is not saved as UTF-8 (e.g. æ, ø or å in another encoding)."),
                                 fix=_("Save the file as UTF-8 in your editor (e.g. 'Save as' > Encoding: UTF-8), and "
                                       "run again.")))
    return found


def build(site: Path, out: Path, vocab: Vocabulary) -> list[Result]:
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "--keep-going", "-E", "-q", "-n", "-N",
           "-d", str(out.parent / "check-doctrees"), str(site), str(out)]
    proc = subprocess.run(cmd, cwd=site, capture_output=True, text=True)
    findings = parse_warnings(proc.stderr, vocab, root=str(site))
    if proc.returncode != 0 and not findings:
        raise SystemExit(_("The build failed without a message that can be read:") + f"\n{proc.stderr[-2000:]}")
    return [Result("build", f.location, "", (f,)) for f in findings]


def _repeated(result: Result, rechecked: set[str]) -> bool:
    return all(f.source == "dataetik.biastest" and f.need in rechecked for f in result.findings)


def _in_project(result: Result, policy: Policy) -> Result:
    """Give a build finding the project whose folder its file is in."""
    project = policy.project_of_file(result.findings[0].file)
    if not project:
        return result
    findings = tuple(dataclasses.replace(f, project=project) for f in result.findings)
    return dataclasses.replace(result, project=project, findings=findings)


def run(site: Path, junit_path: Path | None = None, say=print) -> int:
    out = site / "_build" / "check"
    shutil.rmtree(out, ignore_errors=True)  # never check a needs.json left by an earlier build
    started = time.perf_counter()
    i18n.use(declared_language(site, EXCLUDE_PATTERNS) or i18n.language())  # as far as the policy can be read
    say(_("Building the site (it takes a moment) ..."))
    try:  # the policy's words first: without them nothing can be built or checked
        vocab = load_site(site, EXCLUDE_PATTERNS, project_wide_names())
        i18n.use(vocab.language)
    except VocabularyError as err:
        finding = Finding(rule="vocabulary", file=err.file.relative_to(site).as_posix(), line=err.line,
                          problem=err.problem, fix=err.fix)
        say(text.render([Result("vocabulary", finding.location, "", (finding,))], checked=False))
        return 1
    unreadable = unreadable_pages(site)
    results = [Result("build", f.location, "", (f,)) for f in unreadable] or build(site, out, vocab)
    built_in = time.perf_counter() - started
    needs_json = out / "needs.json"
    requirement_url = lambda _: None  # noqa: E731
    cases, projects, planned = [], [], []
    if needs_json.exists():
        policy = Policy.from_needs(load_needs(needs_json, srcdir=site), vocab)
        cases, projects = all_cases(policy), policy.projects
        # A bad counts file is reported again by its bias_result check, with the requirement: say it once.
        rechecked = {c.key for c in cases if c.rule == "bias_result"}
        results = [_in_project(r, policy) for r in results if not _repeated(r, rechecked)]

        def requirement_url(req_id: str) -> str | None:
            need = policy.needs.get(req_id)
            return f"{(out / need['docname']).as_uri()}.html#{req_id}" if need else None
    # Counted as the summary counts them: a message said again by a check is not counted twice.
    say("  " + ngettext("built in {seconds} s, {count} message from the build",
                        "built in {seconds} s, {count} messages from the build", len(results)).format(
        seconds=f"{built_in:.0f}", count=len(results)))
    if needs_json.exists():
        say(ngettext("Running {checks} checks for {projects} project ...", "Running {checks} checks for {projects} "
                     "projects ...", len(projects)).format(checks=len(cases), projects=len(projects)))
        results += [Result(c.rule, c.key, c.project, tuple(c.run())) for c in cases]
        found: dict[str, list[Finding]] = defaultdict(list)
        for r in results:
            for f in r.findings:
                found[f.project or r.project].append(f)
        planned = readiness.planned(policy, found)  # what go-live will demand: reported, failing nothing
    say("")
    say(text.render(results, requirement_url, planned, checked=needs_json.exists()))
    if junit_path:
        junit_path.parent.mkdir(parents=True, exist_ok=True)
        junit_path.write_text(junit.render(results), encoding="utf-8")
    if os.environ.get("GITHUB_ACTIONS") == "true":
        annotations = github.render(results)
        if annotations:
            say(annotations)
    return 0 if all(r.passed for r in results) else 1
