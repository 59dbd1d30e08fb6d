"""Sphinx run in this process, as `dataetik check` runs it: the checks then reuse what the build
imported and computed."""

from __future__ import annotations

import gc
import io
import sys
from pathlib import Path


def run_sphinx(site: Path, out: Path, doctrees: Path, builder: str = "html", overrides: dict | None = None,
               write: list[Path] | None = None) -> tuple[str, BaseException | None, object]:
    """Build (`write`: read what is outdated, write only these files' pages): (the warnings as Sphinx
    writes them, the exception that stopped it, the Sphinx application: what it judged while it built,
    the checks may take)."""
    from sphinx.application import Sphinx
    from sphinx.util.console import nocolor
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    nocolor()
    sys.modules.pop("dataetik.siteconf", None)  # conf.py reads the site it is imported from
    warnings = io.StringIO()
    app = None
    # Loading the environment makes millions of objects, none of them garbage: the collector would
    # scan them again and again (at 1,000 projects the load takes three times as long with it).
    gc.disable()
    try:
        with patch_docutils(site), docutils_namespace():
            # The menus of pages not otherwise changed may lag behind a page added: no finding comes from them.
            app = Sphinx(site, site, out, doctrees, builder, status=None, warning=warnings,
                         confoverrides={"nitpicky": True, "dataetik_fresh_navigation": False, **(overrides or {})})
            gc.freeze()
            gc.enable()
            app.build(False, [str(path) for path in write]) if write else app.build()
    except (Exception, SystemExit, KeyboardInterrupt) as err:  # noqa: BLE001 - said to the author by the caller
        return warnings.getvalue(), err, app
    finally:
        gc.enable()  # what was loaded stays frozen until the check is done (check_cmd.run)
    return warnings.getvalue(), None, app
