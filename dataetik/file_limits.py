"""Pages too big or empty to build (issue 11). Stub: filled in by its owner."""

from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict:
    return {"parallel_read_safe": True, "parallel_write_safe": True}
