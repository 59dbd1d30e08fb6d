"""The traceability matrix: every requirement of every policy x every project.

``{traceabilitymatrix}`` leaves a placeholder; the table is built when every need is known
(doctree-resolved), like the register. Each cell is one of four states:

- answered: something answers the requirement and every check on it passes (links to it);
- missing: the requirement applies, and an answer it demands does not exist;
- failing: an answer exists, but a check fails on it (too short, too low a level, overdue ...);
- not applicable, and why: the project's risk level, a trait or classification it lacks, or the
  date the requirement binds it from.

The matrix never judges by itself: it runs the checks' own cases (dataetik.rules.project_cases)
once per build, and reads each cell's state from their findings. Projects are rows (100 of them
read down a page), requirements are columns grouped by policy; filters (dataetik/static/matrix.js)
hide rows by department and status and column groups by policy, and without JavaScript the
whole table shows.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections import defaultdict
from dataclasses import dataclass, field

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from dataetik import model, shared_findings
from dataetik.findings import Finding
from dataetik.i18n import N_, _, translated
from dataetik.pages import scroll_box
from dataetik.policy import Policy, Requirement
from dataetik.rules import RULES, Case, project_cases

ANSWERED, MISSING, FAILING, NOT_APPLICABLE = "answered", "missing", "failing", "not_applicable"
# The order of the legend; symbols differ in shape, so no reader depends on colour (WCAG 1.4.1).
STATES = {
    ANSWERED: ("✓", N_("answered"), N_("Something answers the requirement, and every check on it passes. The word "
                                       "links to the answer; further answers are numbered 2, 3 …")),
    MISSING: ("✗", N_("missing"), N_("The requirement applies to the project, but an answer it demands does not exist "
                                     "(a consideration, evidence of a kind, a bias test or an approval).")),
    FAILING: ("!", N_("failing"), N_("An answer exists, but a check fails on it: too short, a placeholder left in it, "
                                     "approved at too low a level, a reassessment overdue … The word links to what "
                                     "fails.")),
    NOT_APPLICABLE: ("–", N_("not applicable"), N_("The requirement does not apply to the project, or not yet. The "
                                                   "short word says why: its risk profile, a trait it lacks, its "
                                                   "classification, or the year the requirement binds it from; "
                                                   "point at it (or use a screen reader) for the whole reason.")),
}
NOTE = ("*", N_("A note: the answer is there, but the checks warn about it (usually a demand that binds the project "
                "only from a later date)."))
# The short reasons shown in a cell that does not apply.
SHORT_RISK, SHORT_TRAIT, SHORT_CLASS, SHORT_NOT_DUE = N_("risk"), N_("trait"), N_("class"), N_("not yet")


@dataclass(frozen=True)
class Cell:
    state: str
    links: tuple[dict, ...] = ()   # answered: the answering needs; failing: the needs that fail
    why: str = ""                  # the whole reason (not applicable) or the problems (missing, failing)
    short: str = ""                # not applicable: the reason in a word
    notes: tuple[str, ...] = ()    # warnings on an answered cell
    findings: tuple[Finding, ...] = field(default=(), compare=False)


# --- the cells, from the checks' findings ---------------------------------------------------------

def answers_of(policy: Policy, project: dict, req: Requirement) -> dict[str, list[dict]]:
    """The project's needs that answer the requirement, by need type, in answered_by's order."""
    return {t: sorted((n for n in policy.needs.parts_of(project["id"], t) if req.id in (n.get("addresses") or [])),
                      key=lambda n: (n.get("date") or "", n["id"]))
            for t in req.answered_by}


def findings_by_cell(policy: Policy, run: list[tuple[Case, list[Finding]]] | None = None,
                     ) -> dict[tuple[str, str], list[Finding]]:
    """Every project case run once (or `run`: the cases already run, with their findings), its findings
    filed under (project, requirement). Bias-test cases are keyed by the test, so each finding is filed
    by what it names, not by its case.

    The bias-test cases recompute each test from its counts: left out, a cell could say answered
    where the checks fail a test that shows bias."""
    found: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for case, findings in run if run is not None else ((c, c.run()) for c in project_cases(policy)):
        for finding in findings:
            key = (finding.project or case.project, finding.requirement or case.key.partition("-")[2])
            found[key].append(finding)
    return found


def _is_missing(finding: Finding, answers: dict[str, list[dict]]) -> bool:
    """An error of a rule that demands an answer of a type the project has none of, for this
    requirement: then nothing is there to fail, it is missing. Every other error (a too-short
    text, a too-low approval, an overdue review, a project-wide check the requirement names) is
    about something that exists, so it fails."""
    rule = RULES.get(finding.rule)
    return bool(rule and rule.answers) and not answers.get(rule.answers)


def not_applicable_why(policy: Policy, project: dict, req: Requirement) -> tuple[str, str] | None:
    """Why the requirement does not apply to the project, as (short word, sentence); None if it
    applies. The same test as the checks' (Policy.applies_to), said in words."""
    vocab = policy.vocabulary
    risk = project.get("risk")
    if req.applies_risk and risk not in req.applies_risk:
        levels = (" " + _("or") + " ").join(req.applies_risk)
        sentence = (_("The requirement applies only to the risk profile {levels}; the project's is {risk}.")
                    if risk else _("The requirement applies only to the risk profile {levels}; the project has none."))
        return translated(SHORT_RISK), sentence.format(levels=levels, risk=risk)
    if not req.applies_when or any(project.get(f) == value for f, value in req.applies_when):
        return None
    traits = {t.field: t for t in vocab.traits}
    scales = {c.field: c for c in vocab.classifications}
    wanted_traits = [traits[f].label for f, _value in req.applies_when if f in traits]
    wanted_levels: dict[str, list[str]] = defaultdict(list)
    for f, value in req.applies_when:
        if f in scales:
            wanted_levels[f].append(value)
    sentences = []
    if wanted_traits:
        sentences.append(_("The requirement applies only to projects with: {traits}.").format(
            traits=(" " + _("or") + " ").join(wanted_traits)))
    for f, levels in wanted_levels.items():
        scale, value = scales[f], project.get(f)
        named = {"label": scale.label, "levels": (" " + _("or") + " ").join(levels), "value": value}
        sentences.append((_("The requirement applies only to projects classified as {levels} ({label}); the project "
                            "is {value}.") if value else
                          _("The requirement applies only to projects classified as {levels} ({label}); the project "
                            "is not classified.")).format(**named))
    short = SHORT_CLASS if wanted_levels and not wanted_traits else SHORT_TRAIT
    return translated(short), " ".join(sentences)


