"""Rules per project x applicable requirement: what answers it (consideration, bias test,
evidence, approval), and whether it has been reviewed as often as the policy demands."""

from __future__ import annotations

import calendar
import functools
import datetime as dt
import difflib
import re

from dataetik.findings import Finding
from dataetik.i18n import N_, _, ngettext
from dataetik.needs_data import option_line, source_file
from dataetik.policy import Policy, Requirement, parse_date, unknown_words
from dataetik.rules import rule
from dataetik.rules.memo import per_text

# Text the `dataetik new` template and careless authors leave behind: the markers in capitals,
# or "udfyldes" as a note of its own – opening the text or a paragraph, or in brackets – not in
# a (hard-wrapped) sentence such as "skemaet ...\nudfyldes af borgeren". A note stands for the
# missing text: it ends where it begins, or after one word ("(udfyldes)", "Udfyldes senere",
# "[udfyld her]", "(udfyldes: navn)"); "(udfyldes af borgeren)" is a sentence about a form.
_NOTE_ENDS = r"(?:[ \t]*(?:[)\]>:…]|\.\.\.)|\.?[ \t]*(?:\n|\Z))"
PLACEHOLDER = re.compile(
    r"\b(?P<marker>TODO|XXX|FIXME|TBD|UDFYLDES|UDFYLD)\b|(?P<lorem>(?i:lorem ipsum))"
    r"|(?:\A|\n[ \t]*\n|[(\[<])[ \t]*(?P<note>(?i:udfyld(?:es)?))\b"
    rf"(?={_NOTE_ENDS}|[ \t]+[^\W\d_]+{_NOTE_ENDS})")

# Words every placeholder contains (lower-cased): none of their letters has another case-insensitive
# match in Python's re (as 'i' and 's' have: 'ı', 'ſ'), so a text without them has no placeholder.
_PLACEHOLDER_WORDS = ("todo", "xxx", "fixme", "tbd", "udfyld", "lorem")


@functools.lru_cache(maxsize=65536)  # a consideration's text is judged by four rules
def placeholder_in(text: str | None) -> str | None:
    lowered = (text or "").lower()
    if not any(word in lowered for word in _PLACEHOLDER_WORDS):
        return None  # a substring test in C is many times faster than the pattern tried at every position
    match = PLACEHOLDER.search(text or "")
    return next(g for g in match.groups() if g) if match else None


def finding(policy: Policy, need: dict, project: dict, problem: str, fix: str, requirement: str = "",
            line: int | None = None) -> Finding:
    return Finding(
        rule="", file=source_file(need), line=line or need.get("lineno"), problem=problem, fix=fix,
        project=project["id"], requirement=requirement, need=need["id"],
        policy=policy.policy_label(policy.requirement(requirement)),
    )


def field_line(policy: Policy, need: dict, field: str) -> int | None:
    """The line of ':field:' in the need's directive, so that a finding points at the value to
    correct; the directive's own line where the field cannot be found (its options end at the
    first blank line)."""
    start, root = need.get("lineno"), policy.needs.srcdir
    if not start or root is None:
        return start
    try:
        return option_line((root / source_file(need)).read_text(encoding="utf-8").splitlines(), start, field)
    except (OSError, UnicodeDecodeError):
        return start


def answers(policy: Policy, project: dict, need_type: str, req: Requirement) -> list[dict]:
    """The project's needs of the type that address the requirement, in the project's order."""
    cache = vars(policy).setdefault("_answers", {})  # the policy is frozen; sorted once per project and type
    key = (project["id"], need_type)
    if key not in cache:
        parts = policy.needs.parts_of(project["id"], need_type)
        by_requirement: dict[str, list[dict]] | None = {}
        for need in parts:
            addresses = need.get("addresses") or []
            if not isinstance(addresses, (list, tuple)):
                by_requirement = None  # not a list of links: asked as written, below
                break
            for req_id in dict.fromkeys(addresses):
                by_requirement.setdefault(req_id, []).append(need)
        cache[key] = by_requirement
    if cache[key] is None:
        return [n for n in policy.needs.parts_of(project["id"], need_type) if req.id in (n.get("addresses") or [])]
    return list(cache[key].get(req.id, ()))


_WORD = re.compile(r"\w+")


def _keeps_words_when_lowered(c: str) -> bool:
    return len(c.lower()) == 1 and bool(_WORD.match(c)) == bool(_WORD.match(c.lower()))


