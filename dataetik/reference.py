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
from dataetik.i18n import N_, _, translated
from dataetik.rules import RULES

# msgids, translated where shown
BUILD = N_("The build: every field has an allowed value, required fields are filled in, IDs have the right format, "
           "and every link points at an existing element of the right type.")
STATUS_MEANING = {"planned": N_("not yet in use"), "in_use": N_("in use"), "ended": N_("ended, data has been used"),
                  "stopped": N_("stopped")}
DECISION_MEANING = {"approves": N_("approves"), "approves_with_conditions": N_("approves with conditions"),
                    "rejects": N_("rejects")}


def _table(header: list[str], rows: list[list[str]], code_first: bool = True) -> nodes.table:
    table = nodes.table(classes=["table", "dataetik-reference"])
    group = nodes.tgroup(cols=len(header))
    table += group
    group += [nodes.colspec(colwidth=1) for _column in header]
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
        return (_("one or more of: {values}") if schema.get("type") == "array" else _("one of: {values}")).format(
            values=values)
    if "pattern" in schema:
        return _("date, YYYY-MM-DD")
    kind = {"number": _("number with a full stop as decimal mark"), "integer": _("whole number")}.get(schema.get("type"))
    if not kind:
        return _("free text")
    return _("{kind}, e.g. {example}").format(kind=kind, example=EXAMPLES[field]) if field in EXAMPLES else kind


def link_targets(target_types: list[str]) -> str:
    """The need types a link may point to, by their names and ID prefixes."""
    types = {t["directive"]: t for t in model.NEED_TYPES}
    return _("ID of {targets}").format(targets=(" " + _("or") + " ").join(
        f"{model.type_title(t).lower()} ({types[t]['prefix']}…)" for t in target_types))


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
                 _("required") if name in required else _("optional")]
                for name in model.type_fields(vocab, directive)
            ]
            rows += [
                [name, translated(link["outgoing"]), link_targets(link["target_types"]),
                 _("derived from the folder") if "default" in link else _("optional")]
                for name, link in model.NEED_LINKS.items() if directive in model.LINK_SOURCES.get(name, [])
            ]
            section = nodes.section(ids=[f"felter-{directive}"])
            section += nodes.title(text=_("{title} ({directive}, ID begins with {prefix})").format(
                title=model.type_title(directive), directive=directive, prefix=need_type["prefix"]))
            header = [_("Field"), _("Meaning"), _("Allowed values"), _("Required?")]
            section += _table(header, rows) if rows else nodes.paragraph(text=_("No fields."))
            out.append(section)
        return out


class CheckReference(SphinxDirective):
    def run(self):
        # The project-wide checks run where a requirement names them in `checks`, by the policy's word.
        word = {rule: name for name, rule in _vocabulary(self).checks.items()}

        def when(r) -> str:
            if r.each != "project":
                return ""
            named = _("a requirement names “{word}” in the field checks").format(word=word[r.name]) \
                if r.name in word else ""
            if r.always:
                said = (_("Always runs; when {named}, its errors cite that requirement.").format(named=named) if named
                        else _("Always runs."))
            else:
                said = (_("Runs when {named}, and its errors cite that requirement.").format(named=named) if named
                        else _("Does not run: the policy has no word for it in checks."))
            return " " + said

        rows = [["build", translated(BUILD)]] + [[r.name, translated(r.description) + when(r)] for r in RULES.values()]
        return [_table([_("Check"), _("What it demands")], rows)]


def dates_table(vocab) -> list[list[str]]:
    return [[d.name, d.applies_from.isoformat(), d.existing_from.isoformat() if d.existing_from else "–", d.source]
            for d in vocab.dates.values()]


DATES_HEADER = (N_("Date"), N_("Applies from"), N_("For projects in use before that, from"), N_("Source"))


class VocabularyDirective(SphinxDirective):
    """The words the policies declare (policy.toml), each with what it means to the checks.
    With ``:dates:``, only the named dates (a law's page shows where its dates come from)."""

    option_spec = {"dates": lambda arg: True}

    def run(self):
        vocab = _vocabulary(self)
        if "dates" in self.options:
            return [_table([translated(h) for h in DATES_HEADER], dates_table(vocab))]
        rules = {r.name: translated(r.description) for r in RULES.values()}
        level, means = _("Level"), _("Means to the checks")
        tables = [
            (_("Risk levels, from lowest to highest"), [level, _("Order")],
             [[w, str(i)] for i, w in enumerate(vocab.risk_levels, 1)]),
            (_("Decision levels, from lowest to highest"), [level, _("Order")],
             [[w, str(i)] for i, w in enumerate(vocab.decision_levels, 1)]),
            (_("A project's status"), [_("Status"), means],
             [[w, translated(STATUS_MEANING[m])] for w, m in vocab.statuses.items()]),
            (_("Decisions"), [_("Decision"), means],
             [[w, translated(DECISION_MEANING[m])] for w, m in vocab.decisions.items()]),
            (_("Project traits (yes/no fields on the project)"), [_("Trait"), _("Field"), _("Question")],
             [[t.word, t.field, t.question] for t in vocab.traits]),
            (_("Classifications (a field on the project, one of its levels, lowest first)"),
             [_("Classification"), _("Field"), _("Levels")],
             [[c.word, c.field, ", ".join(c.levels)] for c in vocab.classifications]),
            (_("Named dates (a requirement's effective_from may name one)"), [translated(h) for h in DATES_HEADER],
             dates_table(vocab)),
            (_("Exports (dataetik eksport)"), [_("Name"), _("Title"), _("Requirements, in order")],
             [[e.name, e.title, ", ".join(e.requirements)] for e in vocab.exports]),
            (_("Kinds of evidence"), [_("Type")], [[w] for w in vocab.evidence_kinds]),
            (_("What can answer a requirement (answered_by)"), [_("Word"), _("Element type")],
             [[w, model.type_title(t)] for w, t in vocab.answers.items()]),
            (_("Checks a requirement can name (checks)"), [_("Word"), _("The check")],
             [[w, rules.get(r, r)] for w, r in vocab.checks.items()]),
        ]
        out = []
        if vocab.yes:
            out.append(nodes.paragraph(text=_("Yes and no are written “{yes}” and “{no}”.").format(yes=vocab.yes,
                                                                                              no=vocab.no)))
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
