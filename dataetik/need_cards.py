"""Need cards as boxes, not tables.

sphinx-needs lays every need out as a table (its grid "simple": a row each for the head, the
fields and the text); none of its grids does without one. A screen reader then announces a
one-column data table for every card, and the HTML is a table used for layout. When sphinx-needs
has built a card (doctree-resolved), its table becomes a box of the same parts with the same
classes: the same card (drawn by static/dataetik.css), read as what it is.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

GRID = "needs_grid_simple"  # the grid dataetik.sphinx_ext's layouts use: one column, one part a row


def card(table: nodes.table) -> nodes.container:
    """The card's table as a box holding one box per part (head, meta, content), each with its
    classes ("need head" ...) and content."""
    box = nodes.container(classes=[c for c in table["classes"] if c != "table"], ids=list(table["ids"]))
    for row in table.findall(nodes.row):
        for entry in row.children:
            part = nodes.container(classes=list(entry["classes"]))
            part.extend(list(entry.children))
            box += part
    return box


def _cards_as_boxes(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for table in list(doctree.findall(nodes.table)):
        if "need" in table["classes"] and GRID in table["classes"]:
            table.replace_self(card(table))


def setup(app: Sphinx) -> dict:
    # After sphinx-needs has built the cards (its handlers run at the default priority, 500), and after
    # the views that fill in placeholders (900), whichever shows a need.
    app.connect("doctree-resolved", _cards_as_boxes, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
