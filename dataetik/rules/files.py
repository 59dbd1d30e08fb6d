"""Files and sizes an author can get wrong: an empty page, a project folder without its page, a
page or counts file too big to publish, a title too long to read.

The limits are the policy's (``max_page_kb``, ``max_counts_kb``, ``max_title_length`` under
``[settings]``), with defaults in dataetik.vocabulary. The build refuses a page above the limit
before reading it (dataetik.file_limits); the rule here says it again for a check run over a
build made without it.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from pathlib import Path

from dataetik.findings import Finding
from dataetik.i18n import N_, _
from dataetik.needs_data import source_file
from dataetik.policy import Policy
from dataetik.rules import rule
from dataetik.rules.bias import used_counts_files
from dataetik.rules.memo import per_file, relative
from dataetik.rules.personal_data import is_tool, project_of, read_text, site_paths
from dataetik.rules.sources import PROJECTS
from dataetik.site_files import EXCLUDE_PATTERNS

TABLES = (".csv", ".tsv")
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n.*?\n---[ \t]*(?:\n|\Z)", re.S)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_MARKS = frozenset("#`~")  # what a heading or a fence begins with, after at most three spaces


def _pages(policy: Policy) -> list[Path]:
    """The site's Markdown pages: not the tools beside it, not a README (conf.py's exclude_patterns)."""
    return [path for path in site_paths(policy) if path.suffix == ".md" and not _excluded(relative(policy, path))]


# fnmatch's patterns as one expression, compiled once (not matched pattern by pattern for every page)
_EXCLUDED = re.compile("|".join(f"(?:{fnmatch.translate(os.path.normcase(p))})" for p in EXCLUDE_PATTERNS) or r"(?!)")


def _excluded(relative: str) -> bool:
    """Whether conf.py's exclude_patterns leave out the file (its path relative to the site, '/'-separated)."""
    return any(_EXCLUDED.match(os.path.normcase(name))
               for name in (relative, relative.split("/", 1)[0], relative.rsplit("/", 1)[-1]))


def is_empty(text: str) -> bool:
    """Nothing a reader would see: only whitespace, front matter and comments."""
    return not _COMMENT.sub("", _FRONT_MATTER.sub("", text, count=1)).strip()


def _empty_page(path: Path) -> bool:
    text = read_text(path)
    return text is not None and is_empty(text)


def _in_projects(file: str) -> bool:
    return file.startswith(PROJECTS + "/") and file.count("/") == 2


@rule("empty_pages", each="site",
      description=N_("No page of the site is empty (only blank lines, front matter or comments): a project's "
                     "index.md holds its assessment."))
def empty_pages(policy: Policy) -> list[Finding]:
    found = []
    for path in _pages(policy):
        if not per_file(policy, "empty_page", path, _empty_page):
            continue
        file = relative(policy, path)
        if _in_projects(file) and path.name == "index.md":
            problem = _("The project's page is empty, so the site shows no assessment for the folder.")
            fix = _("Write the assessment on the page: 'dataetik new' writes one to fill in. If there is to be no "
                    "project, delete the folder.")
        else:
            problem = _("The page is empty.")
            fix = _("Write the page's text, or delete the file and the line in a table of contents (toctree) that "
                    "names it.")
        found.append(Finding(rule="", file=file, line=1, problem=problem, fix=fix, project=project_of(policy, file)))
    return found


@rule("project_folders", each="site",
      description=N_("Every folder under projects/ is a project: it holds a page with a project element (its "
                     "index.md), not only files such as counts or attachments."))
