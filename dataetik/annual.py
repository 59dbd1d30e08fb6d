"""The annual report (the yearly case to the political level), as a model: which projects were in
use in a year, their status at the year's end, the approvals of the year, the bias verdicts, the
dilemmas laid open for debate, totals, and what changed since the year before.

Pure: built from a Policy (needs and vocabulary) and a year. The page (dataetik.annual_pages),
its CSV files and its PDF (dataetik.pdf) all show this one model, so they cannot disagree.
Statuses, decisions and risk levels are the policy's words, read by their meanings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from dataetik.biastest.metrics import BIAS, NO_BIAS, UNDECIDED
from dataetik.i18n import N_
from dataetik.policy import Policy, parse_date, today

# A project's bias verdict in a year, as msgids (translated where shown): the computed verdicts,
# and two states of its own. Worst first, the order totals are shown in.
VERDICT_ERROR = N_("error in the data")
VERDICT_MISSING = N_("no bias test")
VERDICTS = (BIAS, UNDECIDED, NO_BIAS, VERDICT_ERROR, VERDICT_MISSING)
# The meanings of a status at a year's end: a project in use in a year was never merely planned.
YEAR_END_MEANINGS = ("in_use", "ended", "stopped")

VerdictOf = Callable[[dict], str]  # a bias test need -> one of BIAS, NO_BIAS, UNDECIDED, VERDICT_ERROR


def first_day(year: int) -> dt.date:
    return dt.date(year, 1, 1)


def last_day(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def _dated_by(need: dict, day: dt.date) -> bool:
    """Written by that day; a need without a date counts as always written."""
    when = parse_date(need.get("date"))
    return when is None or when <= day


def _in_year(need: dict, year: int) -> bool:
    when = parse_date(need.get("date"))
    return when is not None and when.year == year


def _by_date(needs: list[dict]) -> list[dict]:
    return sorted(needs, key=lambda n: (n.get("date") or "", n["id"]))


# --- the rules of the year, each a small function ------------------------------------------------

def in_use_during(policy: Policy, project: dict, year: int) -> bool:
    """In use at any time in the year, by its dates: started by Dec 31 and not ended before Jan 1.
    A planned project was never in use; nor was one that ended (was stopped) before its start."""
    start = parse_date(project.get("start_date"))
    end = parse_date(project.get("end_date")) if project.get("end_date") else None
    if start is None or policy.vocabulary.status_means(project.get("status"), "planned"):
        return False
    if end is not None and end < start:
        return False
    return start <= last_day(year) and (end is None or end >= first_day(year))


def in_use_word(policy: Policy) -> str:
    """The policy's (first) word for a project in use."""
    words = policy.vocabulary.words_for(policy.vocabulary.statuses, "in_use")
    return words[0] if words else ""


def status_at_end(policy: Policy, project: dict, year: int) -> str:
    """The status at the year's end: a project whose end date falls in or before the year has its
    current status (ended, stopped); one still running at Dec 31 was in use."""
    end = parse_date(project.get("end_date")) if project.get("end_date") else None
    if end is not None and end <= last_day(year):
        return project.get("status") or ""
    return in_use_word(policy)


def finished_in(policy: Policy, project: dict, year: int) -> bool:
    """Ended or stopped in the year (by its end date)."""
    end = parse_date(project.get("end_date")) if project.get("end_date") else None
    return (end is not None and end.year == year
            and policy.vocabulary.status_means(project.get("status"), "ended", "stopped"))


def stopped_before_use(policy: Policy, project: dict, year: int) -> bool:
    """Stopped in the year before it was ever in use (no start date, or stopped before it): the
    council hears of it, though it ran no day."""
    start = parse_date(project.get("start_date"))
    end = parse_date(project.get("end_date")) if project.get("end_date") else None
    return (finished_in(policy, project, year) and policy.vocabulary.status_means(project.get("status"), "stopped")
            and (start is None or end < start))


def stop_reason(policy: Policy, project: dict) -> dict | None:
    """Why a project was stopped: its latest approval with a rejecting decision. A stop is a
    decision, and the approval records who made it, when, and why."""
    rejections = [a for a in policy.needs.parts_of(project["id"], "approval")
                  if policy.vocabulary.decision_means(a.get("decision"), "rejects")]
    return _by_date(rejections)[-1] if rejections else None


def dilemmas(policy: Policy, project: dict, year: int) -> list[dict]:
    """The project's considerations answering the requirements the policy lays open for debate
    (settings.annual_report), as written by the year's end."""
    asked = set(policy.vocabulary.settings.get("annual_report") or [])
    return [c for c in policy.needs.parts_of(project["id"], "consideration")
            if asked & set(c.get("addresses") or []) and _dated_by(c, last_day(year))]


def latest_biastest(policy: Policy, project: dict, year: int) -> dict | None:
    """The bias test the project had at the year's end (the latest by then)."""
    tests = [t for t in policy.needs.parts_of(project["id"], "biastest") if _dated_by(t, last_day(year))]
    return _by_date(tests)[-1] if tests else None


def years(policy: Policy, now: dt.date | None = None) -> list[int]:
    """From the earliest project's start year to the current year."""
    starts = [d.year for d in (parse_date(p.get("start_date")) for p in policy.projects) if d]
    current = (now or today()).year
    return list(range(min(starts), current + 1)) if starts else []


