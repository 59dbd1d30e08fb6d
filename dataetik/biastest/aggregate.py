"""Turn a local row-level file (one row per case) into publishable counts.

The row-level file stays on the analyst's machine, outside the site folder: .gitignore
keeps common formats out of git, and the `row_level_data` check fails if one lands in the site.
A group with any cell below the disclosure threshold is suppressed whole, together with
the next smallest groups when it could otherwise be recovered by subtraction.

An attribute is named as the policy names it, read from the column the extract has
(``køn=koen``), and ages may be grouped into bands (``aldersgruppe=0-17,18-29,30-49,50-``):
an extract rarely uses the policy's words.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from dataetik.biastest.counts import COLUMNS, SUPPRESSED, column_label, discloses
from dataetik.i18n import _


class AggregateError(ValueError):
    """Bad input to aggregate; the message is in the policy's language and names file and column."""


@dataclass(frozen=True)
class Table:
    """The rows of the extract as text, with the line of the file each row starts on."""

    path: Path
    columns: list[str]
    rows: list[list[str]]
    lines: list[int]

    def column(self, name: str) -> list[str]:
        i = self.columns.index(name)
        return [row[i].strip() for row in self.rows]


@dataclass(frozen=True)
class Attribute:
    """One attribute of the counts: the policy's name for it, the extract's column, optional age bands."""

    name: str
    column: str
    bands: tuple[tuple[int, int | None], ...] = ()  # (lowest, highest or None: open), lowest first


def parse_attribute(spec: str) -> Attribute:
    """'køn' (the column has the policy's name) or 'køn=koen' (the policy's name = the column)."""
    name, _sep, column = spec.partition("=")
    name, column = name.strip(), (column or name).strip()
    if not name or not column:
        raise AggregateError(_("--attribute '{spec}' cannot be read. Write the policy's name for the attribute, or "
                               "the name, '=' and the column, e.g. --attribute køn=koen.").format(spec=spec))
    return Attribute(name, column)


def parse_bands(spec: str) -> tuple[str, tuple[tuple[int, int | None], ...]]:
    """'aldersgruppe=0-17,18-29,30-49,50-' -> ('aldersgruppe', ((0, 17), (18, 29), (30, 49), (50, None))).
    The bands must follow each other without gaps or overlaps; only the last may be open."""
    name, sep, text = spec.partition("=")
    example = _("e.g. --bands aldersgruppe=0-17,18-29,30-49,50-")
    if not sep or not name.strip():
        raise AggregateError(_("--bands '{spec}' cannot be read. Write the attribute's name, '=' and the bands, "
                               "{example}.").format(spec=spec, example=example))
    bands: list[tuple[int, int | None]] = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d*)|\+)\s*", part)
        if not match:
            raise AggregateError(_("--bands: '{band}' is not a band. Write each band as lowest-highest, and the last "
                                   "one as lowest- for 'and above', {example}.").format(band=part.strip(), example=example))
        low, high = int(match.group(1)), int(match.group(2)) if match.group(2) else None
        previous = bands[-1] if bands else None
        if (high is not None and high < low) or (previous and (previous[1] is None or low != previous[1] + 1)):
            raise AggregateError(_("--bands: the band '{band}' does not follow the band before it. The bands must come "
                                   "lowest first, without gaps or overlaps, {example}.").format(band=part.strip(), example=example))
        bands.append((low, high))
    return name.strip(), tuple(bands)


def band_label(band: tuple[int, int | None]) -> str:
    low, high = band
    return f"{low}+" if high is None else f"{low}-{high}"


def read_rows(path: Path) -> Table:
    if not path.exists():
        raise AggregateError(_("{path} does not exist.").format(path=path))
    if path.suffix.lower() == ".parquet":
        return _read_parquet(path)
    return _read_csv(path)


