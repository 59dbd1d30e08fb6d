"""Rules on whether a consideration is the project's own reasoning: not only a reference to
text elsewhere, and not (nearly) the text of another consideration, in this project or another.

The words that signal a reference are the policy's (``reference_phrases`` in [settings]): they
are language, so they live beside the policy's other words, not here. How alike two texts may
be is the policy's too (``max_similarity``).
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np
from scipy.sparse import csr_matrix

from dataetik.findings import Finding
from dataetik.i18n import N_, _, ngettext
from dataetik.needs_data import source_file
from dataetik.policy import Policy, Requirement
from dataetik.rules import collector_paused, rule
from dataetik.rules.answers import answers, finding, min_words, text_facts, text_problem
from dataetik.rules.memo import digest, per_text

# A reference names a place in a few words ("afsnit 3 om formål"); a longer clause after the
# phrase is the author's own sentence, so at most this many words count as the referent.
REFERENT_WORDS = 8
# A citation in a full consideration ("jf. art. 9, stk. 2") is a small share of it; a text that is at least
# this share references, and short of the policy's minimum without them, leans on the references.
REFERENCE_SHARE = 0.25
# Texts are compared by runs of this many words (shingles): long enough that two texts on the same
# subject share few, short enough that a lightly edited copy keeps most.
SHINGLE = 3
# A run of words found in more texts than this is a stock phrase of the site, not a sign of copying;
# it is left out of the index so that a large site stays linear (the exact comparison still counts it).
# The price: two texts are compared only where they share at least one rarer run. Exact copies are
# always found (they are one group), but near-copies of a template used in more than this many texts
# are not (150 texts of the same 40 words with another last word: no finding). Comparing those too
# would cost about 3 s more at 1,000 projects (most runs of words in the bench's texts are common).
COMMON = 100


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", (text or "").lower())


def _considerations(policy: Policy, project: dict, req: Requirement) -> list[dict]:
    """The project's considerations of the requirement that are long enough and free of placeholders
    (the consideration rule reports the others), each under the first requirement it addresses that
    applies to the project, so that a consideration answering two is reported once."""
    cache = vars(policy).setdefault("_reasoning_considerations", {})  # both rules here ask for each case
    key = (project["id"], req.id)
    if key not in cache:
        applicable = _applicable(policy, project)
        least = min_words(policy)
        cache[key] = [need for need in answers(policy, project, "consideration", req)
                      if next((a for a in need.get("addresses") or [] if a in applicable), None) == req.id
                      and text_problem(need, least, policy) is None]
    return list(cache[key])


def _applicable(policy: Policy, project: dict) -> set[str]:
    """The requirements that apply to the project, worked out once per project, not once per case."""
    cache = vars(policy).setdefault("_reasoning_applicable", {})  # the policy is frozen; see index()
    if project["id"] not in cache:
        cache[project["id"]] = {q.id for q in policy.applicable(project)}
    return cache[project["id"]]


# --- Referring instead of reasoning ----------------------------------------------------------------

def reference_pattern(phrases) -> re.Pattern | None:
    """The policy's reference phrases as one pattern, longest first, each followed by its referent
    (up to the end of the clause, at most REFERENT_WORDS words). None where the policy lists none."""
    return _reference_pattern(tuple(phrases))


@functools.lru_cache(maxsize=16)  # once per policy, not once per case
def _reference_pattern(phrases: tuple[str, ...]) -> re.Pattern | None:
    if not phrases:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, p.split())) for p in sorted(phrases, key=len, reverse=True))
    # Where no phrase can begin, one test of a character instead of every phrase in turn (the same
    # case-insensitive matching, so it rules out nothing the phrases would match; none is empty).
    first = "".join(sorted({re.escape(p.split()[0][0]) for p in phrases})) if all(map(str.split, phrases)) else ""
    begins = f"(?=[{first}])" if first else ""
    return re.compile(rf"(?<!\w){begins}(?P<phrase>{alternatives})(?!\w)(?:[ \t\n]+[^\s.;:!?,]+){{0,{REFERENT_WORDS}}}",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Referring:
    phrases: tuple[str, ...]  # the reference phrases found, as written
    own: int                  # words outside the references
    referring: int            # words in the references (phrase and referent)


def referring(text: str, pattern: re.Pattern | None) -> Referring | None:
    """How much of a text is references; None if it has none."""
    if pattern is None:
        return None
    found = list(pattern.finditer(text or ""))
    if not found:
        return None
    phrases = tuple(dict.fromkeys(" ".join(m["phrase"].split()) for m in found))
    referring_words = sum(len(_words(m[0])) for m in found)
    return Referring(phrases, len(_words(pattern.sub(" ", text))), referring_words)


def refers_only(text: str, pattern: re.Pattern | None, least: int) -> Referring | None:
    """The references of a text that refers instead of reasoning: its own words are fewer than the
    references', or fewer than the policy's minimum length where the references are a notable share
    (REFERENCE_SHARE) – not where a full consideration cites a law or an appendix in passing."""
    return _leans_on(referring(text, pattern), least)


def _leans_on(found: Referring | None, least: int) -> Referring | None:
    if not found:
        return None
    share = found.referring / (found.own + found.referring)
    return found if found.own < found.referring or (found.own < least and share >= REFERENCE_SHARE) else None


@rule("referring_reasoning", each="applicable", when=lambda req: "consideration" in req.answered_by,
      description=N_("For each requirement answered by a consideration: the consideration gives its own reasoning, "
                     "not only references to text elsewhere. Words of the policy's reference phrases "
                     "(reference_phrases, e.g. 'see above') and the few words naming what they refer to do not "
                     "count: what is left must be more than the references and, where they are a quarter of the text or "
                     "more, at least the policy's min_words."))
def referring_reasoning(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    phrases = tuple(policy.vocabulary.settings.get("reference_phrases") or ())
    least = min_words(policy)
    problems = []
    for need in _considerations(policy, project, req):
        text = need.get("content") or ""
        # The search through each text is most of the rule's time: its result kept per text, run to run.
        found = _leans_on(per_text(policy, "referring", text, lambda: referring(text, reference_pattern(phrases)),
                                   phrases), least)
        if not found:
            continue
        named = {"id": need["id"], "phrases": ", ".join(f"'{p}'" for p in found.phrases), "own": found.own,
                 "min_words": least, "referring": found.referring}
        if found.own >= found.referring:
            problem = ngettext(
                "The consideration {id} refers elsewhere ({phrases}) instead of reasoning: without the references it "
                "has {own} word of its own; the policy demands at least {min_words}.",
                "The consideration {id} refers elsewhere ({phrases}) instead of reasoning: without the references it "
                "has {own} words of its own; the policy demands at least {min_words}.", found.own)
        else:
            problem = ngettext(
                "The consideration {id} refers elsewhere ({phrases}) instead of reasoning: without the references it "
                "has {own} word of its own, fewer than the {referring} words of the references.",
                "The consideration {id} refers elsewhere ({phrases}) instead of reasoning: without the references it "
                "has {own} words of its own, fewer than the {referring} words of the references.", found.own)
        problems.append(finding(policy, need, project, problem.format(**named), _(
            "Write the reasoning here, in this project's words: what you considered, what you decided and why. A "
            "reference may support the reasoning (an appendix, a case number), but the reader of this page must be "
            "able to follow it without opening anything else."), req.id))
    return problems


# --- Repeating another consideration ----------------------------------------------------------------

def _order(need: dict) -> tuple:
    """Earliest first: by date, then where it is written (a copy is dated later than its original)."""
    return (need.get("date") or "", source_file(need), need.get("lineno") or 0)


def _not_later(other: dict, need: dict) -> bool:
    """The other consideration may be what this one repeats: not dated after it (an undated one may be)."""
    mine, theirs = need.get("date") or "", other.get("date") or ""
    return not (mine and theirs) or theirs <= mine


class Index:
    """Every consideration of the site, for finding the ones that repeat another's text.

    Identical texts (after normalising: words, lower case) are one group, so a text copied a
    thousand times costs a thousand, not a million. Alike groups are found all at once: candidates
    share enough rare runs of words (shingles, `_enough`, a sparse matrix product), then enough words
    at all, order aside (counted in bags of words, then difflib's quick_ratio); only those few are
    confirmed by difflib's ratio on their words – the share of words the two have in common, in order."""

    def __init__(self, needs: list[dict], most: float, policy: Policy | None = None):
        self.most = most
        texts: dict[str, list[dict]] = {}  # by the words in lower case, joined (text_facts)
        for need in needs:
            texts.setdefault(text_facts(policy, need.get("content") or "")[2], []).append(need)
        self._texts = list(texts)
        self.members = [sorted(group, key=_order) for group in texts.values()]
        self.group_of = {need["id"]: g for g, group in enumerate(self.members) for need in group}
        self._alike: dict[int, list[tuple[int, float]]] | None = None

    @functools.cached_property
    def words(self) -> list[tuple[str, ...]]:
        """Each group's words, in order: split only where the texts are compared (not when the memo has
        the pairs)."""
        return [tuple(text.split(" ")) if text else () for text in self._texts]

    def alike(self, g: int) -> list[tuple[int, float]]:
        """The other groups whose text is more alike than `most`, with the ratio."""
        if self._alike is None:
            self._alike = _alike_pairs(self.words, self.most)
        return self._alike.get(g, [])

    def repeated(self, need: dict) -> tuple[dict, float] | None:
        """The consideration this one repeats, with how alike they are: the most alike one that is not
        dated after it (the earliest if several), or None. Two of the same date name each other."""
        g = self.group_of.get(need["id"])
        if g is None:
            return None
        options = []
        same = next((other for other in self.members[g] if other["id"] != need["id"]), None)
        if same is not None and _not_later(same, need) and self.most < 1:
            options.append((same, 1.0))
        for other, ratio in self.alike(g):
            first = self.members[other][0]
            if _not_later(first, need):
                options.append((first, ratio))
        return min(options, key=lambda o: (-o[1], _order(o[0]))) if options else None


def _alike_pairs(texts: list[tuple[str, ...]], most: float) -> dict[int, list[tuple[int, float]]]:
    """For each text (by number), the others more alike than `most`, with difflib's ratio.

    The same decisions as comparing every pair with difflib, in sieves that never drop an alike pair:
    enough rare shingles shared (`_enough`, less those a text repeats or shares as common), the lengths
    (real_quick_ratio), the words in common in any order counted per bag of words (`_bags`: at least
    quick_ratio), quick_ratio itself; then ratio()."""
    found: dict[int, list[tuple[int, float]]] = {}
    if most >= 1 or not texts:
        return found  # a ratio is at most 1
    n = len(texts)
    vocabulary = {w: i for i, w in enumerate(dict.fromkeys(itertools.chain.from_iterable(texts)))}
    length = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    word = np.fromiter(map(vocabulary.__getitem__, itertools.chain.from_iterable(texts)), dtype=np.int64,
                       count=int(length.sum()))
    text = np.repeat(np.arange(n), length)
    at = np.nonzero(np.arange(len(word)) - np.repeat(np.cumsum(length) - length, length)
                    <= np.repeat(length - SHINGLE, length))[0]  # where a shingle starts
    if not len(at):
        return found
    shingle = word[at]
    if len(vocabulary) ** SHINGLE * n < 2 ** 62:  # a run of words as one number, a text's run as another
        for k in range(1, SHINGLE):
            shingle = shingle * len(vocabulary) + word[at + k]
    else:  # one number per distinct run of words, a word at a time (no overflow)
        for k in range(1, SHINGLE):
            shingle = _numbered(shingle * len(vocabulary) + word[at + k])[1]
    entry = _distinct(shingle * n + text[at])  # each text's distinct shingles, by shingle
    owner, shingle = entry % n, entry // n
    shingle = np.cumsum(np.concatenate(([True], shingle[1:] != shingle[:-1]))) - 1
    common = np.bincount(shingle)[shingle] > COMMON
    distinct = np.bincount(owner, minlength=n)
    skipped = np.bincount(owner[common], minlength=n)
    rare = _incidence(owner[~common], shingle[~common], n)
    shared = (rare @ rare.T).tocoo()
    mine, other, count = shared.row, shared.col, shared.data
    la, lb = length[mine].astype(float), length[other].astype(float)
    slack = skipped[mine] + np.maximum(0, length[mine] - SHINGLE + 1) - distinct[mine]
    keep = ((mine != other) & (count >= _enough(la, lb, most) - slack)
            & (2.0 * np.minimum(la, lb) / (la + lb) >= most))
    mine, other, la, lb = mine[keep], other[keep], la[keep], lb[keep]
    bags = _bags(word, text, n)
    in_common = np.concatenate([np.minimum(bags[mine[s:s + 50_000]], bags[other[s:s + 50_000]]).sum(axis=1)
                                for s in range(0, len(mine), 50_000)] or [[]])
    keep = 2.0 * in_common / (la + lb) >= most
    matcher = SequenceMatcher(None, autojunk=False)
    for g, o in sorted(zip(mine[keep].tolist(), other[keep].tolist())):
        matcher.set_seqs(texts[o], texts[g])
        if matcher.quick_ratio() <= most:  # ratio() is never more
            continue
        ratio = matcher.ratio()
        if ratio > most:
            found.setdefault(g, []).append((o, ratio))
    return found


# Words are counted in this many bags (by their number): two texts share at most, per bag, the fewer
# of its words, so the sum over bags is at least the words they have in common (quick_ratio) – and
# it is a sum of 64 numbers, not of a vocabulary.
BAGS = 64


def _bags(word: np.ndarray, text: np.ndarray, n: int) -> np.ndarray:
    """Each text's number of words in each bag, one row per text."""
    return np.bincount(text * BAGS + word % BAGS, minlength=n * BAGS).reshape(n, BAGS).astype(np.int32)


def _incidence(rows: np.ndarray, columns: np.ndarray, n_rows: int) -> csr_matrix:
    """A 0/1 matrix with a 1 at each (row, column)."""
    return csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, columns)),
                      shape=(n_rows, int(columns.max()) + 1 if len(columns) else 0))


