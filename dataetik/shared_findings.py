"""The project cases run once per check: the traceability matrix and `dataetik check` share them.

The matrix shows each cell's state from the checks' own findings, and `dataetik check` reports
those findings; at 1,000 projects a run of the 70,000 cases costs many seconds. So the matrix
judges the needs exactly as needs.json will hold them: what sphinx-needs' NeedsList makes of the
resolved needs, as JSON text and read back (plain dicts and lists, as the checks read them). The
check runs Sphinx in its own process: after the build it takes the matrix's policy and findings
only where the needs.json on disk is the very same text, read with the same words, on the same
day and in the same language. Anything else, and the check reads needs.json and runs the cases
itself, as a clean check does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sphinx.application import Sphinx

from dataetik import i18n
from dataetik.findings import Finding
from dataetik.needs_data import Needs
from dataetik.policy import Policy, today
from dataetik.rules import RULES, Case, project_cases
from dataetik.rules import memo as rules_memo
from dataetik.vocabulary import Vocabulary

_ON_APP = "_dataetik_judged"  # on the app, never on the env: nothing of it is pickled


@dataclass
class Judged:
    """The needs as needs.json will hold them, the policy made of them, and its project cases' findings."""

    text: str  # needs.json as sphinx-needs writes it
    policy: Policy
    language: str = ""  # of the findings' words
    findings: list[tuple[Case, list[Finding]]] | None = None


def needs_json_text(app: Sphinx) -> str:
    """Every need of this build as sphinx-needs' needs builder writes them to needs.json
    (sphinx_needs.builder.NeedsBuilder.finish: a NeedsList, its fields, its JSON), without writing
    it. The builder leaves out what its filter names (external needs) and adds an imported needs
    file; the matrix judges every need, as it always did, and where the two differ no text is shared."""
    from sphinx_needs.data import SphinxNeedsData
    from sphinx_needs.needsfile import NeedsList

    version = getattr(app.env.config, "version", "unset")
    needs_list = NeedsList(app.env, app.outdir, app.srcdir)
    for need in SphinxNeedsData(app.env).get_needs_view().values():
        needs_list.add_need(version, need)
    return needs_list.dump_json()  # the same text as its write_json: json.dump and json.dumps agree


def needs_of(text: str, srcdir: Path) -> Needs:
    """The needs of a needs.json's text, as dataetik.needs_data.load_needs reads them."""
    data = json.loads(text)
    return Needs(by_id=data["versions"][data.get("current_version", "")]["needs"], srcdir=srcdir)


def judged(app: Sphinx) -> Judged:
    """The needs of this build as needs.json holds them, made once per build (the policy of the
    build's resolved needs, dataetik.biastest.sphinx.policy_of, is new in each build)."""
    from dataetik.biastest.sphinx import policy_of

    built_from = policy_of(app)
    kept = getattr(app, _ON_APP, None)
    if kept is None or kept[0] is not built_from:
        text = needs_json_text(app)
        policy = Policy.from_needs(needs_of(text, Path(app.srcdir)), built_from.vocabulary)
        rules_memo.attach(policy, Path(app.doctreedir) / rules_memo.FILE_NAME)  # dataetik check saves it there
        kept = (built_from, Judged(text, policy))
        setattr(app, _ON_APP, kept)
    return kept[1]


def findings(judged: Judged, again: set[str] | None = None,
             last: dict[tuple[str, str], list[Finding]] | None = None) -> list[tuple[Case, list[Finding]]]:
    """Every project case of the policy with its findings, run once. Given what the `last` check found
    ((rule, key) -> findings, where any), a case of a project not run `again` takes those, unless its
    rule looks across projects (dataetik.project_recheck: only those projects' needs may have changed)."""
    if judged.findings is None:
        judged.language = i18n.language()
        judged.findings = [(case, _found(case, again, last)) for case in project_cases(judged.policy)]
    return judged.findings


def _found(case: Case, again: set[str] | None, last: dict | None) -> list[Finding]:
    if last is None or case.project in again or RULES[case.rule].across:
        return case.run()
    return last.get((case.rule, case.key), [])


def found(run: list[tuple[Case, list[Finding]]]) -> dict[tuple[str, str], list[Finding]]:
    """What the project cases found, as `findings` takes it next time."""
    return {(case.rule, case.key): found for case, found in run if found}


def taken(app: Sphinx | None, needs_json: Path, vocab: Vocabulary, srcdir: Path) -> Judged | None:
    """The build's judged needs where the needs.json on disk holds exactly them and they were judged
    with these words, today and in today's language: what a clean check would read and find."""
    kept = getattr(app, _ON_APP, None) if app is not None else None
    made = kept[1] if kept else None
    if made is None or (made.findings is not None and made.language != i18n.language()) or made.policy.vocabulary != vocab or \
            made.policy.needs.srcdir != srcdir or made.policy.today != today():
        return None
    try:
        on_disk = needs_json.read_text(encoding="utf-8")
    except OSError:
        return None
    return made if on_disk == made.text else None
