"""`dataetik check` after editing projects only: checked without building the site again (issue 13).

A check through Sphinx's incremental build first loads the whole environment: at 1,000 projects
that alone takes longer than an author should wait. Where only files inside project folders changed
since the last check, and nothing else did (the fingerprint, the day, the language, the needs.json
that check left), this check instead

1. reads only those projects' pages, with the pages the policy's needs are on and the pages above
   them in the table of contents, in a build of its own that writes only into a temporary folder;
2. puts their needs in place of the projects' old needs in the last needs.json, and works out every
   back-link and the projects' dead links again, as sphinx-needs does (``build_backlinks``);
3. keeps the last check's build messages about every other file, and takes those about the
   projects' files from this build.

The side build starts at once, in a child process (``start``), while the check reads the policy's
words and needs.json. The checks then run over the merged needs; a project nothing changed in keeps
the last check's findings, except a rule's that looks across projects (dataetik.shared_findings).
Where anything could make the result differ from a clean build's, it gives way to the incremental
build (``Pending.finish`` returns None): a page added or removed, an ID another page also uses (or
used at the last check), a need removed that a need elsewhere links to, a dead link elsewhere that a
new need would resolve, a link to a part of a need, a project's start year changed (the yearly
reports' pages), or a build message about the projects' files that the last check did not give (such
a message may depend on the whole site, e.g. a document referred to).

The site's pages in _build/check are not written again; the next check that builds does
(``dataetik check --sider``).
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import signal
import tempfile
from collections import Counter
from dataclasses import dataclass, field, fields
from json.decoder import scanstring
from pathlib import Path

from dataetik.findings import Finding
from dataetik.policy import today
from dataetik.report import Result
from dataetik.site_files import site_files

STATE_FILE = "dataetik-recheck.pickle"  # in the check's doctree folder
CHANGED_DURING = (-1,)  # a file changed while a check read it: never taken as unchanged


def stat_key(path: Path) -> tuple[int, ...]:
    """What tells a file changed without reading it (ctime: no tool can set it back)."""
    st = os.stat(path)
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def snapshot(site: Path) -> dict[str, tuple[int, ...]]:
    """Every file of the site folder (not the build's) as it is now."""
    return {path.relative_to(site).as_posix(): stat_key(path) for path in site_files(site)}


# A file written this shortly before the check looked at it may be written again within the same tick
# of the file system's clock, keeping its stat (git's "racily clean" files): it counts as changed next time.
SETTLED_NS = 2_000_000_000


def settled(before: dict[str, tuple], after: dict[str, tuple], written_by_build: str = "",
            looked_at: int = 0) -> dict[str, tuple]:
    """The files as a check read them (`before`, looked at at `looked_at`, time.time_ns; `after`, when
    it was done): a file that changed while it ran may have been read either way, and one written
    just before it looked may change unseen, so they count as changed next time; except what the
    build itself writes (the yearly reports' pages, in `written_by_build`)."""
    recent = looked_at - SETTLED_NS

    def key(name: str) -> tuple:
        if written_by_build and name.startswith(written_by_build + "/"):
            return after[name]
        return after[name] if before.get(name) == after[name] and after[name][2] < recent else CHANGED_DURING
    return {name: key(name) for name in after}


@dataclass
class State:
    """What the last check read and gave, for the next one to build on."""

    built_with: str  # check_cmd's fingerprint
    day: str
    language: str
    files: dict[str, tuple]  # the site's files as the check read them
    needs_json: tuple  # the needs.json it left
    folders: dict[str, str]  # project folder -> the project's ID
    context: dict[str, list[str]]  # project folder -> the other files its pages are read with
    build: list[Result] = field(default_factory=list)  # the build's messages, as check_cmd.build gave them
    found: dict = field(default_factory=dict)  # what the project cases found (shared_findings.found)


def load(doctrees: Path) -> State | None:
    try:
        with open(doctrees / STATE_FILE, "rb") as f:
            state = pickle.load(f)
    except Exception:  # noqa: BLE001 - missing, or written by another version: build instead
        return None
    whole = isinstance(state, State) and vars(state).keys() == {f.name for f in fields(State)}
    return state if whole else None  # a state of another shape: written by another version


def save(doctrees: Path, state: State) -> None:
    doctrees.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=doctrees, delete=False, suffix=".tmp") as f:
        pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(f.name, doctrees / STATE_FILE)


def forget(doctrees: Path) -> None:
    (doctrees / STATE_FILE).unlink(missing_ok=True)


def _folder_of(name: str, folders) -> str | None:
    parts = name.split("/")
    for i in range(len(parts) - 1, 0, -1):
        folder = "/".join(parts[:i])
        if folder in folders:
            return folder
    return None


