"""Incremental builds that give exactly what a clean build gives (issue 13).

Sphinx reads a page again when its file changed, and writes again the pages it read. A page that
only *shows* what other pages say stays as the last build left it: a need's back-links
(sphinx-needs #354), the register, the matrix, a yearly report, a project's graph, trail and
history. This extension names those pages:

Written again (``env-get-updated``: after the changed pages are read, before any page is written)
  - the pages of needs whose resolved data changed without their page being read: a link to them
    was added or removed (their back-links), the project they belong to, their counts file;
  - the pages of needs linked either way with a need whose title, type or page changed (the link
    shows the title), and the pages naming a changed need with a role (``{need}``, ...);
  - every page showing something made from all needs (``ALL_NEEDS``), when any page was read or
    removed, or the day changed; where its module says what such a node shows (``SHOWN``: the
    traceability matrix), only when that changed;
  - every page of a project (its graph, trail, bias result and history, ``PROJECT_VIEWS``), when a
    need outside the projects (the policy's) changed, or the day did;
  - the pages showing history from git, when git's HEAD moved;
  - every page, when the site's navigation changed (a page added or removed, a page's title or table
    of contents changed: every page shows the menus), unless ``dataetik_fresh_navigation`` is off
    (``dataetik check``: the menus give no finding); and when the last build from this environment
    wrote another folder or used another builder (what it found changed, this folder never saw).

Read again (``env-get-outdated``)
  - everything, when the ``fingerprint`` changed (the policies' policy.toml files, conf.py,
    dataetik's own files, the versions of Python and of the build's packages): the words and the
    machinery a page was read with are no longer those of today;
  - the pages that gave a warning in the last build, so an incremental build says every warning a
    clean one would;
  - the pages with an ``{ifneed}`` (what they keep depends on which needs exist);
  - a page whose bias test's counts file changed (noted as a dependency of the page).

The needs are resolved (sphinx-needs' post-processing) as soon as every page is read, so the
comparison sees the back-links and the computed links; the environment pickled after that holds
resolved needs, so each build marks them unresolved again before anything reads them. The caches
computed from the needs (``policy_of``, ``result_for``, the project index) are dropped at the
start of every build, so no build uses another's. The needs are kept in the order a clean build
reads them (by page), so nothing that picks "the first" can differ.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import pickle
import platform
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging as sphinx_logging

from dataetik import model
from dataetik.site_files import EXCLUDE_PATTERNS
from dataetik.vocabulary import policy_files

logger = sphinx_logging.getLogger(__name__)
_STATE = "_dataetik_fresh"  # on the env (pickled with it): what the next build compares against
_BUILD = "_dataetik_fresh_build"  # on the app: this build's own notes
WARNED_FILE = "dataetik-warned.json"  # in the doctree folder: the pages that warned in the last build

# Nodes (module:class) whose content is made from all needs when a page is written.
ALL_NEEDS = (
    "dataetik.register:projectregister",
    "dataetik.pages:pending_block",
    "dataetik.pages:pending_inline",
    "dataetik.matrix:matrix",
    "dataetik.annual_pages:annual_part",
    "dataetik.annual_pages:annual_list",
    "dataetik.history:policychanges",
)
# Of those, the ones whose module says what they show (module:function, a digest of every word and link
# made from the needs): a page whose every node made from all needs is one of these is written again
# only where the digest changed, not whenever any page was read.
SHOWN = {
    "dataetik.matrix:matrix": "dataetik.matrix:shown",
    # Small ones: what a copy of the page's nodes resolves to, by the handler that fills them in.
    "dataetik.pages:pending_inline": "resolved by dataetik.pages:_resolve",
}
RESOLVED_BY = "resolved by "
SHOWN_KIND = "shown "  # + node name: a page's kind
# Nodes made from one project's needs and the policy's (its requirements, their texts and dates).
PROJECT_VIEWS = (
    "dataetik.citizen:projectgraph",
    "dataetik.history:projecthistory",
)
# Nodes whose content comes from git.
HISTORY = (
    "dataetik.history:projecthistory",
    "dataetik.history:policychanges",
)
# Nodes that change what the page holds when it is read, by which needs exist.
REREAD = ("dataetik.pages:conditional",)
# Nodes made from the configuration and the vocabulary alone (the fingerprint), or drawn beside
# another node when it is written: nothing to do for them.
STATIC = (
    "dataetik.matrix:matrix_box",
    "dataetik.matrix:matrix_row",
    "dataetik.matrix:matrix_entry",
    "dataetik.matrix:matrix_inline",
    "dataetik.register_export:registerdownloads",
    "dataetik.pages:scroll_region",
)
# sphinx-needs' roles that name one need (``reftarget``); its other nodes filter all needs.
_NEED_ROLES = ("NeedRef", "NeedIncoming", "NeedOutgoing", "NeedPart")
# The packages a build's output depends on, besides dataetik itself.
PACKAGES = ("sphinx", "sphinx-needs", "myst-parser", "docutils", "pydata-sphinx-theme", "sphinx-autobuild")


# --- the fingerprint: what every page is read with ----------------------------------------------

def _package_root() -> Path:
    return Path(__file__).parent


def _package_files() -> list[Path]:
    """dataetik's own files, without what is compiled from them when used (a .mo from its .po, on a
    fresh clone during the first check: the second would otherwise build from scratch again)."""
    return sorted(p for p in _package_root().rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and p.suffix not in (".pyc", ".pyo", ".mo", ".tmp"))


def fingerprint(site: Path) -> str:
    """A digest of everything besides the pages that a build's output depends on: conf.py, the
    policies' policy.toml files, dataetik's own files (code, styles, messages) and the versions of
    Python and of the build's packages. Another fingerprint: build from scratch."""
    digest = hashlib.sha256()

    def add(name: str, data: bytes) -> None:
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)

    add("python", platform.python_version().encode())
    for package in PACKAGES:
        try:
            add(package, metadata.version(package).encode())
        except metadata.PackageNotFoundError:
            add(package, b"-")
    for path in [site / "conf.py", *policy_files(site, EXCLUDE_PATTERNS)]:
        add(path.relative_to(site).as_posix(), path.read_bytes() if path.is_file() else b"")
    package = _package_root()
    for path in _package_files():
        add("dataetik/" + path.relative_to(package).as_posix(), path.read_bytes())
    return digest.hexdigest()