# Characters that lower() turns into one character, a word character exactly where the original is one
# (checked here, not assumed: 'İ' becomes two). In a text of only these, the lowered text's words stand
# where the text's words stand, so one tokenising serves the count and the comparison of texts.
_LOWER_MAY_MOVE_WORDS = re.compile("[^" + "".join(
    re.escape(c) for c in map(chr, [*range(0x250), *range(0x2000, 0x2070), *range(0x20A0, 0x20C1)])
    if _keeps_words_when_lowered(c)) + "]")


@functools.lru_cache(maxsize=1 << 17)  # a consideration's text is tokenised once for all rules
def lower_words(text: str) -> tuple[str, ...]:
    """The words of a text, in lower case, in order."""
    return tuple(_WORD.findall(text.lower()))


@functools.lru_cache(maxsize=1 << 17)
def _words(text: str) -> int:
    if _LOWER_MAY_MOVE_WORDS.search(text):
        return len(_WORD.findall(text))
    return len(lower_words(text))


def _list(words) -> str:
    return (" " + _("or") + " ").join(f"'{w}'" for w in words)


def min_words(policy: Policy) -> int:
    """The policy's minimum length of a consideration; 0 (no minimum) where it states none."""
    return int(policy.setting("min_words") or 0)


def text_facts(policy: Policy | None, text: str) -> tuple[str | None, int, str]:
    """What the rules judge a consideration's text by, before it is put into words: the placeholder it holds
    (or None), its number of words, and its words in lower case joined by spaces (no word holds one: the
    same words, the same string; it is how the texts are compared). Kept per text in the policy's rules
    memo: tokenising every text again on each check run was most of the consideration rules' time."""
    if policy is None:
        return _facts(text)
    seen = vars(policy).setdefault("_text_facts", {})  # asked by three rules: the memo is asked once per text
    facts = seen.get(text)
    if facts is None:
        facts = seen[text] = per_text(policy, "text_facts", text, lambda: _facts(text))
    return facts


def _facts(text: str) -> tuple[str | None, int, str]:
    return placeholder_in(text), _words(text), " ".join(lower_words(text))


def text_problem(need: dict, min_words: int, policy: Policy | None = None) -> tuple[str, str] | None:
    """Why a consideration's text is not real reasoning, as (problem, fix); None if it is. With the
    policy, the text's facts come from its rules memo where they were worked out before."""
    placeholder, words, _lowered = text_facts(policy, need.get("content") or "")
    if placeholder:
        return (_("The consideration {id} contains the placeholder '{placeholder}'.").format(
                    id=need["id"], placeholder=placeholder),
                _("Replace the placeholder with your own reasoning."))
    if words < min_words:
        return (ngettext("The consideration {id} has only {words} word; the policy demands at least {min_words}.",
                         "The consideration {id} has only {words} words; the policy demands at least {min_words}.",
                         words).format(id=need["id"], words=words, min_words=min_words),
                _("Write real reasoning: what you considered, what you decided and why. 'Not relevant' is a valid "
                  "answer when you give your reasons."))
    return None


@rule("requirement_words", each="requirement",
      description=N_("Each word in a requirement's fields applies_risk, applies_when, answered_by, evidence_kind, "
                     "checks and forbids_status is one the policy declares in policy.toml: a misspelt word would "
                     "silently apply the requirement to no project, or demand nothing."))
def requirement_words(policy: Policy, req: Requirement) -> list[Finding]:
    found = []
    for field, word, words in unknown_words(req, policy.vocabulary):
        close = difflib.get_close_matches(word, words, n=1)
        hint = _("Did you mean '{name}'?").format(name=close[0]) + " " if close else ""
        found.append(Finding(
            rule="", file=source_file(req.need), line=field_line(policy, req.need, field), requirement=req.id,
            need=req.id, policy=policy.policy_label(req),
            problem=_("':{field}:' names '{word}', which the policy does not declare.").format(field=field, word=word),
            fix=(hint + (_("Use one of: {words}.").format(words=", ".join(words)) if words else
                         _("The policy declares no words for ':{field}:' in policy.toml: declare them, or remove the "
                           "field.").format(field=field)))))
    return found


@rule("consideration", each="answer", answers="consideration",
      description=N_("For each requirement that applies to the project and is answered by a consideration: a "
                     "consideration that answers the requirement, with real reasoning – at least as many words as the "
                     "policy demands (min_words), and no placeholders such as TODO."))
