"""What the site's own pages (home page, register, guides, reference) show of the policy, generated.

Those pages stay the same when an organisation swaps in its own policy folder and projects, so
they never name a policy's files, labels, words, IDs or example projects by hand. They ask for
them by meaning instead:

Roles
  ``{policyword}`statuses:ended```   the policy's word(s) for a meaning, in italics;
  ``{policyvalue}`...```             the same as code, for a value an author types in a field.
      Targets: ``<table>`` (all its words) or ``<table>:<meaning>``; tables: ``statuses``,
      ``decisions`` (meanings as in dataetik.vocabulary), ``risk_levels``, ``decision_levels``
      (meanings ``lowest``, ``highest``), ``evidence_kinds``, ``traits``, and ``yes``, ``no``.
  ``{policypage}`the requirements <requirement>```  a link to the page where the policy keeps
      its needs of a type (principle, requirement, risklevel, criterion), or ``index``: the
      policy's front page. Without a text, the page's title.
  ``{policysetting}`min_ratio```     a setting the policy states (min_ratio, max_difference,
      min_cell, min_words, bias_attributes ...), or "ikke fastsat".

Directives
  ``{needsummary} principle``        the needs of a type as a definition list: the title links
      to the need, then the first sentence of its text (``:text: paragraph`` for the paragraph).
  ``{policycontents}``               each policy: its front page, the directive's text, and links
      to the pages of its table of contents.
  ``{risklevels}``                   each risk level, lowest first, with the lowest decision level
      that may approve it.
  ``{registerguide}``                how to read the register's columns, from the vocabulary.
  ``{biassettings}``                 what the policy demands of every bias test.
  ``{projectexamples}``              projects from the register as examples; options ``:meaning:``
      (status meanings), ``:biastest:`` (bias, no_bias, undecided, any), ``:reviewed:`` (the
      test has a manual review), ``:limit:``.
  ``{policytoctree}``                a toctree (same options) of every policy's front page.
  ``{ifneed} ID ...``                its content only where the site has every need named;
      ``:section:`` removes the whole section it stands in (and its line in the page's contents).

Everything that depends on the needs is a placeholder until every page is read, and is filled
in when a page is resolved (doctree-resolved), like the project register.
"""

from __future__ import annotations

import html
import re

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.directives.other import TocTree
from sphinx.util.docutils import SphinxDirective, SphinxRole
from sphinx_needs.data import SphinxNeedsData

from dataetik import model
from dataetik.biastest.metrics import BIAS, NO_BIAS, UNDECIDED
from dataetik.i18n import N_, _, decimal_mark, ngettext, translated
from dataetik.register import classification_columns, status_meanings
from dataetik.vocabulary import DECISION_MEANINGS, STATUS_MEANINGS, Vocabulary

# --- meanings, said to a citizen (the policy's words come from its policy.toml) -----------------
# (msgids, translated where they are shown)

STATUS_SAID = {"planned": N_("not yet in use"), "in_use": N_("in use"), "ended": N_("ended"), "stopped": N_("stopped")}
DECISION_SAID = {"approves": N_("approved"), "approves_with_conditions": N_("approved with conditions"),
                 "rejects": N_("rejected")}
VERDICTS = {"bias": BIAS, "no_bias": NO_BIAS, "undecided": UNDECIDED}
# As the register (dataetik.register) writes them.
NO_APPROVAL = N_("none yet")
NO_BIASTEST = N_("missing")

POLICY_TYPES = ("principle", "requirement", "risklevel", "criterion")
WORD_TABLES = ("statuses", "decisions", "risk_levels", "decision_levels", "evidence_kinds", "traits", "yes", "no")
SETTINGS = ("min_ratio", "max_difference", "min_cell", "min_words", "min_evidence", "review_every", "bias_attributes")
NOT_SET = N_("not set")


def _vocabulary(app: Sphinx) -> Vocabulary:
    from dataetik.sphinx_ext import vocabulary_of

    return vocabulary_of(app)


def _policy(app: Sphinx):
    from dataetik.biastest.sphinx import policy_of

    return policy_of(app)