# --- what a need looks like to the pages that show it -------------------------------------------

@dataclass(frozen=True)
class Seen:
    """A resolved need as the pages show it."""

    docname: str
    shown: tuple  # what a link to it shows: its title, type and page
    own: bytes  # what it says itself: every field but its back-links
    digest: bytes  # everything it holds, its back-links included
    links: frozenset  # (link type, target ID) it links to
    back: frozenset  # (link type, source ID) linking to it
    project_part: bool  # a project or a part of one (the policy's needs are not)


def _link_names(env) -> list[str]:
    from sphinx_needs.data import SphinxNeedsData

    return list(SphinxNeedsData(env).get_schema().iter_link_field_names())


def _target(link: str) -> str:
    return link.split(".", 1)[0]  # a need part "R_X.1" is on the page of R_X


def seen(need, link_names: list[str], srcdir: Path) -> Seen:
    data = dict(need)
    links = frozenset((name, _target(t)) for name in link_names for t in data.get(name) or [])
    back = frozenset((name, _target(s)) for name in link_names for s in data.get(f"{name}_back") or [])
    backs = {f"{name}_back" for name in link_names}
    own = hashlib.blake2b(pickle.dumps(sorted((k, v) for k, v in data.items() if k not in backs), protocol=5),
                          digest_size=16).digest()
    digest = hashlib.blake2b(own + pickle.dumps(sorted(back), protocol=5), digest_size=16).digest()
    return Seen(data.get("docname") or "", (data.get("title"), data["type"], data.get("docname")), own, digest,
                links, back, _is_project_part(need))


