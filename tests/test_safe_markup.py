"""No author markup reaches the public site (issue 11, dataetik/safe_markup.py).

One strict build of a fixture site whose pages each hold one hostile input (raw HTML, raw blocks,
files outside the page's folder, script addresses, code run through a substitution): each must be
a warning at its file and line saying what was refused, the strict build must fail, and nothing of
it may reach the built site – no markup, no link, no byte of a file outside the folder (a secret
beside the site, the site's own .git/config). A second site holds the controls, legitimate text
that looks suspicious, and one refusal on the project page: `dataetik check` must list exactly that
one, with file, line and project, and show the controls as written.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from docutils import nodes
from docutils.utils import new_document

from dataetik import safe_markup as sm
from dataetik.i18n import translated
from sitebuild import REPO, build, copy_site

SECRET = "OUTSIDE-SECRET-7f3a"  # in a file beside the fixture site
GIT_SECRET = "GIT-CONFIG-SECRET-91c2"  # in the fixture site's .git/config
TOOL_SECRET = "TOOL-SECRET-44d0"  # in a folder of the site's tools (excluded from the site)
SECRETS = (SECRET, GIT_SECRET, TOOL_SECRET)
OUTSIDE = "../../../secret.txt"  # the secret file, as seen from projects/demo/<page>.md


@dataclass(frozen=True)
class Hostile:
    key: str
    text: str                    # the whole page (its first line a heading, unless it has front matter)
    marker: str                  # text on the line the warning must name
    says: str                    # the msgid (safe_markup.M_...) the warning must say
    forbidden: tuple[str, ...]   # regexes that must not match the page's HTML
    folder: str = "projects/demo"

    @property
    def file(self) -> str:
        return f"{self.folder}/h_{self.key}.md"

    @property
    def line(self) -> int:
        return next(n for n, line in enumerate(self.text.splitlines(), 1) if self.marker in line)


def page(key, body, marker, says, *forbidden, folder="projects/demo") -> Hostile:
    return Hostile(key, f"# Side\n\n{body}\n", marker, says, forbidden, folder)


RUN = "__import__('sys').stderr.write('RAN-' + 'CODE-{}') or True"  # what a filter would print, were it run
CONSIDERATION = """:::{{consideration}} Overvejelse x" URL="javascript:alert(21)" y="
:id: C_DEMO_{key}
:addresses: R_FORMAAL
:date: 2025-02-01

Første linje.

