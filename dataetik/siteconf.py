"""Sphinx configuration shared by the site and by every fixture site in tests/.

Use from a conf.py as ``from dataetik.siteconf import *``; a conf.py then only
sets what is its own (project name, theme options).
"""

from dataetik import model

language = "da"
extensions = ["myst_parser", "sphinx.ext.graphviz", "sphinx_needs", "dataetik.sphinx_ext"]
source_suffix = {".md": "markdown"}
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3

# Only Markdown pages are the site; everything else is excluded explicitly.
exclude_patterns = [
    ".venv",
    "_build",
    "tests",
    "bench",
    "checks",
    "dataetik",
    "README.md",
    "**/README.md",
    ".pytest_cache",
    ".git",
    ".ci",
    "scripts",
    "*.egg-info",
]

needs_types = model.NEED_TYPES
needs_fields = model.NEED_FIELDS
needs_links = model.NEED_LINKS
needs_schema_definitions = model.schema_definitions()
needs_id_required = True
needs_id_regex = model.ID_REGEX
needs_build_json = True
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
# Needs are read by people, not databases: Danish labels, only the fields the type
# has (one layout per type keeps big builds fast), and the links both ways (an
# auditor follows principle -> requirement -> project and back).
def _layout(need_type: str) -> dict:
    fields = [*model.REQUIRED_FIELDS.get(need_type, []), *model.OPTIONAL_FIELDS.get(need_type, [])]
    return {
        "grid": "simple",
        "layout": {
            "head": ['<<meta("type_name")>> **<<meta("title")>>** <<meta_id()>>'],
            "meta": [
                *(f'<<meta("{f}", prefix="{model.NEED_FIELDS[f]["description"]}: ")>>' for f in fields),
                '<<meta_links_all(exclude=["belongs_to_back"])>>',
            ],
        },
    }


needs_layouts = {f"dataetik_{t['directive']}": _layout(t["directive"]) for t in model.NEED_TYPES}
needs_fields = {
    **needs_fields,
    "layout": {"predicates": [(f"type == '{t['directive']}'", f"dataetik_{t['directive']}") for t in model.NEED_TYPES]},
}
