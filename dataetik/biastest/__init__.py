"""Bias tests computed from published aggregated counts (see counts.py for the format).

Each distinct computation happens once per process: `compute` keys its result by the counts
file's content (a hash of its bytes) and everything else that changes the result – the
thresholds, the disclosure threshold, the required attributes, the language the reasons are
written in – never by the file's name or a date. The build, the rules, the matrix, the
readiness section and the annual report all call `compute`, so none of them repeats it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import posixpath
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from dataetik import i18n
from dataetik.biastest.counts import MAX_COUNTS_KB, Counts, CountsError, counts_bytes, parse_counts, put_counts_in_folder
from dataetik.biastest.metrics import BiasResult, Thresholds, evaluate
from dataetik.i18n import N_, _, translated
from dataetik.needs_data import source_file
from dataetik.policy import Policy, _as_list

@dataclass(frozen=True)
class PolicyBias:
    """What the policy demands of every bias test."""

    thresholds: Thresholds
    min_cell: int | None  # None: the policy states no disclosure threshold
    attributes: tuple[str, ...]
    max_kb: int = MAX_COUNTS_KB  # the largest counts file read

    @classmethod
    def of(cls, policy: Policy) -> "PolicyBias":
        """Only what the policy states (the strictest, where several requirements state it): a
        threshold it does not state is not applied. Worked out once per policy: the rules ask
        for it per bias test."""
        known = _of_policy.get(id(policy))
        if known and known[0] is policy:
            return known[1]
        bias_reqs = [r for r in policy.requirements if "biastest" in r.answered_by]
        attributes = tuple(dict.fromkeys(a for r in bias_reqs for a in _as_list(r.need.get("bias_attributes"))))
        min_cell = policy.setting("min_cell")
        max_kb = policy.vocabulary.settings.get("max_counts_kb")  # [settings], with its default
        found = cls(Thresholds(policy.setting("min_ratio"), policy.setting("max_difference")),
                    None if min_cell is None else int(min_cell), attributes,
                    MAX_COUNTS_KB if max_kb is None else int(max_kb))
        _of_policy.clear()  # one policy at a time; holding it keeps its id from being reused
        _of_policy[id(policy)] = policy, found
        return found


_of_policy: dict[int, tuple[Policy, PolicyBias]] = {}


def own_thresholds(need: dict, policy_bias: PolicyBias) -> Thresholds:
    """The test's thresholds: its own fields where set (checked against the policy by the rules)."""
    t = policy_bias.thresholds
    min_ratio = need.get("min_ratio")
    max_difference = need.get("max_difference")
    return Thresholds(t.min_ratio if min_ratio in (None, "") else float(min_ratio),
                      t.max_difference if max_difference in (None, "") else float(max_difference), t.confidence)


def counts_path(need: dict, srcdir: Path) -> Path:
    """The counts file, which must lie in the project's folder: it is published with the page.
    Problems with the name itself point at the bias test on its page."""
    folder = os.path.join(srcdir, posixpath.dirname(need["docname"]))
    name = need.get("counts") or ""
    path = os.path.normpath(os.path.join(folder, name))

    def error(problem: str, fix: str) -> CountsError:
        return CountsError(srcdir / source_file(need), need.get("lineno") or 0, None, problem, fix, on_page=True)

    if not name.strip():
        raise error(_("the bias test has no ':counts:'."), _("Write the counts file's name, e.g. ':counts: biastest.csv'."))
    if not path.startswith(os.path.join(os.path.normpath(folder), "")):
        raise error(_("the counts file '{name}' is outside the project's folder.").format(name=name),
                    _("Put the counts in the project folder, and write only the file name in ':counts:'."))
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        mode = 0
    if stat.S_ISLNK(mode):  # what is published must be the file in the folder, not wherever a link points
        raise error(_("the counts file '{name}' is a shortcut (symbolic link), not a file.").format(name=name),
                    _("Copy the file itself into the project folder instead of the shortcut."))
    if not stat.S_ISREG(mode):
        raise error(_("the counts file '{name}' does not exist in the project's folder.").format(name=name),
                    put_counts_in_folder())
    return Path(path)


# How the build's warning about a bias test begins; dataetik check reads the test's ID back from it.
_TEST_HEAD = N_("Bias test {test}:")


def test_head(test_id: str) -> str:
    return translated(_TEST_HEAD).format(test=test_id)


def test_head_pattern() -> re.Pattern:
    """Matches the head of a warning about a bias test, its ID as group 1."""
    return re.compile(re.escape(translated(_TEST_HEAD)).replace(re.escape("{test}"), r"(\S+)"))


def compute(need: dict, srcdir: Path, policy_bias: PolicyBias) -> tuple[Counts, BiasResult]:
    """Read and evaluate a bias test need's counts. Raises CountsError."""
    return compute_file(counts_path(need, srcdir), policy_bias, own_thresholds(need, policy_bias))


# content key -> (Counts, BiasResult) or the CountsError the content gives; oldest dropped first.
_computed: dict[tuple, tuple[Counts, BiasResult] | CountsError] = {}
_MAX_COMPUTED = 10_000
computations = 0  # how many times counts were parsed and evaluated in this process (for the tests)


def compute_file(path: Path, policy_bias: PolicyBias, thresholds: Thresholds) -> tuple[Counts, BiasResult]:
    """Read and evaluate a counts file, once per distinct content and settings. Raises CountsError,
    naming this file even where the same content was first seen under another name."""
    global computations
    data = counts_bytes(path, policy_bias.max_kb)  # a file too large is refused before anything else
    key = (hashlib.sha256(data).digest(), thresholds, policy_bias.min_cell, policy_bias.attributes, i18n.language())
    if key not in _computed:
        computations += 1
        try:
            counts = parse_counts(data, path, policy_bias.min_cell, policy_bias.attributes)
            _computed[key] = counts, evaluate(counts, thresholds)
        except CountsError as err:
            _computed[key] = err
        if len(_computed) > _MAX_COMPUTED:
            del _computed[next(iter(_computed))]
    found = _computed[key]
    if isinstance(found, CountsError):
        raise found.at(path)
    counts, result = found
    return (counts if counts.path == path else dataclasses.replace(counts, path=path)), result


__all__ = ["CountsError", "PolicyBias", "compute", "compute_file", "counts_path", "own_thresholds", "test_head", "test_head_pattern"]