{body}
:::"""

HOSTILE = [
    # raw HTML, where an author writes it
    page("script", "<script>alert('x1')</script>", "<script>", sm.M_HTML, r"<script>alert"),
    page("iframe", '<iframe src="https://evil.example/x2"></iframe>', "<iframe", sm.M_HTML, r"<iframe"),
    page("onerror", 'Tekst <img src=x onerror="alert(3)"> her.', "onerror", sm.M_HTML, r"<img[^>]*onerror"),
    page("style", "<style>body { display: none }</style>", "<style>", sm.M_HTML, r"<style>body"),
    page("in_need", CONSIDERATION.format(key="HTML", body='Med <b onmouseover="alert(5)">fed</b> tekst.'),
         "onmouseover", sm.M_HTML, r"<b onmouseover"),
    page("raw", "```{raw} html\n<script>alert('x6')</script>\n```", "{raw}", sm.M_RAW, r"<script>alert"),
    page("raw_file", f"```{{raw}} html\n:file: {OUTSIDE}\n```", "{raw}", sm.M_RAW_FILE),
    page("raw_rst", "```{eval-rst}\n.. raw:: html\n\n   <script>alert('x7')</script>\n```", ".. raw::",
         sm.M_RAW, r"<script>alert"),
    page("raw_role", "```{eval-rst}\n.. role:: h(raw)\n   :format: html\n\nTekst :h:`<i onclick=alert(8)>x</i>`\n```",
         "Tekst :h:", sm.M_HTML, r"<i onclick"),
    page("meta_rst", "```{eval-rst}\n.. meta::\n   :http-equiv=refresh: 0; url=https://evil.example\n```", ".. meta::",
         sm.M_META, r"http-equiv=\"refresh\""),
    Hostile("meta_page", '---\nmyst:\n  html_meta:\n    "http-equiv=refresh": "0; url=https://evil.example"\n---\n'
            "# Side\n\nTekst.\n", "---", sm.M_META, (r"http-equiv=\"refresh\"",)),
    Hostile("substitution", "---\nmyst:\n  enable_extensions: [colon_fence, substitution]\n---\n# Side\n\n"
            "Tekst {{ env.srcdir.parent.joinpath('secret.txt').read_text() }} her.\n", "{{", sm.M_SUBSTITUTION, ()),
    # files outside the project's folder (the secret beside the site; the site's .git)
    page("include", f"```{{include}} {OUTSIDE}\n```", "{include}", sm.M_OUTSIDE_PROJECT),
    page("include_git", "```{include} ../../.git/config\n```", "{include}", sm.M_OUTSIDE_PROJECT),
    page("include_rst", f"```{{eval-rst}}\n.. include:: {OUTSIDE}\n```", ".. include::", sm.M_OUTSIDE_PROJECT),
    page("literalinclude", f"```{{literalinclude}} {OUTSIDE}\n```", "{literalinclude}", sm.M_OUTSIDE_PROJECT),
    page("literalinclude_abs", "```{literalinclude} /etc/hostname\n```", "{literalinclude}", sm.M_ABSOLUTE),
    page("literalinclude_diff", f"```{{literalinclude}} data.csv\n:diff: {OUTSIDE}\n```", "{literalinclude}",
         sm.M_OUTSIDE_PROJECT),
    page("csv_file", f"```{{csv-table}} Tabel\n:file: {OUTSIDE}\n```", "{csv-table}", sm.M_OUTSIDE_PROJECT),
    page("csv_url", "```{csv-table} Tabel\n:url: https://example.invalid/x.csv\n```", "{csv-table}",
         sm.M_REMOTE_FILE),
    page("image", f"![Hemmelig]({OUTSIDE})", "![", sm.M_OUTSIDE_PROJECT, r"<img[^>]*secret"),
    page("image_symlink", "```{figure} genvej.png\nFigur\n```", "{figure}", sm.M_OUTSIDE_PROJECT,
         r"<img[^>]*genvej"),
    page("image_git_symlink", "![Git](git-genvej.png)", "![", sm.M_OUTSIDE_PROJECT, r"<img[^>]*git-genvej"),
    page("image_remote", "![Sporing](https://tracker.example/p.png)", "![", sm.M_REMOTE_IMAGE, r"tracker\.example"),
    page("image_data", "![Data](data:image/png;base64,iVBORw0KGgo=)", "![", sm.M_SCHEME, r"src=\"data:"),
    page("download", f"{{download}}`Hent <{OUTSIDE}>`", "{download}", sm.M_OUTSIDE_PROJECT, r"_downloads/"),
    page("file_link", "[Konfiguration](../../.git/config)", "[Konfiguration]", sm.M_OUTSIDE_PROJECT, r"_downloads/"),
    page("graphviz_file", f"```{{graphviz}} {OUTSIDE}\n```", "{graphviz}", sm.M_OUTSIDE_PROJECT),
    page("graphviz_url", '```{graphviz}\ndigraph { a [URL="javascript:alert(9)"] }\n```', "{graphviz}", sm.M_DIAGRAM,
         r"class=\"graphviz"),
    page("needimport", f"```{{needimport}} {OUTSIDE}\n```", "{needimport}", sm.M_OUTSIDE_PROJECT),
    page("docs_include", "```{include} ../.git/config\n```", "{include}", sm.M_OUTSIDE_SITE, folder="docs"),
    page("docs_tool_folder", "```{literalinclude} ../scripts/token.txt\n```", "{literalinclude}", sm.M_OUTSIDE_SITE,
         folder="docs"),
    page("docs_image", "![Hemmelig](../../secret.txt)", "![", sm.M_OUTSIDE_SITE, r"<img[^>]*secret", folder="docs"),
    # addresses a browser would run
    page("js_link", "[Klik](javascript:alert(10))", "[Klik]", sm.M_SCHEME, r"href=\"javascript"),
    page("js_case", "[Klik](JaVaScRiPt:alert(11))", "[Klik]", sm.M_SCHEME, r"href=\"javascript"),
    page("js_entity", "[Klik](&#106;avascript&#58;alert(12))", "[Klik]", sm.M_SCHEME, r"href=\"[^\"]*avascript"),
    page("js_autolink", "<javascript:alert(13)>", "<javascript", sm.M_SCHEME, r"href=\"javascript"),
    page("vbscript", "[Klik](vbscript:msgbox(14))", "[Klik]", sm.M_SCHEME, r"href=\"vbscript"),
    page("data_link", "[Klik](data:text/html;base64,PHNjcmlwdD4=)", "[Klik]", sm.M_SCHEME, r"href=\"data:"),
    page("js_rst", "```{eval-rst}\nSe `her <javascript:alert(15)>`_.\n```", "Se `her", sm.M_SCHEME,
         r"href=\"javascript"),
    page("js_image_target", "```{image} data.png\n:target: javascript:alert(23)\n```", "{image}", sm.M_SCHEME,
         r"href=\"javascript"),
    page("js_toctree", "```{toctree}\nOnd <javascript://%0aalert(16)>\n```", "{toctree}", sm.M_SCHEME,
         r"href=\"javascript"),
    page("math_href", r"Formel {math}`\href{javascript:alert(17)}{x}`.", "{math}", sm.M_MATH, r"class=\"math"),
    # sphinx-needs' filters and functions, which are Python run while the site is built, on a project's page
    page("needtable", f"```{{needtable}}\n:filter: {RUN.format('needtable')}\n```", "{needtable}", sm.M_NEEDS_QUERY,
         r"<table"),
    page("needextend", f"```{{needextend}} {RUN.format('needextend')}\n:status: stoppet\n```", "{needextend}",
         sm.M_NEEDS_QUERY),
    page("needflow", "```{needflow}\n:filter-func: dataetik.citizen.project_chain(PRJ_DEMO)\n```", "{needflow}",
         sm.M_NEEDS_QUERY, r"<img|<svg"),
    page("need_count", f"Antal: {{need_count}}`{RUN.format('need_count')}`.", "{need_count}", sm.M_NEEDS_ROLE),
    page("ndf", f"Kopi: {{ndf}}`copy('id', filter=\"{RUN.format('ndf')}\")`.", "{ndf}", sm.M_NEEDS_ROLE),
    page("field_function", CONSIDERATION.replace(":date: 2025-02-01", ":date: 2025-02-01\n:status: [[copy('id', filter="
                                                 f"\"{RUN.format('field')}\")]]").format(key="FUNCTION", body="Tekst."),
         ":status:", sm.M_NEEDS_FUNCTION),
]


def _prefix(msgid: str) -> str:
    """The message's words before its first placeholder, as the build says them."""
    return translated(msgid).split("{")[0]


