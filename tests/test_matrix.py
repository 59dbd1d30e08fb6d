"""The traceability matrix (dataetik/matrix.py): each cell's state follows from the checks' own
findings, and the page shows it with links, reasons and the filters' data.

One fixture site serves every test: the tiny policy with a law layered on it (a second policy,
its own column group), the complete demo project, and a second project with a too-short
consideration, no approval and markup in its department.
"""

from __future__ import annotations

import re

import pytest
from sitebuild import LAW, build, copy_site
from sitebuild import LAW_PAGE as LAYERED_LAW_PAGE

from dataetik import matrix
from dataetik.matrix import ANSWERED, FAILING, MISSING, NOT_APPLICABLE

# The shared law, with one more requirement that is in force only later.
LAW_PAGE = LAYERED_LAW_PAGE + """
:::{requirement} Tilsyn fra 2099
:id: R_LOV_SENERE
:derives_from: P_LOV_RETTIGHEDER
:source: Lovens § 99
:applies_risk: lav, middel, høj
:answered_by: overvejelse
:effective_from: 2099-01-01

Beskriv tilsynet.
:::
"""
SECOND = """# Andet

:::{project} Andet projekt
:id: PRJ_ANDET
:department: <b>Teknik</b> & Miljø
:risk: lav
:status: igangværende
:start_date: 2025-03-01
:personal_data: ingen
:legal_basis: GDPR art. 6, stk. 1, litra e
:new_technology: nej
:new_combination: nej
:procured: nej
:external_partners: nej
:high_risk_ai: nej

Et andet projekt.
:::

:::{consideration} Formål
:id: C_ANDET_FORMAAL
:addresses: R_FORMAAL
:date: 2025-02-01

For kort.
:::
"""
MATRIX_PAGE = "# Matrix\n\n```{traceabilitymatrix}\n```\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    edits = {
        "law/policy.toml": ("", LAW), "law/index.md": ("", LAW_PAGE),
        "projects/andet/index.md": ("", SECOND), "matrix.md": ("", MATRIX_PAGE),
        "index.md": ("policy/index\n", "policy/index\nlaw/index\nprojects/andet/index\nmatrix\n"),
        "projects/demo/index.md": (":external_partners: nej", ":external_partners: nej\n:high_risk_ai: ja"),
    }
    built = build(copy_site("tiny", tmp_path_factory.mktemp("matrix") / "site", edits), builder="html")
    assert built.returncode == 0, built.warnings
    return built


@pytest.fixture(scope="module")
def cells(site):
    return matrix.cells(site.policy)


@pytest.fixture(scope="module")
def page(site):
    return (site.root / "_build" / "html" / "matrix.html").read_text(encoding="utf-8")


def _row(page: str, project_id: str) -> str:
    """The table row of a project (its header links to the project's ID)."""
    return next(r for r in re.findall(r"<tr.*?</tr>", page, re.S) if f"#{project_id}\"" in r)


def test_a_missing_answer_is_missing(cells):
    assert cells[("PRJ_ANDET", "R_GODKENDT")].state == MISSING  # no approval at all
    assert cells[("PRJ_DEMO", "R_LOV_KONSEKVENS")].state == MISSING  # no evidence of the law's kind


def test_an_answered_cell_links_to_its_answers(cells):
    assert cells[("PRJ_DEMO", "R_FORMAAL")].state == ANSWERED
    assert [n["id"] for n in cells[("PRJ_DEMO", "R_FORMAAL")].links] == ["C_DEMO_FORMAAL"]
    # Consideration before evidence: in the order the requirement's answered_by names them.
    assert [n["id"] for n in cells[("PRJ_DEMO", "R_SIKKERHED")].links] == ["C_DEMO_SIKKERHED", "EV_DEMO_SIKKERHED"]


def test_a_too_short_consideration_fails_and_links_to_it(cells):
    failing = cells[("PRJ_ANDET", "R_FORMAAL")]
    assert failing.state == FAILING
    assert [n["id"] for n in failing.links] == ["C_ANDET_FORMAAL"]
    assert "C_ANDET_FORMAAL" in failing.why