def _needs(app: Sphinx):
    return SphinxNeedsData(app.env).get_needs_view()


# --- small text helpers -----------------------------------------------------------------------

def join(items: list, last: str | None = None) -> list:
    """An enumeration: 'a', 'a or b', 'a, b or c' in the policy's language (items are nodes or
    strings); last is the word before the last item, "or" unless given (translated)."""
    last = _("or") if last is None else last
    out: list = []
    for i, item in enumerate(items):
        if i:
            out.append(nodes.Text(f" {last} " if i == len(items) - 1 else ", "))
        out.append(nodes.Text(item) if isinstance(item, str) else item)
    return out


def number(value: float) -> str:
    """0.8 -> '0,8' (in Danish); 5.0 -> '5'."""
    return (f"{value:g}" if value != int(value) else str(int(value))).replace(".", decimal_mark())


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: str, **values) -> list[nodes.Node]:
    """A translated sentence with nodes (or lists of them, or strings) in its {placeholders}, in the
    order the translation puts them."""
    out: list[nodes.Node] = []
    for i, part in enumerate(_PLACEHOLDER.split(template)):
        if i % 2 == 0:
            if part:
                out.append(nodes.Text(part))
            continue
        value = values[part]
        for item in value if isinstance(value, list) else [value]:
            out.append(nodes.Text(item) if isinstance(item, str) else item)
    return out


_MARKUP = [
    (re.compile(r"\{[\w:-]+\}`([^`<]*?)\s*(?:<[^`]*>)?`"), r"\1"),  # {role}`text <target>`
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),                # [text](link)
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"(\*\*|\*)(\S(?:.*?\S)?)\1"), r"\2"),  # emphasis (not _: IDs hold underscores)
]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«»\"(])")  # not before a digit: "art. 6"


def summary(content: str, whole_paragraph: bool = False) -> str:
    """The first sentence (or paragraph) of a need's text, as plain text."""
    paragraph = next((p for p in re.split(r"\n\s*\n", content or "") if p.strip()), "")
    text = " ".join(paragraph.split())
    for pattern, repl in _MARKUP:
        text = pattern.sub(repl, text)
    return text if whole_paragraph else _SENTENCE_END.split(text, 1)[0]


def _uri(app: Sphinx, fromdocname: str, docname: str, anchor: str = "") -> str:
    return app.builder.get_relative_uri(fromdocname, docname) + (f"#{anchor}" if anchor else "")


def _link(app: Sphinx, fromdocname: str, docname: str, text: str | nodes.Node, anchor: str = "") -> nodes.reference:
    ref = nodes.reference("", "", internal=True, refuri=_uri(app, fromdocname, docname, anchor))
    ref += nodes.inline(text=text) if isinstance(text, str) else text
    return ref


def _need_link(app: Sphinx, fromdocname: str, need: dict, text: str | None = None) -> nodes.reference:
    return _link(app, fromdocname, need["docname"], need["title"] if text is None else text, need["id"])


def _title(app: Sphinx, docname: str) -> str:
    title = app.env.titles.get(docname)
    return title.astext() if title else docname


def _deflist(items: list[tuple[list[nodes.Node], list[nodes.Node]]]) -> nodes.definition_list:
    """A definition list that looks like the ones MyST makes from Markdown."""
    dl = nodes.definition_list(classes=["simple", "myst"])
    for term, definition in items:
        item = nodes.definition_list_item()
        item += nodes.term("", "", *term)
        item += nodes.definition("", *definition)
        dl += item
    return dl


def _para(*children) -> nodes.paragraph:
    return nodes.paragraph("", "", *(nodes.Text(c) if isinstance(c, str) else c for c in children))


# --- scroll regions ------------------------------------------------------------------------------
# Wide content (a table, a chart, a diagram) scrolls sideways in its own box on a narrow screen, never
# the page. The box is a tab stop, so a keyboard user can scroll it with the arrow keys (WCAG 2.1.1),
# and a named region, so a screen reader says what it holds on reaching it. One helper for every
# view: as a node (scroll_region) or, for views written as HTML, as the opening tag (scroll_open).

