"""Nothing an author writes may put markup, outside files or script addresses on the public site (issue 11).

Every refusal is a Sphinx warning (type ``dataetik.markup``) at the file and line, in the policy's
language, saying what was refused and how to write it instead: it fails a strict build (``make html``,
``make test``) and is a finding of ``dataetik check``. What is refused is shown as plain text, never
dropped without a word, never published as markup.

- **Raw HTML** (Markdown HTML blocks and inline HTML, ``{raw}`` / ``.. raw::``, raw roles): shown as
  code. An HTML comment is an author's note, like MyST's ``%`` comments: not published, no warning.
- **Files an author names** (``include``, ``literalinclude``, ``csv-table :file:``, ``graphviz``,
  ``needimport``, images, figures, downloads and links to local files) must be in the page's own
  project folder (``projects/<slug>/`` and below) or, for other pages, in the site's folder outside
  hidden and excluded folders (.git, .venv, _build, the tools). Paths are resolved as Sphinx
  resolves them and then to their real path, so neither ``..``, an absolute path nor a symlink
  leaves the folder. Directives are checked before they read the file; images and downloads at
  ``doctree-read`` before Sphinx's collectors register them for copying. Nothing is fetched from
  the internet while the site is built, and images come from the site itself (a remote image
  would tell another website who reads the page).
- **Addresses a browser would run** (``javascript:``, ``vbscript:``, ``data:``; in any case, with
  entities, tabs or leading spaces): links, autolinks, images, toctree entries, link commands in
  formulas and diagrams. Markdown already leaves such a link as text; it is reported here.
- **Code run at build time through the page**: a MyST substitution that is not one of the site's
  names (Jinja2 evaluates an expression with the Sphinx environment in reach); HTML meta tags set by
  a page (a refresh tag sends readers elsewhere). On a project's pages also sphinx-needs' queries
  (``needtable``, ``needflow``, ``needextend``, ``if`` … and the ``need_count`` and ``ndf`` roles) and
  a ``[[function(...)]]`` in a need's field: their filters are Python run with ``eval`` (or a function
  imported by name) on the build machine. The policy's own pages may list needs this way.

Need titles and fields need nothing here: sphinx-needs escapes them (tests/test_safe_markup.py).
Machinery that adds a raw node before this extension looks (doctree-read, priority 50) marks it
``node["dataetik_trusted"] = True``; raw nodes added later (at doctree-resolved) are never looked at.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import glob
import html
import os
import posixpath
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.i18n import search_image_for_language
from sphinx.util.matching import Matcher

from dataetik.findings import how_to_fix
from dataetik.i18n import N_, translated
from dataetik.needs_data import option_line
from dataetik.site_files import SKIP_DIRS

logger = logging.getLogger(__name__)

PROJECTS = "projects"  # projects/<slug>/: one project's folder (as `dataetik new` writes it)
REFUSED_SCHEMES = ("javascript", "vbscript", "data")
SNIPPET = 60  # characters of refused markup quoted in a message

# --- the rules: small pure functions ------------------------------------------------------------

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_IGNORED_BY_BROWSERS = "".join(map(chr, range(0x21)))  # leading spaces and control characters


def refused_scheme(address: str) -> str | None:
    """The scheme of an address a browser would run or read as a document ('javascript', 'vbscript',
    'data'), else None. Entities, case, tabs and newlines (which browsers drop inside a scheme) and
    leading spaces do not hide it."""
    text = address
    for _round in range(3):  # &amp;#106; is &#106; is j
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    text = re.sub(r"[\t\n\r]", "", text).lstrip(_IGNORED_BY_BROWSERS)
    match = _SCHEME.match(text)
    scheme = match.group(1).lower() if match else ""
    return scheme if scheme in REFUSED_SCHEMES else None


_COMMENTS_ONLY = re.compile(r"\s*(?:<!--(?:(?!-->).)*-->\s*)+", re.S)


def only_comments(markup: str) -> bool:
    """HTML that is nothing but comments (<!-- note -->): an author's note, not published."""
    return bool(_COMMENTS_ONLY.fullmatch(markup))


