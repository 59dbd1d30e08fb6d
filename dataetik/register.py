"""The project register: one row per project, with approval and bias-test state.

``{projectregister}`` leaves a placeholder; the table is built when every need is
known (doctree-resolved), from the same needs the checks read.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx_needs.data import SphinxNeedsData

from dataetik.biastest.sphinx import policy_of, result_for
from dataetik.i18n import N_, _, translated
from dataetik.vocabulary import STATUS_MEANINGS, Vocabulary

COLUMNS = [N_("Project"), N_("Department"), N_("Status"), N_("Risk"), N_("Approval"), N_("Bias test")]


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


def _bias_state(app: Sphinx, tests: list[dict]) -> str:
    """The verdict computed from each test's published counts."""

    if not tests:
        return _("missing")
    states = []
    for test in tests:
        result, error = result_for(app, test)
        states.append(_("error in the data") if error else translated(result.verdict))
    return "; ".join(states)


def _link(app: Sphinx, fromdocname: str, need: dict) -> nodes.Node:
    ref = nodes.reference("", need["title"], internal=True)
    ref["refuri"] = app.builder.get_relative_uri(fromdocname, need["docname"]) + "#" + need["id"]
    para = nodes.paragraph()
    para += ref
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
    needs = SphinxNeedsData(app.env).get_needs_view()
    by_project: dict[str, dict[str, list[dict]]] = {}
    for need in needs.values():
        for project_id in need.get("belongs_to") or []:
            by_project.setdefault(project_id, {}).setdefault(need["type"], []).append(need)
    projects = sorted((n for n in needs.values() if n["type"] == "project"), key=lambda n: n["title"])
    vocab = policy_of(app).vocabulary
    scales = classification_columns(vocab)
    for node in placeholders:
        rows = [
            [
                _link(app, fromdocname, p),
                p.get("department") or "",
                p.get("status") or "",
                p.get("risk") or "",
                approval_state(vocab, by_project.get(p["id"], {}).get("approval", [])),
                _bias_state(app, by_project.get(p["id"], {}).get("biastest", [])),
                *(classification_state(p, group) for group in scales),
            ]
            for p in projects
            if vocab.statuses.get(p.get("status") or "") in node["meaning"]
        ]
        node.replace_self(_table(rows, [group[0].label for group in scales]) if rows else nodes.paragraph(text=_("No projects.")))


def setup(app: Sphinx) -> None:
    app.add_node(projectregister)
    app.add_directive("projectregister", ProjectRegisterDirective)
    # After sphinx-needs has resolved its own nodes (priority 500 is the default).
    app.connect("doctree-resolved", _resolve, priority=900)
