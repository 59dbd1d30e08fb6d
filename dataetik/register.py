"""The project register: one row per project, with approval and bias-test state.

``{projectregister}`` leaves a placeholder; the table is built when every need is
known (doctree-resolved), from the same needs the checks read. ``project_rows`` computes a
project's row once, for the table and for the exports (dataetik.register_export).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx_needs.data import SphinxNeedsData

from dataetik.biastest.sphinx import policy_of, result_for
from dataetik.citizen import CITIZEN_FIELDS, OPTIONS_ANCHOR, has_options, report_error_link
from dataetik.i18n import N_, _, translated
from dataetik.trail import suspect_requirements
from dataetik.vocabulary import STATUS_MEANINGS, Vocabulary

COLUMNS = [N_("Project"), N_("Department"), N_("Status"), N_("Risk"), N_("Approval"), N_("Bias test")]


@dataclass
class ProjectRow:
    """What the register says of one project: the table shows it, the exports write it."""

    id: str
    title: str
    docname: str
    department: str
    status: str
    status_meaning: str
    risk: str
    start_date: str
    end_date: str
    # field -> value, for every classification the site's policies declare
    classifications: dict[str, str]
    # one text per classifying policy, as the table shows it
    classification_states: list[str]
    approval: dict | None
    approval_text: str
    bias: list[dict]
    bias_text: str
    # the project's own words; None where it leaves a field out
    citizen: dict[str, str | None] = field(default_factory=dict)
    # requirements whose text changed after the approval (dataetik.trail): to be reassessed
    to_reassess: list[str] = field(default_factory=list)

    @property
    def status_text(self) -> str:
        return f"{self.status} – {_('to be reassessed')}" if self.to_reassess else self.status


class projectregister(nodes.General, nodes.Element):
    pass


def status_meanings(arg: str) -> list[str]:
    """A directive option: status meanings (never a policy's words), comma-separated."""
    meanings = [s.strip() for s in (arg or "").split(",") if s.strip()]
    unknown = [m for m in meanings if m not in STATUS_MEANINGS]
    if unknown:
        raise ValueError(_("unknown meaning {unknown}; use {meanings}").format(
            unknown=", ".join(unknown), meanings=", ".join(STATUS_MEANINGS)))
    return meanings


class ProjectRegisterDirective(SphinxDirective):
    """Usage: ``{projectregister}`` with an optional ``:meaning:`` list of status meanings
    (planned, in_use, ended, stopped) to filter on: pages outside the policy never name its words."""

    option_spec = {"meaning": status_meanings}

    def run(self):
        node = projectregister()
        node["meaning"] = self.options.get("meaning") or list(STATUS_MEANINGS)
        return [node]


def approval_state(vocab: Vocabulary, approvals: list[dict]) -> str:
    """The decisive approval: the highest level, latest date first; '–' if none."""
    if not approvals:
        return _("none yet")
    best = max(approvals, key=lambda a: (vocab.decision_rank(a.get("decision_level")), a.get("date") or ""))
    return f"{best.get('decision')} ({best.get('decision_level')}, {best.get('date')})"


def decisive_approval(vocab: Vocabulary, approvals: list[dict]) -> dict | None:
    if not approvals:
        return None
    best = max(approvals, key=lambda a: (vocab.decision_rank(a.get("decision_level")), a.get("date") or ""))
    return {"id": best["id"], "decision": best.get("decision") or "", "decision_level": best.get("decision_level") or "",
            "date": best.get("date") or ""}


def _bias_verdicts(app: Sphinx, tests: list[dict]) -> list[dict]:
    """The verdict computed from each test's published counts."""
    out = []
    for test in tests:
        result, error = result_for(app, test)
        out.append({"id": test["id"], "verdict": _("error in the data") if error else translated(result.verdict)})
    return out


def project_rows(app: Sphinx) -> list[ProjectRow]:
    """Every project's row, by title: computed from the needs, the same for the table and the exports."""
    needs = SphinxNeedsData(app.env).get_needs_view()
    by_project: dict[str, dict[str, list[dict]]] = {}
    for need in needs.values():
        for project_id in need.get("belongs_to") or []:
            by_project.setdefault(project_id, {}).setdefault(need["type"], []).append(need)
    policy = policy_of(app)
    vocab = policy.vocabulary
    scales = classification_columns(vocab)
    rows = []
    for p in sorted((n for n in needs.values() if n["type"] == "project"), key=lambda n: (n["title"], n["id"])):
        parts = by_project.get(p["id"], {})
        approvals = parts.get("approval", [])
        bias = _bias_verdicts(app, sorted(parts.get("biastest", []), key=lambda n: n["id"]))
        rows.append(ProjectRow(
            id=p["id"], title=p["title"], docname=p["docname"],
            department=p.get("department") or "", status=p.get("status") or "",
            status_meaning=vocab.statuses.get(p.get("status") or "", ""), risk=p.get("risk") or "",
            start_date=p.get("start_date") or "", end_date=p.get("end_date") or "",
            classifications={s.field: p.get(s.field) or "" for group in scales for s in group},
            classification_states=[classification_state(p, group) for group in scales],
            approval=decisive_approval(vocab, approvals), approval_text=approval_state(vocab, approvals),
            bias=bias, bias_text="; ".join(b["verdict"] for b in bias) if bias else _("missing"),
            citizen={f: (p.get(f) or "").strip() or None for f in CITIZEN_FIELDS},
            to_reassess=[s.requirement.id for s in suspect_requirements(policy, p)],
        ))
    return rows


def _link(app: Sphinx, fromdocname: str, row: ProjectRow) -> nodes.Node:
    ref = nodes.reference("", row.title, internal=True)
    ref["refuri"] = app.builder.get_relative_uri(fromdocname, row.docname) + "#" + row.id
    para = nodes.paragraph()
    para += ref
    citizen = _citizen_links(app, fromdocname, row)
    return nodes.container("", para, citizen) if citizen is not None else para


def _citizen_links(app: Sphinx, fromdocname: str, row: ProjectRow) -> nodes.Node | None:
    """Below the project's title: its options for citizens (on its page) and 'report an error' (an
    e-mail to the contact). In the project's cell, not a column of their own: the table stays narrow."""
    vocab = policy_of(app).vocabulary
    links: list[nodes.Node] = []
    if has_options(vocab, row.citizen):
        ref = nodes.reference("", _("Your options"), internal=True)
        ref["refuri"] = app.builder.get_relative_uri(fromdocname, row.docname) + "#" + OPTIONS_ANCHOR.format(id=row.id)
        links.append(ref)
    report = report_error_link(vocab, row.id, row.title)
    if report is not None:
        links.append(report)
    if not links:
        return None
    para = nodes.paragraph(classes=["dataetik-citizen-links"])
    for i, link in enumerate(links):
        if i:
            para += nodes.Text(" · ")
        para += link
    return para


def classification_columns(vocab: Vocabulary) -> list[list]:
    """One column per policy that classifies projects (a law's categories): its classifications,
    the first as the heading."""
    grouped: dict[str, list] = {}
    for scale in vocab.classifications:
        grouped.setdefault(scale.folder, []).append(scale)
    return list(grouped.values())


def classification_state(project: dict, scales: list) -> str:
    """'højrisiko (punkt 4 beskæftigelse)': the first classification, and the others where they
    say more than their lowest level; '–' where the project is not classified."""
    first, *more = scales
    value = project.get(first.field)
    if not value:
        return _("not classified")
    extra = [project[s.field] for s in more if project.get(s.field) and project[s.field] != s.levels[0]]
    return f"{value} ({', '.join(extra)})" if extra else value


def _table(rows: list[list[nodes.Node | str]], extra: list[str] = ()) -> nodes.table:
    columns = [translated(c) for c in COLUMNS] + list(extra)
    table = nodes.table(classes=["dataetik-register", "table"])
    group = nodes.tgroup(cols=len(columns))
    table += group
    group += [nodes.colspec(colwidth=1) for _column in columns]
    head = nodes.thead()
    group += head
    head += nodes.row("", *(nodes.entry("", nodes.paragraph(text=c)) for c in columns))
    body = nodes.tbody()
    group += body
    for cells in rows:
        body += nodes.row("", *(_cell(c, column) for c, column in zip(cells, columns)))
    return table


def _cell(content: nodes.Node | str, column: str) -> nodes.entry:
    """A cell that also names its column: on a narrow screen the CSS shows each row as a
    card, without the header row, and the name tells the reader what the value is."""
    if isinstance(content, nodes.Node):
        return nodes.entry("", content)
    para = nodes.paragraph()
    para += nodes.inline(text=f"{column}: ", classes=["dataetik-column-name"])
    para += nodes.Text(content)
    return nodes.entry("", para)


def _resolve(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    placeholders = list(doctree.findall(projectregister))
    if not placeholders:
        return
    projects = project_rows(app)
    scales = classification_columns(policy_of(app).vocabulary)
    for node in placeholders:
        rows = [
            [
                _link(app, fromdocname, p),
                p.department,
                p.status_text,
                p.risk,
                p.approval_text,
                p.bias_text,
                *p.classification_states,
            ]
            for p in projects
            if p.status_meaning in node["meaning"]
        ]
        extra = [group[0].label for group in scales]
        node.replace_self(_table(rows, extra) if rows else nodes.paragraph(text=_("No projects.")))


def setup(app: Sphinx) -> None:
    app.add_node(projectregister)
    app.add_directive("projectregister", ProjectRegisterDirective)
    # After sphinx-needs has resolved its own nodes (priority 500 is the default).
    app.connect("doctree-resolved", _resolve, priority=900)
