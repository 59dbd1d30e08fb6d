"""Bias tests: figures against hand computation, every malformed input, the rules."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from sitebuild import REPO, build, copy_site

from dataetik.biastest.counts import CountsError, read_counts
from dataetik.biastest.metrics import BIAS, NO_BIAS, UNDECIDED, Thresholds, evaluate, katz_interval
from dataetik.rules.bias import row_level_files
from dataetik.findings import render_all
from dataetik.rules import all_cases

HEADER = "attribute,group,actual,predicted,count\n"
# Ground truth, two groups: women TP 60 FN 40 FP 90 TN 810; men TP 30 FN 70 FP 45 TN 855.
WITH_TRUTH = HEADER + """køn,kvinde,1,1,60
køn,kvinde,1,0,40
køn,kvinde,0,1,90
køn,kvinde,0,0,810
køn,mand,1,1,30
køn,mand,1,0,70
køn,mand,0,1,45
køn,mand,0,0,855
aldersgruppe,under 50,1,1,45
aldersgruppe,under 50,1,0,55
aldersgruppe,under 50,0,1,68
aldersgruppe,under 50,0,0,832
aldersgruppe,50+,1,1,45
aldersgruppe,50+,1,0,55
aldersgruppe,50+,0,1,67
aldersgruppe,50+,0,0,833
"""


def write(tmp_path, text, name="biastest.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("counts", sorted((REPO / "projects").glob("*/biastest.csv")), ids=lambda p: p.parent.name)
def test_frame_figures_equal_fairlearns_own_functions(counts):
    """The metrics read off one MetricFrame are exactly fairlearn's demographic-parity and equalized-odds functions."""
    from fairlearn.metrics import demographic_parity_difference, demographic_parity_ratio, equalized_odds_difference

    from dataetik.biastest.metrics import _rows

    parsed = read_counts(counts, 5)
    result = evaluate(parsed, Thresholds(0.8, 0.1))
    for attribute in result.attributes:
        groups = [g for g in parsed.attributes[attribute.attribute].values() if not g.suppressed]
        names, y_true, y_pred, w = _rows(groups, parsed.has_truth)
        kw = {"sensitive_features": names, "sample_weight": w}
        assert attribute.dp_ratio == pytest.approx(demographic_parity_ratio(y_true, y_pred, **kw))
        assert attribute.dp_difference == pytest.approx(demographic_parity_difference(y_true, y_pred, **kw))
        if parsed.has_truth:
            assert attribute.eo_difference == pytest.approx(equalized_odds_difference(y_true, y_pred, **kw))


def test_figures_match_hand_computation(tmp_path):
    result = evaluate(read_counts(write(tmp_path, WITH_TRUTH), 5), Thresholds(0.8, 0.1))
    sex = result.attributes[0]
    women, men = sex.groups
    # selection rate = (TP + FP) / n
    assert (women.rate, men.rate) == (150 / 1000, 75 / 1000)
    assert women.reference and men.ratio == pytest.approx(0.5)
    # TPR = TP / (TP + FN), FPR = FP / (FP + TN)
    assert (women.tpr, women.fpr) == (pytest.approx(0.6), pytest.approx(90 / 900))
    assert (men.tpr, men.fpr) == (pytest.approx(0.3), pytest.approx(45 / 900))
    assert sex.dp_ratio == pytest.approx(0.5) and sex.dp_difference == pytest.approx(0.075)
    assert sex.eo_difference == pytest.approx(0.3)  # max(|0.6-0.3|, |0.1-0.05|)
    # Katz: exp(ln 0.5 +- 1.96 * sqrt(1/75 - 1/1000 + 1/150 - 1/1000))
    se = math.sqrt(1 / 75 - 1 / 1000 + 1 / 150 - 1 / 1000)
    assert men.ci == pytest.approx((0.5 * math.exp(-1.959964 * se), 0.5 * math.exp(1.959964 * se)), rel=1e-5)
    assert men.ci[1] < 0.8 and men.p_value < 1e-6
    assert sex.verdict == BIAS
    assert sex.reason.startswith("gruppen 'mand' udvælges 0,50 gange så ofte som 'kvinde' (95 %-interval 0,38–0,65)")
    # Equal rates, but ~110 selected per group: the interval (0,77-1,27) cannot rule bias out.
    assert result.attributes[1].verdict == UNDECIDED and result.verdict == BIAS


