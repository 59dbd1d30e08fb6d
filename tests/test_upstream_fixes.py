"""dataetik.upstream_fixes changes how fast upstream code runs, never what a build writes: the same site
checked with and without the fixes gives the same report, needs.json and pages; each fix on its own
does what the upstream code did; on another version nothing is changed."""

from __future__ import annotations

import json
import logging

import pytest
import sphinx.events
from sphinx_needs.need_item import NeedItem, NeedLink
from test_incremental import TODAY, _check, _make, _needs, _pages, _report

from dataetik import upstream_fixes

upstream_fixes.apply()  # as a build would (each test here reads what the fixes changed)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("DATAETIK_TODAY", TODAY)
    root = _make(tmp_path_factory.mktemp("fixes") / "site")
    # A project without a required field: sphinx-needs' schema validation warns (the schema select fix).
    page = root / "projects/andet/index.md"
    page.write_text(page.read_text(encoding="utf-8").replace(":department: Jobcenter\n", "", 1), encoding="utf-8")
    yield root
    mp.undo()


def test_a_check_with_the_fixes_writes_what_one_without_them_writes(site):
    fixed = _check(site, clean=True)
    assert set(upstream_fixes.APPLIED) == set(upstream_fixes.FIXES), "written for other versions than installed"
    fixed_needs, fixed_pages = _needs(site), _pages(site)
    with upstream_fixes.unapplied():
        assert "repr" not in vars(sphinx.events)
        upstream = _check(site, clean=True)
        upstream_needs, upstream_pages = _needs(site), _pages(site)
    assert "repr" in vars(sphinx.events)
    assert (fixed[0], _report(site, fixed[1])) == (upstream[0], _report(site, upstream[1]))
    assert fixed[0] == 1 and any("PRJ_ANDET" in line for line in fixed[1]), fixed[1]  # the schema's warning
    assert fixed_needs == upstream_needs
    assert fixed_pages == upstream_pages


def test_needs_json_is_the_same_text(tmp_path):
    from sphinx_needs.needsfile import NeedsList

    class Stub(NeedsList):
        def __init__(self):  # noqa: D107 - only what write_json reads
            self.needs_list = {"b": [1.5, "æ\n", {"z": None, "a": True}], "a": 10 ** 20, "c": -0.0}
            self.outdir = tmp_path

        def _finalise(self):
            pass

    Stub().write_json("fixed.json")
    with upstream_fixes.unapplied():
        Stub().write_json("upstream.json")
    assert (tmp_path / "fixed.json").read_text() == (tmp_path / "upstream.json").read_text()
    json.loads((tmp_path / "fixed.json").read_text())


class _Need:
    """What add_backlink reads of a need."""

    def __init__(self):
        self._backlinks = {"links": [], "parts": []}


def test_backlinks_are_added_as_upstream_adds_them():
    calls = [("links", NeedLink(id=f"N{i % 7}")) for i in range(40)] + [("links", "N3"), ("parts", "N9.a"),
                                                                       ("links", "N9"), ("parts", "N9.a")]
    upstream, fixed = _Need(), _Need()
    add = upstream_fixes.deduplicating_add(NeedItem.add_backlink)
    for i, (link_type, link) in enumerate(calls):
        NeedItem.add_backlink(upstream, link_type, link)
        add(fixed, link_type, link)
        if i == 20:  # something else appends to a list meanwhile
            for need in (upstream, fixed):
                need._backlinks["links"].append(NeedLink(id="N5"))
    assert fixed._backlinks == upstream._backlinks
    assert [li.id for li in fixed._backlinks["links"]][:7] == [f"N{i}" for i in range(7)]
    with pytest.raises(KeyError):
        add(fixed, "other", "N1")


def test_the_event_repr_is_made_only_where_a_debug_message_is_kept():
    logger = sphinx.events.logger.logger
    handler = logging.Handler(logging.INFO)
    sphinx_logger = logging.getLogger("sphinx")
    saved = sphinx_logger.handlers[:], sphinx_logger.propagate
    sphinx_logger.handlers[:] = [handler]
    sphinx_logger.propagate = False
    try:
        assert not upstream_fixes._debug_shown(logger)
        with pytest.raises(Exception):
            sphinx.events.repr(("an", "event"))
        handler.setLevel(logging.DEBUG)  # -vv
        assert sphinx.events.repr(("an", "event")) == repr(("an", "event"))
    finally:
        sphinx_logger.handlers[:], sphinx_logger.propagate = saved


def test_on_another_version_nothing_is_changed(monkeypatch):
    monkeypatch.setattr(upstream_fixes, "APPLIED", [])
    monkeypatch.setattr(upstream_fixes, "_version", lambda package: "0.0")
    called = []
    monkeypatch.setattr(upstream_fixes, "FIXES", {name: (package, version, lambda: called.append(1))
                                                  for name, (package, version, _fix) in upstream_fixes.FIXES.items()})
    assert upstream_fixes.apply() == [] and not called
