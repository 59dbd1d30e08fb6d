"""A bias test's result as HTML: per attribute a table, a bar chart and a verdict.

Colours are Okabe-Ito (colour-blind safe), and every bar also carries its verdict
as text, so colour is never the only cue. The page's stylesheet (static/dataetik.css)
colours each mark by its class, from CSS variables that follow the theme's light and dark
mode, every one at least 3:1 against the page (WCAG 1.4.11); the fill attributes are the
light colours, for a chart shown without it. Lines and text are in the text colour.
"""

from __future__ import annotations

from html import escape
from urllib.parse import unquote

from dataetik.biastest.metrics import BIAS, NO_BIAS, UNDECIDED, AttributeResult, BiasResult
from dataetik.i18n import _, decimal, integer, percent, translated

# A bar's class (its colour in the stylesheet) and its colour where no stylesheet applies.
MARK = {NO_BIAS: "no-bias", UNDECIDED: "undecided", BIAS: "bias", "reference": "reference"}
COLOUR = {NO_BIAS: "#0072B2", UNDECIDED: "#B07800", BIAS: "#D55E00", "reference": "#767676"}


def _pct(x: float | None) -> str:
    return "–" if x is None else percent(x, 1)


def _num(x: float | None) -> str:
    return "–" if x is None else decimal(x, 2)


def _group_state(g, min_ratio: float | None) -> str:
    if g.suppressed:
        return "suppressed"
    if g.reference:
        return "reference"
    if min_ratio is None:
        return NO_BIAS  # no threshold to fall short of
    if g.ci[1] < min_ratio:
        return BIAS
    return NO_BIAS if g.ci[0] >= min_ratio else UNDECIDED


def _scroll(label: str) -> str:
    """A box that scrolls on a narrow screen instead of the page: reachable by keyboard, and named."""
    from dataetik.pages import scroll_open  # not at the top: pages imports the register, which imports this module

    return scroll_open(label)


def _table(a: AttributeResult, has_truth: bool) -> str:
    head = [_("Group"), _("Number"), _("Share selected"), _("Ratio"), _("95 % interval"), _("Fisher p")]
    if has_truth:
        head += [_("True positive rate"), _("False positive rate")]
    rows = []
    for g in a.groups:
        if g.suppressed:
            cells = [escape(g.group), "–", escape(_("suppressed")), "–", "–", "–"] + (["–", "–"] if has_truth else [])
        else:
            ci = escape(_("reference group")) if g.reference else f"{_num(g.ci[0])}–{_num(g.ci[1])}"
            p = "–" if g.p_value is None else (decimal(g.p_value, 3) if g.p_value >= 0.001 else "&lt; " + decimal(0.001, 3))
            cells = [escape(g.group), integer(g.n), _pct(g.rate), _num(g.ratio), ci, p]
            if has_truth:
                cells += [_pct(g.tpr), _pct(g.fpr)]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    # Its own scroll box: on a narrow screen the table scrolls, not the page.
    return (
        _scroll(_("Table: {attribute}").format(attribute=a.attribute))
        + '<table class="table dataetik-bias-table"><thead><tr>'
        + "".join(f"<th>{escape(h)}</th>" for h in head)
        + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
    )