def test_katz_interval_is_continuity_corrected_at_zero():
    low, high = katz_interval(0, 100, 20, 100, 0.95)
    assert 0 < low < high < 0.5


def test_wide_interval_is_undecided(tmp_path):
    small = HEADER + "køn,kvinde,,1,40\nkøn,kvinde,,0,60\nkøn,mand,,1,35\nkøn,mand,,0,65\n"
    counts = read_counts(write(tmp_path, small), 5)
    assert evaluate(counts, Thresholds(0.8, 0.1)).verdict == UNDECIDED
    assert "rækker under grænsen 0,80" in evaluate(counts, Thresholds(0.8, 0.1)).attributes[0].reason


def test_an_undecided_verdict_names_every_group_whose_interval_reaches_below(tmp_path):
    three = HEADER + "".join(f"køn,{g},,1,{s}\nkøn,{g},,0,{100 - s}\n" for g, s in (("a", 40), ("b", 36), ("c", 35)))
    reason = evaluate(read_counts(write(tmp_path, three), 5), Thresholds(0.8, 0.1)).attributes[0].reason
    # Katz by hand for c: ln(35/40) ± 1.96·√(1/35 − 1/100 + 1/40 − 1/100) gives 0,61–1,25.
    assert reason.startswith("intervallerne for grupperne 'c' (0,61–1,25) og 'b' (0,63–1,28) rækker under grænsen 0,80")


def test_large_equal_groups_show_no_bias(tmp_path):
    equal = HEADER + "køn,kvinde,,1,300\nkøn,kvinde,,0,700\nkøn,mand,,1,295\nkøn,mand,,0,705\n"
    result = evaluate(read_counts(write(tmp_path, equal), 5), Thresholds(0.8, 0.1))
    assert result.verdict == NO_BIAS, result.attributes[0].reason


def test_suppressed_group_is_insufficient_data_never_a_pass(tmp_path):
    text = HEADER + ("køn,kvinde,,1,300\nkøn,kvinde,,0,700\nkøn,mand,,1,300\nkøn,mand,,0,700\n"
                     "køn,andet,,,undertrykt\n")
    result = evaluate(read_counts(write(tmp_path, text), 5), Thresholds(0.8, 0.1))
    assert result.verdict == UNDECIDED
    assert result.attributes[0].reason == "utilstrækkelige data (andet); en undertrykt gruppe kan ikke bestå testen"


GOOD = "køn,kvinde,,1,30\nkøn,kvinde,,0,70\nkøn,mand,,1,30\nkøn,mand,,0,70\n"


