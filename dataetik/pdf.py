"""The annual report as a PDF, to attach to the council's case.

Two steps. The build writes each year's print version: HTML made from the same model as the
year's page (dataetik.annual), with CSS paged media for A4, page numbers and a table of contents
(``print_html``, called by dataetik.annual_pages at build-finished). ``make pdf`` then turns those
into PDF files beside the pages with WeasyPrint (pure Python on pango; no browser, no TeX):

    python -m dataetik.pdf _build/html
"""

from __future__ import annotations

import html
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from dataetik import annual
from dataetik.i18n import _, long_date, ngettext, translated

MANIFEST = "_dataetik_annual.json"


@dataclass(frozen=True)
class Context:
    """What the print version says besides the model: who made it, when, and where it lives."""

    organisation: str
    site: str
    page_url: str
    made: str                        # the date, in words
    url_of: Callable[[dict], str]    # a need -> its address
    language: str = "da"

    @classmethod
    def of_sphinx(cls, app, docname: str) -> "Context":

        base = (app.config.html_baseurl or "").rstrip("/")
        builder = app.builder

        def url_of(need: dict) -> str:
            if base:
                return f"{base}/{builder.get_target_uri(need['docname'])}#{need['id']}"
            return f"{builder.get_relative_uri(docname, need['docname'])}#{need['id']}"

        page = builder.get_target_uri(docname)
        return cls(organisation=app.config.author or "", site=app.config.project or "",
                   page_url=f"{base}/{page}" if base else page, made=long_date(annual.today()), url_of=url_of,
                   language=app.config.language or "en")


def _e(text) -> str:
    return html.escape(str(text or ""))


def _a(ctx: Context, need: dict | None, text: str | None = None) -> str:
    if not need:
        return ""
    return f'<a href="{_e(ctx.url_of(need))}">{_e(need["title"] if text is None else text)}</a>'


