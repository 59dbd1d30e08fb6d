"""What citizens need: the register's exports, 'report an error', the contact as fallback, and the
project graph's alt text, on the tiny fixture site (which declares no contact until a test adds one)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from urllib.parse import unquote

import pytest

from dataetik import i18n
from dataetik.citizen import _count, summary_text
from dataetik.register_export import export_path
from sitebuild import SITES, build, copy_site


@pytest.fixture(autouse=True, scope="module")
def danish():
    """The messages as the site says them (Danish, the fixture's language), from the same catalogue."""
    before = i18n.language()
    i18n.use("da")
    yield
    i18n.use(before)

CONTACT = '\n[contact]\nname = "Borgerservice"\nemail = "kontakt@example.dk"\n'
PROJECT = "projects/demo/index.md"


def _site(tmp_path, name, edits=None):
    root = copy_site("tiny", tmp_path / name, edits)
    built = build(root, builder="html")
    assert built.returncode == 0, built.warnings
    return root / "_build" / "html"


@pytest.fixture(scope="module")
def with_contact(tmp_path_factory):
    """A contact, a second project whose title holds <script>, one citizen field set, and a
    department that a spreadsheet would take for a formula."""
    return _site(tmp_path_factory.mktemp("citizen"), "contact", {
        "policy/policy.toml": ("", CONTACT),
        PROJECT: (":department: Borgerservice", ':department: =HYPERLINK("x")\n:how_to_object: Ring til '
                  "Borgerservice."),
        "index.md": ("projects/demo/index", "projects/demo/index\nprojects/andet/index"),
        "projects/andet/index.md": ("", _second_project()),
    })


def _second_project() -> str:
    text = (SITES / "tiny" / PROJECT).read_text(encoding="utf-8")
    text = text.replace("PRJ_DEMO", "PRJ_ANDET").replace("C_DEMO_", "C_ANDET_").replace("EV_DEMO_", "EV_ANDET_")
    text = text.replace("AP_DEMO", "AP_ANDET")
    return text.replace(":::{project} Demo", ":::{project} Andet <script>alert(1)</script>", 1)


def _rows(out):
    raw = (out / export_path("csv")).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark, for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_exports_one_row_per_project_with_stable_ids(with_contact):
    rows = _rows(with_contact)
    assert rows[0][0] == "ID"
    assert sorted(r[0] for r in rows[1:]) == ["PRJ_ANDET", "PRJ_DEMO"]
    data = json.loads((with_contact / export_path("json")).read_text(encoding="utf-8"))
    assert sorted(p["id"] for p in data["projects"]) == ["PRJ_ANDET", "PRJ_DEMO"]
    demo = next(p for p in data["projects"] if p["id"] == "PRJ_DEMO")
    assert demo["status"] == "igangværende" and demo["risk"] == "høj" and demo["start_date"] == "2025-03-01"
    assert demo["approval"]["decision"] == "godkendt"
    assert demo["url"] == "projects/demo/index.html#PRJ_DEMO"
    assert demo["how_to_object"] == "Ring til Borgerservice." and demo["own_data"] is None


def test_register_links_the_exports_and_needs_json(tmp_path):
    out = _site(tmp_path, "register", {"index.md": ("", "\n```{projectregister}\n```\n\n```{registerdownloads}\n```\n")})
    page = (out / "index.html").read_text(encoding="utf-8")
    for target in (export_path("csv"), export_path("json"), "needs.json"):
        assert f'href="{target}"' in page
        assert (out / target).exists()


def test_report_an_error_carries_the_projects_id(with_contact):
    page = (with_contact / "projects" / "demo" / "index.html").read_text(encoding="utf-8")
    # (Sphinx cloaks e-mail addresses in entities; a browser reads them as written)
    links = [unquote(html.unescape(h)) for h in re.findall(r'href="(mailto:[^"]+)"', page)]
    links = [h for h in links if h.startswith("mailto:kontakt@example.dk?subject=")]
    assert links, "a 'report an error' link on the project page"
    subject = links[0].split("subject=")[1].split("&")[0]
    assert subject == i18n._("Error in the project register: {id}").format(id="PRJ_DEMO")


def test_missing_field_falls_back_to_the_contact(with_contact):
    page = (with_contact / "projects" / "demo" / "index.html").read_text(encoding="utf-8")
    box = page[page.index('id="citizen-PRJ_DEMO"'):]
    box = box[:box.index("</div>")]
    assert "Ring til Borgerservice." in box                       # the project's own words
    assert box.count("Borgerservice (") == 2                      # two fields fall back to the contact
    assert "mailto:kontakt@example.dk" in unquote(html.unescape(box))


def test_no_contact_no_link(tmp_path):
    out = _site(tmp_path, "nocontact")
    page = (out / "projects" / "demo" / "index.html").read_text(encoding="utf-8")
    assert "mailto:" not in page
    assert 'id="citizen-PRJ_DEMO"' not in page                    # nothing to say, no box
    data = json.loads((out / export_path("json")).read_text(encoding="utf-8"))
    assert data["contact"] is None and data["projects"][0]["report_error"] is None


def test_graph_alt_text_names_the_counts(with_contact):
    page = (with_contact / "projects" / "demo" / "index.html").read_text(encoding="utf-8")
    imgs = re.findall(r'<img[^>]*class="graphviz dataetik-projectgraph"[^>]*>', page)
    alt_texts = [html.unescape(re.search(r'alt="([^"]*)"', a).group(1)) for a in imgs]
    # tiny: P_OMTANKE <- R_FORMAAL, R_SIKKERHED (2 considerations, 1 document); P_AABEN <- R_GODKENDT (1 approval)
    assert len(alt_texts) == 2
    said = {(n, s): _count(s, p, n) for n, s, p in [
        (2, "{n} requirement", "{n} requirements"), (1, "{n} requirement", "{n} requirements"),
        (2, "{n} consideration", "{n} considerations"), (1, "{n} document", "{n} documents"),
        (1, "{n} approval", "{n} approvals")]}
    assert any(said[2, "{n} requirement"] in a and said[2, "{n} consideration"] in a and said[1, "{n} document"] in a
               for a in alt_texts), alt_texts
    assert any(said[1, "{n} requirement"] in a and said[1, "{n} approval"] in a for a in alt_texts), alt_texts


def test_author_script_is_escaped_everywhere(with_contact):
    page = (with_contact / "projects" / "andet" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    json_text = (with_contact / export_path("json")).read_text(encoding="utf-8")
    assert "<script>" not in json_text and "\\u003cscript\\u003e" in json_text
    assert json.loads(json_text)["projects"][0]["title"] == "Andet <script>alert(1)</script>"
    rows = _rows(with_contact)
    assert any(r[1] == "Andet <script>alert(1)</script>" for r in rows)   # data, never markup, in CSV
    department = rows[[r[0] for r in rows].index("PRJ_DEMO")][2]
    assert department.startswith("'="), "a formula is never run by a spreadsheet"