@pytest.mark.parametrize(
    "text, line, column, problem",
    [
        ("attribute,group,actual,predicted,count,cpr\n" + GOOD, 1, "cpr", "ukendt kolonne."),
        ("attribute,group,predicted,count\n" + "køn,kvinde,1,30\n", 1, "actual", "kolonnen mangler."),
        (HEADER + GOOD.replace("kvinde,,1,30", "kvinde,,ja,30"), 2, "predicted", "værdien 'ja' er ikke tilladt."),
        (HEADER + GOOD.replace("mand,,1,30", "mand,1,1,30"), 4, "actual", "nogle linjer har et faktisk udfald og andre ikke."),
        (HEADER + GOOD.replace("kvinde,,0,70", "kvinde,,0,-70"), 3, "count", "antallet -70 er negativt."),
        (HEADER + GOOD.replace("kvinde,,0,70", "kvinde,,0,7.5"), 3, "count", "'7.5' er ikke et helt tal."),
        (HEADER + GOOD.replace("kvinde,,0,70", "kvinde,,0,3"), 3, "count", "antallet 3 er under diskretionsgrænsen på 5."),
        (HEADER + GOOD + "køn,mand,,0,70\n", 6, "count", "cellen predicted=0 for køn=mand står to gange."),
        (HEADER + GOOD.replace("køn,mand,,0,70\n", ""), 4, "count", "gruppen køn=mand mangler celler: predicted=0."),
        (HEADER + GOOD + "alder,ung,,1,30\nalder,ung,,0,70\nalder,gammel,,1,30\nalder,gammel,,0,60\n", 6, "count",
         "optællingerne for 'alder' summer til 190, men andre egenskaber til 200."),
        (HEADER + GOOD + "køn,andet,,1,undertrykt\n", 6, "count", "en undertrykt gruppe skal stå på én linje med tomme actual og predicted."),
        (HEADER + "køn,kvinde,,1,30\nkøn,kvinde,,0,70\n", 2, "group", "egenskaben 'køn' har kun én gruppe, så der er intet at sammenligne."),
        (HEADER + GOOD[:-1] + ",x\n", 5, None, "linjen har 6 felter, men overskriften har 5."),
        # 'gammel' is suppressed, but køn's totals minus 'ung' give its cells: 60-57=3 selected.
        (HEADER + GOOD + "alder,ung,,1,57\nalder,ung,,0,70\nalder,gammel,,,undertrykt\n", 8, "count",
         "de undertrykte grupper i 'alder' (gammel) kan regnes ud ved at trække de offentliggjorte tal fra totalen: "
         "cellen predicted=1 giver 3, under diskretionsgrænsen på 5."),
        # Same total (200) as køn, but 20 selected where køn has 60.
        (HEADER + GOOD + "alder,ung,,1,10\nalder,ung,,0,90\nalder,gammel,,1,10\nalder,gammel,,0,90\n", 6, "count",
         "cellen predicted=0 summer til 180 for 'alder', men til 140 for 'køn'."),
        (HEADER + GOOD + "alder,ung,,1,65\nalder,ung,,0,70\nalder,gammel,,,undertrykt\n", 8, "count",
         "de offentliggjorte grupper i 'alder' har 65 i cellen predicted=1, flere end de andre egenskaber (60)."),
        # As Danish Excel saves "CSV".
        ((HEADER + GOOD).replace(",", ";"), 1, None, "felterne er adskilt med semikolon."),
    ],
    ids=["unknown-column", "missing-column", "bad-value", "mixed-truth", "negative", "non-integer", "small-cell",
         "duplicate", "missing-cell", "totals", "half-suppressed", "one-group", "ragged-row", "recoverable-by-subtraction",
         "cells-disagree", "suppressed-over-population", "semicolons"],
)
def test_malformed_counts_name_line_and_column(tmp_path, text, line, column, problem):
    with pytest.raises(CountsError) as err:
        read_counts(write(tmp_path, text), 5)
    assert (err.value.line, err.value.column, err.value.problem) == (line, column, problem)
    assert err.value.fix


def test_policy_required_attribute_must_be_present(tmp_path):
    with pytest.raises(CountsError, match="egenskaben 'aldersgruppe' mangler"):
        read_counts(write(tmp_path, HEADER + GOOD), 5, ("køn", "aldersgruppe"))