SCROLL_CLASS = "dataetik-scroll"
SCROLL_CLOSE = "</div>"


class scroll_region(nodes.General, nodes.Element):
    """A box that scrolls its content sideways, reachable by keyboard and named by ``label``."""


def scroll_box(label: str, *children: nodes.Node, classes: list[str] | None = None) -> scroll_region:
    """The content in a scroll region named by label; classes: the view's own (its CSS)."""
    return scroll_region("", *children, label=label, classes=list(classes or []))


def scroll_open(label: str, classes: list[str] | None = None) -> str:
    """The opening tag of a scroll region named by label, for content written as HTML (end it with SCROLL_CLOSE)."""
    names = " ".join([SCROLL_CLASS, *(classes or [])])
    return f'<div class="{names}" tabindex="0" role="region" aria-label="{html.escape(label, quote=True)}">'


def _visit_scroll_region(self, node: scroll_region) -> None:
    self.body.append(self.starttag(node, "div", "", CLASS=SCROLL_CLASS, tabindex="0", role="region",
                                   **{"aria-label": node["label"]}))


def _depart_scroll_region(self, node: scroll_region) -> None:
    self.body.append(SCROLL_CLOSE + "\n")


def _no_box(self, node) -> None:
    """Where nothing scrolls (LaTeX, text, man, texinfo), the content stands as it is."""


# --- the policy's words, by meaning (known when the configuration is read) --------------------

_RANKED = ("risk_levels", "decision_levels")


def words(vocab: Vocabulary, target: str) -> tuple[list[str], str]:
    """The words for a role target, and what to say where the policy has none. Raises ValueError."""
    table, _colon, meaning = target.partition(":")
    table, meaning = table.strip(), meaning.strip()
    if table not in WORD_TABLES:
        raise ValueError(_("unknown table '{table}'; use {tables}").format(table=table, tables=", ".join(WORD_TABLES)))
    if table in ("yes", "no"):
        word = getattr(vocab, table)
        return ([word] if word else []), {"yes": _("yes"), "no": _("no")}[table]
    if table in ("statuses", "decisions"):
        mapping = getattr(vocab, table)
        known, said = (STATUS_MEANINGS, STATUS_SAID) if table == "statuses" else (DECISION_MEANINGS, DECISION_SAID)
        if not meaning:
            return list(mapping), ""
        if meaning not in known:
            raise ValueError(_("unknown meaning '{meaning}'; use {meanings}").format(meaning=meaning,
                                                                                     meanings=", ".join(known)))
        return vocab.words_for(mapping, meaning), translated(said[meaning])
    values = [t.word for t in vocab.traits] if table == "traits" else list(getattr(vocab, table))
    if not meaning:
        return values, ""
    if table not in _RANKED or meaning not in ("lowest", "highest"):
        raise ValueError((_("'{table}' has no meaning '{meaning}'; use lowest or highest") if table in _RANKED
                          else _("'{table}' has no meaning '{meaning}'")).format(table=table, meaning=meaning))
    if not values:
        return [], ""
    return [values[0] if meaning == "lowest" else values[-1]], ""


class WordRole(SphinxRole):
    """{policyword} (italics) and {policyvalue} (code): the policy's words for a meaning."""

    def __init__(self, as_code: bool):
        super().__init__()
        self.as_code = as_code

    def run(self):
        try:
            found, fallback = words(_vocabulary(self.env.app), self.text)
        except ValueError as err:
            msg = self.inliner.reporter.error(f"{self.name}: {err}", line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, msg)], [msg]
        if not found:
            return [nodes.emphasis(text=fallback or "–")], []
        make = (lambda w: nodes.literal(text=w)) if self.as_code else (lambda w: nodes.emphasis(text=w))
        return join([make(w) for w in found]), []


# --- placeholders, filled in when every need is known --------------------------------------------

class pending_inline(nodes.Inline, nodes.TextElement):
    """A role's output that depends on the needs."""


class pending_block(nodes.General, nodes.Element):
    """A directive's output that depends on the needs."""