def _counts_path(need, srcdir: Path) -> Path | None:
    if not need.get("counts") or not need.get("docname"):
        return None
    from dataetik.biastest import CountsError, counts_path

    try:
        return counts_path(need, srcdir)
    except CountsError:
        return None


def _counts_digest(need, srcdir: Path) -> bytes:
    """A bias test's result is computed from its counts file: the file is part of what it holds."""
    path = _counts_path(need, srcdir)
    if path is None:
        return b""
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
    except OSError:
        return b""


# --- the state kept between builds ----------------------------------------------------------------

@dataclass
class State:
    """On the env, pickled with it."""

    fingerprint: str = ""
    today: str = ""
    head: str = ""
    output: tuple = ()  # (builder, output folder) the last build wrote: what it decided was for that folder
    # page -> what its nodes make it depend on: "all", "project", "history", "reread"
    kinds: dict[str, set[str]] = field(default_factory=dict)
    # page -> IDs of the needs its roles name
    refs: dict[str, set[str]] = field(default_factory=dict)
    # pages that warned while they were read
    warned: set[str] = field(default_factory=set)
    # need ID -> its computed (dynamic) fields' values; its counts file's digest
    computed: dict[str, tuple] = field(default_factory=dict)
    counts: dict[str, bytes] = field(default_factory=dict)
    # page -> the digest of what its SHOWN nodes showed when it was last written
    shown: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Build:
    """This build's own notes, on the app."""

    state: State
    fresh: bool = False  # every page is read: nothing to compare
    read: set[str] = field(default_factory=set)
    purged: set[str] = field(default_factory=set)
    old: dict[str, Seen] = field(default_factory=dict)  # the needs of the pages read again, as they were
    old_places: dict[str, tuple] = field(default_factory=dict)  # their titles and tables of contents, as they were
    by_doc: dict[str, list[str]] | None = None
    warned_writing: set[str] = field(default_factory=set)
    writing: str = ""  # the page being resolved and written: doctree-resolved runs without env.docname
    recorder: logging.Handler | None = None


def _state(env) -> State:
    state = getattr(env, _STATE, None)
    if not isinstance(state, State):
        state = State()
        setattr(env, _STATE, state)
    return state


def _build(app: Sphinx) -> Build:
    build = getattr(app, _BUILD, None)
    if build is None:
        build = Build(_state(app.env))
        setattr(app, _BUILD, build)
    return build


# --- classes by name --------------------------------------------------------------------------

def _classes(names) -> tuple[type, ...]:
    """The classes named; one that no longer exists is left out (tests/test_incremental.py says so)."""
    found = []
    for name in names:
        module, _sep, cls = name.partition(":")
        found.append(getattr(importlib.import_module(module), cls, None))
    return tuple(c for c in found if c is not None)


def _needs_nodes() -> tuple[tuple[type, ...], tuple[type, ...]]:
    """(sphinx-needs' nodes that filter all needs, its roles naming one need)."""
    from sphinx_needs.needs import NODE_TYPES, NODE_TYPES_PRIO

    every = [*NODE_TYPES, *NODE_TYPES_PRIO]
    return (tuple(c for c in every if c.__name__ not in _NEED_ROLES),
            tuple(c for c in every if c.__name__ in _NEED_ROLES))


# --- caches that must not outlive a build --------------------------------------------------------

# Attributes of the env computed from the needs of one build.
CACHES = ("_dataetik_policy", "_dataetik_bias_results", "_dataetik_project_by_folder", "_dataetik_chain_index",
          "_dataetik_annual_reports")


def _forget(env) -> None:
    for name in CACHES:
        env.__dict__.pop(name, None)


def _unresolve(env) -> None:
    """The needs pickled after the last build resolved them: resolve them again in this one."""
    if getattr(env, "_needs_is_post_processed", False):
        env._needs_is_post_processed = False
    env.__dict__.pop("_needs_view", None)


# --- events ----------------------------------------------------------------------------------------

