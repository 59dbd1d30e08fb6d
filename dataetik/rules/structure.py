"""Rules about the policies' own structure: principles, requirements, risk levels."""

from __future__ import annotations

from dataetik.findings import Finding
from dataetik.i18n import N_, _
from dataetik.needs_data import source_file
from dataetik.policy import Policy, Requirement, impossible_date, no_such_day
from dataetik.rules import rule


def _at(need: dict, problem: str, fix: str, requirement: str = "", policy: str = "") -> Finding:
    return Finding(
        rule="", file=source_file(need), line=need.get("lineno"), problem=problem, fix=fix,
        requirement=requirement, need=need["id"], policy=policy,
    )


def _page_of(policy: Policy, need_type: str) -> str | None:
    """The page where the policy keeps its needs of a type (its first one), if any."""
    first = next(iter(policy.needs.of_type(need_type)), None)
    return source_file(first) if first else None


def _words(words) -> str:
    return ", ".join(words)


@rule("principle_has_requirement", each="principle",
      description=N_("Each principle has at least one requirement that derives from it."))
def principle_has_requirement(policy: Policy, principle: dict) -> list[Finding]:
    derived = [r for r in policy.requirements if principle["id"] in (r.need.get("derives_from") or [])]
    if derived:
        return []
    page = _page_of(policy, "requirement")
    return [_at(
        principle,
        _("The principle '{title}' has no requirement that derives from it.").format(title=principle["title"]),
        (_("Add a requirement in {page} with ':derives_from: {principle}', or link an existing requirement to the "
           "principle.") if page else
         _("Add a requirement with ':derives_from: {principle}', or link an existing requirement to the principle.")
         ).format(page=page, principle=principle["id"]),
    )]


@rule("requirement_is_traceable", each="requirement",
      description=N_("Each requirement derives from a principle and says which projects it applies to (applies_risk, "
                     "applies_when) and what answers it (answered_by, evidence_kind)."))
def requirement_is_traceable(policy: Policy, req: Requirement) -> list[Finding]:
    """A requirement derives from a principle and says whom it applies to and what answers it."""
    need, found, vocab = req.need, [], policy.vocabulary

    def problem(text: str, fix: str) -> None:
        found.append(_at(need, text, fix, requirement=req.id, policy=policy.policy_label(req)))

    if impossible_date(need.get("effective_from")):
        problem(_("The date '{date}' in ':effective_from:' does not exist in the calendar.").format(
            date=need.get("effective_from")), no_such_day("effective_from"))
    written = need.get("effective_from")
    if written and req.effective_from is None and not impossible_date(written):
        names = ", ".join(vocab.dates)
        problem(_("':effective_from: {value}' is neither a date (YYYY-MM-DD) nor a date the policy declares.").format(
                    value=written),
                (_("Write a date, e.g. 2027-12-02, or one of the declared dates: {names}.") if names else
                 _("Write a date, e.g. 2027-12-02.")).format(names=names))
    principles = [p for p in need.get("derives_from") or [] if (policy.needs.get(p) or {}).get("type") == "principle"]
    if not principles:
        problem(_("The requirement does not derive from any principle."),
                _("Add ':derives_from: P_...' with the ID of the principle or principles the requirement builds on."))
    # The policy that declares the risk levels says for each requirement which levels it covers; a
    # policy layered on top (a law) may leave it out: its requirements then apply at every level.
    own_levels = req.policy is not None and vocab.declared_in.get("risk_levels") == req.policy.folder
    if vocab.risk_levels and own_levels and not req.applies_risk:
        problem(_("The requirement does not say which projects it applies to."),
                _("Add ':applies_risk:' with one or more of {levels}.").format(levels=_words(vocab.risk_levels)))
    if not vocab.risk_levels and req.applies_risk:
        problem(_("The requirement names risk levels (applies_risk), but the policy has none."),
                _("Remove ':applies_risk:', or declare the risk levels in policy.toml (risk_levels)."))
    if not req.answered_by:
        problem(_("The requirement does not say what answers it."),
                _("Add ':answered_by:' with one or more of: {answers}.").format(answers=_words(vocab.answers)))
    if "evidence" in req.answered_by and not req.evidence_kind:
        problem(_("The requirement is answered by evidence, but does not say of which kind."),
                _("Add ':evidence_kind:' with one of {kinds}.").format(kinds=_words(vocab.evidence_kinds)))
    if req.evidence_kind and "evidence" not in req.answered_by:
        evidence = _words(vocab.words_for(vocab.answers, "evidence")) or _("evidence")
        problem(_("The requirement names a kind of evidence (evidence_kind), but not that it is answered by evidence."),
                _("Add '{evidence}' to ':answered_by:', or remove ':evidence_kind:'.").format(evidence=evidence))
    if "biastest" in req.answered_by:
        for field in ("min_ratio", "max_difference", "min_cell"):
            if req.number(field) is None:
                problem(_("The requirement is answered by a bias test, but does not state the limit '{field}'.").format(
                            field=field),
                        _("Add ':{field}:' to the requirement (e.g. min_ratio 0.8, max_difference 0.1, min_cell 5).").format(
                            field=field))
    return found


