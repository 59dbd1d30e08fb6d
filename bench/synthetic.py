"""The bench's site: a copy of the real site plus N synthetic projects, scaffolded as `dataetik new`
scaffolds them and filled in (placeholders replaced), so every check has real work."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path

from dataetik import classify, classify_cmd
from dataetik.policy import Policy
from dataetik.scaffold import NewProject, filled_in, project_code, project_page

REPO = Path(__file__).resolve().parent.parent
SITE_PARTS = ["conf.py", "index.md", "policy", "ai-forordningen", "projects", "docs"]
COUNTS = "attribute,group,actual,predicted,count\n" + "".join(
    f"{a},{g},,{p},{n}\n"
    for a, groups in {"køn": ["kvinde", "mand"], "aldersgruppe": ["under 50", "50 og derover"]}.items()
    for g in groups
    for p, n in ((1, 300), (0, 700))
)


def sentences(policy: Policy) -> list[str]:
    """The example projects' own sentences: synthetic considerations are made of them, six at a time,
    so each is its own (the checks catch a consideration that repeats another) and the rules have real
    text to read."""
    return [s for c in policy.needs.of_type("consideration")
            for s in re.split(r"(?<=[.!?])\s+", " ".join((c.get("content") or "").split())) if len(s.split()) > 5]


def synthetic_project(policy: Policy, i: int, pool: list[str]) -> tuple[str, str]:
    """A filled-in project in the policy's own words: in use, approved where the policy asks."""
    vocab = policy.vocabulary
    risk = vocab.risk_levels[i % len(vocab.risk_levels)] if vocab.risk_levels else ""
    traits = {t.field: vocab.yes if (i + n) % 2 else vocab.no for n, t in enumerate(vocab.traits)}
    new = NewProject(f"Benchmarkprojekt {i:04d}", "Benchmark", risk, traits)
    code = project_code(f"bench{i:04d}", set())
    rnd = random.Random(i)  # the same site for the same N, run after run
    text = filled_in(project_page(policy, new, code), lambda _n: " ".join(rnd.sample(pool, 6)),
                     assessed="2025-01-15", start="2025-02-01")
    planned, in_use = vocab.words_for(vocab.statuses, "planned")[0], vocab.words_for(vocab.statuses, "in_use")[0]
    # In use, and placed on every scale a layered law declares (its lowest level: outside the law).
    scales = "".join(f"\n:{c.field}: {c.levels[0]}" for c in vocab.classifications)
    text = text.replace(f":status: {planned}", f":status: {in_use}{scales}")
    text += classified(policy, code, "2025-01-15", " ".join(rnd.sample(pool, 6)))
    approved = [r.id for r in policy.applicable({"risk": risk, **traits}) if "approval" in r.answered_by]
    if approved:
        level = policy.approval_level(risk)
        text += (
            f"\n:::{{approval}} Godkendt\n:id: AP_{code}\n:addresses: {', '.join(approved)}\n:role: Leder\n"
            + (f":decision_level: {level}\n" if level else "")
            + f":decision: {vocab.words_for(vocab.decisions, 'approves')[0]}\n:date: 2025-01-20\n\nGodkendt som beskrevet.\n:::\n"
        )
    return f"bench-{i:04d}", text


def classified(policy: Policy, code: str, day: str, reasoning: str) -> str:
    """The considerations `dataetik klassificer` writes where a law demands a classification: the
    stand-in author answered no to every question (the project at each scale's lowest level)."""
    text = ""
    for r in (r for r in policy.requirements if "classified" in r.checks and r.policy):
        folder = r.policy.folder
        outcome = classify.ask(policy, folder, lambda _q, _i: False)
        written = classify_cmd.consideration(policy, folder, outcome, reasoning, f"C_{code}_{r.id.removeprefix('R_')}", r.id)
        text += f"\n## {r.policy.title}\n\n" + written.replace(f":date: {policy.today.isoformat()}", f":date: {day}")
    return text


def make_site(dest: Path, n: int, policy: Policy | None) -> None:
    """The real site's pages and N synthetic projects in dest."""
    for part in SITE_PARTS:
        src = REPO / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dest / part)
    pool = sentences(policy) if n else []
    for i in range(n):
        slug, text = synthetic_project(policy, i, pool)
        folder = dest / "projects" / slug
        folder.mkdir()
        (folder / "index.md").write_text(text, encoding="utf-8")
        (folder / "biastest.csv").write_text(COUNTS, encoding="utf-8")
    commit(dest)


def commit(site: Path) -> None:
    """The site in git, as a municipality keeps it: the pages' history is part of what a build shows."""
    git = ["git", "-C", str(site), "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "bench site"]):
        subprocess.run([*git, *args], check=True, capture_output=True)


def edit_one_consideration(site: Path, n: int) -> Path:
    """What an author does between two checks: add a sentence to one consideration of the middle
    project (a sentence of its own, so the text stays unlike every other)."""
    page = site / "projects" / f"bench-{n // 2:04d}" / "index.md"
    text = page.read_text(encoding="utf-8")
    start = text.index(":::{consideration}")
    end = text.index("\n:::", start + 1)
    page.write_text(text[:end] + " Afsnittet er skrevet om efter et møde med projektgruppen i benchmarken." + text[end:],
                    encoding="utf-8")
    return page


# The same pages without what dataetik does to keep big builds fast: sphinx-needs' default card
# layout for every need, the theme's default sidebar (every section's pages on every page, which
# makes the build quadratic in pages), and a dot run per diagram. Added at the end of a copy's conf.py.
PLAIN_CONF = '''

# --- bench: plain sphinx-needs and the theme's default sidebar ---
extensions = [e for e in extensions if e != "dataetik.graph_batch"]
html_sidebars = {}
html_theme_options = {k: v for k, v in html_theme_options.items()
                      if k not in ("navigation_depth", "show_nav_level", "collapse_navigation")}


def _default_layouts(app, config):
    config.needs_fields = {k: v for k, v in config.needs_fields.items() if k != "layout"}
    config.needs_layouts = {k: v for k, v in config.needs_layouts.items() if not k.startswith("dataetik_")}


def setup(app):
    app.connect("config-inited", _default_layouts, priority=200)  # after dataetik's own (100)
'''


def plain_copy(site: Path, dest: Path) -> Path:
    """A copy of the site built the plain way (Sphinx reads conf.py in the site's own folder)."""
    shutil.copytree(site, dest)
    with (dest / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(PLAIN_CONF)
    return dest
