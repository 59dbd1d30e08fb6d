"""The Markdown behind the needs: every need an author wrote must become a need of its own.

A need swallowed by a code fence left open above it is silently missing from
needs.json, and a directive left open swallows the next need as its child. Both
would pass every other check, so the pages are read here and compared with what
the build made of them.
"""

from __future__ import annotations

import re

from dataetik import model
from dataetik.findings import Finding
from dataetik.i18n import N_, _
from dataetik.needs_data import source_file
from dataetik.policy import Policy
from dataetik.rules import rule
from dataetik.rules.memo import per_file, relative

TYPES = [t["directive"] for t in model.NEED_TYPES]
PROJECTS = "projects"  # the policies' folders and this one: the guides quote directives in code blocks on purpose
NOT_PAGES = {"README.md"}  # excluded from the site in conf.py
_OPENER = re.compile(r"^\s*(?::{3,}|`{3,})\{([\w-]+)\}")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(?!\s*\{(?:" + "|".join(TYPES) + r")\})")  # a code fence, not a need
_ID = re.compile(r"^\s*:id:\s*(\S+)\s*$")
_NEED_FENCE = re.compile(r"^\s*(`{3,})\{(?:" + "|".join(TYPES) + r")\}")  # a need directive in a backtick fence


def _closing(lines: list[str], start: int, mark: str) -> int | None:
    """The index of the line that closes a fence opened with `mark` before `start`."""
    return next((j for j in range(start, len(lines))
                 if lines[j].strip().startswith(mark) and not lines[j].strip().strip(mark[0])), None)


def _quoted(lines: list[str]) -> set[int]:
    """Line indexes inside closed code fences or HTML comments: examples and drafts, not needs.
    An unclosed fence is left out, so what it swallows is still looked for."""
    # The fence that closes a ```{need} directive is not a code fence opening.
    closers = {_closing(lines, i + 1, m.group(1)) for i, line in enumerate(lines)
               if (m := _NEED_FENCE.match(line))}
    quoted, index = set(), 0
    while index < len(lines):
        line, end = lines[index], None
        fence = _FENCE.match(line)
        if fence and index not in closers:
            end = _closing(lines, index + 1, fence.group(1))
        elif "<!--" in line:
            end = next((j for j in range(index, len(lines))
                        if "-->" in (line[line.index("<!--"):] if j == index else lines[j])), None)
        if end is not None:
            quoted.update(range(index, end + 1))
            index = end
        index += 1
    return quoted


def declared_needs(text: str) -> list[tuple[str, int, int, str]]:
    """(ID, line of the ID, line of the directive, directive) for each need directive in the text
    that declares an ':id:' among its options, outside code examples and comments."""
    lines = text.splitlines()
    quoted = _quoted(lines) if any(mark in text for mark in ("```", "~~~", "<!--")) else set()
    declared = []
    for number, line in enumerate(lines):
        opener = "{" in line and _OPENER.match(line)  # a directive names its type in braces
        if not opener or number in quoted or opener.group(1) not in TYPES:
            continue
        for offset, option in enumerate(lines[number + 1:], start=number + 2):
            if not option.strip().startswith(":"):
                break
            if match := _ID.match(option):
                declared.append((match.group(1), offset, number + 1, opener.group(1)))
                break
    return declared


def _declared_in(path) -> list[tuple[str, int]]:
    """(ID, line) of each need the page declares under a valid ID (a bad ID is the build's to report)."""
    declared = declared_needs(path.read_text(encoding="utf-8", errors="replace"))
    return [(need_id, line) for need_id, line, _directive_line, _directive in declared
            if re.match(model.ID_REGEX, need_id)]


@rule("needs_are_whole", each="site",
      description=N_("Every element written in a policy or project page becomes an element of its own on the site: "
                     "nothing vanishes (a code block ``` left open), and nothing sits inside another (a missing "
                     "':::'). An ID used twice is reported by the build itself."))
def needs_are_whole(policy: Policy) -> list[Finding]:
    root = policy.needs.srcdir
    nested_by_file: dict[str, list[dict]] = {}
    for need in policy.needs.by_id.values():
        if need.get("parent_need") and need["type"] in TYPES:
            nested_by_file.setdefault(source_file(need), []).append(need)
    found = []
    folders = [*(p.folder for p in policy.vocabulary.policies), PROJECTS]
    pages = {p for folder in folders for p in (root / folder).rglob("*.md") if p.name not in NOT_PAGES}
    for path in sorted(pages):
        file = relative(policy, path)
        project = policy.project_of_file(file)
        for need_id, line in per_file(policy, "declared_needs", path, _declared_in):
            # A bad ID (left out above) or a duplicate is the build's to report; here: needs that vanished
            # without a word.
            if policy.needs.get(need_id) is None:
                found.append(Finding(
                    rule="", file=file, line=line, project=project, need=need_id,
                    problem=_("The element {need} was not created and is missing from the site.").format(need=need_id),
                    fix=_("Look for a code block (```) or an element (:::) above that is not closed, and for errors in "
                          "the element's fields; the build's messages point at them.")))
        for need in nested_by_file.get(file, []):
            parent = need["parent_need"]
            found.append(Finding(
                rule="", file=file, line=need.get("lineno"), project=project, need=need["id"],
                problem=_("{need} sits inside {parent}, because {parent} is not closed before {need} begins.").format(
                    need=need["id"], parent=parent),
                fix=_("End {parent} with a line that holds only ':::', before {need} begins.").format(
                    need=need["id"], parent=parent)))
    return sorted(found, key=lambda f: (f.file, f.line or 0))
