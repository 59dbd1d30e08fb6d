"""Real reasoning: a consideration that only refers elsewhere, or repeats (nearly) another
consideration's text, is a finding naming both places; real reasoning that cites an appendix,
or treats a similar subject in other words, passes – and so do the example projects."""

from __future__ import annotations

import shutil

import pytest
from sitebuild import REPO, build, copy_site

from dataetik.rules import all_cases
from dataetik.rules.reasoning import Index, reference_pattern, refers_only

PHRASES = ["se ovenfor", "se nedenfor", "vi henviser til", "henviser til", "jf.", "som beskrevet i", "se bilag"]

REFERRING = ("Se ovenfor. Vi henviser til de to afsnit om formål og data, og til referatet fra mødet, "
             "jf. bilag 2 og 3. Som beskrevet i projektbeskrivelsen er det hele gennemgået af projektgruppen.")
ORIGINAL = ("Formålet er at give ældre borgere et forebyggende hjemmebesøg, før de får brug for hjælp. Vi bruger "
            "kun alder, bopæl og om borgeren allerede modtager hjemmehjælp, fordi det er de oplysninger, loven "
            "peger på, og fordi flere oplysninger ikke gør udvælgelsen bedre. Borgeren kan sige nej til besøget.")
SECURITY = ("Data ligger i kommunens eget fagsystem med adgangsstyring efter rolle og logning af hvert opslag. "
            "Listen over udvalgte borgere slettes, når besøget er tilbudt, og ingen oplysninger forlader kommunen. "
            "Leverandøren har ikke adgang til personoplysninger, og sikkerhedsvurderingen er gennemgået af IT.")
# The same text with three words changed: a copy an author has touched up.
EDITED = SECURITY.replace("fagsystem", "sagssystem").replace("efter rolle", "efter funktion").replace(
    "IT", "it-sikkerhed")
# The same subject, another project's own words.
SECURITY_OWN = ("Oplysningerne behandles kun i jobcentrets sagssystem. Kun sagsbehandlere med en aktiv sag kan se "
                "dem, og systemet logger hvem der slår op. Resultatet af matchningen gemmes i sagen og slettes med "
                "den, og der sendes ingen data til virksomhederne, før borgeren selv har sagt ja til et forløb.")
APPENDIX = ("Formålet er at finde praktikpladser, der passer til den lediges ønsker og erfaring, hurtigere end i "
            "dag. Vi bruger kun oplysninger, borgeren selv har givet i sit CV og ved samtalen, se bilag 2 for "
            "listen over felter, og vi har fravalgt helbredsoplysninger, fordi de ikke er nødvendige for at foreslå "
            "en plads. Forslaget er kun et forslag: sagsbehandleren beslutter sammen med borgeren.")

# One text written for two requirements of the same project.
TWICE = ("Vi har gennemgået projektet med jurist og fagfolk. Borgerne får et brev, før noget sker, og kan altid "
         "tale med en medarbejder i stedet. Vi gemmer intet ud over det, sagen kræver, og vi evaluerer efter et år.")


def project(slug: str, pid: str, date: str, formaal: str, sikkerhed: str) -> str:
    return f"""# {slug}

:::{{project}} {slug}
:id: {pid}
:department: Borgerservice
:risk: høj
:status: igangværende
:start_date: 2025-06-01
:personal_data: navn, adresse
:legal_basis: GDPR art. 6, stk. 1, litra e
:new_technology: nej
:new_combination: nej
:procured: nej
:external_partners: nej
:risk_criteria: K_SAARBARE

Et projekt.
:::

:::{{consideration}} Formål
:id: C_{pid[4:]}_FORMAAL
:addresses: R_FORMAAL
:date: {date}

{formaal}
:::

:::{{consideration}} Sikkerhed
:id: C_{pid[4:]}_SIKKERHED
:addresses: R_SIKKERHED
:date: {date}

{sikkerhed}
:::
"""