def changed_folders(state: State, now: dict[str, tuple]) -> set[str] | None:
    """The project folders whose files changed since the last check; None where anything else
    changed, or a page was added or removed."""
    folders = set()
    for name in state.files.keys() | now.keys():
        if state.files.get(name) == now.get(name):
            continue
        folder = _folder_of(name, state.folders)
        if folder is None or (name.endswith(".md") and (name not in state.files or name not in now)):
            return None
        folders.add(folder)
    return folders


# --- what the last full check leaves -------------------------------------------------------------

def context_of(app) -> dict[str, list[str]]:
    """For each project folder, the files its pages are read with: the root page, the pages holding
    needs outside any project (the policy's), and the pages above the folder's in the tables of contents."""
    from sphinx_needs.data import SphinxNeedsData

    env = app.env
    needs = SphinxNeedsData(env).get_needs_view()
    folders = project_folders(needs)
    parents: dict[str, set[str]] = {}
    for parent, children in env.toctree_includes.items():
        for child in children:
            parents.setdefault(child, set()).add(parent)
    shared = {app.config.root_doc} | {need["docname"] for need in needs.values()
                                      if need["docname"] and _folder_of(need["docname"], folders) is None}
    inside: dict[str, list[str]] = {}
    for doc in env.found_docs:
        if (folder := _folder_of(doc, folders)) is not None:
            inside.setdefault(folder, []).append(doc)
    context = {}
    for folder in folders:
        above, todo = set(), list(inside.get(folder, ()))
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in above and not parent.startswith(folder + "/"):
                    above.add(parent)
                    todo.append(parent)
        context[folder] = sorted(Path(env.doc2path(doc)).relative_to(app.srcdir).as_posix()
                                 for doc in shared | above if doc in env.found_docs)
    return context


def project_folders(needs) -> dict[str, str]:
    """Each project's folder (that of its page) -> the project's ID."""
    return {need["docname"].rsplit("/", 1)[0]: need["id"] for need in needs.values()
            if need["type"] == "project" and "/" in (need["docname"] or "")}


# --- the merge -----------------------------------------------------------------------------------

def _in(docname: str | None, folders: set[str]) -> bool:
    return bool(docname) and _folder_of(docname, folders) is not None


def _start_year(needs: dict, folder: str) -> str | None:
    return next((str(n.get("start_date") or "")[:4] for n in needs.values()
                 if n["type"] == "project" and (n.get("docname") or "").rsplit("/", 1)[0] == folder), None)


def merge(old: dict, read: dict, folders: set[str], links: dict[str, bool]) -> tuple[dict, set[str]] | None:
    """The needs of the last needs.json with the projects' needs (in `folders`) replaced by those just
    `read`, back-links and dead links as sphinx-needs works them out, and the needs elsewhere whose
    back-links changed; None where the result could differ from a clean build's. `links`: each link
    type, and whether it allows dead links."""
    if any(_start_year(old, f) != _start_year(read, f) for f in folders):
        return None  # the yearly reports' pages depend on the earliest start
    replaced = {nid for nid, need in old.items() if _in(need.get("docname"), folders)}
    if any(nid in old and nid not in replaced for nid in read):
        return None  # an ID used twice
    if any(need.get("parts") or any("." in t for name in links for t in need.get(name) or [])
           for need in read.values()):
        return None  # links to parts of needs: not worked out here
    gone, new = replaced - read.keys(), read.keys() - replaced
    for nid in gone:  # a need elsewhere links to a need no longer there
        if any(not _in(old[src].get("docname"), folders) for name in links for src in old[nid].get(f"{name}_back") or []):
            return None
    for nid, need in old.items():  # a dead link elsewhere that a new need resolves
        if need.get("has_dead_links") and nid not in replaced and any(
                t.split(".", 1)[0] in new for name in links for t in need.get(name) or []):
            return None
    needs = {nid: need for nid, need in old.items() if nid not in replaced}
    needs.update(read)
    needs = dict(sorted(needs.items()))
    # A need's back-links are the needs linking to it: only those the replaced or the read needs link to,
    # and the read needs themselves, can have others now. Each list deduplicated in ID order, as sphinx-needs'.
    linked = {t for need in (*(old[nid] for nid in replaced), *read.values()) for name in links for t in need.get(name) or []}
    touched = set()
    for nid in (linked | read.keys()) & needs.keys():
        was = old.get(nid)  # for a need read again, as the last needs.json held it
        for name in links:
            back = f"{name}_back"
            kept = {src for src in (was.get(back) or []) if src not in replaced} if was else set()
            now = sorted(kept | {src for src, need in read.items() if nid in (need.get(name) or [])})
            if nid not in read and needs[nid].get(back) != now:
                touched.add(nid)
            needs[nid][back] = now
    for nid in read:
        dead = [name for name in links for t in needs[nid].get(name) or [] if t not in needs]
        needs[nid]["has_dead_links"] = bool(dead)
        needs[nid]["has_forbidden_dead_links"] = any(not links[name] for name in dead)
    return needs, touched