@rule("risk_level_is_defined", each="risk_level",
      description=N_("Each risk profile is described on the policy's pages, with the lowest approval level it "
                     "demands."))
def risk_level_is_defined(policy: Policy, level: str) -> list[Finding]:
    described = [n for n in policy.needs.of_type("risklevel") if n.get("level") == level]
    if described and (policy.approval_level(level) or not policy.vocabulary.decision_levels):
        return []
    page = _page_of(policy, "risklevel") or _page_of(policy, "requirement") or ""
    if policy.vocabulary.decision_levels:
        problem = _("The risk level '{level}' is not described with an approval level.")
        fix = _("Add a 'risklevel' element with ':level: {level}' and ':approval_level:' (one of {levels}) beside the "
                "other risk profiles.")
    else:
        problem = _("The risk level '{level}' is not described.")
        fix = _("Add a 'risklevel' element with ':level: {level}' beside the other risk profiles.")
    named = {"level": level, "levels": _words(policy.vocabulary.decision_levels)}
    return [Finding(rule="", file=page, line=None, problem=problem.format(**named), fix=fix.format(**named))]


def _line_in(path, word: str) -> int | None:
    """The first line of a file naming a word (tomllib keeps no positions)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((i for i, line in enumerate(lines, 1) if word in line), None)


@rule("references_resolve", each="site",
      description=N_("What the policies refer to exists: each requirement an export lists (exports in policy.toml) "
                     "or the annual report lays open for debate ([settings] annual_report), and each question a "
                     "question is asked after or skipped after (asked_if, skipped_if)."))
def references_resolve(policy: Policy) -> list[Finding]:
    found = []
    for export in policy.vocabulary.exports:
        toml = next(p.file for p in policy.vocabulary.policies if p.folder == export.folder)
        for req_id in export.requirements:
            if policy.requirement(req_id) is None:
                found.append(Finding(
                    rule="", file=f"{export.folder}/{toml.name}", line=_line_in(toml, f'"{req_id}"'),
                    problem=_("The export '{name}' lists the requirement {id}, which does not exist.").format(
                        name=export.name, id=req_id),
                    fix=_("Correct the ID, or add the requirement to the policy's pages.")))
    for req_id in policy.vocabulary.settings.get("annual_report") or []:
        if policy.requirement(req_id) is None:
            where = next((p for p in policy.vocabulary.policies if _line_in(p.file, "annual_report")), None)
            found.append(Finding(
                rule="", file=f"{where.folder}/{where.file.name}" if where else "",
                line=_line_in(where.file, f'"{req_id}"') if where else None,
                problem=_("[settings] annual_report names the requirement {id}, which does not exist.").format(id=req_id),
                fix=_("Correct the ID, or add the requirement to the policy's pages.")))
    criteria = {c["id"] for c in policy.needs.of_type("criterion")}
    for criterion in policy.needs.of_type("criterion"):
        for field in ("asked_if", "skipped_if"):
            for ref in criterion.get(field) or []:
                if ref not in criteria:
                    found.append(_at(criterion, _("':{field}:' names {id}, which is not a question.").format(
                        field=field, id=ref), _("Write the ID of a criterion (a question) on the policy's pages.")))
    return found