def cell(policy: Policy, project: dict, req: Requirement, findings: list[Finding]) -> Cell:
    """The state of one requirement for one project, from the findings of the checks on it."""
    why = not_applicable_why(policy, project, req)
    if why:  # the checks demand no answer to it either (Policy.applicable)
        return Cell(NOT_APPLICABLE, short=why[0], why=why[1])
    answers = answers_of(policy, project, req)
    answering = tuple(n for found in answers.values() for n in found)
    errors = [f for f in findings if f.is_error]
    missing = [f for f in errors if _is_missing(f, answers)]
    if missing:
        return Cell(MISSING, links=answering, why=" ".join(f.problem for f in missing), findings=tuple(findings))
    if errors:
        failing = tuple(n for f in errors if (n := policy.needs.get(f.need)) and n.get("docname"))
        return Cell(FAILING, links=_unique(failing) or answering, why=" ".join(f.problem for f in errors),
                    findings=tuple(findings))
    warnings = tuple(f.problem for f in findings)
    if answering:
        return Cell(ANSWERED, links=answering, notes=warnings, findings=tuple(findings))
    # Nothing answers it, and no check demands anything yet: not in force, or not yet due.
    start = req.effective_for(project)
    if start and start > policy.today:
        return Cell(NOT_APPLICABLE, short=_("from {year}").format(year=start.year),
                    why=_("The requirement binds the project from {date}.").format(date=start), findings=tuple(findings))
    if req.answered_by:
        return Cell(NOT_APPLICABLE, short=translated(SHORT_NOT_DUE),
                    why=_("Nothing is demanded yet of a project with the status '{status}'.").format(
                        status=project.get("status") or "–"), findings=tuple(findings))
    # A requirement answered only by project-wide checks (checks: ...), and they pass.
    return Cell(ANSWERED, links=(project,), notes=warnings, findings=tuple(findings))


