"""`dataetik eksport`: a document a policy declares (``[exports.<name>]`` in its policy.toml, e.g.
a law's impact assessment or registration) for one project, as JSON or Markdown, so the
municipality can hand it on in the structure the law asks for.

The document is the project's answers to the listed requirements, in the listed order, with
each requirement's text and source: nothing is written twice, nothing by hand.
"""

from __future__ import annotations

import json

from dataetik import model
from dataetik.i18n import _
from dataetik.policy import Policy
from dataetik.scaffold import ScaffoldError
from dataetik.vocabulary import Export


def find(policy: Policy, name: str) -> Export:
    exports = {e.name: e for e in policy.vocabulary.exports}
    if name not in exports:
        raise ScaffoldError(_("The export '{name}' does not exist. Choose from: {names}.").format(
            name=name, names=", ".join(exports) or _("(none)")))
    return exports[name]


def find_project(policy: Policy, given: str) -> dict:
    """A project by its ID (PRJ_...) or its folder (projects/route-planning)."""
    folder = given.rstrip("/").removesuffix("/index.md")
    for project in policy.projects:
        if given == project["id"] or project["docname"].rsplit("/", 1)[0] == folder:
            return project
    raise ScaffoldError(_("There is no project '{project}'. Give its ID (PRJ_...) or its folder (projects/...).").format(
        project=given))


def _answer(need: dict) -> dict:
    fields = {f: need[f] for f in ("date", "kind", "reference", "decision", "decision_level", "role") if need.get(f)}
    return {"type": need["type"], "id": need["id"], "title": need["title"], **fields,
            "text": " ".join((need.get("content") or "").split())}


def document(policy: Policy, export: Export, project: dict) -> dict:
    """The export as data: the project, and per requirement its text and the project's answers."""
    vocab = policy.vocabulary
    unknown = [r for r in export.requirements if policy.requirement(r) is None]
    if unknown:
        raise ScaffoldError(_("The export '{name}' names the requirement {id}, which does not exist. Correct "
                              "[exports.{name}] in {folder}/policy.toml.").format(
            name=export.name, id=unknown[0], folder=export.folder))
    sections = []
    for req_id in export.requirements:
        req = policy.requirement(req_id)
        answers = [_answer(n) for t in model.PROJECT_PARTS for n in policy.needs.parts_of(project["id"], t)
                   if req_id in (n.get("addresses") or [])]
        sections.append({"requirement": req_id, "title": req.title, "source": req.need.get("source") or "",
                         "applies": policy.applies_to(req, project), "demands": " ".join((req.need.get("content") or "").split()),
                         "answers": answers})
    fields = ["department", "status", "start_date", "end_date", "risk", *(c.field for c in vocab.classifications)]
    return {
        "export": export.name, "title": export.title,
        "policy": next((p.title for p in vocab.policies if p.folder == export.folder), ""),
        "made": policy.today.isoformat(),
        "project": {"id": project["id"], "title": project["title"],
                    **{f: project[f] for f in fields if project.get(f)},
                    "summary": " ".join((project.get("content") or "").split())},
        "sections": sections,
    }


def as_json(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def as_markdown(policy: Policy, doc: dict) -> str:
    vocab = policy.vocabulary
    labels = {c.field: c.label for c in vocab.classifications} | {f: model.field_label(f) for f in model.FIELDS}
    project = doc["project"]
    lines = [f"# {doc['title']}", "", f"**{project['title']}** ({project['id']})", ""]
    lines += [f"- {labels.get(k, k)}: {v}" for k, v in project.items() if k not in ("id", "title", "summary")]
    lines += ["", project["summary"], "", _("Made from the published assessment on {day} ({policy}).").format(
        day=doc["made"], policy=doc["policy"]), ""]
    for section in doc["sections"]:
        lines += [f"## {section['title']}", "", f"*{section['source']}* ({section['requirement']})", ""]
        if not section["answers"]:
            lines += [_("Not answered yet.") if section["applies"] else _("Does not apply to the project."), ""]
        for answer in section["answers"]:
            meta = ", ".join(str(answer[f]) for f in ("kind", "date", "reference") if answer.get(f))
            lines += [f"**{answer['title']}** ({meta})", "", answer["text"], ""]
    return "\n".join(lines).rstrip() + "\n"
