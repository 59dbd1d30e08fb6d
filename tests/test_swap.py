"""Swapping the policy is copying a folder (SLOW: builds a whole copy of the site, about 15 s).

A copy of this repository gets tests/sites/tiny's policy/ and projects/ instead of Gladsaxe's,
and must build strictly (-W) with no other change: the home page, the register, the guides and
the reference generate what depends on the policy (dataetik.pages) instead of naming its files,
labels, words or example projects.

The register page (projects/index.md) belongs to the site, not to the organisation: it is kept
unless the swapped-in projects folder brings its own.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "tests" / "sites" / "tiny"
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "_build", ".pytest_cache", "__pycache__", "tests")
# The site's own pages: outside the policy folder and the project folders.
SITE_PAGES = ["index.html", "projects/index.html", "docs/index.html", "docs/tutorial.html",
              "docs/guides/biastest.html", "docs/howto/godkendelse.html", "docs/howto/afslut.html",
              "docs/reference/index.html", "docs/reports/aarlig-redegoerelse.html", "docs/explanation.html"]


def swap(site: Path, organisation: Path) -> None:
    """Replace the site's policy and projects with another organisation's (the site's register stays)."""
    register = (site / "projects" / "index.md").read_text(encoding="utf-8")
    # Another organisation's policy alone: a law layered on ours refers to our policy's pages.
    for toml in site.glob("*/policy.toml"):
        if toml.parent.name != "policy":
            shutil.rmtree(toml.parent)
    for folder in ("policy", "projects"):
        shutil.rmtree(site / folder)
        shutil.copytree(organisation / folder, site / folder)
    if not (site / "projects" / "index.md").exists():
        (site / "projects" / "index.md").write_text(register, encoding="utf-8")


@pytest.mark.slow
def test_a_swapped_policy_builds_strictly_with_no_other_change(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(REPO, site, ignore=NOT_COPIED, symlinks=True)
    swap(site, TINY)
    out = tmp_path / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n", "-E", "-q",
         "-d", str(tmp_path / "doctrees"), str(site), str(out)],
        cwd=site, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr

    # The home page summarises the new policy's principles, and no longer the old ones.
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "Åbenhed" in home and "Omtanke" in home
    assert "Gennemsigtighed" not in home
    # Every link on the site's own pages leads to a page that exists.
    for page in SITE_PAGES:
        html = (out / page).read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"#:?]+\.html)(?:#[^"]*)?"', html):
            assert (out / page).parent.joinpath(href).resolve().exists(), f"{page} links to missing {href}"
