"""Fixes of upstream code that costs seconds on every build of a big site, none of them changing what
a build writes (tests/test_upstream_fixes.py builds a site with and without them and compares).

Each fix is applied only on the exact version of the package it was written for: on any other
version nothing is changed, and the build is as upstream makes it (slower, never different).
Measured at 1,000 projects (23,000 needs), one edit, `dataetik check`: see each fix.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import logging
import os
from importlib import metadata

from sphinx.application import Sphinx

APPLIED: list[str] = []  # the fixes applied in this process, by name
_ABSENT = object()
_PATCHED: list[tuple[object, str, object, object]] = []  # (owner, attribute, upstream's, the fix's)


def _patch(owner: object, name: str, new: object) -> None:
    _PATCHED.append((owner, name, vars(owner).get(name, _ABSENT), new))
    setattr(owner, name, new)


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


# --- sphinx-needs 9.1.0 -------------------------------------------------------------------------------

def deduplicating_add(original_add):
    """NeedItem.add_backlink with a set beside each list it appends to (rebuilt where anything else
    changed the list since): it appends what upstream's appends, in the same order."""
    from sphinx_needs.need_item import NeedLink

    seen: dict[int, tuple[list, set, int]] = {}  # id(list) -> (the list, what it holds, its length)

    def add_backlink(self, link_type, backlink):
        if link_type not in self._backlinks:
            return original_add(self, link_type, backlink)  # the KeyError upstream raises
        backlink = NeedLink.from_string(backlink) if isinstance(backlink, str) else backlink
        current = self._backlinks[link_type]
        known = seen.get(id(current))
        if known is None or known[0] is not current or known[2] != len(current):
            known = (current, set(current), len(current))
        if backlink not in known[1]:
            current.append(backlink)
            known[1].add(backlink)
        seen[id(current)] = (current, known[1], len(current))

    return add_backlink


def _fast_backlinks() -> None:
    """sphinx_needs.directives.need.build_backlinks adds each back-link with NeedItem.add_backlink, which
    scans the need's list of back-links for it first (`backlink not in self._backlinks[link_type]`):
    quadratic in a need's back-links. A requirement that 1,000 projects' considerations address has
    1,000, and at 1,000 projects the post-processing spent 3 s on these scans. While build_backlinks
    runs, add_backlink keeps a set beside each list it appends to (for this call only; rebuilt if
    anything else changed the list), and appends exactly what it appended before, in the same order."""
    from sphinx_needs import need_item
    from sphinx_needs.directives import need as need_directive

    original_build, original_add = need_directive.build_backlinks, need_item.NeedItem.add_backlink

    def build_backlinks(*args, **kwargs):
        need_item.NeedItem.add_backlink = deduplicating_add(original_add)
        try:
            return original_build(*args, **kwargs)
        finally:
            need_item.NeedItem.add_backlink = original_add

    _patch(need_directive, "build_backlinks", build_backlinks)


def _fast_needs_json() -> None:
    """sphinx_needs.needsfile.NeedsList.write_json writes with json.dump, which always runs the json
    module's pure-Python encoder (only json.dumps uses the C one); the same text, written at once."""
    from sphinx_needs import needsfile

    def write_json(self, needs_file: str = "needs.json", needs_path: str = "") -> None:
        self._finalise()
        needs_dir = needs_path if needs_path else self.outdir
        with open(os.path.join(needs_dir, needs_file), "w") as f:
            f.write(json.dumps(self.needs_list, sort_keys=True))

    _patch(needsfile.NeedsList, "write_json", write_json)


_PROJECTIONS: dict | None = None  # while sphinx-needs validates the needs: id(need) -> (need, its projection)