def _distinct(values: np.ndarray) -> np.ndarray:
    """np.unique, by sorting (numpy 2.4's own takes seconds at these sizes)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def _numbered(values: np.ndarray) -> tuple[int, np.ndarray]:
    """How many distinct values, and each value's number among them (np.unique's inverse, by sorting)."""
    order = np.argsort(values, kind="stable")
    new = np.concatenate(([True], values[order][1:] != values[order][:-1]))
    numbers = np.empty(len(values), dtype=np.int64)
    numbers[order] = np.cumsum(new) - 1
    return int(new.sum()), numbers


def _enough(mine, theirs, most: float):
    """The fewest shingles two texts of these lengths (in words) must share to be `most` alike.

    A ratio r means M = r(mine + theirs)/2 words in matching blocks; a block of L words holds L-SHINGLE+1
    shingles, and the blocks are at most (mine + theirs - 2M + 1), so at least M - (SHINGLE-1)(blocks) are
    shared. Where that is 0 or less (a low `most`), any shared shingle makes the pair worth comparing."""
    matched = most * (mine + theirs) / 2
    return np.maximum(1.0, matched - (SHINGLE - 1) * (mine + theirs - 2 * matched + 1))


def index(policy: Policy) -> Index:
    """The site's index of considerations, built once per policy (every case of the rule shares it)."""
    cache = vars(policy)  # the policy is frozen; its cached properties live in the same dict
    if "_reasoning_index" not in cache:
        least = min_words(policy)
        with collector_paused():  # the words of every consideration: millions of strings, no cycles
            needs = [n for n in policy.needs.of_type("consideration") if text_problem(n, least, policy) is None]
            most = max_similarity(policy)
            index = Index(needs, most, policy)
            # Compared now, in one go; the same texts give the same pairs, so an edit elsewhere (a status, a
            # counts file) finds them in the memo. (The texts, as the index groups them, are its only input.)
            texts = "\0".join(digest(n.get("content") or "") for n in needs)
            index._alike = per_text(policy, "alike_pairs", texts, lambda: _alike_pairs(index.words, most), most)
        cache["_reasoning_index"] = index
    return cache["_reasoning_index"]


