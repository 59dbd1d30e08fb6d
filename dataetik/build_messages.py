"""Sphinx build warnings as findings an author can act on, in the policy's language.

sphinx-needs reports structural errors (bad values, unknown links, bad IDs) in
English; the common ones are said here in the author's words with a concrete fix, the
rest are passed on as they are, still with their file and line.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from dataetik import model
from dataetik.biastest import test_head_pattern
from dataetik.findings import Finding, how_to_fix
from dataetik.i18n import N_, _, translated
from dataetik.needs_data import option_line
from dataetik.vocabulary import Vocabulary

# "file:line: WARNING: msg", "file: WARNING: msg" or, for the whole site (e.g. configuration), "WARNING: msg".
_HEAD = re.compile(r"^(?:(?P<file>[^\s:][^:]*?):(?P<line>\d+)?:? ?)?(?P<level>WARNING|ERROR|CRITICAL): (?P<msg>.*)$")

_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes, e.g. when CI sets FORCE_COLOR
_TYPE = re.compile(r"\[([\w.]+)\]$")  # Sphinx ends a message with its type: [dataetik.biastest]

# (pattern over the whole message, problem template, fix template): msgids, translated when used.
_KNOWN = [
    (re.compile(r'Field:\s+(?P<field>[^\s.]+)\S*.*?Schema message:\s+"(?P<value>[^"]*)" is not one of (?P<allowed>.+?) \[', re.S),
     N_("The field '{field}' has the value '{value}', which is not allowed."),
     N_("Use one of the allowed values: {allowed}.")),
    (re.compile(r'Field:\s+(?P<field>[^\s.]+)\S*.*?Schema message:\s+"(?P<value>[^"]*)" does not match .*?\\d\{4\}', re.S),
     N_("The field '{field}' has the value '{value}', which is not a date."),
     N_("Write the date as YYYY-MM-DD, e.g. 2025-03-01.")),
    (re.compile(r'Need \'(?P<need>[^\']+)\' has schema violations.*?Schema message:\s+"(?P<field>[^"]+)" is a required property', re.S),
     N_("{need} lacks the field '{field}'."),
     N_("Add the line ':{field}: ...' to the element. If it is already there, remove blank lines between the fields "
        "at the top of the element: everything after the first blank line is read as text.")),
    (re.compile(r"Need '(?P<need>[^']+)' has unknown outgoing link '(?P<target>[^']+)' in field '(?P<field>[^']+)'"),
     N_("{need} links to '{target}' in the field '{field}', but there is no element with that ID."),
     N_("Correct the ID so it points at an element that exists (requirements are in the list of requirements), or "
        "remove the link.")),
    (re.compile(r"Need '(?P<need>[^']+)' link '(?P<target>[^']+)' in field '(?P<field>[^']+)': target need type '(?P<type>[^']+)' is not one of '(?P<allowed>[^']+)'"),
     N_("{need} links in the field '{field}' to '{target}', which is of the type '{type}'."),
     N_("The field '{field}' must point at an element of the type '{allowed}'.")),
    (re.compile(r"Given ID '(?P<id>[^']+)' does not match configured regex"),
     N_("The ID '{id}' has an invalid format, so the element was not created."),
     N_("Use only capital letters, digits and _, e.g. C_RUTER_BIASTEST.")),
    (re.compile(r"A need with ID '?(?P<id>[A-Z0-9_]+)'? already exists \(defined at (?P<where>[^)]+)\)", re.I),
     N_("The ID '{id}' is used both here and in {where}, so the element here was not created. Other messages (e.g. "
        "that a consideration is missing) may follow from this one."),
     N_("Give the element that was copied a new ID of its own (a copied project needs new IDs everywhere), and run "
        "the check again before you add anything the other messages ask for.")),
    (re.compile(r"A need with ID '?(?P<id>[A-Z0-9_]+)'? already exists", re.I),
     N_("The ID '{id}' is already used by another element, so the element here was not created. Other messages "
        "(e.g. that a consideration is missing) may follow from this one."),
     N_("Give the element a new, unique ID, and run the check again before you add anything the other messages ask "
        "for.")),
    (re.compile(r"No ID defined, but 'needs_id_required'"),
     N_("The element has no ':id:', so it was not created."),
     N_("Add e.g. ':id: C_PROJECT_TOPIC' right below the element's first line (only capital letters, digits and _).")),
    (re.compile(r"Unknown option '(?P<option>[^']+)' \[needs\."),
     N_("The field ':{option}:' does not exist."),
     N_("{suggestion}See the field reference for the fields each kind of element has.")),
    (re.compile(r"Unknown directive type: '(?P<directive>[^']+)'"),
     N_("'{directive}' is neither an element type nor a known directive, so the block was not shown."),
     N_("{suggestion}The element types are: {types}.")),
    (re.compile(r"Malformed YAML"),
     N_("The block between the lines '---' at the top of the page is not valid YAML, so the page's settings could not be read."),
     N_("Correct the block, or remove it with its two '---' lines: a page of the site needs none.")),
    (re.compile(r"Non-consecutive header level increase; H(?P<above>\d) to H(?P<level>\d)"),
     N_("The heading skips a level (from level {above} to {level})."),
     N_("Give the heading one # more than the heading above it, e.g. ## below #.")),
]

_DIRECTIVES = [t["directive"] for t in model.NEED_TYPES]

# A message whose cause others follow from: an element with a copied ID is not created, so the
# checks then miss it ("a consideration is missing"). Said first, so no one pastes a second copy.
_ROOT_CAUSE = re.compile(r"A need with ID '?[A-Z0-9_]+'? already exists", re.I)


def _suggestion(values: dict[str, str], vocab: Vocabulary) -> str:
    """'Mente du ':status:'? ' for a misspelt field or element type, when one is close."""
    if "option" in values:
        options = sorted({*model.FIELDS, *vocab.trait_fields, *model.NEED_LINKS, "id", "status", "tags"})
        close = difflib.get_close_matches(values["option"], options, n=1)
        return _("Did you mean ':{option}:'?").format(option=close[0]) + " " if close else ""
    close = difflib.get_close_matches(values.get("directive", ""), _DIRECTIVES, n=1)
    return _("Did you mean '{name}'?").format(name=close[0]) + " " if close else ""


def _allowed(field: str, vocab: Vocabulary) -> str | None:
    """The field's allowed values from the vocabulary, all of them
    (sphinx-needs shortens long lists to '... or 2 other candidates')."""
    schema = model.need_fields(vocab).get(field, {}).get("schema", {})
    values = schema.get("enum") or schema.get("items", {}).get("enum")
    if not values:
        return None
    quoted = [f'"{v}"' for v in values]
    return (" " + _("or") + " ").join([", ".join(quoted[:-1]), quoted[-1]]) if len(quoted) > 1 else quoted[0]


def _at_field(root: str, file: str, line: int | None, field: str | None) -> int | None:
    """sphinx-needs names the element's first line; point at the value the author must correct."""
    if not (root and file and line and field):
        return line
    try:
        return option_line((Path(root) / file).read_text(encoding="utf-8").splitlines(), line, field)
    except (OSError, UnicodeDecodeError):
        return line


