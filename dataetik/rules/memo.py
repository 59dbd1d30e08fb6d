"""What the site rules found in each file, kept from one check run to the next.

The site rules read every file of the site, and almost all of that work is per file: the same file
gives the same result whatever the other files say. A re-check after one edit reads again only the
files that changed: a result is kept under the file's stat (inode, size, mtime and ctime: ctime
moves whenever the file is written, whatever a tool does to mtime) and what else it depends on (its
context: the policy's settings the rule reads), never under the file's name alone. What is kept is
what was found before it is put into words (hits, line numbers), so the language does not matter.

The same memo keeps what is costly per text of a consideration (`per_text`), under the text's digest.

A memo is attached to a Policy with `use`; a rule asks through `per_file` or `per_text`. Where none is
attached (checks/ under pytest, the build's own checks) a throwaway one serves, and everything is read.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dataetik.site_files import site_files

FILE_NAME = "dataetik-rules-memo.pickle"  # in _build/check-doctrees/, beside the build's environment
FORMAT = 1  # of the file: raise it when what is kept changes shape
# A file written within this long before its stat may be written again within the same tick of the file
# system's clock (coarse: milliseconds, or seconds on some), leaving the same stat for other content
# (git's "racily clean" files). Its result is used but not kept.
SETTLED_NS = 2_000_000_000
# The code whose results are kept: another version of it finds other things, so its memo is not used.
_SOURCES = ("rules/*.py", "model.py", "site_files.py", "biastest/counts.py")

Key = tuple[int, int, int, int] | tuple[()]  # a file's stat; () for a text, named by its digest


class FileMemo:
    """(work, file) -> the result of the work on the file, valid while the file's key and the
    context are those it was computed with. `save` keeps what this run asked for, and of a work it
    did not ask at all (a rule not run: pytest -k, or run in the build) what the last run kept."""

    def __init__(self, entries: dict | None = None):
        self._kept: dict[tuple[str, str], tuple[Key, Any, Any]] = entries or {}  # from the last run
        self._asked: dict[tuple[str, str], tuple[Key, Any, Any]] = {}  # asked for since
        self._works: set[str] = set()  # the works asked for since
        self.computed: list[tuple[str, str]] = []  # (work, file) worked out in this run, not taken from the memo

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, work: str, file: str, key: Key | None, context: Any, compute: Callable[[], Any]) -> Any:
        """The kept result where the key and the context are the same, else `compute()` (kept
        unless the key is None: a file that may still change unseen)."""
        entry = self._asked.get((work, file)) or self._kept.get((work, file))
        if key is not None and entry is not None and entry[0] == key and entry[1] == context:
            result = entry[2]
        else:
            result = compute()
            self.computed.append((work, file))
        self._works.add(work)
        if key is not None:
            self._asked[(work, file)] = (key, context, result)
        return result

    def save(self, path: Path) -> bool:
        """Write what this run asked for (a file removed, or changed too recently, is not kept) and the
        works it did not ask at all, atomically: a temporary file renamed over the old. False where it
        could not be written (the next run works everything out again)."""
        unasked = {entry: kept for entry, kept in self._kept.items() if entry[0] not in self._works}
        data = {"header": _header(), "entries": {**unasked, **self._asked}}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
        except OSError:
            return False
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
            return True
        except OSError:
            Path(temporary).unlink(missing_ok=True)
            return False


def load(path: Path) -> FileMemo:
    """The memo saved at path; an empty one where there is none, it cannot be read, or it was made
    by other rules or another Python (never trusted, never an error: it only saves time)."""
    try:
        with open(path, "rb") as f:
            data = pickle.load(f)
        if data["header"] != _header() or not isinstance(data["entries"], dict):
            return FileMemo()
        return FileMemo(data["entries"])
    except Exception:  # noqa: BLE001 - a truncated or foreign pickle raises almost anything
        return FileMemo()


def use(policy, memo: FileMemo) -> None:
    """The memo the site rules consult while checking this policy."""
    vars(policy)["_rules_memo"] = memo  # the policy is a frozen dataclass; the rules cache on it likewise


def attach(policy, path: Path) -> FileMemo:
    """The memo attached to the policy; where none is yet, the one saved at path, attached."""
    if "_rules_memo" not in vars(policy):
        use(policy, load(path))
    return memo_of(policy)


def memo_of(policy) -> FileMemo:
    """The memo attached with `use`, or a throwaway empty one (everything is read)."""
    return vars(policy).setdefault("_rules_memo", FileMemo())


def site_paths(policy) -> list[Path]:
    """The site's files, sorted: walked once per check run for all the rules that read them."""
    cache = vars(policy)
    if "_site_paths" not in cache:
        cache["_site_paths"] = sorted(site_files(policy.needs.srcdir)) if policy.needs.srcdir else []
    return list(cache["_site_paths"])


def per_file(policy, work: str, path: Path, compute: Callable[[Path], Any], context: Any = None) -> Any:
    """compute(path), or its result from the last run where the file and the context are unchanged.
    `work` names what compute does (one name per function); context is whatever else it depends on."""
    file = relative(policy, path) if policy.needs.srcdir else os.fspath(path)
    return memo_of(policy).get(work, file, _key(policy, os.fspath(path)), context, lambda: compute(path))


def per_text(policy, work: str, text: str, compute: Callable[[], Any], context: Any = None) -> Any:
    """compute(), or its result from the last run for the same text and context: kept under the text's
    digest (its content, so never stale), for what is costly per text (e.g. a consideration's references)."""
    return memo_of(policy).get(work, digest(text), (), context, compute)


@functools.lru_cache(maxsize=1 << 17)  # a consideration's text is asked for by more than one rule
def digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def relative(policy, path: Path) -> str:
    """The path of a file of the site relative to it, '/'-separated: cut from the string (pathlib's
    relative_to, once per file and rule, costs more than the rule where the memo answers)."""
    name, root = os.fspath(path), os.fspath(policy.needs.srcdir)
    if name.startswith(root + os.sep):
        return name[len(root) + 1:].replace(os.sep, "/")
    return Path(path).relative_to(root).as_posix()


def _key(policy, path: str) -> Key | None:
    """The file's stat as a key, taken once per check run (per Policy); None where it cannot be
    stat'ed or was written too recently to be sure that a change would show."""
    keys = vars(policy).setdefault("_rules_memo_keys", {})
    if path not in keys:
        try:
            st = os.stat(path)
        except OSError:
            keys[path] = None
        else:
            settled = max(st.st_mtime_ns, st.st_ctime_ns) < time.time_ns() - SETTLED_NS
            keys[path] = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns) if settled else None
    return keys[path]


@functools.lru_cache(maxsize=1)
def _header() -> tuple:
    """What the kept results depend on besides the files: this format, the rules' code, the Python."""
    package = Path(__file__).resolve().parent.parent
    code = hashlib.sha256()
    for pattern in _SOURCES:
        for source in sorted(package.glob(pattern)):
            code.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes() + b"\0")
    return FORMAT, code.hexdigest(), sys.version, sys.implementation.cache_tag
