"""The policy's own structure: every principle is made concrete, every requirement
traces to a principle and says whom it applies to and what answers it."""

from dataetik.findings import fail_on


def test_principle_has_requirement(case):
    fail_on(case.run())


def test_requirement_is_traceable(case):
    fail_on(case.run())


def test_risk_level_is_defined(case):
    fail_on(case.run())


def test_row_level_data(case):
    fail_on(case.run())


def test_needs_are_whole(case):
    fail_on(case.run())


def test_references_resolve(case):
    fail_on(case.run())
