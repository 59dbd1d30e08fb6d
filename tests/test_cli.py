"""`dataetik new` and `dataetik check`, driven end to end on fixture sites, not the live policy.

The site is tests/sites/tiny with one requirement more, answered by a bias test (and the demo
project's bias test and counts): the tiny policy's words, requirements and criteria are the
fixture's own, so the policy on the live site may change without these tests noticing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sitebuild import BIAS_REQUIREMENT, DEMO_BIASTEST, REPO, copy_site

from dataetik.scaffold import filled_in

SKIP = {".git", ".venv", "_build", ".pytest_cache", "__pycache__"}
NAME = "Ruteplanlægning i hjemmeplejen test"
SLUG = "ruteplanlaegning-i-hjemmeplejen-test"
# What a stand-in author writes: three of these sentences per consideration, never the same three,
# so each consideration is its own (the checks catch a repeated one).
SENTENCES = [
    "Vi har gennemgået kravet sammen med fagpersoner fra hjemmeplejen og en jurist fra kommunens juridiske enhed.",
    "Systemet får kun de oplysninger, ruten kræver, og vi har skrevet ned, hvad vi har fravalgt og hvorfor.",
    "Vurderingen tages op igen, hvis data, leverandør eller formål ændrer sig, eller hvis medarbejderne undrer sig.",
    "Borgerne får at vide, at ruterne planlægges med et værktøj, og de kan altid spørge deres faste medarbejder.",
    "Leverandøren må ikke bruge oplysningerne til andet end kommunens planlægning, og det står i aftalen med dem.",
    "Planlæggeren godkender hver dag ruterne og kan altid ændre dem, hvis hensynet til en borger kræver det.",
    "Vi har målt på kørselstid og kontinuitet i tre måneder før og efter, og tallene er lagt frem for teamet.",
    "Datasikkerheden er vurderet af it-sikkerhed, og adgangen er begrænset til planlæggere og teamledere i drift.",
    "Projektgruppen har drøftet, om nogle borgere kan få dårligere hjælp, og fundet, at tiderne følger bevillingen.",
    "Hvis værktøjet foreslår noget, der ikke giver fagligt mening, følger planlæggeren sin egen faglige vurdering.",
    "Tillidsrepræsentanten har deltaget i to møder, og medarbejdernes bemærkninger er skrevet ind i notatet.",
    "Erfaringerne samles efter et halvt år og indgår i kommunens årlige redegørelse om dataprojekterne i drift.",
]


def reason(n: int) -> str:
    return " ".join(SENTENCES[(n + offset) % len(SENTENCES)] for offset in (0, 3, 7))
COUNTS = "attribute,group,actual,predicted,count\n" + "".join(
    f"{a},{g},,{p},{n}\n"
    for a, groups in {"køn": ["kvinde", "mand"], "aldersgruppe": ["under 80", "80 og derover"]}.items()
    for g in groups
    for p, n in ((1, 410), (0, 90))
)
# tests/sites/tiny plus a requirement answered by a bias test, which its demo project answers,
# and a table of contents that takes in every project, as the site's register does.
TOCTREE = ("policy/index\nprojects/demo/index\n", ":glob:\n\npolicy/index\nprojects/*/index\n")


def tiny_with_biastest(dest: Path) -> Path:
    return copy_site("tiny", dest, {"index.md": TOCTREE, "policy/index.md": ("", BIAS_REQUIREMENT),
                                    "projects/demo/index.md": ("", DEMO_BIASTEST), "projects/demo/biastest.csv": ("", COUNTS)})


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return tiny_with_biastest(tmp_path_factory.mktemp("tiny") / "site")


def dataetik(repo: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    # As on a CI runner that forces colour (it once hid warning types); annotations are tested on their own.
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"} | {"FORCE_COLOR": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "dataetik.cli", *args, "--site", str(repo)],
        capture_output=True, text=True, input=stdin, cwd=repo, env=env,
    )


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and not SKIP.intersection(p.relative_to(root).parts)
    }


def test_the_site_passes_before_anything_is_added(repo):
    check = dataetik(repo, "check")
    assert check.returncode == 0, check.stdout
    assert "kontroller bestået" in check.stdout


def test_new_then_check_lists_placeholders_then_filled_in_passes(tmp_path):
    repo = tiny_with_biastest(tmp_path / "site")
    before = snapshot(repo)
    new = dataetik(repo, "new", NAME, "--forvaltning", "Ældre og Sundhed", "--risiko", "lav", "--traek", "indkøbt")
    assert new.returncode == 0, new.stderr
    assert new.stdout.startswith(f"Oprettet: projects/{SLUG}/index.md")
    after = snapshot(repo)
    assert {k for k in after if after[k] != before.get(k)} == {f"projects/{SLUG}/index.md"}
    text = (repo / f"projects/{SLUG}/index.md").read_text(encoding="utf-8")
    # What applies to a procured project at 'lav': the fixture's own requirements.
    assert ":procured: ja" in text and ":kind: databehandleraftale" in text and ":addresses: R_AFTALE" in text
    assert ":addresses: R_SKAEVHED" in text and ":addresses: R_SIKKERHED" not in text  # R_SIKKERHED is for 'høj'

    check = dataetik(repo, "check")
    assert check.returncode == 1
    page = f"projects/{SLUG}/index.md"
    assert "PRJ_RUTEPLANLAEGNING – " in check.stdout
    assert "R_FORMAAL: Overvejelsen C_RUTEPLANLAEGNING_FORMAAL indeholder pladsholderen 'UDFYLDES'." in check.stdout
    assert "har stadig pladsholderen 'UDFYLDES' i feltet 'legal_basis'" in check.stdout
    assert f"  {page}:" in check.stdout
    # The missing counts file: said once, by the bias check with its requirement (the build says it too).
    assert check.stdout.count("findes ikke i projektets mappe") == 1 and "R_SKAEVHED: BT_RUTEPLANLAEGNING" in check.stdout
    assert (repo / "_build" / "checks.xml").exists()

    path = repo / page
    path.write_text(filled_in(path.read_text(encoding="utf-8"), reason, "2025-06-01", "2025-09-01"), encoding="utf-8")
    (path.parent / "biastest.csv").write_text(COUNTS, encoding="utf-8")
    check = dataetik(repo, "check")
    assert check.returncode == 0, check.stdout
    assert "kontroller bestået" in check.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["!!!", "--forvaltning", "X", "--risiko", "lav"], "Projektnavnet '!!!' kan ikke bruges"),
        (["Noget nyt", "--forvaltning", "X", "--risiko", "ekstrem"], "Risikoprofilen 'ekstrem' findes ikke. Vælg en af: lav, middel, høj"),
        (["Noget nyt", "--forvaltning", "X", "--risiko", "lav", "--traek", "ny"],
         "Projekttrækket 'ny' findes ikke i politikken. Vælg blandt: ny teknologi, ny sammenstilling, indkøbt, eksterne partnere."),
        (["Noget nyt", "--forvaltning", " ", "--risiko", "lav"], "Angiv den forvaltning eller afdeling"),
        (["Noget nyt"], "Der mangler oplysninger, og der er ingen terminal at spørge i."),
    ],
    ids=["bad-name", "unknown-risk", "unknown-trait", "no-department", "no-terminal"],
)
def test_new_refuses_bad_input_and_writes_nothing(repo, args, message):
    before = snapshot(repo)
    result = dataetik(repo, "new", *args, stdin="")
    assert result.returncode == 2
    assert result.stderr.startswith("Fejl: ") and message in result.stderr
    assert snapshot(repo) == before


def test_new_never_overwrites_an_existing_project(repo):
    target = repo / "projects" / "eksisterende-projekt"
    target.mkdir()
    (target / "index.md").write_text("forfatterens tekst", encoding="utf-8")
    result = dataetik(repo, "new", "Eksisterende projekt", "--forvaltning", "X", "--risiko", "lav")
    assert result.returncode == 2
    assert "Mappen projects/eksisterende-projekt findes allerede, og den bliver ikke overskrevet." in result.stderr
    assert (target / "index.md").read_text(encoding="utf-8") == "forfatterens tekst"
    shutil.rmtree(target)


def test_new_asks_for_what_flags_did_not_give_and_records_the_risk_answers(repo):
    from dataetik import new_cmd

    policy = new_cmd.load_policy(repo)
    answers = {"navn": "Tidlig indsats test", "Forvaltning": "Børne- og Kulturforvaltningen", "ny teknologi": "ja",
               "Sårbare borgere": "j"}
    asked = []

    def prompt(question):  # answers by what is asked; everything else is "nej"
        asked.append(question)
        return next((reply for key, reply in answers.items() if key in question), "nej")

    new = new_cmd.interview(policy, prompt, lambda _: None, None, None, None, {})
    assert (new.name, new.department, new.risk, new.criteria) == (
        "Tidlig indsats test", "Børne- og Kulturforvaltningen", "høj", ["K_SAARBARE"])
    assert new.traits == {"new_technology": "ja", "new_combination": "nej", "procured": "nej", "external_partners": "nej"}
    assert len(asked) == 2 + 4 + len(policy.needs.of_type("criterion"))
    page = new_cmd.create(repo, policy, new)
    text = page.read_text(encoding="utf-8")
    assert ":risk: høj" in text and ":risk_criteria: K_SAARBARE" in text
    assert "% - K_SAARBARE Sårbare: ja" in text
    assert ":addresses: R_SIKKERHED" in text  # 'høj' brings the fixture's security requirement
    shutil.rmtree(page.parent)


def failing_cases(site: Path) -> set[str]:
    """The check cases that failed, from _build/checks.xml (named as pytest names them)."""
    import xml.etree.ElementTree as ET

    suite = ET.parse(site / "_build" / "checks.xml").getroot()
    return {case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None}


def test_new_and_check_on_a_policy_without_risk_levels_approvals_or_traits(tmp_path):
    """tests/sites/principles: nothing to ask about risk or traits, so nothing is asked; the page
    answers the framework's requirements with reasoning and records, and passes once filled in."""
    toctree = ("```{toctree}\nframework/index\nprojects/library-footfall/index\nprojects/school-admissions/index\n",
               "```{toctree}\n:glob:\n\nframework/index\nprojects/*/index\n")
    site = copy_site("principles", tmp_path / "site", {"index.md": toctree})
    shutil.rmtree(site / "projects" / "school-admissions")  # the project with deliberate gaps
    before = snapshot(site)
    refused = dataetik(site, "new", "Street lighting", "--forvaltning", "Roads", "--risiko", "lav", stdin="")
    assert refused.returncode == 2 and "--risiko" in refused.stderr and snapshot(site) == before

    new = dataetik(site, "new", "Street lighting", "--forvaltning", "Roads", stdin="")  # no terminal: nothing to ask
    assert new.returncode == 0, new.stderr
    page = site / "projects" / "street-lighting" / "index.md"
    text = page.read_text(encoding="utf-8")
    assert ":risk:" not in text and "{approval}" not in text and ":status: scoping" in text
    assert [line for line in text.splitlines() if line.startswith(":addresses:")] == [
        ":addresses: R_PUBLIC_BENEFIT", ":addresses: R_LAW", ":addresses: R_DATA_QUALITY", ":addresses: R_LAW",
        ":addresses: R_DATA_QUALITY"]

    check = dataetik(site, "check")
    assert check.returncode == 1 and "Traceback" not in check.stdout + check.stderr
    failed = failing_cases(site)
    assert {f"test_consideration[PRJ_STREET_LIGHTING-{r}]" for r in ("R_PUBLIC_BENEFIT", "R_LAW", "R_DATA_QUALITY")} <= failed
    assert "test_placeholders[PRJ_STREET_LIGHTING-R_PUBLIC_BENEFIT]" in failed
    assert not {name for name in failed if "PRJ_LIBRARY_FOOTFALL" in name}

    from dataetik import i18n

    i18n.use("en")  # the framework's language: its placeholders are the ones to fill in
    page.write_text(filled_in(text, reason, "2025-06-01", "2025-09-01"), encoding="utf-8")
    check = dataetik(site, "check")
    assert check.returncode == 0, check.stdout
    assert failing_cases(site) == set()


