"""Fairness figures from published counts, and an honest verdict per attribute.

Point metrics come from fairlearn: each count becomes one row weighted by the
count (``sample_weight``), which gives exactly the rates computed by hand.
fairlearn's bootstrap intervals would resample count rows, not people, so the
uncertainty comes from the counts themselves with scipy: a Katz log interval for
each group's selection-rate ratio to the most-selected group, and Fisher's exact
test, as adverse-impact practice does for small samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from fairlearn.metrics import (
    MetricFrame,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from scipy.stats import fisher_exact, norm

from dataetik.biastest.counts import Counts, Group
from dataetik.i18n import N_, _, decimal

# The verdicts: msgids, translated where they are shown.
BIAS = N_("bias found")
NO_BIAS = N_("no bias found")
UNDECIDED = N_("undecided")
SEVERITY = {NO_BIAS: 0, UNDECIDED: 1, BIAS: 2}


@dataclass(frozen=True)
class Thresholds:
    """The limits a verdict is judged by; None where the policy states none (not applied)."""

    min_ratio: float | None = None
    max_difference: float | None = None
    confidence: float = 0.95

    def loosened_by(self, own: "Thresholds") -> bool:
        """Whether a test's own thresholds are looser than these."""
        return ((self.min_ratio is not None and own.min_ratio is not None and own.min_ratio < self.min_ratio)
                or (self.max_difference is not None and own.max_difference is not None
                    and own.max_difference > self.max_difference))


@dataclass(frozen=True)
class GroupResult:
    group: str
    n: int
    selected: int
    rate: float | None
    ratio: float | None            # rate / reference rate
    ci: tuple[float, float] | None
    p_value: float | None          # Fisher's exact test against the reference group
    tpr: float | None = None
    fpr: float | None = None
    reference: bool = False
    suppressed: bool = False


@dataclass(frozen=True)
class AttributeResult:
    attribute: str
    groups: tuple[GroupResult, ...]
    dp_ratio: float | None
    dp_difference: float | None
    eo_difference: float | None
    verdict: str
    reason: str


@dataclass(frozen=True)
class BiasResult:
    attributes: tuple[AttributeResult, ...]
    thresholds: Thresholds
    has_truth: bool

    @property
    def verdict(self) -> str:
        return max((a.verdict for a in self.attributes), key=SEVERITY.__getitem__, default=UNDECIDED)


def _rows(groups: list[Group], has_truth: bool):
    """Counts as fairlearn rows: one row per cell, weighted by its count."""
    cells = [(g.name, actual or 0, predicted, count) for g in groups for (actual, predicted), count in g.cells.items()]
    names, y_true, y_pred, weight = zip(*cells)
    return np.array(names), np.array(y_true), np.array(y_pred), np.array(weight, dtype=float)


def katz_interval(a: int, n1: int, b: int, n0: int, confidence: float) -> tuple[float, float]:
    """CI for the risk ratio (a/n1)/(b/n0) on the log scale; 0.5 added to every cell if one is 0."""
    if 0 in (a, b, n1 - a, n0 - b):
        a, b, n1, n0 = a + 0.5, b + 0.5, n1 + 1, n0 + 1
    ratio = (a / n1) / (b / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / b - 1 / n0)
    z = norm.ppf(0.5 + confidence / 2)
    return ratio * math.exp(-z * se), ratio * math.exp(z * se)