# What MyST itself writes as raw HTML/LaTeX (a hard line break, strikethrough, a task list's box):
# fixed, harmless strings. An author's HTML never becomes a raw node (the renderer below refuses it).
_MYST_OWN = {("html", "<br />\n"), ("latex", "\\\\\n"), ("html", "<s>"), ("html", "</s>")}
_CHECKBOX = re.compile(r'<input class="task-list-item-checkbox" (?:checked="checked" )?(?:disabled="disabled" )?'
                       r'type="checkbox">')


def machine_made(raw: nodes.raw) -> bool:
    """A raw node MyST or dataetik's machinery wrote, not an author."""
    if raw.get("dataetik_trusted"):
        return True
    fmt, text = raw.get("format", ""), raw.astext()
    return (fmt, text) in _MYST_OWN or (fmt == "html" and bool(_CHECKBOX.fullmatch(text)))


def allowed_folder(docname: str) -> str:
    """The folder (relative to the site; '' is the whole site) a page may take files from: a project
    page its project's folder, any other page the site's."""
    parts = docname.split("/")
    return posixpath.join(*parts[:2]) if len(parts) >= 3 and parts[0] == PROJECTS else ""


_REMOTE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.\-]+:|//)")  # a scheme (not a drive letter) or //host
_ABSOLUTE = re.compile(r"^(?:[/\\~]|[A-Za-z]:[/\\])")


def path_refusal(target: str, docname: str, srcdir: Path, excluded: Callable[[str], bool],
                 variants: Iterable[str] = ()) -> str | None:
    """Why a page may not use the file it names ('remote', 'absolute', 'outside'), or None.

    Resolved as Sphinx resolves it (relative to the page), then to its real path: both must stay
    in the page's folder and outside hidden and excluded folders. `variants` are other names Sphinx
    may read instead (an image's language variant); a wildcard is checked for every file it finds."""
    target = target.strip()
    if (target.startswith("<") and target.endswith(">")) or "\0" in target:  # docutils' own include files
        return "outside"
    if _REMOTE.match(target):
        return "remote"
    if _ABSOLUTE.match(target):
        return "absolute"
    site = Path(os.path.abspath(srcdir))
    root = site / allowed_folder(docname)
    page_folder = site / posixpath.dirname(docname)
    names = {target, unquote(target), *variants}
    paths = {os.path.normpath(page_folder / name) for name in names}
    for pattern in [p for p in paths if glob.has_magic(p)]:
        paths |= set(glob.glob(pattern))
    return "outside" if any(not _confined(Path(p), root, site, excluded) for p in paths) else None


def _confined(path: Path, root: Path, site: Path, excluded: Callable[[str], bool]) -> bool:
    """The path, as written and as it really is (symlinks followed), is in root and in no hidden or
    excluded folder of the site."""
    real_site = Path(os.path.realpath(site))
    for candidate, base, folder in ((path, site, root), (Path(os.path.realpath(path)), real_site,
                                                          Path(os.path.realpath(root)))):
        if not _inside(candidate, folder):
            return False
        parts = candidate.relative_to(base).parts
        if any(p.startswith(".") or p in SKIP_DIRS or excluded("/".join(parts[:i + 1])) for i, p in enumerate(parts)):
            return False
    return True


def _inside(path: Path, folder: Path) -> bool:
    return os.path.commonpath([path, folder]) == str(folder)


# Graphviz attributes that name a file or an address (a link in the SVG, an image read from disk).
_DOT_ADDRESSES = re.compile(r"\b(?:\w*url|\w*href|image\w*|shapefile|stylesheet|fontpath|src)\s*=", re.I)
# TeX commands MathJax turns into links, HTML attributes or loaded code.
_MATH_MARKUP = re.compile(r"\\(?:href|url|class|cssId|style|require|html\w*|data)(?![A-Za-z])")
# A Markdown link, reference or autolink markdown-it refused for its scheme, left in the text.
_REFUSED_LINK = re.compile(r"(?:\]\(\s*<?|\]:[ ]*<?|<)[ ]*(((?:java|vb)script|data)[ ]*:[^\s>]*)", re.I)


def refused_links_in_text(text: str) -> list[tuple[str, str]]:
    """(scheme, address) of each Markdown link in the text that was not made for its scheme."""
    found = []
    for match in _REFUSED_LINK.finditer(re.sub(r"[\t\n\r]", "", text)):
        address = match.group(1)
        while address.count(")") > address.count("("):  # the link's closing bracket
            address = address[:-1]
        found.append((match.group(2).lower(), address))
    return found


