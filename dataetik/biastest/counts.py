"""The published counts of a bias test: reading and validating them.

One CSV per bias test, aggregated counts only, never data about single citizens::

    attribute,group,actual,predicted,count
    køn,kvinde,1,1,41

`predicted` 1 = selected/flagged by the method; `actual` 1/0 = the true outcome, or
empty in every row when there is no ground truth. A group too small to publish is
one row with empty actual/predicted and count `undertrykt`: suppressing a single
cell is useless, since it is recovered from the group total by subtraction.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

from dataetik.i18n import _, integer, ngettext

COLUMNS = ("attribute", "group", "actual", "predicted", "count")
SUPPRESSED = "undertrykt"  # a word of the file format, the same in every language
# The largest counts file read, in KB (1000 bytes, as the file_sizes rule counts them): aggregated
# counts are a few lines per attribute and group, so a larger file is row-level data or a mistake,
# refused before it is parsed. The policy's own limit is [settings] max_counts_kb (PolicyBias.of);
# this is its default, for a counts file read without a policy.
MAX_COUNTS_KB = 100
KB = 1000


def column_label(column: str) -> str:
    """What goes before a problem with one column of the file: "column 'count': "."""
    return _("column '{column}': ").format(column=column)


def below_threshold(count, min_cell: int) -> str:
    return _("the count {count} is below the disclosure threshold of {min_cell}.").format(count=count, min_cell=min_cell)


def put_counts_in_folder() -> str:
    """How to fix a counts file that is not where the bias test says."""
    return _("Put the counts in the project folder, and write the file name in the bias test's ':counts:'.")


def _same_population() -> str:
    return _("Each attribute divides the same population; correct the numbers so the sums agree.")


class CountsError(ValueError):
    """A defect in a counts file, with the place to fix it (line and column are 1-based/names)."""

    def __init__(self, path: Path, line: int, column: str | None, problem: str, fix: str,
                 on_page: bool = False, discloses: bool = False):
        self.path, self.line, self.column, self.problem, self.fix = path, line, column, problem, fix
        self.on_page = on_page      # about the bias test on its page, not the counts file
        self.discloses = discloses  # publishing the file would reveal a small cell
        super().__init__(f"{path}:{line}: {self.where}{problem}")

    def at(self, path: Path) -> "CountsError":
        """The same defect, found in a file of the same content under another name."""
        return CountsError(path, self.line, self.column, self.problem, self.fix, self.on_page, self.discloses)

    @property
    def where(self) -> str:
        """"column 'count': " – or nothing for a problem with the whole file or line."""
        return column_label(self.column) if self.column else ""


@dataclass
class Group:
    name: str
    line: int                                   # first line of the group in the file
    cells: dict[tuple[int | None, int], int] = field(default_factory=dict)  # (actual, predicted) -> count
    suppressed: bool = False

    @property
    def n(self) -> int:
        return sum(self.cells.values())

    @property
    def selected(self) -> int:
        return sum(c for (_actual, predicted), c in self.cells.items() if predicted == 1)


@dataclass
class Counts:
    path: Path
    has_truth: bool
    attributes: dict[str, dict[str, Group]]     # attribute -> group name -> group, in file order


def _int01(value: str, path: Path, line: int, column: str, allow_empty: bool) -> int | None:
    if value == "" and allow_empty:
        return None
    if value in ("0", "1"):
        return int(value)
    raise CountsError(path, line, column, _("the value '{value}' is not allowed.").format(value=value),
                      _("Write 0, 1 or nothing.") if allow_empty else _("Write 0 or 1."))


def read_counts(path: Path, min_cell: int | None, required_attributes: tuple[str, ...] = (),
                max_kb: int = MAX_COUNTS_KB) -> Counts:
    return parse_counts(counts_bytes(path, max_kb), path, min_cell, required_attributes)


def counts_bytes(path: Path, max_kb: int = MAX_COUNTS_KB) -> bytes:
    """The file's bytes; one larger than max_kb is refused unread (at most max_kb + 1 byte is read)."""
    try:
        with path.open("rb") as f:
            data = f.read(max_kb * KB + 1)
    except FileNotFoundError:
        raise CountsError(path, 0, None, _("the file does not exist."), put_counts_in_folder()) from None
    if len(data) > max_kb * KB:
        raise CountsError(path, 1, None,
                          _("the file is {size} KB, more than the {limit} KB a counts file may be.").format(
                              size=integer(math.ceil(path.stat().st_size / KB)), limit=integer(max_kb)),
                          _("A counts file holds aggregated counts only: a line per attribute, group and cell. Make it "
                            "with 'dataetik aggregate'; if the counts really need more room, raise max_counts_kb in "
                            "the policy's [settings]."))
    return data


