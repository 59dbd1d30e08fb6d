"""The fast path for bias figures against its references (fairlearn, scipy), and each bias test
computed once per distinct content and settings."""

from __future__ import annotations

import math
import random

import pytest
from sitebuild import REPO

from dataetik import biastest, i18n
from dataetik.biastest import PolicyBias, compute, compute_file
from dataetik.biastest.counts import Counts, CountsError, Group, read_counts
from dataetik.biastest.metrics import Thresholds, evaluate, fisher_exact_p, scipy_fisher_p

LIMITS = Thresholds(0.8, 0.1)
EXAMPLES = sorted([*(REPO / "projects").glob("*/biastest.csv"), *(REPO / "tests" / "sites").glob("*/projects/*/*.csv")])


def close(fast, reference) -> None:
    """The same figure: both absent, both NaN, or equal to 1e-9 (1e-12 near zero)."""
    if fast is None or reference is None:
        assert fast is reference
    elif isinstance(fast, tuple):
        for x, y in zip(fast, reference, strict=True):
            close(x, y)
    elif math.isnan(reference):
        assert math.isnan(fast)
    else:
        assert fast == pytest.approx(reference, rel=1e-9, abs=1e-12)


def agree(fast, reference) -> None:
    """Two BiasResults say the same: verdicts and reasons word for word, every figure close."""
    assert (fast.verdict, fast.has_truth) == (reference.verdict, reference.has_truth)
    for a, b in zip(fast.attributes, reference.attributes, strict=True):
        assert (a.attribute, a.verdict, a.reason) == (b.attribute, b.verdict, b.reason)
        for figure in ("dp_ratio", "dp_difference", "eo_difference"):
            close(getattr(a, figure), getattr(b, figure))
        for g, h in zip(a.groups, b.groups, strict=True):
            assert (g.group, g.n, g.selected, g.reference, g.suppressed) == (h.group, h.n, h.selected, h.reference,
                                                                             h.suppressed)
            for figure in ("rate", "ratio", "ci", "p_value", "tpr", "fpr"):
                close(getattr(g, figure), getattr(h, figure))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_the_fast_path_agrees_with_fairlearn_on_every_example(path):
    counts = read_counts(path, None)
    for limits in (LIMITS, Thresholds(), Thresholds(0.9, 0.02, 0.99)):
        agree(evaluate(counts, limits), evaluate(counts, limits, reference=True))


def random_group(rnd: random.Random, name: str, has_truth: bool, scale: int) -> Group:
    """A group as a counts file may publish it: any counts, often zeros, sometimes nobody at all
    or nobody selected or everybody selected, tiny or large, now and then suppressed."""
    cells = [(actual, predicted) for actual in ((0, 1) if has_truth else (None,)) for predicted in (0, 1)]
    kind = rnd.random()
    if kind < 0.05:
        return Group(name, 2, suppressed=True)
    size = rnd.choice([scale, scale, 1, 3])  # tiny groups beside larger ones
    counts = {cell: rnd.randint(0, size) for cell in cells}
    if kind < 0.25:  # some cells empty
        counts |= {cell: 0 for cell in rnd.sample(cells, rnd.randint(1, len(cells)))}
    elif kind < 0.32:  # nobody selected
        counts |= {cell: 0 for cell in cells if cell[1] == 1}
    elif kind < 0.39:  # everybody selected
        counts |= {cell: 0 for cell in cells if cell[1] == 0}
    return Group(name, 2, counts)


def random_counts(seed: int) -> Counts:
    rnd = random.Random(seed)
    has_truth = rnd.random() < 0.5
    scale = rnd.choice([2, 5, 20, 100, 1000, 50_000])
    groups = [random_group(rnd, f"g{i}", has_truth, scale) for i in range(rnd.choice([1, 2, 2, 2, 3, 3, 5]))]
    if rnd.random() < 0.1 and len(groups) > 1:  # two groups alike: the reference is the first of them
        groups[1] = Group("g1", 2, dict(groups[0].cells), groups[0].suppressed)
    if rnd.random() < 0.05:  # nobody selected in any group: the ratio is 0/0
        groups = [Group(g.name, 2, {c: 0 if c[1] == 1 else n for c, n in g.cells.items()}, g.suppressed) for g in groups]
    return Counts(REPO / "random.csv", has_truth, {"egenskab": {g.name: g for g in groups}})


