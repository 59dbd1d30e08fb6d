"""`dataetik check`: build the site, run every check, report by project.

The build runs with --keep-going but without -W so that every problem is listed
at once; any build warning still makes the check fail.

The build is incremental: it keeps its environment in _build/check-doctrees and reads again
only what changed, and dataetik.freshness writes again every page that shows what changed, so
the needs.json and the warnings are those a clean build would give. It builds from scratch when
there is nothing to build on, when asked (--forfra), or when anything besides the pages may have
changed (the fingerprint: conf.py, the policy.toml files, dataetik's own files, the versions of
Python and the build's packages). Sphinx runs in this process: the checks then reuse what the
build imported and computed, and the project cases the traceability matrix ran while it was built,
where needs.json holds exactly the needs it judged (dataetik.shared_findings).
"""

from __future__ import annotations

import dataclasses
import gc
import os
import shutil
import time
from collections import defaultdict
from pathlib import Path

from dataetik import freshness, i18n, project_recheck, readiness, shared_findings
from dataetik.build_messages import parse_warnings
from dataetik.findings import Finding
from dataetik.i18n import _, ngettext
from dataetik.needs_data import Needs, load_needs
from dataetik.policy import Policy
from dataetik.report import Result, github, junit, text
from dataetik.rules import memo as rules_memo
from dataetik.rules import policy_cases, project_wide_names
from dataetik.site_files import EXCLUDE_PATTERNS, site_files
from dataetik.sphinx_run import run_sphinx
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


FINGERPRINT = "dataetik-fingerprint"  # in the doctree folder: what the environment was built with


def from_scratch(doctrees: Path, built_with: str, asked: bool) -> str | None:
    """Why the check must build from scratch, or None where it may build on the last check
    (built_with: the fingerprint of the site as it is now)."""
    if asked:
        return _("asked for with --forfra")
    try:
        last = (doctrees / FINGERPRINT).read_text(encoding="utf-8")
    except OSError:
        last = None
    if last is None or not (doctrees / "environment.pickle").exists():
        return _("there is no earlier check to build on")
    if last != built_with:
        return _("the policy, conf.py or dataetik itself changed since the last check")
    return None


def build(site: Path, out: Path, vocab: Vocabulary, doctrees: Path, built_with: str) -> tuple[list[Result], object]:
    """The build's messages as results, and the Sphinx application that built (None where it failed)."""
    (doctrees / FINGERPRINT).unlink(missing_ok=True)  # an interrupted build is not built on
    log, failure, app = run_sphinx(site, out, doctrees)
    findings = parse_warnings(log, vocab, root=str(site))
    if failure is not None:
        if isinstance(failure, KeyboardInterrupt):
            raise failure
        if not findings:
            raise SystemExit(_("The build failed without a message that can be read:") +
                             f"\n{type(failure).__name__}: {failure}\n{log[-2000:]}")
    else:
        doctrees.mkdir(parents=True, exist_ok=True)
        (doctrees / FINGERPRINT).write_text(built_with, encoding="utf-8")
    return [Result("build", f.location, "", (f,)) for f in findings], (app if failure is None else None)


def _said_again(result: Result, tested: set[str], restated: set[str]) -> bool:
    """A build message a check says again with more (the requirement, the word meant): said once, by the
    check. A bias test's counts file by its bias_result; a word a requirement's field may not hold by
    requirement_words, at the same line."""
    return (result.findings[0].location in restated
            or all(f.source == "dataetik.biastest" and f.need in tested for f in result.findings))


def _in_project(result: Result, policy: Policy) -> Result:
    """Give a build finding the project whose folder its file is in."""
    project = policy.project_of_file(result.findings[0].file)
    if not project:
        return result
    findings = tuple(dataclasses.replace(f, project=project) for f in result.findings)
    return dataclasses.replace(result, project=project, findings=findings)


def run(site: Path, junit_path: Path | None = None, say=print, clean: bool = False, pages: bool = False) -> int:
    """Check the site (`pages`: write its pages even where only projects changed)."""
    try:
        return _run(site, junit_path, say, clean, pages)
    finally:
        gc.unfreeze()  # what the build and the checks loaded is garbage now, or soon