class conditional(nodes.General, nodes.Element):
    """Content shown only where the site has the needs named."""


class PolicyPageRole(SphinxRole):
    _EXPLICIT = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.S)

    def run(self):
        match = self._EXPLICIT.match(self.text)
        text, target = (match.group(1), match.group(2).strip()) if match else ("", self.text.strip())
        if target != "index" and target not in POLICY_TYPES:
            msg = self.inliner.reporter.error(
                _("policypage: unknown target '{target}'; use index or {types}").format(
                    target=target, types=", ".join(POLICY_TYPES)), line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, msg)], [msg]
        node = pending_inline(self.rawtext, text, kind="policypage", target=target)
        return [node], []


class SettingRole(SphinxRole):
    def run(self):
        target = self.text.strip()
        if target not in SETTINGS:
            msg = self.inliner.reporter.error(_("policysetting: unknown setting '{target}'; use {settings}").format(
                target=target, settings=", ".join(SETTINGS)), line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, msg)], [msg]
        return [pending_inline(self.rawtext, "", kind="policysetting", target=target)], []


class _Pending(SphinxDirective):
    """A directive whose output is made when the page is resolved."""

    kind = ""
    has_content = False

    def run(self):
        node = pending_block(kind=self.kind, arguments=list(self.arguments), options=dict(self.options))
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class NeedSummary(_Pending):
    kind = "needsummary"
    required_arguments = 1
    option_spec = {"text": lambda arg: directives.choice(arg, ("sentence", "paragraph"))}

    def run(self):
        if self.arguments[0] not in POLICY_TYPES:
            raise self.error(_("needsummary: unknown type '{type}'; use {types}").format(
                type=self.arguments[0], types=", ".join(POLICY_TYPES)))
        return super().run()


class PolicyContents(_Pending):
    kind = "policycontents"
    has_content = True


class RiskLevels(_Pending):
    kind = "risklevels"


class RegisterGuide(_Pending):
    kind = "registerguide"


class BiasSettings(_Pending):
    kind = "biassettings"


class ProjectExamples(_Pending):
    kind = "projectexamples"
    option_spec = {
        "meaning": status_meanings,
        "biastest": lambda arg: directives.choice(arg, ("any", *VERDICTS)),
        "reviewed": directives.flag,
        "limit": directives.positive_int,
    }


class PolicyTocTree(TocTree):
    """A toctree of every policy's front page (the folders holding a policy.toml), so the home
    page's navigation never names a policy's folder or files."""

    has_content = False

    def run(self):
        from docutils.statemachine import StringList

        entries = [f"/{index}" for p in _vocabulary(self.env.app).policies
                   if (index := _policy_index(self.env.app, p.folder))]
        self.content = StringList(entries, source=self.env.docname)
        return super().run()


class IfNeed(SphinxDirective):
    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {"section": directives.flag}

    def run(self):
        node = conditional(needs=self.arguments[0].replace(",", " ").split(), section="section" in self.options)
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


# --- filling in --------------------------------------------------------------------------------

def _policy_index(app: Sphinx, folder: str) -> str | None:
    """A policy's front page: <folder>/index, else the first page in its folder."""
    docs = sorted(d for d in app.env.found_docs if d.startswith(folder + "/"))
    return f"{folder}/index" if f"{folder}/index" in docs else (docs[0] if docs else None)


def page_of_type(app: Sphinx, need_type: str) -> str | None:
    """The page where the policy keeps its needs of a type (the one holding most of them), else the
    first policy's front page; None on a site without a policy page."""
    counts: dict[str, int] = {}
    for need in _needs(app).values():
        if need["type"] == need_type and need.get("docname"):
            counts[need["docname"]] = counts.get(need["docname"], 0) + 1
    if counts:
        return min(counts, key=lambda d: (-counts[d], d))
    policies = _vocabulary(app).policies
    return _policy_index(app, policies[0].folder) if policies else None


