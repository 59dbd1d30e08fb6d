"""Beyond one site: a national register imports the municipalities' published needs.json with
sphinx-needs' external needs (tests/sites/national), instead of building every municipality's pages.

Two municipalities (tests/sites/kommune_aarby, kommune_bystrup) are built as each builds its own
site; both have a project PRJ_CHATBOT (and the same requirement IDs), and Bystrup says "i drift"
where Aarby says "igangværende"."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from sitebuild import build, copy_site

KOMMUNER = {"kommune_aarby": ("AARBY_", "https://dataetik.aarby.example"),
            "kommune_bystrup": ("BYSTRUP_", "https://dataetik.bystrup.example")}


def _links(html: str) -> dict[str, str]:
    """Link text -> address, of the links in a built page's tables."""
    return {unescape(re.sub(r"<[^>]+>", "", text)).strip(): unescape(href)
            for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """Both municipalities built, each on its own, beside a copy of the national site."""
    root = tmp_path_factory.mktemp("national")
    for name in KOMMUNER:
        built = build(copy_site(name, root / name), "needs", strict=True)
        assert built.returncode == 0, built.warnings
    return root


def _national(root: Path, folder: str = "national", edits=None, strict: bool = True):
    """The national site copied beside the municipalities (as kommuner.toml expects them), edited, built."""
    return build(copy_site("national", root / folder, edits), "html", strict=strict)


def _page_and_needs(built) -> tuple[str, dict]:
    html = (built.root / "_build" / "html" / "index.html").read_text(encoding="utf-8")
    needs = json.loads((built.root / "_build" / "html" / "needs.json").read_text(encoding="utf-8"))
    return html, needs["versions"][needs["current_version"]]["needs"]


@pytest.fixture(scope="module")
def national(published):
    built = _national(published)
    assert built.returncode == 0, built.warnings
    return _page_and_needs(built)


def test_both_municipalities_publish_the_same_ids(published):
    for name in KOMMUNER:
        needs = json.loads((published / name / "_build" / "needs" / "needs.json").read_text(encoding="utf-8"))
        assert {"PRJ_CHATBOT", "R_FORMAAL"} <= set(needs["versions"][""]["needs"])


def test_the_register_lists_every_project_linked_to_its_municipality(national):
    html, _needs = national
    links = _links(html)
    assert links["AARBY_PRJ_CHATBOT"] == "https://dataetik.aarby.example/projects/chatbot/index.html#PRJ_CHATBOT"
    assert links["BYSTRUP_PRJ_CHATBOT"] == "https://dataetik.bystrup.example/projects/chatbot/index.html#PRJ_CHATBOT"
    assert links["BYSTRUP_PRJ_RUTEPLAN"] == "https://dataetik.bystrup.example/projects/ruteplan/index.html#PRJ_RUTEPLAN"
    for said in ("Chatbot på hjemmesiden", "Chatbot til byggesager", "Ruteplanlægning i hjemmeplejen"):
        assert said in html


def test_each_municipality_keeps_its_own_words(national):
    _html, needs = national
    assert needs["AARBY_PRJ_CHATBOT"]["status"] == "igangværende"
    assert needs["BYSTRUP_PRJ_CHATBOT"]["status"] == "i drift"
    assert needs["BYSTRUP_PRJ_CHATBOT"]["department"] == "By og Miljø"


def test_the_prefix_keeps_clashing_ids_apart_and_links_within_a_municipality(national):
    _html, needs = national
    for name, (prefix, base_url) in KOMMUNER.items():
        project = needs[f"{prefix}PRJ_CHATBOT"]
        assert project["is_external"] and project["external_url"].startswith(base_url + "/")
        # The links inside a municipality's needs are prefixed with it: its consideration answers
        # its own requirement, never the other municipality's.
        assert needs[f"{prefix}C_CHATBOT_FORMAAL"]["addresses"] == [f"{prefix}R_FORMAAL"]
        assert needs[f"{prefix}C_CHATBOT_FORMAAL"]["belongs_to"] == [f"{prefix}PRJ_CHATBOT"]
    assert not any(need_id.startswith(("PRJ_", "R_", "C_")) for need_id in needs)


def test_a_clash_of_ids_is_said_not_merged(published):
    """Two municipalities given one prefix: the second's PRJ_CHATBOT is refused, with its ID, and the
    first's kept as it is (never a mix of the two)."""
    built = _national(published, "same-prefix", {"kommuner.toml": ('prefix = "BYSTRUP_"', 'prefix = "AARBY_"')},
                      strict=False)
    assert "AARBY_PRJ_CHATBOT" in built.warnings
    _html, needs = _page_and_needs(built)
    assert needs["AARBY_PRJ_CHATBOT"]["title"] == "Chatbot på hjemmesiden"
    assert needs["AARBY_PRJ_CHATBOT"]["external_url"].startswith("https://dataetik.aarby.example/")
    assert "AARBY_PRJ_RUTEPLAN" in needs  # what does not clash is imported


def test_a_municipality_that_cannot_be_read_is_said_and_the_others_still_shown(published):
    built = _national(published, "one-missing", {"kommuner.toml": ("kommune_bystrup/_build/needs/needs.json",
                                                                   "kommune_bystrup/_build/needs/mangler.json")},
                      strict=False)
    assert built.returncode == 0
    assert "mangler.json" in built.warnings
    html, needs = _page_and_needs(built)
    assert "AARBY_PRJ_CHATBOT" in html and "BYSTRUP_PRJ_CHATBOT" not in needs


def test_a_register_of_projects_only_imports_the_projects_and_builds_strictly(published):
    """At national scale the register imports the projects, not every assessment ([register] types)."""
    built = _national(published, "projects-only", {"kommuner.toml": ("", '\n[register]\ntypes = ["project"]\n')})
    assert built.returncode == 0, built.warnings
    html, needs = _page_and_needs(built)
    assert {n["type"] for n in needs.values()} == {"project"}
    assert set(needs) == {"AARBY_PRJ_CHATBOT", "BYSTRUP_PRJ_CHATBOT", "BYSTRUP_PRJ_RUTEPLAN"}
    assert needs["AARBY_PRJ_CHATBOT"]["risk_criteria"] == []  # the criterion is not imported, nor the link to it
    assert "https://dataetik.bystrup.example/projects/ruteplan/index.html#PRJ_RUTEPLAN" in html
