"""A national register of data-ethics assessments, built from the municipalities' published needs.json.

Nothing of a municipality is built here: each publishes its own site and needs.json (needs_build_json),
and this site imports them with sphinx-needs' external needs (kommuner.toml says from where). A need
keeps its municipality's words and links back to its page there (base_url); an ID prefix per
municipality keeps two municipalities' PRJ_CHATBOT apart.
"""

import json
import tomllib
import urllib.request
from pathlib import Path

from dataetik import model

project = "Nationalt register over dataetiske vurderinger"
author = "Eksempel"
html_title = project
language = "da"
extensions = ["myst_parser", "sphinx_needs"]
source_suffix = {".md": "markdown"}
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_build"]
html_theme = "pydata_sphinx_theme"
html_theme_options = {"navigation_depth": 1, "secondary_sidebar_items": []}
html_sidebars = {"**": []}
# The register publishes what it imported (sphinx-needs leaves external needs out by default),
# with the prefixed IDs and each need's address on its municipality's site.
needs_build_json = True
needs_builder_filter = "is_external==True"

SETTINGS = tomllib.loads((Path(__file__).parent / "kommuner.toml").read_text(encoding="utf-8"))
KOMMUNER = SETTINGS["kommune"]
# Only these need types are imported (all, where not set); their links to needs left out are dropped.
TYPES = SETTINGS.get("register", {}).get("types")
IMPORTED = Path(__file__).parent / "_build" / "imported"

# The need types and links are dataetik's (the model every municipality builds with); the links
# are imported as they are, without the folder rule that fills belongs_to when a site is built.
needs_types = model.NEED_TYPES
needs_links = {name: {k: v for k, v in link.items() if k not in ("default", "parse_dynamic_functions")}
               for name, link in model.NEED_LINKS.items()}
needs_id_regex = r"^[A-Z][A-Z0-9_]{2,}$"


def _is_url(where: str) -> bool:
    return where.split(":", 1)[0] in ("http", "https", "file")


def _published(kommune: dict) -> dict | None:
    """The municipality's needs.json, read once; None where it cannot be (sphinx-needs then says so)."""
    where = kommune["needs_json"]
    try:
        if _is_url(where):
            with urllib.request.urlopen(where) as response:
                return json.load(response)
        return json.loads((Path(__file__).parent / where).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _selected(data: dict) -> dict:
    """The needs of the types imported, without links to needs that are not."""
    version = data["versions"][data.get("current_version", "")]
    kept = {i: n for i, n in version["needs"].items() if not TYPES or n.get("type") in TYPES}
    for need in kept.values():
        for link in model.NEED_LINKS:
            if isinstance(need.get(link), list):
                need[link] = [target for target in need[link] if target in kept]
    return {**data, "versions": {data.get("current_version", ""): {**version, "needs": kept}}}


def _fields(data: dict) -> dict[str, dict]:
    """The fields a municipality's needs.json declares (its own traits too), as it declares them."""
    version = data["versions"][data.get("current_version", "")]
    fields = {}
    for name, spec in version.get("needs_schema", {}).get("properties", {}).items():
        if spec.get("field_type") != "extra":
            continue
        types = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
        schema = {"type": next(t for t in types if t != "null")}
        if "items" in spec:
            schema["items"] = {"type": spec["items"].get("type", "string")}
        fields[name] = {"description": spec.get("description", name), "schema": schema, "nullable": "null" in types}
    return fields


def _source(n: int, kommune: dict, data: dict | None) -> dict:
    source = {"base_url": kommune["base_url"], "id_prefix": kommune["prefix"], "css_class": "dataetik-kommune"}
    if data is None:  # as written: sphinx-needs says it cannot be read, and the others are imported
        where = kommune["needs_json"]
        return {**source, ("json_url" if _is_url(where) else "json_path"): where}
    local = IMPORTED / f"{n}-{kommune['prefix']}needs.json"
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_text(json.dumps(_selected(data), ensure_ascii=False), encoding="utf-8")
    return {**source, "json_path": str(local)}


def _imports() -> tuple[list[dict], dict[str, dict]]:
    """Each municipality's source and the fields it publishes: every field any municipality publishes
    is imported (its own traits too), as it declares it; validating the words is each municipality's
    own build's job. One needs.json in memory at a time."""
    sources, fields = [], {}
    for n, kommune in enumerate(KOMMUNER, start=1):
        data = _published(kommune)
        sources.append(_source(n, kommune, data))
        for name, spec in (_fields(data) if data else {}).items():
            fields.setdefault(name, spec)
    return sources, fields


needs_external_needs, needs_fields = _imports()