@pytest.mark.parametrize("chunk", range(6))
def test_the_fast_path_agrees_with_fairlearn_on_random_counts(chunk):
    """300 seeded tables (50 per case, so a failure names a seed close by)."""
    for seed in range(chunk * 50, chunk * 50 + 50):
        counts = random_counts(seed)
        limits = Thresholds(random.Random(seed).choice([0.8, 0.5, 0.95]), 0.1)
        try:
            agree(evaluate(counts, limits), evaluate(counts, limits, reference=True))
        except AssertionError as err:
            raise AssertionError(f"seed {seed}: {counts.attributes}") from err


def test_the_random_tables_reach_the_edge_cases():
    """The generator above really makes the cases the fast path must get right."""
    tables = [random_counts(seed) for seed in range(300)]
    groups = [[g for g in t.attributes["egenskab"].values()] for t in tables]
    published = [[g for g in gs if not g.suppressed and g.n] for gs in groups]
    assert sum(len(gs) == 1 for gs in groups) >= 20                         # one group
    assert sum(any(g.suppressed for g in gs) for gs in groups) >= 10         # a suppressed group
    assert sum(any(not g.suppressed and g.n == 0 for g in gs) for gs in groups) >= 5  # a group of nobody
    assert sum(any(0 < g.n <= 3 for g in gs) for gs in published) >= 30     # tiny groups
    assert sum(len(gs) >= 2 and all(g.selected == 0 for g in gs) for gs in published) >= 5  # 0/0 ratio
    assert sum(any(g.selected == g.n for g in gs) for gs in published) >= 20  # everybody selected
    assert sum(t.has_truth and any((1, 1) in g.cells and g.cells[(1, 1)] + g.cells[(1, 0)] == 0 for g in gs)
               for t, gs in zip(tables, published)) >= 10                   # TPR of nobody
    assert sum(any(g.n >= 10_000 for g in gs) for gs in published) >= 10     # large groups


def test_fishers_exact_test_agrees_with_scipy():
    """Symmetric tables (ties by mirror image), tables at the mode, tiny, empty and large tables,
    and beyond a million people, where scipy computes it."""
    rnd = random.Random(13)
    tables = [(0, 0, 0, 0), (0, 5, 0, 5), (5, 5, 3, 3), (1, 1, 0, 1), (57, 260, 4, 17), (39, 49, 36, 44),
              (300, 1000, 295, 1000), (0, 1, 1, 1), (2, 2_000_000, 9, 1_500_000)]
    for _ in range(1500):
        size = rnd.choice([1, 4, 12, 60, 400, 5000, 200_000])
        n1 = rnd.randint(0, size)
        n0 = n1 if rnd.random() < 0.3 else rnd.randint(0, size)
        tables.append((rnd.randint(0, n1), n1, rnd.randint(0, n0), n0))
    for table in tables:
        assert fisher_exact_p(*table) == pytest.approx(scipy_fisher_p(*table), rel=1e-9, abs=1e-300), table


# --- one computation per distinct content and settings ---------------------------------

COUNTS = "attribute,group,actual,predicted,count\nkøn,kvinde,,1,30\nkøn,kvinde,,0,70\nkøn,mand,,1,24\nkøn,mand,,0,76\n"
POLICY = PolicyBias(LIMITS, 5, ("køn",))


@pytest.fixture(autouse=True)
def empty_cache():
    biastest._computed.clear()


def write(folder, name, text=COUNTS):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def computed(fn):
    """How many computations calling fn took."""
    before = biastest.computations
    fn()
    return biastest.computations - before


