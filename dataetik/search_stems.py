"""The search index's stemmer remembers the words it has stemmed, across the whole build.

Sphinx stems every word of a page for the search index, remembering stems only within the page
(``IndexBuilder.feed``); the same words come back on page after page (every project page has the
same headings, labels and field names), and a Snowball stemmer is pure Python: at 300 projects,
stemming was the larger part of the search index's cost. A stem depends only on the word, so the
index is the same, byte for byte.
"""

from __future__ import annotations

import functools
from importlib import import_module

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.search import SearchLanguage, languages

_MARK = "_dataetik_remembers_stems"  # set on the classes made here, so they are never wrapped twice


def _language_class(lang: str) -> type[SearchLanguage] | None:
    """The class Sphinx's IndexBuilder uses for the language (None: it falls back to English)."""
    cls = languages.get(lang)
    if cls is None and "_" in lang:
        cls = languages.get(lang.partition("_")[0])
    if isinstance(cls, str):
        module, name = cls.rsplit(".", 1)
        cls = getattr(import_module(module), name)
    return cls


def remembering(cls: type[SearchLanguage]) -> type[SearchLanguage]:
    """A subclass of the language whose instances stem each distinct word once."""

    class Remembering(cls):  # type: ignore[misc, valid-type]
        def __init__(self, options: dict[str, str]) -> None:
            super().__init__(options)
            self.stem = functools.lru_cache(maxsize=None)(super().stem)  # type: ignore[method-assign]

    Remembering.__name__ = Remembering.__qualname__ = f"Remembering{cls.__name__}"
    setattr(Remembering, _MARK, True)
    return Remembering


def _remember_stems(app: Sphinx, config: Config) -> None:
    lang = config.html_search_language or config.language
    cls = _language_class(lang) if lang else None
    if cls is None or getattr(cls, _MARK, False):
        return
    app.add_search_language(remembering(cls))


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _remember_stems)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
