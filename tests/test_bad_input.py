"""Bad input, as a careless or a hostile author writes it, in every format authors touch.

Each input must end in a clear finding: `dataetik check` (or the command the author ran) exits
non-zero, names the file and the line, says it in the policy's language, prints no traceback and
changes no file of the author's. Legitimate text that only looks suspicious must pass.

Most inputs sit side by side in one fixture site, each in a project folder of its own, and are
checked by one `dataetik check` (a build per input would take many minutes); an input that stops
everything before the build (a policy.toml that cannot be read, a page that is not UTF-8) or that
changes the policy itself gets a site of its own.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from sitebuild import BIAS_REQUIREMENT, REPO, copy_site

pytestmark = pytest.mark.slow

DEMO = (Path(__file__).parent / "sites" / "tiny" / "projects" / "demo" / "index.md").read_text(encoding="utf-8")
COUNTS = "attribute,group,actual,predicted,count\n" + "".join(
    f"køn,{g},,{p},{n}\n" for g in ("kvinde", "mand") for p, n in ((1, 4000), (0, 6000)))
BIASTEST = """
:::{{biastest}} Test for skævhed
:id: BT_{key}
:addresses: R_SKAEVHED
:date: 2025-02-01
:counts: {counts}

Svar på henvendelser, januar 2025.
:::
"""


def project(key: str, old: str = "", new: str = "", extra: str = "") -> str:
    """The tiny site's valid demo project under IDs of its own, with its bias test, and one edit."""
    text = DEMO.replace("PRJ_DEMO", f"PRJ_{key}").replace("_DEMO", f"_{key}") + (
        extra or BIASTEST.format(key=key, counts="optaelling.csv"))
    if old:
        assert old in text, f"{key}: {old!r} is not in the demo project"
        text = text.replace(old, new, 1)
    return text


@dataclass(frozen=True)
class Bad:
    key: str                       # the test's ID; also the project's ID suffix
    category: str
    files: dict[str, str | bytes]  # path in the site -> content ("+" before the path: added to its end)
    at: str                        # "file|text on the line the finding names"; "file" alone; "" for a command's arguments
    says: str                      # words of the message (case-insensitive regex)
    alone: bool = False            # needs a site of its own
    command: tuple[str, ...] = ("check",)

    @property
    def file(self) -> str:
        return self.at.split("|")[0]

    def line(self, site: Path) -> int | None:
        """The line the finding must name: the first line of the file (as written) holding the marker."""
        path, _, marker = self.at.partition("|")
        if not marker:
            return None
        text = (site / path).read_bytes().decode("utf-8", "replace")
        whole = re.escape(marker) + (r"(?!\w)" if marker[-1].isalnum() else "")  # P_OMTANK is not P_OMTANKE
        return next(n for n, line in enumerate(text.splitlines(), 1) if re.search(whole, line))


def page(key: str, category: str, old: str, new: str, marker: str, says: str, extra: str = "") -> Bad:
    """A bad edit of a project page; the finding names the line that holds `marker`."""
    path = f"projects/{key.lower()}/index.md"
    files = {path: project(key, old, new, extra), f"projects/{key.lower()}/optaelling.csv": COUNTS}
    return Bad(key, category, files, f"{path}|{marker}", says)


def counts(key: str, content: str | bytes | None, marker: str, says: str) -> Bad:
    """A project whose bias test reads a bad counts file (None: a file that is not there)."""
    folder = f"projects/{key.lower()}"
    files = {f"{folder}/index.md": project(key), **({f"{folder}/optaelling.csv": content} if content is not None else {})}
    if content is None:
        return Bad(key, "optællinger (CSV)", files, f"{folder}/index.md|:::{{biastest}}", says)
    return Bad(key, "optællinger (CSV)", files, f"{folder}/optaelling.csv|{marker}" if marker else f"{folder}/optaelling.csv", says)