def _policypage(app, fromdocname, node) -> nodes.Node:
    target = node["target"]
    docname = (_policy_index(app, _vocabulary(app).policies[0].folder) if _vocabulary(app).policies else None) \
        if target == "index" else page_of_type(app, target)
    text = node.astext() or (_title(app, docname) if docname else _("the policy"))
    return _link(app, fromdocname, docname, text) if docname else nodes.Text(text)


def setting_text(policy, field: str) -> str:
    if field == "bias_attributes":
        from dataetik.biastest import PolicyBias

        attributes = PolicyBias.of(policy).attributes
        return ((" " + _("and") + " ").join([", ".join(attributes[:-1]), attributes[-1]] if len(attributes) > 1
                                            else attributes) or translated(NOT_SET))
    value = policy.setting(field)
    return translated(NOT_SET) if value is None else number(value)


def _needsummary(app, fromdocname, node) -> list[nodes.Node]:
    need_type = node["arguments"][0]
    whole = node["options"].get("text") == "paragraph"
    vocab = _vocabulary(app)
    found = sorted((n for n in _needs(app).values() if n["type"] == need_type),
                   key=lambda n: (n.get("docname") or "", n.get("lineno") or 0))
    groups: dict[str, list[dict]] = {}
    for need in found:
        policy = vocab.policy_of(need.get("docname") or "")
        groups.setdefault(policy.title if policy else "", []).append(need)
    out: list[nodes.Node] = []
    for title, needs in groups.items():
        if len(groups) > 1 and title:
            out.append(nodes.rubric(text=title))
        out.append(_deflist([([_need_link(app, fromdocname, n)], [_para(summary(n.get("content") or "", whole))])
                             for n in needs]))
    return out or [_para(_("The policy has none of that kind yet."))]


def _policycontents(app, fromdocname, node) -> list[nodes.Node]:
    items = []
    for policy in _vocabulary(app).policies:
        index = _policy_index(app, policy.folder)
        if not index:
            continue
        pages = [d for d in app.env.toctree_includes.get(index, []) if d in app.env.all_docs]
        definition = [child.deepcopy() for child in node.children]
        if pages:
            links: list[nodes.Node] = []
            for i, page in enumerate(pages):
                if i:
                    links.append(nodes.Text(" · "))
                links.append(_link(app, fromdocname, page, _title(app, page)))
            definition.append(_para(*links))
        items.append(([_link(app, fromdocname, index, _title(app, index))], definition))
    return [_deflist(items)] if items else []


def _risk_items(app, fromdocname, linked: bool = True) -> list[tuple[nodes.Node, str | None]]:
    """Per risk level, lowest first: the level (linked to its need) and the lowest decision level
    that may approve it (None where the policy does not say)."""
    vocab = _vocabulary(app)
    described = {n.get("level"): n for n in _needs(app).values() if n["type"] == "risklevel"}
    items = []
    for level in vocab.risk_levels:
        need = described.get(level)
        word = nodes.emphasis(text=level)
        items.append((_need_link(app, fromdocname, need, word) if need and linked else word,
                      need.get("approval_level") if need else None))
    return items


def _risklevels(app, fromdocname, node) -> list[nodes.Node]:
    items = _risk_items(app, fromdocname)
    if not items:
        return [_para(_("The policy has no risk profiles."))]
    bullets = nodes.bullet_list()
    for level, approver in items:
        said = fill(_("{level}: approved at least by {approver}"), level=level,
                    approver=nodes.emphasis(text=approver)) if approver else [level]
        bullets += nodes.list_item("", _para(*said))
    return [bullets]


def _said(words: dict[str, str], said: dict[str, str]) -> list[nodes.Node]:
    """*word* (what it means), or just *word* where the word says it."""
    out = []
    for word, meaning in words.items():
        text = translated(said[meaning]) if meaning in said else ""
        part = nodes.inline()
        part += nodes.emphasis(text=word)
        if text and text.casefold() != word.casefold():
            part += nodes.Text(f" ({text})")
        out.append(part)
    return out


