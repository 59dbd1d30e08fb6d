"""One step of the bench in a process of its own: its wall time and its peak memory.

The peak is the step's own: bench/peak.py runs it and reports os.wait4's ru_maxrss of that one child
(the largest of its processes); getrusage(RUSAGE_CHILDREN) would be the largest of every step so far."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PEAK = Path(__file__).parent / "peak.py"


@dataclass
class Step:
    seconds: float
    peak_mib: float
    cpu: float
    returncode: int
    stdout: str
    stderr: str


def run(cmd: list[str], cwd: Path, env: dict | None = None, ok=(0,)) -> Step:
    """Run cmd in cwd; stop the bench with the command's messages if it exits with a code not in ok."""
    with tempfile.TemporaryDirectory() as tmp:
        peak = Path(tmp) / "peak"
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(PEAK), str(peak), *map(str, cmd)], cwd=cwd, env=env,
                              capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        kib, cpu = peak.read_text().split()
        step = Step(elapsed, int(kib) / 1024, float(cpu), proc.returncode, proc.stdout, proc.stderr)
    if step.returncode not in ok:
        print(step.stdout[-3000:], step.stderr[-3000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"failed ({step.returncode}): {' '.join(map(str, cmd))}")
    return step


def sphinx(builder: str, site: Path, out: Path) -> list[str]:
    """A clean, strict build, as `make html` runs it."""
    return [sys.executable, "-m", "sphinx", "-b", builder, "-E", "-q", "-n", "-W", "--keep-going",
            "-d", str(out.parent / f"{out.name}-doctrees"), str(site), str(out)]


def checks(needs_json: Path, site: Path) -> list[str]:
    """The policy checks over a build's needs.json (bench/checks_step.py)."""
    return [sys.executable, str(Path(__file__).parent / "checks_step.py"), str(needs_json), str(site)]


def dataetik_check(*options: str) -> list[str]:
    """`dataetik check` as an author runs it in the site's folder."""
    script = Path(sys.executable).parent / "dataetik"
    return [str(script), "check", *options] if script.exists() else [sys.executable, "-m", "dataetik.cli", "check", *options]
