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
from dataclasses import dataclass, field
from pathlib import Path

COLUMNS = ("attribute", "group", "actual", "predicted", "count")
SUPPRESSED = "undertrykt"


class CountsError(ValueError):
    """A defect in a counts file, with the place to fix it (line and column are 1-based/names)."""

    def __init__(self, path: Path, line: int, column: str | None, problem: str, fix: str,
                 on_page: bool = False, discloses: bool = False):
        self.path, self.line, self.column, self.problem, self.fix = path, line, column, problem, fix
        self.on_page = on_page      # about the bias test on its page, not the counts file
        self.discloses = discloses  # publishing the file would reveal a small cell
        super().__init__(f"{path}:{line}: {self.where}{problem}")

    @property
    def where(self) -> str:
        """'kolonne 'count': ' – or nothing for a problem with the whole file or line."""
        return f"kolonne '{self.column}': " if self.column else ""


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
        return sum(c for (_, predicted), c in self.cells.items() if predicted == 1)


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
    allowed = "0, 1 eller tom" if allow_empty else "0 eller 1"
    raise CountsError(path, line, column, f"værdien '{value}' er ikke tilladt.", f"Skriv {allowed}.")


def read_counts(path: Path, min_cell: int | None, required_attributes: tuple[str, ...] = ()) -> Counts:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CountsError(path, 0, None, "filen findes ikke.",
                          "Læg optællingerne i projektmappen, og skriv filnavnet i bias-testens ':counts:'.") from None
    except UnicodeDecodeError:
        raise CountsError(path, 1, None, "filen er ikke UTF-8.", "Gem filen som CSV (UTF-8).") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raise CountsError(path, 1, None, "filen er tom.", f"Første linje skal være: {','.join(COLUMNS)}")
    header = [h.strip() for h in header]
    if len(header) == 1 and ";" in header[0]:  # Danish Excel saves "CSV" with semicolons
        raise CountsError(path, 1, None, "felterne er adskilt med semikolon.",
                          "Gem filen som 'CSV UTF-8 (kommasepareret)', så felterne er adskilt med komma.")
    for name in header:
        if name not in COLUMNS:
            raise CountsError(path, 1, name, "ukendt kolonne.",
                              f"Brug præcis kolonnerne {','.join(COLUMNS)} – en bias-test offentliggør kun optællinger.")
    for name in COLUMNS:
        if name not in header:
            raise CountsError(path, 1, name, "kolonnen mangler.", f"Første linje skal være: {','.join(COLUMNS)}")

    attributes: dict[str, dict[str, Group]] = {}
    truth_seen: set[bool] = set()
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CountsError(path, line, None, f"linjen har {len(row)} felter, men overskriften har {len(header)}.",
                              "Ret linjen, så den har en værdi (evt. tom) for hver kolonne.")
        values = {h: v.strip() for h, v in zip(header, row)}
        attribute, name = values["attribute"], values["group"]
        for column in ("attribute", "group"):
            if not values[column]:
                raise CountsError(path, line, column, "feltet er tomt.", "Skriv egenskaben (fx køn) og gruppen (fx kvinde).")
        group = attributes.setdefault(attribute, {}).get(name)
        if values["count"] == SUPPRESSED:
            if values["actual"] or values["predicted"] or group:
                raise CountsError(path, line, "count", "en undertrykt gruppe skal stå på én linje med tomme actual og predicted.",
                                  "Undertryk hele gruppen: slet dens øvrige linjer, og lad actual og predicted være tomme.")
            attributes[attribute][name] = Group(name, line, suppressed=True)
            continue
        if group and group.suppressed:
            raise CountsError(path, line, "group", f"gruppen '{name}' er allerede undertrykt.",
                              "Undertryk hele gruppen, eller offentliggør den – ikke begge dele.")
        actual = _int01(values["actual"], path, line, "actual", allow_empty=True)
        predicted = _int01(values["predicted"], path, line, "predicted", allow_empty=False)
        truth_seen.add(actual is not None)
        if len(truth_seen) > 1:
            raise CountsError(path, line, "actual", "nogle linjer har et faktisk udfald og andre ikke.",
                              "Udfyld actual (0/1) på alle linjer, eller lad den være tom på alle.")
        try:
            count = int(values["count"])
        except ValueError:
            raise CountsError(path, line, "count", f"'{values['count']}' er ikke et helt tal.",
                              f"Skriv et helt tal, eller '{SUPPRESSED}' for en gruppe, der er for lille til at offentliggøre.") from None
        if count < 0:
            raise CountsError(path, line, "count", f"antallet {count} er negativt.",
                              "Skriv antallet af sager i cellen (0 eller mere); er minusset kommet med ved en fejl?")
        if min_cell is not None and count < min_cell:
            raise CountsError(path, line, "count", f"antallet {count} er under diskretionsgrænsen på {min_cell}.",
                              f"Små tal må ikke offentliggøres. Undertryk hele gruppen (én linje med count '{SUPPRESSED}') "
                              "eller slå den sammen med en anden gruppe; at undertrykke én celle er ikke nok.", discloses=True)
        group = attributes[attribute].setdefault(name, Group(name, line))
        if (actual, predicted) in group.cells:
            raise CountsError(path, line, "count", f"cellen {_cell_name((actual, predicted))} for {attribute}={name} står to gange.",
                              "Slå linjerne sammen til én.")
        group.cells[(actual, predicted)] = count

    has_truth = truth_seen == {True}
    _check_complete(path, attributes, has_truth, required_attributes, min_cell)
    return Counts(path, has_truth, attributes)


