"""Sphinx configuration shared by the site and by every fixture site in tests/.

Use from a conf.py as ``from dataetik.siteconf import *``; a conf.py then only
sets what is its own (project name, theme options). What depends on the policy's
words (field enums, required fields, card layouts) is added by dataetik.sphinx_ext
when the configuration is read, from the policies' own policy.toml files.
"""

from pathlib import Path

from dataetik import model, vocabulary
from dataetik.site_files import EXCLUDE_PATTERNS

extensions = ["myst_parser", "sphinx.ext.graphviz", "sphinx_needs", "dataetik.sphinx_ext",
              # A page's diagrams drawn in one dot run (the same files, fewer processes); the search
              # index's words stemmed once per build, not once per page (the same index).
              "dataetik.graph_batch", "dataetik.search_stems"]
source_suffix = {".md": "markdown"}
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3

# The public site publishes pages, not the authors' Markdown behind them (drafts in comments,
# refused markup shown as text on the page but raw in a source copy).
html_copy_source = False
html_show_sourcelink = False

# Only Markdown pages are the site; everything else is excluded explicitly.
exclude_patterns = list(EXCLUDE_PATTERNS)

# The site speaks the language its policies declare. Sphinx reads conf.py in the site's
# folder, and needs the language before any extension runs.
try:
    language = vocabulary.load_site(Path.cwd(), exclude_patterns).language
except vocabulary.VocabularyError:
    # The build stops when dataetik.sphinx_ext reads the vocabulary, saying why: in the language
    # the policy declares, where that much of it can be read.
    language = vocabulary.declared_language(Path.cwd(), exclude_patterns) or "en"

needs_types = model.NEED_TYPES
needs_links = model.NEED_LINKS
needs_id_required = True
needs_id_regex = model.ID_REGEX
needs_build_json = True
# A `[[function(...)]]` in a field is run only where the model asks for it (belongs_to's default): its
# filter arguments are Python expressions, so an author's page must not be able to write one.
needs_parse_dynamic_functions = False
# Diagrams with graphviz (Debian package, installed by `make`); PlantUML would need Java.
needs_flow_engine = "graphviz"
graphviz_output_format = "svg"
needs_graphviz_styles = {
    "dataetik": {
        "graph": {"rankdir": "LR", "bgcolor": "transparent", "fontname": "sans-serif", "nodesep": "0.25"},
        "node": {"fontname": "sans-serif", "fontsize": "11", "shape": "box", "style": "rounded,filled", "margin": "0.15,0.08"},
        "edge": {"color": "#777777", "arrowsize": "0.7"},
    }
}
needs_reproducible_json = True
# Links read as "Borgeren kan få forklaret en beregning (R_FORKLARLIGHED)", not bare IDs.
needs_show_link_title = True
needs_show_link_id = True
