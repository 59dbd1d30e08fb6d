"""Accessibility of the published pages (WCAG 2.1 AA), measured in a browser: axe-core in Chromium
(scripts/axe.mjs) on one page of every kind the site has, at 1280 and 420 px wide, in light and
dark mode; plus what axe does not measure: every box that scrolls is a tab stop (a keyboard user
scrolls it with the arrow keys), the charts' marks stand out 3:1 from their background, and no
heading runs out of its box on a 320 px screen.

Reads the html beside the needs.json the checks read (DATAETIK_NEEDS_JSON: a build in progress is
checked before it is published); a site built with the needs builder has no pages, and is skipped.
Needs Node.js with the npm packages of package.json (scripts/ensure-node-packages) and Chromium,
which make test installs first; run by hand without them, the module is skipped and says what to run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dataetik.needs_data import NeedsFileError, checked_site, load_needs
from dataetik.site_files import EXCLUDE_PATTERNS
from dataetik.vocabulary import VocabularyError, load_site

ROOT = Path(__file__).resolve().parent.parent
SITE, NEEDS_JSON = checked_site(ROOT)
HTML = NEEDS_JSON.parent
DRIVER = ROOT / "scripts" / "axe.mjs"
WIDTHS, SCHEMES, NARROW = (1280, 420), ("light", "dark"), 320
# What fails the check; "moderate" and "minor" findings are shown in the report, not failed.
FAILING = {"serious", "critical"}

# Waivers, each with its reason. Empty unless something cannot be fixed by this project.
# axe rule id -> {a string in the element's selector: why}
AXE_WAIVERS: dict[str, dict[str, str]] = {}
# A scroll box that is no tab stop of its own: {a string in its description: why}
SCROLL_WAIVERS: dict[str, str] = {
    # The theme's navigation sidebar scrolls when the section's pages outgrow the window; it holds
    # nothing but links, and tabbing through them scrolls it.
    "#pst-primary-sidebar": "pydata-sphinx-theme's section navigation: only links, each a tab stop",
}


# --- the pages: one of every kind the site has -------------------------------------------------------

def _page(docname: str) -> Path:
    return HTML / f"{docname}.html"


def _first_with(marker: str, last: bool = False) -> Path | None:
    """The first (or last) page in path order whose html holds a marker: a view a directive generated."""
    return next((p for p in sorted(HTML.rglob("*.html"), reverse=last) if marker in p.read_text(encoding="utf-8")),
                None)


def _policy_pages() -> dict[str, Path]:
    """The base policy's principles and requirements pages; every page of a policy layered on it."""
    try:
        needs = load_needs(NEEDS_JSON)
        policies = load_site(SITE, EXCLUDE_PATTERNS).policies
    except (NeedsFileError, VocabularyError):
        return {}
    pages: dict[str, Path] = {}
    base = policies[0].folder if policies else ""
    for need_type in ("principle", "requirement"):
        own = [n for n in needs.of_type(need_type) if n["docname"].startswith(base + "/")]
        if own:
            pages[f"{need_type} page"] = _page(own[0]["docname"])
    for layered in policies[1:]:
        for page in sorted((HTML / layered.folder).glob("*.html")):
            pages[f"{layered.folder}/{page.name}"] = page
    return pages


def _biastest_page() -> Path | None:
    try:
        tests = load_needs(NEEDS_JSON).of_type("biastest")
    except NeedsFileError:
        return None
    return _page(tests[0]["docname"]) if tests else None


def pages() -> dict[str, Path]:
    """{kind of page: its html}, for the kinds this site has."""
    if not (HTML / "index.html").is_file():
        return {}
    found = {
        "home": HTML / "index.html",
        **_policy_pages(),
        "project with a bias test": _biastest_page(),
        "register": _first_with('class="dataetik-register'),
        "yearly report": _first_with("dataetik-annual-totals", last=True),  # this year's
        "traceability matrix": _first_with("dataetik-matrix-scroll"),
        "guide": next(iter(sorted((HTML / "docs" / "guides").glob("*.html"))), None),
        "search": HTML / "search.html",
        "index of terms": HTML / "genindex.html",
    }
    return {kind: page for kind, page in found.items() if page is not None and page.is_file()}


def missing_tools() -> str:
    """What the browser run needs and this machine lacks ('' when nothing)."""
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    missing = [what for what, there in (
        ("Node.js (./scripts/ensure-system-packages node)", shutil.which("node")),
        ("the npm packages (./scripts/ensure-node-packages)",
         all((ROOT / "node_modules" / name).is_dir() for name in ("axe-core", "puppeteer-core"))),
        (f"Chromium at {chromium} (./scripts/ensure-system-packages chromium)", Path(chromium).exists()),
    ) if not there]
    return ", ".join(missing)


PAGES = pages()
MISSING = missing_tools()
pytestmark = [
    pytest.mark.browser,  # make test runs these; make html runs the policy's rules only
    pytest.mark.skipif(not PAGES, reason=f"no html pages in {HTML} (a site built with the needs builder)"),
    # make test installs them first; by hand, say what to run.
    pytest.mark.skipif(bool(PAGES) and bool(MISSING), reason=f"accessibility checks need {MISSING}"),
]


