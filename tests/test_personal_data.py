"""Personal data anywhere in the site's folder: CPR numbers, and private persons' e-mail addresses
and phone numbers, reported masked with file, line and project; the organisation's published
contacts (declared by the policy) and look-alikes (journal and case numbers, dates, counts, IDs,
URLs) pass. On the tiny fixture site, end to end through the build, `dataetik check` and the
rules, plus the scanner alone for the many look-alikes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sitebuild import REPO, build, copy_site

from dataetik.i18n import _
from dataetik.rules import all_cases
from dataetik.rules.personal_data import phone_digits, scan_text
from dataetik.site_files import EXCLUDE_PATTERNS
from dataetik.vocabulary import VocabularyError, load_site

DEMO = "projects/demo/index.md"
CONTACTS = ('\n[contact]\nname = "Borgerservice"\nemail = "borgerservice@example.dk"\n'
            '\n[settings]\npublic_contacts = ["dpo@example.dk", "39 57 50 00"]\n')
EMAILS = frozenset({"borgerservice@example.dk", "dpo@example.dk"})
PHONES = frozenset({"39575000"})


def hits(text: str, counts: bool = False) -> list[tuple[int, str, str]]:
    return [(h.line, h.kind, h.masked) for h in scan_text(text, "f.md", EMAILS, PHONES, counts=counts)]


# --- the scanner alone: what is personal data, and what only looks like it --------------------------

@pytest.mark.parametrize("text, kind, masked", [
    ("Borger: 010190-1234", "cpr", "01****-***4"),
    ("Borger: 311285–4321 (Word's dash)", "cpr", "31****-***1"),
    ("Borgeren, 010190 1234, ringede", "cpr", "01****-***4"),
    ("cpr 2902881234.", "cpr", "29****-***4"),  # 29 February: the century is unknown
    ("https://sag.example.dk/vis?cpr=010190-1234", "cpr", "01****-***4"),
    ("Skriv til jens.hansen@example.dk", "email", "j***@example.dk"),
    ("<mailto:Ole.Ø@kommune.dk>", "email", "O***@kommune.dk"),
    ("Ring på 22 33 44 55", "phone", "22 ** ** *5"),
    ("mobil 22334455.", "phone", "22 ** ** *5"),
    ("tlf. 2233 4455", "phone", "22 ** ** *5"),
    ("tlf. +45 22 33 44 55", "phone", "+45 22 ** ** *5"),
    ("tlf. 0045 22334455", "phone", "+45 22 ** ** *5"),
    ("tlf. +4522334455", "phone", "+45 22 ** ** *5"),
], ids=["cpr-dash", "cpr-en-dash", "cpr-space", "cpr-leap-day", "cpr-in-url", "email", "email-unicode",
        "phone-pairs", "phone-together", "phone-fours", "phone-plus45", "phone-0045", "phone-plus45-together"])
def test_personal_data_is_found_and_masked(text, kind, masked):
    assert hits(text) == [(1, kind, masked)]
    raw = "".join(c for c in text if c.isdigit()) if kind != "email" else text.split()[-1]
    assert raw not in masked


@pytest.mark.parametrize("text", [
    "Journalnummer 27.00.00-G01-1-23 og 00.01.00-A00-12-24",
    "Sag 25/00001, sag 2501/251234, sag S2023-12345678, sag 2023-123456",
    "Datoer: 01.02.2023, 2023-02-01, 20230201, 01022023, 31122023, 1. februar 2023",
    "ISO-tid 2023-02-01T10:15:30Z og år 2023 2024",
    "Kommunen: 39 57 50 00, +45 39 57 50 00, 39575000, 3957 5000",  # published
    "Skriv til borgerservice@example.dk, DPO@example.dk eller <dpo@example.dk>",  # published, any case
    "C_DEMO_22334455, PRJ_0101901234, R_22 og BT_X",  # need IDs
    "sphinx 9.1.0, version 22.33.44.55, python 3.11.4",
    "https://www.retsinformation.dk/eli/lta/2018/502 og https://doi.org/10.1000/22334455 og www.x.dk/0101901234",
    "beløb 25000000 kr., 1.234.567.890 kr., 12.345.678 kr., 25 000 000 kr.",
    "CVR 29189757, CVR-nr.: 62761113, SE-nr. 22334455",
    "010190,1234",  # two cells of a table, not one number
    "1234567890 og 3102901234 og 0113901234",  # not a day of a month: 12/34, 31/02, a 13th month
    "Postnummer 2860 Søborg, Rådhus Allé 7",
    "10:30-12:00, 1.000-2.000 borgere, 2-3 uger",
], ids=["journal", "case", "dates", "iso-and-years", "public-phone", "public-email", "need-ids", "versions", "urls",
        "amounts", "company-numbers", "table-cells", "not-a-date", "address", "ranges"])
def test_look_alikes_are_not_personal_data(text):
    assert hits(text) == []


def test_a_count_in_a_counts_file_is_not_a_phone_number():
    table = "attribute,group,actual,predicted,count\nkøn,kvinde,,,23456789\nkøn,mand,,,22334455\n"
    assert hits(table, counts=True) == []
    assert hits(table, counts=False) == [(2, "phone", "23 ** ** *9"), (3, "phone", "22 ** ** *5")]


def test_every_hit_is_on_its_own_line():
    text = "Intet her.\n\nBorger 010190-1234 ringede\nfra 22 33 44 55 og skrev fra a@b.dk.\n"
    assert hits(text) == [(3, "cpr", "01****-***4"), (4, "phone", "22 ** ** *5"), (4, "email", "a***@b.dk")]


def test_a_published_number_is_the_same_number_however_it_is_written():
    assert {phone_digits(n) for n in ("39 57 50 00", "+45 39 57 50 00", "0045 39575000", "3957-5000")} == {"39575000"}


# --- the policy declares its published contacts -------------------------------------------------

def test_public_contacts_are_read_and_add_up_with_the_contact_email(tmp_path):
    site = copy_site("tiny", tmp_path / "site", {"policy/policy.toml": ("", CONTACTS)})
    vocab = load_site(site, EXCLUDE_PATTERNS)
    assert vocab.settings["public_contacts"] == ["dpo@example.dk", "39 57 50 00"]
    assert vocab.contact.email == "borgerservice@example.dk"


@pytest.mark.parametrize("value", ['"dpo@example.dk"', '["ring til os"]', '["@"]'], ids=["not-a-list", "words", "at-sign"])
def test_a_public_contact_that_is_neither_address_nor_number_is_refused_with_its_line(tmp_path, value):
    site = copy_site("tiny", tmp_path / "site", {"policy/policy.toml": ("", f"\n[settings]\npublic_contacts = {value}\n")})
    with pytest.raises(VocabularyError) as err:
        load_site(site, EXCLUDE_PATTERNS)
    lines = (site / "policy/policy.toml").read_text(encoding="utf-8").splitlines()
    assert lines[err.value.line - 1].startswith("public_contacts")


# --- end to end on a site: every kind of file, every folder ----------------------------------------

LEAKS = {
    # A policy page, a guide, a consideration, an evidence's field, a note, data files beside a page.
    "policy/index.md": ("Vi er åbne om brugen af data.", "Vi er åbne om brugen af data. Spørg Jens på 22 33 44 55."),
    "docs/vejledning.md": ("", "# Vejledning\n\nEksempel: borgeren 010190-1234 skrev fra jens@example.dk.\n"),
    DEMO: ("Data ligger i kommunens eget system", "Sagsbehandler ole.hansen@example.dk siger: data ligger i kommunens eget system"),
    "projects/demo/noter.txt": ("", "Noter\nBorger: 311285–4321\n"),
    "projects/demo/bilag/kontakter.yaml": ("", "kontakt:\n  navn: Ole\n  telefon: \"+45 87 65 43 21\"\n"),
    "projects/demo/bilag/indstillinger.toml": ("", "[kontakt]\nemail = \"ole@example.dk\"\n"),
    "projects/demo/bilag/liste.csv": ("", "navn,cpr\nOle,0101901234\n"),
}
RAW = ["22 33 44 55", "010190-1234", "jens@example.dk", "ole.hansen@example.dk", "311285–4321", "+45 87 65 43 21",
       "ole@example.dk", "0101901234"]


@pytest.fixture(scope="module")
def leaky(tmp_path_factory):
    site = copy_site("tiny", tmp_path_factory.mktemp("personal") / "site", LEAKS)
    # A file that is not text (an image, a PDF) is skipped: not read as text, not a crash.
    (site / "projects/demo/bilag/foto.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR 0101901234 22334455")
    return build(site)


def found(built, rule: str) -> list[tuple[str, int, str, str]]:
    return [(f.file, f.line, f.project, f.problem) for c in all_cases(built.policy) if c.rule == rule for f in c.run()]


def test_cpr_numbers_anywhere_in_the_site_are_found_masked(leaky):
    said = _("The line contains what looks like a CPR number ({masked}).")
    assert found(leaky, "cpr_numbers") == [
        ("docs/vejledning.md", 3, "", said.format(masked="01****-***4")),
        ("projects/demo/bilag/liste.csv", 2, "PRJ_DEMO", said.format(masked="01****-***4")),
        ("projects/demo/noter.txt", 2, "PRJ_DEMO", said.format(masked="31****-***1")),
    ]


def test_private_addresses_and_numbers_anywhere_in_the_site_are_found_masked(leaky):
    email = _("The line contains an e-mail address ({masked}) that is not one of the organisation's published contacts.")
    phone = _("The line contains what looks like a phone number ({masked}) that is not one of the organisation's "
              "published contacts.")
    line = next(n for n, text in enumerate((leaky.root / DEMO).read_text(encoding="utf-8").splitlines(), 1)
                if "ole.hansen" in text)
    assert found(leaky, "contact_details") == [
        ("docs/vejledning.md", 3, "", email.format(masked="j***@example.dk")),
        ("policy/index.md", 6, "", phone.format(masked="22 ** ** *5")),
        ("projects/demo/bilag/indstillinger.toml", 2, "PRJ_DEMO", email.format(masked="o***@example.dk")),
        ("projects/demo/bilag/kontakter.yaml", 3, "PRJ_DEMO", phone.format(masked="+45 87 ** ** *1")),
        (DEMO, line, "PRJ_DEMO", email.format(masked="o***@example.dk")),
    ]


def test_the_check_fails_says_where_and_never_repeats_the_data(leaky):
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"} | {"PYTHONPATH": str(REPO)}
    check = subprocess.run([sys.executable, "-m", "dataetik.cli", "check"], capture_output=True, text=True,
                           cwd=leaky.root, env=env)
    assert check.returncode == 1 and "Traceback" not in check.stdout + check.stderr
    for where in ("docs/vejledning.md:3", "projects/demo/noter.txt:2", "projects/demo/bilag/kontakter.yaml:3"):
        assert where in check.stdout
    assert "01****-***4" in check.stdout and "+45 87 ** ** *1" in check.stdout
    leaked = [raw for raw in RAW if raw in check.stdout]
    assert leaked == []
    junit = (leaky.root / "_build" / "checks.xml")
    assert not junit.exists() or not [raw for raw in RAW if raw in junit.read_text(encoding="utf-8")]


def test_published_contacts_and_look_alikes_pass_on_a_site(tmp_path):
    """Control: the organisation's own contacts, declared by the policy, on a page and in a
    consideration; case numbers, dates and counts in a file beside it."""
    built = build(copy_site("tiny", tmp_path / "site", {
        "policy/policy.toml": ("", CONTACTS),
        "policy/index.md": ("Vi er åbne om brugen af data.",
                            "Vi er åbne om brugen af data. Skriv til borgerservice@example.dk eller ring på "
                            "+45 39 57 50 00; databeskyttelsesrådgiveren: dpo@example.dk."),
        DEMO: ("Data ligger i kommunens eget system",
               "Jf. sag 27.00.00-G01-1-23 (2023-02-01) ligger data i kommunens eget system"),
        "projects/demo/noter.txt": ("", "Sag 2501/251234 af 01.02.2023, CVR 29189757, 25000000 kr.\n"),
    }))
    assert found(built, "cpr_numbers") == [] and found(built, "contact_details") == []