# --- needs.json, read and written as sphinx-needs writes it -------------------------------------------

class _Layout(ValueError):
    """The text is not laid out as json.dumps(data, sort_keys=True) lays it out."""


def _expect(text: str, i: int, token: str) -> int:
    if not text.startswith(token, i):
        raise _Layout(i)
    return i + len(token)


def _object(text: str, i: int, path: tuple, spans: dict, scan) -> tuple[dict, int]:
    """The object at i, and where each value is written (deeper than a version's keys, by path): the
    versions, their keys and their needs are walked here; any other value json's own scanner reads."""
    i, found = _expect(text, i, "{"), {}
    while not text.startswith("}", i):
        if found:
            i = _expect(text, i, ", ")
        key, i = scanstring(text, _expect(text, i, '"'))
        start = i = _expect(text, i, ": ")
        walk = (path, key) == ((), "versions") or path == ("versions",) or (path[:1], len(path), key) == (("versions",), 2, "needs")
        found[key], i = _object(text, i, (*path, key), spans, scan) if walk else scan(text, i)
        if len(path) >= 2:
            spans[(*path, key)] = (start, i)
    return found, i + 1


def read_needs_json(text: str) -> tuple[dict, dict[tuple, tuple[int, int]]]:
    """A needs.json's data, and where each version's values and needs are written in it."""
    spans: dict = {}
    data, end = _object(text, 0, (), spans, json.JSONDecoder().scan_once)
    if end != len(text):
        raise _Layout(end)
    return data, spans


def needs_json_text(text: str, spans: dict, version: str, needs: dict, changed: set[str]) -> str:
    """The text json.dumps(data, sort_keys=True) gives once the version's needs are `needs` (in ID
    order), each need not `changed` copied from the old text: only what changed is encoded again."""
    place = ("versions", version)
    written = ", ".join(f"{json.dumps(nid)}: " + (text[slice(*spans[(*place, "needs", nid)])]
                                                  if nid not in changed and (*place, "needs", nid) in spans
                                                  else json.dumps(need, sort_keys=True))
                        for nid, need in needs.items())
    (start, end), (amount_start, amount_end) = spans[(*place, "needs")], spans[(*place, "needs_amount")]
    return f"{text[:start]}{{{written}}}{text[end:amount_start]}{len(needs)}{text[amount_end:]}"


# --- the check -----------------------------------------------------------------------------------

MAX_FOLDERS = 20  # more projects changed than this: the incremental build is as quick


@dataclass
class Rechecked:
    folders: set[str]  # the project folders read again
    needs: dict  # every need, as needs.json now holds them
    build: list[Result]  # the build's messages, as a build of the whole site would give them
    again: set[str]  # the projects whose needs may have changed: their checks run again


def _projects_of(needs: dict, ids) -> set[str]:
    return {pid for nid in ids for pid in ([nid] if needs[nid]["type"] == "project" else needs[nid].get("belongs_to") or [])}


def _key(finding: Finding) -> tuple:
    return finding.file, finding.problem, finding.fix, finding.source, finding.need  # not the line: edits move it


def _inside(result: Result, folders: set[str]) -> bool:
    return _folder_of(result.findings[0].file, folders) is not None


def _read(site: Path, folders: set[str], state: State) -> tuple[dict, str, dict[str, bool]] | None:
    """The needs on the folders' pages, what the build said (its warnings, as Sphinx writes them), and
    the link types (whether each allows dead links); None where the build failed."""
    from sphinx_needs.data import SphinxNeedsData

    from dataetik.shared_findings import needs_json_text
    from dataetik.sphinx_run import run_sphinx

    include = sorted({name for folder in folders for name in state.context[folder]} | {f"{f}/**" for f in folders})
    with tempfile.TemporaryDirectory(prefix="dataetik-recheck-") as tmp:
        # The html builder, as the full check's, in a folder of its own, writing the projects' pages only: they
        # warn as the check's do (e.g. a graph), drawn in Sphinx's basic theme (its templates judge nothing and
        # take a third of the time); the yearly reports' pages are not written into the site (merge refuses a
        # changed start year).
        pages = sorted(path for folder in folders for path in (site / folder).rglob("*.md"))
        log, failure, app = run_sphinx(site, Path(tmp) / "out", Path(tmp) / "doctrees", "html",
                                       {"include_patterns": include, "dataetik_annual_reports": "",
                                        "html_theme": "basic"}, write=pages)
        if failure is not None:
            return None
        data = json.loads(needs_json_text(app))
        links = {link.name: link.allow_dead_links for link in SphinxNeedsData(app.env).get_schema().iter_link_fields()}
    needs = {nid: need for nid, need in data["versions"][data.get("current_version", "")]["needs"].items()
             if _in(need.get("docname"), folders)}
    return needs, log, links


