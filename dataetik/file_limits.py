"""Pages too big to build: refused when read, before they are parsed.

A page far above the policy's ``max_page_kb`` (a pasted export, a log) would take the parser
minutes and publish what no one meant to. Its text is replaced by nothing as soon as Sphinx has
read it, with a warning at the page's first line: the build stays fast, and a strict build
(-W) fails. The check rule ``file_sizes`` (dataetik.rules.files) says the same of a build made
without this extension.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from dataetik.i18n import _

logger = logging.getLogger(__name__)

# Before every other reader of the source (the project page's appendix, the markup guard): none
# of them should spend time on a page that is not to be built.
PRIORITY = 100


def _refuse_big_page(app: Sphinx, docname: str, source: list[str]) -> None:
    from dataetik.rules.files import page_too_big, page_too_big_fix
    from dataetik.sphinx_ext import vocabulary_of

    limit = int(vocabulary_of(app).settings["max_page_kb"])
    try:
        size = Path(app.env.doc2path(docname)).stat().st_size
    except OSError:
        size = len(source[0].encode("utf-8", errors="replace"))
    if size <= limit * 1000:
        return
    source[0] = ""
    said = " ".join((page_too_big(size, limit), _("The build left the page out."), page_too_big_fix()))
    logger.warning(said, location=(docname, 1), type="dataetik", subtype="file_limits")


def setup(app: Sphinx) -> dict:
    app.connect("source-read", _refuse_big_page, priority=PRIORITY)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
