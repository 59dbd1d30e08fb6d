"""Reference tables generated from the metamodel and the checks, so they cannot drift.

``{fieldreference}`` lists every need type's fields with their allowed values;
``{checkreference}`` lists every check and what it demands.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from dataetik import model
from dataetik.rules import DESCRIPTIONS, project_rules


def _table(header: list[str], rows: list[list[str]]) -> nodes.table:
    table = nodes.table(classes=["table", "dataetik-reference"])
    group = nodes.tgroup(cols=len(header))
    table += group
    group += [nodes.colspec(colwidth=1) for _ in header]
    head = nodes.thead()
    head += nodes.row("", *(nodes.entry("", nodes.paragraph(text=h)) for h in header))
    body = nodes.tbody()
    for row in rows:
        cells = [nodes.entry("", nodes.paragraph("", "", nodes.literal(text=row[0])))]
        cells += [nodes.entry("", nodes.paragraph(text=c)) for c in row[1:]]
        body += nodes.row("", *cells)
    group += [head, body]
    return table


# A plausible value for each number field, as it is written in the file.
EXAMPLES = {"min_ratio": "0.8", "max_difference": "0.1", "min_cell": "5", "min_words": "40"}


def allowed(schema: dict, field: str = "") -> str:
    items = schema.get("items", schema)
    if "enum" in items:
        values = ", ".join(items["enum"])
        return f"en eller flere af: {values}" if schema.get("type") == "array" else f"en af: {values}"
    if "pattern" in schema:
        return "dato, ÅÅÅÅ-MM-DD"
    example = f", fx {EXAMPLES[field]}" if field in EXAMPLES else ""
    kind = {"number": "tal med punktum som decimaltegn", "integer": "heltal"}.get(schema.get("type"))
    return kind + example if kind else "fri tekst"


def link_targets(target_types: list[str]) -> str:
    """The need types a link may point to, by their Danish names and ID prefixes."""
    types = {t["directive"]: t for t in model.NEED_TYPES}
    return "ID på " + " eller ".join(
        f"{types[t]['title'].lower()} ({types[t]['prefix']}…)" for t in target_types)


class FieldReference(SphinxDirective):
    """One table per need type: the fields it must or may carry."""

    def run(self):
        out = []
        links = {name: link for name, link in model.NEED_LINKS.items()}
        for need_type in model.NEED_TYPES:
            directive = need_type["directive"]
            required = model.REQUIRED_FIELDS.get(directive, [])
            optional = [f for f in model.OPTIONAL_FIELDS.get(directive, []) if f not in required]
            rows = [
                [name, model.NEED_FIELDS[name]["description"], allowed(model.NEED_FIELDS[name]["schema"], name),
                 "påkrævet" if name in required else "valgfri"]
                for name in [*required, *optional]
            ]
            rows += [
                [name, link["outgoing"], link_targets(link["target_types"]),
                 "udledes af mappen" if "default" in link else "valgfri"]
                for name, link in links.items() if directive in model.LINK_SOURCES.get(name, [])
            ]
            section = nodes.section(ids=[f"felter-{directive}"])
            section += nodes.title(text=f"{need_type['title']} ({directive}, ID begynder med {need_type['prefix']})")
            section += _table(["Felt", "Betydning", "Tilladte værdier", "Påkrævet?"], rows) if rows else nodes.paragraph(text="Ingen felter.")
            out.append(section)
        return out


class CheckReference(SphinxDirective):
    def run(self):
        # The project-wide checks run where a requirement names them in `checks`, by their Danish name.
        danish = {rule: name for name, rule in model.PROJECT_CHECKS.items()}

        def when(name: str) -> str:
            named = f"et krav nævner »{danish[name]}« i feltet checks"
            if name in project_rules.ALWAYS:
                return f" Kører altid; når {named}, henviser fejl til det krav."
            return f" Kører, når {named}, og fejl henviser til det krav."

        rows = [[name, text + (when(name) if name in danish else "")] for name, text in DESCRIPTIONS.items()]
        return [_table(["Kontrol", "Hvad den kræver"], rows)]


def setup(app) -> None:
    app.add_directive("fieldreference", FieldReference)
    app.add_directive("checkreference", CheckReference)
