"""Bias tests computed from published aggregated counts (see counts.py for the format)."""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from dataetik.biastest.counts import Counts, CountsError, put_counts_in_folder, read_counts
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

    @classmethod
    def of(cls, policy: Policy) -> "PolicyBias":
        """Only what the policy states (the strictest, where several requirements state it): a
        threshold it does not state is not applied."""
        bias_reqs = [r for r in policy.requirements if "biastest" in r.answered_by]
        attributes = tuple(dict.fromkeys(a for r in bias_reqs for a in _as_list(r.need.get("bias_attributes"))))
        min_cell = policy.setting("min_cell")
        return cls(Thresholds(policy.setting("min_ratio"), policy.setting("max_difference")),
                   None if min_cell is None else int(min_cell), attributes)


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
    folder = srcdir / posixpath.dirname(need["docname"])
    name = need.get("counts") or ""
    path = Path(os.path.normpath(folder / name))

    def error(problem: str, fix: str) -> CountsError:
        return CountsError(srcdir / source_file(need), need.get("lineno") or 0, None, problem, fix, on_page=True)

    if not name.strip():
        raise error(_("the bias test has no ':counts:'."), _("Write the counts file's name, e.g. ':counts: biastest.csv'."))
    if folder not in path.parents:
        raise error(_("the counts file '{name}' is outside the project's folder.").format(name=name),
                    _("Put the counts in the project folder, and write only the file name in ':counts:'."))
    if path.is_symlink():  # what is published must be the file in the folder, not wherever a link points
        raise error(_("the counts file '{name}' is a shortcut (symbolic link), not a file.").format(name=name),
                    _("Copy the file itself into the project folder instead of the shortcut."))
    if not path.is_file():
        raise error(_("the counts file '{name}' does not exist in the project's folder.").format(name=name),
                    put_counts_in_folder())
    return path


# How the build's warning about a bias test begins; dataetik check reads the test's ID back from it.
_TEST_HEAD = N_("Bias test {test}:")


def test_head(test_id: str) -> str:
    return translated(_TEST_HEAD).format(test=test_id)


def test_head_pattern() -> re.Pattern:
    """Matches the head of a warning about a bias test, its ID as group 1."""
    return re.compile(re.escape(translated(_TEST_HEAD)).replace(re.escape("{test}"), r"(\S+)"))


def compute(need: dict, srcdir: Path, policy_bias: PolicyBias) -> tuple[Counts, BiasResult]:
    """Read and evaluate a bias test need's counts. Raises CountsError."""
    counts = read_counts(counts_path(need, srcdir), policy_bias.min_cell, policy_bias.attributes)
    return counts, evaluate(counts, own_thresholds(need, policy_bias))


__all__ = ["CountsError", "PolicyBias", "compute", "counts_path", "own_thresholds", "test_head", "test_head_pattern"]