def consideration(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    """An applicable requirement has a consideration of the project with real reasoning."""
    found = answers(policy, project, "consideration", req)
    if not found:
        return [finding(
            policy, project, project,
            _("A consideration for the requirement '{title}' is missing.").format(title=req.title),
            _("Add on the project page:\n"
              "    :::{{consideration}} <short title>\n    :id: C_<PROJECT>_{short}\n"
              "    :addresses: {requirement}\n    :date: YYYY-MM-DD\n\n    <your reasoning>\n    :::").format(
                short=req.id.removeprefix("R_"), requirement=req.id),
            req.id,
        )]
    least = min_words(policy)
    return [finding(policy, need, project, *problem, req.id)
            for need in found if (problem := text_problem(need, least, policy))]


@rule("biastest", each="answer", answers="biastest",
      description=N_("For each requirement answered by a bias test: the project has a bias test that answers the "
                     "requirement."))
def biastest(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    if answers(policy, project, "biastest", req):
        return []
    return [finding(
        policy, project, project,
        _("The project has no bias test. Testing for bias is a fixed part of all data work."),
        _("Add a 'biastest' element with ':addresses: {requirement}' and ':counts: biastest.csv', and put the "
          "aggregated counts in the project folder (see the guide to bias tests).").format(requirement=req.id),
        req.id,
    )]


@rule("evidence", each="answer", answers="evidence",
      description=N_("For each requirement answered by evidence: the project has evidence of each kind demanded "
                     "(evidence_kind) that answers the requirement – at least as many of each as the requirement "
                     "demands (min_evidence)."))
def evidence(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    found = answers(policy, project, "evidence", req)
    least = int(req.number("min_evidence") or 1)
    problems = []
    for kind in req.evidence_kind:
        have = sum(1 for n in found if n.get("kind") == kind)
        if have >= least:
            continue
        fix = _("Add an 'evidence' element with ':addresses: {requirement}', ':kind: {kind}', ':date:' and "
                "':reference:' (where the document is kept, e.g. a case number).").format(requirement=req.id, kind=kind)
        if have == 0 and least == 1:
            problem = _("Evidence of the kind '{kind}' for the requirement '{title}' is missing.").format(
                kind=kind, title=req.title)
        else:
            problem = _("The requirement '{title}' demands at least {least} documents of the kind '{kind}', but the "
                        "project has {have}.").format(title=req.title, least=least, kind=kind, have=have)
            fix += " " + _("Each document is an element of its own with its own ID (e.g. two independent reviews).")
        problems.append(finding(policy, project, project, problem, fix, req.id))
    return problems


def approves(policy: Policy, project: dict, approval: dict) -> bool:
    """A positive decision at or above the level the project's risk profile demands."""
    vocab = policy.vocabulary
    needed = policy.approval_level(project.get("risk"))
    return (vocab.approves(approval.get("decision"))
            and vocab.decision_rank(approval.get("decision_level")) >= vocab.decision_rank(needed))


@rule("approval", each="answer", answers="approval",
      description=N_("For each requirement answered by an approval: a project that has been started is approved "
                     "(possibly with conditions) at least at the level its risk profile demands. A stopped project "
                     "may have a rejection instead."))
def approval(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    """Once started, a project is approved at or above the level its risk demands."""
    vocab = policy.vocabulary
    status = project.get("status")
    if vocab.status_means(status, "planned"):
        return []
    stopped_status = vocab.status_means(status, "stopped")
    needed = policy.approval_level(project.get("risk"))
    found = answers(policy, project, "approval", req)
    high_enough = [a for a in found if approves(policy, project, a)]
    rejected = [a for a in found if vocab.decision_means(a.get("decision"), "rejects")]
    if high_enough or (stopped_status and rejected):
        return []
    positive = vocab.words_for(vocab.decisions, "approves", "approves_with_conditions")
    reject = vocab.words_for(vocab.decisions, "rejects")
    stop = vocab.words_for(vocab.statuses, "stopped")
    if vocab.risk_levels:
        situation = _("The project has status '{status}' and risk profile '{risk}'").format(
            status=status, risk=project.get("risk"))
    else:
        situation = _("The project has status '{status}'").format(status=status)
    stopped = (" " + _("A stopped project may instead have ':decision: {rejection}'.").format(rejection=reject[0])
               if stopped_status and reject else "")
    if found:  # point at the latest decision, which is the one to act on
        latest = max(found, key=lambda a: a.get("date") or "")
        if vocab.decision_means(latest.get("decision"), "rejects"):
            return [finding(
                policy, latest, project,
                _("{situation}, but the latest decision, {approval}, rejected the project.").format(
                    situation=situation, approval=latest["id"]),
                _("A rejected project must not be in use: set ':status: {stopped}' and ':end_date:'. If the project "
                  "has since been changed and approved, write the new decision in a new 'approval' element with "
                  "':addresses: {requirement}'.").format(stopped=stop[0] if stop else "...", requirement=req.id),
                req.id,
            )]
        named = {"situation": situation, "positive": "/".join(positive), "level": needed, "approval": latest["id"],
                 "decision": latest.get("decision"), "decision_level": latest.get("decision_level")}
        problem = (_("{situation}, so it requires an approval ({positive}) at least at the level '{level}', but "
                     "{approval} is '{decision}' at the level '{decision_level}'.") if needed else
                   _("{situation}, so it requires an approval ({positive}), but {approval} is '{decision}' at the "
                     "level '{decision_level}'."))
        return [finding(
            policy, latest, project,
            problem.format(**named),
            _("Put the project before {level}, and write the decision in a new 'approval' element with ':addresses: "
              "{requirement}' and ':decision_level: {level}' – or correct ':decision_level:' here if it was in fact "
              "{level} that approved it.").format(level=needed, requirement=req.id) + stopped,
            req.id,
        )]
    decisions = _list(positive)[1:]
    if needed:
        problem = _("{situation}, but lacks an approval at least at the level '{level}'.").format(
            situation=situation, level=needed)
        fix = _("Add an 'approval' element with ':addresses: {requirement}', ':decision_level: {level}' (or higher), "
                "':decision: {decisions}, ':role:' and ':date:'.").format(requirement=req.id, level=needed,
                                                                          decisions=decisions)
    else:
        problem = _("{situation}, but lacks an approval.").format(situation=situation)
        fix = _("Add an 'approval' element with ':addresses: {requirement}', ':decision: {decisions}, ':role:' and "
                "':date:'.").format(requirement=req.id, decisions=decisions)
    return [finding(policy, project, project, problem, fix + stopped, req.id)]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day some months later (the month's last day where it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@rule("review", each="applicable", when=lambda req: req.number("review_every") is not None,
      description=N_("For each requirement with a fixed interval for reassessment (review_every, in months): a "
                     "project in use has a consideration, evidence, bias test or approval for the requirement that "
                     "is no older than the interval – counted from today."))
def review(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    """A requirement reviewed every N months: the newest answer is at most N months old today."""
    if not policy.vocabulary.status_means(project.get("status"), "in_use"):
        return []
    months = int(req.number("review_every"))
    dated = [(day, n) for t in ("consideration", "evidence", "biastest", "approval")
             for n in answers(policy, project, t, req) if (day := parse_date(n.get("date")))]
    if not dated:
        return []  # nothing answers it yet: the answer rules say what is missing
    last, need = max(dated, key=lambda d: d[0])
    due = add_months(last, months)
    if due >= policy.today:
        return []
    return [finding(
        policy, need, project,
        ngettext("The requirement must be reassessed at least every {months} month. The latest assessment, {need}, "
                 "is from {last}, so a new one was due by {due}.",
                 "The requirement must be reassessed at least every {months} months. The latest assessment, {need}, "
                 "is from {last}, so a new one was due by {due}.", months).format(
            months=months, need=need["id"], last=last, due=due),
        _("Reassess the requirement, and write it as a new element with ':addresses: {requirement}' and the date of "
          "the new assessment. Do not change the date on the old one: it documents the assessment made then.").format(
            requirement=req.id),
        req.id,
    )]


@rule("forbidden_status", each="applicable", when=lambda req: bool(req.forbids_status),
      description=N_("For each requirement that forbids statuses (forbids_status), e.g. a practice a law prohibits: "
                     "a project it applies to never has one of them."))
def forbidden_status(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    status = project.get("status")
    if status not in req.forbids_status:
        return []
    vocab = policy.vocabulary
    allowed = [w for w in vocab.words_for(vocab.statuses, "stopped", "ended") if w not in req.forbids_status]
    return [finding(
        policy, project, project,
        _("The project has status '{status}', but the requirement '{title}' says that a project like it may never "
          "have that status.").format(status=status, title=req.title),
        _("Stop the use and set ':status:' to one of {allowed} (with ':end_date:'), or correct the classification if "
          "it is wrong – never to make the check pass.").format(allowed=", ".join(allowed)),
        req.id,
    )]