def _unique(found: tuple[dict, ...]) -> tuple[dict, ...]:
    return tuple({n["id"]: n for n in found}.values())


def cells(policy: Policy, run: list[tuple[Case, list[Finding]]] | None = None) -> dict[tuple[str, str], Cell]:
    """Every (project ID, requirement ID) cell of the site."""
    found = findings_by_cell(policy, run)
    return {(p["id"], r.id): cell(policy, p, r, found.get((p["id"], r.id), []))
            for p in policy.projects for r in policy.requirements}


def cells_of(app: Sphinx) -> tuple[Policy, dict[tuple[str, str], Cell]]:
    """The policy the matrix judges and its cells, computed once per build (the checks run once, not
    once per page showing them). The policy is made of the needs as needs.json holds them, as the
    checks read them; `dataetik check` reports the findings the cells were made from
    (dataetik.shared_findings)."""
    judged = shared_findings.judged(app)
    cached = getattr(app, "_dataetik_matrix", None)
    if cached is None or cached[0] is not judged:
        cached = (judged, cells(judged.policy, shared_findings.findings(judged)))
        app._dataetik_matrix = cached
    return judged.policy, cached[1]



def shown(app: Sphinx) -> bytes:
    """A digest of every word and link the matrix shows, as _resolve makes them (dataetik.freshness
    writes its page again only where this changed): the policies' and requirements' headings, each
    project's row head, each cell's state, words and links; the legend counts the cells."""
    policy, table_cells = cells_of(app)

    def need(n: dict) -> tuple:
        return n.get("id"), n.get("title"), n.get("docname")

    groups = [((info.title, info.folder) if info else None, [(r.id, r.title, need(r.need)) for r in rs])
              for info, rs in _groups(policy)]
    reqs = [r for _p, rs in _groups(policy) for r in rs]
    rows = [(need(p), p.get("department"), p.get("status"), p.get("risk"),
             [(c.state, c.short, c.why, c.notes, [need(n) for n in c.links])
              for c in (table_cells[(p["id"], r.id)] for r in reqs)])
            for p in sorted(policy.projects, key=lambda p: (p["title"], p["id"]))]
    data = (groups, rows, list(policy.vocabulary.statuses), bool(policy.projects), bool(policy.requirements))
    return hashlib.blake2b(pickle.dumps(data, protocol=5), digest_size=16).digest()

# --- HTML attributes on docutils nodes ------------------------------------------------------------

class tagged:
    """A node that adds HTML attributes (data-*, scope, role ...) to the tag its base class
    writes; builders other than HTML write the base class."""


class matrix(nodes.General, nodes.Element):
    """The directive's placeholder."""


class matrix_box(tagged, nodes.container):
    pass


class matrix_row(tagged, nodes.row):
    pass


class matrix_entry(tagged, nodes.entry):
    pass


class matrix_inline(tagged, nodes.inline):
    pass


def _visit_tagged(base: str):
    def visit(self, node):
        starttag = self.starttag

        def with_attributes(n, tagname, suffix="\n", empty=False, **atts):
            if n is node:
                atts.update(node.get("html_attributes", {}))
            return starttag(n, tagname, suffix, empty, **atts)

        self.starttag = with_attributes  # only while the node's own visitor writes its tag
        try:
            getattr(self, f"visit_{base}")(node)
        finally:
            del self.starttag
    return visit


def _depart(base: str):
    return lambda self, node: getattr(self, f"depart_{base}")(node)


def _attributes(node: nodes.Element, **attributes) -> nodes.Element:
    node["html_attributes"] = {k.replace("_", "-"): v for k, v in attributes.items()}
    return node


# --- the table ------------------------------------------------------------------------------------

class TraceabilityMatrixDirective(SphinxDirective):
    """Usage: ``{traceabilitymatrix}``: the legend and the matrix of every policy's requirements
    against every project."""

    def run(self):
        return [matrix()]


