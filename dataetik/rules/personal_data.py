"""Personal data anywhere in the site's folder: a CPR number, or a private person's e-mail address
or phone number, on any page (policy, guides, projects) or in any text file beside them (CSV,
YAML, TOML, text). The site and its repository are public.

The organisation's own published contacts are not personal data: the policy declares them
(``[contact] email``, and ``public_contacts`` under ``[settings]``). A hit is reported masked
(``12****-***4``, ``j***@example.dk``), so that the report does not spread what it found.

Look-alikes are not hits: a journal or case number (27.00.00-G01-1-23, 2501/251234, 2023-12345678),
a date (01.02.2023, 2023-02-01, 20230201), a need ID, a version, a number in a URL, a count in a
bias test's counts file, a round amount (25000000).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from dataetik.biastest.counts import COLUMNS
from dataetik.findings import Finding
from dataetik.i18n import N_, _
from dataetik.policy import Policy
from dataetik.rules import rule
from dataetik.rules.memo import per_file, relative, site_paths
from dataetik.site_files import EXCLUDE_PATTERNS

# The tools beside the site (their tests hold made-up CPR numbers on purpose); a README in the
# site's folders is not a page, but it is in the public repository, so it is read.
TOOLS = [p for p in EXCLUDE_PATTERNS if "README" not in p]
# A file is text unless its first bytes hold a NUL (git's test): an image, a PDF, a spreadsheet.
SNIFF = 8192

# A Danish CPR number: DDMMÅÅ, an optional dash (Word turns '-' into '–') or space, four digits.
# Not part of a longer number such as 1.234.567.890 or 2501/251234 (a sentence may end right after it).
_CPR = re.compile(r"(?<![\w+])(?<!\d[.,/:-])(\d{2})(\d{2})\d{2}[-–— ]?\d{4}(?!\w|[.,/:-]\d)")
# In a URL a bare run of ten digits is an ID; only the written form with a dash is a CPR number.
_CPR_IN_URL = re.compile(r"(?<![\w+])(?<!\d[.,/:-])(\d{2})(\d{2})\d{2}[-–—]\d{4}(?!\w|[.,/:-]\d)")
_EMAIL = re.compile(r"(?<![\w.%+-])([\w.%+-]+)@([\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,})(?![\w-])")
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>()\[\]\"'`]+", re.IGNORECASE)
# Where a CPR or phone number may stand: eight digits or more, with separators (tried first, being fast).
_DIGIT_RUN = re.compile(r"[+\d][-–—\d \u00a0]{7,}")
# A Danish phone number: eight digits, the first 2-9, written together, in pairs or in fours, after
# an optional +45 / 0045. Not part of a longer number, an ID or a date (01.02.2023, 2023-02-01).
_SPACE = r"[ \u00a0]"
_PHONE = re.compile(
    rf"(?<![\w+])(?<!\d[.,/:-])(?P<cc>(?:\+|00)45{_SPACE}?)?"
    rf"(?P<number>[2-9]\d(?:{_SPACE}?\d\d){{3}}|[2-9]\d{{3}}{_SPACE}\d{{4}})(?!\w|[.,/:-]\d)")
# An eight-digit company number (CVR, SE) is the register's, and is said with its name.
_COMPANY_NUMBER = re.compile(r"(?:\b(?:CVR|SE)(?:-?nr\.?|-?nummer)?\.?:?\s*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    kind: str       # "cpr", "email", "phone"
    file: str       # relative to the site, '/'-separated
    line: int
    masked: str


def _real_day(day: str, month: str) -> bool:
    """A real day of a real month (29 February too: the century is unknown)."""
    try:
        dt.date(2000, int(month), int(day))
    except ValueError:
        return False
    return True


def mask_cpr(written: str) -> str:
    digits = re.sub(r"\D", "", written)
    return f"{digits[:2]}****-***{digits[-1]}"


def mask_email(local: str, domain: str) -> str:
    return f"{local[0]}***@{domain}"


def mask_phone(written: str, country_code: bool) -> str:
    digits = re.sub(r"\D", "", written)[-8:]
    return ("+45 " if country_code else "") + f"{digits[:2]} ** ** *{digits[-1]}"


def phone_digits(written: str) -> str:
    """A Danish number as its eight digits, however written (+45 39 57 50 00 -> 39575000)."""
    digits = re.sub(r"\D", "", written)
    return digits[-8:] if len(digits) > 8 and digits[:-8] in ("45", "0045") else digits


def _a_date(digits: str) -> bool:
    """20230201 or 01022023: a date written without separators."""
    for year, month, day in ((digits[:4], digits[4:6], digits[6:]), (digits[4:], digits[2:4], digits[:2])):
        if 1900 <= int(year) <= 2099 and _real_day(day, month):
            return True
    return False


def _not_a_phone(number: str, text: str, start: int, counts: bool) -> bool:
    """What an eight-digit number is more likely to be than a phone number."""
    digits = re.sub(r"\D", "", number)
    if digits == number:  # written together
        if counts or _a_date(digits) or digits.endswith("00000"):
            return True  # a count in a counts file; a date; a round amount
    elif len(number.split()) == 2 and all(1900 <= int(half) <= 2099 for half in number.split()):
        return True  # two years: "2023 2024"
    return bool(_COMPANY_NUMBER.search(text, max(0, start - 20), start))


class _Lines:
    """Line numbers of positions in a text, counted once as the scan moves on."""

    def __init__(self, text: str):
        self.text, self.pos, self.line = text, 0, 1

    def at(self, pos: int) -> int:
        if pos < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the spans overwritten by spaces: positions (and lines) stay where they are."""
    parts, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        parts += [text[last:start], " " * (end - start)]
        last = end
    return "".join(parts) + text[last:]


