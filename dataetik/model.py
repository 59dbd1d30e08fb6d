"""The metamodel: need types, fields and link types, declared once.

What is fixed here is the contract the rules are written against: the need types, their
fields and links, the ID and date patterns. The words a policy speaks (risk levels,
statuses, evidence kinds, traits ...) are not: ``need_fields`` and ``schema_definitions``
take them from the policy's vocabulary (``dataetik.vocabulary``), so the build validates
each field against the words the policy declares.
"""

from __future__ import annotations

from sphinx_needs.data import NeedsCoreFields

from dataetik.i18n import N_, _, translated
from dataetik.vocabulary import Vocabulary

ID_REGEX = r"^[A-Z][A-Z0-9_]{2,}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

# Diagram fills are light so that black node text keeps its contrast. Titles are msgids: the
# Sphinx extension translates them for sphinx-needs, type_title() for everything else.
NEED_TYPES = [
    {"directive": "principle", "title": N_("Principle"), "prefix": "P_", "color": "#bcd7ec"},
    {"directive": "requirement", "title": N_("Requirement"), "prefix": "R_", "color": "#e3eef8"},
    {"directive": "risklevel", "title": N_("Risk level"), "prefix": "RISK_", "color": "#f3e6b3"},
    {"directive": "criterion", "title": N_("Criterion"), "prefix": "K_", "color": "#f8f0d0"},
    {"directive": "project", "title": N_("Project"), "prefix": "PRJ_", "color": "#c8e6c9"},
    {"directive": "consideration", "title": N_("Consideration"), "prefix": "C_", "color": "#e4f1d4"},
    {"directive": "biastest", "title": N_("Bias test"), "prefix": "BT_", "color": "#e8d5f0"},
    {"directive": "evidence", "title": N_("Evidence"), "prefix": "EV_", "color": "#e3e8eb"},
    {"directive": "approval", "title": N_("Approval"), "prefix": "AP_", "color": "#fbd9bf"},
]


def type_title(directive: str) -> str:
    """A need type's name, as readers see it: 'Krav' for requirement on a Danish site."""
    return translated(next(t["title"] for t in NEED_TYPES if t["directive"] == directive))

_DATE = {"type": "string", "pattern": DATE_PATTERN}
_TEXT = {"type": "string"}
_NUMBER = {"type": "number"}
_INTEGER = {"type": "integer"}


def _enum(values) -> dict:
    return {"type": "string", "enum": list(values)} if values else dict(_TEXT)


def _enum_list(values) -> dict:
    return {"type": "array", "items": _enum(values)}


