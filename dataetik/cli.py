"""`dataetik`: the command line for authors (new, check, risk) and analysts (aggregate)."""

from __future__ import annotations

import argparse
import sys

from dataetik import commands


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dataetik", description="Dataetiske vurderinger i Gladsaxe Kommune.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="kommando")
    commands.register(subparsers)
    args = parser.parse_args(argv)
    return commands.run(args)


if __name__ == "__main__":
    sys.exit(main())
