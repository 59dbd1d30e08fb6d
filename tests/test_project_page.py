"""The appendix every project page gets: only on a page that holds a project, not on a guide
that shows a project directive as an example."""

import pytest

from dataetik.project_page import is_project_page

FENCE = "```"


@pytest.mark.parametrize("source, expected", [
    (":::{project} X\n:id: PRJ_X\n:::\n", True),
    (f"{FENCE}{{project}} X\n{FENCE}\n", True),
    (f"{FENCE}text\nx\n{FENCE}\n:::{{project}} Y\n:::\n", True),
    (f"{FENCE}text\n:::{{project}} X\n:::\n{FENCE}\n", False),
    (f"````markdown\n{FENCE}{{project}} X\n{FENCE}\n````\n", False),
    ("# A guide\n\nWrite :::{project} on a line of its own.\n", False),
])
def test_only_a_page_with_a_project_outside_code_gets_the_appendix(source, expected):
    assert is_project_page(source) is expected