def _builder_inited(app: Sphinx) -> None:
    setattr(app, _BUILD, None)
    _forget(app.env)
    _unresolve(app.env)
    build = _build(app)
    build.recorder = _WarningRecorder(app)
    logging.getLogger(sphinx_logging.NAMESPACE).addHandler(build.recorder)


def _today() -> str:
    from dataetik.policy import today

    try:
        return today().isoformat()
    except ValueError:
        return ""


def _head(srcdir) -> str:
    from dataetik.history import _head

    return _head(srcdir)


def _warned_last_time(app: Sphinx) -> set[str] | None:
    """The pages that warned while written in the last build; None where that is not known."""
    path = Path(app.doctreedir) / WARNED_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return set(data.get("warned", [])) if data.get("complete") else None


def _outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    build = _build(app)
    state = build.state
    _forget(env)
    _unresolve(env)
    new_print = fingerprint(Path(app.srcdir))
    if state.fingerprint != new_print:  # what the last build noted was noted by other machinery
        state = build.state = State(fingerprint=new_print)
        setattr(env, _STATE, state)
        build.fresh = True
    _remove_pages(app, removed)
    warned = _warned_last_time(app)
    if build.fresh or not env.all_docs or warned is None:
        build.fresh = True  # read with other words or machinery, or warnings not known: read everything
        return sorted(env.found_docs)
    again = warned | state.warned | {d for d, kinds in state.kinds.items() if "reread" in kinds}
    return sorted((again | _clashing(env, added | changed)) & env.found_docs)


_ID = re.compile(r"^[ \t]*:id:[ \t]*(\S+)[ \t]*$", re.M)


def _clashing(env, docnames) -> set[str]:
    """The pages holding a need whose ID a page about to be read also declares. Of two needs with one ID,
    sphinx-needs keeps the one read first: read again, they are read in a clean build's order."""
    from sphinx_needs.data import SphinxNeedsData

    needs = SphinxNeedsData(env)._env_needs
    ids = set()
    for docname in docnames:
        try:
            ids.update(_ID.findall(Path(env.doc2path(docname)).read_text(encoding="utf-8", errors="replace")))
        except OSError:
            continue
    return {needs[i]["docname"] for i in ids if i in needs and needs[i].get("docname")} - set(docnames)


def _remove_pages(app: Sphinx, removed) -> None:
    """A clean build has no page for a removed file: nor has this one (Sphinx leaves it behind)."""
    suffix = getattr(app.builder, "out_suffix", None)
    if not suffix or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for docname in removed:
        for path in (out / f"{docname}{suffix}", *(out / "_sources").glob(f"{docname}.*.txt")):
            if out in path.parents:
                path.unlink(missing_ok=True)


def _index(app: Sphinx, env) -> dict[str, list[str]]:
    build = _build(app)
    if build.by_doc is None:
        from sphinx_needs.data import SphinxNeedsData

        by_doc: dict[str, list[str]] = {}
        for need_id, need in SphinxNeedsData(env)._env_needs.items():
            by_doc.setdefault(need.get("docname") or "", []).append(need_id)
        build.by_doc = by_doc
    return build.by_doc


def _purge(app: Sphinx, env, docname: str) -> None:
    """Before sphinx-needs forgets a page's needs (priority 500): note them as they were."""
    build = _build(app)
    if docname in build.purged:
        return  # forgotten before the pages were read (_before_read): noted then
    state = build.state
    state.kinds.pop(docname, None)
    state.refs.pop(docname, None)
    state.shown.pop(docname, None)
    state.warned.discard(docname)
    build.purged.add(docname)
    if build.fresh:
        return
    build.old_places[docname] = _place(env, docname)
    from sphinx_needs.data import SphinxNeedsData

    needs = SphinxNeedsData(env)._env_needs
    names = _link_names(env)
    for need_id in _index(app, env).get(docname, []):
        if need_id in needs:
            build.old[need_id] = seen(needs[need_id], names, Path(app.srcdir))


def _place(env, docname: str) -> tuple:
    """A page's place in the site's navigation: its title and the pages its tables of contents hold."""
    title = env.titles.get(docname)
    return (title.astext() if title is not None else None, tuple(env.toctree_includes.get(docname, ())))