def _select_once() -> None:
    """sphinx_needs.schema.core._check_select_match makes, for every type schema with a `select` and
    every need, the need's projection ({field: value} of NeedItem.items(), without None) to test the
    schema's select on: the same projection once per schema, and NeedItem.items() is slow. At 1,000
    projects (8 schemas, 23,000 needs) that was most of the schema validation's 4 s. While sphinx-needs
    validates (its write-started handler, between ours before and after it) each need's projection is
    made once and tested against every schema's select; the test itself is upstream's."""
    from sphinx_needs.schema import core

    original = core._check_select_match

    def _check_select_match(need, validator, *, select_field_names, config, schema_path, need_path):
        if _PROJECTIONS is None or config.schema_debug_active:  # the debug files are upstream's to write
            return original(need, validator, select_field_names=select_field_names, config=config,
                            schema_path=schema_path, need_path=need_path)
        known = _PROJECTIONS.get(id(need))
        if known is None or known[0] is not need or known[1] != select_field_names:
            known = (need, select_field_names,
                     {k: v for k, v in need.items() if k in select_field_names and v is not None})
            _PROJECTIONS[id(need)] = known
        return validator.compiled.is_valid(instance=known[2])

    _patch(core, "_check_select_match", _check_select_match)


def _validating(app: Sphinx, builder) -> None:
    global _PROJECTIONS
    _PROJECTIONS = {} if "sphinx-needs schema select" in APPLIED else None


def _validated(app: Sphinx, builder) -> None:
    global _PROJECTIONS
    _PROJECTIONS = None


# --- Sphinx 9.0.4 -------------------------------------------------------------------------------------

class _NotLogged(Exception):
    pass


def _debug_shown(logger: logging.Logger) -> bool:
    """Whether a debug record of this logger reaches a handler that keeps it (as Logger.callHandlers
    walks them): a handler at DEBUG or below, or one that buffers everything (Sphinx's MemoryHandler)."""
    current: logging.Logger | None = logger
    while current is not None:
        if any(h.level <= logging.DEBUG for h in current.handlers):
            return True
        current = current.parent if current.propagate else None
    return False


def _lazy_event_repr() -> None:
    """sphinx.events.EventManager.emit writes `repr(args)` into a debug message on every event, shown
    only with -vv, and sphinx-needs passes all needs to two of its events: at 1,000 projects the repr of
    23,000 needs costs seconds per build. The module's `repr` is made to refuse where no handler keeps
    a debug message: emit already catches a repr that fails (`not every object likes to be repr()'d`)
    and then logs nothing, which is what the handlers would have done with the message."""
    import sphinx.events

    events_logger = sphinx.events.logger.logger

    def repr(obj):  # noqa: A001 - the name emit looks up
        if not _debug_shown(events_logger):
            raise _NotLogged
        return builtins.repr(obj)

    _patch(sphinx.events, "repr", repr)


FIXES = {
    "sphinx-needs backlinks": ("sphinx-needs", "9.1.0", _fast_backlinks),
    "sphinx-needs needs.json": ("sphinx-needs", "9.1.0", _fast_needs_json),
    "sphinx-needs schema select": ("sphinx-needs", "9.1.0", _select_once),
    "sphinx event repr": ("sphinx", "9.0.4", _lazy_event_repr),
}


def apply() -> list[str]:
    """Apply each fix whose package has the version it was written for, once per process."""
    for name, (package, version, fix) in FIXES.items():
        if name not in APPLIED and _version(package) == version:
            fix()
            APPLIED.append(name)
    return APPLIED


def setup(app: Sphinx) -> dict:
    apply()
    # Around sphinx-needs' schema validation (sphinx_needs.schema.process.process_schemas, priority 500).
    app.connect("write-started", _validating, priority=499)
    app.connect("write-started", _validated, priority=501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


@contextlib.contextmanager
def unapplied():
    """Upstream's code as it is while the block runs (for the tests that compare)."""
    for owner, name, upstream, _fix in reversed(_PATCHED):
        if upstream is _ABSENT:
            delattr(owner, name)
        else:
            setattr(owner, name, upstream)
    try:
        yield
    finally:
        for owner, name, _upstream, fix in _PATCHED:
            setattr(owner, name, fix)
