"""What keeps the html build fast writes the same pages: need cards built by a handler that shares
the layout's parse across cards (dataetik.need_cards), and the search index's stems remembered
across pages (dataetik.search_stems), against sphinx-needs' and Sphinx's own."""

from __future__ import annotations

import re
from pathlib import Path

from sitebuild import build, copy_site

from dataetik.search_stems import remembering

# conf.py lines that turn both off: sphinx-needs lays out every card itself, Sphinx stems page by page.
UPSTREAM = """
import dataetik.need_cards
dataetik.need_cards._build_cards = lambda app, doctree, docname: None
extensions = [e for e in extensions if e != "dataetik.search_stems"]
"""


def _outputs(site: Path) -> dict[str, bytes]:
    out = site / "_build" / "html"
    # sphinx-needs gives each card a random container id; everything else is the same build to build.
    return {p.relative_to(out).as_posix(): re.sub(rb"SNCB-[0-9a-f]+", b"SNCB", p.read_bytes())
            for p in out.rglob("*") if p.is_file() and p.suffix in (".html", ".js", ".svg")}


def test_cards_and_search_index_are_the_ones_sphinx_needs_and_sphinx_write(tmp_path):
    ours = copy_site("tiny", tmp_path / "ours")
    theirs = copy_site("tiny", tmp_path / "theirs", {"conf.py": ("", UPSTREAM)})
    for site in (ours, theirs):
        assert build(site, "html", strict=True).returncode == 0
    mine, upstream = _outputs(ours), _outputs(theirs)
    assert mine.keys() == upstream.keys()
    assert "searchindex.js" in mine
    assert [name for name in mine if mine[name] != upstream[name]] == []
    page = mine["projects/demo/index.html"].decode()
    assert page.count("needs_grid_simple") >= 3 and "<table" not in page.split('class="need')[1][:200]


def test_a_remembered_stem_is_the_stemmers():
    from sphinx.search.da import SearchDanish

    cached, plain = remembering(SearchDanish)({}), SearchDanish({})
    words = ["vurderingerne", "borgeren", "Principper", "behandlingen", "borgeren"]
    assert [cached.stem(w) for w in words] == [plain.stem(w) for w in words]
    assert cached.stem.cache_info().hits == 1
    assert remembering(SearchDanish).lang == "da"