def _registerguide(app, fromdocname, node) -> list[nodes.Node]:
    vocab = _vocabulary(app)
    items = [([nodes.Text(_("Status"))], [
        _para(*join(_said(vocab.statuses, STATUS_SAID)), "."),
        _para(*fill(_("{reassess} after the status: a requirement the approval approved has changed since, so the "
                      "project must be assessed again; its page shows what changed."),
                    reassess=nodes.emphasis(text=_("to be reassessed"))))])]
    if vocab.risk_levels:
        page = page_of_type(app, "risklevel")
        profile = _("risk profile")
        risk = fill(_("The project's {risk_profile}, from lowest to highest: {levels}."),
                    risk_profile=_link(app, fromdocname, page, profile) if page else nodes.Text(profile),
                    levels=join([nodes.emphasis(text=w) for w in vocab.risk_levels]))
        paragraphs = [_para(*risk)]
        levels = [(level, approver) for level, approver in _risk_items(app, fromdocname, linked=False) if approver]
        if levels:
            said = [nodes.inline("", "", *fill(_("at {level} at least by {approver}"), level=level,
                                               approver=nodes.emphasis(text=approver)))
                    for level, approver in levels]
            paragraphs.append(_para(*fill(_("The higher the risk, the more requirements apply, and the higher up the "
                                            "project must be approved: {levels}."), levels=join(said, _("and")))))
        items.append(([nodes.Text(_("Risk"))], paragraphs))
    if vocab.decisions:
        items.append(([nodes.Text(_("Approval"))], [
            _para(*fill(_("The deciding decision: {decisions}, with decision level and date. Where it says {none}, the "
                          "project has not been approved yet."),
                        decisions=join(_said(vocab.decisions, DECISION_SAID)),
                        none=nodes.emphasis(text=translated(NO_APPROVAL))))]))
    items.append(([nodes.Text(_("Bias test"))], [
        _para(*fill(_("The result of the project's test for bias, computed by the site from the published counts: "
                      "{verdicts} (the data can neither show nor rule out bias). Where it says {missing}, the project "
                      "has no bias test."),
                    verdicts=join([nodes.emphasis(text=translated(v)) for v in (NO_BIAS, BIAS, UNDECIDED)]),
                    missing=nodes.emphasis(text=translated(NO_BIASTEST))))]))
    for first, *more in classification_columns(vocab):
        policy = next(p for p in vocab.policies if p.folder == first.folder)
        index = _policy_index(app, policy.folder)
        said = fill(_("The project's classification under {policy}: {levels}."),
                    policy=_link(app, fromdocname, index, policy.title) if index else nodes.Text(policy.title),
                    levels=join([nodes.emphasis(text=w) for w in first.levels], _("or")))
        if more:
            said += [nodes.Text(" "), *fill(_("In brackets: {labels}, where it says more than {lowest}."),
                                            labels=join([nodes.Text(c.label) for c in more], _("and")),
                                            lowest=join([nodes.emphasis(text=c.levels[0]) for c in more], _("or")))]
        items.append(([nodes.Text(first.label)], [_para(*said)]))
    items.append(_citizen_guide(app, fromdocname, vocab))
    return [_deflist(items)]


def _citizen_guide(app, fromdocname, vocab: Vocabulary) -> tuple[list[nodes.Node], list[nodes.Node]]:
    """The links below each project's title: its options for citizens, and 'report an error'."""
    from dataetik.citizen import CITIZEN_FIELDS

    fields = join([nodes.emphasis(text=model.field_label(f)) for f in CITIZEN_FIELDS], _("and"))
    paragraphs = [_para(*fill(_("{options} leads to a box on the project's page: {fields}, in the project's own "
                                "words."), options=nodes.emphasis(text=_("Your options")), fields=fields))]
    contact = vocab.contact
    if contact is not None:
        paragraphs[0] += [nodes.Text(" "), *fill(_("Where the project does not say, the box says whom to ask: {name}."),
                                                 name=contact.name)]
        paragraphs.append(_para(*fill(_("{report} opens an e-mail to {name} ({email}) with the project's ID in the "
                                        "subject. Write what is wrong; you do not need to write anything about "
                                        "yourself."),
                                      report=nodes.emphasis(text=_("Report an error")), name=contact.name,
                                      email=nodes.reference("", contact.email, refuri=f"mailto:{contact.email}"))))
    term = _("Your options") + (" · " + _("Report an error") if contact is not None else "")
    return [nodes.Text(term)], paragraphs


