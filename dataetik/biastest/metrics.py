"""Fairness figures from published counts, and an honest verdict per attribute.

The figures are computed on the counts themselves (`counted_figures`): a group's selection
rate is its selected over its size, true/false positive rates come from its four cells, the
demographic-parity ratio and difference and the equalized-odds difference from those rates.
fairlearn is the reference they are tested against (`fairlearn_figures`: each count one row
weighted by the count, ``sample_weight``, in one `MetricFrame`): the same numbers, without a
pandas frame per attribute (~40 ms each, the bulk of a check run).

fairlearn's bootstrap intervals would resample count rows, not people, so the uncertainty
comes from the counts themselves: a Katz log interval for each group's selection-rate ratio
to the most-selected group, and Fisher's exact test (`fisher_exact_p`, scipy's two-sided
test computed over the whole hypergeometric support at once), as adverse-impact practice
does for small samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
# scipy.special, not scipy.stats: importing scipy.stats takes a second, at the start of every check.
from scipy.special import gammaln, ndtri

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


@dataclass(frozen=True)
class Figures:
    """The fairness metrics of one attribute's published groups (each with n > 0)."""

    rate: dict[str, float]                  # group -> selection rate
    tpr: dict[str, float] | None            # group -> true positive rate (with ground truth)
    fpr: dict[str, float] | None            # group -> false positive rate (with ground truth)
    dp_ratio: float                         # lowest rate / highest rate (NaN if no group is selected)
    dp_difference: float                    # highest rate - lowest rate
    eo_difference: float | None             # the larger of the TPR and FPR differences


def _spread(values: dict[str, float]) -> tuple[float, float]:
    """(min/max, max-min), as fairlearn's between-groups ratio and difference: 0/0 is NaN."""
    low, high = min(values.values()), max(values.values())
    return (low / high if high else math.nan), high - low


def _share(part: int, whole: int) -> float:
    """part/whole, 0 where whole is 0: scikit-learn's normalised confusion matrix turns 0/0 into 0."""
    return part / whole if whole else 0.0


def counted_figures(groups: list[Group], has_truth: bool) -> Figures:
    """The figures straight from each group's counts (the fast path; see the module's docstring)."""
    rate = {g.name: g.selected / g.n for g in groups}
    dp_ratio, dp_difference = _spread(rate)
    tpr = fpr = eod = None
    if has_truth:
        tpr = {g.name: _share(g.cells.get((1, 1), 0), g.cells.get((1, 1), 0) + g.cells.get((1, 0), 0)) for g in groups}
        fpr = {g.name: _share(g.cells.get((0, 1), 0), g.cells.get((0, 1), 0) + g.cells.get((0, 0), 0)) for g in groups}
        eod = max(_spread(tpr)[1], _spread(fpr)[1])
    return Figures(rate, tpr, fpr, dp_ratio, dp_difference, eod)


def _rows(groups: list[Group], has_truth: bool):
    """Counts as fairlearn rows: one row per cell, weighted by its count."""
    cells = [(g.name, actual or 0, predicted, count) for g in groups for (actual, predicted), count in g.cells.items()]
    names, y_true, y_pred, weight = zip(*cells)
    return np.array(names), np.array(y_true), np.array(y_pred), np.array(weight, dtype=float)


def fairlearn_figures(groups: list[Group], has_truth: bool) -> Figures:
    """The same figures from one fairlearn MetricFrame: the reference the fast path is tested against."""
    from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate

    names, y_true, y_pred, w = _rows(groups, has_truth)
    metrics = {"selection_rate": selection_rate}
    if has_truth:
        metrics |= {"tpr": true_positive_rate, "fpr": false_positive_rate}
    frame = MetricFrame(metrics=metrics, y_true=y_true, y_pred=y_pred, sensitive_features=names,
                        sample_params={m: {"sample_weight": w} for m in metrics})
    by_group = frame.by_group
    # The same figures as demographic_parity_ratio/_difference and equalized_odds_difference,
    # read off this one frame: each of those functions builds a frame of its own.
    ratio, difference = frame.ratio(method="between_groups"), frame.difference(method="between_groups")
    column = lambda metric: {g.name: float(by_group.loc[g.name, metric]) for g in groups}  # noqa: E731
    return Figures(column("selection_rate"), column("tpr") if has_truth else None,
                   column("fpr") if has_truth else None, float(ratio["selection_rate"]),
                   float(difference["selection_rate"]),
                   float(max(difference["tpr"], difference["fpr"])) if has_truth else None)


@cache
def _z(confidence: float) -> float:
    return float(ndtri(0.5 + confidence / 2))  # the standard normal's quantile: scipy.stats.norm.ppf


