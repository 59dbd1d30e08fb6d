"""Python's garbage collector leaves alone what every page of the build needs, while pages are written.

When the pages are written, the environment read from every page (the needs, the doctrees' titles
and tocs, dataetik's own data) lives to the end of the build: millions of objects. Each page's
doctree is loaded, resolved, written and dropped, and its nodes point at each other, so only the
cyclic collector frees them; each of its full collections walks every live object, the
environment's too. At 300 projects that was a third of the html build's CPU time (29 of 88 s,
measured with gc.callbacks). Frozen (``gc.freeze``) when writing starts, the environment is no
longer walked; what a page makes is collected as before. When many pages were read, one full
collection first frees what reading left behind (else it would stay until the build ends); after
an edit re-read a page or two, that walk of the whole heap would cost more than it frees (at 1,000
projects a full collection takes seconds, the re-check's budget is five). The
freeze is lifted when the build ends, so a process that builds again (the tests, the live
preview) can free the environment it no longer needs. Nothing written changes: collection decides
when memory is freed, never what a page says.
"""

from __future__ import annotations

import gc

from sphinx.application import Sphinx

_FROZEN = "_dataetik_gc_frozen"  # on the app: this build froze the heap (and lifts the freeze)
_READ = "_dataetik_pages_read"  # on the app: how many pages this build read
MANY_READ = 20  # read more pages than this, and what reading left behind is collected before the freeze


def _count_read(app: Sphinx, env, docnames: list[str]) -> None:
    setattr(app, _READ, getattr(app, _READ, 0) + len(docnames))


def _freeze(app: Sphinx, builder=None) -> None:
    if getattr(app, _FROZEN, False):
        return
    if getattr(app, _READ, 0) > MANY_READ:
        gc.collect()  # what reading left behind is freed, not frozen
    gc.freeze()
    setattr(app, _FROZEN, True)


def _unfreeze(app: Sphinx, exception: BaseException | None) -> None:
    if getattr(app, _FROZEN, False):
        gc.unfreeze()
        setattr(app, _FROZEN, False)
    setattr(app, _READ, 0)


def setup(app: Sphinx) -> dict:
    app.connect("env-before-read-docs", _count_read)
    app.connect("write-started", _freeze)
    app.connect("build-finished", _unfreeze)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
