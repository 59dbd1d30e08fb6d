"""Reading the needs.json the build writes."""

from __future__ import annotations

import gc
import json
import os
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from dataetik.i18n import _


class NeedsFileError(Exception):
    """needs.json is missing or unreadable: the site has not been built."""


@dataclass(frozen=True)
class Needs:
    by_id: dict[str, dict]
    srcdir: Path | None = None  # the site root, to find files next to a need's page

    @cached_property
    def _by_type(self) -> dict[str, list[dict]]:
        index = defaultdict(list)
        for need in sorted(self.by_id.values(), key=lambda n: n["id"]):
            index[need["type"]].append(need)
        return index

    @cached_property
    def _by_project(self) -> dict[tuple[str, str], list[dict]]:
        index = defaultdict(list)
        for need in sorted(self.by_id.values(), key=lambda n: n["id"]):
            for project_id in need.get("belongs_to") or []:
                index[(project_id, need["type"])].append(need)
        return index

    def of_type(self, need_type: str) -> list[dict]:
        return self._by_type.get(need_type, [])

    def get(self, need_id: str) -> dict | None:
        return self.by_id.get(need_id)

    def parts_of(self, project_id: str, need_type: str) -> list[dict]:
        """The needs of a type that belong to a project."""
        return self._by_project.get((project_id, need_type), [])


def source_file(need: dict) -> str:
    """The page a need is written in, relative to the site root."""
    return f"{need['docname']}{need.get('doctype') or '.md'}"


def load_needs(path: Path, srcdir: Path | None = None) -> Needs:
    collecting = gc.isenabled()
    gc.disable()  # parsed JSON holds no cycles: the collector would only walk the growing needs again and again
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NeedsFileError(_("{path} does not exist. Build the site first with 'make html' – the checks read the "
                               "needs.json the build writes.").format(path=path)) from None
    except json.JSONDecodeError as err:
        raise NeedsFileError(_("{path} cannot be read as JSON ({error}). Build the site again with 'make "
                               "html'.").format(path=path, error=err)) from None
    finally:
        if collecting:
            gc.enable()
    version = data.get("current_version", "")
    needs = data["versions"][version]["needs"]
    return Needs(by_id=needs, srcdir=srcdir)


def checked_site(default: Path) -> tuple[Path, Path]:
    """The site the policy checks read, and its needs.json: the repository (default) unless
    DATAETIK_SITE / DATAETIK_NEEDS_JSON point at a fixture site."""
    site = Path(os.environ.get("DATAETIK_SITE", default))
    return site, Path(os.environ.get("DATAETIK_NEEDS_JSON", site / "_build" / "html" / "needs.json"))


def option_line(lines: list[str], directive: int, field: str) -> int:
    """The line (1-based) of ':field:' among the options below the directive on line `directive`;
    the directive's own line where it is not there (the options end at the first line that is not one)."""
    for index in range(directive, len(lines)):
        option = lines[index].strip()
        if not option.startswith(":"):
            break
        if option.startswith(f":{field}:"):
            return index + 1
    return directive