# --- messages ----------------------------------------------------------------------------------

M_HTML = N_("HTML code is not shown on the site, so '{html}' is shown as plain text.")
F_HTML = N_("Write it in Markdown instead: **bold**, *italics*, [link text](https://...), a list with '-'. If you "
            "want to show the code itself, put it in a code block between two lines of ```.")
M_RAW = N_("A '{directive}' block would put code straight on the site, which is not allowed; its content is shown "
           "as plain text.")
M_RAW_FILE = N_("A '{directive}' block would put a file straight on the site, which is not allowed; the file is not "
                "read.")
F_RAW = N_("Remove the '{directive}' block and write the text in Markdown.")
M_OUTSIDE_PROJECT = N_("'{path}' ({what}) is not in the project's folder {folder}, so it is not read and not put "
                       "on the site.")
F_OUTSIDE_PROJECT = N_("Save a copy of the file in {folder} (or a folder in it) and write its name as seen from the "
                       "page, e.g. '{example}'.")
M_OUTSIDE_SITE = N_("'{path}' ({what}) is outside the site's own folders, or in a hidden folder or a folder of the "
                    "tools (such as .git or _build), so it is not read and not put on the site.")
F_OUTSIDE_SITE = N_("Save a copy of the file in the page's folder and write its name as seen from the page, e.g. "
                    "'{example}'.")
M_ABSOLUTE = N_("'{path}' ({what}) is an absolute path, which is not allowed: a file is named as seen from the "
                "page.")
F_ABSOLUTE = N_("Write the file's name as seen from the page, e.g. '{example}' for a file in the page's folder.")
M_REMOTE_FILE = N_("'{path}' ({what}) is an address on the internet; the site does not fetch files from the "
                   "internet while it is built.")
M_REMOTE_IMAGE = N_("The image '{path}' is fetched from another website, which would tell that website who reads "
                    "the page; the site only shows its own images.")
F_REMOTE = N_("Download the file, save it in the page's folder and write its name instead, e.g. '{example}'.")
M_SCHEME = N_("The address '{address}' is not allowed: a '{scheme}:' address can run a program or hide content "
              "in the reader's browser. It is shown as plain text.")
F_SCHEME = N_("Link to a web page (https://...) or an e-mail address (mailto:...) instead; an image must be a file "
              "in the page's folder.")
M_DIAGRAM = N_("The diagram names a file or an address ({attribute}), which could put a link or a file from "
               "elsewhere on the site; the diagram is not drawn.")
F_DIAGRAM = N_("Remove {attribute} from the diagram; write a link in the text beside it instead.")
M_MATH = N_("The formula uses '{command}', which can put links or code on the site; it is shown as plain text.")
F_MATH = N_("Remove '{command}' from the formula; write a link in the text beside it instead.")
M_SUBSTITUTION = N_("'{text}' is not one of the site's substitutions, so it is shown as plain text (an expression "
                    "between {start} and {end} could run a program while the site is built).")
F_SUBSTITUTION = N_("Use a substitution by its name alone ({names}), or write the text itself.")
F_NO_SUBSTITUTIONS = N_("Write the text itself: the site has no substitutions.")
M_NEEDS_QUERY = N_("A '{directive}' block is not allowed on a project's page: its filters are run as program code "
                   "when the site is built. It is shown as plain text.")
F_NEEDS_QUERY = N_("Remove the block and refer to a need by its ID instead, e.g. {need}`R_FORMAAL`; lists of needs "
                   "belong on the policy's pages.")
M_NEEDS_ROLE = N_("'{role}' is not allowed on a project's page: its filter is run as program code when the site is "
                  "built. It is shown as plain text.")
F_NEEDS_ROLE = N_("Write the number or the text itself, or refer to a need by its ID, e.g. {need}`R_FORMAAL`.")
M_NEEDS_FUNCTION = N_("The field '{field}' holds '{text}', a function that would be run as program code when the site "
                      "is built; the field is left out.")
F_NEEDS_FUNCTION = N_("Write the field's value itself, without [[ ]].")
M_META = N_("The page sets HTML meta tags ({what}), which can send readers to another website; they are not put "
            "on the site.")
