"""The register as CSV and JSON, written beside the site when the HTML is built, and the
``{registerdownloads}`` line that links them (and needs.json) from the register page.

Both files hold one row per project, from dataetik.register.project_rows (the rows the table
shows), keyed by the project's ID, which never changes.

- JSON is for machines: the keys are the field names of needs.json (English, stable), the
  values the policy's words. ``<``, ``>`` and ``&`` are written as \\u escapes, so the file can be
  embedded in a web page as it is.
- CSV is for people with a spreadsheet: the headers are the labels the site shows (in the site's
  language); ``;`` separates the columns, because a Danish (and most European) Excel uses the
  comma as decimal mark and opens a ``;`` file with a double click; UTF-8 with a byte order mark,
  because without it Excel reads the file as Windows-1252 and garbles æ, ø and å. A cell that
  begins with = + - @ gets a leading ' so that a spreadsheet never runs it as a formula.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

from dataetik import model
from dataetik.citizen import CITIZEN_FIELDS, report_error_uri
from dataetik.i18n import N_, _, translated
from dataetik.register import ProjectRow, classification_columns, project_rows

# Folder and file names in the site's language: the register page links them, no page names them.
FOLDER = N_("export")
NAME = N_("project-register")
FORMATS = ("csv", "json")
NEEDS_JSON = "needs.json"


def export_path(fmt: str) -> str:
    """'eksport/projektregister.csv': relative to the site's root, '/'-separated."""
    return f"{translated(FOLDER)}/{translated(NAME)}.{fmt}"


# --- the rows, as records ----------------------------------------------------------------------

def record(row: ProjectRow, url: str, contact) -> dict:
    """One project for the JSON file: needs.json's field names."""
    return {
        "id": row.id,
        "title": row.title,
        "department": row.department,
        "status": row.status,
        "status_meaning": row.status_meaning,
        "to_reassess": row.to_reassess,
        "risk": row.risk,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "classifications": row.classifications,
        "approval": row.approval,
        "biastests": row.bias,
        **{name: row.citizen.get(name) for name in CITIZEN_FIELDS},
        "url": url,
        "report_error": report_error_uri(contact, row.id, row.title) if contact else None,
    }


def csv_columns(vocab) -> list[tuple[str, object]]:
    """(header, value of a row) per column: the labels the site shows."""
    columns: list[tuple[str, object]] = [
        ("ID", lambda r, url: r.id),
        (translated(N_("Project")), lambda r, url: r.title),
        (model.field_label("department"), lambda r, url: r.department),
        (model.field_label("status"), lambda r, url: r.status_text),
        (model.field_label("risk"), lambda r, url: r.risk),
        (model.field_label("start_date"), lambda r, url: r.start_date),
        (model.field_label("end_date"), lambda r, url: r.end_date),
    ]
    for group in classification_columns(vocab):
        for scale in group:
            columns.append((scale.label, lambda r, url, f=scale.field: r.classifications.get(f, "")))
    columns += [
        (translated(N_("Approval")), lambda r, url: r.approval_text),
        (translated(N_("Bias test")), lambda r, url: r.bias_text),
        *((model.field_label(name), lambda r, url, n=name: r.citizen.get(n) or "") for name in CITIZEN_FIELDS),
        (_("Page"), lambda r, url: url),
    ]
    return columns


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    value = value or ""
    return "'" + value if value.startswith(_FORMULA) else value


def spreadsheet_csv(rows: list[list]) -> str:
    """CSV as a Danish spreadsheet opens it on a double click: ';' between fields (',' is the
    decimal mark), UTF-8 with a BOM (else æøå come out garbled), and no cell a formula."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([[_cell(str(v)) for v in row] for row in rows])
    return "\ufeff" + out.getvalue()


def to_csv(rows: list[ProjectRow], urls: dict[str, str], vocab) -> str:
    columns = csv_columns(vocab)
    return spreadsheet_csv([[header for header, _value in columns],
                            *([value(row, urls[row.id]) for _header, value in columns] for row in rows)])


def to_json(rows: list[ProjectRow], urls: dict[str, str], vocab, title: str) -> str:
    contact = vocab.contact
    data = {
        "register": title,
        "contact": {"name": contact.name, "email": contact.email} if contact else None,
        "projects": [record(row, urls[row.id], contact) for row in rows],
    }
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


# --- in Sphinx ---------------------------------------------------------------------------------

def _write(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from dataetik.biastest.sphinx import policy_of

    vocab = policy_of(app).vocabulary
    rows = project_rows(app)
    urls = {row.id: f"{app.builder.get_target_uri(row.docname)}#{row.id}" for row in rows}
    out = Path(app.outdir)
    for fmt, text in (("csv", to_csv(rows, urls, vocab)),
                      ("json", to_json(rows, urls, vocab, app.config.project))):
        path = out / export_path(fmt)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")


class registerdownloads(nodes.General, nodes.Element):
    pass


class RegisterDownloads(SphinxDirective):
    """``{registerdownloads}``: 'Download the register as CSV · JSON · every element (needs.json)'."""

    def run(self):
        return [registerdownloads()]


def _resolve(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    for node in list(doctree.findall(registerdownloads)):
        if app.builder.format != "html":
            node.replace_self([])
            continue
        here = app.builder.get_target_uri(fromdocname)
        para = nodes.paragraph(classes=["dataetik-downloads"])
        para += nodes.Text(_("Download the register as") + " ")
        links = [(path, label) for path, label in (
            (export_path("csv"), "CSV"), (export_path("json"), "JSON"),
            (NEEDS_JSON, _("every element (needs.json)")))
            if path != NEEDS_JSON or app.config.needs_build_json]
        for i, (path, label) in enumerate(links):
            if i:
                para += nodes.Text(" · ")
            para += nodes.reference("", label, refuri=relative_uri(here, path))
        node.replace_self(para)


def setup(app: Sphinx) -> dict:
    app.add_node(registerdownloads)
    app.add_directive("registerdownloads", RegisterDownloads)
    app.connect("doctree-resolved", _resolve)
    app.connect("build-finished", _write)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
