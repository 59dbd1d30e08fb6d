"""How the build and the checks scale with the number of projects, side by side in one table.

For each size N: a copy of the site with N synthetic projects (bench/synthetic.py), and on it, each
step in a process of its own (bench/steps.py), timed (wall and CPU seconds) with its own peak memory:

- plain sphinx-needs: the same pages with sphinx-needs' default card layout, the theme's default
  sidebar and a dot run per diagram, without what dataetik does to keep big builds fast;
- the full html build (as `make html` runs Sphinx) and the `needs` builder;
- the policy checks over the html build's needs.json;
- `dataetik check` as an author runs it, then again after editing one consideration (checked without
  building, dataetik.project_recheck), and after another edit with `--sider` (through the incremental build).

Prints a Markdown table; asserts nothing. Usage:

    python bench/build_scaling.py [N ...] [--repeat R] [--skip-plain-above N]

(default sizes: 100 300 1000; R runs of each step give medians of the times, and the highest peak).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import steps
from synthetic import edit_one_consideration, make_site, plain_copy

from dataetik import i18n
from dataetik.needs_data import load_needs
from dataetik.policy import Policy

STEPS = {  # key: the row's label
    "plain": "plain sphinx-needs (html)",
    "html": "html build",
    "needs": "`needs` builder",
    "checks": "checks over needs.json",
    "check": "`dataetik check` (first)",
    "recheck": "`dataetik check` after one edit",
    "recheck_pages": "`dataetik check --sider` after one edit",
}


def site_policy() -> Policy:
    """The policy as the site's pages say it now: a `needs` build of a copy of the site without
    synthetic projects (never a needs.json left by an earlier build)."""
    with tempfile.TemporaryDirectory(prefix="dataetik-bench-policy-") as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        make_site(site, 0, None)
        steps.run(steps.sphinx("needs", site, Path(tmp) / "needs"), site)
        return Policy.from_needs(load_needs(Path(tmp) / "needs" / "needs.json", srcdir=site))


def measure(site: Path, n: int, plain: bool) -> tuple[dict[str, steps.Step], dict[str, int]]:
    """Every step once on the site in `site` (made by make_site); the counts the table says."""
    out = site.parent / "out"
    done = {}
    if plain:
        plain_site = plain_copy(site, site.parent / "plain")
        done["plain"] = steps.run(steps.sphinx("html", plain_site, out / "plain"), plain_site)
    done["html"] = steps.run(steps.sphinx("html", site, out / "html"), site)
    done["needs"] = steps.run(steps.sphinx("needs", site, out / "needs"), site)
    done["checks"] = steps.run(steps.checks(out / "html" / "needs.json", site), site)
    # The check exits 1 when it finds something; the synthetic site is meant to pass, and says so below.
    done["check"] = steps.run(steps.dataetik_check(), site, ok=(0, 1))
    edit_one_consideration(site, n)
    done["recheck"] = steps.run(steps.dataetik_check(), site, ok=(0, 1))  # without building: only a project changed
    edit_one_consideration(site, n)
    done["recheck_pages"] = steps.run(steps.dataetik_check("--sider"), site, ok=(0, 1))  # through the build
    seconds, cpu, cases, failed = done["checks"].stdout.split()
    done["checks"].seconds, done["checks"].cpu = float(seconds), float(cpu)  # the checks' own, not the interpreter's start
    counts = {"needs": len(load_needs(out / "html" / "needs.json").by_id), "cases": int(cases), "failed": int(failed),
              "check_rc": done["check"].returncode, "recheck_rc": done["recheck"].returncode,
              "recheck_pages_rc": done["recheck_pages"].returncode}
    return done, counts


def median_of(runs: list[dict[str, steps.Step]], key: str) -> tuple[float, float, float] | None:
    """The median wall and CPU seconds and the highest peak of one step over the runs (None: not run)."""
    if key not in runs[0]:
        return None
    return (statistics.median(r[key].seconds for r in runs), statistics.median(r[key].cpu for r in runs),
            max(r[key].peak_mib for r in runs))


def ratio(a, b, i: int) -> str:
    return f"{a[i] / b[i]:.2f}×" if a and b and b[i] else "–"


def table(results: dict[int, tuple[list[dict], dict]], skipped: set[int]) -> str:
    """Steps in rows; for each size, wall seconds, CPU seconds and MiB side by side; the ratios below."""
    head = "| step | " + " | ".join(f"{n} projects ({c['needs']:,} needs): s | CPU s | MiB"
                                     for n, (_r, c) in results.items())
    lines = [head + " |", "|---|" + "---:|---:|---:|" * len(results)]
    for key, label in STEPS.items():
        cells = []
        for n, (runs, _c) in results.items():
            m = median_of(runs, key)
            cells.append(f"{m[0]:.1f} | {m[1]:.1f} | {m[2]:,.0f}" if m else
                         ("skipped | – | –" if n in skipped else "– | – | –"))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for label, a, b in (("html ÷ `needs` builder", "html", "needs"), ("plain ÷ html", "plain", "html"),
                        ("re-check ÷ first check", "recheck", "check")):
        lines.append(f"| {label} | " + " | ".join(
            f"{ratio(median_of(runs, a), median_of(runs, b), 0)} | {ratio(median_of(runs, a), median_of(runs, b), 1)} | "
            for runs, _c in results.values()) + " |")
    lines.append("| check cases (failed) | " + " | ".join(
        f"{c['cases']:,} ({c['failed']}) | | " for _runs, c in results.values()) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 300, 1000])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each step (medians)")
    parser.add_argument("--skip-plain-above", type=int, metavar="N",
                        help="no plain sphinx-needs build above N projects (it grows quadratically)")
    args = parser.parse_args()
    policy = site_policy()
    i18n.use(policy.vocabulary.language)  # the generated pages speak the policy's language
    skipped = {n for n in args.sizes if args.skip_plain_above is not None and n > args.skip_plain_above}
    results = {}
    for n in args.sizes:
        runs = []
        for r in range(args.repeat):
            print(f"{n} projects, run {r + 1} of {args.repeat} ...", file=sys.stderr, flush=True)
            with tempfile.TemporaryDirectory(prefix="dataetik-bench-") as tmp:
                site = Path(tmp) / "site"
                site.mkdir()
                make_site(site, n, policy)
                done, counts = measure(site, n, plain=n not in skipped)
            runs.append(done)
            if counts["failed"] or counts["check_rc"] or counts["recheck_rc"]:
                print(f"  note: {counts['failed']} check cases failed on the synthetic site; dataetik check exited "
                      f"{counts['check_rc']}, then {counts['recheck_rc']}", file=sys.stderr)
        results[n] = (runs, counts)
    print(table(results, skipped))
    print(f"\nMedian of {args.repeat} run(s) per step. s: wall seconds; CPU s: CPU seconds of the step and its child "
          "processes (what it costs when other work shares the machine); MiB: the step's own peak resident memory "
          "(the highest of the runs).")
    if skipped:
        print(f"Plain sphinx-needs skipped above {args.skip_plain_above} projects (--skip-plain-above): not measured.")


if __name__ == "__main__":
    main()
