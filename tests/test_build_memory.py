"""dataetik.build_memory: the heap frozen while pages are written, and thawed when the build ends."""

from __future__ import annotations

import gc
from types import SimpleNamespace

from dataetik import build_memory


def test_frozen_once_while_writing_and_thawed_at_the_end():
    app = SimpleNamespace()
    kept = [object() for _ in range(10)]
    try:
        build_memory._freeze(app)
        frozen = gc.get_freeze_count()
        assert frozen > 0
        build_memory._freeze(app)  # write-started again (a second builder run): frozen once
        assert gc.get_freeze_count() == frozen
    finally:
        build_memory._unfreeze(app, None)
    assert gc.get_freeze_count() == 0
    build_memory._unfreeze(app, None)  # a build that never froze lifts nothing
    assert gc.get_freeze_count() == 0 and kept


def test_what_reading_left_is_collected_only_after_many_pages(monkeypatch):
    collected = []
    monkeypatch.setattr(gc, "collect", lambda *a: collected.append(a) or 0)
    for pages, collects in ((2, 0), (build_memory.MANY_READ + 1, 1)):
        app, collected[:] = SimpleNamespace(), []
        build_memory._count_read(app, None, [f"p{i}" for i in range(pages)])
        try:
            build_memory._freeze(app)
        finally:
            build_memory._unfreeze(app, None)
        assert len(collected) == collects