def _check_complete(path, attributes, has_truth, required_attributes, min_cell) -> None:
    if not attributes:
        raise CountsError(path, 2, None, "filen har ingen optællinger.", "Tilføj en linje pr. egenskab, gruppe og celle.")
    for name in required_attributes:
        if name not in attributes:
            raise CountsError(path, 1, "attribute", f"egenskaben '{name}' mangler.",
                              f"Politikken kræver, at resultatet testes på tværs af {', '.join(required_attributes)}.")
    cells = [(a, p) for a in ((0, 1) if has_truth else (None,)) for p in (0, 1)]
    totals = {}
    for attribute, groups in attributes.items():
        published = [g for g in groups.values() if not g.suppressed]
        if len(groups) < 2:
            raise CountsError(path, next(iter(groups.values())).line, "group",
                              f"egenskaben '{attribute}' har kun én gruppe, så der er intet at sammenligne.",
                              "Tilføj de øvrige grupper (undertryk dem, der er for små).")
        for group in published:
            missing = [c for c in cells if c not in group.cells]
            if missing:
                shown = ", ".join(_cell_name(c) for c in missing)
                raise CountsError(path, group.line, "count", f"gruppen {attribute}={group.name} mangler celler: {shown}.",
                                  "Hver gruppe skal have en linje for hver kombination – eller undertrykkes helt.")
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
                              f"optællingerne for '{attribute}' summer til {sum(sums.values())}, men andre egenskaber "
                              f"til {sum(population.values())}.",
                              "Hver egenskab deler den samme population op; ret tallene, så summerne stemmer.")
        for cell in cells:
            if sums.get(cell, 0) != population.get(cell, 0):
                raise CountsError(path, line, "count",
                                  f"cellen {_cell_name(cell)} summer til {sums.get(cell, 0)} for '{attribute}', men til "
                                  f"{population.get(cell, 0)} for '{first}'.",
                                  "Hver egenskab deler den samme population op; ret tallene, så summerne stemmer.")
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
                              f"de offentliggjorte grupper i '{attribute}' har {published.get(over[0], 0)} i cellen "
                              f"{_cell_name(over[0])}, flere end de andre egenskaber ({population.get(over[0], 0)}).",
                              "Hver egenskab deler den samme population op; ret tallene, så summerne stemmer.")
        if discloses(rest, min_cell):
            small = min(cells, key=lambda c: rest[c])
            names = ", ".join(g.name for g in hidden)
            raise CountsError(
                path, hidden[0].line, "count",
                f"de undertrykte grupper i '{attribute}' ({names}) kan regnes ud ved at trække de offentliggjorte tal "
                f"fra totalen: cellen {_cell_name(small)} giver {rest[small]}, under diskretionsgrænsen på {min_cell}.",
                "Undertryk også den næstmindste gruppe, eller slå den lille gruppe sammen med en nabogruppe; "
                "dataetik aggregate undertrykker selv den næstmindste gruppe.", discloses=True)
