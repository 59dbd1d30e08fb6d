"""Messages in the policy's language, from a gettext catalogue as Sphinx keeps its own.

Every text an author or reader sees is written in English in the code (the msgid) and
translated from ``locale/<language>/LC_MESSAGES/dataetik.po``; a language without a
catalogue gets the English text. The language is the policy's (``[policy] language`` in
policy.toml): every entry point calls ``use(language)`` as soon as it knows it.

- ``_("...")`` translates now.
- ``N_("...")`` only marks a text for the catalogue: for module-level constants, translated
  with ``translated()`` where they are shown.
- ``ngettext(singular, plural, n)`` for texts that depend on a count.

Placeholders are named, and filled in after translating (``_("{n} rows").format(n=n)``), so
a translation may put them in any order. ``make messages`` extracts the msgids into
``locale/dataetik.pot`` and updates the catalogues; the compiled ``.mo`` files are not in git,
they are compiled here when missing or older than their ``.po``.
"""

from __future__ import annotations

import functools
import gettext
import io
import os
import tempfile
from pathlib import Path

LOCALE = Path(__file__).parent / "locale"
DOMAIN = "dataetik"
# What is said where no policy declares a language (a command run outside any site, checks
# pointed at a folder without a policy): the language the tool was written for.
HOME_LANGUAGE = "da"

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = ""


def compiled(domain: str) -> Path:
    """Compile each language's ``<domain>.po`` to the ``.mo`` gettext reads, where the ``.mo``
    is missing or older than the ``.po``; returns the locale folder. A folder that cannot be
    written (an installed package) is left as it is."""
    for po in sorted(LOCALE.glob(f"*/LC_MESSAGES/{domain}.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            # Written beside it and moved in whole: parallel builds may compile at the same time.
            fd, tmp = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
            with os.fdopen(fd, "wb") as out:
                out.write(_mo_bytes(po))
            os.replace(tmp, mo)
        except OSError:
            continue
    return LOCALE


def _mo_bytes(po: Path) -> bytes:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as src:
        catalog = read_po(src)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def use(language: str) -> None:
    """Speak this language from now on (English where it has no catalogue)."""
    global _translations, _language
    _language = language or ""
    translations = gettext.translation(DOMAIN, localedir=compiled(DOMAIN), languages=[_language or "en"],
                                       fallback=True)
    po = LOCALE / _language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if type(translations) is gettext.NullTranslations and _language and po.exists():
        translations = gettext.GNUTranslations(io.BytesIO(_mo_bytes(po)))  # no .mo could be written
    _translations = translations


def language() -> str:
    """The language in use ('' before any ``use``: the English msgids)."""
    return _language


def _(message: str) -> str:
    return _translations.gettext(message)


def N_(message: str) -> str:
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """A plural msgid pair kept in a variable, for ngettext later (marked so it is extracted as one)."""
    return singular, plural


def translated(message: str) -> str:
    """A msgid held in a variable (marked with ``N_`` where it is written), translated; text that
    is no msgid comes back as it is. (Not ``_``: the extractor would take a string literal in the
    expression for a msgid.)"""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def long_date(day) -> str:
    """26. november 2026: a date in the site's language (the ISO date where Babel does not know it)."""
    from babel.dates import format_date

    try:
        return format_date(day, format="long", locale=language() or "en")
    except Exception:  # noqa: BLE001 - Babel raises several kinds for a language it does not know
        return day.isoformat()


# --- numbers, as the language writes them ------------------------------------------------

def _symbols() -> tuple[str, str]:
    """(decimal mark, thousands separator) of the language in use."""
    return _symbols_of(_language)


@functools.cache
def _symbols_of(language: str) -> tuple[str, str]:
    """From the CLDR data Babel ships; English's for a language it does not know."""
    from babel import Locale, UnknownLocaleError
    from babel.numbers import get_decimal_symbol, get_group_symbol

    try:
        locale = Locale.parse(language or "en", sep="-" if "-" in language else "_")
    except (UnknownLocaleError, ValueError):
        locale = Locale("en")
    return get_decimal_symbol(locale), get_group_symbol(locale)


def decimal_mark() -> str:
    """The language's decimal mark: ',' in Danish."""
    return _symbols()[0]


def decimal(x: float, digits: int = 2) -> str:
    """A number with a fixed number of decimals, e.g. 0,80 in Danish and 0.80 in English
    (rounded as Python rounds, so every language shows the same digits)."""
    point, _group = _symbols()
    return f"{x:.{digits}f}".replace(".", point)


def integer(n: int) -> str:
    """A whole number with the language's thousands separator: 1.234 in Danish."""
    _point, group = _symbols()
    return f"{n:,}".replace(",", group)


def percent(x: float, digits: int = 1) -> str:
    """A share as a percentage: 41,0 % in Danish."""
    return _("{number}%").format(number=decimal(x * 100, digits))
