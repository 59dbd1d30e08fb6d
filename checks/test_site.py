"""The published pages themselves: no error box that the build did not warn about
(needflow shows 'PlantUML is not available!' as page text, not as a warning)."""

import re
from pathlib import Path

import pytest

from dataetik.needs_data import checked_site

# The folder of the needs.json under check: `make` checks the new site before it swaps it in.
_, NEEDS_JSON = checked_site(Path(__file__).resolve().parent.parent)
HTML = NEEDS_JSON.parent
ERRORS = re.compile(r"is not available!|Traceback \(most recent call last\)")


def pages():
    return sorted(HTML.rglob("*.html")) if HTML.is_dir() else []


@pytest.mark.skipif(not pages(), reason="the site has no html build (a fixture built with the needs builder)")
def test_no_page_shows_an_error_box():
    bad = [f"{p.relative_to(HTML)}: {m.group(0)}" for p in pages() for m in [ERRORS.search(p.read_text(encoding="utf-8"))] if m]
    assert not bad, "Sider med fejlbokse (ret diagrammet eller direktivet på siden):\n" + "\n".join(bad)
