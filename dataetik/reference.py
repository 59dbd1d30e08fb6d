"""Reference tables generated from the metamodel, the vocabulary and the checks, so they
cannot drift.

``{fieldreference}`` lists every need type's fields with their allowed values;
``{checkreference}`` lists every check and what it demands; ``{vocabulary}`` shows the
words the site's policies declare and what each means to the checks.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from dataetik import model
from dataetik.rules import RULES

BUILD = ("Bygget: hvert felt har en tilladt værdi, påkrævede felter er udfyldt, ID'er har det rigtige format, og "
         "hvert link peger på et eksisterende element af den rigtige type.")
STATUS_MEANING = {"planned": "endnu ikke i brug", "in_use": "i brug", "ended": "afsluttet, data er brugt",
                  "stopped": "stoppet"}
DECISION_MEANING = {"approves": "godkender", "approves_with_conditions": "godkender med vilkår", "rejects": "afviser"}


def _table(header: list[str], rows: list[list[str]], code_first: bool = True) -> nodes.table:
    table = nodes.table(classes=["table", "dataetik-reference"])
    group = nodes.tgroup(cols=len(header))
    table += group
    group += [nodes.colspec(colwidth=1) for _ in header]
    head = nodes.thead()
    head += nodes.row("", *(nodes.entry("", nodes.paragraph(text=h)) for h in header))
    body = nodes.tbody()
    for row in rows:
        first = nodes.literal(text=row[0]) if code_first else nodes.Text(row[0])
        cells = [nodes.entry("", nodes.paragraph("", "", first))]
        cells += [nodes.entry("", nodes.paragraph(text=c)) for c in row[1:]]
        body += nodes.row("", *cells)
    group += [head, body]
    return table


# A plausible value for each number field, as it is written in the file.
EXAMPLES = {"min_ratio": "0.8", "max_difference": "0.1", "min_cell": "5", "min_words": "40", "min_evidence": "2",
            "review_every": "12"}


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


def _vocabulary(directive: SphinxDirective):
    from dataetik.sphinx_ext import vocabulary_of

    return vocabulary_of(directive.env.app)


class FieldReference(SphinxDirective):
    """One table per need type: the fields it must or may carry."""

    def run(self):
        vocab = _vocabulary(self)
        fields = model.need_fields(vocab)
        required_by_type = model.required_fields(vocab)
        out = []
        for need_type in model.NEED_TYPES:
            directive = need_type["directive"]
            required = required_by_type.get(directive, [])
            rows = [
                [name, fields[name]["description"], allowed(fields[name]["schema"], name),
                 "påkrævet" if name in required else "valgfri"]
                for name in model.type_fields(vocab, directive)
            ]
            rows += [
                [name, link["outgoing"], link_targets(link["target_types"]),
                 "udledes af mappen" if "default" in link else "valgfri"]
                for name, link in model.NEED_LINKS.items() if directive in model.LINK_SOURCES.get(name, [])
            ]
            section = nodes.section(ids=[f"felter-{directive}"])
            section += nodes.title(text=f"{need_type['title']} ({directive}, ID begynder med {need_type['prefix']})")
            section += _table(["Felt", "Betydning", "Tilladte værdier", "Påkrævet?"], rows) if rows else nodes.paragraph(text="Ingen felter.")
            out.append(section)
        return out


class CheckReference(SphinxDirective):
    def run(self):
        # The project-wide checks run where a requirement names them in `checks`, by the policy's word.
        word = {rule: name for name, rule in _vocabulary(self).checks.items()}

        def when(r) -> str:
            if r.each != "project":
                return ""
            named = f"et krav nævner »{word[r.name]}« i feltet checks" if r.name in word else ""
            if r.always:
                return f" Kører altid; når {named}, henviser fejl til det krav." if named else " Kører altid."
            return f" Kører, når {named}, og fejl henviser til det krav." if named else \
                " Kører ikke: politikken har intet ord for den i checks."

        rows = [["build", BUILD]] + [[r.name, r.description + when(r)] for r in RULES.values()]
        return [_table(["Kontrol", "Hvad den kræver"], rows)]


class VocabularyDirective(SphinxDirective):
    """The words the policies declare (policy.toml), each with what it means to the checks."""

    def run(self):
        vocab = _vocabulary(self)
        types = {t["directive"]: t["title"] for t in model.NEED_TYPES}
        rules = {r.name: r.description for r in RULES.values()}
        tables = [
            ("Risikoniveauer, fra lavest til højest", ["Niveau", "Rækkefølge"],
             [[w, str(i)] for i, w in enumerate(vocab.risk_levels, 1)]),
            ("Beslutningsniveauer, fra lavest til højest", ["Niveau", "Rækkefølge"],
             [[w, str(i)] for i, w in enumerate(vocab.decision_levels, 1)]),
            ("Status for et projekt", ["Status", "Betyder for kontrollerne"],
             [[w, STATUS_MEANING[m]] for w, m in vocab.statuses.items()]),
            ("Beslutninger", ["Beslutning", "Betyder for kontrollerne"],
             [[w, DECISION_MEANING[m]] for w, m in vocab.decisions.items()]),
            ("Projekttræk (ja/nej-felter på projektet)", ["Træk", "Felt", "Spørgsmål"],
             [[t.word, t.field, t.question] for t in vocab.traits]),
            ("Dokumentationstyper", ["Type"], [[w] for w in vocab.evidence_kinds]),
            ("Hvad kan besvare et krav (answered_by)", ["Ord", "Elementtype"],
             [[w, types[t]] for w, t in vocab.answers.items()]),
            ("Kontroller, et krav kan nævne (checks)", ["Ord", "Kontrollen"],
             [[w, rules.get(r, r)] for w, r in vocab.checks.items()]),
        ]
        out = []
        if vocab.yes:
            out.append(nodes.paragraph(text=f"Ja og nej skrives »{vocab.yes}« og »{vocab.no}«."))
        for title, header, rows in tables:
            if not rows:
                continue
            section = nodes.section(ids=[nodes.make_id(f"ord-{title}")])
            section += nodes.title(text=title)
            section += _table(header, rows)
            out.append(section)
        return out


def setup(app) -> None:
    app.add_directive("fieldreference", FieldReference)
    app.add_directive("checkreference", CheckReference)
    app.add_directive("vocabulary", VocabularyDirective)