def _run(site: Path, junit_path: Path | None, say, clean: bool, pages: bool) -> int:
    out = site / "_build" / "check"
    doctrees = site / "_build" / "check-doctrees"
    started = time.perf_counter()
    looked_at, files = time.time_ns(), project_recheck.snapshot(site)  # before anything is read
    # Where only projects changed, their pages are read in a side build from now on, while this goes on.
    pending = None if clean or pages else project_recheck.start(site, doctrees, out, files)
    i18n.use(declared_language(site, EXCLUDE_PATTERNS) or i18n.language())  # as far as the policy can be read
    built_with = freshness.fingerprint(site)
    reason = from_scratch(doctrees, built_with, clean)
    if reason:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(doctrees, ignore_errors=True)
        say(_("Building the site from scratch ({reason}); it takes a moment ...").format(reason=reason))
    try:  # the policy's words first: without them nothing can be built or checked
        vocab = load_site(site, EXCLUDE_PATTERNS, project_wide_names())
        i18n.use(vocab.language)
    except VocabularyError as err:
        if pending:
            pending.cancel()
        if not reason:
            say(_("Building what changed since the last check ..."))
        finding = Finding(rule="vocabulary", file=err.file.relative_to(site).as_posix(), line=err.line,
                          problem=err.problem, fix=err.fix)
        say(text.render([Result("vocabulary", finding.location, "", (finding,))], checked=False))
        return 1
    unreadable = unreadable_pages(site)
    try:
        quick = pending.finish(out, built_with, vocab, i18n.language()) if pending and not (reason or unreadable) else None
    finally:
        if pending:
            pending.cancel()  # where it was not waited for
    last = pending.state if quick else None
    project_recheck.forget(doctrees)  # until this check is done
    results, app, context, annual = [Result("build", f.location, "", (f,)) for f in unreadable], None, None, ""
    if quick:
        say(_("Checking what changed since the last check, without building the site: {folders} ...").format(
            folders=", ".join(sorted(quick.folders)) or _("nothing changed")))
        results, context = list(quick.build), last.context
    else:
        if not reason:
            say(_("Building what changed since the last check ..."))
        (out / "needs.json").unlink(missing_ok=True)  # never check a needs.json left by an earlier build
        if not results:
            results, app = build(site, out, vocab, doctrees, built_with)
    built = list(results)
    built_in = time.perf_counter() - started
    needs_json = out / "needs.json"
    requirement_url = lambda _: None  # noqa: E731
    cases, projects, planned = [], [], []
    if needs_json.exists():
        # What the build judged (the traceability matrix ran the project cases), where needs.json holds it.
        judged = shared_findings.taken(app, needs_json, vocab, site) if app else None
        if app:  # what the next check may build on
            context, annual = project_recheck.context_of(app), (app.config.dataetik_annual_reports or "").strip("/")
        del app  # the build's pages and doctrees are garbage now
        if quick:
            judged = shared_findings.Judged("", Policy.from_needs(Needs(by_id=quick.needs, srcdir=site), vocab))
        if judged is None:
            gc.disable()  # a needs.json of 20,000 needs is read four times faster without the collector
            try:
                needs = load_needs(needs_json, srcdir=site)
                gc.freeze()  # ... and is no garbage while the checks run
            finally:
                gc.enable()
            judged = shared_findings.Judged("", Policy.from_needs(needs, vocab))
        policy = judged.policy
        memo = rules_memo.attach(policy, doctrees / rules_memo.FILE_NAME)  # what the rules found in unchanged files
        cases, projects = policy_cases(policy), policy.projects
        # The project cases, after the policy's (as all_cases orders them); where only some projects changed,
        # the others' as the last check found them.
        run = shared_findings.findings(judged, quick.again, last.found) if quick else shared_findings.findings(judged)
        policy_results = [Result(c.rule, c.key, c.project, tuple(c.run())) for c in cases]
        tested = {c.key for c, _found in run if c.rule == "bias_result"}
        restated = {f.location for r in policy_results if r.rule == "requirement_words" for f in r.findings}
        results = [_in_project(r, policy) for r in results if not _said_again(r, tested, restated)]

        def requirement_url(req_id: str) -> str | None:
            need = policy.needs.get(req_id)
            return f"{(out / need['docname']).as_uri()}.html#{req_id}" if need else None
    # Counted as the summary counts them: a message said again by a check is not counted twice.
    say("  " + ngettext("built in {seconds} s, {count} message from the build",
                        "built in {seconds} s, {count} messages from the build", len(results)).format(
        seconds=f"{built_in:.0f}", count=len(results)))
    if needs_json.exists():
        say(ngettext("Running {checks} checks for {projects} project ...", "Running {checks} checks for {projects} "
                     "projects ...", len(projects)).format(checks=len(cases) + len(run), projects=len(projects)))
        results += policy_results
        results += [Result(c.rule, c.key, c.project, tuple(found)) for c, found in run]
        found: dict[str, list[Finding]] = defaultdict(list)
        for r in results:
            for f in r.findings:
                found[f.project or r.project].append(f)
        planned = readiness.planned(policy, found)  # what go-live will demand: reported, failing nothing
        memo.save(doctrees / rules_memo.FILE_NAME)
        if context is not None:
            project_recheck.save(doctrees, project_recheck.State(
                built_with, str(policy.today), i18n.language(), project_recheck.settled(files, project_recheck.snapshot(site), annual, looked_at),
                project_recheck.stat_key(needs_json), project_recheck.project_folders(policy.needs.by_id), context, built,
                shared_findings.found(run)))
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
