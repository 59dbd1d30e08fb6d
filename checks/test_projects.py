"""Each project against each requirement that applies to it: test_<answer>[PRJ-REQ]."""

from dataetik.findings import fail_on


def test_consideration(case):
    fail_on(case.run())


def test_biastest(case):
    fail_on(case.run())


def test_evidence(case):
    fail_on(case.run())


def test_approval(case):
    fail_on(case.run())


def test_review(case):
    fail_on(case.run())


def test_bias_result(case):
    fail_on(case.run())


def test_placeholders(case):
    fail_on(case.run())


def test_status(case):
    fail_on(case.run())


def test_dates(case):
    fail_on(case.run())


def test_risk_profile(case):
    fail_on(case.run())


def test_classified(case):
    fail_on(case.run())


def test_forbidden_status(case):
    fail_on(case.run())


def test_changed_requirement(case):
    fail_on(case.run())


def test_referring_reasoning(case):
    fail_on(case.run())


def test_repeated_reasoning(case):
    fail_on(case.run())