def test_row_level_files_in_the_site_are_found(tmp_path):
    (tmp_path / "projects" / "x").mkdir(parents=True)
    write(tmp_path / "projects" / "x", HEADER + GOOD)
    write(tmp_path / "projects" / "x", "cpr,koen,valgt\n0101011234,kvinde,1\n", name="udtraek.csv")
    (tmp_path / "projects" / "x" / "sager.parquet").write_bytes(b"PAR1")
    write(tmp_path, "cpr,alder\n0101011234,84\n", name="udtraek.csv")  # beside the site, not in a project
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "data.json").write_text("{}")  # ordinary outside projects/
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "x.csv").write_text("a\n")  # not the site
    (tmp_path / "projects" / "x" / "udtraek.ods").write_bytes(b"PK")
    write(tmp_path / "projects" / "x", HEADER + GOOD.replace("kvinde,,0,70", "kvinde,,0,2"), name="gammel.csv")
    write(tmp_path / "projects" / "x", "attribute;group;actual;predicted;count\n", name="i-brug.csv")
    # Unused, with one group only (a defect nobody needs to fix) and no small cell: fine.
    write(tmp_path / "projects" / "x", HEADER + "køn,kvinde,,1,30\nkøn,kvinde,,0,70\n", name="kladde.csv")
    found = row_level_files(tmp_path, frozenset({tmp_path / "projects/x/i-brug.csv"}), 5)
    assert [(f.file, f.line) for f in found] == [
        ("projects/x/gammel.csv", 3), ("projects/x/sager.parquet", 1), ("projects/x/udtraek.csv", 1),
        ("projects/x/udtraek.ods", 1), ("udtraek.csv", 1)]
    # A counts file no bias test uses may still not disclose small cells.
    assert "ingen bias-test bruger" in found[0].problem and "antallet 2 er under diskretionsgrænsen" in found[0].problem
    assert "ligner data om enkelte borgere" in found[1].problem and "dataetik aggregate" in found[1].fix


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "dataetik.cli", *args], capture_output=True, text=True)


def test_aggregate_end_to_end_suppresses_small_groups_and_never_overwrites(tmp_path):
    sizes = {"15-17": 2, "18-29": 300, "30-49": 400, "50+": 150}
    ages = [age for age, n in sizes.items() for _ in range(n)]
    rows = ["id,koen,alder,valgt,udfald"] + [
        f"{i},{'kvinde' if i % 2 else 'mand'},{age},{i % 3 == 0:d},{i % 5 == 0:d}" for i, age in enumerate(ages)]
    source = write(tmp_path, "\n".join(rows) + "\n", name="rows.csv")
    target = tmp_path / "biastest.csv"
    # No policy states a disclosure threshold here: the analyst must give one, none is assumed.
    unstated = run_cli("aggregate", str(source), "--attribute", "koen", "--predicted", "valgt", "-o", str(target),
                       "--site", str(tmp_path))
    assert unstated.returncode == 2 and "Angiv den med --min-cell" in unstated.stderr and not target.exists()
    done = run_cli("aggregate", str(source), "--attribute", "koen", "--attribute", "alder", "--min-cell", "5",
                   "--predicted", "valgt", "--actual", "udfald", "-o", str(target), "--site", str(tmp_path))
    assert done.returncode == 0, done.stderr
    text = target.read_text(encoding="utf-8")
    # 15-17 has cells below 5; alone it would be recovered from koen's totals, so the smallest
    # other group goes with it.
    assert "alder,15-17,,,undertrykt" in text and "alder,50+,,,undertrykt" in text
    counts = read_counts(target, 5)
    assert counts.has_truth and counts.attributes["koen"]["kvinde"].n == 426
    assert counts.attributes["alder"]["18-29"].n == 300
    again = run_cli("aggregate", str(source), "--attribute", "koen", "--predicted", "valgt", "-o", str(target),
                    "--site", str(tmp_path), "--min-cell", "5")
    assert again.returncode == 2 and "findes allerede og bliver ikke overskrevet" in again.stderr
    assert target.read_text(encoding="utf-8") == text
    bad = run_cli("aggregate", str(source), "--attribute", "koen", "--predicted", "udfald2", "-o", str(tmp_path / "x.csv"),
                  "--site", str(tmp_path), "--min-cell", "5")
    assert bad.returncode == 2 and "kolonnen 'udfald2' findes ikke" in bad.stderr


