"""The change trail: each approval records a fingerprint of the requirement texts it approved, and
a project whose approval was given under a text that has since changed is *suspect*: to be
reassessed (Doorstop's review fingerprints are the model; sphinx-needs has none).

An approval's field ``:fingerprints:`` reads ``R_X=1a2b3c4d, R_Y=5e6f7a8b``: one short hash per
requirement that applied to the project when the approval was recorded. An approval approves
the assessment as a whole, so it covers every applicable requirement, not only those it
`addresses`. The hash covers what a reader calls the requirement's text: its title, its content
and the fields that change its meaning (to whom it applies, what answers it, its thresholds),
with whitespace normalised, so re-wrapping a paragraph is not a change. Its citation (`source`)
and its place among the principles (`derives_from`) are not part of what a project must meet.

For each requirement, the newest approval that records it counts: a later approval supersedes
an earlier one. A project that has ended or was stopped is not to be reassessed.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass

from docutils import nodes
from sphinx.application import Sphinx

from dataetik import model
from dataetik.i18n import _, long_date
from dataetik.policy import Policy, Requirement, parse_date

# The requirement's fields that change what it demands (all but its citation and principles).
MEANING_FIELDS = ("answered_by", *(f for f in model.OPTIONAL_FIELDS["requirement"]))
HASH_LENGTH = 8
_ENTRY = re.compile(r"^(?P<id>[A-Z][A-Z0-9_]{2,})=(?P<hash>[0-9a-f]{%d})$" % HASH_LENGTH)


# --- fingerprints ---------------------------------------------------------------------------

def _words(text) -> str:
    return " ".join(str(text or "").split())


def _value(value) -> str:
    """A field's value the same whether it comes from needs.json (lists, numbers) or from the
    page's source (a comma-separated string): '0.80' and 0.8 are one threshold."""
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    out = []
    for item in items:
        item = _words(item)
        try:
            number = float(item)
            item = str(int(number)) if number == int(number) else repr(number)
        except ValueError:
            pass
        if item:
            out.append(item)
    return ", ".join(out)


def requirement_text(need: dict) -> str:
    """What the fingerprint covers, normalised: title, content and the meaning fields."""
    fields = [f"{name}: {v}" for name in MEANING_FIELDS if (v := _value(need.get(name) or ""))]
    return "\n".join([_words(need.get("title")), _words(need.get("content")), *fields])


def fingerprint(need: dict) -> str:
    return hashlib.sha256(requirement_text(need).encode("utf-8")).hexdigest()[:HASH_LENGTH]


def format_fingerprints(prints: dict[str, str]) -> str:
    return ", ".join(f"{req}={value}" for req, value in prints.items())


def parse_fingerprints(text: str | None) -> dict[str, str]:
    """'R_X=1a2b3c4d, R_Y=...' -> {R_X: 1a2b3c4d}; ValueError naming the first bad entry."""
    prints = {}
    for entry in (e.strip() for e in str(text or "").split(",")):
        if not entry:
            continue
        match = _ENTRY.match(entry)
        if not match:
            raise ValueError(entry)
        prints[match["id"]] = match["hash"]
    return prints


def recorded(approval: dict) -> dict[str, str]:
    """The fingerprints an approval records; {} where it has none or they cannot be read."""
    try:
        return parse_fingerprints(approval.get("fingerprints"))
    except ValueError:
        return {}


def fingerprints_for(policy: Policy, project: dict) -> dict[str, str]:
    """The fingerprints an approval of the project records now: every applicable requirement."""
    return {req.id: fingerprint(req.need) for req in policy.applicable(project)}


# --- suspect links ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Suspect:
    """A requirement whose text has changed since the approval that counts for it."""

    requirement: Requirement
    approval: dict
    approved: str   # the fingerprint the approval records
    current: str    # the requirement's fingerprint now


def _newest_first(approvals: list[dict]) -> list[dict]:
    return sorted(approvals, key=lambda a: (parse_date(a.get("date")) is not None, str(a.get("date") or ""),
                                            a.get("lineno") or 0), reverse=True)


def reassessable(policy: Policy, project: dict) -> bool:
    """A project that has ended or was stopped has nothing left to reassess."""
    return not policy.vocabulary.status_means(project.get("status"), "ended", "stopped")


def suspect_requirements(policy: Policy, project: dict) -> list[Suspect]:
    """The requirements that apply to the project (in the policy's order) whose text changed after the
    newest approval of the project that records a fingerprint of them; [] for a project that has
    ended or was stopped. A requirement new since the approval is not among them: the checks already
    ask for its answers."""
    if not reassessable(policy, project):
        return []
    counting: dict[str, tuple[dict, str]] = {}
    for approval in _newest_first(policy.needs.parts_of(project["id"], "approval")):
        for req_id, value in recorded(approval).items():
            counting.setdefault(req_id, (approval, value))
    suspects = []
    for req in policy.applicable(project):  # one that no longer applies has nothing to reassess
        if req.id in counting:
            approval, value = counting[req.id]
            now = fingerprint(req.need)
            if now != value:
                suspects.append(Suspect(req, approval, value, now))
    return suspects