# --- the report --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProjectInYear:
    need: dict
    status: str            # the policy's word, at the year's end
    meaning: str           # what that word means (in_use, ended, stopped)
    new: bool              # in use this year, not the year before
    finished: bool         # ended or stopped this year
    approvals: tuple[dict, ...]  # dated this year
    biastest: dict | None  # the latest by the year's end
    verdict: str           # one of VERDICTS
    dilemmas: tuple[dict, ...]
    stop_reason: dict | None

    @property
    def id(self) -> str:
        return self.need["id"]

    @property
    def title(self) -> str:
        return self.need["title"]

    @property
    def risk(self) -> str:
        return self.need.get("risk") or ""


@dataclass(frozen=True)
class YearReport:
    year: int
    policy: Policy
    projects: tuple[ProjectInYear, ...]     # in status order (in use, ended, stopped), then by title
    approvals: tuple[dict, ...]             # every approval dated this year, any project
    stopped_unused: tuple[dict, ...]        # stopped this year before they were ever in use
    previous: tuple[ProjectInYear, ...] = field(default=())  # the year before's projects

    # --- groups and totals ---
    @property
    def status_words(self) -> list[str]:
        """The statuses a project may have at a year's end, in the order of their meanings."""
        vocab = self.policy.vocabulary
        return [w for m in YEAR_END_MEANINGS for w in vocab.words_for(vocab.statuses, m)]

    def groups(self) -> list[tuple[str, list[ProjectInYear]]]:
        """(status word, projects) for each status that has projects, in the order of meanings."""
        return [(w, [p for p in self.projects if p.status == w]) for w in self.status_words
                if any(p.status == w for p in self.projects)]

    def _count(self, projects, key, values) -> list[tuple[str, int]]:
        values = list(values) + sorted({key(p) for p in projects} - set(values))
        return [(v, sum(1 for p in projects if key(p) == v)) for v in values]

    def totals(self) -> dict[str, list[tuple[str, int, int]]]:
        """By status, risk and verdict: (value, count this year, count the year before)."""
        vocab = self.policy.vocabulary
        out = {}
        for name, key, values in (("status", lambda p: p.status, self.status_words),
                                  ("risk", lambda p: p.risk, vocab.risk_levels),
                                  ("verdict", lambda p: p.verdict, VERDICTS)):
            now = self._count(self.projects, key, values)
            before = dict(self._count(self.previous, key, values))
            out[name] = [(v, n, before.get(v, 0)) for v, n in now]
        return out

    # --- changes since the year before ---
    @property
    def new(self) -> list[ProjectInYear]:
        return [p for p in self.projects if p.new]

    @property
    def finished(self) -> list[ProjectInYear]:
        return [p for p in self.projects if p.finished]

    @property
    def stopped(self) -> list[ProjectInYear]:
        return [p for p in self.projects if p.meaning == "stopped"]

    @cached_property
    def dilemmas(self) -> list[tuple[ProjectInYear, dict]]:
        return [(p, c) for p in self.projects for c in p.dilemmas]

    def project_of(self, need: dict) -> dict | None:
        ids = need.get("belongs_to") or []
        return self.policy.needs.get(ids[0]) if ids else None


def _project_in_year(policy: Policy, project: dict, year: int, verdict_of: VerdictOf) -> ProjectInYear:
    status = status_at_end(policy, project, year)
    test = latest_biastest(policy, project, year)
    meaning = policy.vocabulary.statuses.get(status, "")
    return ProjectInYear(
        need=project, status=status, meaning=meaning,
        new=not in_use_during(policy, project, year - 1),
        finished=finished_in(policy, project, year),
        approvals=tuple(_by_date([a for a in policy.needs.parts_of(project["id"], "approval") if _in_year(a, year)])),
        biastest=test, verdict=verdict_of(test) if test else VERDICT_MISSING,
        dilemmas=tuple(_by_date(dilemmas(policy, project, year))),
        stop_reason=stop_reason(policy, project) if meaning == "stopped" else None,
    )


def _projects(policy: Policy, year: int, verdict_of: VerdictOf) -> tuple[ProjectInYear, ...]:
    vocab = policy.vocabulary
    order = {w: i for i, w in enumerate(w for m in YEAR_END_MEANINGS for w in vocab.words_for(vocab.statuses, m))}
    found = [_project_in_year(policy, p, year, verdict_of) for p in policy.projects if in_use_during(policy, p, year)]
    return tuple(sorted(found, key=lambda p: (order.get(p.status, len(order)), p.title.casefold(), p.id)))


def report(policy: Policy, year: int, verdict_of: VerdictOf) -> YearReport:
    """The year's report. verdict_of gives a bias test's verdict (in Sphinx: from its computed result)."""
    return YearReport(
        year=year, policy=policy,
        projects=_projects(policy, year, verdict_of),
        approvals=tuple(_by_date([a for a in policy.needs.of_type("approval") if _in_year(a, year)])),
        stopped_unused=tuple(p for p in policy.projects if stopped_before_use(policy, p, year)),
        previous=_projects(policy, year - 1, verdict_of),
    )


# --- text ------------------------------------------------------------------------------------

_MARKUP = [
    (re.compile(r"\{[\w:-]+\}`([^`<]*?)\s*(?:<([^`>]*)>)?`"), lambda m: m.group(1) or m.group(2) or ""),
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"(\*\*|\*)(\S(?:.*?\S)?)\1"), r"\2"),
]


def paragraphs(content: str) -> list[str]:
    """A need's text as plain paragraphs (links and emphasis dropped, their words kept): the page
    and the PDF show the dilemmas as their authors wrote them."""
    out = []
    for block in re.split(r"\n\s*\n", content or ""):
        text = " ".join(block.split())
        for pattern, repl in _MARKUP:
            text = pattern.sub(repl, text)
        if text:
            out.append(text)
    return out
