"""Sphinx extension: the glue sphinx-needs does not provide itself.

- The policy's language: messages, need type and link names from dataetik's catalogue
  (``dataetik.i18n``), in the language conf.py takes from the policy.
- The policy's words: field enums, required fields and card layouts follow from the
  policies' policy.toml files (``dataetik.vocabulary``), added to the configuration
  before sphinx-needs reads it.
- ``project_of_folder``: a dynamic function used as the default of ``belongs_to``,
  so authors never repeat the project ID on every need in a project folder.
- Schema violations from sphinx-needs are logged without a location; a logging
  filter adds the file:line of the need they name, so authors can find it.
"""

from __future__ import annotations

import logging
import posixpath
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging as sphinx_logging
from sphinx_needs.api import add_dynamic_function
from sphinx_needs.data import SphinxNeedsData

from dataetik import i18n, model, reference, register, vocabulary
from dataetik.biastest import sphinx as biastest_sphinx
from dataetik.citizen import CITIZEN_FIELDS

# Said elsewhere on the page: what a citizen needs in the box below the card (dataetik.citizen);
# an approval's fingerprints are for the change trail (dataetik.trail), not for readers.
HIDDEN_ON_CARD = {*CITIZEN_FIELDS, "fingerprints"}

sphinx_logger = sphinx_logging.getLogger(__name__)
_PROJECT_INDEX_CACHE = "_dataetik_project_by_folder"


def _folder(docname: str) -> str:
    return posixpath.dirname(docname)


def project_of_folder(app: Sphinx, need, needs, *args, **kwargs) -> list[str]:
    """The ID of the project need in the same folder, for project parts only."""
    if need["type"] not in model.PROJECT_PARTS or not need.get("docname"):
        return []
    # Built once per resolution pass: a scan per need would be quadratic.
    cache = getattr(app.env, _PROJECT_INDEX_CACHE, None)
    if cache is None or cache[0] is not needs:
        by_folder = {
            _folder(n["docname"]): n["id"]
            for n in needs.values()
            if n["type"] == "project" and n.get("docname")
        }
        cache = (needs, by_folder)
        setattr(app.env, _PROJECT_INDEX_CACHE, cache)
    project = cache[1].get(_folder(need["docname"]))
    return [project] if project else []


class _LocateSchemaViolations(logging.Filter):
    """Give sphinx-needs' schema messages the docname:line of the need they name."""

    _NEED = re.compile(r"Need '([^']+)' has schema")

    def __init__(self, app: Sphinx) -> None:
        super().__init__()
        self.app = app

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "location", None) is None:
            match = self._NEED.search(str(record.msg))
            if match:
                need = SphinxNeedsData(self.app.env).get_needs_view().get(match.group(1))
                if need and need.get("docname"):
                    record.location = (need["docname"], need.get("lineno"))
        return True


def _install_location_filter(app: Sphinx) -> None:
    logger = logging.getLogger("sphinx.sphinx_needs.schema.process")
    logger.filters = [f for f in logger.filters if not isinstance(f, _LocateSchemaViolations)]
    logger.addFilter(_LocateSchemaViolations(app))


def _link_lines(need_type: str) -> list[str]:
    """One card line per link the type can have, each way, in the model's order (as sphinx-needs'
    meta_links_all, whose lines would nest in the line's own and make invalid HTML), its label in
    bold as a field's; a line whose need has no such link stays empty, and dataetik.css hides it.
    A project's parts are listed on its page, not on its card."""
    lines = []
    for name, link in model.NEED_LINKS.items():
        if need_type in model.LINK_SOURCES.get(name, [need_type]):
            lines.append(f'**{_plain(i18n.translated(link["outgoing"]))}:** <<meta_links("{name}")>>')
        if need_type in link.get("target_types", [need_type]) and name != "belongs_to":
            lines.append(f'**{_plain(i18n.translated(link["incoming"]))}:** <<meta_links("{name}", incoming=True)>>')
    return lines


def _plain(text: str) -> str:
    """Text as the layout parser (reST inline markup) shows it as it is."""
    return re.sub(r"([\\`*_|\[\]<>:])", r"\\\1", text)


def _layout(vocab: vocabulary.Vocabulary, fields: dict, need_type: str) -> dict:
    """A need card read by people, not databases: the type's own fields with their labels
    (one layout per type keeps big builds fast), and the links both ways (an auditor
    follows principle -> requirement -> project and back)."""
    return {
        "grid": "simple",
        "layout": {
            "head": ['<<meta("type_name")>> **<<meta("title")>>** <<meta_id()>>'],
            "meta": [
                *(f'<<meta("{f}", prefix="{fields[f]["description"]}: ")>>' for f in model.type_fields(vocab, need_type)
                  if f not in HIDDEN_ON_CARD),
                *_link_lines(need_type),
            ],
        },
    }