F_META = N_("Remove {what} from the page.")
WHAT_IMAGE = N_("image")
WHAT_DOWNLOAD = N_("file to download")

_PATH_MESSAGES = {"absolute": (M_ABSOLUTE, F_ABSOLUTE), "remote": (M_REMOTE_FILE, F_REMOTE)}


def _warn(problem: str, fix: str, location) -> None:
    """One refusal: what was refused and how to write it instead, at its file and line."""
    logger.warning(f"{problem} {how_to_fix()} {fix}", location=location, type="dataetik", subtype="markup")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[:SNIPPET - 1] + "…"


def _refuse_path(reason: str, path: str, what: str, docname: str, location) -> None:
    folder = allowed_folder(docname)
    example = posixpath.basename(path.strip().rstrip("/\\>")) or "fil.csv"
    if reason == "remote" and what == translated(WHAT_IMAGE):
        problem, fix = M_REMOTE_IMAGE, F_REMOTE
    elif reason in _PATH_MESSAGES:
        problem, fix = _PATH_MESSAGES[reason]
    elif folder:
        problem, fix = M_OUTSIDE_PROJECT, F_OUTSIDE_PROJECT
    else:
        problem, fix = M_OUTSIDE_SITE, F_OUTSIDE_SITE
    values = {"path": _short(path), "what": what, "folder": folder + "/", "example": example}
    _warn(translated(problem).format(**values), translated(fix).format(**values), location)


def _excluded(env) -> Callable[[str], bool]:
    return _matcher(tuple(env.config.exclude_patterns))


@functools.cache
def _matcher(patterns: tuple[str, ...]) -> Matcher:
    return Matcher(patterns)


def _where(directive: Directive) -> str:
    """A directive's 'file:line' (docutils' own directives have no get_location)."""
    source, line = directive.state_machine.get_source_and_line(directive.lineno)
    return f"{source}:{line}" if line else str(source)


def _path_check(directive: Directive, target: str, what: str, variants: Iterable[str] = ()) -> bool:
    """True when the directive may read the file; else the refusal is said at the directive's line."""
    env = directive.state.document.settings.env
    docname = env.current_document.docname
    reason = path_refusal(target, docname, Path(env.srcdir), _excluded(env), variants)
    if reason:
        _refuse_path(reason, target, what, docname, _where(directive))
    return reason is None


# --- directives that read files, checked before they read ---------------------------------------

class RefusedRaw(SphinxDirective):
    """`raw`: never; its content shown as code, a file or an address it names never read."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {"file": directives.unchanged, "url": directives.unchanged, "encoding": directives.unchanged,
                   "class": directives.class_option}

    def run(self) -> list[nodes.Node]:
        reads = "file" in self.options or "url" in self.options
        _warn(translated(M_RAW_FILE if reads else M_RAW).format(directive=self.name),
              translated(F_RAW).format(directive=self.name), self.get_location())
        text = "\n".join(self.content)
        return [nodes.literal_block(text, text)] if text else []


class RefusedMeta(SphinxDirective):
    """`meta`: HTML meta tags from a page (a refresh tag would send readers elsewhere)."""

    has_content = True
    option_spec = None  # every option is a tag's name

    def run(self) -> list[nodes.Node]:
        _warn(translated(M_META).format(what=self.name), translated(F_META).format(what=self.name),
              self.get_location())
        return []


def _include_options() -> dict:
    from sphinx.directives.other import Include

    # MyST's own options for a Markdown include (it adds them only to docutils' Include class).
    return {**Include.option_spec, "relative-images": directives.flag, "relative-docs": directives.path,
            "heading-offset": directives.nonnegative_int}


class ConfinedInclude(SphinxDirective):
    """`include`, checked before the file is read, then included as MyST (a Markdown page) or Sphinx
    (rST in eval-rst) includes it. Not a subclass of docutils' Include: MyST would run its own
    include in its place, without asking."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = False
    option_spec = _include_options()

    def run(self) -> list[nodes.Node]:
        if not _path_check(self, self.arguments[0], self.name):
            return []
        from myst_parser.mocking import MockIncludeDirective, MockState
        from sphinx.directives.other import Include

        if isinstance(self.state, MockState):
            return MockIncludeDirective(self.state._renderer, self.name, Include, self.arguments, self.options,
                                        list(self.content), self.lineno).run()
        return Include(self.name, self.arguments, self.options, self.content, self.lineno, self.content_offset,
                       self.block_text, self.state, self.state_machine).run()