def test_scaffold_ids_stay_unique_when_requirements_share_an_answer():
    """Two requirements asking for the same kind of evidence, two asking for a bias test: one
    element each, answering both (a policy may be written that way)."""
    import re

    from dataetik.needs_data import Needs
    from dataetik.policy import Policy
    from dataetik.scaffold import NewProject, project_page
    from dataetik.vocabulary import Vocabulary

    def req(rid, answered_by, **fields):
        return {"id": rid, "type": "requirement", "title": rid, "content": "Krav.", "applies_risk": "lav",
                "answered_by": answered_by, **fields}

    needs = [req("R_A", "dokumentation", evidence_kind="sikkerhedsvurdering"),
             req("R_B", "dokumentation", evidence_kind="sikkerhedsvurdering"),
             req("R_C", "bias-test"), req("R_D", "bias-test")]
    vocab = Vocabulary(risk_levels=("lav",), answers={"dokumentation": "evidence", "bias-test": "biastest"},
                       evidence_kinds=("sikkerhedsvurdering",), statuses={"planlagt": "planned"})
    policy = Policy.from_needs(Needs(by_id={n["id"]: n for n in needs}), vocab)
    page = project_page(policy, NewProject("Test", "Afd", "lav", {}), "TEST")
    ids = re.findall(r"^:id: (\S+)$", page, re.M)
    assert sorted(ids) == ["BT_TEST", "EV_TEST_SIKKERHEDSVURDERING", "PRJ_TEST"]
    assert ":addresses: R_A, R_B" in page and ":addresses: R_C, R_D" in page


def test_check_names_a_page_not_saved_as_utf8_instead_of_crashing(tmp_path):
    site = copy_site("tiny", tmp_path / "site")
    page = site / "projects/demo/index.md"
    page.write_bytes(page.read_text(encoding="utf-8").replace("Et lille demoprojekt.", "Et lille demoprojekt på Søborg.").encode("latin-1"))
    check = dataetik(site, "check")
    assert check.returncode == 1 and "Traceback" not in check.stdout + check.stderr
    assert "Politikken og sitet – 1 fejl\n  projects/demo/index.md:6\n    Siden er ikke gemt som UTF-8" in check.stdout
    assert "1 melding fra bygget" in check.stdout
