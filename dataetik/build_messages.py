"""Sphinx build warnings as findings an author can act on, in Danish.

sphinx-needs reports structural errors (bad values, unknown links, bad IDs) in
English; the common ones are translated here with a concrete fix, the rest are
passed on as they are, still with their file and line.
"""

from __future__ import annotations

import difflib
import re

from dataetik import model
from dataetik.findings import Finding
from dataetik.vocabulary import Vocabulary

# "file:line: WARNING: msg", "file: WARNING: msg" or, for the whole site (e.g. configuration), "WARNING: msg".
_HEAD = re.compile(r"^(?:(?P<file>[^\s:][^:]*?):(?P<line>\d+)?:? ?)?(?P<level>WARNING|ERROR|CRITICAL): (?P<msg>.*)$")

_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes, e.g. when CI sets FORCE_COLOR
_TYPE = re.compile(r"\[([\w.]+)\]$")  # Sphinx ends a message with its type: [dataetik.biastest]
_BIAS_TEST = re.compile(r"Bias-testen (\S+):")  # dataetik.biastest.sphinx names the test first

# (pattern over the whole message, problem template, fix)
_KNOWN = [
    (re.compile(r'Field:\s+(?P<field>\S+).*?Schema message:\s+"(?P<value>[^"]*)" is not one of (?P<allowed>.+?) \[', re.S),
     "Feltet '{field}' har værdien '{value}', som ikke er tilladt.",
     "Brug en af de tilladte værdier: {allowed}."),
    (re.compile(r'Field:\s+(?P<field>\S+).*?Schema message:\s+"(?P<value>[^"]*)" does not match .*?\\d\{4\}', re.S),
     "Feltet '{field}' har værdien '{value}', som ikke er en dato.",
     "Skriv datoen som ÅÅÅÅ-MM-DD, fx 2025-03-01."),
    (re.compile(r'Need \'(?P<need>[^\']+)\' has schema violations.*?Schema message:\s+"(?P<field>[^"]+)" is a required property', re.S),
     "{need} mangler feltet '{field}'.",
     "Tilføj linjen ':{field}: ...' i elementet. Står den der allerede, så fjern tomme linjer mellem felterne "
     "øverst i elementet: alt efter den første tomme linje læses som tekst."),
    (re.compile(r"Need '(?P<need>[^']+)' has unknown outgoing link '(?P<target>[^']+)' in field '(?P<field>[^']+)'"),
     "{need} linker til '{target}' i feltet '{field}', men der findes intet element med det ID.",
     "Ret ID'et, så det peger på et element, der findes (krav står i kravlisten), eller fjern linket."),
    (re.compile(r"Need '(?P<need>[^']+)' link '(?P<target>[^']+)' in field '(?P<field>[^']+)': target need type '(?P<type>[^']+)' is not one of '(?P<allowed>[^']+)'"),
     "{need} linker i feltet '{field}' til '{target}', som er af typen '{type}'.",
     "Feltet '{field}' skal pege på et element af typen '{allowed}'."),
    (re.compile(r"Given ID '(?P<id>[^']+)' does not match configured regex"),
     "ID'et '{id}' har et ugyldigt format, så elementet blev ikke oprettet.",
     "Brug kun store bogstaver, tal og _, fx C_RUTER_BIASTEST."),
    (re.compile(r"A need with ID '?(?P<id>[A-Z0-9_]+)'? already exists \(defined at (?P<where>[^)]+)\)", re.I),
     "ID'et '{id}' bruges både her og i {where}, så elementet her blev ikke oprettet.",
     "Giv det element, der er kopieret, sit eget, nye ID (et kopieret projekt skal have nye ID'er overalt)."),
    (re.compile(r"A need with ID '?(?P<id>[A-Z0-9_]+)'? already exists", re.I),
     "ID'et '{id}' bruges allerede af et andet element.",
     "Giv elementet et nyt, unikt ID."),
    (re.compile(r"No ID defined, but 'needs_id_required'"),
     "Elementet har intet ':id:', så det blev ikke oprettet.",
     "Tilføj fx ':id: C_PROJEKT_EMNE' lige under elementets første linje (kun store bogstaver, tal og _)."),
    (re.compile(r"Unknown option '(?P<option>[^']+)' \[needs\."),
     "Feltet ':{option}:' findes ikke.",
     "{suggestion}Se feltreferencen for de felter, hver slags element har."),
    (re.compile(r"Unknown directive type: '(?P<directive>[^']+)'"),
     "'{directive}' er hverken en elementtype eller et kendt direktiv, så blokken blev ikke vist.",
     "{suggestion}Elementtyperne er: " + ", ".join(t["directive"] for t in model.NEED_TYPES) + "."),
    (re.compile(r"Non-consecutive header level increase; H(?P<above>\d) to H(?P<level>\d)"),
     "Overskriften springer et niveau over (fra niveau {above} til {level}).",
     "Giv overskriften ét # mere end overskriften over den, fx ## under #."),
]