def requirement(key: str, old: str, new: str, marker: str, says: str) -> Bad:
    """A requirement added to the policy page with one bad field. It applies only to procured
    projects (none here), so that it leaves the projects' own findings as they are."""
    text = (f"\n:::{{requirement}} Krav {key}\n:id: R_{key}\n:derives_from: P_OMTANKE\n:source: Omtanke\n"
            ":applies_risk: lav, middel, høj\n:applies_when: indkøbt\n:answered_by: overvejelse\n\nGør det.\n:::\n")
    assert old in text, old
    return Bad(key, "politikside (Markdown)", {"+policy/index.md": text.replace(old, new, 1)},
               f"policy/index.md|{marker}", says)


TOML = (Path(__file__).parent / "sites" / "tiny" / "policy" / "policy.toml").read_text(encoding="utf-8")


def toml(key: str, old: str, new: str | bytes, marker: str, says: str) -> Bad:
    """policy.toml with one bad edit: said before anything is built."""
    assert old in TOML, old
    text = TOML.replace(old, new, 1) if isinstance(new, str) else new
    return Bad(key, "policy.toml", {"policy/policy.toml": text}, f"policy/policy.toml|{marker}" if marker else "policy/policy.toml",
               says, alone=True)


def command(key: str, says: str, *args: str, files: dict | None = None) -> Bad:
    """A command an author runs with bad arguments: refused, nothing written."""
    return Bad(key, "kommando", files or {}, "", says, alone=True, command=args)