def test_not_applicable_says_why(cells):
    by_risk = cells[("PRJ_ANDET", "R_SIKKERHED")]
    assert by_risk.state == NOT_APPLICABLE
    assert "høj" in by_risk.why and "lav" in by_risk.why  # the level it needs, the project's level
    by_trait = cells[("PRJ_DEMO", "R_AFTALE")]
    assert by_trait.state == NOT_APPLICABLE and "Indkøbt løsning" in by_trait.why  # the trait's label
    assert by_risk.short != by_trait.short
    law = cells[("PRJ_ANDET", "R_LOV_KONSEKVENS")]
    assert law.state == NOT_APPLICABLE and "Højrisiko-AI" in law.why


def test_a_requirement_not_yet_in_force_is_not_applicable_until_then(cells):
    later = cells[("PRJ_DEMO", "R_LOV_SENERE")]
    assert later.state == NOT_APPLICABLE
    assert "2099" in later.short and "2099-01-01" in later.why


def test_the_cell_function_reads_the_findings_it_is_given(site):
    """The pure function: the same project and requirement, judged by other findings."""
    policy = site.policy
    project, req = policy.needs.get("PRJ_DEMO"), policy.requirement("R_FORMAAL")
    found = matrix.findings_by_cell(policy)
    assert matrix.cell(policy, project, req, found[("PRJ_DEMO", "R_FORMAAL")]).state == ANSWERED
    short = found[("PRJ_ANDET", "R_FORMAAL")]  # an error about a consideration that exists
    assert matrix.cell(policy, project, req, short).state == FAILING
    missing = found[("PRJ_ANDET", "R_GODKENDT")]  # an error where nothing answers
    assert matrix.cell(policy, policy.needs.get("PRJ_ANDET"), policy.requirement("R_GODKENDT"), missing).state == MISSING


def test_the_page_shows_states_with_links_and_reasons(page):
    demo, other = _row(page, "PRJ_DEMO"), _row(page, "PRJ_ANDET")
    assert 'href="projects/demo/index.html#C_DEMO_FORMAAL"' in demo
    assert "mangler" in demo  # the law's evidence; "mangler" is already in the catalogue
    assert 'class="dataetik-m-failing"' in other and 'href="projects/andet/index.html#C_ANDET_FORMAAL"' in other
    # Not applicable: a short word with the whole reason as its title and as text for screen readers.
    reason = re.search(r'<abbr title="([^"]*Indkøbt løsning[^"]*)">', demo)
    assert reason and 'class="visually-hidden"' in demo
    assert 'tabindex="0"' in page and 'role="region"' in page and "aria-label=" in page


def test_the_filters_data_is_on_rows_and_columns(page):
    assert re.search(r'<tr[^>]*data-department="Borgerservice"[^>]*data-status="igangværende"', _row(page, "PRJ_DEMO"))
    assert "data-label-department=" in page and "data-statuses=" in page
    assert 'src="_static/matrix.js' in page and "matrix.css" in page


def test_a_second_policy_gets_its_own_column_group(page):
    groups = re.findall(r'<th[^>]*class="[^"]*dataetik-m-policy[^"]*"[^>]*>', page)
    assert len(groups) == 2
    assert 'colspan="4"' in groups[0] and 'data-policy="policy"' in groups[0]
    assert 'colspan="2"' in groups[1] and 'data-policy="law"' in groups[1]
    headers = re.findall(r'<th[^>]*class="[^"]*dataetik-m-req[^"]*"[^>]*data-policy="(\w+)"', page)
    assert headers == ["policy"] * 4 + ["law"] * 2


def test_author_markup_never_reaches_the_page(page):
    assert "<b>Teknik</b>" not in page
    assert 'data-department="&lt;b&gt;Teknik&lt;/b&gt; &amp; Miljø"' in page