def evaluate_attribute(attribute: str, groups: dict[str, Group], has_truth: bool, t: Thresholds) -> AttributeResult:
    published = [g for g in groups.values() if not g.suppressed]
    suppressed = [g.name for g in groups.values() if g.suppressed]
    empty = [g.name for g in published if g.n == 0]
    published = [g for g in published if g.n > 0]  # fairlearn would drop them silently: flagged below
    results: list[GroupResult] = []
    dp_ratio = dp_diff = eod = None
    if len(published) >= 2:
        names, y_true, y_pred, w = _rows(published, has_truth)
        metrics = {"selection_rate": selection_rate}
        if has_truth:
            metrics |= {"tpr": true_positive_rate, "fpr": false_positive_rate}
        frame = MetricFrame(metrics=metrics, y_true=y_true, y_pred=y_pred, sensitive_features=names,
                            sample_params={m: {"sample_weight": w} for m in metrics})
        by_group = frame.by_group
        # The same figures as demographic_parity_ratio/_difference and equalized_odds_difference,
        # read off this one frame: each of those functions builds a frame of its own (4x the time).
        ratio, difference = frame.ratio(method="between_groups"), frame.difference(method="between_groups")
        dp_ratio, dp_diff = float(ratio["selection_rate"]), float(difference["selection_rate"])
        if has_truth:
            eod = float(max(difference["tpr"], difference["fpr"]))
        ref = max(published, key=lambda g: by_group.loc[g.name, "selection_rate"])
        ref_rate = float(by_group.loc[ref.name, "selection_rate"])
        for g in published:
            rate = float(by_group.loc[g.name, "selection_rate"])
            is_ref = g is ref
            ci = p = None
            if not is_ref:
                ci = katz_interval(g.selected, g.n, ref.selected, ref.n, t.confidence)
                p = float(fisher_exact([[g.selected, g.n - g.selected], [ref.selected, ref.n - ref.selected]])[1])
            results.append(GroupResult(
                g.name, g.n, g.selected, rate, rate / ref_rate if ref_rate else None, ci, p,
                tpr=float(by_group.loc[g.name, "tpr"]) if has_truth else None,
                fpr=float(by_group.loc[g.name, "fpr"]) if has_truth else None,
                reference=is_ref,
            ))
    results += [GroupResult(name, 0, 0, None, None, None, None, suppressed=True) for name in suppressed + empty]
    verdict, reason = _verdict(results, dp_diff, eod, suppressed + empty, t)
    return AttributeResult(attribute, tuple(results), dp_ratio, dp_diff, eod, verdict, reason)


def _num(x: float) -> str:
    """A number as prose in the language writes it: 0,80 in Danish."""
    return decimal(x, 2)


def _verdict(results, dp_diff, eod, missing, t: Thresholds) -> tuple[str, str]:
    compared = [r for r in results if r.ci]
    below = [r for r in compared if t.min_ratio is not None and r.ci[1] < t.min_ratio]
    if below:
        worst = min(below, key=lambda r: r.ratio)
        ref = next(r.group for r in results if r.reference)
        return BIAS, _("the group '{group}' is selected {ratio} times as often as '{reference}' (95 % interval "
                       "{low}–{high}); the whole interval lies below the limit {limit}").format(
            group=worst.group, ratio=_num(worst.ratio), reference=ref, low=_num(worst.ci[0]), high=_num(worst.ci[1]),
            limit=_num(t.min_ratio))
    if missing or not compared:
        shown = ", ".join(missing) if missing else _("too few groups")
        return UNDECIDED, _("insufficient data ({shown}); a suppressed group cannot pass the test").format(shown=shown)
    unsure = [r for r in compared if t.min_ratio is not None and r.ci[0] < t.min_ratio]
    if unsure:
        named = [f"'{r.group}' ({_num(r.ci[0])}–{_num(r.ci[1])})" for r in sorted(unsure, key=lambda r: r.ci[0])]
        if len(named) == 1:
            reason = _("the interval for the group {group} reaches below the limit {limit}; the data can neither show "
                       "nor rule out bias")
        else:
            reason = _("the intervals for the groups {groups} and {last} reach below the limit {limit}; the data can "
                       "neither show nor rule out bias")
        return UNDECIDED, reason.format(group=named[0], groups=", ".join(named[:-1]), last=named[-1],
                                        limit=_num(t.min_ratio))
    if t.max_difference is not None and dp_diff is not None and dp_diff > t.max_difference:
        return UNDECIDED, _("the difference in the share selected is {difference}, above the tolerance {tolerance}").format(
            difference=_num(dp_diff), tolerance=_num(t.max_difference))
    if t.max_difference is not None and eod is not None and eod > t.max_difference:
        return UNDECIDED, _("the difference in error rates (equalized odds) is {difference}, above the tolerance "
                            "{tolerance}").format(difference=_num(eod), tolerance=_num(t.max_difference))
    intervals = _("every group's interval lies above {limit}").format(limit=_num(t.min_ratio)) \
        if t.min_ratio is not None else ""
    shares = _("the difference in shares is at most {tolerance}").format(tolerance=_num(t.max_difference)) \
        if t.max_difference is not None else ""
    if intervals and shares:
        return NO_BIAS, _("{intervals}, and {shares}").format(intervals=intervals, shares=shares)
    return NO_BIAS, intervals or shares or _("the policy states no limits to hold the test against")


def evaluate(counts: Counts, thresholds: Thresholds) -> BiasResult:
    return BiasResult(
        tuple(evaluate_attribute(a, groups, counts.has_truth, thresholds) for a, groups in counts.attributes.items()),
        thresholds, counts.has_truth,
    )