def newest_approval(policy: Policy, project: dict) -> dict | None:
    newest = _newest_first(policy.needs.parts_of(project["id"], "approval"))
    return newest[0] if newest else None


def uses_fingerprints(policy: Policy) -> bool:
    """Some approval on the site records fingerprints: the site keeps a change trail."""
    cache = vars(policy)  # the policy is frozen; asked once per project, worked out once per policy
    if "_uses_fingerprints" not in cache:
        cache["_uses_fingerprints"] = any(str(a.get("fingerprints") or "").strip()
                                          for a in policy.needs.of_type("approval"))
    return cache["_uses_fingerprints"]


def unrecorded_approval(policy: Policy, project: dict) -> tuple[dict, str] | None:
    """The project's newest approval where it records no fingerprints (so a change cannot be seen),
    with the entry that cannot be read ('' where there are none). Only on a site that keeps a
    trail: approvals given before it did are not wrong, and a warning on each would be noise."""
    newest = newest_approval(policy, project) if reassessable(policy, project) else None
    if newest is None or not uses_fingerprints(policy):
        return None
    try:
        return None if parse_fingerprints(newest.get("fingerprints")) else (newest, "")
    except ValueError as err:
        return newest, str(err)


# --- what changed -----------------------------------------------------------------------------

def word_diff(old: str, new: str, context: int = 4, limit: int = 60) -> list[tuple[str, str]]:
    """The words that changed, as (kind, text) with kind 'same', 'del', 'ins' or 'gap' (words left
    out): a few words of context around each change, about `limit` changed words at most."""
    a, b = old.split(), new.split()
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    out: list[tuple[str, str]] = []
    changed = 0
    for n, (op, i1, i2, j1, j2) in enumerate(ops):
        if op != "equal":
            if changed > limit:
                out.append(("gap", "…"))
                break
            out += [(kind, " ".join(words)) for kind, words in (("del", a[i1:i2]), ("ins", b[j1:j2])) if words]
            changed += (i2 - i1) + (j2 - j1)
            continue
        words = a[i1:i2]
        head = words[:context] if n > 0 else []                # after a change
        tail = words[-context:] if n < len(ops) - 1 else []    # before a change
        if len(ops) == 1:  # nothing changed
            break
        if len(words) <= len(head) + len(tail) + (1 if head and tail else 0):
            out.append(("same", " ".join(words)))
            continue
        out += [(kind, " ".join(part)) for kind, part in (("same", head), ("gap", ["…"]), ("same", tail)) if part]
    return out


def diff_as_text(parts: list[tuple[str, str]]) -> str:
    """As git's word diff writes it: [-removed-] {+added+}."""
    marks = {"del": "[-{}-]", "ins": "{{+{}+}}", "same": "{}", "gap": "{}"}
    return " ".join(marks[kind].format(text) for kind, text in parts)


def diff_as_nodes(parts: list[tuple[str, str]]) -> list[nodes.Node]:
    """Struck-out and underlined words, each also named in words for a screen reader."""
    out: list[nodes.Node] = []
    for i, (kind, text) in enumerate(parts):
        if i:
            out.append(nodes.Text(" "))
        if kind in ("del", "ins"):
            label = _("removed:") if kind == "del" else _("added:")
            out.append(nodes.inline("", "", nodes.inline(text=f"[{label} ", classes=["dataetik-sr-only"]),
                                    nodes.Text(text), nodes.inline(text="]", classes=["dataetik-sr-only"]),
                                    classes=[f"dataetik-{kind}"]))
        else:
            out.append(nodes.Text(text))
    return out


def readable_text(need: dict) -> str:
    """The requirement as a reader compares two versions: title, content, and each meaning field
    under its label."""
    fields = [f"{model.field_label(name)}: {v}." for name in MEANING_FIELDS if (v := _value(need.get(name) or ""))]
    return "\n".join([_words(need.get("title")) + ".", _words(need.get("content")), *fields])


def old_version(policy: Policy, req_id: str, approved: str):
    """The requirement as it read when its fingerprint was `approved`, from git: a history.Version,
    or a string saying why it cannot be found."""
    from dataetik import history

    if policy.needs.srcdir is None:
        return _("the site's folder is not known")
    versions = history.requirement_versions(policy.needs.srcdir, [p.folder for p in policy.vocabulary.policies])
    if isinstance(versions, str):
        return versions
    found = [v for v in versions.get(req_id, []) if fingerprint(v.need) == approved]
    if not found:
        return _("no version of the requirement saved in git has the fingerprint the approval records")
    return found[-1]


def what_changed(policy: Policy, suspect: Suspect) -> tuple[list[tuple[str, str]] | None, str]:
    """(word diff of the approved text against today's, or None, and why there is none)."""
    old = old_version(policy, suspect.requirement.id, suspect.approved)
    if isinstance(old, str):
        return None, old
    return word_diff(readable_text(old.need), readable_text(suspect.requirement.need)), ""


