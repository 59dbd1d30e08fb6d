"""Rules about bias tests: recomputed from the published counts, never trusted from the page."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path

from dataetik.biastest import CountsError, PolicyBias, compute, counts_path, own_thresholds
from dataetik.biastest.counts import COLUMNS, MAX_COUNTS_KB, below_threshold, column_label, read_counts
from dataetik.biastest.metrics import BIAS, UNDECIDED
from dataetik.findings import Finding
from dataetik.i18n import N_, _
from dataetik.needs_data import source_file
from dataetik.policy import Policy
from dataetik.rules import rule
from dataetik.rules.answers import approves, min_words, text_problem
from dataetik.rules.memo import per_file, site_paths
from dataetik.site_files import site_files

DATA_SUFFIXES = {".parquet", ".feather", ".xlsx", ".xls", ".ods", ".sav", ".dta", ".sas7bdat"}
PROJECT_ONLY_SUFFIXES = {".json", ".jsonl"}  # ordinary files elsewhere in the repository


def _relative(path: Path, srcdir: Path | None) -> str:
    try:
        return str(path.relative_to(srcdir)) if srcdir else str(path)
    except ValueError:
        return str(path)


@rule("bias_result", each="biastest",
      description=N_("Each bias test is recomputed from the published counts (valid format, no cells below the "
                     "disclosure threshold, the attributes the policy demands). A project in use or ended must not "
                     "show bias, and an undecided result demands a documented manual review: a consideration that "
                     "answers the bias requirement, points at the test with ':reviews:' and is real reasoning. The "
                     "limits may only be loosened with such reasoning and an approval at the project's level, given "
                     "after it. Suppressed groups must not be recoverable by subtraction."))
def bias_result(policy: Policy, test: dict) -> list[Finding]:
    project = policy.needs.get((test.get("belongs_to") or [""])[0]) or {}
    # The requirements the test answers (a scaffolded test answers every bias requirement).
    answers = list(test.get("addresses") or []) or [r.id for r in policy.requirements if "biastest" in r.answered_by]
    requirement = answers[0] if answers else ""

    def finding(problem: str, fix: str, file: str | None = None, line: int | None = None) -> Finding:
        return Finding(rule="", file=file or source_file(test), line=line if file else test.get("lineno"),
                       problem=problem, fix=fix, project=project.get("id", ""), requirement=requirement, need=test["id"],
                       policy=policy.policy_label(policy.requirement(requirement)))

    if not test.get("counts"):
        return []  # a required field: the build's schema says it is missing
    policy_bias = PolicyBias.of(policy)
    try:
        result = compute(test, policy.needs.srcdir or Path("."), policy_bias)[1]
    except CountsError as err:
        in_counts = "" if err.on_page else f"{err.path.name}, "
        return [finding(f"{test['id']}: {in_counts}{err.where}{err.problem}", err.fix,
                        file=_relative(err.path, policy.needs.srcdir), line=err.line or None)]

    parts = lambda t: policy.needs.parts_of(project.get("id", ""), t)  # noqa: E731
    reviews = [c for c in parts("consideration") if test["id"] in (c.get("reviews") or [])]
    why_not = [_why_not_a_review(c, test, answers, min_words(policy)) for c in reviews]
    valid = [c for c, why in zip(reviews, why_not) if not why]
    not_valid = " ".join(why for why in why_not if why)
    # Loosening needs the reasoning first, then an approval at the project's level, given after it.
    approved = bool(valid) and any(approves(policy, project, a) and (a.get("date") or "") > max(c.get("date") or "" for c in valid)
                                   for a in parts("approval"))
    found = []
    own, demanded = own_thresholds(test, policy_bias), policy_bias.thresholds
    if demanded.loosened_by(own) and not approved:
        found.append(finding(
            _("The bias test loosens the policy's limits (ratio {own_ratio} against {ratio}, difference "
              "{own_difference} against {difference}) without approved reasoning.").format(
                own_ratio=own.min_ratio, ratio=demanded.min_ratio, own_difference=own.max_difference,
                difference=demanded.max_difference),
            _("Remove ':min_ratio:'/':max_difference:' from the bias test, or give the reasons for loosening them in a "
              "consideration with ':addresses: {requirement}' and ':reviews: {test}', and have the project approved "
              "afterwards at the level its risk profile demands.").format(requirement=requirement, test=test["id"])
            + ((" " + not_valid) if not_valid else "")))
    stopped = next(iter(policy.vocabulary.words_for(policy.vocabulary.statuses, "stopped")), "...")
    if policy.vocabulary.status_means(project.get("status"), "in_use", "ended"):  # used on citizens
        for attribute in result.attributes:
            if attribute.verdict == BIAS:
                found.append(finding(
                    _("Bias found for {attribute}: {reason}.").format(attribute=attribute.attribute,
                                                                      reason=attribute.reason),
                    _("The method must not be used. Remove the cause of the bias and repeat the test – or stop the "
                      "project (':status: {stopped}'); a stopped project may well document a test that failed.").format(
                        stopped=stopped)))
            elif attribute.verdict == UNDECIDED and not valid:
                found.append(finding(
                    _("The bias test is undecided for {attribute}: {reason}.").format(attribute=attribute.attribute,
                                                                                     reason=attribute.reason)
                    + (f" {not_valid}" if not_valid else ""),
                    _("Document a manual review: a consideration with ':addresses: {requirement}' and ':reviews: "
                      "{test}' that explains why the method may be used all the same, and what is followed up.").format(
                        requirement=requirement, test=test["id"])))
    return found


def _why_not_a_review(consideration: dict, test: dict, answers: list[str], min_words: int) -> str:
    """'' if the consideration is a real manual review of the test: it answers a requirement the
    test answers, is dated on or after the test, and is real reasoning."""
    if not set(answers) & set(consideration.get("addresses") or []):
        return _("The consideration {id} points at the test, but does not answer {requirements}.").format(
            id=consideration["id"], requirements=(" " + _("or") + " ").join(answers))
    if (consideration.get("date") or "") < (test.get("date") or ""):
        return _("The consideration {id} is dated {date}, before the test ({test_date}), so it cannot review it.").format(
            id=consideration["id"], date=consideration.get("date"), test_date=test.get("date"))
    problem = text_problem(consideration, min_words)
    return problem[0] + " " + _("It therefore does not count as a manual review.") if problem else ""


def _looks_like_counts(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f), [])
    except (UnicodeDecodeError, OSError):
        return False
    return sorted(h.strip() for h in header) == sorted(COLUMNS)


@rule("row_level_data", each="site",
      description=N_("No file in the site's folder looks like data about individual citizens (spreadsheets, "
                     "Parquet, SPSS/Stata/SAS, CSV that is not aggregated counts); only aggregated counts are "
                     "published."))
def row_level_data(policy: Policy) -> list[Finding]:
    policy_bias = PolicyBias.of(policy)
    return row_level_files(
        policy.needs.srcdir, used_counts_files(policy), policy_bias.min_cell, policy_bias.max_kb, paths=site_paths(policy),
        looks_like_counts=lambda path: per_file(policy, "looks_like_counts", path, _looks_like_counts))


def row_level_files(root: Path, counts_files: frozenset[Path] = frozenset(), min_cell: int | None = None,
                    max_kb: int = MAX_COUNTS_KB, paths: list[Path] | None = None,
                    looks_like_counts: Callable[[Path], bool] | None = None) -> list[Finding]:
    """Files in the site's repository that look like data about individual citizens, and counts
    files no bias test uses that would disclose small cells (under the policy's min_cell, where it
    states one). A bias test's own counts file is checked by `bias_result`, with its requirement.
    `paths`: the site's files, sorted, where already walked; `looks_like_counts`: a memoised header test."""
    looks_like_counts = looks_like_counts or _looks_like_counts
    counted = {os.fspath(p) for p in counts_files}  # normalised paths, compared as strings (not a Path per file)
    projects = os.path.join(root, "projects", "")
    found = []
    for path in sorted(site_files(root)) if paths is None else paths:
        suffix = path.suffix.lower()
        in_project = os.fspath(path).startswith(projects)
        tabular = suffix in (".csv", ".tsv") or (in_project and suffix == ".txt")
        if os.path.normpath(path) in counted:
            continue
        if tabular and looks_like_counts(path):
            found += _unused_counts(path, root, min_cell, max_kb)
        elif suffix in DATA_SUFFIXES or (in_project and suffix in PROJECT_ONLY_SUFFIXES) or tabular:
            found.append(Finding(
                rule="", file=_relative(path, root), line=1,
                problem=_("The file looks like data about individual citizens (row-level data). It must never be "
                          "in the site's folder or be published."),
                fix=_("Move the file out of the site's folder (and remove it from the git history if it has been "
                      "committed), and publish aggregated counts instead: 'dataetik aggregate <file> ... -o "
                      "biastest.csv'."),
            ))
    return found