def _biassettings(app, fromdocname, node) -> list[nodes.Node]:
    policy = _policy(app)
    requirements = [r for r in policy.requirements if "biastest" in r.answered_by]
    if not requirements:
        return [_para(_("The policy demands no bias test."))]
    answers = _para(*fill(ngettext("A bias test answers the requirement {requirements} (write {addresses} on the test).",
                                   "A bias test answers the requirements {requirements} (write {addresses} on the "
                                   "test).", len(requirements)),
                          requirements=join([_need_link(app, fromdocname, r.need) for r in requirements], _("and")),
                          addresses=nodes.literal(text=f":addresses: {', '.join(r.id for r in requirements)}")))
    not_set = translated(NOT_SET)
    fields = [f for f in ("min_ratio", "max_difference", "min_cell", "bias_attributes") if setting_text(policy, f) != not_set]
    if not fields:
        return [answers, _para(_("The policy sets no limits for the test; a limit applies only where the policy sets "
                                 "it."))]
    bullets = nodes.bullet_list()
    for field in fields:
        bullets += nodes.list_item("", _para(f"{model.field_label(field)}: ", nodes.strong(text=setting_text(policy, field))))
    return [answers, _para(_("The policy sets:")), bullets]


def _projectexamples(app, fromdocname, node) -> list[nodes.Node]:
    from dataetik.biastest.sphinx import result_for

    options = node["options"]
    vocab = _vocabulary(app)
    needs = _needs(app)
    meanings = options.get("meaning") or list(STATUS_MEANINGS)
    wanted = options.get("biastest")
    parts: dict[tuple[str, str], list[dict]] = {}
    for need in needs.values():
        for project_id in need.get("belongs_to") or []:
            parts.setdefault((project_id, need["type"]), []).append(need)
    reviews: dict[str, list[dict]] = {}
    for need in needs.values():
        for test_id in need.get("reviews") or []:
            reviews.setdefault(test_id, []).append(need)

    def matching_tests(project: dict) -> list[tuple[dict, str]]:
        found = []
        for test in parts.get((project["id"], "biastest"), []):
            result, error = result_for(app, test)
            if error:
                continue
            if wanted and wanted != "any" and result.verdict != VERDICTS[wanted]:
                continue
            if "reviewed" in options and not reviews.get(test["id"]):
                continue
            found.append((test, result.verdict))
        return found

    chosen = []
    for project in sorted((n for n in needs.values() if n["type"] == "project"),
                          key=lambda n: (vocab.risk_rank(n.get("risk")), n["title"])):
        if vocab.statuses.get(project.get("status") or "") not in meanings:
            continue
        tests = matching_tests(project) if (wanted or "reviewed" in options) else None
        if tests == []:
            continue
        chosen.append((project, tests or []))
    chosen = chosen[: options.get("limit") or None]
    if not chosen:
        return [_para(nodes.emphasis(text=_("The register has no project of that kind yet.")))]
    bullets = nodes.bullet_list()
    for project, tests in chosen:
        facts = [project.get("status") or ""]
        if project.get("risk"):
            facts.append(_("risk {risk}").format(risk=project["risk"]))
        para = _para(_need_link(app, fromdocname, project), f" – {', '.join(f for f in facts if f)}")
        for test, verdict in tests:
            para += nodes.Text("; " + _("bias test:") + " ")
            para += nodes.emphasis(text=translated(verdict))
            if "reviewed" in options:
                para += nodes.Text(", " + _("reviewed in") + " ")
                para.extend(join([_need_link(app, fromdocname, r) for r in reviews[test["id"]]], _("and")))
        bullets += nodes.list_item("", para)
    return [bullets]


_BLOCKS = {"needsummary": _needsummary, "policycontents": _policycontents, "risklevels": _risklevels,
           "registerguide": _registerguide, "biassettings": _biassettings, "projectexamples": _projectexamples}