def _read_parquet(path: Path) -> Table:
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as err:  # noqa: BLE001 - any reader error is the author's file, said plainly
        raise AggregateError(_("{path} cannot be read as CSV (UTF-8) or Parquet: {error}").format(path=path, error=err)) from None
    rows = frame.astype(str).values.tolist()
    return Table(path, [str(c) for c in frame.columns], rows, [i + 2 for i in range(len(rows))])


def _read_csv(path: Path) -> Table:
    """A CSV file (',' or ';' between fields, as a Danish spreadsheet saves it), every line as wide as
    the header; a defect is said with its line, and nothing is guessed."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise AggregateError(_("{path}:{line}: the file is not saved as UTF-8. Save it again as 'CSV UTF-8'.").format(
            path=path, line=line)) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise AggregateError(_("{path}:1: the file has no header line with the columns' names.").format(path=path))
        columns = [h.strip() for h in header]
        twice = next((c for c in columns if columns.count(c) > 1), None)
        if twice is not None:
            raise AggregateError(_("{path}:1: the column '{column}' appears twice in the header.").format(
                path=path, column=twice))
        rows, lines = [], []
        start = reader.line_num + 1
        for row in reader:
            if row and len(row) != len(columns):
                raise AggregateError(_("{path}:{line}: the line has {count} fields, but the header has {columns}.").format(
                    path=path, line=start, count=len(row), columns=len(columns)))
            if row:
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as err:
        raise AggregateError(_("{path}:{line}: the line cannot be read as CSV ({error}).").format(
            path=path, line=reader.line_num, error=err)) from None
    return Table(path, columns, rows, lines)


def _plain(word: str) -> str:
    """'Køn' -> 'koen': to compare a name with a column however æ, ø, å and case are spelled."""
    word = word.lower().translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"}))
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()


def closest(name: str, candidates: list[str]) -> str | None:
    """The candidate most like name ('koen' for 'køn', 'alder' for 'aldersgruppe'), if any is close."""
    plain = {_plain(c): c for c in candidates}
    if _plain(name) in plain:
        return plain[_plain(name)]
    starts = [c for p, c in plain.items() if p and (_plain(name).startswith(p) or p.startswith(_plain(name)))]
    if starts:
        return starts[0]
    match = difflib.get_close_matches(_plain(name), list(plain), n=1, cutoff=0.6)
    return plain[match[0]] if match else None


def _require_column(table: Table, column: str, attribute: str | None = None) -> None:
    if column in table.columns:
        return
    message = _("{path}: the column '{column}' does not exist. The columns are: {columns}.").format(
        path=table.path, column=column, columns=", ".join(table.columns))
    near = closest(column, table.columns)
    if near and attribute is not None:
        message += " " + _("Did you mean '{near}'? Then write --attribute {name}={near}.").format(near=near, name=attribute)
    elif near:
        message += " " + _("Did you mean '{near}'?").format(near=near)
    raise AggregateError(message)


def _binary(table: Table, column: str) -> list[int]:
    values = table.column(column)
    for value, line in zip(values, table.lines):
        if value not in ("0", "1"):
            raise AggregateError(f"{table.path}:{line}: {column_label(column)}"
                                 + _("the value '{value}' is not 0 or 1.").format(value=value))
    return [int(v) for v in values]


def _banded(table: Table, attribute: Attribute) -> list[str]:
    """Each row's band label; an age that is not a whole number, or lies in no band, is said with its line."""
    labels = []
    for value, line in zip(table.column(attribute.column), table.lines):
        if not re.fullmatch(r"\d+", value):
            raise AggregateError(f"{table.path}:{line}: {column_label(attribute.column)}"
                                 + _("the value '{value}' is not a whole number, so it cannot be put in an age band.").format(
                                     value=value))
        age = int(value)
        band = next((b for b in attribute.bands if b[0] <= age and (b[1] is None or age <= b[1])), None)
        if band is None:
            raise AggregateError(f"{table.path}:{line}: {column_label(attribute.column)}"
                                 + _("the value {value} lies in none of the bands {bands}. Add a band for it.").format(
                                     value=age, bands=", ".join(band_label(b) for b in attribute.bands)))
        labels.append(band_label(band))
    return labels