def _before_read(app: Sphinx, env, docnames: list[str]) -> None:
    build = _build(app)
    build.read = set(docnames)
    # Every page about to be read forgets its needs first, as in a parallel build; Sphinx's serial reading
    # forgets each just before reading it, so a need's ID another page about to be read also declares
    # would still be taken, where a clean build would keep the one read first.
    for docname in docnames:
        app.events.emit("env-purge-doc", env, docname)
        env.clear_doc(docname)
    if env.found_docs and build.read >= env.found_docs:
        build.fresh = True


def _doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """What the page shows, by its nodes; its bias tests' counts files as its dependencies."""
    from sphinx_needs.data import SphinxNeedsData
    from sphinx_needs.nodes import Need

    env = app.env
    docname = env.docname
    state = _build(app).state
    kinds: set[str] = set()
    filters, roles = _needs_nodes()
    project_views = _classes(PROJECT_VIEWS)
    groups = (("all", _classes(n for n in ALL_NEEDS if n not in SHOWN)), ("project", project_views),
              ("history", _classes(HISTORY)), ("reread", _classes(REREAD)),
              *((SHOWN_KIND + name, _classes([name])) for name in SHOWN))
    refs: set[str] = set()
    needs = SphinxNeedsData(env)._env_needs
    for node in doctree.findall(nodes.Element):
        for kind, classes in groups:
            if isinstance(node, classes):
                kinds.add(kind)
        # A needflow of a project's graph shows that project's chain, not all needs.
        if isinstance(node, filters) and not _inside(node, project_views):
            kinds.add("all")
        if isinstance(node, roles) and node.get("reftarget"):
            refs.add(_target(str(node["reftarget"])))
        if isinstance(node, Need) and node["ids"]:
            need = needs.get(node["ids"][0])
            if need is None:
                continue
            if _is_project_part(need):
                kinds.add("project")
            path = _counts_path(need, Path(app.srcdir))
            if path is not None:
                env.note_dependency(path)
    if kinds:
        state.kinds[docname] = kinds
    if refs:
        state.refs[docname] = refs


def _inside(node: nodes.Node, classes: tuple[type, ...]) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, classes):
            return True
        parent = parent.parent
    return False


def _merge(app: Sphinx, env, docnames, other) -> None:
    """With -j, each reader's notes come back to the main process."""
    state, theirs = _build(app).state, _state(other)
    for docname in docnames:
        if docname in theirs.kinds:
            state.kinds[docname] = theirs.kinds[docname]
        if docname in theirs.refs:
            state.refs[docname] = theirs.refs[docname]
        if docname in theirs.warned:
            state.warned.add(docname)


def _in_reading_order(env) -> None:
    """The needs in the order a clean build reads them: by page (sorted), then as they stand on it."""
    from sphinx_needs.data import SphinxNeedsData

    needs = SphinxNeedsData(env)._env_needs
    ordered = sorted(needs.items(), key=lambda item: (bool(item[1].get("docname")), item[1].get("docname") or ""))
    needs.clear()
    needs.update(ordered)


def _computed(need) -> tuple:
    """A need's values computed from other needs (its dynamic fields)."""
    names = sorted(getattr(need, "_dynamic_fields", None) or ())
    return tuple((name, repr(need[name])) for name in names)


@dataclass
class Changes:
    """What changed in the needs, by comparing them before and after the pages were read."""

    needs: set[str] = field(default_factory=set)  # their resolved data (back-links and computed values too)
    shown: set[str] = field(default_factory=set)  # what a link to them shows: title, type, page
    policy: bool = False  # a need outside the projects (the policy's) changed what it says


