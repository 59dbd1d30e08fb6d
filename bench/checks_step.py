"""The policy checks over one needs.json, timed from reading it to the last case (the bench runs
this in a process of its own, to measure its memory). Prints: wall seconds, CPU seconds, cases, failed
cases (a warning fails nothing)."""

import sys
import time
from pathlib import Path

from dataetik import i18n
from dataetik.needs_data import load_needs
from dataetik.policy import Policy
from dataetik.rules import all_cases


def main(needs_json: Path, site: Path) -> None:
    start, cpu = time.perf_counter(), time.process_time()
    policy = Policy.from_needs(load_needs(needs_json, srcdir=site))
    i18n.use(policy.vocabulary.language)
    cases = all_cases(policy)
    failed = sum(1 for c in cases if any(f.is_error for f in c.run()))
    print(f"{time.perf_counter() - start:.3f} {time.process_time() - cpu:.3f} {len(cases)} {failed}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
