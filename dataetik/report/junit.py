"""JUnit XML for CI systems: one testcase per check case, named as pytest names it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dataetik.findings import render_all
from dataetik.report import Result


def render(results: list[Result]) -> str:
    failures = sum(1 for r in results if not r.passed)
    suite = ET.Element("testsuite", name="dataetik", tests=str(len(results)), failures=str(failures), errors="0")
    for result in results:
        case = ET.SubElement(suite, "testcase", classname=f"dataetik.{result.rule}", name=result.test_name)
        if result.errors:
            failure = ET.SubElement(case, "failure", message=result.errors[0].problem)
            failure.text = render_all(list(result.errors))
        if result.warnings:  # passed, but said: JUnit has no warning, so it goes to the case's output
            ET.SubElement(case, "system-out").text = render_all(list(result.warnings))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)