class _SideBuild:
    """`_read` in a child process, while this one goes on (reads needs.json, the policy's words ...):
    on a machine of two cores the side build costs little more than the longer of the two."""

    def __init__(self, site: Path, folders: set[str], state: State):
        self._pid, self._fd, self._result = None, None, None
        if not hasattr(os, "fork"):  # no fork (Windows): read when asked
            self._result = lambda: _read(site, folders, state)
            return
        readable, writable = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: build, hand the result over, and leave without running the parent's cleanup
            code = 1
            try:
                os.close(readable)
                data = pickle.dumps(_read(site, folders, state), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(writable, "wb") as f:
                    f.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(writable)
        self._pid, self._fd = pid, readable

    def result(self) -> tuple[dict, str, dict[str, bool]] | None:
        if self._pid is None:
            return self._result()
        try:
            with os.fdopen(self._fd, "rb") as f:
                data = f.read()
        finally:
            _pid, status = os.waitpid(self._pid, 0)
            self._pid = None
        return pickle.loads(data) if data and status == 0 else None

    def cancel(self) -> None:
        if self._pid is not None:
            os.kill(self._pid, signal.SIGTERM)
            os.close(self._fd)
            os.waitpid(self._pid, 0)
            self._pid = None


@dataclass
class Pending:
    """A check that may not need the build: the last check's state, the project folders changed since,
    and their side build, under way."""

    site: Path
    state: State
    folders: set[str]
    side: _SideBuild | None

    def cancel(self) -> None:
        if self.side:
            self.side.cancel()

    def finish(self, out: Path, built_with: str, vocab, language: str) -> Rechecked | None:
        """The check without building the site; None where the incremental build must do it (the
        caller cancels the side build where it was not waited for)."""
        from dataetik.build_messages import parse_warnings
        from dataetik.rules import collector_paused

        state, folders = self.state, self.folders
        if (state.built_with, state.day, state.language) != (built_with, str(today()), language):
            return None
        needs_json = out / "needs.json"
        text = needs_json.read_text(encoding="utf-8")
        try:
            with collector_paused():  # parsed JSON holds no cycles: the collector would walk the needs again and again
                data, spans = read_needs_json(text)
                gc.freeze()  # ... and they are no garbage while the checks run (check_cmd.run unfreezes)
        except ValueError:
            return None  # not as sphinx-needs writes it
        current = data.get("current_version", "")
        version = data["versions"][current]
        if list(version) != ["creator", "needs", "needs_amount", "needs_schema"]:
            return None
        if not folders:
            return Rechecked(folders, version["needs"], state.build, set())
        read = self.side.result()
        if read is None:
            return None
        needs, log, links = read
        messages = [f for f in parse_warnings(log, vocab, root=str(self.site)) if _folder_of(f.file, folders)]
        said_before = Counter(_key(f) for r in state.build if _inside(r, folders) for f in r.findings)
        if Counter(_key(f) for f in messages) - said_before:
            return None  # a message the last check did not give may depend on the whole site
        merge_result = merge(version["needs"], needs, folders, links)
        if merge_result is None:
            return None
        merged, touched = merge_result
        written = needs_json.with_suffix(".json.tmp")
        written.write_text(needs_json_text(text, spans, current, merged, needs.keys() | touched), encoding="utf-8")
        os.replace(written, needs_json)
        build = [r for r in state.build if not _inside(r, folders)]
        build += [Result("build", f.location, "", (f,)) for f in messages]
        return Rechecked(folders, merged, build, _projects_of(merged, needs.keys() | touched))


def start(site: Path, doctrees: Path, out: Path, now: dict[str, tuple]) -> Pending | None:
    """Where only project folders changed since the last check (as it left them), the side build of
    those projects, started; None where the check must build."""
    state = load(doctrees)
    if state is None:
        return None
    try:
        if stat_key(out / "needs.json") != state.needs_json:
            return None  # not the needs.json the last check left
    except OSError:
        return None
    folders = changed_folders(state, now)
    if folders is None or len(folders) > MAX_FOLDERS:
        return None
    if any(f.cause for r in state.build for f in r.findings):
        return None  # an ID used twice: which of the two needs exists depends on every page
    return Pending(site, state, folders, _SideBuild(site, folders, state) if folders else None)