def compare(old: dict[str, Seen], new: dict[str, Seen]) -> Changes:
    """The needs of the pages read again, as they were and as they are."""
    changes = Changes()
    for need_id in old.keys() | new.keys():
        before, after = old.get(need_id), new.get(need_id)
        if before is None or after is None or before.digest != after.digest:
            changes.needs.add(need_id)
        if before is None or after is None or before.shown != after.shown:
            changes.shown.add(need_id)
        if (before is None or after is None or before.own != after.own) and not all(
                s.project_part for s in (before, after) if s is not None):
            changes.policy = True
        for _name, target in (before.links if before else frozenset()) ^ (after.links if after else frozenset()):
            changes.needs.add(target)  # its back-links changed
    return changes


def compare_computed(old: dict, new: dict, needs, changes: Changes) -> None:
    """Values computed from other needs (the project a part belongs to) or from a file (counts) may
    change on a page not read again."""
    for need_id in old.keys() | new.keys():
        if old.get(need_id) != new.get(need_id):
            changes.needs.add(need_id)
            need = needs.get(need_id)
            changes.policy |= need is not None and not _is_project_part(need)


def linked_pages(changes: Changes, old: dict[str, Seen], new: dict[str, Seen], page_of) -> set[str]:
    """The pages of the needs changed, and of the needs linked either way with one whose title,
    type or page changed (a link shows them)."""
    pages = {page_of(need_id) for need_id in changes.needs}
    for need_id in changes.shown:
        for s in (old.get(need_id), new.get(need_id)):
            if s is not None:
                pages.update(page_of(other) for _name, other in s.links | s.back)
    return pages


def _updated(app: Sphinx, env) -> list[str]:
    """The pages to write again, though not read again."""
    from sphinx_needs.data import SphinxNeedsData

    build = _build(app)
    state = build.state
    _in_reading_order(env)
    needs = SphinxNeedsData(env).get_needs_view()  # resolved now: back-links and computed links
    srcdir = Path(app.srcdir)
    # What changed outside the pages: the day (requirements come into force), git's HEAD (history).
    today, head = _today(), _head(srcdir)
    day_changed, head_changed = today != state.today, head != state.head
    state.today, state.head = today, head
    old_computed, old_counts = state.computed, state.counts
    state.computed = {i: value for i, n in needs.items() if (value := _computed(n))}
    # A counts file that changed had its page read again (a dependency): the others' digests stand.
    state.counts = {i: old_counts[i] if i in old_counts and n.get("docname") not in build.read
                    else _counts_digest(n, srcdir) for i, n in needs.items() if n.get("counts")}
    output, state.output = state.output, (app.builder.name, str(app.outdir))
    shown_changed = _shown(app, state)
    if build.fresh:
        return []
    if output != state.output:  # another builder or folder shares the environment: its pages know nothing
        logger.verbose("dataetik.freshness: the last build wrote %s: every page is written again", output)
        return sorted(env.found_docs - build.read)
    names = _link_names(env)
    new = {i: seen(n, names, srcdir) for i, n in needs.items() if n.get("docname") in build.read}
    changes = compare(build.old, new)
    compare_computed(old_computed, state.computed, needs, changes)
    compare_computed(old_counts, state.counts, needs, changes)

    def page_of(need_id: str) -> str | None:
        need = needs.get(need_id)
        return need.get("docname") if need is not None else None

    docs = linked_pages(changes, build.old, new, page_of)
    docs.update(d for d, ids in state.refs.items() if ids & changes.needs)
    anything = bool(build.read or build.purged or changes.needs)
    # Every page shows the site's navigation (the theme's menus, next and previous): a page added or
    # removed, or a title or a table of contents changed, and every page is written again.
    places = {d for d in build.purged | build.read if build.old_places.get(d) != (
        _place(env, d) if d in env.found_docs else None)}
    if places and app.config.dataetik_fresh_navigation:
        docs.update(env.found_docs)
    for docname, kinds in state.kinds.items():
        if ("all" in kinds and (anything or day_changed)) or ("history" in kinds and head_changed) or (
                "project" in kinds and (changes.policy or day_changed)):
            docs.add(docname)
    docs.update(shown_changed)
    again = sorted(d for d in docs if d and d in env.found_docs and d not in build.read)
    logger.verbose("dataetik.freshness: %d needs changed (policy: %s, day: %s, git: %s, navigation: %s); written "
                   "again: %s", len(changes.needs), changes.policy, day_changed, head_changed,
                   ", ".join(sorted(places)), ", ".join(again))
    return again


