"""A page's diagrams drawn in one dot run (dataetik.graph_batch): the same files, fewer dot runs."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from sitebuild import build, copy_site

PAGE = (Path(__file__).parent / "sites" / "tiny" / "projects" / "demo" / "index.md").read_text(encoding="utf-8")
OTHERS = ["anden", "tredje", "fjerde"]


def _site(root: Path, batched: bool) -> Path:
    """The tiny site with four projects (a graph per principle on each page); without batching, where asked."""
    conf = "" if batched else '\nextensions = [e for e in extensions if e != "dataetik.graph_batch"]\n'
    pages = "".join(f"projects/{name}/index\n" for name in OTHERS)
    site = copy_site("tiny", root, {"conf.py": ("", conf), "index.md": ("projects/demo/index\n", "projects/demo/index\n" + pages)})
    for name in OTHERS:
        text = re.sub(r"\b(PRJ|C|EV|AP)_DEMO", rf"\1_{name.upper()}", PAGE).replace("Demo", name.capitalize())
        (site / "projects" / name).mkdir()
        (site / "projects" / name / "index.md").write_text(text, encoding="utf-8")
    return site


def _outputs(site: Path) -> dict[str, bytes]:
    out = site / "_build" / "html"
    # sphinx-needs gives each card a random container id; everything else is the same build to build.
    return {p.relative_to(out).as_posix(): re.sub(rb"SNCB-[0-9a-f]+", b"SNCB", p.read_bytes())
            for p in out.rglob("*") if p.is_file() and p.suffix in (".html", ".svg")}


def test_batched_diagrams_are_the_files_render_dot_makes_with_fewer_dot_runs(tmp_path, monkeypatch):
    # One dot for both builds (its path is part of each SVG's file name) that counts its runs.
    dot = tmp_path / "dot"
    dot.write_text('#!/bin/sh\necho run >> "$DOT_RUNS"\nexec dot "$@"\n', encoding="utf-8")
    dot.chmod(dot.stat().st_mode | stat.S_IEXEC)
    runs, outputs = {}, {}
    for batched in (True, False):
        log = tmp_path / f"runs-{batched}.log"
        monkeypatch.setenv("DOT_RUNS", str(log))
        site = _site(tmp_path / f"site-{batched}", batched)
        with (site / "conf.py").open("a", encoding="utf-8") as conf:
            conf.write(f'\ngraphviz_dot = "{dot}"\n')
        built = build(site, "html", strict=True)
        assert built.returncode == 0, built.warnings
        runs[batched] = len(log.read_text().splitlines())
        outputs[batched] = _outputs(built.root)
    assert len([name for name in outputs[False] if name.endswith(".svg")]) >= 8  # 4 pages, a graph per principle
    assert outputs[True] == outputs[False]
    # The first page's diagrams are drawn both ways (to compare them), each later page's in one run.
    assert runs[False] == 8 and runs[True] == 2 + 1 + 3