def test_aggregate_never_loosens_the_policys_disclosure_threshold(tmp_path):
    site = copy_site("tiny", tmp_path / "site", {"policy/index.md": ("", BIAS_REQ.replace(":min_cell: 5", ":min_cell: 10"))})
    source = write(tmp_path, "id,koen,valgt\n" + "".join(f"{i},{'kvinde' if i % 2 else 'mand'},{i % 3 == 0:d}\n" for i in range(40)),
                   name="rows.csv")
    loose = run_cli("aggregate", str(source), "--attribute", "koen", "--predicted", "valgt", "--min-cell", "5",
                    "-o", str(tmp_path / "a.csv"), "--site", str(site))
    assert loose.returncode == 2 and "lavere end politikkens diskretionsgrænse på 10" in loose.stderr
    # 20 per sex, 7 selected: under the policy's 10, so both groups are suppressed.
    # Without --site: the site is found from the output path.
    target = site / "projects" / "demo" / "b.csv"
    default = run_cli("aggregate", str(source), "--attribute", "koen", "--predicted", "valgt", "-o", str(target))
    assert default.returncode == 0, default.stderr
    assert "koen,kvinde,,,undertrykt" in target.read_text(encoding="utf-8")


# --- the rules, on the tiny fixture site with a bias requirement added -------------

BIAS_REQ = """
:::{requirement} Bias-test
:id: R_BIAS
:derives_from: P_AABEN
:source: Åbenhed
:applies_risk: lav, middel, høj
:answered_by: bias-test
:min_ratio: 0.8
:max_difference: 0.1
:min_cell: 5
:bias_attributes: køn

Test for skævhed.
:::
"""
BIAS_TEST = """
:::{biastest} Test
:id: BT_DEMO
:addresses: R_BIAS
:date: 2025-02-01
:counts: biastest.csv
%s
Testet.
:::
"""
REVIEW = """
:::{consideration} Manuel gennemgang
:id: C_DEMO_REVIEW
:addresses: R_BIAS
:reviews: BT_DEMO
:date: 2025-02-01

Sagsbehandlerne har gennemgået alle sager for mænd og fandt ingen forskel i, hvordan de blev behandlet.
:::
"""
SKEWED = HEADER + "køn,kvinde,,1,300\nkøn,kvinde,,0,700\nkøn,mand,,1,150\nkøn,mand,,0,850\n"
UNSURE = HEADER + "køn,kvinde,,1,40\nkøn,kvinde,,0,60\nkøn,mand,,1,35\nkøn,mand,,0,65\n"


def bias_site(tmp_path, counts, status="igangværende", extra="", fields=""):
    edits = {
        "policy/index.md": ("", BIAS_REQ),
        "projects/demo/index.md": ("", BIAS_TEST % fields + extra),
        "projects/demo/biastest.csv": ("", counts),
    }
    site = copy_site("tiny", tmp_path / "site", edits)
    page = site / "projects/demo/index.md"
    page.write_text(page.read_text(encoding="utf-8").replace(":status: igangværende", f":status: {status}\n:end_date: 2025-06-01"
                                                             if status == "stoppet" else f":status: {status}"), encoding="utf-8")
    return build(site)


def bias_findings(built, rule: str = "bias_result") -> str:
    return render_all([f for c in all_cases(built.policy) if c.rule == rule for f in c.run()])


def test_a_project_without_a_bias_test_fails(tmp_path):
    built = build(copy_site("tiny", tmp_path / "site", {"policy/index.md": ("", BIAS_REQ)}))
    assert bias_findings(built, "biastest") == (
        "projects/demo/index.md:3: PRJ_DEMO / R_BIAS: Projektet har ingen bias-test. Test for skævhed er en fast del "
        "af alt dataarbejde.\n"
        "    Sådan retter du det: Tilføj et 'biastest'-element med ':addresses: R_BIAS' og ':counts: biastest.csv', "
        "og læg de samlede optællinger i projektmappen (se vejledningen om bias-test)."
    )
    with_test = bias_site(tmp_path / "with", SKEWED, status="stoppet")
    assert bias_findings(with_test, "biastest") == ""