# Each field: its label (what the rendered pages show beside a value; a msgid, see field_label) and,
# for a field whose values are policy words, the vocabulary list it takes them from (`list:` for
# several values).
FIELDS: dict[str, tuple[str, object]] = {
    # --- requirement: what it demands of projects -------------------------------
    "source": (N_("Section of the policy"), _TEXT),
    "applies_risk": (N_("Applies to risk level"), "list:risk_levels"),
    "applies_when": (N_("Applies only when the project is"), "list:conditions"),
    "answered_by": (N_("To be answered with"), "list:answers"),
    "evidence_kind": (N_("Evidence demanded"), "list:evidence_kinds"),
    "checks": (N_("Also checked for every project"), "list:checks"),
    "min_ratio": (N_("Lowest ratio between groups"), _NUMBER),
    "max_difference": (N_("Largest difference in share between groups"), _NUMBER),
    "min_cell": (N_("Smallest cell that may be published"), _INTEGER),
    "min_words": (N_("Fewest words in a consideration"), _INTEGER),
    "bias_attributes": (N_("Attributes to be tested at least"), {"type": "array", "items": _TEXT}),
    "min_evidence": (N_("Fewest documents of each kind demanded"), _INTEGER),
    "review_every": (N_("Reassessed at least every (months)"), _INTEGER),
    "effective_from": (N_("Applies from"), "dates"),
    "forbids_status": (N_("The project may never have the status"), "list:statuses"),
    # --- risk level and criterion -------------------------------------------------
    "level": (N_("Level"), "risk_levels"),
    "approval_level": (N_("Approved at least by"), "decision_levels"),
    "raises_to": (N_("A yes proposes at least"), "levels"),
    "raises_if_no": (N_("A no proposes at least"), "levels"),
    "sets": (N_("A yes also sets"), "list:conditions"),
    "asked_if": (N_("Asked only after a yes to"), {"type": "array", "items": _TEXT}),
    "skipped_if": (N_("Skipped after a yes to"), {"type": "array", "items": _TEXT}),
    "why": (N_("Why we ask"), _TEXT),
    "example": (N_("Example"), _TEXT),
    # --- project ---------------------------------------------------------------------
    "department": (N_("Department / unit"), _TEXT),
    "risk": (N_("Risk profile"), "risk_levels"),
    "status": (N_("Status"), "statuses"),
    "start_date": (N_("Start date"), _DATE),
    "end_date": (N_("End date"), _DATE),
    "personal_data": (N_("Personal data"), _TEXT),
    "legal_basis": (N_("Legal basis"), _TEXT),
    # What a citizen needs (cf. the UK ATRS and the Dutch algorithm register): optional, in plain words.
    "human_review": (N_("Where a person reviews"), _TEXT),
    "how_to_object": (N_("How to object or complain"), _TEXT),
    "own_data": (N_("How to see your own data"), _TEXT),
    # (each of the policy's traits adds a yes/no field here)
    # --- consideration, evidence, bias test, approval ----------------------------
    "date": (N_("Date"), _DATE),
    "kind": (N_("Kind"), "evidence_kinds"),
    "reference": (N_("Reference"), _TEXT),
    "counts": (N_("Counts (file)"), _TEXT),
    "role": (N_("Approved by (role)"), _TEXT),
    "decision_level": (N_("Decision level"), "decision_levels"),
    "decision": (N_("Decision"), "decisions"),
    # The texts an approval approved: one fingerprint per requirement (dataetik.trail).
    "fingerprints": (N_("Requirement texts approved"), _TEXT),
}
# Names a trait may not take as its field: the model's own, and sphinx-needs' (see NEED_LINKS below).
FIXED_FIELDS = set(FIELDS) | set(NeedsCoreFields)


def field_label(name: str) -> str:
    """A field's label as readers see it: 'Risikoprofil' for risk on a Danish site."""
    return translated(FIELDS[name][0])


def _words(vocab: Vocabulary, table: str) -> list[str]:
    if table == "traits":
        return [t.word for t in vocab.traits]
    if table == "dates":
        return []
    if table == "conditions":
        return vocab.condition_words
    if table == "levels":  # risk levels and every classification's levels
        return [*vocab.risk_levels, *(level for c in vocab.classifications for level in c.levels)]
    return list(getattr(vocab, table))


def field_schema(vocab: Vocabulary, name: str) -> dict:
    spec = FIELDS[name][1]
    if isinstance(spec, dict):
        return spec
    if spec == "dates":  # a date, or the name of one the policy declares (the requirement rule checks which)
        return dict(_TEXT) if vocab.dates else dict(_DATE)
    listed = spec.startswith("list:")
    words = _words(vocab, spec.removeprefix("list:"))
    return _enum_list(words) if listed else _enum(words)


def need_fields(vocab: Vocabulary) -> dict[str, dict]:
    """sphinx-needs' `needs_fields`: every field with its label and schema; traits included."""
    fields = {name: {"description": field_label(name), "schema": field_schema(vocab, name)} for name in FIELDS}
    for trait in vocab.traits:
        fields[trait.field] = {"description": trait.label, "schema": _enum([vocab.yes, vocab.no])}
    for scale in vocab.classifications:
        fields[scale.field] = {"description": scale.label, "schema": _enum(scale.levels)}
    return fields


