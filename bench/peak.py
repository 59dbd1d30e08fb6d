"""Run a command and write its peak resident memory (KiB) and CPU seconds to a file: `peak.py OUT cmd ...`.

Why a wrapper: a child's peak (ru_maxrss) starts from the memory of the process that started it
(Linux keeps the high-water mark over fork and exec), so the bench, holding the policy, cannot
measure its steps directly; this small process can. CPU seconds (the step's and the processes it
waited for) say what a step costs when other work shares the machine; wall seconds do not."""

import os
import subprocess
import sys

proc = subprocess.Popen(sys.argv[2:])
_pid, status, usage = os.wait4(proc.pid, 0)
proc.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as out:
    out.write(f"{usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
sys.exit(proc.returncode)
