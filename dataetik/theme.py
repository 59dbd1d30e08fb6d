"""What pydata-sphinx-theme says, in the site's language and heard as it is shown.

The theme's strings are translated from Sphinx's catalogue, with dataetik's own
(locale/<language>/LC_MESSAGES/sphinx.po, added by dataetik.sphinx_ext) for what Sphinx's leaves
untranslated. Three of them never pass through a catalogue, and are mended here:

- the search field's placeholder and name is a theme option (``search_bar_text``), written as it
  is: set to the catalogue's translation, unless conf.py sets it;
- the announcement banner's name is written in English in the theme's template, and
- the search button's name leaves out the shortcut it shows (WCAG 2.5.3):
  both templates are overridden from ``templates/`` (each says what it changes).
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.locale import _ as sphinx_catalogue

TEMPLATES = Path(__file__).parent / "templates"
SEARCH_BAR_TEXT = "Search the docs ..."  # the theme's default, and its msgid in sphinx.po


THEME = "pydata_sphinx_theme"


def _mend_the_theme(app: Sphinx, config: Config) -> None:
    if config.html_theme != THEME:  # a fixture site on Sphinx's default theme: nothing to mend
        return
    # Appended: a site's own templates (listed in conf.py) still come first, the theme's after.
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.append(str(TEMPLATES))
    options = config.html_theme_options
    if "search_bar_text" not in options:
        config.html_theme_options = {**options, "search_bar_text": str(sphinx_catalogue(SEARCH_BAR_TEXT))}


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _mend_the_theme)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
