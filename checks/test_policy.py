"""The policy's own structure: every principle is made concrete, every requirement
traces to a principle and says whom it applies to and what answers it, in words the policy
declares. And the site's folder as a whole: no personal data, no empty or oversized file."""

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


def test_requirement_words(case):
    fail_on(case.run())


def test_cpr_numbers(case):
    fail_on(case.run())


def test_contact_details(case):
    fail_on(case.run())


def test_empty_pages(case):
    fail_on(case.run())


def test_project_folders(case):
    fail_on(case.run())


def test_file_sizes(case):
    fail_on(case.run())


def test_title_lengths(case):
    fail_on(case.run())
