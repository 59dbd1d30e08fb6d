"""Two policies on one site: the municipality's own and a law layered on top of it.

The second policy lives in its own folder with its own policy.toml, pages and IDs; it adds
evidence kinds and traits to the shared vocabulary and uses the statuses and risk levels the
first declares. A project is checked against both, and each finding names its policy.
"""

from __future__ import annotations

import pytest
from sitebuild import LAW, LAW_PAGE, build, copy_site

from dataetik.findings import render_all
from dataetik.rules import all_cases



def layered(tmp_path, extra: dict | None = None):
    edits = {"law/policy.toml": ("", LAW), "law/index.md": ("", LAW_PAGE),
             "index.md": ("policy/index\n", "policy/index\nlaw/index\n"),
             "projects/demo/index.md": (":external_partners: nej", ":external_partners: nej\n:high_risk_ai: ja")}
    return build(copy_site("tiny", tmp_path / "site", {**edits, **(extra or {})}))


def test_a_project_is_checked_against_every_policy_and_each_finding_names_its_policy(tmp_path):
    built = layered(tmp_path)
    assert built.returncode == 0, built.warnings
    vocab = built.policy.vocabulary
    assert [p.folder for p in vocab.policies] == ["policy", "law"]  # the base policy first
    assert "konsekvensanalyse for grundlæggende rettigheder" in vocab.evidence_kinds and "sikkerhedsvurdering" in vocab.evidence_kinds
    owners = {r.id: r.policy.folder for r in built.policy.requirements}
    assert owners["R_LOV_KONSEKVENS"] == "law" and owners["R_FORMAAL"] == "policy"
    found = render_all([f for c in all_cases(built.policy) for f in c.run()])
    assert found == (
        "projects/demo/index.md:3: PRJ_DEMO / R_LOV_KONSEKVENS (Lov om algoritmer (prøve), Lovens § 27): Der mangler dokumentation af "
        "typen 'konsekvensanalyse for grundlæggende rettigheder' for kravet 'Konsekvensanalyse før brug'.\n"
        "    Sådan retter du det: Tilføj et 'evidence'-element med ':addresses: R_LOV_KONSEKVENS', ':kind: "
        "konsekvensanalyse for grundlæggende rettigheder', ':date:' og ':reference:' (hvor dokumentet findes, fx journalnummer)."
    )


def test_the_layered_requirement_applies_only_where_its_trait_is_set(tmp_path):
    built = layered(tmp_path, {"projects/demo/index.md": (":external_partners: nej",
                                                          ":external_partners: nej\n:high_risk_ai: nej")})
    assert built.returncode == 0, built.warnings
    assert render_all([f for c in all_cases(built.policy) for f in c.run()]) == ""


@pytest.mark.parametrize("shared", ['statuses = { kladde = "planned" }', 'yes = "ja"'])
def test_a_shared_table_is_declared_once(tmp_path, shared):
    """Statuses, decisions, yes/no ... describe the project as a whole: a second declaration is an
    error naming both files, not a silent override."""
    site = copy_site("tiny", tmp_path / "site", {"law/policy.toml": ("", LAW.replace("[vocabulary]\n", f"[vocabulary]\n{shared}\n")),
                                                  "law/index.md": ("", "# Lov\n")})
    built = build(site)
    assert built.returncode != 0 and "Traceback" not in built.warnings
    key = shared.split(" ")[0]
    # The second file read names the first, so the author sees both places.
    assert f"policy/policy.toml:" in built.warnings
    assert f"ERROR: '{key}' er også erklæret i policy.toml i law/ (linje 6)." in built.warnings
    assert "Erklær det kun ét sted" in built.warnings


@pytest.mark.parametrize("field", ["docname", "addresses", "status"])
def test_a_trait_cannot_take_a_field_the_model_or_sphinx_needs_uses(tmp_path, field):
    law = LAW.replace('field = "high_risk_ai"', f'field = "{field}"')
    built = build(copy_site("tiny", tmp_path / "site", {"law/policy.toml": ("", law), "law/index.md": ("", "# Lov\n")}))
    assert built.returncode != 0 and "Traceback" not in built.warnings
    assert "law/policy.toml:9: ERROR:" in built.warnings  # the field = line and f"'{field}'" in built.warnings