def _url_spans(text: str) -> list[tuple[int, int]]:
    """Where URLs stand (found from their '://' or 'www.': a regular expression tried at every
    position of a 20 MB page would take seconds)."""
    spans = []
    for marker in ("://", "www.", "WWW."):
        at = text.find(marker)
        while at != -1:
            start = at
            while marker == "://" and start > 0 and text[start - 1].isalpha():
                start -= 1  # the scheme
            found = _URL.match(text, start)
            spans += [found.span()] if found else []
            at = text.find(marker, found.end() if found else at + 1)
    return spans


def _emails(text: str) -> list[re.Match]:
    """Every e-mail address, found from its '@'."""
    found = []
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and at - start <= 64 and (text[start - 1].isalnum() or text[start - 1] in "._%+-"):
            start -= 1
        if address := _EMAIL.match(text, start):
            found.append(address)
        at = text.find("@", at + 1)
    return found


def _digit_runs(text: str) -> list[tuple[int, int]]:
    """Where runs of at least eight digits and separators stand: the only places a CPR or phone
    number can (the numbers' own patterns are tried only there, for the same reason as URLs)."""
    return [run.span() for run in _DIGIT_RUN.finditer(text)]


def _numbers(pattern: re.Pattern, text: str, runs: list[tuple[int, int]]) -> list[re.Match]:
    """The pattern's matches in the text's digit runs (`_digit_runs(text)`)."""
    found: dict[tuple[int, int], re.Match] = {}
    for start, end in runs:
        for match in pattern.finditer(text, start, min(len(text), end + 4)):
            found.setdefault(match.span(), match)
    return [found[span] for span in sorted(found)]


def scan_text(text: str, file: str, allowed_emails: frozenset[str], allowed_phones: frozenset[str],
              counts: bool = False) -> list[Hit]:
    """Every CPR number, e-mail address and phone number in a text, in the order they stand."""
    hits: list[tuple[int, str, str]] = []  # (position, kind, masked)
    urls = _url_spans(text)
    emails = _emails(text)
    hits += [(m.start(), "email", mask_email(m[1], m[2])) for m in emails if m[0].lower() not in allowed_emails]
    prose = _blank(text, urls + [m.span() for m in emails])
    runs = _digit_runs(prose)
    cprs = [m for m in _numbers(_CPR, prose, runs) if _real_day(m[1], m[2])]
    cprs += [m for start, end in urls for m in _CPR_IN_URL.finditer(text, start, end) if _real_day(m[1], m[2])]
    hits += [(m.start(), "cpr", mask_cpr(m[0])) for m in cprs]
    if cprs:  # the runs are found again only where blanking the CPR numbers changed the text
        prose = _blank(prose, [m.span() for m in cprs])
        runs = _digit_runs(prose)
    for m in _numbers(_PHONE, prose, runs):
        number = m["number"]
        if phone_digits(number) in allowed_phones or (not m["cc"] and _not_a_phone(number, prose, m.start(), counts)):
            continue
        hits.append((m.start(), "phone", mask_phone(m[0], bool(m["cc"]))))
    lines = _Lines(text)
    return [Hit(kind, file, lines.at(pos), masked) for pos, kind, masked in sorted(hits)]


# fnmatch's patterns as one expression, compiled once (not matched pattern by pattern for every file)
_TOOL = re.compile("|".join(f"(?:{fnmatch.translate(os.path.normcase(p))})" for p in TOOLS) or r"(?!)")


def is_tool(relative: str) -> bool:
    first = relative.split("/")[0]
    return bool(_TOOL.match(os.path.normcase(first)) or _TOOL.match(os.path.normcase(relative)))