def line_of(site, slug: str, need_id: str) -> str:
    lines = (site / "projects" / slug / "index.md").read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line == f":id: {need_id}")
    return f"projects/{slug}/index.md:{number - 1}"  # a need's line is its directive's first line


def findings(policy, rule: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for case in all_cases(policy):
        if case.rule == rule:
            for f in case.run():
                found.setdefault(f.need, []).append(f)
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reasoning")
    phrases = ", ".join(f'"{p}"' for p in PHRASES)
    root = copy_site("tiny", tmp / "site", {
        "policy/policy.toml": ("", f"\n[settings]\nreference_phrases = [{phrases}]\n"),
        "projects/demo/index.md": ("Formålet er at give borgerne hurtigere svar, og vi bruger kun navn og adresse "
                                   "til det.", REFERRING),
        "projects/alfa/index.md": ("", project("alfa", "PRJ_ALFA", "2025-01-10", ORIGINAL, SECURITY)),
        "projects/beta/index.md": ("", project("beta", "PRJ_BETA", "2025-03-01", ORIGINAL, EDITED)),
        "projects/gamma/index.md": ("", project("gamma", "PRJ_GAMMA", "2025-03-01", APPENDIX, SECURITY_OWN)),
        "projects/delta/index.md": ("", project("delta", "PRJ_DELTA", "2025-04-01", TWICE, TWICE)),
    })
    built = build(root)
    assert built.policy, built.warnings
    return built


def test_a_consideration_that_only_refers_elsewhere_is_a_finding(site, monkeypatch):
    monkeypatch.setenv("DATAETIK_TODAY", "2026-11-26")
    found = findings(site.policy, "referring_reasoning")
    assert list(found) == ["C_DEMO_FORMAAL"]
    [f] = found["C_DEMO_FORMAAL"]
    assert f.location == line_of(site.root, "demo", "C_DEMO_FORMAAL")
    assert (f.project, f.requirement) == ("PRJ_DEMO", "R_FORMAAL")
    assert "'se ovenfor'" in f.problem.lower() and "'vi henviser til'" in f.problem.lower()
    assert " 5 " in f.problem and " 27 " in f.problem  # its own words, and the references'


def test_a_consideration_padded_past_the_minimum_with_references_is_a_finding():
    """45 words, most of its own ones saying nothing but where the reasoning is: short of 40 without the
    references, which are a third of it."""
    text = ("Se ovenfor. Vi henviser til de to afsnit om formål og databehandling længere oppe på siden, hvor det er "
            "beskrevet, hvordan projektet lever op til kravet, og hvilke overvejelser projektgruppen har gjort sig "
            "om det. Vi har ikke yderligere at tilføje her.")
    found = refers_only(text, reference_pattern(PHRASES), 40)
    assert found and found.own < 40 and found.own > found.referring


def test_a_copied_consideration_is_a_finding_naming_both_places(site, monkeypatch):
    monkeypatch.setenv("DATAETIK_TODAY", "2026-11-26")
    found = findings(site.policy, "repeated_reasoning")
    [f] = found["C_BETA_FORMAAL"]
    assert f.location == line_of(site.root, "beta", "C_BETA_FORMAAL")
    assert (f.project, f.requirement) == ("PRJ_BETA", "R_FORMAAL")
    assert "C_ALFA_FORMAAL" in f.problem and "PRJ_ALFA" in f.problem
    assert line_of(site.root, "alfa", "C_ALFA_FORMAAL") in f.problem
    assert "100" in f.problem and "C_ALFA_FORMAAL" in f.fix


def test_a_lightly_edited_copy_is_a_finding(site, monkeypatch):
    monkeypatch.setenv("DATAETIK_TODAY", "2026-11-26")
    [f] = findings(site.policy, "repeated_reasoning")["C_BETA_SIKKERHED"]
    assert "C_ALFA_SIKKERHED" in f.problem and line_of(site.root, "alfa", "C_ALFA_SIKKERHED") in f.problem


def test_two_alike_of_the_same_date_in_one_project_name_each_other(site, monkeypatch):
    monkeypatch.setenv("DATAETIK_TODAY", "2026-11-26")
    found = findings(site.policy, "repeated_reasoning")
    assert "C_DELTA_SIKKERHED" in found["C_DELTA_FORMAAL"][0].problem
    assert "C_DELTA_FORMAAL" in found["C_DELTA_SIKKERHED"][0].problem
    assert "PRJ_DELTA" not in found["C_DELTA_FORMAAL"][0].problem  # "the same project", by its place


def test_the_original_and_real_reasoning_pass(site, monkeypatch):
    """The earlier original is not the copy; an appendix cited amid reasoning, and the same subject in
    other words (gamma's security vs. alfa's and delta's), are real reasoning."""
    monkeypatch.setenv("DATAETIK_TODAY", "2026-11-26")
    repeated = findings(site.policy, "repeated_reasoning")
    referring = findings(site.policy, "referring_reasoning")
    for need in ("C_ALFA_FORMAAL", "C_ALFA_SIKKERHED", "C_GAMMA_FORMAAL", "C_GAMMA_SIKKERHED", "C_DEMO_SIKKERHED"):
        assert need not in repeated and need not in referring
    assert set(repeated) == {"C_BETA_FORMAAL", "C_BETA_SIKKERHED", "C_DELTA_FORMAAL", "C_DELTA_SIKKERHED"}


def test_without_reference_phrases_in_the_policy_nothing_counts_as_a_reference():
    """The words are the policy's: Python knows none, so another language fits by writing them."""
    assert refers_only(REFERRING, reference_pattern([]), 12) is None
    assert refers_only(REFERRING, reference_pattern(PHRASES), 12) is not None
    english = reference_pattern(["see above", "we refer to"])
    assert refers_only("See above. We refer to sections two and three of the plan.", english, 12)
    assert refers_only(REFERRING, english, 12) is None


def test_an_appendix_cited_amid_reasoning_passes():
    assert refers_only(APPENDIX, reference_pattern(PHRASES), 40) is None
    assert refers_only("Se bilag 2.", reference_pattern(PHRASES), 0)  # nothing but the reference


def test_a_citation_in_passing_in_a_short_consideration_passes():
    """42 words, 38 of them outside the reference: short of 40 by the citation, but not leaning on it."""
    text = ("Modellen sorterer kun henvendelserne, og en medarbejder læser altid hver henvendelse, før der sker "
            "noget i sagen. En alvorlig hændelse indberettes, og brugen stoppes, som beskrevet under overvågningen. "
            "Vi har vurderet, at borgerne ikke stilles ringere, fordi ingen afgørelse træffes af modellen.")
    found = refers_only(text, reference_pattern(PHRASES + ["som beskrevet"]), 40)
    assert found is None


def test_a_phrase_across_a_line_break_and_in_capitals_is_found():
    text = "SE\nOVENFOR. Intet at tilføje."
    assert refers_only(text, reference_pattern(PHRASES), 12).phrases == ("SE OVENFOR",)


def test_a_thousand_copies_of_one_text_cost_a_thousand_comparisons_not_a_million():
    """The bench's synthetic projects share one text: each copy names the first, in one pass."""
    needs = [{"id": f"C_{i}", "content": ORIGINAL, "date": "2025-01-01", "docname": f"p/{i:04d}", "lineno": 3}
             for i in range(1000)]
    index = Index(needs, 0.9)
    assert len(index.words) == 1
    assert index.repeated(needs[500])[0]["id"] == "C_0"
    assert index.repeated(needs[0])[0]["id"] == "C_1"  # same date: the first one is reported too


def test_the_example_projects_pass(tmp_path, monkeypatch):
    """No false positives on the real text of the example projects (and their policy's phrases)."""
    site = tmp_path / "site"
    site.mkdir()
    for part in ("conf.py", "index.md", "policy", "ai-forordningen", "projects", "docs"):
        src = REPO / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, site / part)
    built = build(site)
    assert built.policy, built.warnings
    assert built.policy.vocabulary.settings["reference_phrases"], "the live policy lists its reference phrases"
    monkeypatch.setenv("DATAETIK_TODAY", "2026-11-26")
    considerations = built.policy.needs.of_type("consideration")
    assert len(considerations) > 100
    assert findings(built.policy, "referring_reasoning") == {}
    assert findings(built.policy, "repeated_reasoning") == {}


