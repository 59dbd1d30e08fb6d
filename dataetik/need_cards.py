"""Need cards as boxes, not tables; the cards' layout read once per build, not once per card.

sphinx-needs lays every need out as a table (its grid "simple": a row each for the head, the
fields and the text); none of its grids does without one. A screen reader then announces a
one-column data table for every card, and the HTML is a table used for layout. When sphinx-needs
has built a card (doctree-resolved), its table becomes a box of the same parts with the same
classes: the same card (drawn by static/dataetik.css), read as what it is.

sphinx-needs builds each card by reading its layout again: a layout handler made anew (with a
document of its own), every line parsed as reStructuredText, every ``<<meta(...)>>`` in it parsed
as Python; at 300 projects (8,000 cards) that was a tenth of the html build. The cards of the
"simple" grid are built here instead, just before sphinx-needs' own pass, by the same handler's
own functions (meta, meta_links, meta_id ...), with what is the same for every card (the parsed
lines and function calls, the handler's settings) made once per build: the same table, node for
node. A card of another grid, or one sphinx-needs would not render on this page, is left to it.
"""

from __future__ import annotations

import re
import uuid

from docutils import nodes
from docutils.parsers.rst import languages
from docutils.parsers.rst.states import Struct
from docutils.utils import new_document
from sphinx.application import Sphinx

GRID = "needs_grid_simple"  # the grid dataetik.sphinx_ext's layouts use: one column, one part a row
_SHARED = "_dataetik_card_parts"  # on the app: what every card's handler shares in this build
_PIECES = re.compile(r"(<<[^<>]+>>)|([^<>]+)")  # sphinx-needs' own split of a line's text


def card(table: nodes.table) -> nodes.container:
    """The card's table as a box holding one box per part (head, meta, content), each with its
    classes ("need head" ...) and content."""
    box = nodes.container(classes=[c for c in table["classes"] if c != "table"], ids=list(table["ids"]))
    # The card's own rows, not those of a table in the need's text (a walk through all of it would
    # also take those apart).
    rows = [row for group in table.children if isinstance(group, nodes.tgroup)
            for part in group.children if isinstance(part, (nodes.thead, nodes.tbody)) for row in part.children]
    for row in rows:
        for entry in row.children:
            part = nodes.container(classes=list(entry["classes"]))
            part.extend(list(entry.children))
            box += part
    return box