def parse_counts(data: bytes, path: Path, min_cell: int | None, required_attributes: tuple[str, ...] = ()) -> Counts:
    """Parse and validate a counts file's bytes; `path` is only for the messages."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CountsError(path, 1, None, _("the file is not UTF-8."), _("Save the file as CSV (UTF-8).")) from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    first_line = _("The first line must be: {columns}").format(columns=",".join(COLUMNS))
    if header is None:
        raise CountsError(path, 1, None, _("the file is empty."), first_line)
    header = [h.strip() for h in header]
    if len(header) == 1 and ";" in header[0]:  # Danish Excel saves "CSV" with semicolons
        raise CountsError(path, 1, None, _("the fields are separated by semicolons."),
                          _("Save the file as 'CSV UTF-8 (comma delimited)', so the fields are separated by commas."))
    for name in header:
        if name not in COLUMNS:
            raise CountsError(path, 1, name, _("unknown column."),
                              _("Use exactly the columns {columns} – a bias test publishes counts only.").format(
                                  columns=",".join(COLUMNS)))
    for name in COLUMNS:
        if name not in header:
            raise CountsError(path, 1, name, _("the column is missing."), first_line)

    attributes: dict[str, dict[str, Group]] = {}
    truth_seen: set[bool] = set()
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CountsError(path, line, None,
                              ngettext("the line has {fields} field, but the header has {columns}.",
                                       "the line has {fields} fields, but the header has {columns}.",
                                       len(row)).format(fields=len(row), columns=len(header)),
                              _("Correct the line so it has a value (possibly empty) for each column."))
        values = {h: v.strip() for h, v in zip(header, row)}
        attribute, name = values["attribute"], values["group"]
        for column in ("attribute", "group"):
            if not values[column]:
                raise CountsError(path, line, column, _("the field is empty."),
                                  _("Write the attribute (e.g. sex) and the group (e.g. woman)."))
        group = attributes.setdefault(attribute, {}).get(name)
        if values["count"] == SUPPRESSED:
            if values["actual"] or values["predicted"] or group:
                raise CountsError(path, line, "count",
                                  _("a suppressed group must be on one line with empty actual and predicted."),
                                  _("Suppress the whole group: delete its other lines, and leave actual and predicted "
                                    "empty."))
            attributes[attribute][name] = Group(name, line, suppressed=True)
            continue
        if group and group.suppressed:
            raise CountsError(path, line, "group", _("the group '{group}' is already suppressed.").format(group=name),
                              _("Suppress the whole group or publish it – not both."))
        actual = _int01(values["actual"], path, line, "actual", allow_empty=True)
        predicted = _int01(values["predicted"], path, line, "predicted", allow_empty=False)
        truth_seen.add(actual is not None)
        if len(truth_seen) > 1:
            raise CountsError(path, line, "actual", _("some lines have an actual outcome and others do not."),
                              _("Fill in actual (0/1) on every line, or leave it empty on every line."))
        try:
            count = int(values["count"])
        except ValueError:
            raise CountsError(path, line, "count", _("'{value}' is not a whole number.").format(value=values["count"]),
                              _("Write a whole number, or '{suppressed}' for a group too small to publish.").format(
                                  suppressed=SUPPRESSED)) from None
        if count < 0:
            raise CountsError(path, line, "count", _("the count {count} is negative.").format(count=count),
                              _("Write the number of cases in the cell (0 or more); did the minus get in by mistake?"))
        if min_cell is not None and count < min_cell:
            raise CountsError(path, line, "count", below_threshold(count, min_cell),
                              _("Small numbers must not be published. Suppress the whole group (one line with count "
                                "'{suppressed}') or merge it with another group; suppressing one cell is not "
                                "enough.").format(suppressed=SUPPRESSED), discloses=True)
        group = attributes[attribute].setdefault(name, Group(name, line))
        if (actual, predicted) in group.cells:
            raise CountsError(path, line, "count", _("the cell {cell} for {attribute}={group} appears twice.").format(
                cell=_cell_name((actual, predicted)), attribute=attribute, group=name), _("Merge the lines into one."))
        group.cells[(actual, predicted)] = count

    has_truth = truth_seen == {True}
    _check_complete(path, attributes, has_truth, required_attributes, min_cell)
    return Counts(path, has_truth, attributes)


def _check_complete(path, attributes, has_truth, required_attributes, min_cell) -> None:
    if not attributes:
        raise CountsError(path, 2, None, _("the file has no counts."), _("Add a line per attribute, group and cell."))
    for name in required_attributes:
        if name not in attributes:
            raise CountsError(path, 1, "attribute", _("the attribute '{attribute}' is missing.").format(attribute=name),
                              _("The policy demands that the result is tested across {attributes}.").format(
                                  attributes=", ".join(required_attributes)))
    cells = [(a, p) for a in ((0, 1) if has_truth else (None,)) for p in (0, 1)]
    totals = {}
    for attribute, groups in attributes.items():
        published = [g for g in groups.values() if not g.suppressed]
        if len(groups) < 2:
            raise CountsError(path, next(iter(groups.values())).line, "group",
                              _("the attribute '{attribute}' has only one group, so there is nothing to compare.").format(
                                  attribute=attribute),
                              _("Add the other groups (suppress those that are too small)."))
        for group in published:
            missing = [c for c in cells if c not in group.cells]
            if missing:
                shown = ", ".join(_cell_name(c) for c in missing)
                raise CountsError(path, group.line, "count", _("the group {attribute}={group} is missing cells: {cells}.").format(
                                      attribute=attribute, group=group.name, cells=shown),
                                  _("Each group must have a line for each combination – or be suppressed whole."))
    # Every attribute divides the same population: fully published ones agree cell by cell.
    full = {a: groups for a, groups in attributes.items() if not any(g.suppressed for g in groups.values())}
    if not full:
        return
    first = next(iter(full))
    population = _cell_sums(full[first].values())
    for attribute, groups in full.items():
        sums, line = _cell_sums(groups.values()), next(iter(groups.values())).line
        if sum(sums.values()) != sum(population.values()):
            raise CountsError(path, line, "count",
                              _("the counts for '{attribute}' add up to {sum}, but other attributes' to {population}.").format(
                                  attribute=attribute, sum=sum(sums.values()), population=sum(population.values())),
                              _same_population())
        for cell in cells:
            if sums.get(cell, 0) != population.get(cell, 0):
                raise CountsError(path, line, "count",
                                  _("the cell {cell} adds up to {sum} for '{attribute}', but to {other} for '{first}'.").format(
                                      cell=_cell_name(cell), sum=sums.get(cell, 0), attribute=attribute,
                                      other=population.get(cell, 0), first=first),
                                  _same_population())
    _check_not_recoverable(path, attributes, cells, min_cell, population)


def _cell_name(cell) -> str:
    actual, predicted = cell
    return f"predicted={predicted}" if actual is None else f"actual={actual}, predicted={predicted}"


def _cell_sums(groups) -> dict:
    sums: dict = {}
    for group in groups:
        for cell, count in group.cells.items():
            sums[cell] = sums.get(cell, 0) + count
    return sums


def discloses(hidden: dict, min_cell: int | None) -> bool:
    """Would these per-cell counts of the suppressed groups, together, reveal a small number?
    Nothing at all reveals nothing; otherwise every cell must reach min_cell (where the policy
    states one)."""
    return min_cell is not None and any(hidden.values()) and min(hidden.values()) < min_cell


def _check_not_recoverable(path, attributes, cells, min_cell, population) -> None:
    """Suppressed groups must not be recoverable by subtracting the published groups from the
    population that a fully published attribute gives."""
    for attribute, groups in attributes.items():
        hidden = [g for g in groups.values() if g.suppressed]
        if not hidden:
            continue
        published = _cell_sums(g for g in groups.values() if not g.suppressed)
        rest = {c: population.get(c, 0) - published.get(c, 0) for c in cells}
        over = [c for c in cells if rest[c] < 0]
        if over:
            raise CountsError(path, hidden[0].line, "count",
                              _("the published groups in '{attribute}' have {published} in the cell {cell}, more than "
                                "the other attributes ({population}).").format(
                                  attribute=attribute, published=published.get(over[0], 0), cell=_cell_name(over[0]),
                                  population=population.get(over[0], 0)),
                              _same_population())
        if discloses(rest, min_cell):
            small = min(cells, key=lambda c: rest[c])
            names = ", ".join(g.name for g in hidden)
            raise CountsError(
                path, hidden[0].line, "count",
                _("the suppressed groups in '{attribute}' ({groups}) can be recovered by subtracting the published "
                  "numbers from the total: the cell {cell} gives {rest}, below the disclosure threshold of "
                  "{min_cell}.").format(attribute=attribute, groups=names, cell=_cell_name(small), rest=rest[small],
                                        min_cell=min_cell),
                _("Suppress the next smallest group too, or merge the small group with a neighbouring group; dataetik "
                  "aggregate suppresses the next smallest group itself."), discloses=True)
