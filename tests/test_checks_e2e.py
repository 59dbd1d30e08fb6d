"""The checks/ suite itself, run as CI runs it, against fixture sites."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

from sitebuild import REPO, build, copy_site


def run_checks(built, tmp_path):
    junit = tmp_path / "checks.xml"
    env = {**os.environ, "DATAETIK_SITE": str(built.root), "DATAETIK_NEEDS_JSON": str(built.needs_json)}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "checks", "-q", "--color=no", "-p", "no:cacheprovider", f"--junitxml={junit}"],
        cwd=REPO, env=env, capture_output=True, text=True,
    )
    return proc, junit


def test_clean_site_passes(tmp_path):
    proc, _ = run_checks(build(copy_site("tiny", tmp_path / "site")), tmp_path)
    assert proc.returncode == 0, proc.stdout


def test_broken_site_fails_with_a_compliance_report_and_junit(tmp_path):
    site = copy_site("tiny", tmp_path / "site", {"projects/demo/index.md": (":addresses: R_FORMAAL", ":addresses: R_SIKKERHED")})
    proc, junit = run_checks(build(site), tmp_path)
    assert proc.returncode == 1
    assert "FAILED checks/test_projects.py::test_consideration[PRJ_DEMO-R_FORMAAL]" in proc.stdout
    assert "projects/demo/index.md:3: PRJ_DEMO / R_FORMAAL: Der mangler en overvejelse" in proc.stdout
    failures = [tc for tc in ET.parse(junit).iter("testcase") if tc.find("failure") is not None]
    assert [tc.get("name") for tc in failures] == ["test_consideration[PRJ_DEMO-R_FORMAAL]"]
    assert "Sådan retter du det" in failures[0].find("failure").get("message")


def test_missing_needs_json_is_a_clear_usage_error(tmp_path):
    env = {**os.environ, "DATAETIK_SITE": str(tmp_path), "DATAETIK_NEEDS_JSON": str(tmp_path / "nope.json")}
    proc = subprocess.run([sys.executable, "-m", "pytest", "checks", "-q", "--color=no", "-p", "no:cacheprovider"],
                          cwd=REPO, env=env, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "Byg sitet først med 'make html'" in proc.stdout + proc.stderr
