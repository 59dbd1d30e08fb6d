"""Turn a local row-level file (one row per case) into publishable counts.

The row-level file stays on the analyst's machine, outside the site folder: .gitignore
keeps common formats out of git, and the `row_level_data` check fails if one lands in the site.
A group with any cell below the disclosure threshold is suppressed whole, together with
the next smallest groups when it could otherwise be recovered by subtraction.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from dataetik.biastest.counts import COLUMNS, SUPPRESSED, column_label, discloses
from dataetik.i18n import _


class AggregateError(ValueError):
    """Bad input to aggregate; the message is in the policy's language and names file and column."""


def read_rows(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise AggregateError(_("{path} does not exist.").format(path=path))
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as err:  # noqa: BLE001 - any reader error is the author's file, said plainly
        raise AggregateError(_("{path} cannot be read as CSV (UTF-8) or Parquet: {error}").format(path=path, error=err)) from None


def _binary(rows: pd.DataFrame, column: str, path: Path) -> pd.Series:
    values = rows[column].astype(str).str.strip()
    bad = values[~values.isin(["0", "1"])]
    if not bad.empty:
        line = int(bad.index[0]) + 2  # header is line 1
        raise AggregateError(f"{path}:{line}: {column_label(column)}"
                             + _("the value '{value}' is not 0 or 1.").format(value=bad.iloc[0]))
    return values.astype(int)


def aggregate(rows: pd.DataFrame, path: Path, attributes: list[str], predicted: str, actual: str | None, min_cell: int) -> str:
    for column in [*attributes, predicted, *([actual] if actual else [])]:
        if column not in rows.columns:
            raise AggregateError(_("{path}: the column '{column}' does not exist. The columns are: {columns}.").format(
                path=path, column=column, columns=", ".join(map(str, rows.columns))))
    rows = rows.reset_index(drop=True)
    pred = _binary(rows, predicted, path)
    act = _binary(rows, actual, path) if actual else None
    cells = [(a, p) for a in ((1, 0) if actual else (None,)) for p in (1, 0)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for attribute in attributes:
        groups = rows[attribute].astype(str).str.strip()
        counts = {
            group: {(a, p): int(((pred == p) & (groups == group) & ((act == a) if a is not None else True)).sum())
                    for a, p in cells}
            for group in sorted(groups.unique())
        }
        hidden = suppressed_groups(counts, min_cell)
        for group, cell_counts in counts.items():
            if group in hidden:
                writer.writerow([attribute, group, "", "", SUPPRESSED])
                continue
            for (a, p), n in cell_counts.items():
                writer.writerow([attribute, group, "" if a is None else a, p, n])
    return out.getvalue()


def suppressed_groups(counts: dict[str, dict], min_cell: int) -> set[str]:
    """Groups with a cell below min_cell, and then the smallest others until the hidden groups
    together hold at least min_cell in every cell: one hidden group alone is recovered by
    subtracting the published groups from the total."""
    hidden = {g for g, cells in counts.items() if min(cells.values()) < min_cell}
    by_size = sorted((g for g in counts if g not in hidden), key=lambda g: sum(counts[g].values()))
    cells = next(iter(counts.values()), {})
    while hidden and by_size and discloses({c: sum(counts[g][c] for g in hidden) for c in cells}, min_cell):
        hidden.add(by_size.pop(0))
    return hidden


def write_counts(source: Path, target: Path, attributes: list[str], predicted: str, actual: str | None,
                 min_cell: int, force: bool = False) -> Path:
    if target.resolve() == source.resolve():
        raise AggregateError(_("The output file is the same as the row file. Choose another file, e.g. biastest.csv in "
                               "the project folder."))
    if target.exists() and not force:
        raise AggregateError(_("{target} already exists and will not be overwritten. Use --force if it is to be "
                               "replaced.").format(target=target))
    text = aggregate(read_rows(source), source, attributes, predicted, actual, min_cell)
    target.write_text(text, encoding="utf-8")
    return target
