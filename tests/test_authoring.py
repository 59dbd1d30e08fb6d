"""What an author types and reads: aggregate from a real extract, IDs made of whole words, and a
questionnaire that asks each question once, with why and an example. End to end on the tiny
fixture site (its policy, not the live one), each with the mistake that must be caught and a
control that must pass.
"""

from __future__ import annotations

import os
import random
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import sitebuild
from sitebuild import REPO, copy_site

from dataetik.biastest.counts import read_counts

# The shared bias requirement, with the attributes a test must cover and without a limit on the difference.
BIAS_REQUIREMENT = sitebuild.BIAS_REQUIREMENT.replace(":max_difference: 0.1\n", "").replace(
    ":min_cell: 5\n", ":min_cell: 5\n:bias_attributes: køn, aldersgruppe\n")
# A criterion that also answers the trait 'ny teknologi': the trait is then not asked on its own.
TECH_CRITERION = """
:::{criterion} Ny teknologi
:id: K_NY_TEKNOLOGI
:raises_to: middel
:sets: ny teknologi
:why: Ny teknologi er svær at kontrollere.
:example: Ja: en maskinlæringsmodel. Nej: et regneark.

Bruges maskinlæring eller anden teknologi, som er ny i kommunen?
:::
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return copy_site("tiny", tmp_path_factory.mktemp("authoring") / "site",
                     {"policy/index.md": ("", BIAS_REQUIREMENT + TECH_CRITERION)})


def dataetik(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"} | {"PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "dataetik.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env=env)


@pytest.fixture(scope="module")
def extract(tmp_path_factory) -> Path:
    """A local extract as a case system gives it: its own column names, ages not yet grouped."""
    rng = random.Random(12)
    rows = ["id,koen,alder,valgt"] + [f"{i},{rng.choice(['kvinde', 'mand'])},{rng.randint(18, 95)},{rng.randint(0, 1)}"
                                      for i in range(800)]
    path = tmp_path_factory.mktemp("analyse") / "udtraek.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# --- aggregate -----------------------------------------------------------------------------


def test_aggregate_maps_columns_and_groups_ages_into_bands(site, extract):
    """Control: the policy's names from the extract's columns, ages in bands, nothing missing."""
    target = site / "projects/demo/biastest.csv"
    done = dataetik("aggregate", str(extract), "--attribute", "køn=koen", "--attribute", "aldersgruppe=alder",
                    "--bands", "aldersgruppe=18-29,30-49,50-79,80-", "--predicted", "valgt", "-o", str(target), cwd=site)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    counts = read_counts(target, 5, ("køn", "aldersgruppe"))
    assert list(counts.attributes["aldersgruppe"]) == ["18-29", "30-49", "50-79", "80+"]
    ages = [int(line.split(",")[2]) for line in extract.read_text(encoding="utf-8").splitlines()[1:]]
    assert counts.attributes["aldersgruppe"]["80+"].n == sum(age >= 80 for age in ages)
    assert sum(g.n for g in counts.attributes["køn"].values()) == len(ages)
    target.unlink()


def test_aggregate_names_the_missing_attribute_with_the_command_that_adds_it(site, extract):
    """The mistake: the column's own name ('koen') where the policy says 'køn', and no age groups.
    The file is written, and the message gives the whole command; that command gives a file the
    bias check accepts."""
    target = site / "projects/demo/biastest.csv"
    first = dataetik("aggregate", str(extract), "--attribute", "koen", "--predicted", "valgt", "-o", str(target), cwd=site)
    assert first.returncode == 0 and "Traceback" not in first.stderr and target.exists()
    assert "optællingerne mangler attributterne 'køn', 'aldersgruppe'" in first.stderr
    assert "Kolonner i " in first.stderr and "id, koen, alder, valgt" in first.stderr
    command = next(line.strip() for line in first.stderr.splitlines() if line.strip().startswith("dataetik aggregate"))
    assert "--attribute køn=koen --attribute aldersgruppe=alder --bands aldersgruppe=0-17,18-29,30-49,50-" in command
    assert command.endswith("--force")
    again = dataetik(*shlex.split(command)[1:], cwd=site)
    assert again.returncode == 0, again.stderr
    assert set(read_counts(target, 5, ("køn", "aldersgruppe")).attributes) == {"køn", "aldersgruppe"}
    target.unlink()


def test_aggregate_suggests_the_column_closest_to_a_name_that_does_not_exist(site, extract):
    target = site / "projects/demo/biastest.csv"
    wrong = dataetik("aggregate", str(extract), "--attribute", "køn", "--predicted", "valgt", "-o", str(target), cwd=site)
    assert wrong.returncode == 2 and not target.exists() and "Traceback" not in wrong.stderr
    assert "kolonnen 'køn' findes ikke. Kolonnerne er: id, koen, alder, valgt." in wrong.stderr
    assert "Mente du 'koen'? Så skriv --attribute køn=koen." in wrong.stderr


@pytest.mark.parametrize("content, args, message", [
    ("id,koen,alder,valgt\n1,mand,40,1\n2,kvinde,41,0,9\n", [], "rows.csv:3: linjen har 5 felter, men overskriftslinjen har 4."),
    ("id,koen,alder,valgt\n1,mand,40,1\n2,kvinde,fyrre,0\n", [], "rows.csv:3: kolonne 'alder': værdien 'fyrre' er ikke et helt tal"),
    ("id,koen,alder,valgt\n1,mand,40,1\n2,kvinde,12,0\n", [], "rows.csv:3: kolonne 'alder': værdien 12 ligger ikke i nogen af intervallerne 18-29, 30+."),
    ("id,koen,alder,valgt\n1,mand,40,ja\n", [], "rows.csv:2: kolonne 'valgt': værdien 'ja' er ikke 0 eller 1."),
    (b"id,koen,alder,valgt\n1,m\xf8nd,40,1\n", [], "rows.csv:2: filen er ikke gemt som UTF-8."),
    ("id,koen,alder,valgt\n1,mand,40,1\n", ["--bands", "aldersgruppe=18-29,40-"], "intervallet '40-' følger ikke efter"),
], ids=["extra-field", "age-not-a-number", "age-in-no-band", "not-binary", "not-utf8", "bands-with-a-gap"])
def test_aggregate_refuses_a_bad_extract_with_file_and_line_and_writes_nothing(site, tmp_path, content, args, message):
    rows = tmp_path / "rows.csv"
    rows.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    target = site / "projects/demo/bad.csv"
    bad = dataetik("aggregate", str(rows), "--attribute", "køn=koen", "--attribute", "aldersgruppe=alder",
                   "--bands", "aldersgruppe=18-29,30-", *args, "--predicted", "valgt", "-o", str(target), cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith("Fejl: ") and message in bad.stderr
    assert not target.exists()


def test_aggregate_reads_a_semicolon_separated_file_as_a_danish_spreadsheet_saves_it(site, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("id;koen;valgt\n" + "".join(f"{i};{'kvinde' if i % 2 else 'mand'};{i % 3 == 0:d}\n" for i in range(60)),
                    encoding="utf-8-sig")
    target = tmp_path / "counts.csv"
    done = dataetik("aggregate", str(rows), "--attribute", "køn=koen", "--predicted", "valgt", "--min-cell", "5",
                    "-o", str(target), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert read_counts(target, 5).attributes["køn"]["mand"].n == 30


# --- IDs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, code", [
    ("Tidlig indsats for udsatte børn", "TIDLIG_INDSATS_UDSATTE"),  # not PRJ_TIDLIG; 'for' is a small word
    ("Ruteplanlægning i hjemmeplejen", "RUTEPLANLAEGNING"),         # the next word would pass 24 characters
    ("Æblehøst på Østerbro", "AEBLEHOEST_OESTERBRO"),                 # æ, ø, å spelled out, never garbage
    ("Tværfaglig deltagelse", "TVAERFAGLIG_DELTAGELSE"),
    ("2027 pilot", "P2027_PILOT"),
])
def test_ids_are_made_of_whole_meaningful_words(name, code):
    from dataetik import i18n
    from dataetik.scaffold import project_code, slugify

    i18n.use("da")
    assert project_code(name, set()) == code
    assert project_code(name, {f"PRJ_{code}"}) == f"{code}_2"
    words = set(slugify(name).upper().replace("-", "_").split("_"))
    assert set(code.removeprefix("P").split("_")) - {""} <= words | {"P2027"}


def test_evidence_ids_keep_the_kinds_words_whole():
    """The evidence kind 'tværfaglig deltagelse' once became EV_..._TVA_RFAGLIG_DELTAGEL."""
    from dataetik import i18n
    from dataetik.needs_data import Needs
    from dataetik.policy import Policy
    from dataetik.scaffold import NewProject, project_page
    from dataetik.vocabulary import Vocabulary

    i18n.use("da")
    req = {"id": "R_A", "type": "requirement", "title": "R_A", "content": "Krav.", "applies_risk": "lav",
           "answered_by": "dokumentation", "evidence_kind": "tværfaglig deltagelse"}
    vocab = Vocabulary(risk_levels=("lav",), answers={"dokumentation": "evidence"},
                       evidence_kinds=("tværfaglig deltagelse",), statuses={"planlagt": "planned"})
    page = project_page(Policy.from_needs(Needs(by_id={"R_A": req}), vocab), NewProject("Test", "Afd", "lav", {}),
                        "TIDLIG_INDSATS")
    assert ":id: EV_TIDLIG_INDSATS_TVAERFAGLIG_DELTAGELSE" in page


def test_new_writes_ids_of_whole_words_for_a_long_danish_name(site):
    name = "Tidlig opsporing af trivselsproblemer hos børn og unge på skolerne"
    new = dataetik("new", name, "--forvaltning", "Børne- og Kulturforvaltningen", "--risiko", "lav",
                   "--ikke-interaktiv", "--site", str(site), cwd=site)
    assert new.returncode == 0, new.stderr
    page = site / new.stdout.split()[1]
    assert page.parent.name == "tidlig-opsporing-af-trivselsproblemer-hos-boern-og-unge-paa"  # 60 characters, whole words
    ids = re.findall(r"^:id: (\S+)$", page.read_text(encoding="utf-8"), re.M)
    assert "PRJ_TIDLIG_OPSPORING" in ids
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]+", i) for i in ids)
    page.unlink()
    page.parent.rmdir()


# --- the questionnaire -----------------------------------------------------------------------


def _interview(site, risk=None):
    from dataetik import new_cmd

    policy = new_cmd.load_policy(site)
    asked, said = [], []

    def prompt(question):
        asked.append(question)
        if "navn" in question:
            return "Sorteringsmodel test"
        if "Forvaltning" in question:
            return "Borgerservice"
        return "ja" if "maskinlæring" in question else "nej"

    new = new_cmd.interview(policy, prompt, said.append, None, None, risk, {})
    return policy, new, asked, said


def test_the_questionnaire_asks_each_trait_once_and_shows_why_and_an_example(site):
    """The mistake that was: 'ny teknologi' asked as a trait and again, in other words, as a risk
    criterion. Now the criterion answers the trait."""
    policy, new, asked, said = _interview(site)
    questions = [q for q in asked if "navn" not in q and "Forvaltning" not in q]
    trait_questions = {t.question for t in policy.vocabulary.traits}
    assert not any(q.startswith("Bruger projektet ny teknologi") for q in questions)
    assert len(questions) == len(set(questions))
    # Every other trait once, and every criterion once.
    assert len(questions) == (len(trait_questions) - 1) + len(policy.needs.of_type("criterion"))
    assert new.traits["new_technology"] == "ja" and new.risk == "middel" and new.criteria == ["K_NY_TEKNOLOGI"]
    assert "   Hvorfor vi spørger: Ny teknologi er svær at kontrollere." in said
    assert "   Eksempel: Ja: en maskinlæringsmodel. Nej: et regneark." in said


def test_with_the_risk_profile_given_the_trait_is_asked_on_its_own(site):
    """Control: no questionnaire runs, so the trait is asked as a trait (once)."""
    policy, new, asked, _said = _interview(site, risk="lav")
    assert sum(q.startswith("Bruger projektet ny teknologi") for q in asked) == 1
    assert new.risk == "lav" and new.criteria == []


def test_every_risk_criterion_of_the_policy_says_why_and_gives_an_example():
    """The live policy's criteria (policy/risk.md) carry both, in Danish; and each of its traits that a
    criterion asks about is set by that criterion, so `dataetik new` asks it once."""
    text = (REPO / "policy/risk.md").read_text(encoding="utf-8")
    blocks = re.findall(r":::\{criterion\}.*?\n:::", text, re.S)
    assert len(blocks) >= 7
    for block in blocks:
        assert re.search(r"^:why: \S.{20,}", block, re.M) and re.search(r"^:example: Ja: .+ Nej: .+", block, re.M), block
    sets = {m for block in blocks for m in re.findall(r"^:sets: (.+)$", block, re.M)}
    assert sets == {"ny teknologi", "ny sammenstilling", "eksterne partnere"}
