"""Walking the site's folder: its own files, not those of the tools beside them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# Not pages of the site (siteconf's exclude_patterns): the tools beside it, and READMEs.
EXCLUDE_PATTERNS = [
    ".venv", "_build", "tests", "bench", "checks", "dataetik", "README.md", "**/README.md",
    ".pytest_cache", ".git", ".ci", "scripts", "*.egg-info", "node_modules",
]
SKIP_DIRS = {".git", ".venv", "venv", "env", ".tox", "_build", "node_modules", "__pycache__"}


def site_files(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith((".egg-info", "_cache")))
        for name in sorted(files):
            yield Path(folder) / name