def _confined_literalinclude():
    from sphinx.directives.code import LiteralInclude

    class ConfinedLiteralInclude(LiteralInclude):
        def run(self) -> list[nodes.Node]:
            files = [self.arguments[0], *([self.options["diff"]] if "diff" in self.options else [])]
            return super().run() if all(_path_check(self, f, self.name) for f in files) else []

    return ConfinedLiteralInclude


def _confined_csv_table():
    from sphinx.directives.patches import CSVTable

    class ConfinedCSVTable(CSVTable):
        def run(self) -> list[nodes.Node]:
            if "url" in self.options:
                env = self.state.document.settings.env
                _refuse_path("remote", self.options["url"], f"{self.name} :url:", env.current_document.docname,
                             _where(self))
                return []
            if "file" in self.options and not _path_check(self, self.options["file"], f"{self.name} :file:"):
                return []
            return super().run()

    return ConfinedCSVTable


def _dot_refused(directive: SphinxDirective, code: str) -> bool:
    """A diagram whose dot code names a file or an address is not drawn (said at its line)."""
    match = _DOT_ADDRESSES.search(code)
    if match:
        attribute = match.group(0).rstrip("= ").strip()
        _warn(translated(M_DIAGRAM).format(attribute=attribute), translated(F_DIAGRAM).format(attribute=attribute),
              directive.get_location())
    return bool(match)


def _confined_graphviz():
    from sphinx.ext.graphviz import Graphviz, GraphvizSimple

    class ConfinedGraphviz(Graphviz):
        def run(self) -> list[nodes.Node]:
            code = "\n".join(self.content)
            if self.arguments:
                variant = search_image_for_language(self.arguments[0], self.env)
                if not _path_check(self, self.arguments[0], self.name, [variant]):
                    return []
                try:  # the file's dot code is checked like written code, once it is known to be confined
                    code = Path(self.env.relfn2path(variant)[1]).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    code = ""  # Sphinx says why it cannot be read
            return [] if _dot_refused(self, code) else super().run()

    class ConfinedGraphvizSimple(GraphvizSimple):
        def run(self) -> list[nodes.Node]:
            return [] if _dot_refused(self, "\n".join(self.content)) else super().run()

    return ConfinedGraphviz, ConfinedGraphvizSimple


def _confined_needimport():
    from sphinx_needs.config import NeedsSphinxConfig
    from sphinx_needs.directives.needimport import NeedimportDirective

    class ConfinedNeedimport(NeedimportDirective):
        def run(self):
            keys = NeedsSphinxConfig(self.config).import_keys  # the site's own configuration: trusted
            if self.arguments[0] not in keys and not _path_check(self, self.arguments[0], self.name):
                return []
            return super().run()

    return ConfinedNeedimport


# --- sphinx-needs' queries, on a project's pages --------------------------------------------------

# Their filters and expressions are Python run with eval() while the site is built (`filter-func`
# imports a function by name), so they could run any program on the build machine. The policy's
# editors may use them on the policy's pages; an assessment is written by case workers and analysts.
NEEDS_QUERIES = ("needtable", "needlist", "needflow", "needpie", "needbar", "needsequence", "needgantt",
                 "needextract", "needextend", "needservice", "needreport", "needuml", "needarch", "needimport",
                 "needfilter", "if", "choose", "when", "otherwise")
NEEDS_QUERY_ROLES = ("need_count", "ndf")


_MACHINERY = contextvars.ContextVar("dataetik_machinery_markup", default=False)


@contextlib.contextmanager
def machinery_markup():
    """Markup dataetik's own machinery parses on a project's page (its graph's needflow): not the author's."""
    token = _MACHINERY.set(True)
    try:
        yield
    finally:
        _MACHINERY.reset(token)


def _on_project_page(env) -> bool:
    """An author's markup on a project's page (not the machinery's)."""
    return bool(allowed_folder(env.current_document.docname)) and not _MACHINERY.get()