def aggregate(table: Table, attributes: list[Attribute], predicted: str, actual: str | None, min_cell: int) -> str:
    for attribute in attributes:
        _require_column(table, attribute.column, attribute.name)
    for column in [predicted, *([actual] if actual else [])]:
        _require_column(table, column)
    pred = _binary(table, predicted)
    act = _binary(table, actual) if actual else [None] * len(pred)
    cells = [(a, p) for a in ((1, 0) if actual else (None,)) for p in (1, 0)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for attribute in attributes:
        if attribute.bands:
            groups = _banded(table, attribute)
            order = [band_label(b) for b in attribute.bands if band_label(b) in groups]
        else:
            groups = table.column(attribute.column)
            order = sorted(set(groups))
        counts = {group: {cell: 0 for cell in cells} for group in order}
        for group, a, p in zip(groups, act, pred):
            counts[group][(a, p)] += 1
        hidden = suppressed_groups(counts, min_cell)
        for group, cell_counts in counts.items():
            if group in hidden:
                writer.writerow([attribute.name, group, "", "", SUPPRESSED])
                continue
            for (a, p), n in cell_counts.items():
                writer.writerow([attribute.name, group, "" if a is None else a, p, n])
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


def attributes_from(specs: list[str], band_specs: list[str]) -> list[Attribute]:
    """--attribute and --bands, checked together: one attribute per name, bands only for a named one."""
    attributes = [parse_attribute(s) for s in specs]
    names = [a.name for a in attributes]
    twice = next((n for n in names if names.count(n) > 1), None)
    if twice:
        raise AggregateError(_("The attribute '{name}' is given twice with --attribute.").format(name=twice))
    bands = dict(parse_bands(s) for s in band_specs)
    unknown = next((n for n in bands if n not in names), None)
    if unknown:
        raise AggregateError(_("--bands names '{name}', which is not an attribute. Name it with --attribute too, e.g. "
                               "--attribute {name}=alder.").format(name=unknown))
    return [Attribute(a.name, a.column, bands.get(a.name, ())) for a in attributes]


def write_counts(source: Path, target: Path, attributes: list[Attribute], predicted: str, actual: str | None,
                 min_cell: int, force: bool = False) -> Table:
    """Write the counts; returns the extract that was read."""
    if target.resolve() == source.resolve():
        raise AggregateError(_("The output file is the same as the row file. Choose another file, e.g. biastest.csv in "
                               "the project folder."))
    if target.exists() and not force:
        raise AggregateError(_("{target} already exists and will not be overwritten. Use --force if it is to be "
                               "replaced.").format(target=target))
    table = read_rows(source)
    text = aggregate(table, attributes, predicted, actual, min_cell)  # every check before anything is written
    target.write_text(text, encoding="utf-8")
    return table


def missing_attributes(required: tuple[str, ...], attributes: list[Attribute]) -> list[str]:
    """The attributes the policy demands that the counts do not have."""
    given = {a.name for a in attributes}
    return [name for name in required if name not in given]


def suggestion(name: str, table: Table, attributes: list[Attribute]) -> tuple[dict[str, str], list[str]]:
    """How to add a missing attribute: ({--attribute value to replace: its replacement}, arguments to add).
    An attribute given under the column's own name ('koen') is renamed to the policy's ('køn=koen');
    else the closest column is read, grouped into bands when it holds whole numbers (ages)."""
    named = closest(name, [a.name for a in attributes])
    if named is not None:
        old = next(a for a in attributes if a.name == named)
        return {old.name if old.name == old.column else f"{old.name}={old.column}": f"{name}={old.column}"}, []
    column = closest(name, table.columns) or _("COLUMN")
    add = ["--attribute", f"{name}={column}"]
    if column in table.columns and table.rows and all(re.fullmatch(r"\d+", v) for v in table.column(column)):
        add += ["--bands", f"{name}=0-17,18-29,30-49,50-"]
    return {}, add