def vocabulary_of(app: Sphinx) -> vocabulary.Vocabulary:
    """The site's vocabulary, read once per build (when the configuration is)."""
    vocab = getattr(app, "_dataetik_vocabulary", None)
    if vocab is None:
        from dataetik.rules import project_wide_names

        vocab = vocabulary.load_site(Path(app.srcdir), app.config.exclude_patterns, project_wide_names())
        app._dataetik_vocabulary = vocab
    return vocab


def _speak_the_policy_language(app: Sphinx, config: Config) -> None:
    """Messages in the site's language (conf.py takes it from the policy), and the need types'
    and links' names with them, before sphinx-needs resolves the types (priority 12)."""
    i18n.use(config.language or vocabulary.declared_language(Path(app.srcdir), config.exclude_patterns))
    if isinstance(config.needs_types, list):
        config.needs_types = [{**t, "title": i18n.translated(t["title"])} if isinstance(t, dict) and "title" in t else t
                              for t in config.needs_types]
    config.needs_links = {
        name: {**link, **{k: i18n.translated(link[k]) for k in ("outgoing", "incoming") if isinstance(link.get(k), str)}}
        if isinstance(link, dict) else link
        for name, link in config.needs_links.items()
    }


def _apply_vocabulary(app: Sphinx, config: Config) -> None:
    """Merge the policy's fields into sphinx-needs' configuration (never replace: a conf.py
    may add its own), after sphinx-needs read its TOML (10) and before it loads (500)."""
    try:
        vocab = vocabulary_of(app)
    except vocabulary.VocabularyError as err:
        # Said like any build message (file:line), then stop: Sphinx would print a traceback
        # report for a ConfigError, and building on without the policy's words publishes nonsense.
        sphinx_logger.error(f"{err.problem} {err.fix}", location=f"{err.file}:{err.line or 1}")
        raise SystemExit(2) from None
    fields = model.need_fields(vocab)
    config.needs_fields = {
        **config.needs_fields, **fields,
        "layout": {"predicates": [(f"type == '{t['directive']}'", f"dataetik_{t['directive']}") for t in model.NEED_TYPES]},
    }
    config.needs_layouts = {**config.needs_layouts,
                            **{f"dataetik_{t['directive']}": _layout(vocab, fields, t["directive"]) for t in model.NEED_TYPES}}
    config.needs_schema_definitions = model.schema_definitions(vocab)


def _add_static_path(app: Sphinx) -> None:
    static = str(Path(__file__).parent / "static")
    if static not in app.config.html_static_path:
        app.config.html_static_path.append(static)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _speak_the_policy_language, priority=5)
    app.connect("config-inited", _apply_vocabulary, priority=100)
    add_dynamic_function(app, project_of_folder)
    register.setup(app)
    biastest_sphinx.setup(app)
    reference.setup(app)
    app.setup_extension("dataetik.pages")
    # Issue 10's views, one module each: the project page's appendix, the yearly reports, the
    # traceability matrix, the change trail, the history from git, and what citizens need.
    for module in ("project_page", "annual_pages", "matrix", "trail", "history", "citizen"):
        app.setup_extension(f"dataetik.{module}")
    # Nothing an author writes may put markup or outside files on the public site; an incremental
    # build re-writes every page whose links or generated content changed.
    app.setup_extension("dataetik.safe_markup")
    app.setup_extension("dataetik.file_limits")
    app.setup_extension("dataetik.freshness")
    # Upstream code that costs seconds at 1,000 projects, fixed on the versions it was written for.
    app.setup_extension("dataetik.upstream_fixes")
    # Every page's need cards as boxes, not layout tables; the theme's strings in the site's language.
    app.setup_extension("dataetik.need_cards")
    app.setup_extension("dataetik.theme")
    # The theme's and Sphinx's strings that their own Danish catalogues leave empty (.po in git, compiled
    # here): a fallback, Sphinx's own translation wins where it has one.
    app.add_message_catalog("sphinx", str(i18n.compiled("sphinx")))
    app.connect("builder-inited", _install_location_filter)
    app.connect("builder-inited", _add_static_path)
    app.add_css_file("dataetik.css")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