def chart(a: AttributeResult, min_ratio: float | None, ident: str = "bias") -> str:
    """Horizontal bars: each group's ratio to the reference, CI whiskers, threshold line; `ident` makes
    its title's and description's ids unique on the page (and the same in every build)."""
    # Each group's name and result on a line above its bar (two lines where they would not fit on one),
    # so the chart is as wide whatever the names and fits a phone's screen without scrolling.
    plot_w, left, top, bar_h, line_h = 300, 14, 30, 16, 16
    width = left + plot_w + 14
    scale_max = max(1.2, *(g.ci[1] for g in a.groups if g.ci))
    x = lambda v: left + plot_w * min(v, scale_max) / scale_max  # noqa: E731
    rows, y = [], top
    for g in a.groups:
        state = _group_state(g, min_ratio)
        if g.suppressed:
            result = _("suppressed – insufficient data")
        else:
            label = _("reference") if g.reference else {BIAS: _("below the limit"), UNDECIDED: _("uncertain"),
                                                         NO_BIAS: _("above the limit")}[state]
            result = f"{_num(g.ratio)} {label}"
        one_line = 7 * (len(g.group) + len(result) + 2) <= width - left  # about 7 px a character at 13 px
        lines = [f"{g.group}: {result}"] if one_line else [g.group, result]
        bar_y = y + line_h * len(lines) + 4  # below the group's text
        rows.append((g, state, lines, y, bar_y))
        y = bar_y + (0 if g.suppressed else bar_h + 8)
    height = y + 22
    # Grid and limit lines run through the bars' bands only, never through the text above them.
    bands = [(bar_y - 4, bar_y + bar_h + 4) for g, _s, _l, _y, bar_y in rows if not g.suppressed]
    through_bars = lambda at: "".join(f"M{at:.1f},{y1}V{y2}" for y1, y2 in bands)  # noqa: E731
    suppressed = _("suppressed")
    title = _("Ratio for {attribute} relative to the most-selected group").format(attribute=a.attribute)
    # Never shrunk below 85 % (text stays at 11 px or more): a screen narrower still scrolls the chart. On
    # a wide screen it grows to 130 % (text at 14–17 px).
    parts = [
        _scroll(title),
        f'<svg class="dataetik-bias-chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{round(width * 1.3)}px;min-width:{round(width * 0.85)}px" aria-labelledby="t-{ident} d-{ident}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="t-{ident}">{escape(title)}</title>',
        f'<desc id="d-{ident}">' + escape("; ".join(
            f"{g.group}: {suppressed if g.suppressed else _num(g.ratio)}" for g in a.groups)) + "</desc>",
        '<g font-family="sans-serif" font-size="13" fill="currentColor">',
    ]
    for tick in [t / 10 for t in range(0, int(scale_max * 10) + 1, 2)]:
        # Grid lines only guide the eye (no contrast needed): faint.
        parts.append(f'<path class="grid" d="{through_bars(x(tick))}" stroke="currentColor" stroke-opacity="0.3" stroke-width="0.5"/>')
        parts.append(f'<text x="{x(tick):.1f}" y="{height - 8}" text-anchor="middle" font-size="11">{_num(tick)}</text>')
    for g, state, lines, y, bar_y in rows:
        for number, line in enumerate(lines, 1):
            parts.append(f'<text x="{left}" y="{y + line_h * number - 3}">{escape(line)}</text>')
        if g.suppressed:
            continue
        parts.append(f'<rect class="bar {MARK[state]}" x="{left}" y="{bar_y}" width="{x(g.ratio) - left:.1f}" '
                     f'height="{bar_h}" fill="{COLOUR[state]}"/>')
        if g.ci:
            lo, hi, mid = x(g.ci[0]), x(g.ci[1]), bar_y + bar_h / 2
            parts.append(f'<path class="whisker" d="M{lo:.1f},{mid - 6}v12M{lo:.1f},{mid}H{hi:.1f}M{hi:.1f},{mid - 6}v12" stroke="currentColor" stroke-width="1.5" fill="none"/>')
    if min_ratio is not None:
        tx = x(min_ratio)
        parts.append(f'<path class="limit" d="M{tx:.1f},{top - 10}V{top - 4}{through_bars(tx)}" stroke="currentColor" stroke-dasharray="5,4" stroke-width="1.5"/>')
        parts.append(f'<text x="{tx:.1f}" y="{top - 14}" text-anchor="middle" font-size="11">'
                     + escape(_("limit {limit}").format(limit=_num(min_ratio))) + "</text>")
    parts.append("</g></svg></div>")
    return "".join(parts)


def verdict_text(verdict: str, stopped: bool) -> str:
    if verdict == BIAS and stopped:
        return _("The test showed bias, and the project was stopped. That is the policy at work: methods at risk of "
                 "bias or discrimination are not used.")
    if verdict == BIAS:
        return _("The test shows bias. The method must not be used until the bias has been removed and the test "
                 "repeated.")
    if verdict == UNDECIDED:
        return _("The test can neither show nor rule out bias. The method may only be used after a documented manual "
                 "review that gives the reasons why, and what is followed up.")
    return _("The test shows no bias beyond the policy's limits.")


def render(result: BiasResult, stopped: bool, counts_href: str | None = None, level: int = 3,
           key: str = "bias") -> str:
    """The result box (of a stopped project's test, if stopped); counts_href links the published
    counts file it was computed from; `level`: the attributes' heading level, one below the section
    the test stands in, so no heading level is skipped; `key` (the test's ID) names its charts."""
    t = result.thresholds
    if counts_href:
        link = f'<a href="{escape(counts_href)}" download>{escape(unquote(counts_href))}</a>'
        computed = escape(_("Computed by the site from the published counts in {link} (download them and "
                            "recompute)."), quote=False).format(link=link)
    else:
        computed = escape(_("Computed by the site from the published counts."), quote=False)
    limits = ([_("ratio at least {ratio} (the four-fifths rule)").format(ratio=_num(t.min_ratio))]
              if t.min_ratio is not None else []) + \
             ([_("difference in shares at most {difference}").format(difference=_num(t.max_difference))]
              if t.max_difference is not None else [])
    limits_text = (_("Limits: {limits};").format(limits=", ".join(limits)) if limits else
                   _("The policy states no limits;"))
    method = _("{confidence} % confidence interval (Katz) and Fisher's exact test against the most-selected "
               "group.").format(confidence=int(t.confidence * 100))
    out = [f'<div class="dataetik-bias dataetik-bias-{"ok" if result.verdict == NO_BIAS else "warn"}">',
           '<p class="dataetik-bias-verdict"><strong>'
           + escape(_("Overall result: {verdict}.").format(verdict=translated(result.verdict)), quote=False)
           + f"</strong> {escape(verdict_text(result.verdict, stopped))}</p>",
           f'<p class="dataetik-bias-method">{computed} {escape(limits_text, quote=False)} '
           f"{escape(method, quote=False)}</p>"]
    for number, a in enumerate(result.attributes, 1):
        out.append(f'<h{level} class="dataetik-bias-attribute">{escape(a.attribute.capitalize())}: '
                   f"{escape(translated(a.verdict))}</h{level}>")
        out.append(f"<p>{escape(a.reason[0].upper() + a.reason[1:])}.</p>")
        out.append(chart(a, t.min_ratio, f"{key}-{number}"))
        out.append(_table(a, result.has_truth))
    out.append("</div>")
    return "".join(out)