def used_counts_files(policy: Policy) -> frozenset[Path]:
    """The counts files the bias tests name (those that exist inside their project folder)."""
    cache = vars(policy)  # the policy is frozen; asked by two rules per check run
    if "_used_counts_files" not in cache:
        used = set()
        for test in policy.needs.of_type("biastest"):
            try:
                used.add(counts_path(test, policy.needs.srcdir or Path(".")))
            except CountsError:
                pass  # said by the test's own bias_result check
        cache["_used_counts_files"] = frozenset(used)
    return cache["_used_counts_files"]


def _unused_counts(path: Path, root: Path, min_cell: int | None, max_kb: int) -> list[Finding]:
    """A counts file no bias test uses is not published, but it is in the repository: it may
    not reveal small cells either. Its other defects are nobody's concern until it is used."""
    if min_cell is None:
        return []  # the policy states no disclosure threshold
    try:
        read_counts(path, min_cell, max_kb=max_kb)
        return []
    except CountsError as err:
        leak = (err.line, f"{err.where}{err.problem}") if err.discloses else _small_cell(path, min_cell)
    if not leak:
        return []
    line, problem = leak
    return [Finding(rule="", file=_relative(path, root), line=line or 1,
                    problem=_("The file looks like counts for a bias test that no bias test uses, but it is in the "
                              "repository and reveals small numbers: {problem}").format(problem=problem),
                    fix=_("Delete the file if it is an old version; otherwise suppress the small groups or merge "
                          "them."))]


def _small_cell(path: Path, min_cell: int) -> tuple[int, str] | None:
    """(line, problem) of the first count under the threshold, read row by row."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            count = (row.get("count") or "").strip()
            if count.isdigit() and int(count) < min_cell:
                return line, column_label("count") + below_threshold(count, min_cell)
    return None