def project_folders(policy: Policy) -> list[Finding]:
    root = policy.needs.srcdir
    projects = root / PROJECTS if root else None
    if projects is None or not projects.is_dir():
        return []
    with_project = {p["docname"].split("/")[1] for p in policy.projects if p["docname"].startswith(PROJECTS + "/")
                    and p["docname"].count("/") >= 2}
    found = []
    for folder in sorted(p for p in projects.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if folder.name in with_project:
            continue
        pages = [p for p in folder.rglob("*.md") if not _excluded(p.relative_to(root).as_posix())]
        if any(is_empty(read_text(p) or "") for p in pages):
            continue  # an empty page: said by empty_pages
        slug = f"{PROJECTS}/{folder.name}"
        if not pages:
            problem = _("The folder {folder}/ holds no page, so it is not a project and what it holds is not "
                        "published with one.").format(folder=slug)
            fix = _("Write the project's page in it with 'dataetik new', or move the files to the project they belong "
                    "to (a counts file lies beside the page of its bias test), or delete the folder.")
        else:
            problem = _("The folder {folder}/ has pages, but none of them holds a project element.").format(folder=slug)
            fix = _("Write the project's page with 'dataetik new' (its index.md holds a ':::{{project}}' element), or "
                    "move the pages to where they belong.")
        found.append(Finding(rule="", file=slug + "/", line=None, problem=problem, fix=fix))
    return found


def _kb(size: int) -> str:
    return str(round(size / 1000))


@rule("file_sizes", each="site",
      description=N_("No page is larger than the policy's max_page_kb, and no CSV file (a bias test's counts) larger "
                     "than its max_counts_kb: such a file is a mistake (a pasted export, raw data), and a page that "
                     "large cannot be built in reasonable time."))
def file_sizes(policy: Policy) -> list[Finding]:
    root, settings = policy.needs.srcdir, policy.vocabulary.settings
    if root is None:
        return []
    max_page, max_counts = int(settings["max_page_kb"]), int(settings["max_counts_kb"])
    tested = used_counts_files(policy)  # said by the test's bias_result, with its requirement
    found = []
    for path in site_paths(policy):
        file = relative(policy, path)
        if is_tool(file):
            continue
        try:
            st = path.stat()
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        size = st.st_size
        if path.suffix == ".md" and not _excluded(file) and size > max_page * 1000:
            found.append(Finding(
                rule="", file=file, line=1, project=project_of(policy, file),
                problem=page_too_big(size, max_page), fix=page_too_big_fix()))
        elif path.suffix.lower() in TABLES and size > max_counts * 1000 and Path(os.path.normpath(path)) not in tested:
            found.append(Finding(
                rule="", file=file, line=1, project=project_of(policy, file),
                problem=_("The file is {size} KB; the policy allows at most {limit} KB for a CSV file.").format(
                    size=_kb(size), limit=max_counts),
                fix=_("A bias test's counts are a few rows per group: make them with 'dataetik aggregate'. A larger "
                      "file is likely raw data, which must not be in the site's folder. If the limit is too low, "
                      "raise max_counts_kb under [settings] in policy.toml.")))
    return found


def page_too_big(size: int, limit_kb: int) -> str:
    """The problem with a page above the limit, as the build and the check say it."""
    return _("The page is {size} KB; the policy allows at most {limit} KB for a page.").format(
        size=_kb(size), limit=limit_kb)


def page_too_big_fix() -> str:
    return _("Shorten the page: an assessment is reasoning, not data. Put tables of data in a counts file or leave "
             "them out, and split a long guide into pages. If the limit is too low for your site, raise max_page_kb "
             "under [settings] in policy.toml.")


def _headings(text: str):
    """(line, heading) for each Markdown heading outside code blocks."""
    fence = None
    for number, line in enumerate(text.splitlines(), start=1):
        if line[:4].lstrip(" ")[:1] not in _MARKS:
            continue  # neither a fence nor a heading: tried a character, not two patterns
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1).startswith(fence) and not opened.group(2).strip():
                fence = None
        elif opened and not opened.group(2).strip().startswith("{"):
            fence = opened.group(1)
        elif (heading := _HEADING.match(line)) and heading.group(1):
            yield number, heading.group(1)


@rule("title_lengths", each="site",
      description=N_("No element's title and no heading of a page is longer than the policy's max_title_length "
                     "(characters): a title names, the text explains."))
def title_lengths(policy: Policy) -> list[Finding]:
    limit = int(policy.vocabulary.settings["max_title_length"])
    fix = _("Shorten the title to a few words that name the subject, and say the rest in the text below it. If the "
            "limit is too low, raise max_title_length under [settings] in policy.toml.")
    found = [Finding(
        rule="", file=source_file(need), line=need.get("lineno"), need=need["id"],
        project=need.get("id") if need.get("type") == "project" else (need.get("belongs_to") or [""])[0],
        problem=_("The title of {need} is {length} characters long; the policy allows at most {limit}.").format(
            need=need["id"], length=len(need.get("title") or ""), limit=limit), fix=fix)
        for need in policy.needs.by_id.values() if len(need.get("title") or "") > limit and need.get("docname")]
    for path in _pages(policy):
        if not (long := per_file(policy, "long_headings", path, lambda p: _long_headings(p, limit), limit)):
            continue
        file = relative(policy, path)
        found += [Finding(
            rule="", file=file, line=number, project=project_of(policy, file),
            problem=_("The heading is {length} characters long; the policy allows at most {limit}.").format(
                length=length, limit=limit), fix=fix)
            for number, length in long]
    return sorted(found, key=lambda f: (f.file, f.line or 0))


def _long_headings(path: Path, limit: int) -> list[tuple[int, int]]:
    """(line, length) of each heading of the page longer than the limit."""
    text = read_text(path) or ""
    if len(text) <= limit:
        return []
    return [(number, len(heading)) for number, heading in _headings(text) if len(heading) > limit]