def katz_interval(a: int, n1: int, b: int, n0: int, confidence: float) -> tuple[float, float]:
    """CI for the risk ratio (a/n1)/(b/n0) on the log scale; 0.5 added to every cell if one is 0."""
    if 0 in (a, b, n1 - a, n0 - b):
        a, b, n1, n0 = a + 0.5, b + 0.5, n1 + 1, n0 + 1
    ratio = (a / n1) / (b / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / b - 1 / n0)
    z = _z(confidence)
    return ratio * math.exp(-z * se), ratio * math.exp(z * se)


# A table within this factor of the observed one's probability counts as "no more likely" (R's
# fisher.test uses the same 1e-7): the log-gamma sums below are exact to ~1e-9 up to a million
# people, so a tie between two tables is not decided by rounding (scipy's margin, 1e-14, is for
# its exact pmf).
_TIE = 1 + 1e-7
_MAX_PEOPLE = 10**6  # beyond this the log-gamma sums lose the precision above: scipy's own test


def scipy_fisher_p(a: int, n1: int, b: int, n0: int) -> float:
    """The same p-value from scipy.stats.fisher_exact: the reference."""
    from scipy.stats import fisher_exact

    return float(fisher_exact([[a, n1 - a], [b, n0 - b]])[1])


def fisher_exact_p(a: int, n1: int, b: int, n0: int) -> float:
    """Two-sided p-value of Fisher's exact test of [[a, n1-a], [b, n0-b]], as
    scipy.stats.fisher_exact gives it: the probability of every table with the same margins
    that is no more likely than the observed one. scipy searches the tails with one
    distribution call per step (~2 ms); here the whole hypergeometric support is one array."""
    n, total = a + b, n1 + n0
    if 0 in (n1, n0, n, total - n):
        return 1.0
    if total > _MAX_PEOPLE:
        return scipy_fisher_p(a, n1, b, n0)
    low = max(0, n - n0)
    k = np.arange(low, min(n, n1) + 1, dtype=float)
    # log C(n1,k) + log C(n0,n-k) - log C(total,n). The k-dependent terms are added in pairs, so a
    # table and its mirror image (equal rows or equal columns) get bit-for-bit the same value.
    const = (gammaln(n1 + 1.0) + gammaln(n0 + 1.0)) + (gammaln(n + 1.0) + gammaln(total - n + 1.0)) - gammaln(total + 1.0)
    pmf = np.exp(const - ((gammaln(k + 1) + gammaln(n1 - k + 1)) + (gammaln(n - k + 1) + gammaln(n0 - n + k + 1))))
    as_likely = pmf <= pmf[a - low] * _TIE
    if as_likely.all():  # the observed table is the most likely one
        return 1.0
    return min(float(pmf[as_likely].sum()), 1.0)


def evaluate_attribute(attribute: str, groups: dict[str, Group], has_truth: bool, t: Thresholds,
                       reference: bool = False) -> AttributeResult:
    """The attribute's figures and verdict; `reference` computes them with fairlearn and scipy's
    own Fisher test instead of the fast path (for the tests that hold the two together)."""
    published = [g for g in groups.values() if not g.suppressed]
    suppressed = [g.name for g in groups.values() if g.suppressed]
    empty = [g.name for g in published if g.n == 0]
    published = [g for g in published if g.n > 0]  # fairlearn would drop them silently: flagged below
    results: list[GroupResult] = []
    dp_ratio = dp_diff = eod = None
    if len(published) >= 2:
        f = (fairlearn_figures if reference else counted_figures)(published, has_truth)
        fisher = scipy_fisher_p if reference else fisher_exact_p
        dp_ratio, dp_diff, eod = f.dp_ratio, f.dp_difference, f.eo_difference
        ref = max(published, key=lambda g: f.rate[g.name])
        ref_rate = f.rate[ref.name]
        for g in published:
            rate = f.rate[g.name]
            is_ref = g is ref
            ci = p = None
            if not is_ref:
                ci = katz_interval(g.selected, g.n, ref.selected, ref.n, t.confidence)
                p = fisher(g.selected, g.n, ref.selected, ref.n)
            results.append(GroupResult(
                g.name, g.n, g.selected, rate, rate / ref_rate if ref_rate else None, ci, p,
                tpr=f.tpr[g.name] if has_truth else None, fpr=f.fpr[g.name] if has_truth else None,
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


def evaluate(counts: Counts, thresholds: Thresholds, reference: bool = False) -> BiasResult:
    """The verdicts on the counts; `reference=True` computes them with fairlearn and scipy."""
    return BiasResult(
        tuple(evaluate_attribute(a, groups, counts.has_truth, thresholds, reference)
              for a, groups in counts.attributes.items()),
        thresholds, counts.has_truth,
    )