def read_text(path: Path) -> str | None:
    """A file's text; None if it is not text (binary) or cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:SNIFF]:
        return None
    return data.decode("utf-8", errors="replace")


def _counts_file(path: Path, text: str) -> bool:
    """A bias test's counts file (its header is the counts' columns): its numbers are counts."""
    if path.suffix.lower() not in (".csv", ".tsv"):
        return False
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    return sorted(h.strip() for h in re.split(r"[,;\t]", header)) == sorted(COLUMNS)


def allowed_contacts(policy: Policy) -> tuple[frozenset[str], frozenset[str]]:
    """The organisation's published e-mail addresses and phone numbers (as eight digits)."""
    vocab = policy.vocabulary
    declared = [*(vocab.settings.get("public_contacts") or []), *([vocab.contact.email] if vocab.contact else [])]
    emails = frozenset(c.strip().lower() for c in declared if "@" in c)
    phones = frozenset(phone_digits(c) for c in declared if "@" not in c)
    return emails, phones


def scan_site(policy: Policy) -> list[Hit]:
    """Every hit in the site's text files, scanned once for all the rules here."""
    cache = vars(policy)  # the policy is frozen; the scan is worked out once per check run
    if "_personal_data_hits" not in cache:
        allowed = allowed_contacts(policy)
        hits = []
        for path in site_paths(policy):
            file = relative(policy, path)
            if not is_tool(file):
                hits += per_file(policy, "personal_data", path, lambda p: scan_file(p, file, *allowed), allowed)
        cache["_personal_data_hits"] = hits
    return cache["_personal_data_hits"]


def scan_file(path: Path, relative: str, allowed_emails: frozenset[str], allowed_phones: frozenset[str]) -> list[Hit]:
    """The hits in one file of the site (none in a file that is not text)."""
    text = read_text(path)
    if text is None:
        return []
    return scan_text(text, relative, allowed_emails, allowed_phones, counts=_counts_file(path, text))


def project_of(policy: Policy, file: str) -> str:
    """The project whose folder holds the file, also in a folder below it (projects/x/bilag/...)."""
    folder = posixpath.dirname(file)
    while folder:
        project = policy.project_of_file(folder + "/index.md")
        if project:
            return project
        folder = posixpath.dirname(folder)
    return ""


def _policy_file(policy: Policy) -> str:
    info = policy.vocabulary.policies[0] if policy.vocabulary.policies else None
    root = policy.needs.srcdir
    return info.file.relative_to(root).as_posix() if info and root else "policy.toml"


def _finding(policy: Policy, hit: Hit, problem: str, fix: str) -> Finding:
    return Finding(rule="", file=hit.file, line=hit.line, problem=problem, fix=fix, project=project_of(policy, hit.file))


@rule("cpr_numbers", each="site",
      description=N_("No text file in the site's folder (pages of the policy, the guides and the projects; CSV, "
                     "YAML, TOML, text) contains anything that looks like a CPR number: the site and its repository "
                     "are public."))
def cpr_numbers(policy: Policy) -> list[Finding]:
    return [_finding(
        policy, hit,
        _("The line contains what looks like a CPR number ({masked}).").format(masked=hit.masked),
        _("Remove the CPR number: the site and its repository are public and must not name individual citizens. If "
          "the file has been committed, remove the number from the git history too. If the number is not a CPR "
          "number (e.g. a case number), write it with a slash or a full stop, e.g. 2501/251234."))
        for hit in scan_site(policy) if hit.kind == "cpr"]


@rule("contact_details", each="site",
      description=N_("No text file in the site's folder contains a private person's e-mail address or phone number: "
                     "only the organisation's published contacts – the policy's [contact] e-mail and the addresses "
                     "and numbers it lists in public_contacts under [settings]."))
def contact_details(policy: Policy) -> list[Finding]:
    settings = _policy_file(policy)
    found = []
    for hit in scan_site(policy):
        if hit.kind == "email":
            found.append(_finding(
                policy, hit,
                _("The line contains an e-mail address ({masked}) that is not one of the organisation's published "
                  "contacts.").format(masked=hit.masked),
                _("Remove a private person's address: the site and its repository are public (write the role "
                  "instead, e.g. 'the project manager'). If it is a published address of the organisation, add it to "
                  "public_contacts under [settings] in {file}.").format(file=settings)))
        elif hit.kind == "phone":
            found.append(_finding(
                policy, hit,
                _("The line contains what looks like a phone number ({masked}) that is not one of the organisation's "
                  "published contacts.").format(masked=hit.masked),
                _("Remove a private person's number: the site and its repository are public. If it is a published "
                  "number of the organisation, add it to public_contacts under [settings] in {file}. If it is not a "
                  "phone number, write it as what it is: a case number with its prefix or slashes (e.g. "
                  "S2023-12345678), a company number after 'CVR', an amount with full stops (12.345.678).").format(
                    file=settings)))
    return found