def _refused_on_project_pages(directive_class):
    class ProjectRefused(directive_class):
        def run(self):
            if not _on_project_page(self.state.document.settings.env):
                return super().run()
            _warn(translated(M_NEEDS_QUERY).format(directive=self.name), translated(F_NEEDS_QUERY), _where(self))
            text = self.block_text or "\n".join(self.content)
            return [nodes.literal_block(text, text)]

    ProjectRefused.__name__ = f"ProjectRefused{directive_class.__name__}"
    return ProjectRefused


def _without_functions_on_project_pages(directive_class):
    """A need type's directive that leaves out, on a project's page, a field holding a [[function]]."""
    class ProjectNeed(directive_class):
        def run(self):
            if _on_project_page(self.env):
                source, line = self.get_source_info()
                for field, value in list(self.options.items()):
                    if isinstance(value, str) and "[[" in value:
                        at = option_line(self.block_text.splitlines(), 1, field) - 1  # below the directive
                        _warn(translated(M_NEEDS_FUNCTION).format(field=field, text=_short(value)),
                              translated(F_NEEDS_FUNCTION), f"{source}:{line + at}")
                        del self.options[field]
            return super().run()

    ProjectNeed.__name__ = f"ProjectNeed{directive_class.__name__}"
    return ProjectNeed


def _refused_role_on_project_pages(original):
    def role(name, rawtext, text, lineno, inliner, options=None, content=None):
        env = inliner.document.settings.env
        if not _on_project_page(env):
            return original(name, rawtext, text, lineno, inliner, options or {}, content or [])
        source, line = inliner.reporter.get_source_and_line(lineno)
        _warn(translated(M_NEEDS_ROLE).format(role=_short(rawtext)), translated(F_NEEDS_ROLE), f"{source}:{line}")
        return [nodes.literal(rawtext, rawtext)], []

    return role


def _guard_needs_queries(app: Sphinx) -> None:
    from docutils.parsers.rst import roles
    from sphinx_needs.config import NeedsSphinxConfig

    registered = directives._directives  # what the names mean now, confined versions included
    for name in NEEDS_QUERIES:
        if name in registered:
            app.add_directive(name, _refused_on_project_pages(registered[name]), override=True)
    for need_type in NeedsSphinxConfig(app.config).types:
        name = need_type["directive"]
        if name in registered:
            app.add_directive(name, _without_functions_on_project_pages(registered[name]), override=True)
    for name in NEEDS_QUERY_ROLES:
        if name in roles._roles:
            app.add_role(name, _refused_role_on_project_pages(roles._roles[name]), override=True)


def _override_directives(app: Sphinx) -> None:
    """After every extension has registered its directives (builder-inited), put the confined ones
    in their place; a directive of an extension the site does not load is left alone."""
    app.add_directive("raw", RefusedRaw, override=True)
    app.add_directive("meta", RefusedMeta, override=True)
    app.add_directive("include", ConfinedInclude, override=True)
    app.add_directive("literalinclude", _confined_literalinclude(), override=True)
    app.add_directive("csv-table", _confined_csv_table(), override=True)
    if "sphinx.ext.graphviz" in app.extensions:
        graphviz, simple = _confined_graphviz()
        app.add_directive("graphviz", graphviz, override=True)
        app.add_directive("graph", simple, override=True)
        app.add_directive("digraph", simple, override=True)
    if "sphinx_needs" in app.extensions:
        app.add_directive("needimport", _confined_needimport(), override=True)
        _guard_needs_queries(app)


# --- the Markdown parser: HTML, substitutions and meta tags, where MyST reads them ---------------