def _uri(app: Sphinx, fromdocname: str, need: dict) -> str:
    return app.builder.get_relative_uri(fromdocname, need["docname"]) + "#" + need["id"]


def _ref(app: Sphinx, fromdocname: str, need: dict, *children: nodes.Node, title: str | None = None) -> nodes.reference:
    ref = nodes.reference("", "", *children, internal=True, refuri=_uri(app, fromdocname, need))
    ref["reftitle"] = title if title is not None else f"{need['id']}: {need['title']}"
    return ref


def _hidden(text: str) -> nodes.inline:
    return nodes.inline(text=text, classes=["visually-hidden"])


def _symbol(state: str) -> nodes.inline:
    # Read as its word, which follows: the symbol itself would be read as "check mark".
    return _attributes(matrix_inline(text=STATES[state][0], classes=["dataetik-m-symbol"]), aria_hidden="true")


def _cell_entry(app: Sphinx, fromdocname: str, c: Cell) -> nodes.entry:
    symbol, word, _meaning = STATES[c.state]
    entry = nodes.entry(classes=[f"dataetik-m-{c.state.replace('_', '-')}"])
    para = nodes.paragraph()
    entry += para
    if c.state == NOT_APPLICABLE:
        para += _symbol(c.state)
        para += nodes.abbreviation(c.short, c.short, explanation=f"{translated(word)}: {c.why}")
        para += _hidden(f" ({translated(word)}: {c.why})")
        return entry
    label = [_symbol(c.state), nodes.inline(text=translated(word), classes=["dataetik-m-word"])]
    if c.links:
        first, *more = c.links
        why = f"{c.why} " if c.why else ""
        para += _ref(app, fromdocname, first, *label, title=f"{why}{first['id']}: {first['title']}")
        for number, need in enumerate(more, start=2):
            para += nodes.Text(" ")
            para += _ref(app, fromdocname, need, nodes.inline(text=str(number), classes=["dataetik-m-more"]))
    else:
        para += label
    if c.why:
        para += _hidden(f" ({c.why})")
    if c.notes:
        note = " ".join(c.notes)
        para += nodes.abbreviation(NOTE[0], NOTE[0], explanation=note, classes=["dataetik-m-note"])
        para += _hidden(f" ({note})")
    return entry


def _project_entry(app: Sphinx, fromdocname: str, project: dict, vocab) -> nodes.entry:
    entry = _attributes(matrix_entry(), scope="row")
    para = nodes.paragraph()
    entry += para
    para += _ref(app, fromdocname, project, nodes.Text(project["title"]), title=project["id"])
    facts = [project.get("department"), project.get("status"), project.get("risk")]
    para += nodes.inline(text=" · ".join(f for f in facts if f), classes=["dataetik-m-facts"])
    return entry


def _groups(policy: Policy) -> list[tuple[object, list[Requirement]]]:
    """The requirements grouped by their policy, in the order the site declares its policies."""
    grouped: dict[str, tuple[object, list[Requirement]]] = {}
    for req in policy.requirements:
        key = req.policy.folder if req.policy else ""
        grouped.setdefault(key, (req.policy, []))[1].append(req)
    order = [p.folder for p in policy.vocabulary.policies]
    return sorted(grouped.values(), key=lambda g: order.index(g[0].folder) if g[0] and g[0].folder in order else len(order))


