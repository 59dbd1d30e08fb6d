"""Run a command and write its peak resident memory (KiB) to a file: `peak.py OUT cmd ...`.

Why a wrapper: a child's peak (ru_maxrss) starts from the memory of the process that started it
(Linux keeps the high-water mark over fork and exec), so the bench, holding the policy, cannot
measure its steps directly; this small process can."""

import os
import subprocess
import sys

proc = subprocess.Popen(sys.argv[2:])
_pid, status, usage = os.wait4(proc.pid, 0)
proc.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(proc.returncode)