def required_fields(vocab: Vocabulary) -> dict[str, list[str]]:
    """Fields each type must carry; a field whose words the policy does not declare is not asked for."""
    risk = ["risk"] if vocab.risk_levels else []
    decided = ["decision_level"] if vocab.decision_levels else []
    return {
        "requirement": ["source", "answered_by"],
        "risklevel": ["level", *(["approval_level"] if vocab.decision_levels else [])],
        "criterion": [],
        "project": ["department", *risk, "status", "start_date", "personal_data", "legal_basis",
                    *(t.field for t in vocab.traits)],
        "consideration": ["date"],
        "evidence": ["kind", "date"],
        "biastest": ["date", "counts"],
        "approval": ["role", *decided, "decision", "date"],
    }


# Fields a type may carry besides the required ones (shown in the reference).
OPTIONAL_FIELDS: dict[str, list[str]] = {
    "requirement": ["applies_risk", "applies_when", "evidence_kind", "min_evidence", "checks", "min_words",
                    "min_ratio", "max_difference", "min_cell", "bias_attributes", "review_every", "effective_from",
                    "forbids_status"],
    "criterion": ["raises_to", "raises_if_no", "sets", "asked_if", "skipped_if", "why", "example"],
    "project": ["end_date", "human_review", "how_to_object", "own_data"],
    "evidence": ["reference"],
    "biastest": ["min_ratio", "max_difference"],
    "approval": ["fingerprints"],
}

# sphinx-needs core fields: local schemas cannot see them, so their presence is a
# pytest rule (rules.project.status) instead of a build-time schema.
CORE_FIELDS = {"status"}

# Types that sit inside a project folder and belong to its project.
PROJECT_PARTS = ["consideration", "biastest", "evidence", "approval"]

# Link names are msgids, translated by the Sphinx extension (and where else they are shown).
NEED_LINKS: dict[str, dict] = {
    "derives_from": {
        "outgoing": N_("Derives from"),
        "incoming": N_("Realised in"),
        "target_types": ["principle"],
        "color": "#1f5f8b",
    },
    "addresses": {
        "outgoing": N_("Answers"),
        "incoming": N_("Answered by"),
        "target_types": ["requirement"],
        "color": "#4c8cbf",
    },
    "belongs_to": {
        "outgoing": N_("Belongs to"),
        "incoming": N_("Contains"),
        "target_types": ["project"],
        # The project of the folder the need sits in (dataetik.sphinx_ext).
        "default": "[[project_of_folder()]]",
        "parse_dynamic_functions": True,
        "color": "#2e7d32",
    },
    "reviews": {
        "outgoing": N_("Reviews manually"),
        "incoming": N_("Reviewed manually in"),
        "target_types": ["biastest"],
        "color": "#ab47bc",
    },
    "risk_criteria": {
        "outgoing": N_("Meets risk criteria"),
        "incoming": N_("Met by"),
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


def type_fields(vocab: Vocabulary, need_type: str) -> list[str]:
    """The fields a type carries, required first, as its card and the reference show them."""
    required = required_fields(vocab).get(need_type, [])
    classified = [c.field for c in vocab.classifications] if need_type == "project" else []
    return [*required, *classified, *(f for f in OPTIONAL_FIELDS.get(need_type, []) if f not in required)]


def schema_definitions(vocab: Vocabulary) -> dict:
    """Build-time rules sphinx-needs checks: required fields per type, and that a
    requirement derives from a principle (its link target type is checked natively)."""
    schemas = []
    for need_type, all_fields in required_fields(vocab).items():
        fields = [f for f in all_fields if f not in CORE_FIELDS]
        if not fields:
            continue
        schemas.append(
            {
                "id": f"{need_type}-required-fields",
                "severity": "violation",
                "message": _("{type}: a required field is missing ({fields})").format(
                    type=type_title(need_type), fields=", ".join(fields)),
                "select": {"properties": {"type": {"const": need_type}}},
                "validate": {"local": {"required": fields}},
            }
        )
    schemas.append(
        {
            "id": "requirement-derives-from-principle",
            "severity": "violation",
            "message": _("A requirement must derive from at least one principle (derives_from)"),
            "select": {"properties": {"type": {"const": "requirement"}}},
            "validate": {"local": {"properties": {"derives_from": {"minItems": 1}}, "required": ["derives_from"]}},
        }
    )
    return {"schemas": schemas}