def _translate(message: str, vocab: Vocabulary, located: bool = True) -> tuple[str, str, str | None]:
    """The message in the author's words, its fix, and the field it is about (if it names one)."""
    for pattern, problem, fix in _KNOWN:
        match = pattern.search(message)
        if match:
            values = {k: v.replace(" or ", " " + _("or") + " ") for k, v in match.groupdict().items()}
            if "allowed" in values:
                values["allowed"] = _allowed(values.get("field", ""), vocab) or values["allowed"]
            if "where" in values:  # a docname ("projects/x/index:58") as the file an author opens
                values["where"] = re.sub(r"^([^:]+)", r"\1.md", values["where"])
            if "{suggestion}" in fix:
                values["suggestion"] = _suggestion(values, vocab)
            values["types"] = ", ".join(_DIRECTIVES)
            # The line of the value to correct; a missing field has none.
            field = values.get("field") or values.get("option") if "is a required property" not in message else None
            return translated(problem).format(**values), translated(fix).format(**values), field
    own = _said_by_dataetik(message)
    if own:
        return *own, None
    first = message.strip().splitlines()[0]
    fix = (_("Correct what the message points at, in the file and line it names.") if located else
           _("Correct what the message points at, in conf.py or the extension the message names."))
    return _("The build reports: {message}").format(message=first), fix, None


def _said_by_dataetik(message: str) -> tuple[str, str] | None:
    """dataetik's own warnings are said in the author's words already, as 'problem How to fix it: fix
    [dataetik.x]' (e.g. dataetik.safe_markup's refusals): split in two, not wrapped in 'The build reports'."""
    first = message.strip().splitlines()[0]
    source = _TYPE.search(first)
    if not source or not source.group(1).startswith("dataetik."):
        return None
    problem, marker, fix = first[:source.start()].strip().partition(" " + how_to_fix() + " ")
    return (problem, fix) if marker else None


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
    bias_test = test_head_pattern()  # dataetik.biastest.sphinx names the test first
    for head, lines in blocks:
        message = "\n".join(lines)
        source = _TYPE.search(message.rstrip())
        test = bias_test.match(message)
        file = head.group("file") or ""
        if root and file.startswith(root):
            file = file[len(root):].lstrip("/")
        problem, fix, field = _translate(message, vocab, located=bool(file))
        line = _at_field(root, file, int(head.group("line")) if head.group("line") else None, field)
        findings.append(Finding(rule="build", file=file, line=line, problem=problem, fix=fix,
                                need=test.group(1) if test else "", source=source.group(1) if source else "",
                                cause=bool(_ROOT_CAUSE.search(message))))
    return sorted(findings, key=lambda f: not f.cause)  # stable: otherwise in the build's order