def _missing(app: Sphinx, ids: list[str]) -> list[str]:
    data = SphinxNeedsData(app.env)
    return [i for i in ids if not data.has_need(i)]


def _section_of(node: nodes.Node) -> nodes.section | None:
    """The section a conditional removes: its own, unless that is the page's title section."""
    parent = node.parent
    if isinstance(parent, nodes.section) and not isinstance(parent.parent, nodes.document):
        return parent
    return None


def _resolve(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    for node in list(doctree.findall(conditional)):
        if _missing(app, node["needs"]):
            section = _section_of(node) if node["section"] else None
            (section or node).parent.remove(section or node)
        else:
            node.replace_self(node.children)
    for node in list(doctree.findall(pending_inline)):
        if node["kind"] == "policypage":
            node.replace_self(_policypage(app, fromdocname, node))
        else:
            node.replace_self(nodes.Text(setting_text(_policy(app), node["target"])))
    for node in list(doctree.findall(pending_block)):
        node.replace_self(_BLOCKS[node["kind"]](app, fromdocname, node))


# --- a conditional section leaves the page's contents too ----------------------------------------

_ENV_KEY = "dataetik_conditional_sections"


def _record(app: Sphinx, doctree: nodes.document) -> None:
    found = [(list(n["needs"]), _section_of(n)["ids"][0]) for n in doctree.findall(conditional)
             if n["section"] and _section_of(n) is not None and _section_of(n)["ids"]]
    if found:
        _recorded(app.env)[app.env.docname] = found


def _recorded(env) -> dict:
    if not hasattr(env, _ENV_KEY):
        setattr(env, _ENV_KEY, {})
    return getattr(env, _ENV_KEY)


def _purge(app: Sphinx, env, docname: str) -> None:
    getattr(env, _ENV_KEY, {}).pop(docname, None)


def _merge(app: Sphinx, env, docnames, other) -> None:
    _recorded(env).update({d: v for d, v in getattr(other, _ENV_KEY, {}).items() if d in docnames})


def _prune_contents(app: Sphinx, env) -> None:
    """Drop a removed section's line from its page's table of contents, before any page is written."""
    for docname, found in getattr(env, _ENV_KEY, {}).items():
        toc = env.tocs.get(docname)
        for ids, section_id in found:
            if toc is None or not _missing(app, ids):
                continue
            for ref in list(toc.findall(nodes.reference)):
                if ref.get("anchorname") == f"#{section_id}":
                    item = _ancestor(ref, nodes.list_item)
                    if item is not None and item.parent is not None:
                        item.parent.remove(item)


def _ancestor(node: nodes.Node, kind: type) -> nodes.Node | None:
    while node is not None and not isinstance(node, kind):
        node = node.parent
    return node


def setup(app: Sphinx) -> dict:
    app.add_node(pending_inline)
    app.add_node(pending_block)
    app.add_node(conditional)
    app.add_node(scroll_region, html=(_visit_scroll_region, _depart_scroll_region),
                 **{fmt: (_no_box, _no_box) for fmt in ("latex", "text", "man", "texinfo")})
    app.add_role("policyword", WordRole(as_code=False))
    app.add_role("policyvalue", WordRole(as_code=True))
    app.add_role("policypage", PolicyPageRole())
    app.add_role("policysetting", SettingRole())
    app.add_directive("needsummary", NeedSummary)
    app.add_directive("policycontents", PolicyContents)
    app.add_directive("risklevels", RiskLevels)
    app.add_directive("registerguide", RegisterGuide)
    app.add_directive("biassettings", BiasSettings)
    app.add_directive("projectexamples", ProjectExamples)
    app.add_directive("ifneed", IfNeed)
    app.add_directive("policytoctree", PolicyTocTree)
    app.connect("doctree-read", _record)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-updated", _prune_contents)
    # Before sphinx-needs (500) resolves its own nodes: a conditional's content may hold some.
    app.connect("doctree-resolved", _resolve, priority=450)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
