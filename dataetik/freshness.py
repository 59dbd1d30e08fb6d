"""Incremental builds that are never stale (issue 13). Stub: filled in by its owner."""

from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict:
    return {"parallel_read_safe": True, "parallel_write_safe": True}
