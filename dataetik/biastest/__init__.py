"""Bias tests computed from published aggregated counts (see counts.py for the format)."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

from dataetik.biastest.counts import Counts, CountsError, read_counts
from dataetik.biastest.metrics import BiasResult, Thresholds, evaluate
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
        raise error("bias-testen har intet ':counts:'.", "Skriv optællingsfilens navn, fx ':counts: biastest.csv'.")
    if folder not in path.parents:
        raise error(f"optællingsfilen '{name}' ligger uden for projektets mappe.",
                    "Læg optællingerne i projektmappen, og skriv kun filnavnet i ':counts:'.")
    if path.is_symlink():  # what is published must be the file in the folder, not wherever a link points
        raise error(f"optællingsfilen '{name}' er en genvej (symbolsk link), ikke en fil.",
                    "Kopiér selve filen ind i projektmappen i stedet for genvejen.")
    if not path.is_file():
        raise error(f"optællingsfilen '{name}' findes ikke i projektets mappe.",
                    "Læg optællingerne i projektmappen, og skriv filnavnet i bias-testens ':counts:'.")
    return path


def compute(need: dict, srcdir: Path, policy_bias: PolicyBias) -> tuple[Counts, BiasResult]:
    """Read and evaluate a bias test need's counts. Raises CountsError."""
    counts = read_counts(counts_path(need, srcdir), policy_bias.min_cell, policy_bias.attributes)
    return counts, evaluate(counts, own_thresholds(need, policy_bias))


__all__ = ["CountsError", "PolicyBias", "compute", "counts_path", "own_thresholds"]
