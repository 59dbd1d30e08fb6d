"""`dataetik new` and `dataetik check`, driven end to end in a copy of the repository."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sitebuild import REPO

from dataetik.scaffold import filled_in

SKIP = {".git", ".venv", "_build", ".pytest_cache", "__pycache__"}
NAME = "Ruteplanlægning i hjemmeplejen test"
SLUG = "ruteplanlaegning-i-hjemmeplejen-test"
REASON = (
    "Vi har gennemgået kravet sammen med fagpersoner fra hjemmeplejen og en jurist. Systemet får kun de "
    "oplysninger, ruten kræver, og vi har skrevet ned, hvad vi har fravalgt og hvorfor. Vurderingen tages op "
    "igen, hvis data, leverandør eller formål ændrer sig."
)
COUNTS = "attribute,group,actual,predicted,count\n" + "".join(
    f"{a},{g},,{p},{n}\n"
    for a, groups in {"køn": ["kvinde", "mand"], "aldersgruppe": ["under 80", "80 og derover"]}.items()
    for g in groups
    for p, n in ((1, 410), (0, 90))
)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("repo") / "site"
    shutil.copytree(REPO, dest, ignore=lambda _, names: [n for n in names if n in SKIP])
    return dest


def dataetik(repo: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dataetik.cli", *args, "--site", str(repo)],
        capture_output=True, text=True, input=stdin, cwd=repo,
    )


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and not SKIP.intersection(p.relative_to(root).parts)
    }


def test_new_then_check_lists_placeholders_then_filled_in_passes(repo):
    before = snapshot(repo)
    new = dataetik(repo, "new", NAME, "--forvaltning", "Ældre og Sundhed", "--risiko", "lav", "--indkoebt")
    assert new.returncode == 0, new.stderr
    assert new.stdout.startswith(f"Oprettet: projects/{SLUG}/index.md")
    after = snapshot(repo)
    assert {k for k in after if after[k] != before.get(k)} == {f"projects/{SLUG}/index.md"}

    check = dataetik(repo, "check")
    assert check.returncode == 1
    page = f"projects/{SLUG}/index.md"
    assert "PRJ_RUTEPLANLAEGNING – " in check.stdout
    assert "R_EKSTERNE_PARTNERE: Overvejelsen C_RUTEPLANLAEGNING_EKSTERNE_PARTNERE indeholder pladsholderen 'UDFYLDES'." in check.stdout
    assert "har stadig pladsholderen 'UDFYLDES' i feltet 'legal_basis'" in check.stdout
    assert f"  {page}:" in check.stdout
    assert (repo / "_build" / "checks.xml").exists()

    path = repo / page
    path.write_text(filled_in(path.read_text(encoding="utf-8"), REASON, "2025-06-01", "2025-09-01"), encoding="utf-8")
    (path.parent / "biastest.csv").write_text(COUNTS, encoding="utf-8")
    check = dataetik(repo, "check")
    assert check.returncode == 0, check.stdout
    assert "kontroller bestået" in check.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["!!!", "--forvaltning", "X", "--risiko", "lav"], "Projektnavnet '!!!' kan ikke bruges"),
        (["Noget nyt", "--forvaltning", "X", "--risiko", "ekstrem"], "Risikoprofilen 'ekstrem' findes ikke. Vælg en af: lav, middel, høj"),
        (["Noget nyt", "--forvaltning", " ", "--risiko", "lav"], "Angiv den forvaltning eller afdeling"),
        (["Noget nyt"], "Der mangler oplysninger, og der er ingen terminal at spørge i."),
    ],
    ids=["bad-name", "unknown-risk", "no-department", "no-terminal"],
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
               "sårbar": "ja"}
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
    assert "% - K_SAARBARE Sårbare borgere: ja" in text
    shutil.rmtree(page.parent)
