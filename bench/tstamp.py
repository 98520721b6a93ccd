#!/usr/bin/python3
"""tstamp.py: copy standard input to standard output, each line prefixed
with the wall-clock time it was read (time.time(), microseconds) and a
space.  Unbuffered both ways, so that the stamp is the moment the writer
wrote the line (maildeskd's log goes to an unbuffered stderr)."""
import os
import sys
import time

buf = b""
out = sys.stdout.buffer
while True:
    chunk = os.read(0, 65536)
    if not chunk:
        break
    now = time.time()
    buf += chunk
    *lines, buf = buf.split(b"\n")
    for line in lines:
        out.write(b"%.6f %s\n" % (now, line))
    out.flush()
if buf:
    out.write(b"%.6f %s\n" % (time.time(), buf))
    out.flush()