MD = "projektside (Markdown)"
BAD: list[Bad] = [
    # --- a project page's structure and fields -------------------------------------------------
    page("STATUS", MD, ":status: igangværende", ":status: igang", ":status: igang", "'igang'.*tilladt"),
    page("RISK", MD, ":risk: høj", ":risk: kæmpe", ":risk: kæmpe", "'kæmpe'.*tilladt"),
    page("NODATE", MD, ":start_date: 2025-03-01", ":start_date: 2025-13-01", ":start_date:", "findes ikke i kalenderen"),
    page("DKDATE", MD, ":start_date: 2025-03-01", ":start_date: 01-03-2025", ":start_date:", "dato"),
    page("FUTURE", MD, ":date: 2025-02-01", ":date: 2031-02-01", ":date: 2031", "fremtiden|2031"),
    page("UNKNOWNID", MD, ":addresses: R_FORMAAL", ":addresses: R_FORMAL", ":addresses: R_FORMAL", "R_FORMAL"),
    page("DUPID", MD, ":::{consideration} Sikkerhed\n:id: C_DUPID_SIKKERHED", ":::{consideration} Sikkerhed\n:id: C_DUPID_FORMAAL",
         ":::{consideration} Sikkerhed", "C_DUPID_FORMAAL.*bruges både"),
    page("NOFIELD", MD, ":legal_basis: GDPR art. 6, stk. 1, litra e\n", "", ":::{project}", "legal_basis"),
    page("BLANKLINE", MD, ":department: Borgerservice\n", ":department: Borgerservice\n\n", ":::{project}", "tomme linjer"),
    page("FENCE", MD, ":::{consideration} Sikkerhed", "```\n:::{consideration} Sikkerhed", ":id: C_FENCE_SIKKERHED", "kodeblok"),
    page("UNCLOSED", MD, "Formålet er at give borgerne hurtigere svar, og vi bruger kun navn og adresse til det.\n:::",
         "Formålet er at give borgerne hurtigere svar, og vi bruger kun navn og adresse til det.",
         ":::{consideration} Sikkerhed", ":::"),
    page("TYPO", MD, ":::{evidence} Sikkerhedsvurdering", ":::{evidense} Sikkerhedsvurdering", "{evidense}", "evidense"),
    page("DECISION", MD, ":decision: godkendt", ":decision: ok", ":decision: ok", "'ok'.*tilladt"),
    page("LEVEL", MD, ":decision_level: direktørkreds", ":decision_level: chefen", ":decision_level: chefen", "'chefen'"),
    page("KIND", MD, ":kind: sikkerhedsvurdering", ":kind: tjekliste", ":kind: tjekliste", "'tjekliste'"),
    page("TODO", MD, "og de slettes efter et år.", "og de slettes efter TODO.", ":::{consideration} Sikkerhed", "pladsholder"),
    page("REFER", MD, "Formålet er at give borgerne hurtigere svar, og vi bruger kun navn og adresse til det.",
         "Se bilag.", ":::{consideration} Formål", "kun 2 ord"),
    page("EMPTYTEXT", MD, "Formålet er at give borgerne hurtigere svar, og vi bruger kun navn og adresse til det.\n", "",
         ":::{consideration} Formål", "ord|tom"),
    page("BADFRONT", MD, "# Demo", "---\ntitle: [uafsluttet\n---\n# Demo", "---", "YAML|---"),
    page("NOID", MD, ":id: C_NOID_FORMAAL\n", "", ":::{consideration} Formål", ":id:"),
    page("BADID", MD, ":id: C_BADID_FORMAAL", ":id: c-badid-formål", ":::{consideration} Formål", "format"),
    page("OPTION", MD, ":department: Borgerservice", ":departement: Borgerservice", ":departement:", ":department:"),
    page("LINKTYPE", MD, ":addresses: R_FORMAAL", ":addresses: P_OMTANKE", ":addresses: P_OMTANKE", "P_OMTANKE"),
    page("HEADINGS", MD, "# Demo", "# Demo\n\n#### Baggrund\n\nTekst.", "#### Baggrund", "niveau"),
    page("ENDBEFORE", MD, ":start_date: 2025-03-01", ":start_date: 2025-03-01\n:end_date: 2024-01-01", ":end_date:", "slutdato|før"),
    page("ENDED", MD, ":status: igangværende", ":status: afsluttet", ":::{project}", "slutdato"),
    # --- the policy's own pages --------------------------------------------------------------------
    requirement("ANSWEREDBY", ":answered_by: overvejelse", ":answered_by: overvejelsee", ":answered_by: overvejelsee", "overvejelsee"),
    requirement("APPLIESRISK", ":applies_risk: lav, middel, høj", ":applies_risk: lav, mellem", ":applies_risk: lav, mellem", "mellem"),
    requirement("DERIVES", ":derives_from: P_OMTANKE", ":derives_from: P_OMTANK", ":derives_from: P_OMTANK", "P_OMTANK"),
    requirement("NOPRINCIPLE", ":derives_from: P_OMTANKE\n", "", ":::{requirement} Krav NOPRINCIPLE", "princip|derives_from"),
    requirement("APPLIESWHEN", ":applies_when: indkøbt", ":applies_when: indkøbtt", ":applies_when: indkøbtt", "indkøbtt"),
    requirement("EFFECTIVE", ":answered_by: overvejelse", ":answered_by: overvejelse\n:effective_from: 2027-02-30",
                ":::{requirement} Krav EFFECTIVE", "2027-02-30.*kalenderen"),
    requirement("CHECKSWORD", ":answered_by: overvejelse", ":answered_by: overvejelse\n:checks: statuss", ":checks: statuss", "statuss"),
    requirement("EVIDENCEKIND", ":answered_by: overvejelse", ":answered_by: dokumentation\n:evidence_kind: tjekliste",
                ":evidence_kind: tjekliste", "tjekliste"),
    # --- counts files --------------------------------------------------------------------------
    counts("CSVCOLUMN", COUNTS.replace("predicted", "forudsagt"), "attribute", "predicted|kolonne"),
    counts("CSVNUMBER", COUNTS.replace(",1,4000", ",1,fyrre"), "fyrre", "fyrre|tal"),
    counts("CSVNEGATIVE", COUNTS.replace(",1,4000", ",1,-40"), "-40", "-40|negativ"),
    counts("CSVEMPTY", "", "", "tom"),
    counts("CSVHEADER", "attribute,group,actual,predicted,count\n", "", "ingen|tom|rækker"),
    counts("CSVSEMICOLON", COUNTS.replace(",", ";"), "", "kolonne|semikolon|;"),
    counts("CSVLATIN1", COUNTS.encode("latin-1"), "", "UTF-8|tegn"),
    counts("CSVFRACTION", COUNTS.replace(",1,4000", ",1,40.5"), "40.5", "40.5|helt tal"),
    counts("CSVMISSING", None, "", "findes ikke|optaelling.csv"),
    counts("CSVQUOTE", COUNTS.replace("kvinde,,1,4000", '"kvinde,,1,40'), "\"kvinde", "linje|anførselstegn|kolonne"),
]


