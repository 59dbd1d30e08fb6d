"""The author-facing subcommands: new, check, risk, aggregate. Messages are in the policy's language."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from dataetik import check_cmd, i18n, new_cmd
from dataetik.findings import how_to_fix
from dataetik.i18n import _, ngettext
from dataetik.policy import today
from dataetik.risk import ask, yes_or_no
from dataetik.scaffold import ScaffoldError, date_placeholder, placeholder
from dataetik.site_files import EXCLUDE_PATTERNS
from dataetik.vocabulary import VocabularyError, declared_language


def _site_holding(path: Path) -> Path | None:
    """The site folder (with a conf.py) a file lies in, if any."""
    return next((d for d in path.parents if (d / "conf.py").exists()), None)


def speak_the_site_language(argv: list[str]) -> None:
    """Say everything, help texts too, in the language of the site the command is run on (its
    --site, the folder of aggregate's output, or the current folder), as far as its policy
    declares one; each command speaks the policy's language again once it has read the policy."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--site")
    early.add_argument("-o", "--output")
    try:
        known = early.parse_known_args(argv)[0]
    except SystemExit:  # a malformed --site: the real parser says so
        i18n.use(i18n.HOME_LANGUAGE)
        return
    site = Path(known.site) if known.site else (
        _site_holding(Path(known.output).resolve()) if known.output else None) or Path(".")
    i18n.use(declared_language(site.resolve(), EXCLUDE_PATTERNS) or i18n.HOME_LANGUAGE)


def _site(args) -> Path:
    site = Path(args.site).resolve()
    if not (site / "conf.py").exists():
        raise ScaffoldError(_("{site} is not the site's folder (there is no conf.py). Run the command from the site's "
                              "folder, or use --site.").format(site=site))
    return site


def _prompt(question: str) -> str:
    if not sys.stdin.isatty():
        raise ScaffoldError(_("Information is missing, and there is no terminal to ask in. Give it as flags (see "
                              "'dataetik new --help')."))
    return input(question)


def _traits(vocab, given: list[str]) -> dict[str, str]:
    """--traek values (the policy's trait words) -> {field: yes}."""
    fields = {t.word: t.field for t in vocab.traits}
    unknown = [w for w in given if w not in fields]
    if unknown:
        raise ScaffoldError(_("The project trait '{trait}' does not exist in the policy. Choose from: {traits}.").format(
            trait=unknown[0], traits=", ".join(fields) or _("(none)")))
    return {fields[w]: vocab.yes for w in given}


def cmd_new(args) -> int:
    site = _site(args)
    policy = new_cmd.load_policy(site)
    vocab = policy.vocabulary
    traits = _traits(vocab, args.trait or [])
    everything = {t.field: traits.get(t.field, vocab.no) for t in vocab.traits}
    if args.non_interactive:
        traits = everything
    risk_given = args.risiko or not vocab.risk_levels
    if args.name and args.forvaltning and risk_given:  # everything given: no questions
        new = new_cmd.NewProject(args.name, args.forvaltning, args.risiko or "", everything)
    else:
        if args.name:
            new_cmd.slugify(args.name)
        new = new_cmd.interview(policy, _prompt, print, args.name, args.forvaltning, args.risiko, traits)
    page = new_cmd.create(site, policy, new)
    print(_("Created: {page}").format(page=page.relative_to(site)))
    print(_("Replace each {placeholder} and each {date} in the file, and then run 'dataetik check'.").format(
        placeholder=placeholder(), date=date_placeholder()))
    return 0


def cmd_check(args) -> int:
    site = _site(args)
    return check_cmd.run(site, junit_path=site / "_build" / "checks.xml", clean=args.from_scratch, pages=args.pages)


def _today(value: str | None) -> None:
    """--dato, or DATAETIK_TODAY: the day the checks judge by (also for the build they start),
    checked before anything runs so a bad value is said once, in words."""
    if value is not None:
        os.environ["DATAETIK_TODAY"] = value
    try:
        today()
    except ValueError as err:
        raise ScaffoldError(str(err).replace("DATAETIK_TODAY", "--dato") if value is not None else str(err)) from None


def cmd_risk(args) -> int:
    site = _site(args)
    policy = new_cmd.load_policy(site)
    if not policy.vocabulary.risk_levels:
        raise ScaffoldError(_("The policy has no risk profiles, so there is nothing to assess."))
    outcome = ask(policy, _prompt, print)
    print(_("Write in the project's fields:"))
    print(f"  :risk: {outcome.level}")
    if outcome.met:
        print(f"  :risk_criteria: {', '.join(outcome.met)}")
    for trait_field, value in outcome.traits.items():  # the traits the criteria answered
        print(f"  :{trait_field}: {value}")
    return 0


def _interview(vocab, yes_or_no_prompt):
    """Each question with why it is asked and an example, answered yes or no."""
    def answer(q, n: int) -> bool:
        print(f"\n{n}. {q.title}")
        for label, text in ((_("Why we ask"), q.why), (_("Example"), q.example)):
            if text:
                print(f"   {label}: {text}")
        return yes_or_no(vocab, yes_or_no_prompt, f"   {q.text}", print) == vocab.yes
    return answer


def cmd_classify(args) -> int:
    from dataetik import classify, classify_cmd

    site = _site(args)
    policy = new_cmd.load_policy(site)
    vocab = policy.vocabulary
    folders = list(dict.fromkeys(c.folder for c in vocab.classifications))
    if not folders:
        raise ScaffoldError(_("No policy on the site declares a classification, so there is nothing to classify."))
    page = classify_cmd.project_page(site, args.folder)
    text = page.read_text(encoding="utf-8")
    for folder in folders:
        qs = classify.questions(policy, folder)
        answer = (classify_cmd.scripted(args.yes or [], qs) if args.reasoning is not None
                  else _interview(vocab, _prompt))
        outcome = classify.ask(policy, folder, answer)
        reasoning = args.reasoning if args.reasoning is not None else _prompt(
            "\n" + _("Your reasoning, in a few sentences (what the system does, and why the answers are right): "))
        for c in classify.classifications(vocab, folder):
            print(_("Proposed: {label}: {level}").format(label=c.label, level=outcome.fields[c.field]))
        text = classify_cmd.record(policy, page, text, folder, outcome, reasoning)
    classify_cmd.write(page, text)
    print(_("Written: {page}. Read it through, and then run 'dataetik check'.").format(page=page.relative_to(site)))
    return 0


def cmd_export(args) -> int:
    from dataetik import export

    site = _site(args)
    policy = new_cmd.load_policy(site)
    doc = export.document(policy, export.find(policy, args.name), export.find_project(policy, args.project))
    out = export.as_json(doc) if args.format == "json" else export.as_markdown(policy, doc)
    if args.output:
        Path(args.output).write_text(out, encoding="utf-8")
        print(_("Written: {target}").format(target=args.output))
    else:
        sys.stdout.write(out)
    return 0


def _with_fingerprints(site: Path, policy, page: Path, renew: bool) -> tuple[str, str, list[str], int]:
    """(page name, its new text, the approvals written, how many requirements) for one project page."""
    from dataetik import trail

    name = page.relative_to(site).as_posix()
    project = policy.needs.get(policy.project_of_file(name))
    if project is None:
        raise ScaffoldError(_("{page} holds no project ({{project}} block), so there is nothing to record "
                              "fingerprints for.").format(page=name))
    newest = trail.newest_approval(policy, project)
    prints = trail.fingerprints_for(policy, project)
    try:
        text, written = trail.with_fingerprints(page.read_text(encoding="utf-8"), trail.format_fingerprints(prints),
                                                newest["id"] if newest else "", renew)
    except trail.PageError as err:
        raise ScaffoldError(f"{name}:{err.line}: {err.problem}") from None
    return name, text, written, len(prints)


def cmd_fingerprints(args) -> int:
    """Record on each approval of the projects the fingerprints of the requirement texts it approves:
    every page is checked before any is written."""
    from dataetik import classify_cmd

    site = _site(args)
    pages = list(dict.fromkeys(classify_cmd.project_page(site, folder) for folder in args.folders))
    policy = new_cmd.load_policy(site)
    results = [(page, *_with_fingerprints(site, policy, page, args.renew)) for page in pages]
    for page, name, text, written, count in results:
        if not written:
            print(_("The newest approval on {page} already records fingerprints. After a reassessment, renew them "
                    "with --forny.").format(page=name))
            continue
        classify_cmd.write(page, text)
        print(ngettext("Written: {page}: the fingerprints of {count} requirement text on {approvals}.",
                       "Written: {page}: the fingerprints of {count} requirement texts on {approvals}.", count).format(
            page=name, count=count, approvals=", ".join(written)))
    return 0


def cmd_aggregate(args) -> int:
    from dataetik.biastest import PolicyBias
    from dataetik.biastest.aggregate import AggregateError, attributes_from, missing_attributes, write_counts

    # The disclosure threshold of the site the counts go into; a flag may only tighten it.
    output = Path(args.output).resolve()
    site = Path(args.site).resolve() if args.site else _site_holding(output)
    policy_bias = PolicyBias.of(new_cmd.load_policy(site)) if site and (site / "conf.py").exists() else None
    floor = policy_bias.min_cell if policy_bias else None
    min_cell = floor if args.min_cell is None else args.min_cell
    if min_cell is None:
        raise ScaffoldError(_("No policy states a disclosure threshold (min_cell) for the counts. Give it with "
                              "--min-cell, e.g. --min-cell 5 (Statistics Denmark's practice)."))
    if floor is not None and min_cell < floor:
        raise ScaffoldError(_("--min-cell {min_cell} is lower than the policy's disclosure threshold of {floor}. The "
                              "threshold may be tightened, never loosened.").format(min_cell=min_cell, floor=floor))
    try:
        attributes = attributes_from(args.attribute, args.bands or [])
        table = write_counts(Path(args.rows), Path(args.output), attributes, args.predicted, args.actual,
                             min_cell, force=args.force)
    except AggregateError as err:
        raise ScaffoldError(str(err)) from None
    print(_("Written: {target} (aggregated counts; the row file must not be published or committed)").format(
        target=args.output))
    missing = missing_attributes(policy_bias.attributes if policy_bias else (), attributes)
    if missing:  # written, as asked; the bias check will refuse the file until the command below is run
        _say_missing(args, table, attributes, missing, policy_bias.attributes)
    return 0


def _say_missing(args, table, attributes, missing: list[str], required: tuple[str, ...]) -> None:
    """Name each attribute the policy demands that the counts lack, with the whole command that adds it:
    the bias check would otherwise reject the file later, further from the extract."""
    import shlex

    from dataetik.biastest.aggregate import suggestion

    replace, extra = {}, []
    for name in missing:
        renamed, added = suggestion(name, table, attributes)
        replace |= renamed
        extra += added
    argv = ["dataetik", "aggregate", args.rows]
    for spec in args.attribute:
        argv += ["--attribute", replace.get(spec, spec)]
    renamed_names = {old.partition("=")[0]: new.partition("=")[0] for old, new in replace.items()}
    for spec in args.bands or []:
        name, _sep, bands = spec.partition("=")
        argv += ["--bands", f"{renamed_names.get(name, name)}={bands}"]
    argv += extra + ["--predicted", args.predicted] + (["--actual", args.actual] if args.actual else [])
    argv += (["--min-cell", str(args.min_cell)] if args.min_cell is not None else [])
    argv += (["--site", args.site] if args.site else []) + ["-o", args.output, "--force"]
    print(ngettext("The policy demands that bias tests are tested across {required}; the counts lack the attribute "
                   "{missing}.", "The policy demands that bias tests are tested across {required}; the counts lack the "
                   "attributes {missing}.", len(missing)).format(
        required=", ".join(required), missing=", ".join(f"'{m}'" for m in missing)), file=sys.stderr)
    print(_("Columns in {path}: {columns}.").format(path=args.rows, columns=", ".join(table.columns)), file=sys.stderr)
    command = " ".join(w if re.fullmatch(r"[\w@%+=:,./-]+", w) else shlex.quote(w) for w in argv)
    print(ngettext("Add it with:", "Add them with:", len(missing)) + "\n  " + command, file=sys.stderr)
    if "--bands" in extra:
        print(_("The age bands are an example: use those the analysis is to compare."), file=sys.stderr)


def register(subparsers) -> None:
    """Add new, check and risk to the `dataetik` parser."""
    new = subparsers.add_parser("new", help=_("create a new data-ethics assessment from the policy"))
    new.add_argument("name", nargs="?", help=_('the project\'s name, e.g. "Route planning in home care"'))
    new.add_argument("--forvaltning", help=_("the department / unit that owns the project"))
    new.add_argument("--risiko", help=_("risk profile, one of the policy's (leave out to answer questions)"))
    new.add_argument("--traek", dest="trait", action="append", metavar=_("TRAIT"),
                     help=_('one of the policy\'s project traits that the project has, e.g. "procured" (repeat for '
                            'more)'))
    new.add_argument("--ikke-interaktiv", dest="non_interactive", action="store_true",
                     help=_("do not ask about the project's traits; those not given are 'no'"))
    new.set_defaults(func=cmd_new)
    check = subparsers.add_parser("check", help=_("build the site and check every assessment"))
    check.add_argument("--dato", help=_("the day the checks count from, YYYY-MM-DD (default: today)"))
    check.add_argument("--forfra", dest="from_scratch", action="store_true",
                       help=_("build the whole site from scratch, not only what changed since the last check"))
    check.add_argument("--sider", dest="pages", action="store_true",
                       help=_("write the site's pages in _build/check too, also where only projects changed"))
    check.set_defaults(func=cmd_check)
    risk = subparsers.add_parser("risk", help=_("questionnaire that proposes a risk profile"))
    risk.set_defaults(func=cmd_risk)
    classify = subparsers.add_parser("klassificer", help=_("questionnaire that classifies a project under a law "
                                                             "layered on the policy, and records it on its page"))
    classify.add_argument("folder", help=_("the project's folder, e.g. projects/route-planning"))
    classify.add_argument("--ja", dest="yes", action="append", metavar=_("QUESTION"),
                          help=_("without questions: the ID of a question answered yes (repeat; every other one is no)"))
    classify.add_argument("--begrundelse", dest="reasoning",
                          help=_("without questions: the reasoning behind the classification"))
    classify.set_defaults(func=cmd_classify)
    exp = subparsers.add_parser("eksport", help=_("a document a policy declares (e.g. an impact assessment) for one "
                                                  "project, as Markdown or JSON"))
    exp.add_argument("project", help=_("the project's ID (PRJ_...) or folder"))
    exp.add_argument("name", help=_("the export's name, as the policy declares it under [exports]"))
    exp.add_argument("--format", choices=["markdown", "json"], default="markdown", help=_("the format (default: markdown)"))
    exp.add_argument("-o", "--output", help=_("the file to write (default: the screen)"))
    exp.set_defaults(func=cmd_export)
    prints = subparsers.add_parser("fingeraftryk", help=_("record on a project's approvals fingerprints of the "
                                                          "requirement texts they approve, so a later change is seen"))
    prints.add_argument("folders", nargs="+", metavar="folder", help=_("the project's folder, e.g. projects/route-planning "
                                                                       "(several may be given)"))
    prints.add_argument("--forny", dest="renew", action="store_true",
                        help=_("after a reassessment: renew the fingerprints of the newest approval too"))
    prints.set_defaults(func=cmd_fingerprints)
    for sub in (new, check, risk, classify, exp, prints):
        sub.add_argument("--site", default=".", help=_("the site's folder (default: the current one)"))
    agg = subparsers.add_parser("aggregate", help=_("make aggregated counts for a bias test from a local row file"),
                                description=_("Counts for a bias test from a local file with one row per case. Example: "
                                              "dataetik aggregate udtraek.csv --attribute køn=koen --attribute "
                                              "aldersgruppe=alder --bands aldersgruppe=0-17,18-29,30-49,50- --predicted "
                                              "valgt -o projects/<folder>/biastest.csv"))
    agg.add_argument("rows", help=_("local file with one row per case (CSV or Parquet); must never be committed"))
    agg.add_argument("--attribute", action="append", required=True, metavar=_("NAME[=COLUMN]"),
                     help=_("attribute to count by, as the policy names it; if the file's column is named otherwise, "
                            "write the policy's name, '=' and the column, e.g. køn=koen (repeat for each attribute)"))
    agg.add_argument("--bands", action="append", metavar=_("NAME=BANDS"),
                     help=_("group an attribute's whole numbers (ages) into bands, lowest first, the last one open: "
                            "e.g. aldersgruppe=0-17,18-29,30-49,50- gives the groups 0-17, 18-29, 30-49 and 50+ "
                            "(repeat for each attribute)"))
    agg.add_argument("--predicted", required=True, help=_("column with the method's selection (0/1)"))
    agg.add_argument("--actual", help=_("column with the actual outcome (0/1), if it is known"))
    agg.add_argument("--min-cell", type=int, help=_("disclosure threshold (default: the policy's; required where it "
                                                    "states none); only stricter"))
    agg.add_argument("--site", help=_("the site's folder, whose policy gives the disclosure threshold (default: the "
                                      "one the output file is in)"))
    agg.add_argument("-o", "--output", required=True, help=_("output file, e.g. projects/<folder>/biastest.csv"))
    agg.add_argument("--force", action="store_true", help=_("overwrite the output file if it exists"))
    agg.set_defaults(func=cmd_aggregate)


def run(args: argparse.Namespace) -> int:
    """Run a subcommand; an author's mistake is a message in the policy's language and exit code 2, not a traceback."""
    try:
        _today(getattr(args, "dato", None))
        return args.func(args)
    except ScaffoldError as err:
        print(_("Error: {error}").format(error=err), file=sys.stderr)
        return 2
    except VocabularyError as err:
        where = _("Error in {file}:{line}: {problem}").format(file=err.file, line=err.line or 1, problem=err.problem)
        print(f"{where}\n    {how_to_fix()} {err.fix}", file=sys.stderr)
        return 2
