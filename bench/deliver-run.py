#!/usr/bin/env python3
"""deliver-run.py: what a run of processes wrote, from the kernel's own
accounting of each process (/proc/PID/io, read after it exited and before
it is reaped, so that nothing else's writes count).

    deliver-run.py each MAILDIR CMD...   # CMD once per file, file on stdin
    deliver-run.py once CMD...           # CMD once

Prints one line of key=value: n (processes), seconds (wall, whole run),
rate (processes per second), wchar (bytes passed to write/pwrite, per
process), write_bytes (bytes of page cache the processes dirtied, per
process: what will reach the disk, a checkpoint's included), exit75 and
failed (other non-zero exits).  Files of MAILDIR/new are taken in name
order.
"""

import os
import subprocess
import sys
import time


def io_of(pid):
    """The counters of /proc/PID/io of an exited, unreaped process."""
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    with open("/proc/%d/io" % pid) as f:
        io = dict(line.split(": ") for line in f.read().splitlines())
    _, status = os.waitpid(pid, 0)
    return int(io["wchar"]), int(io["write_bytes"]), os.waitstatus_to_exitcode(status)


def run(cmd, stdin):
    p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.DEVNULL)
    # Popen must not reap it: io_of does.
    wchar, wbytes, rc = io_of(p.pid)
    p.returncode = rc
    return wchar, wbytes, rc


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("each", "once"):
        sys.exit(__doc__.split("\n\n")[1])
    if sys.argv[1] == "each":
        new = os.path.join(sys.argv[2], "new")
        files = [os.path.join(new, f) for f in sorted(os.listdir(new))]
        cmd = sys.argv[3:]
    else:
        files = [None]
        cmd = sys.argv[2:]
    wchar = wbytes = e75 = failed = 0
    t0 = time.monotonic()
    for path in files:
        if path is None:
            w, b, rc = run(cmd, subprocess.DEVNULL)
        else:
            with open(path, "rb") as f:
                w, b, rc = run(cmd, f)
        wchar += w
        wbytes += b
        if rc == 75:
            e75 += 1
        elif rc != 0:
            failed += 1
    secs = time.monotonic() - t0
    n = len(files)
    print("n=%d seconds=%.3f rate=%.1f wchar=%d write_bytes=%d exit75=%d failed=%d"
          % (n, secs, n / secs, wchar // n, wbytes // n, e75, failed))


if __name__ == "__main__":
    main()