def markup(key: str, text: str, marker: str, says: str, category: str = "markup på siden") -> Bad:
    """Something hostile in a project's description; the finding names the line that holds `marker`."""
    return page(key, category, "Et lille demoprojekt.", "Et lille demoprojekt.\n\n" + text, marker, says)


def extra_file(key: str, category: str, name: str, content: str | bytes, marker: str, says: str) -> Bad:
    """A valid project with one more file in its folder (or a file elsewhere: a name with a '/')."""
    folder = f"projects/{key.lower()}"
    path = name if "/" in name else f"{folder}/{name}"
    files = {f"{folder}/index.md": project(key), f"{folder}/optaelling.csv": COUNTS, path: content}
    return Bad(key, category, files, f"{path}|{marker}" if marker else path, says)


PD = "persondata"
BAD += [
    # --- markup and files that must not reach the public site ----------------------------------------
    markup("SCRIPT", "<script>alert('hej')</script>", "<script>", "HTML-kode vises ikke"),
    markup("IFRAME", '<iframe src="https://example.com/"></iframe>', "<iframe", "HTML-kode vises ikke"),
    markup("ONERROR", "<img src=x onerror=alert(1)>", "<img", "HTML-kode vises ikke"),
    markup("INLINEHTML", 'Tekst med <b onclick="x()">fed</b> skrift.', "Tekst med", "HTML-kode vises ikke"),
    markup("STYLE", "<style>body { display: none }</style>", "<style>", "HTML-kode vises ikke"),
    markup("RAW", "```{raw} html\n<b>fed</b>\n```", "{raw}", "raw"),
    markup("INCLUDE", "```{include} ../../policy/policy.toml\n```", "{include}", "ikke i projektets mappe"),
    markup("LITERALINCLUDE", "```{literalinclude} /etc/passwd\n```", "{literalinclude}", "absolut sti"),
    markup("CSVTABLE", "```{csv-table} Tal\n:file: ../demo/optaelling.csv\n```", "{csv-table}", "ikke i projektets mappe"),
    markup("IMAGE", "![Kort](../demo/kort.png)", "![Kort]", "ikke i projektets mappe"),
    markup("DOWNLOAD", "Hent {download}`filen <../../conf.py>`.", "Hent", "ikke i projektets mappe"),
    markup("JAVASCRIPT", "[Klik her](javascript:alert(1))", "[Klik her]", "javascript"),
    markup("DATA", "[Se dette](data:text/html;base64,PHNjcmlwdD4=)", "[Se dette]", "data"),
    markup("REMOTEIMAGE", "![Logo](https://example.com/logo.png)", "![Logo]", "websted"),
    # --- personal data ------------------------------------------------------------------------------
    markup("CPR", "Borgeren med 010190-1234 blev spurgt.", "Borgeren med", "CPR", PD),
    markup("CPRDASH", "Borgeren med 010190–1234 blev spurgt.", "Borgeren med", "CPR", PD),
    markup("EMAIL", "Spørgsmål kan sendes til jens.hansen@gmail.com.", "Spørgsmål kan", "e-mail|mail", PD),
    markup("PHONE", "Ring til Jens på 20 12 34 56.", "Ring til", "telefon", PD),
    markup("PHONE45", "Ring til Jens på +45 20123456.", "Ring til", "telefon", PD),
    extra_file("CPRTEXT", PD, "noter.txt", "Interview med borger 010190-1234.\n", "Interview", "CPR"),
    extra_file("CPRCSV", PD, "deltagere.csv", "navn,cpr\nAnne,0101901234\n", "Anne", "CPR"),
    extra_file("EMAILYAML", PD, "kontakter.yaml", "kontakt: anne.jensen@hotmail.com\n", "kontakt", "e-mail|mail"),
    Bad("CPRPOLICY", PD, {"+policy/index.md": "\nEksempel: borgeren med 020202-2345 klagede.\n"},
        "policy/index.md|Eksempel: borgeren", "CPR"),
    # --- files and sizes ------------------------------------------------------------------------------
    Bad("EMPTYPAGE", "filer og størrelser", {"projects/emptypage/index.md": ""}, "projects/emptypage/index.md", "tom"),
    Bad("BLANKPAGE", "filer og størrelser", {"projects/blankpage/index.md": "\n\n   \n"}, "projects/blankpage/index.md", "tom"),
    Bad("ONLYCSV", "filer og størrelser", {"projects/onlycsv/optaelling.csv": COUNTS}, "projects/onlycsv/", "onlycsv"),
    Bad("BIGPAGE", "filer og størrelser", {"projects/bigpage/index.md": project("BIGPAGE", extra="\n" + "Tekst om projektet. " * 60_000),
                                           "projects/bigpage/optaelling.csv": COUNTS}, "projects/bigpage/index.md", "KB"),
    counts("BIGCSV", COUNTS + "".join(f"køn,gruppe{i},,1,{i}\n" for i in range(12_000)), "", "KB"),
    page("LONGTITLE", "filer og størrelser", ":::{consideration} Formål", ":::{consideration} " + "Formål " * 800,
         ":::{consideration} Formål", "tegn"),
]

