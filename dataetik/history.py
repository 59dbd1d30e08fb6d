"""History from git: each project page's own history, and the changes to the requirements
(the page *Ændringer i politikken*), said in plain words derived from the content, not from
the commit messages.

Git is read once per build: one ``git log`` of the whole repository gives every commit and the
blob each changed file had after it, and the texts of the versions needed are read in batches
(``git cat-file --batch``). The pages are parsed lightly (MyST need blocks: ``:::{type} title``,
``:id:`` and the other options, the content) and consecutive versions compared. A day counts as
one version (the last of the day), so a morning's typo fixed in the afternoon is not history.
Where git cannot be read (no git, not a repository: a site copied or unpacked) the page says why,
in a sentence, and the build goes on.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from dataetik import i18n, model
from dataetik.i18n import _, long_date

# --- a light parser of MyST need blocks ---------------------------------------------------------

_TYPES = {t["directive"] for t in model.NEED_TYPES}
_OPEN = re.compile(r"^(?P<fence>:{3,}|`{3,})\{(?P<type>[a-z_]+)\}[ \t]*(?P<title>.*)$")
_OPTION = re.compile(r"^:(?P<name>[A-Za-z_][\w-]*):(?:[ \t]+(?P<value>.*))?$")


@dataclass(frozen=True)
class Block:
    """One need as written on a page."""

    type: str
    title: str
    fields: dict[str, str]
    content: str

    @property
    def id(self) -> str:
        return self.fields.get("id", "")

    @property
    def need(self) -> dict:
        """As needs.json has it, as far as the page says (fields as written, not yet lists)."""
        return {**self.fields, "type": self.type, "title": self.title, "content": self.content}


def parse_blocks(text: str) -> list[Block]:
    """The need blocks of a page (nested ones too, an admonition's fences are skipped)."""
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        match = _OPEN.match(lines[i].strip())
        if not match or match["type"] not in _TYPES:
            i += 1
            continue
        fence = match["fence"]
        fields, j = {}, i + 1
        while j < len(lines) and (option := _OPTION.match(lines[j].strip())):
            fields[option["name"]] = (option["value"] or "").strip()
            j += 1
        end = j
        while end < len(lines) and not (lines[end].strip().startswith(fence[0] * len(fence))
                                        and set(lines[end].strip()) == {fence[0]}):
            end += 1
        blocks.append(Block(match["type"], match["title"].strip(), fields, "\n".join(lines[j:end]).strip()))
        i = end + 1
    return blocks


# --- git: one log, blobs in batches --------------------------------------------------------------

class NoHistory(Exception):
    """Git cannot say anything about the site; the message says why, in words."""


@dataclass(frozen=True)
class Change:
    """A file as one commit left it: its blob, or None where the commit removed it."""

    commit: str
    day: dt.date
    blob: str | None


@dataclass
class Repository:
    root: Path
    shallow: bool
    changes: dict[str, list[Change]]  # path relative to the site -> changes, oldest first
    _texts: dict[str, str] = field(default_factory=dict)
    memo: dict = field(default_factory=dict)  # what is derived from the history, once

    def texts(self, blobs) -> dict[str, str]:
        """The texts of these blobs, those not read before in one `git cat-file --batch`."""
        blobs = list(blobs)
        wanted = [b for b in dict.fromkeys(blobs) if b and b not in self._texts]
        if wanted:
            try:
                out = _git(self.root, "cat-file", "--batch", stdin="\n".join(wanted) + "\n")
            except subprocess.CalledProcessError:
                out = b""  # a damaged repository: those versions read as empty, the build goes on
            pos = 0
            for blob in wanted:
                header_end = out.find(b"\n", pos)
                header = out[pos:header_end].split() if header_end >= 0 else []
                if len(header) != 3:  # "<blob> missing" (a partial clone), or nothing read
                    self._texts[blob] = ""
                    pos = header_end + 1 if header_end >= 0 else len(out)
                    continue
                size = int(header[2])
                self._texts[blob] = out[header_end + 1:header_end + 1 + size].decode("utf-8", errors="replace")
                pos = header_end + 1 + size + 1
        return {b: self._texts[b] for b in blobs if b}

    def daily(self, path: str) -> list[Change]:
        """The file's versions, one per day it changed (the day's last), oldest first."""
        by_day: dict[dt.date, Change] = {}
        for change in self.changes.get(path, []):
            by_day[change.day] = change
        return list(by_day.values())

    def under(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/") + "/" if folder else ""
        return [p for p in self.changes if p.startswith(prefix)]


def _git(root: Path, *args: str, stdin: str | None = None) -> bytes:
    return subprocess.run(["git", "-C", str(root), *args], input=stdin.encode() if stdin is not None else None,
                          capture_output=True, check=True).stdout


_CACHE: dict[tuple[str, str], Repository] = {}


def repository(root: Path) -> Repository:
    """The site's history (cached per HEAD); NoHistory saying why there is none."""
    root = Path(root).resolve()
    try:
        head = _git(root, "rev-parse", "--verify", "-q", "HEAD").decode().strip()
    except FileNotFoundError:
        raise NoHistory(_("git is not installed where the site was built")) from None
    except subprocess.CalledProcessError:
        inside = subprocess.run(["git", "-C", str(root), "rev-parse", "--git-dir"], capture_output=True).returncode == 0
        raise NoHistory(_("no version of the site has been committed to git yet") if inside else
                        _("the site was built from a folder that is not a git repository")) from None
    key = (str(root), head)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _read_log(root)
    return _CACHE[key]


def _read_log(root: Path) -> Repository:
    """Every commit of the first-parent line, with the blob each changed file under the site had after it."""
    out = _git(root, "log", "--first-parent", "-m", "--raw", "--no-abbrev", "--no-renames", "-z", "--relative",
               "--format=%x1e%H%x1f%aI").decode("utf-8", errors="replace")
    changes: dict[str, list[Change]] = {}
    for record in reversed(out.split("\x1e")[1:]):  # oldest first
        tokens = record.split("\0")
        sha, when = tokens[0].strip().split("\x1f")
        day = dt.date.fromisoformat(when[:10])
        for meta, path in zip(tokens[1::2], tokens[2::2]):
            meta = meta.strip().split()
            if len(meta) < 5:
                continue
            blob = None if meta[4].startswith("D") else meta[3]
            changes.setdefault(path, []).append(Change(sha, day, blob))
    shallow = _git(root, "rev-parse", "--is-shallow-repository").decode().strip() == "true"
    return Repository(root, shallow, changes)


def unavailable(reason: str) -> str:
    return _("The history cannot be shown, because {reason}.").format(reason=reason)


# --- requirements over time ----------------------------------------------------------------------

@dataclass(frozen=True)
class Version:
    """A requirement as one commit left it."""

    day: dt.date
    need: dict
    path: str


def _policy_files(repo: Repository, folders) -> list[str]:
    return sorted(p for folder in folders for p in repo.under(folder) if p.endswith(".md"))


def requirement_versions(source, folders) -> dict[str, list[Version]] | str:
    """Every version of every requirement in the policy folders, oldest first; or why git cannot say."""
    repo = _open(source)
    if isinstance(repo, str):
        return repo
    key = ("requirement_versions", tuple(folders))
    if key not in repo.memo:
        repo.memo[key] = _requirement_versions(repo, folders)
    return repo.memo[key]


def _requirement_versions(repo: Repository, folders) -> dict[str, list[Version]]:
    files = _policy_files(repo, folders)
    texts = repo.texts(c.blob for p in files for c in repo.changes[p])
    versions: dict[str, list[Version]] = {}
    for path in files:
        for change in repo.changes[path]:
            for block in parse_blocks(texts.get(change.blob, "")) if change.blob else []:
                if block.type == "requirement" and block.id:
                    versions.setdefault(block.id, []).append(Version(change.day, block.need, path))
    return versions


@dataclass(frozen=True)
class PolicyChange:
    day: dt.date
    kind: str               # "policy_added", "added", "changed", "removed"
    requirement: str        # ID (or the policy's folder, for policy_added)
    title: str
    old: dict | None = None
    new: dict | None = None
    count: int = 0          # policy_added: how many requirements it came with


def _requirements_by_day(repo: Repository, files: list[str]) -> list[tuple[dt.date, dict[str, tuple[dict, str]]]]:
    """The requirements of all policy files at the end of each day any of them changed."""
    texts = repo.texts(c.blob for p in files for c in repo.daily(p))
    days = sorted({c.day for p in files for c in repo.daily(p)})
    states = []
    current: dict[str, str | None] = {}  # path -> blob at the end of the day
    for day in days:
        for path in files:
            for change in repo.daily(path):
                if change.day == day:
                    current[path] = change.blob
        state = {}
        for path, blob in current.items():
            for block in parse_blocks(texts.get(blob, "")) if blob else []:
                if block.type == "requirement" and block.id:
                    state[block.id] = (block.need, path)
        states.append((day, state))
    return states


def policy_changes(source, policies) -> list[PolicyChange] | str:
    """The changes to the requirements of these policies (PolicyInfo), newest first, one version per
    day; a policy's first day is one change (it came with N requirements). Or why git cannot say."""
    from dataetik.trail import fingerprint

    repo = _open(source)
    if isinstance(repo, str):
        return repo
    folders = [p.folder for p in policies]

    def folder_of(path: str) -> str:
        return max((f for f in folders if not f or path.startswith(f.rstrip("/") + "/")), key=len, default="")

    changes: list[PolicyChange] = []
    before: dict[str, tuple[dict, str]] = {}
    for day, state in _requirements_by_day(repo, _policy_files(repo, folders)):
        known = {folder_of(path) for _need, path in before.values()}
        new_folders: dict[str, int] = {}
        for req_id, (need, path) in state.items():
            if req_id not in before:
                if folder_of(path) in known:
                    changes.append(PolicyChange(day, "added", req_id, need.get("title", ""), new=need))
                else:
                    new_folders[folder_of(path)] = new_folders.get(folder_of(path), 0) + 1
            elif fingerprint(before[req_id][0]) != fingerprint(need):
                changes.append(PolicyChange(day, "changed", req_id, need.get("title", ""), before[req_id][0], need))
        changes += [PolicyChange(day, "removed", req_id, need.get("title", ""), old=need)
                    for req_id, (need, _path) in before.items() if req_id not in state]
        changes += [PolicyChange(day, "policy_added", folder, next((p.title for p in policies if p.folder == folder),
                                                                   folder), count=n)
                    for folder, n in new_folders.items()]
        before = state
    return sorted(changes, key=lambda c: c.day, reverse=True)


# --- a project's history ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    day: dt.date
    changes: tuple[str, ...]


def _quoted(title: str) -> str:
    return _("“{title}”").format(title=title)


def _field_name(name: str, labels: dict[str, str]) -> str:
    return labels.get(name) or (model.field_label(name) if name in model.FIELDS else name)


def _project_changes(old: Block | None, new: Block, labels: dict[str, str]) -> list[str]:
    if old is None:
        return [_("The project was created")]
    said = []
    if old.title != new.title:
        said.append(_("The project's name changed to {title}").format(title=_quoted(new.title)))
    for name, sentence in (("status", _("Status changed from {old} to {new}")),
                           ("risk", _("Risk profile changed from {old} to {new}"))):
        if old.fields.get(name, "") != new.fields.get(name, ""):
            said.append(sentence.format(old=_quoted(old.fields.get(name) or "–"), new=_quoted(new.fields.get(name) or "–")))
    others = [n for n in dict.fromkeys([*old.fields, *new.fields])
              if n not in ("status", "risk", "id") and old.fields.get(n, "") != new.fields.get(n, "")]
    if others:
        said.append(_("Changed on the project: {fields}").format(fields=", ".join(_field_name(n, labels) for n in others)))
    if " ".join(old.content.split()) != " ".join(new.content.split()):
        said.append(_("The description of the project changed"))
    return said


def _part_changes(old: dict[str, Block], new: dict[str, Block]) -> list[str]:
    said = []
    for need_id, block in new.items():
        kind = model.type_title(block.type)
        before = old.get(need_id)
        if before is None:
            said.append(_("{type} added: {title}").format(type=kind, title=_quoted(block.title)))
            continue
        differs = {n for n in {*before.fields, *block.fields} if before.fields.get(n, "") != block.fields.get(n, "")}
        if before.title != block.title or " ".join(before.content.split()) != " ".join(block.content.split()):
            differs.add("")
        if differs == {"fingerprints"}:
            said.append((_("Fingerprints of the requirement texts recorded on {title}") if not before.fields.get("fingerprints")
                         else _("Fingerprints of the requirement texts renewed on {title}")).format(title=_quoted(block.title)))
        elif "decision" in differs:
            said.append(_("{type} {title}: decision changed from {old} to {new}").format(
                type=kind, title=_quoted(block.title), old=_quoted(before.fields.get("decision") or "–"),
                new=_quoted(block.fields.get("decision") or "–")))
        elif differs:
            said.append(_("{type} changed: {title}").format(type=kind, title=_quoted(block.title)))
    said += [_("{type} removed: {title}").format(type=model.type_title(b.type), title=_quoted(b.title))
             for need_id, b in old.items() if need_id not in new]
    return said


def _page_changes(old_text: str | None, new_text: str | None, labels: dict[str, str]) -> list[str]:
    if new_text is None:
        return [_("The project's page was removed")]
    old_blocks = parse_blocks(old_text) if old_text is not None else []
    new_blocks = parse_blocks(new_text)
    old_project = next((b for b in old_blocks if b.type == "project"), None)
    new_project = next((b for b in new_blocks if b.type == "project"), None)
    said = _project_changes(old_project, new_project, labels) if new_project else []
    if old_text is not None and old_project is not None:
        said += _part_changes({b.id: b for b in old_blocks if b.type in model.PROJECT_PARTS and b.id},
                              {b.id: b for b in new_blocks if b.type in model.PROJECT_PARTS and b.id})
    if not said and old_text is not None and " ".join(old_text.split()) != " ".join(new_text.split()):
        said.append(_("Other text on the page was edited"))
    return said


def _open(source) -> Repository | str:
    """A Repository as given, or the site folder's; or why git cannot say."""
    if isinstance(source, Repository):
        return source
    try:
        return repository(Path(source))
    except NoHistory as err:
        return str(err)


def project_history(source, page: str, labels: dict[str, str] | None = None) -> list[Entry] | str:
    """The history of a project (its page, relative to the site, and the other files in its folder),
    newest first; or why git cannot say. `source`: the site's folder, or its Repository."""
    repo = _open(source)
    if isinstance(repo, str):
        return repo
    labels = labels or {}
    folder = posixpath.dirname(page)
    versions = repo.daily(page)
    texts = repo.texts(c.blob for c in versions)
    said: dict[dt.date, list[str]] = {}
    counts_files: set[str] = set()
    previous = None
    for change in versions:
        text = texts.get(change.blob) if change.blob else None
        said.setdefault(change.day, []).extend(_page_changes(previous, text, labels))
        counts_files |= {posixpath.normpath(posixpath.join(folder, b.fields["counts"]))
                         for b in parse_blocks(text or "") if b.type == "biastest" and b.fields.get("counts")}
        previous = text
    for path in repo.under(folder):
        if path == page or posixpath.dirname(path) != folder and path.endswith(".md"):
            continue
        for n, change in enumerate(repo.daily(path)):
            name = posixpath.relpath(path, folder)
            if path in counts_files:
                sentence = (_("The bias test's counts were removed") if change.blob is None else
                            _("The bias test's counts were added") if n == 0 else _("The bias test's counts changed"))
            else:
                sentence = (_("File {name} removed") if change.blob is None else
                            _("File {name} added") if n == 0 else _("File {name} changed")).format(name=_quoted(name))
            said.setdefault(change.day, []).append(sentence)
    return [Entry(day, tuple(dict.fromkeys(s))) for day, s in sorted(said.items(), reverse=True) if s]


def shallow_note(repo: Repository) -> str:
    return _("The repository was fetched without its full history, so older changes are missing.") if repo.shallow else ""


# --- on the pages -------------------------------------------------------------------------------------

class projecthistory(nodes.General, nodes.Element):
    """Placeholder: the project's history, filled in when every need is known."""


class policychanges(nodes.General, nodes.Element):
    """Placeholder: the changes to the requirements of every policy."""


_DOCS = "_dataetik_history_docs"  # on the env: the pages that show history


class ProjectHistoryDirective(SphinxDirective):
    def run(self):
        self.env.__dict__.setdefault(_DOCS, set()).add(self.env.docname)
        return [projecthistory()]


class PolicyChangesDirective(SphinxDirective):
    def run(self):
        self.env.__dict__.setdefault(_DOCS, set()).add(self.env.docname)
        return [policychanges()]


def _purge(app: Sphinx, env, docname: str) -> None:
    getattr(env, _DOCS, set()).discard(docname)


def _merge(app: Sphinx, env, docnames, other) -> None:
    env.__dict__.setdefault(_DOCS, set()).update(getattr(other, _DOCS, set()) & set(docnames))


def _head(root) -> str:
    try:
        return _git(Path(root), "rev-parse", "--verify", "-q", "HEAD").decode().strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _table(rows: list[tuple[str, list[nodes.Node]]]) -> nodes.table:
    table = nodes.table(classes=["dataetik-history"])
    group = nodes.tgroup(cols=2)
    table += group
    group += [nodes.colspec(colwidth=1), nodes.colspec(colwidth=4)]
    head = nodes.thead()
    group += head
    head += nodes.row("", nodes.entry("", nodes.paragraph(text=_("Date"))),
                      nodes.entry("", nodes.paragraph(text=_("What changed"))))
    body = nodes.tbody()
    group += body
    for day, cell in rows:
        body += nodes.row("", nodes.entry("", nodes.paragraph(text=day)), nodes.entry("", *cell))
    return table


def _bullets(items: list[list[nodes.Node]]) -> nodes.Node:
    if len(items) == 1:
        return nodes.paragraph("", "", *items[0])
    out = nodes.bullet_list(classes=["simple"])
    for item in items:
        out += nodes.list_item("", nodes.paragraph("", "", *item))
    return out


def _pages(app: Sphinx) -> dict[str, str]:
    """The site's project pages: docname -> file, relative to the site; found once per build (each
    project page asks, and a scan of every need per page would grow with the square of the site)."""
    from sphinx_needs.data import SphinxNeedsData

    pages = getattr(app, "_dataetik_history_pages", None)
    if pages is None:
        pages = {n["docname"]: f"{n['docname']}{n.get('doctype') or '.md'}"
                 for n in SphinxNeedsData(app.env).get_needs_view().values() if n["type"] == "project" and n.get("docname")}
        app._dataetik_history_pages = pages
    return pages


def _repository(app: Sphinx) -> Repository | str:
    """The site's history, read once per build (in each writing process), every project page's
    versions fetched in one batch."""
    cached = getattr(app, "_dataetik_history", None)
    if cached is None:
        cached = _open(app.srcdir)
        if isinstance(cached, Repository):
            cached.texts(c.blob for page in _pages(app).values() for c in cached.daily(page))
        app._dataetik_history = cached
    return cached


def _project_node(app: Sphinx, docname: str) -> list[nodes.Node]:
    from dataetik.biastest.sphinx import policy_of

    page = _pages(app).get(docname)
    if page is None:
        return []  # a page that only shows a project's markup (a guide), not a project
    labels = {t.field: t.label for t in policy_of(app).vocabulary.traits}
    labels |= {c.field: c.label for c in policy_of(app).vocabulary.classifications}
    repo = _repository(app)
    entries = repo if isinstance(repo, str) else project_history(repo, page, labels)  # a str: why git cannot say
    if isinstance(entries, str):
        return [nodes.paragraph(text=unavailable(entries))]
    if not entries:
        return [nodes.paragraph(text=_("The project's page has not been committed to git yet, so it has no history."))]
    rows = [(long_date(e.day), [_bullets([[nodes.Text(s)] for s in e.changes])]) for e in entries]
    out: list[nodes.Node] = [_table(rows)]
    note = shallow_note(repo)
    out.append(nodes.paragraph(text=" ".join(filter(None, [
        _("Made from the versions of the page saved in git; each day shows how the page stood at its end."), note])),
        classes=["dataetik-history-note"]))
    return out


def _policy_change_item(app: Sphinx, docname: str, change: PolicyChange) -> list[nodes.Node]:
    from dataetik.biastest.sphinx import policy_of
    from dataetik.pages import _need_link, fill
    from dataetik.trail import diff_as_nodes, readable_text, word_diff

    policy = policy_of(app)
    req = policy.requirement(change.requirement)
    name: list[nodes.Node] = ([_need_link(app, docname, req.need, f"{change.title} ({change.requirement})")] if req
                              else [nodes.Text(f"{_quoted(change.title)} ({change.requirement})")])
    if change.kind == "policy_added":
        return [nodes.Text(i18n.ngettext("{policy} added, with {count} requirement",
                                         "{policy} added, with {count} requirements",
                                         change.count).format(policy=change.title, count=change.count))]
    if change.kind == "added":
        return fill(_("Requirement added: {requirement}"), requirement=name)
    if change.kind == "removed":
        return fill(_("Requirement removed: {requirement}"), requirement=name)
    diff = word_diff(readable_text(change.old), readable_text(change.new))
    return [*fill(_("Requirement changed: {requirement}"), requirement=name), nodes.Text(". "),
            nodes.inline(text=_("What changed:") + " ", classes=["dataetik-trail-label"]), *diff_as_nodes(diff)]


def _policy_node(app: Sphinx, docname: str) -> list[nodes.Node]:
    from dataetik.biastest.sphinx import policy_of

    repo = _repository(app)
    changes = policy_changes(repo, policy_of(app).vocabulary.policies)
    if isinstance(changes, str):
        return [nodes.paragraph(text=unavailable(changes))]
    if not changes:
        return [nodes.paragraph(text=_("No requirement has been committed to git yet."))]
    by_day: dict[dt.date, list[list[nodes.Node]]] = {}
    for change in changes:
        by_day.setdefault(change.day, []).append(_policy_change_item(app, docname, change))
    rows = [(long_date(day), [_bullets(items)]) for day, items in by_day.items()]
    out: list[nodes.Node] = [_table(rows)]
    note = shallow_note(repo)
    if note:
        out.append(nodes.paragraph(text=note, classes=["dataetik-history-note"]))
    return out


def _forget(app: Sphinx, env, docnames) -> None:
    app._dataetik_history = None
    app._dataetik_history_pages = None


def _resolve(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(projecthistory)):
        node.replace_self(_project_node(app, docname))
    for node in list(doctree.findall(policychanges)):
        node.replace_self(_policy_node(app, docname))


def setup(app: Sphinx) -> dict:
    app.add_node(projecthistory)
    app.add_node(policychanges)
    app.add_directive("projecthistory", ProjectHistoryDirective)
    app.add_directive("policychanges", PolicyChangesDirective)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-before-read-docs", _forget)
    app.connect("doctree-resolved", _resolve, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
