"""The metamodel: need types, fields and link types, declared once.

conf.py (and every fixture site in tests/) takes its sphinx-needs configuration
from here, so the build, the checks and the authoring tools share one contract.
Values that readers see are Danish; identifiers are English.
"""

from __future__ import annotations

# Ordered from lowest to highest: the order *is* the ranking the checks use.
RISK_LEVELS = ["lav", "middel", "høj"]
DECISION_LEVELS = ["leder", "direktørkreds", "politisk niveau"]
STATUSES = ["planlagt", "igangværende", "afsluttet", "stoppet"]
DECISIONS = ["godkendt", "betinget", "afvist"]
POSITIVE_DECISIONS = ("godkendt", "betinget")  # an approval, possibly with conditions
IN_USE_STATUSES = ("igangværende", "afsluttet")  # data has been used on citizens
YES_NO = ["ja", "nej"]
EVIDENCE_KINDS = [
    "juridisk vurdering",
    "konsekvensanalyse",
    "sikkerhedsvurdering",
    "tværfaglig deltagelse",
    "databehandleraftale",
    "andet",
]
# What can answer a requirement (`answered_by`), as readers see it -> the need type.
ANSWER_TYPES = {
    "overvejelse": "consideration",
    "bias-test": "biastest",
    "dokumentation": "evidence",
    "godkendelse": "approval",
}
# Project-wide checks a requirement may name in `checks` (as readers see them) -> the rule:
# the requirement is what a failure of that check cites.
PROJECT_CHECKS = {
    "status": "status",
    "datoer": "dates",
    "pladsholdere": "placeholders",
    "risikoprofil": "risk_profile",
    "cpr-numre": "cpr_numbers",
}
# Project traits a requirement's `applies_when` may name -> the project field that is 'ja'.
PROJECT_TRAITS = {
    "ny teknologi": "new_technology",
    "ny sammenstilling": "new_combination",
    "indkøbt": "procured",
    "eksterne partnere": "external_partners",
}

ID_REGEX = r"^[A-Z][A-Z0-9_]{2,}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

# Diagram fills are light so that black node text keeps its contrast.
NEED_TYPES = [
    {"directive": "principle", "title": "Princip", "prefix": "P_", "color": "#bcd7ec"},
    {"directive": "requirement", "title": "Krav", "prefix": "R_", "color": "#e3eef8"},
    {"directive": "risklevel", "title": "Risikoniveau", "prefix": "RISK_", "color": "#f3e6b3"},
    {"directive": "criterion", "title": "Risikokriterium", "prefix": "K_", "color": "#f8f0d0"},
    {"directive": "project", "title": "Projekt", "prefix": "PRJ_", "color": "#c8e6c9"},
    {"directive": "consideration", "title": "Overvejelse", "prefix": "C_", "color": "#e4f1d4"},
    {"directive": "biastest", "title": "Bias-test", "prefix": "BT_", "color": "#e8d5f0"},
    {"directive": "evidence", "title": "Dokumentation", "prefix": "EV_", "color": "#e3e8eb"},
    {"directive": "approval", "title": "Godkendelse", "prefix": "AP_", "color": "#fbd9bf"},
]


def _enum(values: list[str]) -> dict:
    return {"type": "string", "enum": values}


def _enum_list(values: list[str]) -> dict:
    return {"type": "array", "items": {"type": "string", "enum": values}}


_DATE = {"type": "string", "pattern": DATE_PATTERN}
_TEXT = {"type": "string"}
_NUMBER = {"type": "number"}

# Danish labels are what the rendered pages show next to each value.
NEED_FIELDS: dict[str, dict] = {
    # --- requirement: what it demands of projects -------------------------------
    "source": {"description": "Afsnit i politikken", "schema": _TEXT},
    "applies_risk": {"description": "Gælder for risikoniveau", "schema": _enum_list(RISK_LEVELS)},
    "applies_when": {"description": "Gælder kun når projektet er", "schema": _enum_list(list(PROJECT_TRAITS))},
    "answered_by": {"description": "Skal besvares med", "schema": _enum_list(list(ANSWER_TYPES))},
    "evidence_kind": {"description": "Krævet dokumentation", "schema": _enum_list(EVIDENCE_KINDS)},
    "checks": {"description": "Kontrolleres også for alle projekter", "schema": _enum_list(list(PROJECT_CHECKS))},
    "min_ratio": {"description": "Mindste forholdstal mellem grupper", "schema": _NUMBER},
    "max_difference": {"description": "Største forskel i andel mellem grupper", "schema": _NUMBER},
    "min_cell": {"description": "Mindste celle der må offentliggøres", "schema": {"type": "integer"}},
    "min_words": {"description": "Mindste antal ord i en overvejelse", "schema": {"type": "integer"}},
    "bias_attributes": {"description": "Egenskaber der mindst skal testes", "schema": {"type": "array", "items": {"type": "string"}}},
    # --- risk level and criterion -------------------------------------------------
    "level": {"description": "Niveau", "schema": _enum(RISK_LEVELS)},
    "approval_level": {"description": "Godkendes mindst af", "schema": _enum(DECISION_LEVELS)},
    "raises_to": {"description": "Hæver risikoen til mindst", "schema": _enum(RISK_LEVELS)},
    # --- project ---------------------------------------------------------------------
    "department": {"description": "Forvaltning / afdeling", "schema": _TEXT},
    "risk": {"description": "Risikoprofil", "schema": _enum(RISK_LEVELS)},
    "status": {"description": "Status", "schema": _enum(STATUSES)},
    "start_date": {"description": "Startdato", "schema": _DATE},
    "end_date": {"description": "Slutdato", "schema": _DATE},
    "personal_data": {"description": "Personoplysninger", "schema": _TEXT},
    "legal_basis": {"description": "Retsgrundlag", "schema": _TEXT},
    "new_technology": {"description": "Ny teknologi", "schema": _enum(YES_NO)},
    "new_combination": {"description": "Ny sammenstilling af data", "schema": _enum(YES_NO)},
    "procured": {"description": "Indkøbt løsning", "schema": _enum(YES_NO)},
    "external_partners": {"description": "Eksterne samarbejdspartnere", "schema": _enum(YES_NO)},
    # --- consideration, evidence, bias test, approval ----------------------------
    "date": {"description": "Dato", "schema": _DATE},
    "kind": {"description": "Art", "schema": _enum(EVIDENCE_KINDS)},
    "reference": {"description": "Reference", "schema": _TEXT},
    "counts": {"description": "Optællinger (fil)", "schema": _TEXT},
    "role": {"description": "Godkendt af (rolle)", "schema": _TEXT},
    "decision_level": {"description": "Beslutningsniveau", "schema": _enum(DECISION_LEVELS)},
    "decision": {"description": "Beslutning", "schema": _enum(DECISIONS)},
}