def test_bias_in_a_project_in_use_fails_naming_attribute_groups_figures_and_threshold(tmp_path):
    assert bias_findings(bias_site(tmp_path, SKEWED)) == (
        "projects/demo/index.md:57: PRJ_DEMO / R_BIAS: Skævhed påvist for køn: gruppen 'mand' udvælges 0,50 gange så "
        "ofte som 'kvinde' (95 %-interval 0,42–0,60); hele intervallet ligger under grænsen 0,80.\n"
        "    Sådan retter du det: Metoden må ikke bruges. Fjern årsagen til skævheden og gentag testen – eller stop "
        "projektet (':status: stoppet'); et stoppet projekt må gerne dokumentere en test, der fejlede."
    )


def test_a_stopped_project_may_document_a_failing_test(tmp_path):
    assert bias_findings(bias_site(tmp_path, SKEWED, status="stoppet")) == ""


def test_undecided_needs_a_documented_manual_review(tmp_path):
    assert "Bias-testen er ikke afgjort for køn" in bias_findings(bias_site(tmp_path / "a", UNSURE))
    assert bias_findings(bias_site(tmp_path / "b", UNSURE, extra=REVIEW)) == ""


@pytest.mark.parametrize(
    "edit, why",
    [
        (("Sagsbehandlerne har gennemgået", "TODO gennemgået"),
         "Overvejelsen C_DEMO_REVIEW indeholder pladsholderen 'TODO'. Den tæller derfor ikke som manuel gennemgang."),
        ((" og fandt ingen forskel i, hvordan de blev behandlet.", "."),
         "Overvejelsen C_DEMO_REVIEW har kun 7 ord; politikken kræver mindst 12. "
         "Den tæller derfor ikke som manuel gennemgang."),
        ((":addresses: R_BIAS\n:reviews:", ":addresses: R_FORMAAL\n:reviews:"),
         "Overvejelsen C_DEMO_REVIEW peger på testen, men besvarer ikke R_BIAS."),
        ((":date: 2025-02-01", ":date: 2025-01-15"),
         "Overvejelsen C_DEMO_REVIEW er dateret 2025-01-15, før testen (2025-02-01), så den kan ikke gennemgå den."),
    ],
    ids=["placeholder", "too-short", "other-requirement", "before-the-test"],
)
def test_a_review_in_name_only_does_not_count(tmp_path, edit, why):
    found = bias_findings(bias_site(tmp_path, UNSURE, extra=REVIEW.replace(*edit)))
    assert "Bias-testen er ikke afgjort for køn" in found and why in found


def test_a_review_of_any_requirement_the_test_answers_counts(tmp_path):
    """`dataetik new` writes one test answering every bias requirement; a review may answer any of them."""
    second = BIAS_REQ.replace(":id: R_BIAS\n", ":id: R_BIAS2\n").replace("Bias-test\n:id", "Bias-test 2\n:id")
    edits = {
        "policy/index.md": ("", BIAS_REQ + second),
        "projects/demo/index.md": ("", BIAS_TEST.replace(":addresses: R_BIAS", ":addresses: R_BIAS, R_BIAS2") % ""
                                   + REVIEW.replace(":addresses: R_BIAS", ":addresses: R_BIAS2")),
        "projects/demo/biastest.csv": ("", UNSURE),
    }
    assert bias_findings(build(copy_site("tiny", tmp_path / "site", edits))) == ""


def test_loosened_threshold_without_approved_review_fails(tmp_path):
    fair = HEADER + "køn,kvinde,,1,300\nkøn,kvinde,,0,700\nkøn,mand,,1,290\nkøn,mand,,0,710\n"
    loose = bias_site(tmp_path / "a", fair, fields=":min_ratio: 0.7\n")
    assert "Bias-testen lemper politikkens grænser (forholdstal 0.7 mod 0.8" in bias_findings(loose)
    assert bias_findings(bias_site(tmp_path / "b", fair, fields=":min_ratio: 0.7\n", extra=REVIEW)) == ""
    # The approval (2025-02-15) must come after the reasoning it approves.
    late_review = REVIEW.replace(":date: 2025-02-01", ":date: 2025-02-20")
    assert "lemper" in bias_findings(bias_site(tmp_path / "d", fair, fields=":min_ratio: 0.7\n", extra=late_review))
    same_day = REVIEW.replace(":date: 2025-02-01", ":date: 2025-02-15")
    assert "lemper" in bias_findings(bias_site(tmp_path / "e", fair, fields=":min_ratio: 0.7\n", extra=same_day))
    tightened = bias_findings(bias_site(tmp_path / "c", fair, fields=":min_ratio: 0.9\n"))
    assert "lemper" not in tightened and "rækker under grænsen 0,90" in tightened  # a stricter bar, honestly applied