def _cards_as_boxes(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for table in list(doctree.findall(nodes.table)):
        if "need" in table["classes"] and GRID in table["classes"]:
            table.replace_self(card(table))


def _handler_class():
    """sphinx-needs' LayoutHandler, made cheap to make: imported when the first card is built."""
    from sphinx_needs.config import NeedsSphinxConfig
    from sphinx_needs.data import SphinxNeedsData
    from sphinx_needs.functions.functions import DynamicFunctionParsed
    from sphinx_needs.layout import LayoutHandler, SphinxNeedLayoutException, _generate_inline_parser
    from sphinx_needs.string_links import compiled_string_links

    class SharedLayoutHandler(LayoutHandler):
        """A LayoutHandler whose parts that do not depend on the need are made once per build:
        its configuration, its parser and its document, each layout line's and function call's
        parse. Its functions and its table are sphinx-needs' own."""

        def __init__(self, shared: dict, need, node: nodes.Element, docname: str) -> None:  # noqa: D107
            # LayoutHandler.__init__ without what the `shared` dict holds for every card
            self.__dict__.update(shared["attributes"])
            self._parsed, self._calls = shared["parsed"], shared["calls"]
            self.need, self.node, self.fromdocname = need, node, docname
            self.layout_name = need["layout"] or self.needs_config.default_layout
            self.layout = self.needs_config.layouts[self.layout_name]
            classes = ["need", "needs_grid_" + self.layout["grid"], "needs_layout_" + self.layout_name,
                       *self.needs_config.table_classes]
            self.style = need["style"] or self.needs_config.default_style
            if self.style:
                classes += ["needs_style_" + style.strip() for style in self.style.strip().split(",")]
            else:
                classes.append("needs_style_none")
            classes.append("needs_type_" + "".join(need["type"].split()))
            self.node_table = nodes.table(classes=classes, ids=[need["id"]])
            self.node_tbody = nodes.tbody()
            self._function_names = shared["function_names"]

        @classmethod
        def shared(cls, app: Sphinx) -> dict:
            needs_config = NeedsSphinxConfig(app.config)
            doc_settings, inline_parser = _generate_inline_parser()
            dummy_doc = new_document("dummy", doc_settings)
            doc_language = languages.get_language(dummy_doc.settings.language_code)
            attributes = {
                "app": app, "needs_config": needs_config, "needs_schema": SphinxNeedsData(app.env).get_schema(),
                "doc_settings": doc_settings, "inline_parser": inline_parser, "dummy_doc": dummy_doc,
                "doc_language": doc_language, "string_links": compiled_string_links(needs_config),
                "doc_memo": Struct(document=dummy_doc, reporter=dummy_doc.reporter, language=doc_language,
                                   title_styles=[], section_level=0, section_bubble_up_kludge=False, inliner=None),
            }
            # The names LayoutHandler's own __init__ maps to its methods
            names = ("meta", "meta_all", "meta_links", "meta_links_all", "meta_id", "image", "link",
                     "collapse_button", "permalink")
            return {"attributes": attributes, "parsed": {}, "calls": {}, "function_names": names}

        def get_need_table(self) -> nodes.table:
            """The table of the simple grid (the only one built here), as LayoutHandler builds it."""
            self._grid_simple(colwidths=[100], side_left=False, side_right=False, footer=False)
            return self.node_table

        def _parse(self, line: str) -> list[nodes.Node]:
            """LayoutHandler._parse, each distinct line parsed once: a copy of its nodes."""
            parsed = self._parsed.get(line)
            if parsed is None:
                parsed = self._parsed[line] = super()._parse(line)
            return [node.deepcopy() for node in parsed]

        def _pieces(self, text: str) -> list:
            """A text's pieces as LayoutHandler._func_replace splits them: a str for plain text, a
            parsed DynamicFunctionParsed for each ``<<...>>``."""
            pieces = self._calls.get(text)
            if pieces is None:
                pieces = []
                for func_def, plain in _PIECES.findall(text):
                    if plain and not func_def:
                        pieces.append(plain)
                    elif func_def and not plain:
                        clean = func_def.replace("<<", "").replace(">>", "")
                        pieces.append((clean, DynamicFunctionParsed.from_string(clean, allow_need=False)))
                    else:
                        raise SphinxNeedLayoutException(
                            f"Error during layout line parsing. This looks strange: {(func_def, plain)}")
                self._calls[text] = pieces
            return pieces

        def _func_replace(self, section_nodes: list[nodes.Node]) -> list[nodes.Node]:
            """LayoutHandler._func_replace, with each text's split and calls parsed once."""
            return_nodes = []
            for node in section_nodes:
                if not isinstance(node, nodes.Text):
                    for child in node.children:
                        node.replace(child, self._func_replace([child]))
                    return_nodes.append(node)
                    continue
                node_line = nodes.inline()
                for piece in self._pieces(node.astext()):
                    if isinstance(piece, str):
                        node_line += nodes.Text(piece)
                        continue
                    clean, df = piece
                    args = [self._argument(arg, clean) for arg in df.args]
                    kwargs = {key: self._argument(karg, clean) for key, karg in df.kwargs}
                    if df.name not in self._function_names:
                        raise SphinxNeedLayoutException(
                            "Used function {} unknown. Please use {}".format(df.name, ", ".join(self._function_names)))
                    func = getattr(self, df.name)
                    if None in args or None in kwargs.values():
                        continue  # a placeholder names a field the need leaves unset (as sphinx-needs does)
                    result = func(*args, **kwargs)
                    if result:
                        node_line += result
                return_nodes.append(node_line)
            return return_nodes

        def _argument(self, arg, clean: str):
            if not isinstance(arg, str) or "{{" not in arg:  # no placeholder: the argument as written
                return arg
            try:
                return self._replace_place_holder(arg)
            except SphinxNeedLayoutException as e:
                raise SphinxNeedLayoutException(
                    f'Referenced item "{e}" in {clean} not available in need {self.need["id"]}')

    return SharedLayoutHandler


def _renders_here(app: Sphinx, need, node: nodes.Element) -> bool:
    """Whether sphinx-needs would render this need's card here, on the simple grid."""
    from sphinx_needs.config import NeedsSphinxConfig

    config = NeedsSphinxConfig(app.config)
    layout = config.layouts.get(need["layout"] or config.default_layout)
    node_docname = node.get("docname")
    return (layout is not None and layout.get("grid") == "simple" and not need["hide"]
            and not (node_docname and node_docname != need["docname"]))


def _build_cards(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """sphinx-needs' format_need_nodes for the cards it would lay out on the simple grid, with a
    handler that shares what every card has in common; the rest are left to it."""
    from sphinx_needs.config import NeedsSphinxConfig
    from sphinx_needs.data import SphinxNeedsData
    from sphinx_needs.functions.functions import check_and_get_content, find_and_replace_node_content
    from sphinx_needs.nodes import Need

    found = list(doctree.findall(Need))
    if not found or not NeedsSphinxConfig(app.config).include_needs:
        return
    needs = SphinxNeedsData(app.env).get_needs_view()
    if not needs:
        return
    handler = getattr(app, _SHARED, None)
    if handler is None:
        cls = _handler_class()
        handler = (cls, cls.shared(app))
        setattr(app, _SHARED, handler)
    cls, shared = handler
    for node_need in found:
        need = needs.get(node_need["ids"][0])
        if need is None or not _renders_here(app, need, node_need):
            continue  # sphinx-needs' own pass renders it, removes it or says why not
        find_and_replace_node_content(node_need, app.env, need)
        for index, attribute in enumerate(node_need["classes"]):
            node_need["classes"][index] = check_and_get_content(attribute, need, app.env, node_need)
        table = cls(shared, need, node_need, docname).get_need_table()
        # build_need_repr's wrapper, with its id
        container = nodes.container(ids=["SNCB-" + str(uuid.uuid4())[:8]], classes=["need_container"])
        container.append(table)
        node_need.parent.replace(node_need, container)


def _forget(app: Sphinx) -> None:
    if hasattr(app, _SHARED):
        delattr(app, _SHARED)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _forget)
    # Just before sphinx-needs' own pass (doctree-resolved, 500), which then finds only the needs it
    # renders itself.
    app.connect("doctree-resolved", _build_cards, priority=499)
    # After sphinx-needs has built the cards (its handlers run at the default priority, 500), and after
    # the views that fill in placeholders (900), whichever shows a need.
    app.connect("doctree-resolved", _cards_as_boxes, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
