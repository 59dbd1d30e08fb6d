"""How the build and the checks scale with the number of projects.

Copies the site to a temporary folder, adds N synthetic projects made by the same
scaffold as `dataetik new` (placeholders filled in, so every check has real work),
and times a clean html build, a clean `needs` build and the checks. Prints figures;
asserts nothing. Usage:

    python bench/build_scaling.py [N ...] [--repeat R]      (default: 100 500, R=1)
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dataetik.needs_data import load_needs
from dataetik import i18n
from dataetik.policy import Policy
from dataetik.rules import all_cases
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
    approved = [r.id for r in policy.applicable({"risk": risk, **traits}) if "approval" in r.answered_by]
    if approved:
        level = policy.approval_level(risk)
        text += (
            f"\n:::{{approval}} Godkendt\n:id: AP_{code}\n:addresses: {', '.join(approved)}\n:role: Leder\n"
            + (f":decision_level: {level}\n" if level else "")
            + f":decision: {vocab.words_for(vocab.decisions, 'approves')[0]}\n:date: 2025-01-20\n\nGodkendt som beskrevet.\n:::\n"
        )
    return f"bench-{i:04d}", text


def make_site(dest: Path, n: int, policy: Policy) -> None:
    for part in SITE_PARTS:
        src = REPO / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dest / part)
    pool = sentences(policy)
    for i in range(n):
        slug, text = synthetic_project(policy, i, pool)
        folder = dest / "projects" / slug
        folder.mkdir()
        (folder / "index.md").write_text(text, encoding="utf-8")
        (folder / "biastest.csv").write_text(COUNTS, encoding="utf-8")


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return elapsed


def sphinx(builder: str, site: Path) -> list[str]:
    return [sys.executable, "-m", "sphinx", "-b", builder, "-E", "-q", "-W", "--keep-going",
            "-d", str(site / "_build" / f"doctrees-{builder}"), str(site), str(site / "_build" / builder)]


def run_checks(site: Path) -> tuple[float, int, int]:
    start = time.perf_counter()
    policy = Policy.from_needs(load_needs(site / "_build" / "html" / "needs.json", srcdir=site))
    cases = all_cases(policy)
    failed = sum(1 for c in cases if c.run())
    return time.perf_counter() - start, len(cases), failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 500])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    base = REPO / "_build" / "html" / "needs.json"
    if not base.exists():
        raise SystemExit("Build the site first (make html): the benchmark reads the policy from needs.json.")
    policy = Policy.from_needs(load_needs(base, srcdir=REPO))
    i18n.use(policy.vocabulary.language)  # the generated pages speak the policy's language
    print(f"{'N':>5} {'needs':>7} {'pages':>6} {'html s':>8} {'needs s':>8} {'checks s':>9} {'cases':>7} {'peak MiB':>9}")
    for n in args.sizes:
        html, needs_b, checks = [], [], []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                site = Path(tmp)
                make_site(site, n, policy)
                html.append(timed(sphinx("html", site), site))
                needs_b.append(timed(sphinx("needs", site), site))
                t, cases, failed = run_checks(site)
                checks.append(t)
                count = len(load_needs(site / "_build" / "html" / "needs.json").by_id)
                pages = len(list(site.rglob("*.md")))
                if failed:
                    print(f"  note: {failed} cases failed on synthetic data", file=sys.stderr)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{n:>5} {count:>7} {pages:>6} {statistics.median(html):>8.1f} {statistics.median(needs_b):>8.1f} "
              f"{statistics.median(checks):>9.2f} {cases:>7} {peak:>9.0f}")


if __name__ == "__main__":
    main()
