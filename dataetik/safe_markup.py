"""Author markup that must not reach the public site (issue 11). Stub: filled in by its owner."""

from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict:
    return {"parallel_read_safe": True, "parallel_write_safe": True}