_WARNING = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+): WARNING: (?P<msg>.*)$", re.M)


def _warnings(stderr: str) -> list[tuple[str, int, str]]:
    return [(m["file"], int(m["line"]), m["msg"]) for m in _WARNING.finditer(stderr)]


def _plant_secrets(site: Path) -> None:
    (site.parent / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (site / ".git").mkdir()
    (site / ".git" / "config").write_text(f"[remote]\n  token = {GIT_SECRET}\n", encoding="utf-8")
    (site / "scripts").mkdir()
    (site / "scripts" / "token.txt").write_text(TOOL_SECRET + "\n", encoding="utf-8")
    demo = site / "projects" / "demo"
    (demo / "data.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (demo / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    os.symlink(site.parent / "secret.txt", demo / "genvej.png")  # a symlink leaving the project
    os.symlink(site / ".git" / "config", demo / "git-genvej.png")  # ... and one into the site's .git


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    site = copy_site("tiny", tmp_path_factory.mktemp("markup") / "site", {
        "index.md": ("```{toctree}\n", "```{toctree}\n:glob:\n\nprojects/demo/h_*\ndocs/h_*\ndocs/liste\n"),
        "projects/demo/index.md": (":legal_basis: GDPR art. 6, stk. 1, litra e",
                                   ":legal_basis: <script>alert('felt')</script> javascript:alert(18)"),
    })
    text = (site / "projects/demo/index.md").read_text(encoding="utf-8")
    (site / "projects/demo/index.md").write_text(
        text.replace(":::{project} Demo", ":::{project} Demo <img src=x onerror=alert(19)> **fed**", 1),
        encoding="utf-8")
    _plant_secrets(site)
    (site / "docs").mkdir(exist_ok=True)
    (site / "docs/liste.md").write_text('# Krav\n\n```{needtable}\n:filter: type == "requirement"\n```\n',
                                        encoding="utf-8")
    for case in HOSTILE:
        path = site / case.file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(case.text, encoding="utf-8")
    built = build(site, builder="html", strict=True)
    return built, site / "_build" / "html", _warnings(built.warnings)


def test_the_strict_build_fails(hostile):
    built, _out, _warnings = hostile
    assert built.returncode != 0


@pytest.mark.parametrize("case", HOSTILE, ids=lambda c: c.key)
def test_hostile_input_is_refused_at_its_line_and_kept_off_the_site(hostile, case):
    _built, out, warnings = hostile
    said = [(line, msg) for file, line, msg in warnings if file == case.file and "[dataetik.markup]" in msg]
    assert said, f"no refusal for {case.file}:\n" + "\n".join(m for f, _l, m in warnings if f == case.file)
    assert (case.line, True) in {(line, _prefix(case.says) in msg) for line, msg in said}, said
    html = (out / case.file).with_suffix(".html").read_text(encoding="utf-8")
    for pattern in case.forbidden:
        assert not re.search(pattern, html), f"{pattern!r} in the page's HTML"


def test_nothing_of_a_file_outside_reaches_any_built_file(hostile):
    _built, out, _warnings = hostile
    leaked = [path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()
              and any(secret.encode() in path.read_bytes() for secret in SECRETS)]
    assert not leaked
    assert not [p.name for folder in ("_images", "_downloads") for p in (out / folder).rglob("*")
                if p.name in ("secret.txt", "config", "genvej.png", "git-genvej.png")]
    # A need's title in the project graph (an SVG readers open on its own) is no attribute of it.
    assert not [p.name for p in (out / "_images").glob("*.svg") if re.search(rb'href="\s*javascript', p.read_bytes())]


def test_no_filter_or_function_an_author_wrote_was_run(hostile):
    built, _out, _warnings = hostile
    assert "RAN-CODE" not in built.warnings  # a filter run writes to the build's stderr


def test_the_policys_pages_may_still_list_needs_with_a_filter(hostile):
    _built, out, warnings = hostile
    assert not [w for w in warnings if w[0] == "docs/liste.md"]
    html = (out / "docs/liste.html").read_text(encoding="utf-8")
    assert "<table" in html and "R_FORMAAL" in html


def test_need_titles_and_fields_are_escaped_not_refused(hostile):
    """sphinx-needs escapes a need's title and fields: shown as written, never markup or a link."""
    _built, out, warnings = hostile
    html = (out / "projects/demo/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;felt&#x27;)&lt;/script&gt;" in html or "&lt;script&gt;alert('felt')" in html
    assert "&lt;img src=x onerror=alert(19)&gt;" in html
    assert not re.search(r"<script>alert|<img src=x|href=\"javascript", html)
    assert not [w for w in warnings if w[0] == "projects/demo/index.md"]


def test_the_last_look_refuses_a_generated_script_address(caplog):
    """After every generator (need cards, the citizen box): a link or image with such an address,
    whoever made it, is refused too."""
    doctree = new_document("generated")
    doctree += nodes.paragraph("", "", nodes.reference("", "Kontakt", refuri="javascript:alert(22)"),
                               nodes.image(uri="data:image/svg+xml;base64,PHN2Zz4=", alt="Logo"))
    sm.inspect_resolved(None, doctree, "projects/demo/index")
    assert not [n for n in doctree.findall(nodes.reference)] + [n for n in doctree.findall(nodes.image)]
    assert doctree.astext() == "KontaktLogo"
    assert sum(_prefix(sm.M_SCHEME) in r.getMessage() for r in caplog.records) == 2


# --- the rules alone -------------------------------------------------------------------------------

@pytest.mark.parametrize("address, scheme", [
    ("javascript:alert(1)", "javascript"), ("JaVaScRiPt:alert(1)", "javascript"),
    (" \x01javascript:alert(1)", "javascript"), ("java\tscript:alert(1)", "javascript"),
    ("java\nscript:alert(1)", "javascript"), ("&#106;avascript&#58;alert(1)", "javascript"),
    ("&#x6A;avascript:alert(1)", "javascript"), ("&amp;#106;avascript:alert(1)", "javascript"),
    ("VBScript:msgbox", "vbscript"), ("data:text/html;base64,PHNjcmlwdD4=", "data"),
    ("https://example.org/javascript:x", None), ("mailto:kontakt@example.dk", None), ("side.md#javascript:", None),
    ("javascript%3Aalert(1)", None),  # no scheme to a browser: a relative address
])
def test_refused_scheme(address, scheme):
    assert sm.refused_scheme(address) == scheme


@pytest.mark.parametrize("markup, note", [
    ("<!-- note -->", True), ("<!-- a -->\n  <!-- b -->\n", True), ("<!---->", True),
    ("<!-- a --> <b>x</b>", False), ("<!-- a --><script>", False), ("<b>x</b>", False), ("<!-- open", False),
])
def test_only_comments(markup, note):
    assert sm.only_comments(markup) is note


@pytest.mark.parametrize("docname, folder", [
    ("projects/demo/index", "projects/demo"), ("projects/demo/sub/page", "projects/demo"),
    ("projects/index", ""), ("docs/guide", ""), ("index", ""),
])
def test_allowed_folder(docname, folder):
    assert sm.allowed_folder(docname) == folder


@pytest.mark.parametrize("target, reason", [
    ("pic.png", None), ("sub/../pic.png", None), ("under/pic.png", None),
    ("../other/pic.png", "outside"), ("%2E%2E/%2E%2E/.git/config", "outside"), (".hidden/pic.png", "outside"),
    ("link.png", "outside"), ("link.*", "outside"),  # a symlink leaving the project, also found by a wildcard
    ("<isonum.txt>", "outside"), ("pic\0.png", "outside"),
    ("/projects/demo/pic.png", "absolute"), ("C:\\pic.png", "absolute"),
    ("https://example.org/pic.png", "remote"), ("file:///etc/passwd", "remote"),
])
def test_path_refusal(tmp_path, target, reason):
    demo = tmp_path / "site" / "projects" / "demo"
    (demo / "under").mkdir(parents=True)
    os.symlink(tmp_path / "secret.txt", demo / "link.png")
    assert sm.path_refusal(target, "projects/demo/index", tmp_path / "site", lambda path: False) == reason


# --- controls and `dataetik check` ---------------------------------------------------------------

COUNTS = "attribute,group,actual,predicted,count\nkøn,kvinde,,1,4000\nkøn,mand,,1,4100\n"
REFUSED_ON_PROJECT_PAGE = "Og så <img src=x onerror=alert(20)> midt i teksten."

CONTROLS = {  # key: (Markdown on the controls page, regex the page's HTML must match)
    "code_block": ("```html\n<script>alert('kode')</script>\n```", r"&lt;(</span>)?<span[^>]*>script.{0,300}kode"),
    "inline_code": ("Skriv ikke `<b>` i teksten.", r"<code[^>]*>.*&lt;b&gt;"),
    "https_link": ("[Datatilsynet](https://www.datatilsynet.dk/)", r"href=\"https://www\.datatilsynet\.dk/\""),
    "mailto_link": ("[Skriv til os](mailto:kontakt@example.dk)", r"href=\"mailto:[^\"]+\">Skriv til os"),
    "image": ("![Diagram over data](diagram.png)", r"<img[^>]*src=\"[^\"]*_images/diagram\.png\""),
    "figure_below": ("```{figure} billeder/figur.png\nFigurtekst\n```", r"_images/figur\.png"),
    "download": ("{download}`Hent tallene <tal.csv>`", r"_downloads/[0-9a-f]+/tal\.csv"),
    "include": ("```{include} stykke.md\n```", r"Et <em>inkluderet</em> stykke"),
    "literalinclude": ("```{literalinclude} tal.csv\n```", r"attribute.{0,80}group"),
    "csv_table": ("```{csv-table} Tal\n:file: tal.csv\n:header-rows: 1\n```", r"<th[^>]*><p>attribute</p>"),
    "comment": ("<!-- NOTE-7c1: ring til afdelingen -->\n\nTekst efter noten.", r"Tekst efter noten"),
    "inline_comment": ("Før <!-- NOTE-7c1 --> efter.", r"Før\s+efter"),
    "line_break": ("Første linje\\\nanden linje", r"Første linje<br />"),
    "prose_scheme": ("Ordet javascript: er et programmeringssprog, og data: er bare et ord.", r"javascript: er"),
}


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    site = copy_site("tiny", tmp_path_factory.mktemp("markup") / "controls", {
        "index.md": ("projects/demo/index", "projects/demo/index\nprojects/demo/kontroller"),
        "projects/demo/index.md": ("Et lille demoprojekt.", "Et lille demoprojekt.\n\n" + REFUSED_ON_PROJECT_PAGE),
        # The mailto: control's address is the organisation's published contact, not a private person's.
        "policy/policy.toml": ("", '\n[contact]\nname = "Borgerservice"\nemail = "kontakt@example.dk"\n'),
    })
    demo = site / "projects" / "demo"
    (demo / "billeder").mkdir()
    for image in (demo / "diagram.png", demo / "billeder" / "figur.png"):
        image.write_bytes(b"\x89PNG\r\n\x1a\n")
    (demo / "tal.csv").write_text(COUNTS, encoding="utf-8")  # aggregated counts: fine to publish
    (demo / "stykke.md").write_text("Et *inkluderet* stykke.\n", encoding="utf-8")
    body = "\n\n".join(f"## {key}\n\n{text}" for key, (text, _html) in CONTROLS.items())
    (demo / "kontroller.md").write_text(f"# Kontroller\n\n{body}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "DATAETIK_TODAY": "2026-11-26"}
    proc = subprocess.run([sys.executable, "-m", "dataetik.cli", "check", "--site", str(site)], capture_output=True,
                          text=True, env=env, cwd=site)
    return site, proc


def test_check_lists_the_refusal_with_file_line_and_project(checked):
    site, proc = checked
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = (site / "projects/demo/index.md").read_text(encoding="utf-8").splitlines()
    line = lines.index(REFUSED_ON_PROJECT_PAGE) + 1
    block = re.search(rf"PRJ_DEMO\b.*?\n\s+projects/demo/index\.md:{line}\n(?P<said>.*?)\n\S", proc.stdout + "\nX",
                      re.S)
    assert block, proc.stdout
    assert _prefix(sm.M_HTML) in block["said"]


def test_controls_are_shown_as_written_without_a_finding(checked):
    site, proc = checked
    assert "kontroller.md" not in proc.stdout, proc.stdout
    html = (site / "_build" / "check" / "projects" / "demo" / "kontroller.html").read_text(encoding="utf-8")
    missing = [key for key, (_text, pattern) in CONTROLS.items() if not re.search(pattern, html, re.S)]
    assert not missing, missing
    assert "NOTE-7c1" not in html  # an author's note is not published
