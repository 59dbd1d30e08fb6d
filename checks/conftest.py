"""Policy checks: read the needs.json of the last build once, and generate one test
case per rule and subject from the policy's own needs (see dataetik.rules).

The site to check is the repository by default; tests point DATAETIK_SITE at a
fixture site to prove a broken one fails.
"""

import gc
from functools import cache
from pathlib import Path

import pytest

from dataetik import i18n
from dataetik.needs_data import NeedsFileError, checked_site, load_needs
from dataetik.policy import Policy
from dataetik.rules import all_cases
from dataetik.site_files import EXCLUDE_PATTERNS
from dataetik.vocabulary import VocabularyError, declared_language

SITE, NEEDS_JSON = checked_site(Path(__file__).resolve().parent.parent)


@cache
def policy() -> Policy:
    """The policy, with every finding said in its language."""
    i18n.use(declared_language(SITE, EXCLUDE_PATTERNS) or i18n.HOME_LANGUAGE)  # already for a needs.json that is missing
    try:
        policy = Policy.from_needs(load_needs(NEEDS_JSON, srcdir=SITE))
        gc.freeze()  # the needs live as long as the run: the collector need not walk them again and again
    except (NeedsFileError, VocabularyError) as err:
        raise pytest.UsageError(str(err)) from None
    i18n.use(policy.vocabulary.language)
    try:
        policy.today  # noqa: B018 - DATAETIK_TODAY is checked once, before any case depends on it
    except ValueError as err:
        raise pytest.UsageError(str(err)) from None
    return policy


@cache
def cases_by_rule() -> dict:
    grouped = {}
    for case in all_cases(policy()):
        grouped.setdefault(case.rule, []).append(case)
    return grouped


def pytest_generate_tests(metafunc):
    """test_<rule>(case) runs once per case of that rule."""
    if "case" in metafunc.fixturenames:
        rule = metafunc.function.__name__.removeprefix("test_")
        cases = cases_by_rule().get(rule, [])
        metafunc.parametrize("case", cases, ids=[c.key for c in cases])