def _table(caption: str, headers: list[str], rows: list[list[str]], numeric: tuple[int, ...] = (),
           cls: str = "", caption_shown: bool = True) -> str:
    head = "".join(f'<th scope="col"{" class=num" if i in numeric else ""}>{_e(h)}</th>' for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td{" class=num" if i in numeric else ""}>{c}</td>' for i, c in enumerate(r))
                   + "</tr>" for r in rows)
    shown = "" if caption_shown else ' class="hidden"'
    return (f'<table class="{cls}"><caption{shown}>{_e(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _section(anchor: str, heading: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{_e(heading)}</h2>{body}</section>'


def _totals(rep: annual.YearReport) -> str:
    headers = {"status": _("Status at the end of the year"), "risk": _("Risk level"), "verdict": _("Bias test")}
    captions = {"status": _("Projects by status at the end of the year"), "risk": _("Projects by risk level"),
                "verdict": _("Projects by bias test result")}
    out = []
    for name, rows in rep.totals().items():
        show = translated if name == "verdict" else (lambda v: v or _("not stated"))
        lines = [[_e(show(v)), str(before), str(now)] for v, now, before in rows]
        lines.append([f"<strong>{_e(_('Total'))}</strong>", str(sum(r[2] for r in rows)), str(sum(r[1] for r in rows))])
        out.append(_table(captions[name], [headers[name], str(rep.year - 1), str(rep.year)], lines, (1, 2), "totals"))
    return f'<div class="totals-row">{"".join(out)}</div>'


def _list(items: list[str], empty: str) -> str:
    return f"<ul>{''.join(f'<li>{i}</li>' for i in items)}</ul>" if items else f"<p>{_e(empty)}</p>"


def _changes(rep: annual.YearReport, ctx: Context) -> str:
    out = [f"<h3>{_e(_('New in use this year'))}</h3>",
           _list([f"{_a(ctx, p.need)} " + _e(_("(from {date})").format(date=p.need.get("start_date"))) for p in rep.new],
                 _("No project was taken into use.")),
           f"<h3>{_e(_('Ended or stopped this year'))}</h3>",
           _list([f"{_a(ctx, p.need)}: {_e(p.status)} {_e(p.need.get('end_date'))}" for p in rep.finished]
                 + [f"{_a(ctx, p)}: " + _e(_("stopped {date}, before it was taken into use").format(
                     date=p.get("end_date") or "")) for p in rep.stopped_unused],
                 _("No project ended or was stopped."))]
    out.append(f"<h3>{_e(_('Approvals given this year'))}</h3>")
    if rep.approvals:
        out.append(_table(_("Approvals given in {year}").format(year=rep.year),
                          [_("Approval"), _("Project"), _("Decision"), _("Decision level"), _("Date")],
                          [[_a(ctx, a), _a(ctx, rep.project_of(a)), _e(a.get("decision")), _e(a.get("decision_level")),
                            f'<span class="nowrap">{_e(a.get("date"))}</span>'] for a in rep.approvals],
                          caption_shown=False))
    else:
        out.append(f"<p>{_e(_('No approvals were given.'))}</p>")
    return "".join(out)


def _projects(rep: annual.YearReport, ctx: Context) -> str:
    groups = rep.groups()
    if not groups:
        return f"<p>{_e(_('No project was in use this year.'))}</p>"
    out = []
    for status, projects in groups:
        rows = [[f'{_a(ctx, p.need)}<br><span class="id">{_e(p.id)}</span>', _e(p.need.get("department")), _e(p.risk),
                 f'<span class="nowrap">{_e(p.need.get("start_date"))} –</span> '
                 f'<span class="nowrap">{_e(p.need.get("end_date"))}</span>',
                 "<br>".join(_a(ctx, a) for a in p.approvals) or _e(_("none")), _e(translated(p.verdict))]
                for p in projects]
        out.append(f"<h3>{_e(status)} ({len(projects)})</h3>")
        out.append(_table(_("Projects with status {status} at the end of {year}").format(status=status, year=rep.year),
                          [_("Project"), _("Department"), _("Risk level"), _("Period"), _("Approvals this year"),
                           _("Bias test")], rows, cls="projects", caption_shown=False))
    return "".join(out)


def _stopped(rep: annual.YearReport, ctx: Context) -> str:
    pairs = [(p.need, p.stop_reason) for p in rep.stopped] + [(p, annual.stop_reason(rep.policy, p))
                                                               for p in rep.stopped_unused]
    if not pairs:
        return f"<p>{_e(_('No project was stopped this year.'))}</p>"
    intro = _("A project stopped after its data-ethical assessment is the policy at work. The reason is the "
              "decision that rejected it, as recorded in its approval.")
    out = [f"<p>{_e(intro)}</p>"]
    for project, reason in pairs:
        out.append(f'<h3>{_a(ctx, project)} <span class="id">({_e(project.get("end_date"))})</span></h3>')
        if reason:
            head = _("{approval} ({decision}, {level}, {date}):").format(
                approval=_a(ctx, reason), decision=_e(reason.get("decision")), level=_e(reason.get("decision_level")),
                date=_e(reason.get("date")))
            out.append(f"<p>{head}</p>" + "".join(f"<p>{_e(t)}</p>" for t in annual.paragraphs(reason.get("content"))))
        else:
            none = _("No rejecting decision is recorded; the project's page tells more.")
            out.append(f"<p>{_e(none)}</p>")
    return "".join(out)


def _dilemmas(rep: annual.YearReport, ctx: Context) -> str:
    asked = [r for r in (rep.policy.needs.get(i) for i in rep.policy.vocabulary.settings.get("annual_report") or []) if r]
    if not asked:
        return f"<p>{_e(_('The policy names no requirement whose answers the annual report lays open.'))}</p>"
    reqs = ", ".join(_a(ctx, r) for r in asked)
    intro = _("What each project wrote in answer to {requirements}, as its authors wrote it. The project's name leads "
              "to its whole assessment.").format(requirements=reqs)
    out = [f"<p>{intro}</p>"]
    if not rep.dilemmas:
        out.append(f"<p>{_e(_('No project in use this year has written about it yet.'))}</p>")
    for p, c in rep.dilemmas:
        out.append(f'<div class="dilemma"><h3>{_e(c["title"])}</h3>'
                   f'<p class="meta">{_e(_("Project: "))}{_a(ctx, p.need)} · {_e(c.get("date"))}</p>'
                   + "".join(f"<p>{_e(t)}</p>" for t in annual.paragraphs(c.get("content"))) + "</div>")
    return "".join(out)


CSS = """
@page {
  size: A4; margin: 22mm 20mm 24mm 22mm;
  @top-left { content: string(org); font-size: 8.5pt; color: #555; }
  @top-right { content: string(title); font-size: 8.5pt; color: #555; }
  @bottom-left { content: string(made); font-size: 8pt; color: #666; }
  @bottom-right { content: "%(page)s " counter(page) " %(of)s " counter(pages); font-size: 8.5pt; color: #333; }
}
@page :first { @top-left { content: none; } @top-right { content: none; } }
html { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.45; color: #1a1a1a; }
body { margin: 0; }
a { color: #0b4f8a; text-decoration: none; }
.cover { border-bottom: 2pt solid #0b4f8a; padding-bottom: 8mm; margin-bottom: 8mm; }
.cover .org { string-set: org content(); font-size: 11pt; font-weight: bold; color: #0b4f8a; letter-spacing: .02em; }
.cover h1 { string-set: title content(); font-family: "DejaVu Serif", serif; font-size: 26pt; margin: 14mm 0 2mm; color: #111; }
.cover .site { font-size: 12pt; color: #333; margin: 0 0 8mm; }
.cover .made { string-set: made content(); }
.cover dl { display: grid; grid-template-columns: 32mm auto; margin: 0; font-size: 9pt; }
.cover dt { color: #555; } .cover dd { margin: 0 0 1.5mm; }
.summary { font-size: 11pt; margin: 6mm 0; }
nav.toc h2 { font-size: 13pt; border: none; margin-top: 4mm; }
nav.toc ol { list-style: none; padding: 0; margin: 0; }
nav.toc li { margin: 0 0 2mm; font-size: 10.5pt; }
nav.toc a { color: #111; }
nav.toc a::after { content: leader(".") " " target-counter(attr(href), page); }
section { margin-top: 10mm; }
section#totals { break-before: page; margin-top: 0; }
section#projects { break-before: page; margin-top: 0; }
h2 { break-after: avoid; font-family: "DejaVu Serif", serif; font-size: 16pt; color: #0b4f8a; margin: 0 0 5mm;
     padding-bottom: 2mm; border-bottom: .75pt solid #b8c7d9; }
h3 { font-size: 11pt; margin: 6mm 0 2mm; break-after: avoid; }
table { width: 100%%; border-collapse: collapse; margin: 2mm 0 6mm; font-size: 8.5pt; break-inside: auto; }
caption { text-align: left; font-weight: bold; font-size: 9pt; margin-bottom: 1.5mm; color: #333; }
th { text-align: left; background: #e8eef5; border-bottom: 1pt solid #0b4f8a; padding: 1.8mm 2mm; vertical-align: bottom; }
td { border-bottom: .5pt solid #d0d7df; padding: 1.8mm 2mm; vertical-align: top; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.totals-row::after { content: ""; display: block; clear: both; }
.totals-row table { float: left; width: 31.5%%; margin-right: 2.7%%; }
.totals-row table:last-child { margin-right: 0; }
caption.hidden { display: none; }
.id { font-size: 7.5pt; color: #555; font-weight: normal; }
.nowrap { white-space: nowrap; }
.projects td:first-child { width: 28%%; }
.projects td:nth-child(6) { width: 14%%; }
.dilemma { border-left: 2pt solid #b8c7d9; padding: 0 0 0 4mm; margin: 0 0 6mm; }
.dilemma h3 { margin-top: 0; }
.dilemma .meta { color: #444; font-size: 8.5pt; }
ul { padding-left: 5mm; margin: 0 0 4mm; }
"""


def print_html(rep: annual.YearReport, ctx: Context) -> str:
    """The year's report as one HTML document for print (A4, page numbers, contents)."""
    from dataetik.annual_pages import SECTIONS, page_title

    title = page_title(rep.year)
    parts = {"totals": _totals(rep), "changes": _changes(rep, ctx), "projects": _projects(rep, ctx),
             "stopped": _stopped(rep, ctx), "dilemmas": _dilemmas(rep, ctx)}
    headings = [(part, translated(h).format(previous=rep.year - 1)) for h, part in SECTIONS]
    n = len(rep.projects)
    summary = ngettext("{count} project was in use at some time in {year}.",
                       "{count} projects were in use at some time in {year}.", n).format(count=n, year=rep.year)
    toc = "".join(f'<li><a href="#{part}">{_e(h)}</a></li>' for part, h in headings)
    body = "".join(_section(part, h, parts[part]) for part, h in headings)
    made = _("Made {date} from the projects' published assessments").format(date=ctx.made)
    css = CSS % {"page": _("Page"), "of": _("of")}
    words = {"made": _("Date"), "web": _("On the web"), "contents": _("Contents")}
    return f"""<!DOCTYPE html>
<html lang="{_e(ctx.language)}"><head><meta charset="utf-8"><title>{_e(title)} – {_e(ctx.organisation)}</title>
<meta name="author" content="{_e(ctx.organisation)}"><meta name="generator" content="dataetik">
<meta name="dcterms.created" content="{_e(annual.today().isoformat())}">
<style>{css}</style></head><body>
<header class="cover">
<div class="org">{_e(ctx.organisation)}</div>
<h1>{_e(title)}</h1>
<p class="site">{_e(ctx.site)}</p>
<dl><dt>{_e(words["made"])}</dt><dd class="made">{_e(made)}</dd>
<dt>{_e(words["web"])}</dt><dd><a href="{_e(ctx.page_url)}">{_e(ctx.page_url)}</a></dd></dl>
</header>
<p class="summary">{_e(summary)}</p>
<nav class="toc"><h2>{_e(words["contents"])}</h2><ol>{toc}</ol></nav>
{body}
</body></html>
"""


def _write_pdf(source_and_target: tuple[Path, Path]) -> Path:
    from weasyprint import HTML

    source, target = source_and_target
    HTML(filename=str(source)).write_pdf(str(target), pdf_tags=True)  # tagged: screen readers follow it
    return target


def write_pdfs(outdir: Path) -> list[Path]:
    """Every print version the build listed -> its PDF beside the page. The years are laid out side
    by side, one process per core: each takes seconds, and a year's PDF needs nothing of another's."""
    manifest = outdir / MANIFEST
    if not manifest.exists():
        return []
    pairs = [(outdir / item["html"], outdir / item["pdf"])
             for item in json.loads(manifest.read_text(encoding="utf-8"))["reports"]]
    workers = min(len(pairs), os.cpu_count() or 1)
    if workers < 2:
        return [_write_pdf(pair) for pair in pairs]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(_write_pdf, pairs))


def main(argv: list[str] | None = None) -> int:
    from dataetik import i18n, vocabulary

    i18n.use(vocabulary.declared_language(Path.cwd()) or i18n.HOME_LANGUAGE)
    args = sys.argv[1:] if argv is None else argv
    outdir = Path(args[0] if args else "_build/html")
    if not (outdir / MANIFEST).exists():
        print(_("{path} holds no annual reports: build the site first (make html), with "
                "dataetik_annual_reports set in conf.py.").format(path=outdir / MANIFEST), file=sys.stderr)
        return 0  # a site without yearly reports has no PDFs to make; that is no error
    began = time.monotonic()
    written = write_pdfs(outdir)
    for path in written:
        print(path)
    print(ngettext("{count} PDF made in {seconds} s.", "{count} PDFs made in {seconds} s.", len(written)).format(
        count=len(written), seconds=f"{time.monotonic() - began:.1f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