# --- one browser run for the module ---------------------------------------------------------------

@pytest.fixture(scope="module")
def measured() -> dict:
    """The driver's results for every page, by page: {page: {"runs": [...], "narrow": {...}}}."""
    proc = subprocess.run(
        [shutil.which("node"), str(DRIVER), "--widths", ",".join(map(str, WIDTHS)), "--schemes", ",".join(SCHEMES),
         "--narrow", str(NARROW), *map(str, PAGES.values())],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )
    if proc.returncode != 0:
        pytest.fail(f"scripts/axe.mjs failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}", pytrace=False)
    result = json.loads(proc.stdout)
    by_page: dict[str, dict] = {str(p): {"runs": [], "narrow": None} for p in PAGES.values()}
    for run in result["runs"]:
        by_page[run["page"]]["runs"].append(run)
    for narrow in result["narrow"]:
        by_page[narrow["page"]]["narrow"] = narrow
    return by_page


def _where(run: dict) -> str:
    return f"{Path(run['page']).relative_to(HTML)} at {run['width']} px, {run['scheme']}"


def _waived(violation: dict, node: dict) -> bool:
    return any(key in " ".join(map(str, node["target"])) for key in AXE_WAIVERS.get(violation["id"], {}))


def _needs_a_name(box: dict) -> bool:
    """A box with a role must say what it is (ARIA), and so must this project's own scroll regions;
    a plain box (the theme's code blocks and tables) is read by its content when it takes focus."""
    return bool(box["role"]) or ".dataetik-scroll" in box["element"]


def _unreachable(boxes: list[dict]) -> list[dict]:
    return [b for b in boxes
            if not any(key in b["element"] for key in SCROLL_WAIVERS)
            and (not b["focusable"] or (_needs_a_name(b) and not b["named"]))]


# --- the checks --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", PAGES)
def test_no_serious_accessibility_violation(kind, measured):
    """axe-core's rules (WCAG 2.0/2.1 A and AA, and best practice): nothing serious or critical."""
    found = []
    for run in measured[str(PAGES[kind])]["runs"]:
        for v in run["violations"]:
            nodes = [n for n in v["nodes"] if not _waived(v, n)]
            if v["impact"] in FAILING and nodes:
                found.append(f"{_where(run)}: {v['impact']} {v['id']} ({v['help']}): "
                             + "; ".join(f"{' '.join(map(str, n['target']))} – {n['summary']}" for n in nodes[:5]))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("kind", PAGES)
def test_the_theme_follows_the_readers_colour_scheme(kind, measured):
    """Dark mode is the reader's choice (prefers-color-scheme), so the dark runs test what a reader sees."""
    assert all(run["theme_followed_scheme"] for run in measured[str(PAGES[kind])]["runs"])


@pytest.mark.parametrize("kind", PAGES)
def test_every_scroll_box_is_reachable_by_keyboard(kind, measured):
    """A box that scrolls takes focus (tabindex="0"; WCAG 2.1.1) and, where it has a role, a name."""
    page = measured[str(PAGES[kind])]
    runs = [*page["runs"], {**page["narrow"], "scheme": "light"}]
    found = [f"{_where(run)}: {b['element']} ({'no tab stop' if not b['focusable'] else 'no name'}): {b['html']}"
             for run in runs for b in _unreachable(run["scroll"])]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("kind", PAGES)
def test_chart_marks_stand_out_from_their_background(kind, measured):
    """Bars, whiskers and the threshold line: contrast at least 3:1 (WCAG 1.4.11), light and dark."""
    found = sorted({f"{_where(run)}: {c['mark']} {c['colour']} on {c['background']} is {c['ratio']}:1"
                    for run in measured[str(PAGES[kind])]["runs"] for c in run["contrast"]})
    assert not found, "\n".join(found)


@pytest.mark.parametrize("kind", PAGES)
def test_no_heading_is_cut_off_on_a_narrow_screen(kind, measured):
    """At 320 px (WCAG 1.4.10, reflow), every h1–h3 fits its box: it wraps, never runs off."""
    narrow = measured[str(PAGES[kind])]["narrow"]
    found = [f"{h['heading']} “{h['text']}” is {h['scrollWidth']} px wide in {h['clientWidth']} px"
             for h in narrow["clipped"]]
    assert not found, f"{Path(narrow['page']).relative_to(HTML)} at {NARROW} px:\n" + "\n".join(found)


@pytest.mark.parametrize("kind", PAGES)
def test_the_page_reflows_on_a_narrow_screen(kind, measured):
    """At 320 px the page never scrolls sideways (WCAG 1.4.10): wide tables and charts scroll in their own box."""
    narrow = measured[str(PAGES[kind])]["narrow"]
    assert narrow["overflow"] <= 0, (f"{Path(narrow['page']).relative_to(HTML)} is {narrow['overflow']} px wider "
                                     f"than a {NARROW} px screen")