BAD += [
    # --- the policy's words: read before anything is built ------------------------------------------
    toml("TOMLSYNTAX", 'risk_levels = ["lav", "middel", "høj"]', 'risk_levels = ["lav", "middel" "høj"]', "risk_levels", "TOML"),
    toml("TOMLTYPE", 'risk_levels = ["lav", "middel", "høj"]', 'risk_levels = "lav"', "risk_levels", "liste"),
    toml("TOMLMEANING", 'planlagt = "planned"', 'planlagt = "plannedd"', "plannedd", "plannedd"),
    toml("TOMLSETTING", '[policy]', '[settings]\nmax_similarity = "høj"\n\n[policy]', "max_similarity", "max_similarity|tal"),
    toml("TOMLEMPTY", '[policy]', b"", "", "policy|title|sprog|tom"),
    toml("TOMLLATIN1", '[policy]', TOML.encode("latin-1", "replace"), "", "UTF-8|tegn"),
    toml("TOMLNOSTATUS", '[vocabulary.statuses]', '[vocabulary.statuser]', "statuser", "statuser"),
    # --- commands with bad arguments -----------------------------------------------------------------
    command("NEWRISK", "kæmpe", "new", "Nyt projekt", "--forvaltning", "Borgerservice", "--risiko", "kæmpe", "--ikke-interaktiv"),
    command("NEWTRAIT", "flyvende", "new", "Nyt projekt", "--forvaltning", "Borgerservice", "--risiko", "lav",
            "--traek", "flyvende", "--ikke-interaktiv"),
    command("NEWEXISTS", "findes|overskriv", "new", "Demo", "--forvaltning", "Borgerservice", "--risiko", "lav", "--ikke-interaktiv",
            files={"projects/demo/index.md": DEMO}),
    command("CHECKDATE", "2026-02-30", "check", "--dato", "2026-02-30"),
    command("EXPORTID", "konsekvensanalyse.*findes ikke", "eksport", "PRJ_FINDESIKKE", "konsekvensanalyse"),
    command("CLASSIFYFOLDER", "klassific", "klassificer", "projects/findesikke"),
    command("FINGERFOLDER", "findesikke", "fingeraftryk", "projects/findesikke"),
    command("AGGREGATEFILE", "udtraek.csv", "aggregate", "udtraek.csv", "--attribute", "køn", "--predicted", "valgt",
            "-o", "projects/demo/ny.csv"),
]


