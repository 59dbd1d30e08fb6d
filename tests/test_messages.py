"""The message catalogue: every text the code says has its Danish translation, with the same
placeholders, and nothing else; a policy in another language gets its messages in that language."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from dataetik import i18n
from dataetik.findings import Finding
from dataetik.needs_data import Needs
from dataetik.policy import Policy
from dataetik.rules import RULES
from dataetik.vocabulary import Vocabulary

PACKAGE = Path(i18n.__file__).parent
KEYWORDS = {"_": None, "N_": None, "Nn_": (1, 2), "ngettext": (1, 2)}  # as `make messages` extracts them


def _read(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _extracted() -> dict[str, tuple[str, ...]]:
    """msgid -> (msgid, plural) of every text marked in the package."""
    found = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
            PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS):
        ids = message if isinstance(message, tuple) else (message,)
        found[ids[0]] = ids
    return found


EXTRACTED = _extracted()
DANISH = _read(PACKAGE / "locale" / "da" / "LC_MESSAGES" / "dataetik.po")


def _names(text: str) -> set[str]:
    return {name for _text, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


def test_the_code_marks_its_messages():
    assert len(EXTRACTED) > 300


@pytest.mark.parametrize("msgid", sorted(EXTRACTED))
def test_every_message_has_a_danish_translation_with_the_same_placeholders(msgid):
    ids = EXTRACTED[msgid]
    entry = DANISH.get(msgid)
    assert entry is not None, f"no Danish translation of {msgid!r}: run `make messages` and translate it"
    assert not entry.fuzzy, msgid
    translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    assert len(ids) == len(entry.id if isinstance(entry.id, tuple) else (entry.id,)), "singular/plural differ"
    assert translations and all(t.strip() for t in translations), f"empty translation of {msgid!r}"
    expected = set().union(*(_names(i) for i in ids))
    for translation in translations:
        assert _names(translation) == expected, (msgid, translation)


def test_the_danish_catalogue_holds_no_message_the_code_no_longer_says():
    assert not DANISH.obsolete
    unused = [m.id for m in DANISH if m.id and (m.id[0] if isinstance(m.id, tuple) else m.id) not in EXTRACTED]
    assert unused == []


def test_the_template_is_up_to_date():
    template = _read(PACKAGE / "locale" / "dataetik.pot")
    assert {(m.id[0] if isinstance(m.id, tuple) else m.id) for m in template if m.id} == set(EXTRACTED), \
        "run `make messages`"


def _missing_consideration() -> Finding:
    requirement = {"id": "R_PURPOSE", "type": "requirement", "title": "State the purpose", "content": "",
                   "answered_by": "consideration"}
    project = {"id": "PRJ_X", "type": "project", "title": "X", "docname": "projects/x/index", "lineno": 3}
    vocab = Vocabulary(answers={"consideration": "consideration"}, statuses={"draft": "planned"})
    policy = Policy.from_needs(Needs(by_id={"R_PURPOSE": requirement, "PRJ_X": project}), vocab)
    [finding] = RULES["consideration"].run(policy, project, policy.requirement("R_PURPOSE"))
    return finding


def test_an_english_policy_gets_english_messages():
    i18n.use("en")
    finding = _missing_consideration()
    assert finding.problem == "A consideration for the requirement 'State the purpose' is missing."
    assert finding.render().splitlines()[1] == "    How to fix it: Add on the project page:"
    assert (i18n.decimal(0.8), i18n.integer(12345)) == ("0.80", "12,345")


def test_this_site_stays_danish():
    i18n.use("da")
    finding = _missing_consideration()
    assert finding.problem == "Der mangler en overvejelse for kravet 'State the purpose'."
    assert finding.render().splitlines()[1] == "    Sådan retter du det: Tilføj på projektsiden:"
    assert (i18n.decimal(0.8), i18n.integer(12345)) == ("0,80", "12.345")


def test_a_language_without_a_catalogue_falls_back_to_english():
    i18n.use("fr")
    assert _missing_consideration().problem.startswith("A consideration for the requirement")