def _table(app: Sphinx, fromdocname: str, policy: Policy, table_cells: dict) -> nodes.table:
    groups = _groups(policy)
    reqs = [r for _p, rs in groups for r in rs]
    table = nodes.table(classes=["dataetik-matrix-table", "colwidths-auto"])
    tgroup = nodes.tgroup(cols=len(reqs) + 1)
    table += tgroup
    tgroup += nodes.colspec(colwidth=1, stub=1)
    tgroup += [nodes.colspec(colwidth=1) for _r in reqs]
    head = nodes.thead()
    tgroup += head
    corner = _attributes(matrix_entry("", nodes.paragraph(text=translated(N_("Project"))), morerows=1,
                                      classes=["dataetik-m-corner"]), scope="col")
    top = nodes.row("", corner)
    for info, rs in groups:
        title = info.title if info else ""
        top += _attributes(matrix_entry("", nodes.paragraph(text=title), morecols=len(rs) - 1, classes=["dataetik-m-policy"]),
                           scope="colgroup", data_policy=info.folder if info else "")
    head += top
    second = nodes.row()
    for req in reqs:
        para = nodes.paragraph()
        para += _ref(app, fromdocname, req.need, nodes.Text(req.title), title=req.id)
        second += _attributes(matrix_entry("", para, classes=["dataetik-m-req"]), scope="col",
                              data_policy=req.policy.folder if req.policy else "")
    head += second
    body = nodes.tbody()
    tgroup += body
    for project in sorted(policy.projects, key=lambda p: (p["title"], p["id"])):
        row = _attributes(matrix_row(), data_department=project.get("department") or "",
                          data_status=project.get("status") or "")
        row += _project_entry(app, fromdocname, project, policy.vocabulary)
        for req in reqs:
            row += _cell_entry(app, fromdocname, table_cells[(project["id"], req.id)])
        body += row
    return table


def _legend(counts: dict[str, int]) -> nodes.Element:
    """What each state means, with how many cells have it."""
    items = nodes.bullet_list(classes=["dataetik-m-legend"])
    for state, (symbol, word, meaning) in STATES.items():
        para = nodes.paragraph(classes=[f"dataetik-m-{state.replace('_', '-')}"])
        para += _symbol(state)
        para += nodes.strong(text=translated(word))
        para += nodes.Text(" " + _("({count} cells):").format(count=counts.get(state, 0)) + " " + translated(meaning))
        items += nodes.list_item("", para)
    para = nodes.paragraph()
    para += _attributes(matrix_inline(text=NOTE[0], classes=["dataetik-m-note"]), aria_hidden="true")
    para += nodes.Text(" " + translated(NOTE[1]))
    items += nodes.list_item("", para)
    return items


def _box(policy: Policy, table: nodes.table) -> nodes.Element:
    """The scroll region (keyboard-reachable, labelled), inside a box that carries the filters'
    words for matrix.js: the script holds none of the language."""
    vocab = policy.vocabulary
    box = _attributes(
        matrix_box(classes=["dataetik-matrix"]),
        data_label_department=model.field_label("department"), data_label_status=model.field_label("status"),
        data_label_policy=_("Policy"), data_label_all=_("All"), data_label_filter=_("Show"),
        data_label_shown=_("{shown} of {total} projects shown."),
        data_statuses=json.dumps(list(vocab.statuses), ensure_ascii=False),
    )
    box += scroll_box(_("Traceability matrix: projects in rows, requirements in columns"), table,
                      classes=["dataetik-matrix-scroll"])
    return box


def _resolve(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    placeholders = list(doctree.findall(matrix))
    if not placeholders:
        return
    policy, table_cells = cells_of(app)
    counts: dict[str, int] = defaultdict(int)
    for c in table_cells.values():
        counts[c.state] += 1
    for node in placeholders:
        if not policy.projects or not policy.requirements:
            node.replace_self(nodes.paragraph(text=_("No projects.") if not policy.projects else
                                              _("The policy has no requirements.")))
            continue
        node.replace_self([_legend(counts), _box(policy, _table(app, fromdocname, policy, table_cells))])


def _assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The matrix's CSS and script only on the pages that show it."""
    if doctree is not None and any(doctree.findall(matrix_box)):
        app.add_css_file("matrix.css")
        app.add_js_file("matrix.js", loading_method="defer")


def setup(app: Sphinx) -> dict:
    app.add_node(matrix)
    for node, base in ((matrix_box, "container"), (matrix_row, "row"), (matrix_entry, "entry"),
                       (matrix_inline, "inline")):
        app.add_node(node, html=(_visit_tagged(base), _depart(base)))
    app.add_directive("traceabilitymatrix", TraceabilityMatrixDirective)
    # After sphinx-needs has resolved its own nodes (priority 500 is the default).
    app.connect("doctree-resolved", _resolve, priority=900)
    app.connect("html-page-context", _assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