def test_bad_counts_point_at_the_csv_line(tmp_path):
    built = bias_site(tmp_path, SKEWED.replace("mand,,0,850", "mand,,0,2"))
    assert bias_findings(built).startswith(
        "projects/demo/biastest.csv:5: PRJ_DEMO / R_BIAS: BT_DEMO: biastest.csv, kolonne 'count': antallet 2 er under "
        "diskretionsgrænsen på 5.")
    strict = build(built.root, builder="html", strict=True)
    assert strict.returncode != 0 and "projects/demo/biastest.csv:5: WARNING: Bias-testen BT_DEMO" in strict.warnings
    assert not (built.root / "_build/html/projects/demo/biastest.csv").exists()  # never published


def test_a_bad_counts_file_in_use_is_not_also_called_row_level_data(tmp_path):
    built = bias_site(tmp_path, SKEWED.replace(",", ";"))
    assert "semikolon" in bias_findings(built)
    assert bias_findings(built, "row_level_data") == ""


@pytest.mark.parametrize("name, problem", [
    ("mangler.csv", "optællingsfilen 'mangler.csv' findes ikke i projektets mappe."),
    ("../../conf.py", "optællingsfilen '../../conf.py' ligger uden for projektets mappe."),
    ("genvej.csv", "optællingsfilen 'genvej.csv' er en genvej (symbolsk link), ikke en fil."),
], ids=["missing", "outside-the-project", "symlink"])
def test_the_counts_file_name_is_checked_at_the_bias_test(tmp_path, name, problem):
    built = bias_site(tmp_path, SKEWED)
    (built.root / "projects/demo/genvej.csv").symlink_to(built.root / "projects/demo/biastest.csv")
    page = built.root / "projects/demo/index.md"
    page.write_text(page.read_text(encoding="utf-8").replace(":counts: biastest.csv", f":counts: {name}"), encoding="utf-8")
    assert bias_findings(build(built.root)).startswith(f"projects/demo/index.md:57: PRJ_DEMO / R_BIAS: BT_DEMO: {problem}\n")


@pytest.mark.parametrize("name, href", [("biastest.csv", "biastest.csv"), ("data/tællinger 2025.csv", "data/t%C3%A6llinger%202025.csv")])
def test_the_counts_are_published_beside_the_page_to_recompute(tmp_path, name, href):
    root = bias_site(tmp_path, SKEWED, status="stoppet").root
    (root / "projects/demo" / name).parent.mkdir(exist_ok=True)
    (root / "projects/demo/biastest.csv").rename(root / "projects/demo" / name)
    page = root / "projects/demo/index.md"
    page.write_text(page.read_text(encoding="utf-8").replace(":counts: biastest.csv", f":counts: {name}"), encoding="utf-8")
    built = build(root, builder="html", strict=True)
    assert built.returncode == 0, built.warnings
    out = built.root / "_build" / "html" / "projects" / "demo"
    assert (out / name).read_text(encoding="utf-8") == SKEWED
    assert f'href="{href}"' in (out / "index.html").read_text(encoding="utf-8")


def test_a_bias_test_without_counts_is_the_builds_to_report_and_nothing_crashes(tmp_path):
    root = bias_site(tmp_path, SKEWED).root
    page = root / "projects/demo/index.md"
    page.write_text(page.read_text(encoding="utf-8").replace(":counts: biastest.csv\n", ""), encoding="utf-8")
    strict = build(root, builder="html", strict=True)
    assert "Traceback" not in strict.warnings and "Exception" not in strict.warnings
    assert "\"counts\" is a required property" in strict.warnings
    assert bias_findings(build(root)) == ""
