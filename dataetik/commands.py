"""The author-facing subcommands: new, check, risk. Messages are Danish."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dataetik import check_cmd, new_cmd
from dataetik.policy import today
from dataetik.risk import ask
from dataetik.scaffold import ScaffoldError
from dataetik.vocabulary import VocabularyError


def _site(args) -> Path:
    site = Path(args.site).resolve()
    if not (site / "conf.py").exists():
        raise ScaffoldError(f"{site} er ikke sitets mappe (der er ingen conf.py). Kør kommandoen fra sitets mappe, eller brug --site.")
    return site


def _prompt(question: str) -> str:
    if not sys.stdin.isatty():
        raise ScaffoldError("Der mangler oplysninger, og der er ingen terminal at spørge i. Angiv dem som flag (se 'dataetik new --help').")
    return input(question)


def _traits(vocab, given: list[str]) -> dict[str, str]:
    """--traek values (the policy's trait words) -> {field: yes}."""
    fields = {t.word: t.field for t in vocab.traits}
    unknown = [w for w in given if w not in fields]
    if unknown:
        raise ScaffoldError(f"Projekttrækket '{unknown[0]}' findes ikke i politikken. Vælg blandt: "
                            f"{', '.join(fields) or '(ingen)'}.")
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
    print(f"Oprettet: {page.relative_to(site)}")
    print("Erstat hvert UDFYLDES og hver ÅÅÅÅ-MM-DD i filen, og kør derefter 'dataetik check'.")
    return 0


def cmd_check(args) -> int:
    site = _site(args)
    return check_cmd.run(site, junit_path=site / "_build" / "checks.xml")


def _today(value: str | None) -> None:
    """--dato: the day the checks judge by (DATAETIK_TODAY, also for the build they start)."""
    if value is None:
        return
    os.environ["DATAETIK_TODAY"] = value
    try:
        today()
    except ValueError as err:
        raise ScaffoldError(str(err).replace("DATAETIK_TODAY", "--dato")) from None


def cmd_risk(args) -> int:
    site = _site(args)
    policy = new_cmd.load_policy(site)
    if not policy.vocabulary.risk_levels:
        raise ScaffoldError("Politikken har ingen risikoprofiler, så der er intet at vurdere.")
    outcome = ask(policy, _prompt, print)
    print("Skriv i projektets felter:")
    print(f"  :risk: {outcome.level}")
    if outcome.met:
        print(f"  :risk_criteria: {', '.join(outcome.met)}")
    return 0


def cmd_aggregate(args) -> int:
    from dataetik.biastest import PolicyBias
    from dataetik.biastest.aggregate import AggregateError, write_counts

    # The disclosure threshold of the site the counts go into; a flag may only tighten it.
    output = Path(args.output).resolve()
    site = Path(args.site).resolve() if args.site else next(
        (d for d in output.parents if (d / "conf.py").exists()), None)
    floor = PolicyBias.of(new_cmd.load_policy(site)).min_cell if site and (site / "conf.py").exists() else None
    min_cell = floor if args.min_cell is None else args.min_cell
    if min_cell is None:
        raise ScaffoldError("Ingen politik angiver en diskretionsgrænse (min_cell) for optællingerne. Angiv den med "
                            "--min-cell, fx --min-cell 5 (Danmarks Statistiks praksis).")
    if floor is not None and min_cell < floor:
        raise ScaffoldError(f"--min-cell {min_cell} er lavere end politikkens diskretionsgrænse på {floor}. "
                            "Grænsen må skærpes, aldrig lempes.")
    try:
        target = write_counts(Path(args.rows), Path(args.output), args.attribute, args.predicted, args.actual,
                              min_cell, force=args.force)
    except AggregateError as err:
        raise ScaffoldError(str(err)) from None
    print(f"Skrevet: {target} (samlede optællinger; rækkefilen må ikke offentliggøres eller committes)")
    return 0


def register(subparsers) -> None:
    """Add new, check and risk to the `dataetik` parser."""
    new = subparsers.add_parser("new", help="opret en ny dataetisk vurdering ud fra politikken")
    new.add_argument("name", nargs="?", help='projektets navn, fx "Ruteplanlægning i hjemmeplejen"')
    new.add_argument("--forvaltning", help="forvaltning / afdeling, der ejer projektet")
    new.add_argument("--risiko", help="risikoprofil, en af politikkens (udelad for at besvare spørgsmål)")
    new.add_argument("--traek", dest="trait", action="append", metavar="TRÆK",
                     help="et af politikkens projekttræk, som projektet har, fx \"indkøbt\" (gentag for flere)")
    new.add_argument("--ikke-interaktiv", dest="non_interactive", action="store_true",
                     help="spørg ikke om projektets træk; de, der ikke er angivet, er 'nej'")
    new.set_defaults(func=cmd_new)
    check = subparsers.add_parser("check", help="byg sitet og kontrollér alle vurderinger")
    check.add_argument("--dato", help="dagen kontrollerne regner fra, ÅÅÅÅ-MM-DD (standard: i dag)")
    check.set_defaults(func=cmd_check)
    risk = subparsers.add_parser("risk", help="spørgeskema, der foreslår en risikoprofil")
    risk.set_defaults(func=cmd_risk)
    for sub in (new, check, risk):
        sub.add_argument("--site", default=".", help="sitets mappe (standard: den aktuelle)")
    agg = subparsers.add_parser("aggregate", help="lav samlede optællinger til en bias-test ud fra en lokal rækkefil")
    agg.add_argument("rows", help="lokal fil med én række pr. sag (CSV eller Parquet); må aldrig committes")
    agg.add_argument("--attribute", action="append", required=True, help="egenskab at tælle på (gentag: køn, aldersgruppe ...)")
    agg.add_argument("--predicted", required=True, help="kolonne med metodens udvælgelse (0/1)")
    agg.add_argument("--actual", help="kolonne med det faktiske udfald (0/1), hvis det kendes")
    agg.add_argument("--min-cell", type=int, help="diskretionsgrænse (standard: politikkens, ellers 5); kun strengere")
    agg.add_argument("--site", help="sitets mappe, hvis politik giver diskretionsgrænsen (standard: den, outputfilen ligger i)")
    agg.add_argument("-o", "--output", required=True, help="outputfil, fx projects/<mappe>/biastest.csv")
    agg.add_argument("--force", action="store_true", help="overskriv outputfilen, hvis den findes")
    agg.set_defaults(func=cmd_aggregate)


def run(args: argparse.Namespace) -> int:
    """Run a subcommand; an author's mistake is a Danish message and exit code 2, not a traceback."""
    try:
        _today(getattr(args, "dato", None))
        return args.func(args)
    except ScaffoldError as err:
        print(f"Fejl: {err}", file=sys.stderr)
        return 2
    except VocabularyError as err:
        print(f"Fejl i {err.file}:{err.line or 1}: {err.problem}\n    Sådan retter du det: {err.fix}", file=sys.stderr)
        return 2
