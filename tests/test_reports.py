"""Each output format on the same small set of results."""

import xml.etree.ElementTree as ET

from dataetik.build_messages import parse_warnings
from dataetik.findings import Finding
from dataetik.report import Result, github, junit, text
from dataetik.vocabulary import Vocabulary

# The words the build messages below were written against.
VOCAB = Vocabulary(yes="ja", no="nej", risk_levels=("lav", "middel", "høj"),
                   statuses={"planlagt": "planned", "igangværende": "in_use", "afsluttet": "ended", "stoppet": "stopped"})

MISSING = Finding(
    rule="consideration", file="projects/x/index.md", line=3, problem="Der mangler en overvejelse.",
    fix="Tilføj en overvejelse:\n    :addresses: R_Y", project="PRJ_X", requirement="R_Y",
)
RESULTS = [
    Result("consideration", "PRJ_X-R_Y", "PRJ_X", (MISSING,)),
    Result("dates", "PRJ_X", "PRJ_X", ()),
]


def test_text_groups_by_project_and_links_the_requirement():
    out = text.render(RESULTS, lambda req: f"file:///site/policy.html#{req}")
    assert out == (
        "PRJ_X – 1 fejl\n"
        "  projects/x/index.md:3\n"
        "    R_Y: Der mangler en overvejelse.\n"
        "    Sådan retter du det: Tilføj en overvejelse:\n"
        "        :addresses: R_Y\n"
        "    Læs kravet: file:///site/policy.html#R_Y\n"
        "\n"
        "1 fejl i 1 af 2 kontroller.\n"
        f"  – {CHECKS}."
    )
    assert text.render(RESULTS[1:]) == f"1 kontrol bestået.\n  – {CHECKS}."


# What the summary says a check is, under every summary that counts checks.
CHECKS = ("kontroller: hver regel køres én gang for hver ting, den gælder – et projekt med hvert krav, der gælder for "
          "det, et projekt som helhed, en bias-test, politikkens principper og krav. Antallet afhænger kun af "
          "politikken og projekterne, så det samme site giver altid det samme antal")


def test_junit_has_one_testcase_per_case_named_as_pytest_names_it():
    suite = ET.fromstring(junit.render(RESULTS))
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    names = [c.get("name") for c in suite.iter("testcase")]
    assert names == ["test_consideration[PRJ_X-R_Y]", "test_dates[PRJ_X]"]
    failure = suite.find("testcase/failure")
    assert failure.get("message") == "Der mangler en overvejelse."
    assert "projects/x/index.md:3: PRJ_X / R_Y" in failure.text


def test_github_annotations_escape_newlines_and_name_file_and_line():
    assert github.render(RESULTS) == (
        "::error file=projects/x/index.md,line=3,title=PRJ_X / R_Y::Der mangler en overvejelse. "
        "Sådan retter du det: Tilføj en overvejelse:%0A    :addresses: R_Y"
    )


def test_github_annotation_without_a_file_has_no_file_property():
    site_wide = [Result("build", "", "", (Finding("build", "", None, "Bygget melder: x", "Ret det."),))]
    assert github.render(site_wide) == "::error title=build::Bygget melder: x Sådan retter du det: Ret det."


def test_allowed_values_come_whole_and_in_danish_from_the_metamodel():
    stderr = (
        "/site/projects/x/index.md:3: ERROR: Need 'PRJ_X' has schema violations:\n"
        "  Field:          status\n"
        '  Schema message: "i gang" is not one of "planlagt", "igangværende" or 2 other candidates [sn_schema_violation.field_fail]\n'
    )
    [finding] = parse_warnings(stderr, VOCAB, root="/site")
    assert finding.fix == 'Brug en af de tilladte værdier: "planlagt", "igangværende", "afsluttet" eller "stoppet".'


def test_a_bias_test_warning_keeps_its_type_and_test_id():
    stderr = (
        "/site/projects/x/biastest.csv:4: WARNING: Bias-testen BT_X: filen er tom. [dataetik.biastest]\n"
        "/site/projects/x/index.md:5: WARNING: something else\n"
    )
    found = parse_warnings(stderr, VOCAB, root="/site")
    assert [(f.location, f.source, f.need) for f in found] == [
        ("projects/x/biastest.csv:4", "dataetik.biastest", "BT_X"), ("projects/x/index.md:5", "", "")]