_DIRECTIVES = [t["directive"] for t in model.NEED_TYPES]


def _suggestion(values: dict[str, str], vocab: Vocabulary) -> str:
    """'Mente du ':status:'? ' for a misspelt field or element type, when one is close."""
    if "option" in values:
        options = sorted({*model.FIELDS, *vocab.trait_fields, *model.NEED_LINKS, "id", "status", "tags"})
        close = difflib.get_close_matches(values["option"], options, n=1)
        return f"Mente du ':{close[0]}:'? " if close else ""
    close = difflib.get_close_matches(values.get("directive", ""), _DIRECTIVES, n=1)
    return f"Mente du '{close[0]}'? " if close else ""


def _allowed(field: str, vocab: Vocabulary) -> str | None:
    """The field's allowed values from the vocabulary, all of them
    (sphinx-needs shortens long lists to '... or 2 other candidates')."""
    schema = model.need_fields(vocab).get(field, {}).get("schema", {})
    values = schema.get("enum") or schema.get("items", {}).get("enum")
    if not values:
        return None
    quoted = [f'"{v}"' for v in values]
    return " eller ".join([", ".join(quoted[:-1]), quoted[-1]]) if len(quoted) > 1 else quoted[0]


def _translate(message: str, vocab: Vocabulary, located: bool = True) -> tuple[str, str]:
    for pattern, problem, fix in _KNOWN:
        match = pattern.search(message)
        if match:
            values = {k: v.replace(" or ", " eller ") for k, v in match.groupdict().items()}
            if "allowed" in values:
                values["allowed"] = _allowed(values.get("field", ""), vocab) or values["allowed"]
            if "where" in values:  # a docname ("projects/x/index:58") as the file an author opens
                values["where"] = re.sub(r"^([^:]+)", r"\1.md", values["where"])
            if "{suggestion}" in fix:
                values["suggestion"] = _suggestion(values, vocab)
            return problem.format(**values), fix.format(**values)
    first = message.strip().splitlines()[0]
    where = "i den nævnte fil og linje" if located else "i conf.py eller den udvidelse, meldingen nævner"
    return f"Bygget melder: {first}", f"Ret det, meldingen peger på, {where}."


def parse_warnings(stderr: str, vocab: Vocabulary, root: str = "") -> list[Finding]:
    """Group a Sphinx stderr into messages (a head line plus indented lines) and translate each.

    A finding keeps the warning's type ("dataetik.biastest") as its `source`, and a bias-test
    warning its test's ID as `need`, so a check that repeats it with more context can replace it."""
    blocks: list[tuple[re.Match, list[str]]] = []
    for line in _ANSI.sub("", stderr).splitlines():
        head = _HEAD.match(line)
        if head:
            blocks.append((head, [head.group("msg")]))
        elif blocks and (line.startswith(" ") or not line.strip()):
            blocks[-1][1].append(line)
    findings = []
    for head, lines in blocks:
        message = "\n".join(lines)
        source = _TYPE.search(message.rstrip())
        test = _BIAS_TEST.match(message)
        file = head.group("file") or ""
        if root and file.startswith(root):
            file = file[len(root):].lstrip("/")
        problem, fix = _translate(message, vocab, located=bool(file))
        line = int(head.group("line")) if head.group("line") else None
        findings.append(Finding(rule="build", file=file, line=line, problem=problem, fix=fix,
                                need=test.group(1) if test else "", source=source.group(1) if source else ""))
    return findings