def max_similarity(policy: Policy) -> float:
    return float(policy.vocabulary.settings.get("max_similarity") or 1.0)


def _where(policy: Policy, need: dict) -> str:
    line = need.get("lineno")
    return f"{source_file(need)}:{line}" if line else source_file(need)


@rule("repeated_reasoning", each="applicable", when=lambda req: "consideration" in req.answered_by, across=True,
      description=N_("For each requirement answered by a consideration: the consideration is not (nearly) the text of "
                     "another consideration, in the same project or another – at most the share of words in common "
                     "the policy allows (max_similarity). Of two alike, the later one is reported; of two with the "
                     "same date, both."))
def repeated_reasoning(policy: Policy, project: dict, req: Requirement) -> list[Finding]:
    problems = []
    for need in _considerations(policy, project, req):
        found = index(policy).repeated(need)
        if not found:
            continue
        other, ratio = found
        theirs = (other.get("belongs_to") or [""])[0]
        named = {"id": need["id"], "other": other["id"], "place": _where(policy, other), "project": theirs,
                 "similarity": int(ratio * 100), "most": int(max_similarity(policy) * 100)}
        if theirs == project["id"]:
            problem = _("The consideration {id} repeats the text of {other} in the same project ({place}): "
                        "{similarity} per cent of the words are the same, in the same order; the policy allows at "
                        "most {most} per cent.")
        else:
            problem = _("The consideration {id} repeats the text of {other} in the project {project} ({place}): "
                        "{similarity} per cent of the words are the same, in the same order; the policy allows at "
                        "most {most} per cent.")
        problems.append(finding(policy, need, project, problem.format(**named), _(
            "Write this project's own reasoning for the requirement. If the same reasoning truly holds, say so in "
            "this project's words, and say why it holds here too: what in this project's data, purpose and "
            "citizens makes it the same as in {other}.").format(other=other["id"]), req.id))
    return problems
