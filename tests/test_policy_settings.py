"""[contact] and [settings] in policy.toml: read with their defaults, refused with file and line."""

from __future__ import annotations

import shutil

import pytest
from sitebuild import SITES, build, copy_site

from dataetik.rules import all_cases
from dataetik.site_files import EXCLUDE_PATTERNS
from dataetik.vocabulary import VocabularyError, load_site


def policy_site(tmp_path, extra: str):
    shutil.copytree(SITES / "tiny" / "policy", tmp_path / "policy")
    toml = tmp_path / "policy" / "policy.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return tmp_path


def test_without_contact_or_settings_the_defaults_hold(tmp_path):
    vocab = load_site(policy_site(tmp_path, ""), EXCLUDE_PATTERNS)
    assert vocab.contact is None
    assert vocab.settings == {"changed_requirement_fails": False, "annual_report": [], "reference_phrases": [],
                              "max_similarity": 0.9, "public_contacts": [], "max_page_kb": 500,
                              "max_counts_kb": 100, "max_title_length": 150}


def test_contact_and_settings_are_read(tmp_path):
    vocab = load_site(policy_site(tmp_path, '\n[contact]\nname = "Borgerservice"\nemail = "borger@example.dk"\n'
                                            '\n[settings]\nchanged_requirement_fails = true\n'), EXCLUDE_PATTERNS)
    assert (vocab.contact.name, vocab.contact.email, vocab.contact.page) == ("Borgerservice", "borger@example.dk", "")
    assert vocab.settings["changed_requirement_fails"] is True


@pytest.mark.parametrize("extra, words", [
    ('\n[contact]\nname = "Borgerservice"\n', "[contact] mangler 'email'"),
    ('\n[contact]\nname = "Borgerservice"\nemail = "ikke en adresse"\n', "er ikke en e-mailadresse"),
    ('\n[contact]\nname = "B"\nemail = "b@example.dk"\nphone = "1"\n', "'phone'"),
    ('\n[settings]\nchanged_requirement_fails = "ja"\n', "true eller false"),
    ('\n[settings]\nchanged_requirement_fail = true\n', "changed_requirement_fails"),
    ('\n[settings]\nmax_similarity = 1.5\n', "max_similarity"),
    ('\n[settings]\nmax_similarity = "0,9"\n', "max_similarity"),
    ('\n[settings]\nreference_phrases = "se ovenfor"\n', "reference_phrases"),
])
def test_a_malformed_contact_or_setting_is_refused_with_its_line(tmp_path, extra, words):
    site = policy_site(tmp_path, extra)
    with pytest.raises(VocabularyError) as err:
        load_site(site, EXCLUDE_PATTERNS)
    text = (site / "policy" / "policy.toml").read_text(encoding="utf-8").splitlines()
    assert words in str(err.value) or words in err.value.fix
    assert err.value.line and err.value.line > len(text) - 4


def test_an_annual_report_requirement_that_does_not_exist_is_a_finding_in_policy_toml(tmp_path, monkeypatch):
    site = copy_site("tiny", tmp_path / "site", {
        "policy/policy.toml": ("", '\n[settings]\nannual_report = ["R_FINDES_IKKE"]\n')})
    built = build(site)
    monkeypatch.setenv("DATAETIK_TODAY", "2026-11-26")
    found = [f for c in all_cases(built.policy) if c.rule == "references_resolve" for f in c.run()]
    assert len(found) == 1 and "R_FINDES_IKKE" in found[0].problem
    assert found[0].location.startswith("policy/policy.toml:")