def test_the_same_content_under_another_name_is_computed_once(tmp_path):
    first, second = write(tmp_path / "a", "biastest.csv"), write(tmp_path / "b", "andet-navn.csv")
    assert computed(lambda: compute_file(first, POLICY, LIMITS)) == 1
    assert computed(lambda: compute_file(second, POLICY, LIMITS)) == 0
    counts, result = compute_file(second, POLICY, LIMITS)
    assert counts.path == second and result is compute_file(first, POLICY, LIMITS)[1]
    # Through the bias test needs, as the build and the rules call it.
    tests = [{"id": f"BT_{i}", "docname": f"projects/{i}/index", "counts": "t.csv"} for i in "xyz"]
    for test in tests:
        write(tmp_path / "projects" / test["docname"].split("/")[1], "t.csv")
    assert computed(lambda: [compute(t, tmp_path, POLICY) for t in tests]) == 0


def test_changed_content_or_settings_are_computed_again(tmp_path):
    path = write(tmp_path, "biastest.csv")
    assert computed(lambda: compute_file(path, POLICY, LIMITS)) == 1
    write(tmp_path, "biastest.csv", COUNTS.replace("mand,,1,24", "mand,,1,25").replace("mand,,0,76", "mand,,0,75"))
    assert computed(lambda: compute_file(path, POLICY, LIMITS)) == 1
    assert compute_file(path, POLICY, LIMITS)[0].attributes["køn"]["mand"].selected == 25
    assert computed(lambda: compute_file(path, POLICY, Thresholds(0.75, 0.1))) == 1
    assert computed(lambda: compute_file(path, PolicyBias(LIMITS, 10, ("køn",)), LIMITS)) == 1
    assert computed(lambda: compute_file(path, PolicyBias(LIMITS, 5, ()), LIMITS)) == 1
    # A test's own :min_ratio: is a threshold of its own.
    test = {"id": "BT_X", "docname": "index", "counts": "biastest.csv"}
    assert computed(lambda: compute(test, tmp_path, POLICY)) == 0
    assert computed(lambda: compute(test | {"min_ratio": "0.7"}, tmp_path, POLICY)) == 1
    # The reasons are words: another language is another result.
    i18n.use("en")
    assert computed(lambda: compute_file(path, POLICY, LIMITS)) == 1
    assert "interval" in compute_file(path, POLICY, LIMITS)[1].attributes[0].reason


def test_a_defect_is_told_with_the_file_it_is_found_in(tmp_path):
    bad = COUNTS.replace("mand,,1,24", "mand,,1,3")
    first, second = write(tmp_path / "a", "x.csv", bad), write(tmp_path / "b", "y.csv", bad)
    for path, computations in ((first, 1), (second, 0)):
        errors = []

        def run(path=path):
            with pytest.raises(CountsError) as err:
                compute_file(path, POLICY, LIMITS)
            errors.append(err.value)
        assert computed(run) == computations
        assert (errors[0].path, errors[0].line, errors[0].column, errors[0].discloses) == (path, 4, "count", True)
        assert "antallet 3 er under diskretionsgrænsen på 5" in errors[0].problem


def test_a_counts_file_above_the_limit_is_refused_before_it_is_parsed(tmp_path):
    big = write(tmp_path, "stor.csv", COUNTS + "køn,kvinde,,1,30\n" * 100)  # 1.7 KB; parsed, a duplicate cell
    small = write(tmp_path, "lille.csv")
    errors = []

    def run():
        with pytest.raises(CountsError) as err:
            compute_file(big, PolicyBias(LIMITS, 5, ("køn",), max_kb=1), LIMITS)
        errors.append(err.value)
    assert computed(run) == 0 and not biastest._computed  # refused unparsed, nothing kept
    assert (errors[0].path, errors[0].line) == (big, 1)
    assert "2 KB" in errors[0].problem and "1 KB" in errors[0].problem and "max_counts_kb" in errors[0].fix
    with pytest.raises(CountsError, match="1 KB"):
        read_counts(big, 5, max_kb=1)
    assert read_counts(small, 5, max_kb=1).attributes["køn"]["mand"].selected == 24