def _safe_parser():
    """MyST's parser with a renderer that refuses HTML and substitution expressions where it meets
    them (with the token's line), and without meta tags set by a page's front matter."""
    from myst_parser.config.main import TopmatterReadError, merge_file_level, read_topmatter
    from myst_parser.mdit_to_docutils.base import token_line
    from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer
    from myst_parser.parsers.mdit import create_md_parser
    from myst_parser.parsers.sphinx_ import MystParser
    from myst_parser.warnings_ import create_warning

    class SafeRenderer(SphinxRenderer):
        def render_html_block(self, token) -> None:
            self._refuse_html(token, block=True)

        def render_html_inline(self, token) -> None:
            self._refuse_html(token, block=False)

        def _refuse_html(self, token, block: bool) -> None:
            markup = token.content
            if only_comments(markup):
                return  # an author's note, as a % comment: not published
            _warn(translated(M_HTML).format(html=_short(markup)), translated(F_HTML), self._where(token))
            text = markup.rstrip("\n")
            node = nodes.literal_block(text, text, language="html") if block else nodes.literal(text, text)
            self.add_line_and_source_path(node, token)
            self.current_node.append(node)

        def _where(self, token) -> str:
            # The file being rendered: an included file while MyST includes it.
            return f"{self.document['source']}:{token_line(token)}"

        def render_substitution(self, token, inline: bool) -> None:
            names = sorted(self.md_config.substitutions)
            if token.content.strip() in names:
                return super().render_substitution(token, inline)
            start, end = self.md_config.sub_delimiters
            text = f"{start * 2}{token.content}{end * 2}"
            listed = ", ".join(f"{start * 2} {n} {end * 2}" for n in names)
            _warn(translated(M_SUBSTITUTION).format(text=_short(text), start=start * 2, end=end * 2),
                  translated(F_SUBSTITUTION).format(names=listed) if names else translated(F_NO_SUBSTITUTIONS),
                  self._where(token))
            node = nodes.literal(text, text) if inline else nodes.literal_block(text, text)
            self.current_node.append(node)

    class SafeMystParser(MystParser):
        def parse(self, inputstring: str, document: nodes.document) -> None:
            # MyST's own parse (myst_parser.parsers.sphinx_), with the safe renderer.
            config = document.settings.env.myst_config
            try:
                topmatter = read_topmatter(inputstring)
            except TopmatterReadError:
                pass  # MyST reports it during the render
            else:
                if topmatter:
                    warning = lambda wtype, msg: create_warning(  # noqa: E731
                        document, msg, wtype, line=1, append_to=document)
                    config = _no_page_meta(merge_file_level(config, topmatter, warning), config, document)
            parser = create_md_parser(config, SafeRenderer)
            parser.options["document"] = document
            parser.render(inputstring)

    return SafeMystParser


def _no_page_meta(page_config, site_config, document: nodes.document):
    """The site's meta tags (conf.py) only: a page's front matter may not add its own."""
    if page_config.html_meta != site_config.html_meta:
        what = "html_meta"
        _warn(translated(M_META).format(what=what), translated(F_META).format(what=what),
              (document.settings.env.current_document.docname, 1))
        page_config.html_meta = site_config.html_meta
    return page_config


# --- the doctree as read: what any syntax made, before Sphinx copies a file ----------------------

def _location(node: nodes.Node, docname: str) -> tuple[str, int | None]:
    """The page and the line of the node, or of the nearest enclosing node that has one."""
    while node is not None and not node.line:
        node = node.parent
    return docname, node.line if node is not None else None


def _inline_context(node: nodes.Node) -> bool:
    return isinstance(node.parent, nodes.TextElement)


def _as_text(node: nodes.Node, text: str) -> None:
    """Replace a refused node by its text, shown as code (inline or as a block, as it stood)."""
    if _inline_context(node):
        node.replace_self(nodes.literal(text, text))
    else:
        node.replace_self(nodes.paragraph("", "", nodes.literal(text, text)))


def _check_raw(node: nodes.raw, docname: str) -> None:
    if machine_made(node):
        return
    markup = node.astext()
    if only_comments(markup):
        node.parent.remove(node)
        return
    _warn(translated(M_HTML).format(html=_short(markup)), translated(F_HTML), _location(node, docname))
    if _inline_context(node):
        node.replace_self(nodes.literal(markup, markup))
    else:
        node.replace_self(nodes.literal_block(markup, markup, language="html"))


def _refuse_scheme(node: nodes.Node, address: str, scheme: str, docname: str) -> None:
    _warn(translated(M_SCHEME).format(address=_short(address), scheme=scheme), translated(F_SCHEME),
          _location(node, docname))


def _check_image(app: Sphinx, node: nodes.image, docname: str) -> None:
    uri = node.get("uri", "")
    scheme = refused_scheme(uri)
    if scheme:
        _refuse_scheme(node, uri, scheme, docname)
        _as_text(node, node.get("alt") or _short(uri))
        return
    variants = [search_image_for_language(uri, app.env)] if not _REMOTE.match(uri) else []
    reason = path_refusal(uri, docname, Path(app.srcdir), _excluded(app.env), variants)
    if reason:
        _refuse_path(reason, uri, translated(WHAT_IMAGE), docname, _location(node, docname))
        _as_text(node, node.get("alt") or _short(uri))