def _hashes(root: Path) -> dict[str, str]:
    """Every file an author could have written (not what the build writes)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file() and "_build" not in p.parts}


def _dataetik(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "DATAETIK_TODAY": "2026-11-26"}
    return subprocess.run([sys.executable, "-m", "dataetik.cli", *args], capture_output=True, text=True,
                          cwd=site, env=env, timeout=600)


def _site(dest: Path, files: dict[str, str | bytes]) -> Path:
    """The tiny site with a bias requirement, every project folder in its table of contents, and these files.
    Its projects share their considerations' words on purpose: a consideration may repeat another here."""
    copy_site("tiny", dest, {"policy/index.md": ("", BIAS_REQUIREMENT),
                             "policy/policy.toml": ("", '\n[settings]\nmax_similarity = 1.0\n'
                                                               'public_contacts = ["borgerservice@gladsaxe.dk", "39 57 50 00"]\n'),
                             "projects/demo/optaelling.csv": ("", COUNTS),
                             "projects/demo/index.md": ("", BIASTEST.format(key="DEMO", counts="optaelling.csv")),
                             "index.md": ("policy/index\nprojects/demo/index", ":glob:\n\npolicy/index\nprojects/*/index")})
    for rel, content in files.items():
        path = dest / rel.removeprefix("+")
        path.parent.mkdir(parents=True, exist_ok=True)
        if rel.startswith("+"):
            content = path.read_text(encoding="utf-8") + content
        (path.write_bytes if isinstance(content, bytes) else lambda t: path.write_text(t, encoding="utf-8"))(content)
    return dest


@dataclass
class Run:
    site: Path
    proc: subprocess.CompletedProcess
    before: dict[str, str]
    after: dict[str, str]

    @property
    def output(self) -> str:
        return self.proc.stdout + self.proc.stderr

    def blocks(self) -> list[tuple[str, int | None, str]]:
        """(file, line, message) for each finding the report lists under a location line."""
        found, current = [], None
        for line in self.output.splitlines():
            if m := re.match(r"^ {2}([\w./-]+(?:\.\w+|/))(?::(\d+))?\s*$", line):
                current = [m.group(1), int(m.group(2)) if m.group(2) else None, ""]
                found.append(current)
            elif current is not None and line.startswith("    "):
                current[2] += line.strip() + "\n"
            else:
                current = None
        return [tuple(b) for b in found]


def _run(dest: Path, files: dict, command: tuple[str, ...]) -> Run:
    site = _site(dest, files)
    before = _hashes(site)
    proc = _dataetik(site, *command)
    return Run(site, proc, before, _hashes(site))


@pytest.fixture(scope="module")
def together(tmp_path_factory) -> Run:
    files: dict[str, str | bytes] = {}
    for bad in BAD:
        for rel, content in bad.files.items() if not bad.alone else ():
            files[rel] = files.get(rel, "") + content if rel.startswith("+") else content
    return _run(tmp_path_factory.mktemp("bad") / "site", files, ("check",))