def _shown(app: Sphinx, state: State) -> set[str]:
    """The pages whose SHOWN nodes show something else than when they were last written; what they show
    now is noted for the next build (every page is written in a fresh build: noted all the same)."""
    changed = set()
    for docname, kinds in sorted(state.kinds.items()):
        names = sorted(k.removeprefix(SHOWN_KIND) for k in kinds if k.startswith(SHOWN_KIND))
        if not names:
            continue
        digest = b"".join(_digest(app, docname, name) for name in names)
        if state.shown.get(docname) != digest:
            changed.add(docname)
        state.shown[docname] = digest
    return changed


def _digest(app: Sphinx, docname: str, name: str) -> bytes:
    how = SHOWN[name]
    if not how.startswith(RESOLVED_BY):
        return _function(how)(app)
    from docutils.utils import new_document

    doctree = app.env.get_doctree(docname)
    holder = new_document(docname, doctree.settings)
    holder += nodes.paragraph("", "", *(n.deepcopy() for n in doctree.findall(_classes([name])[0])))
    _function(how.removeprefix(RESOLVED_BY))(app, holder, docname)
    return hashlib.blake2b(holder.pformat().encode(), digest_size=16).digest()


def _function(name: str):
    module, _sep, function = name.partition(":")
    return getattr(importlib.import_module(module), function)


def _is_project_part(need) -> bool:
    return need["type"] in model.PROJECT_PARTS or need["type"] == "project"


# --- warnings: a page that warned is read again next time --------------------------------------------

class _WarningRecorder(logging.Handler):
    """Notes the page being read or written when a warning is logged."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__(logging.WARNING)
        self.app = app

    def emit(self, record: logging.LogRecord) -> None:
        from sphinx.util.build_phase import BuildPhase

        if getattr(record, "_dataetik_noted", False):
            return  # Sphinx holds warnings back while it reads and writes, and logs them again after
        record._dataetik_noted = True
        env, build = self.app.env, _build(self.app)
        docname = env.current_document.docname if env is not None else ""
        if self.app.phase == BuildPhase.READING:
            if docname:
                build.state.warned.add(docname)
        elif self.app.phase in (BuildPhase.RESOLVING, BuildPhase.WRITING):
            if docname or build.writing:
                build.warned_writing.add(docname or build.writing)


def _resolving(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    _build(app).writing = docname


def _pages_written(app: Sphinx) -> list:
    """Every page is written (the html builder's finish begins): what warns now is no page's."""
    _build(app).writing = ""
    return []


def _finished(app: Sphinx, exception) -> None:
    build = _build(app)
    if build.recorder is not None:
        logging.getLogger(sphinx_logging.NAMESPACE).removeHandler(build.recorder)
    path = Path(app.doctreedir) / WARNED_FILE
    data = {"complete": exception is None, "warned": sorted(build.warned_writing)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=0), encoding="utf-8")
    except OSError:
        pass
    setattr(app, _BUILD, None)


def setup(app: Sphinx) -> dict:
    # False where the pages' menus need not be current (dataetik check: no finding comes from them), so
    # adding a project does not write every page again.
    app.add_config_value("dataetik_fresh_navigation", True, "", types=[bool])
    app.connect("builder-inited", _builder_inited, priority=100)
    app.connect("env-get-outdated", _outdated)
    # Before sphinx-needs (500) forgets the page's needs.
    app.connect("env-purge-doc", _purge, priority=100)
    # After every other handler has added the pages it wants read.
    app.connect("env-before-read-docs", _before_read, priority=900)
    app.connect("doctree-read", _doctree_read)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-updated", _updated)
    app.connect("doctree-resolved", _resolving, priority=1)
    app.connect("html-collect-pages", _pages_written, priority=1)
    app.connect("build-finished", _finished, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