def _check_download(app: Sphinx, node: addnodes.download_reference, docname: str) -> None:
    target = node.get("reftarget", "")
    scheme = refused_scheme(target)
    if scheme:
        _refuse_scheme(node, target, scheme, docname)
    elif "://" in target:
        return  # Sphinx makes it an ordinary link to the address
    else:
        reason = path_refusal(target, docname, Path(app.srcdir), _excluded(app.env))
        if not reason:
            return
        _refuse_path(reason, target, translated(WHAT_DOWNLOAD), docname, _location(node, docname))
    node.replace_self(nodes.inline("", "", *node.children))


def _check_links(doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(nodes.reference)):
        scheme = refused_scheme(node.get("refuri", ""))
        if scheme:
            _refuse_scheme(node, node["refuri"], scheme, docname)
            node.replace_self(nodes.inline("", "", *node.children))
    for node in list(doctree.findall(addnodes.pending_xref)):  # MyST: a link with a scheme it does not know
        scheme = refused_scheme(node.get("reftarget", "")) if node.get("reftype") == "myst" else None
        if scheme:
            _refuse_scheme(node, node["reftarget"], scheme, docname)
            node.replace_self(nodes.inline("", "", *node.children))
    for node in doctree.findall(addnodes.toctree):
        kept = []
        for title, ref in node["entries"]:
            scheme = refused_scheme(ref or "")
            if scheme:
                _refuse_scheme(node, ref, scheme, docname)
            else:
                kept.append((title, ref))
        node["entries"] = kept


_NOT_PROSE = (nodes.FixedTextElement, nodes.literal, nodes.raw, nodes.comment, nodes.math, nodes.system_message)


def _check_text(doctree: nodes.document, docname: str) -> None:
    """Markdown links markdown-it did not make for their scheme stand as text: say so."""
    for text in doctree.findall(nodes.Text):
        found = refused_links_in_text(text.astext())
        if found and not any(isinstance(a, _NOT_PROSE) for a in _ancestors(text)):
            for scheme, address in found:
                _refuse_scheme(text.parent, address, scheme, docname)


def _ancestors(node: nodes.Node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def _check_math(doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block)))):
        match = _MATH_MARKUP.search(node.astext())
        if match:
            _warn(translated(M_MATH).format(command=match.group(0)), translated(F_MATH).format(command=match.group(0)),
                  _location(node, docname))
            text = node.astext()
            node.replace_self(nodes.literal(text, text) if _inline_context(node) else nodes.literal_block(text, text))


def inspect_read(app: Sphinx, doctree: nodes.document) -> None:
    """Everything the page's syntax made, before Sphinx's collectors (doctree-read, 500) register
    images and downloads for copying."""
    docname = app.env.current_document.docname
    for node in list(doctree.findall(nodes.raw)):
        _check_raw(node, docname)
    for node in list(doctree.findall(nodes.image)):
        _check_image(app, node, docname)
    for node in list(doctree.findall(addnodes.download_reference)):
        _check_download(app, node, docname)
    _check_links(doctree, docname)
    _check_math(doctree, docname)
    _check_text(doctree, docname)


def inspect_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Last look, after every generator (need cards, the citizen box, a policy's contact page): no
    address a browser would run, whoever wrote it."""
    for node in list(doctree.findall(nodes.reference)):
        scheme = refused_scheme(node.get("refuri", ""))
        if scheme:
            _refuse_scheme(node, node["refuri"], scheme, docname)
            node.replace_self(nodes.inline("", "", *node.children))
    for node in list(doctree.findall(nodes.image)):
        scheme = refused_scheme(node.get("uri", ""))
        if scheme:
            _refuse_scheme(node, node["uri"], scheme, docname)
            _as_text(node, node.get("alt") or _short(node["uri"]))


def _use_safe_parser(app: Sphinx) -> None:
    if "myst_parser" in app.extensions:
        app.add_source_parser(_safe_parser(), override=True)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _use_safe_parser)
    app.connect("builder-inited", _override_directives)
    app.connect("doctree-read", inspect_read, priority=50)
    app.connect("doctree-resolved", inspect_resolved, priority=990)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