# Fields each type must carry; checked at build time through needs_schema_definitions.
REQUIRED_FIELDS: dict[str, list[str]] = {
    "requirement": ["source", "applies_risk", "answered_by"],
    "risklevel": ["level", "approval_level"],
    "criterion": ["raises_to"],
    "project": [
        "department", "risk", "status", "start_date", "personal_data",
        "legal_basis", "new_technology", "new_combination", "procured", "external_partners",
    ],
    "consideration": ["date"],
    "evidence": ["kind", "date"],
    "biastest": ["date", "counts"],
    "approval": ["role", "decision_level", "decision", "date"],
}

# Fields a type may carry besides the required ones (shown in the reference).
OPTIONAL_FIELDS: dict[str, list[str]] = {
    "requirement": ["applies_when", "evidence_kind", "checks", "min_words", "min_ratio", "max_difference", "min_cell", "bias_attributes"],
    "project": ["end_date"],
    "evidence": ["reference"],
    "biastest": ["min_ratio", "max_difference"],
}

# sphinx-needs core fields: local schemas cannot see them, so their presence is a
# pytest rule (rules.project_rules.status) instead of a build-time schema.
CORE_FIELDS = {"status"}

# Types that sit inside a project folder and belong to its project.
PROJECT_PARTS = ["consideration", "biastest", "evidence", "approval"]

NEED_LINKS: dict[str, dict] = {
    "derives_from": {
        "outgoing": "Udspringer af",
        "incoming": "Udmøntes i",
        "target_types": ["principle"],
        "color": "#1f5f8b",
    },
    "addresses": {
        "outgoing": "Besvarer",
        "incoming": "Besvaret af",
        "target_types": ["requirement"],
        "color": "#4c8cbf",
    },
    "belongs_to": {
        "outgoing": "Hører til",
        "incoming": "Indeholder",
        "target_types": ["project"],
        # The project of the folder the need sits in (dataetik.sphinx_ext).
        "default": "[[project_of_folder()]]",
        "parse_dynamic_functions": True,
        "color": "#2e7d32",
    },
    "reviews": {
        "outgoing": "Gennemgår manuelt",
        "incoming": "Gennemgået manuelt i",
        "target_types": ["biastest"],
        "color": "#ab47bc",
    },
    "risk_criteria": {
        "outgoing": "Opfylder risikokriterier",
        "incoming": "Opfyldes af",
        "target_types": ["criterion"],
        "color": "#c9a227",
    },
}


# Which need types each link type goes out from.
LINK_SOURCES: dict[str, list[str]] = {
    "derives_from": ["requirement"],
    "addresses": PROJECT_PARTS,
    "belongs_to": PROJECT_PARTS,
    "reviews": ["consideration"],
    "risk_criteria": ["project"],
}


def schema_definitions() -> dict:
    """Build-time rules sphinx-needs checks: required fields per type, and that a
    requirement derives from a principle (its link target type is checked natively)."""
    titles = {t["directive"]: t["title"] for t in NEED_TYPES}
    schemas = []
    for need_type, all_fields in REQUIRED_FIELDS.items():
        fields = [f for f in all_fields if f not in CORE_FIELDS]
        schemas.append(
            {
                "id": f"{need_type}-required-fields",
                "severity": "violation",
                "message": f"{titles[need_type]}: et påkrævet felt mangler ({', '.join(fields)})",
                "select": {"properties": {"type": {"const": need_type}}},
                "validate": {"local": {"required": fields}},
            }
        )
    schemas.append(
        {
            "id": "requirement-derives-from-principle",
            "severity": "violation",
            "message": "Et krav skal udspringe af mindst ét princip (derives_from)",
            "select": {"properties": {"type": {"const": "requirement"}}},
            "validate": {"local": {"properties": {"derives_from": {"minItems": 1}}, "required": ["derives_from"]}},
        }
    )
    return {"schemas": schemas}
