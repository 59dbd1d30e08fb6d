"""Rules about the policies' own structure: principles, requirements, risk levels."""

from __future__ import annotations

from dataetik.findings import Finding
from dataetik.needs_data import source_file
from dataetik.policy import Policy, Requirement
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
      description="Hvert princip har mindst ét krav, der udspringer af det.")
def principle_has_requirement(policy: Policy, principle: dict) -> list[Finding]:
    derived = [r for r in policy.requirements if principle["id"] in (r.need.get("derives_from") or [])]
    if derived:
        return []
    page = _page_of(policy, "requirement")
    return [_at(
        principle,
        f"Princippet '{principle['title']}' har ingen krav, der udspringer af det.",
        f"Tilføj et krav{f' i {page}' if page else ''} med ':derives_from: {principle['id']}', "
        "eller knyt et eksisterende krav til princippet.",
    )]


@rule("requirement_is_traceable", each="requirement",
      description="Hvert krav udspringer af et princip og siger, hvilke projekter det gælder for (applies_risk, "
                  "applies_when), og hvad der besvarer det (answered_by, evidence_kind).")
def requirement_is_traceable(policy: Policy, req: Requirement) -> list[Finding]:
    """A requirement derives from a principle and says whom it applies to and what answers it."""
    need, found, vocab = req.need, [], policy.vocabulary

    def problem(text: str, fix: str) -> None:
        found.append(_at(need, text, fix, requirement=req.id, policy=policy.policy_label(req)))

    principles = [p for p in need.get("derives_from") or [] if (policy.needs.get(p) or {}).get("type") == "principle"]
    if not principles:
        problem("Kravet udspringer ikke af noget princip.",
                "Tilføj ':derives_from: P_...' med ID'et på det eller de principper, kravet bygger på.")
    if vocab.risk_levels and not req.applies_risk:
        problem("Kravet siger ikke, hvilke projekter det gælder for.",
                f"Tilføj ':applies_risk:' med en eller flere af {_words(vocab.risk_levels)}.")
    if not vocab.risk_levels and req.applies_risk:
        problem("Kravet nævner risikoniveauer (applies_risk), men politikken har ingen.",
                "Fjern ':applies_risk:', eller erklær risikoniveauerne i policy.toml (risk_levels).")
    if not req.answered_by:
        problem("Kravet siger ikke, hvad der besvarer det.",
                f"Tilføj ':answered_by:' med en eller flere af: {_words(vocab.answers)}.")
    if "evidence" in req.answered_by and not req.evidence_kind:
        problem("Kravet besvares af dokumentation, men siger ikke hvilken slags.",
                f"Tilføj ':evidence_kind:' med en af {_words(vocab.evidence_kinds)}.")
    if req.evidence_kind and "evidence" not in req.answered_by:
        evidence = _words(vocab.words_for(vocab.answers, "evidence")) or "dokumentation"
        problem("Kravet nævner en slags dokumentation (evidence_kind), men ikke at det besvares af dokumentation.",
                f"Tilføj '{evidence}' til ':answered_by:', eller fjern ':evidence_kind:'.")
    if "biastest" in req.answered_by:
        for field in ("min_ratio", "max_difference", "min_cell"):
            if req.number(field) is None:
                problem(f"Kravet besvares af en bias-test, men angiver ikke grænsen '{field}'.",
                        f"Tilføj ':{field}:' til kravet (fx min_ratio 0.8, max_difference 0.1, min_cell 5).")
    return found


@rule("risk_level_is_defined", each="risk_level",
      description="Hver risikoprofil er beskrevet på politikkens sider, med det mindste godkendelsesniveau, den kræver.")
def risk_level_is_defined(policy: Policy, level: str) -> list[Finding]:
    described = [n for n in policy.needs.of_type("risklevel") if n.get("level") == level]
    if described and (policy.approval_level(level) or not policy.vocabulary.decision_levels):
        return []
    page = _page_of(policy, "risklevel") or _page_of(policy, "requirement") or ""
    approver = (f" og ':approval_level:' (en af {_words(policy.vocabulary.decision_levels)})"
                if policy.vocabulary.decision_levels else "")
    return [Finding(
        rule="", file=page, line=None,
        problem=f"Risikoniveauet '{level}' er ikke beskrevet{' med et godkendelsesniveau' if approver else ''}.",
        fix=f"Tilføj et 'risklevel'-element med ':level: {level}'{approver} ved de andre risikoprofiler.",
    )]
