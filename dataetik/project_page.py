"""What every project page shows below the author's assessment, without the author writing it:
sections appended to the page's source when it is read, each filled by a directive whose module
owns it (the graph: dataetik.citizen; the history: dataetik.history). Appending keeps every line
the author wrote at its own line number, so messages still point at the right line."""

from __future__ import annotations

import re

from sphinx.application import Sphinx

from dataetik.i18n import N_, translated

# (heading, directive): in the order the page shows them.
APPENDIX = [
    (N_("How the assessment hangs together"), "projectgraph"),
    (N_("History"), "projecthistory"),
]

_PROJECT = re.compile(r"^\s*(:{3,}|`{3,})\{project\}")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")


def is_project_page(source: str) -> bool:
    """A project directive outside a code block (a guide may show one as an example)."""
    code = None  # the fence of the code block we are in
    for line in source.splitlines():
        fence = _FENCE.match(line)
        if code:
            if fence and fence.group(1).startswith(code) and not fence.group(2).strip():
                code = None
        elif _PROJECT.match(line):
            return True
        elif fence and not fence.group(2).strip().startswith("{"):
            code = fence.group(1)
    return False


def appendix() -> str:
    return "".join(f"\n\n## {translated(heading)}\n\n```{{{directive}}}\n```\n" for heading, directive in APPENDIX)


def _append(app: Sphinx, docname: str, source: list[str]) -> None:
    if is_project_page(source[0]):
        source[0] = source[0].rstrip("\n") + appendix()


def setup(app: Sphinx) -> dict:
    app.connect("source-read", _append)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