def test_the_index_finds_every_pair_a_full_comparison_finds():
    """The shingle index skips most pairs; it may never skip one that is alike (edited copies, seeded)."""
    import difflib
    import itertools
    import random
    import re

    pool = re.split(r"(?<=[.!?])\s+", " ".join([ORIGINAL, SECURITY, SECURITY_OWN, APPENDIX, TWICE]))
    rnd = random.Random(7)
    texts = [" ".join(rnd.sample(pool, 3)) for _ in range(60)]
    for _ in range(60):
        words = rnd.choice(texts).split()
        for _ in range(rnd.randint(0, 8)):
            j = rnd.randrange(len(words))
            [lambda: words.__setitem__(j, "og"), lambda: words.pop(j), lambda: words.insert(j, "kun")][rnd.randrange(3)]()
        texts.append(" ".join(words))
    needs = [{"id": f"C_{i}", "content": t, "date": "2025-01-01", "docname": f"p/{i}", "lineno": 1}
             for i, t in enumerate(texts)]
    for most in (0.8, 0.9):
        index = Index(needs, most)
        found = {frozenset((g, o)) for g in range(len(index.words)) for o, _ in index.alike(g)}
        full = {frozenset((g, o)) for g, o in itertools.combinations(range(len(index.words)), 2)
                if difflib.SequenceMatcher(None, index.words[g], index.words[o], autojunk=False).ratio() > most}
        assert found == full and full