# --- recording them on the page (dataetik fingeraftryk) ------------------------------------------

class PageError(Exception):
    """The page cannot take the fingerprints; says where (line) and what to do."""

    def __init__(self, line: int, problem: str):
        super().__init__(problem)
        self.line, self.problem = line, problem


_APPROVAL = re.compile(r"^\s*(:{3,}|`{3,})\{approval\}")
_OPTION_LINE = re.compile(r"^\s*:(?P<name>[A-Za-z_][\w-]*):(?:\s+(?P<value>.*?))?\s*$")


def with_fingerprints(text: str, prints: str, target: str, renew: bool) -> tuple[str, list[str]]:
    """The page with `:fingerprints: <prints>` in the approval `target` (the project's newest) where it
    has none, or replacing them with `renew`; every other line as it was. Older approvals are left
    alone: today's texts are not what they approved, and the newest one counts. Returns the new text
    and the IDs written. PageError where an approval has no ID or fingerprints that cannot be read."""
    lines = text.splitlines(keepends=True)
    written, approvals, i = [], 0, 0
    while i < len(lines):
        if not _APPROVAL.match(lines[i]):
            i += 1
            continue
        approvals += 1
        start, end, options = i, i + 1, {}
        while end < len(lines) and (option := _OPTION_LINE.match(lines[end].rstrip("\r\n"))):
            options[option["name"]] = (end, option["value"] or "")
            end += 1
        need_id = options.get("id", (0, ""))[1]
        if not need_id:
            raise PageError(start + 1, _("The approval has no ':id:', so its fingerprints cannot be recorded. Give it "
                                         "one, e.g. ':id: AP_PROJECT'."))
        newline = "\r\n" if lines[end - 1].endswith("\r\n") else "\n"
        line = f":fingerprints: {prints}{newline}"
        if "fingerprints" in options and not (renew and need_id == target):
            at, value = options["fingerprints"]
            try:
                parse_fingerprints(value)
            except ValueError as err:
                raise PageError(at + 1, _("The fingerprints of {approval} cannot be read at '{entry}'. Each entry is "
                                          "a requirement's ID, '=' and 8 hexadecimal digits, e.g. R_X=1a2b3c4d; "
                                          "renew them with --forny.").format(approval=need_id, entry=err)) from None
        elif "fingerprints" in options:
            lines[options["fingerprints"][0]] = line
            written.append(need_id)
        elif need_id == target:
            if not lines[end - 1].endswith(("\n", "\r")):
                lines[end - 1] += newline
            lines.insert(end, line)
            written.append(need_id)
        i = end + 1
    if not approvals:
        raise PageError(1, _("The page has no approval ({{approval}} block) to record fingerprints on. Write the "
                             "decision as an 'approval' element first.").format())
    return "".join(lines), written


# --- the notice on the project's page -----------------------------------------------------------

def _day(value) -> str:

    day = parse_date(value)
    return long_date(day) if day else str(value or "")


def _notice(app: Sphinx, docname: str, policy: Policy, project: dict, suspects: list[Suspect]) -> nodes.Node:
    from dataetik.pages import _need_link, fill

    box = nodes.admonition(classes=["warning", "dataetik-trail"])
    box += nodes.title(text=_("To be reassessed"))
    box += nodes.paragraph("", "", *fill(
        _("The text of these requirements has changed since the project was approved. The project's assessment "
          "must be looked at again against the new text, and the approval renewed.")))
    items = nodes.bullet_list()
    for s in suspects:
        item = nodes.list_item()
        label = policy.policy_label(s.requirement)
        line = fill(_("{requirement} – changed since {approval} ({date})"),
                    requirement=[_need_link(app, docname, s.requirement.need),
                                 *([nodes.Text(f" ({label})")] if label else [])],
                    approval=_need_link(app, docname, s.approval, s.approval["id"]),
                    date=_day(s.approval.get("date")))
        item += nodes.paragraph("", "", *line)
        diff, _why = what_changed(policy, s)
        if diff:
            item += nodes.paragraph("", "", nodes.inline(text=_("What changed:") + " ", classes=["dataetik-trail-label"]),
                                    *diff_as_nodes(diff), classes=["dataetik-trail-diff"])
        items += item
    box += items
    return box


def _mark(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    from dataetik.biastest.sphinx import need_nodes, policy_of

    for node, need in need_nodes(app, doctree, "project"):
        policy = policy_of(app)
        suspects = suspect_requirements(policy, policy.needs.get(need["id"]) or dict(need))
        if suspects:
            node.parent.insert(node.parent.index(node) + 1, _notice(app, docname, policy, dict(need), suspects))


def setup(app: Sphinx) -> dict:
    app.add_css_file("trail.css")
    # Before sphinx-needs (priority 500) replaces its Need nodes, what is inserted beside one stays; after
    # dataetik.citizen (450), so the notice comes right after the project, above what citizen adds.
    app.connect("doctree-resolved", _mark, priority=460)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