def test_colour_codes_do_not_hide_the_warning_type():
    # CI may set FORCE_COLOR; Sphinx then wraps each warning line in colour codes.
    stderr = "\x1b[91m/site/projects/x/biastest.csv:4: WARNING: Bias-testen BT_X: filen er tom. [dataetik.biastest]\x1b[39;49;00m\n"
    [finding] = parse_warnings(stderr, VOCAB, root="/site")
    assert (finding.location, finding.source, finding.need) == ("projects/x/biastest.csv:4", "dataetik.biastest", "BT_X")


def test_build_warnings_become_danish_findings_with_location():
    stderr = (
        "/site/projects/x/index.md:3: ERROR: Need 'PRJ_X' has schema violations:\n"
        "  Severity:       violation\n"
        "  Field:          risk\n"
        '  Schema message: "meget" is not one of "lav", "middel" or "høj" [sn_schema_violation.field_fail]\n'
        "/site/projects/x/index.md:17: WARNING: Need 'C_X' has unknown outgoing link 'R_NOPE' in field 'addresses' [needs.link_outgoing]\n"
        "/site/index.md:5: WARNING: something else\n"
        "WARNING: html_static_path entry 'nope' does not exist\n"
    )
    rendered = [f.render() for f in parse_warnings(stderr, VOCAB, root="/site")]
    assert rendered == [
        "projects/x/index.md:3: Feltet 'risk' har værdien 'meget', som ikke er tilladt.\n"
        '    Sådan retter du det: Brug en af de tilladte værdier: "lav", "middel" eller "høj".',
        "projects/x/index.md:17: C_X linker til 'R_NOPE' i feltet 'addresses', men der findes intet element med det ID.\n"
        "    Sådan retter du det: Ret ID'et, så det peger på et element, der findes (krav står i kravlisten), eller fjern linket.",
        "index.md:5: Bygget melder: something else\n"
        "    Sådan retter du det: Ret det, meldingen peger på, i den nævnte fil og linje.",
        # No location: a warning about the whole site still fails the check.
        "Bygget melder: html_static_path entry 'nope' does not exist\n"
        "    Sådan retter du det: Ret det, meldingen peger på, i conf.py eller den udvidelse, meldingen nævner.",
    ]


def test_common_author_slips_are_translated_with_a_suggestion():
    stderr = (
        "/site/projects/x/index.md:3: WARNING: Unknown option 'staus' [needs.directive]\n"
        "/site/projects/x/index.md:29: WARNING: Need could not be created: No ID defined, but 'needs_id_required' is set to True. [needs.create_need]\n"
        "/site/projects/x/index.md:36: WARNING: Unknown directive type: 'evidense' [myst.directive_unknown]\n"
        "/site/projects/x/index.md:57: WARNING: Non-consecutive header level increase; H1 to H3 [myst.header]\n"
        "/site/projects/y/index.md:58: WARNING: Need could not be created: A need with ID 'C_X_MAAL' already exists "
        "(defined at projects/x/index:20). [needs.duplicate_id]\n"
        "/site/index.md:5: WARNING: Unknown directive type: 'notee' [myst.directive_unknown]\n"
    )
    assert [(f.line, f.problem, f.fix) for f in parse_warnings(stderr, VOCAB, root="/site")] == [
        # A copied ID first: the element was not created, and what else is said may follow from that.
        (58, "ID'et 'C_X_MAAL' bruges både her og i projects/x/index.md:20, så elementet her blev ikke oprettet. "
             "Andre meldinger (fx at der mangler en overvejelse) kan følge af denne.",
         "Giv det element, der er kopieret, sit eget, nye ID (et kopieret projekt skal have nye ID'er overalt), og kør "
         "kontrollen igen, før du tilføjer noget, de andre meldinger beder om."),
        (3, "Feltet ':staus:' findes ikke.", "Mente du ':status:'? Se feltreferencen for de felter, hver slags element har."),
        (29, "Elementet har intet ':id:', så det blev ikke oprettet.",
         "Tilføj fx ':id: C_PROJEKT_EMNE' lige under elementets første linje (kun store bogstaver, tal og _)."),
        (36, "'evidense' er hverken en elementtype eller et kendt direktiv, så blokken blev ikke vist.",
         "Mente du 'evidence'? Elementtyperne er: principle, requirement, risklevel, criterion, project, consideration, "
         "biastest, evidence, approval."),
        (57, "Overskriften springer et niveau over (fra niveau 1 til 3).",
         "Giv overskriften ét # mere end overskriften over den, fx ## under #."),
        (5, "'notee' er hverken en elementtype eller et kendt direktiv, så blokken blev ikke vist.",
         "Elementtyperne er: principle, requirement, risklevel, criterion, project, consideration, biastest, evidence, "
         "approval."),
    ]