def _assert_refused(run: Run, bad: Bad) -> None:
    assert "Traceback" not in run.output, run.output[-3000:]
    assert run.proc.returncode != 0, f"{bad.key}: exit 0\n{run.output[-3000:]}"
    line = bad.line(run.site)
    if not bad.file:  # a command's arguments: the message is the whole output
        assert re.search(bad.says, run.output, re.IGNORECASE), f"{bad.key}: the command says\n{run.output}"
        mine = [run.output]
    else:
        mine = [msg for file, at, msg in run.blocks() if file == bad.file and (line is None or at == line)]
    assert mine, (f"{bad.key}: no finding at {bad.file}:{line}; in the file:\n"
                  + "\n".join(f"{f}:{a} {m}" for f, a, m in run.blocks() if f == bad.file))
    assert any(re.search(bad.says, msg, re.IGNORECASE | re.DOTALL) for msg in mine), \
        f"{bad.key}: at {bad.file}:{line} the report says\n" + "\n".join(mine)
    assert run.before == run.after, f"{bad.key}: author files changed: " + ", ".join(
        sorted(k for k in run.before.keys() | run.after.keys() if run.before.get(k) != run.after.get(k)))


@pytest.mark.parametrize("bad", [b for b in BAD if not b.alone], ids=lambda b: f"{b.category}-{b.key}")
def test_a_bad_input_is_a_finding_at_its_file_and_line(bad, together):
    _assert_refused(together, bad)


@pytest.mark.parametrize("bad", [b for b in BAD if b.alone], ids=lambda b: f"{b.category}-{b.key}")
def test_a_bad_input_that_stops_everything_is_said_at_its_file_and_line(bad, tmp_path):
    _assert_refused(_run(tmp_path / "site", bad.files, bad.command), bad)


def test_there_are_at_least_sixty_distinct_bad_inputs():
    assert len({b.key for b in BAD}) == len(BAD) >= 60


# --- controls: legitimate text that only looks suspicious -------------------------------------------
CONTROLS = {
    "HTMLCODE": ("Sådan ser et script ud, når det vises som kode:\n\n```html\n<script>alert(1)</script>\n```\n"),
    "INLINECODE": "Teksten `<iframe src=x>` vises som kode, ikke som markup.",
    "HTTPS": "Læs mere på [kommunens side](https://gladsaxe.dk/dataetik).",
    "MAILTO": "Skriv til [Borgerservice](mailto:borgerservice@gladsaxe.dk) eller ring på 39 57 50 00.",
    "COMMENT": "<!-- en note til kollegerne, som ikke vises -->\nSom aftalt.",
    "FORM": "Skemaet (udfyldes af borgeren) sendes til kommunen.",
    "JOURNAL": "Sagen har journalnummer 27.00.00-G01-1-23 og sagsnummer 25/00001.",
    "DATES": "Data fra 01.02.2023 til 2023-12-31 indgår; version 1.2.3 bruges.",
    "COUNTS": "I alt 1.204.567 henvendelser og 310190 sider; 4000 og 6000 i de to grupper.",
    "BRACKETS": "Tallene (se tabellen nedenfor) er samlede optællinger.",
}


def test_legitimate_text_that_looks_suspicious_passes(tmp_path):
    text = "\n\n".join(CONTROLS.values())
    page = project("CONTROL", "Et lille demoprojekt.", "Et lille demoprojekt.\n\n" + text)
    run = _run(tmp_path / "site", {"projects/control/index.md": page, "projects/control/optaelling.csv": COUNTS}, ("check",))
    assert "Traceback" not in run.output
    assert run.proc.returncode == 0, "\n".join(f"{f}:{a} {m}" for f, a, m in run.blocks())
    assert run.before == run.after


@pytest.mark.parametrize("key", ["APPLIESRISK", "BIGCSV"])
def test_what_a_check_says_again_is_said_once(key, together):
    """Said once where a check says more than the build: requirement_words (with the word meant) rather than the
    schema message, a bias test's counts file with its requirement rather than the build's message."""
    bad = next(b for b in BAD if b.key == key)
    line = bad.line(together.site)
    said = [m for file, at, m in together.blocks() if file == bad.file and (line is None or at == line)]
    assert len(said) == 1, together.output