def test_a_texts_word_count_is_its_words_however_its_letters_lower():
    """One tokenising serves the count and the comparison only where lowering keeps the words in place."""
    import re

    from dataetik.rules.answers import _words, lower_words

    for text in ("Æbler og ØL – 3½ × 2", "İstanbul", "aİb", "ΣΑΣ ΟΔΟΣ", "K-værdi ſe", "under_score x²", "", "ﬁ ǅ ẞ"):
        assert _words(text) == len(re.findall(r"\w+", text)), text
        assert lower_words(text) == tuple(re.findall(r"\w+", text.lower())), text


def test_the_first_letter_test_finds_what_the_phrases_alone_find():
    """The look-ahead on the phrases' first letters rules out only places where no phrase begins."""
    import random
    import re

    from dataetik.rules.reasoning import REFERENT_WORDS

    phrases = [*PHRASES, "§ 5", "Jævnfør", "ovennævnte"]
    alternatives = "|".join(r"\s+".join(map(re.escape, p.split())) for p in sorted(phrases, key=len, reverse=True))
    plain = re.compile(rf"(?<!\w)(?P<phrase>{alternatives})(?!\w)(?:[ \t\n]+[^\s.;:!?,]+){{0,{REFERENT_WORDS}}}",
                       re.IGNORECASE)
    fast = reference_pattern(phrases)
    assert fast.pattern != plain.pattern
    rnd = random.Random(3)
    pieces = [*" ".join(phrases).split(), "SE", "ſe", "JF.", "Henviser", "xse", "til.", "\n", "3", "K", "İ"]
    for _ in range(2000):
        text = " ".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        assert [(m.span(), m["phrase"]) for m in fast.finditer(text)] == \
               [(m.span(), m["phrase"]) for m in plain.finditer(text)], text
    assert reference_pattern(["se", "  "]).pattern.startswith(r"(?<!\w)(?P<phrase>")  # an empty phrase: no look-ahead
