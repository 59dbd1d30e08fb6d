"""The bias test's chart (dataetik/biastest/render.py): the same in every build, and as wide whatever
the group names, so it fits a phone's screen."""

from __future__ import annotations

import re

from sitebuild import REPO

from dataetik import i18n
from dataetik.biastest import PolicyBias, compute_file
from dataetik.biastest.metrics import Thresholds
from dataetik.biastest.render import chart, render

LIMITS = Thresholds(0.8, 0.1)
EXAMPLE = REPO / "projects" / "praktikmatch-jobcenter" / "biastest.csv"  # a long group name: 36 characters


def _result():
    i18n.use("da")
    return compute_file(EXAMPLE, PolicyBias(LIMITS, 5, ()), LIMITS)[1]


def test_two_renderings_are_the_same_and_named_by_the_test():
    result = _result()
    first, second = render(result, False, key="BT_X"), render(result, False, key="BT_X")
    assert first == second
    ids = re.findall(r'\bid="([^"]+)"', first)
    assert ids and len(ids) == len(set(ids)) and all("BT_X" in i for i in ids)


def test_every_text_fits_the_chart_whatever_the_names():
    for attribute in _result().attributes:
        svg = chart(attribute, LIMITS.min_ratio, "BT_X-1")
        width = float(re.search(r'viewBox="0 0 (\S+) ', svg)[1])
        for x, anchor, size, text in re.findall(
                r'<text x="([\d.]+)" y="[\d.]+"( text-anchor="middle")?(?: font-size="(\d+)")?[^>]*>([^<]*)</text>', svg):
            half = 0.5 if anchor else 1  # a centred text reaches half its width to the right
            assert float(x) + half * 0.55 * int(size or 13) * len(text) <= width + 1, (text, width)
        assert "min-width" in svg and width <= 340  # at 85 %: 289 px, less than a phone's page column
