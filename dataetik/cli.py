"""`dataetik`: the command line for authors (new, check, risk) and analysts (aggregate)."""

from __future__ import annotations

import argparse
import sys

from dataetik import commands
from dataetik.i18n import _


def main(argv: list[str] | None = None) -> int:
    commands.speak_the_site_language(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="dataetik", description=_("Data-ethics assessments in Gladsaxe Kommune."))
    subparsers = parser.add_subparsers(dest="command", required=True, metavar=_("command"))
    commands.register(subparsers)
    args = parser.parse_args(argv)
    return commands.run(args)


if __name__ == "__main__":
    sys.exit(main())
