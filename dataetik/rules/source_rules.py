"""The Markdown behind the needs: every need an author wrote must become a need of its own.

A need that cannot be created is silently missing from needs.json (a code fence left
open above it, a duplicate ID), and a directive left open
swallows the next need as its child. Both would pass every other check, so the
pages are read here and compared with what the build made of them.
"""

from __future__ import annotations

import posixpath
import re

from dataetik import model
from dataetik.findings import Finding
from dataetik.needs_data import source_file
from dataetik.policy import Policy

TYPES = [t["directive"] for t in model.NEED_TYPES]
CHECKED_FOLDERS = ("policy", "projects")  # the guides quote directives in code blocks on purpose
_OPENER = re.compile(r"^\s*(?::{3,}|`{3,})\{([\w-]+)\}")
_ID = re.compile(r"^\s*:id:\s*(\S+)\s*$")


def declared_needs(text: str) -> list[tuple[str, int, int, str]]:
    """(ID, line of the ID, line of the directive, directive) for each directive in the text that
    declares an ':id:' among its options."""
    lines = text.splitlines()
    declared = []
    for number, line in enumerate(lines):
        opener = _OPENER.match(line)
        if not opener:
            continue
        for offset, option in enumerate(lines[number + 1:], start=number + 2):
            if not option.strip().startswith(":"):
                break
            if match := _ID.match(option):
                declared.append((match.group(1), offset, number + 1, opener.group(1)))
                break
    return declared


def needs_are_whole(policy: Policy) -> list[Finding]:
    root = policy.needs.srcdir
    folders = {posixpath.dirname(p["docname"]): p["id"] for p in policy.projects}
    found = []
    for path in sorted(p for folder in CHECKED_FOLDERS for p in (root / folder).rglob("*.md")):
        file = path.relative_to(root).as_posix()
        project = folders.get(posixpath.dirname(file), "")
        for need_id, line, opener, directive in declared_needs(path.read_text(encoding="utf-8", errors="replace")):
            need = policy.needs.get(need_id)
            problem = _problem(need, need_id, (file, opener), directive)
            if problem:
                found.append(Finding(rule="needs_are_whole", file=file, line=line, project=project, need=need_id,
                                     problem=problem[0], fix=problem[1]))
        for need in policy.needs.by_id.values():
            if need.get("parent_need") and source_file(need) == file and need["type"] in TYPES:
                parent = need["parent_need"]
                found.append(Finding(
                    rule="needs_are_whole", file=file, line=need.get("lineno"), project=project, need=need["id"],
                    problem=f"{need['id']} står inde i {parent}, fordi {parent} ikke er lukket, før {need['id']} begynder.",
                    fix=f"Afslut {parent} med en linje, der kun indeholder ':::', før {need['id']} begynder."))
    return sorted(found, key=lambda f: (f.file, f.line or 0))


def _problem(need: dict | None, need_id: str, written_at: tuple[str, int], directive: str) -> tuple[str, str] | None:
    if not re.match(model.ID_REGEX, need_id):
        return None  # the build says the ID has the wrong format
    if directive not in TYPES:
        return None  # a misspelt type is the build's to report ("Elementtypen ... findes ikke")
    if need is None:
        return (f"Elementet {need_id} blev ikke oprettet og mangler på sitet.",
                "Se efter en kodeblok (```) eller et element (:::) ovenfor, der ikke er lukket, og efter fejl i "
                "elementets felter; meldingerne fra bygget peger på dem.")
    if (source_file(need), need.get("lineno")) != written_at:
        return (f"ID'et {need_id} bruges også i {source_file(need)}:{need.get('lineno')}, så elementet her blev "
                "ikke oprettet.",
                "Giv elementet her sit eget, nye ID (et kopieret projekt skal have nye ID'er overalt).")
    return None

