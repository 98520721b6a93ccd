#!/usr/bin/python3
"""latency-run.py: the measuring loop of bench/latency.sh.

    latency-run.py --count N --dovecot-conf F --sink-log F --sniff-log F
                   --daemon-log F --raw F

COUNT times, one at a time: writes a distinct new request (its own sender,
so that each gets an acknowledgement; its own Message-ID), records t0,
delivers it into desk's INBOX with dovecot-lda, then polls (every 5 ms,
deadline 10 s) the sink's log for the acknowledgement whose In-Reply-To
names it, then waits for maildeskd's "outbox: N sent" line that ends that
flush (so that the next delivery finds the daemon idling again), and 50 ms
more.  For each
message it takes, all as time.time():

  t0        just before dovecot-lda is started
  lda       dovecot-lda returned (the message is in the INBOX)
  exists    the first data segment the IMAP server sent after t0 (seen on
            lo by imap-sniff.py): the untagged EXISTS to the idling daemon
  stored    the stamp of maildeskd's first "...: N stored" line after t0
            (logged when the drain has committed and moved the message)
  ack       the sink received the end of the acknowledgement's DATA (its
            250 follows)

writes them to --raw (one line per message), and prints the Markdown rows
of the summary table on stdout."""
import argparse
import email.utils
import os
import subprocess
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("--count", type=int, required=True)
p.add_argument("--dovecot-conf", required=True)
p.add_argument("--sink-log", required=True)
p.add_argument("--sniff-log", required=True)
p.add_argument("--daemon-log", required=True)
p.add_argument("--raw", required=True)
p.add_argument("--lda", default="/usr/lib/dovecot/dovecot-lda")
a = p.parse_args()
POLL = 0.005
DEADLINE = 10.0


def lines(path):
    try:
        with open(path, errors="replace") as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def sink_ack(mid):
    for line in lines(a.sink_log):
        w = line.split()
        if len(w) == 4 and w[2] == mid and "agents@desk.example" not in w[1]:
            return float(w[0])
    return None


def first_after(path, t0, match):
    for line in lines(path):
        w = line.split(" ", 1)
        try:
            t = float(w[0])
        except ValueError:
            continue
        if t >= t0 and len(w) > 1 and match(w[1]):
            return t
    return None


def is_segment(rest):
    return len(rest.split()) == 3


def is_stored(rest):
    return " stored (" in rest


def is_sent(rest):
    return "outbox: " in rest and " sent," in rest


def wait_for(fn, deadline):
    while True:
        v = fn()
        if v is not None or time.time() > deadline:
            return v
        time.sleep(POLL)


nonce = "%x" % int(time.time() * 1000)
raw = open(a.raw, "w", buffering=1)
raw.write("# i t0 lda exists stored ack\n")
rows = []
failures = 0
tmp = a.raw + ".eml"
for i in range(1, a.count + 1):
    mid = "lat-%d.%s@requester.example.org" % (i, nonce)
    with open(tmp, "w") as f:
        f.write(
            "Return-Path: <lat%d@requester.example.org>\r\n"
            "From: Requester %d <lat%d@requester.example.org>\r\n"
            "To: support@desk.example\r\n"
            "Subject: Latency probe %d: the printer on floor 2 is jammed\r\n"
            "Date: %s\r\n"
            "Message-ID: <%s>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n"
            "Hello,\r\n\r\nThe printer on floor 2 is jammed again since this "
            "morning (probe %d).\r\nCould someone have a look?\r\n\r\n"
            "Thanks,\r\nRequester %d\r\n"
            % (i, i, i, i, email.utils.formatdate(localtime=True), mid, i, i))
    with open(tmp, "rb") as msg:
        t0 = time.time()
        rc = subprocess.call([a.lda, "-c", a.dovecot_conf, "-d", "desk",
                              "-f", "lat%d@requester.example.org" % i],
                             stdin=msg)
    t_lda = time.time()
    if rc != 0:
        sys.exit("latency-run: dovecot-lda exited with %d" % rc)
    ack = wait_for(lambda: sink_ack(mid), t0 + DEADLINE)
    if ack is None:
        failures += 1
        print("latency-run: no acknowledgement for message %d within %g s"
              % (i, DEADLINE), file=sys.stderr)
        raw.write("%d %.6f %.6f - - -\n" % (i, t0, t_lda))
        time.sleep(1)
        continue
    # the end of this flush: the daemon is idling again
    wait_for(lambda: first_after(a.daemon_log, ack, is_sent), ack + DEADLINE)
    exists = first_after(a.sniff_log, t0, is_segment)
    stored = first_after(a.daemon_log, t0, is_stored)
    time.sleep(0.05)
    raw.write("%d %.6f %.6f %s %s %.6f\n" % (
        i, t0, t_lda, "%.6f" % exists if exists else "-",
        "%.6f" % stored if stored else "-", ack))
    rows.append((t0, t_lda, exists, stored, ack))
    if i % 50 == 0:
        print("latency-run: %d/%d" % (i, a.count), file=sys.stderr)
os.unlink(tmp)


def pct(values, q):
    """The nearest-rank percentile (q in 0..100) of VALUES, in ms."""
    v = sorted(values)
    if not v:
        return float("nan")
    k = max(1, -(-len(v) * q // 100))
    return v[int(k) - 1] * 1000


def row(name, values, note):
    if not values:
        print("| %s | 0 | - | - | - | - | - | %s |" % (name, note))
        return
    print("| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %s |" % (
        name, len(values), pct(values, 50), pct(values, 90), pct(values, 99),
        max(values) * 1000, min(values) * 1000, note))


e2e = [r[4] - r[0] for r in rows]
lda = [r[1] - r[0] for r in rows]
dove = [r[2] - r[1] for r in rows if r[2]]
share = [r[4] - r[2] for r in rows if r[2]]
drain = [r[3] - r[2] for r in rows if r[2] and r[3]]
send = [r[4] - r[3] for r in rows if r[3]]


def verdict(values, limit_ms):
    if not values:
        return "n/a"
    p99 = pct(values, 99)
    return ("p99 ok (< %d ms)" % limit_ms if p99 < limit_ms else
            "p99 %.0f ms over %d ms" % (p99 - limit_ms, limit_ms))


print("| interval | n | p50 ms | p90 ms | p99 ms | max ms | min ms | note |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
row("end to end: t0 (dovecot-lda started) -> ack at the sink", e2e,
    verdict(e2e, 1000))
row("maildesk's share: EXISTS sent by Dovecot -> ack at the sink",
    share, verdict(share, 50))
row("- of which EXISTS -> \"N stored\" (IDLE DONE, SEARCH, FETCH, store, commit, MOVE)",
    drain, "")
row("- of which \"N stored\" -> ack at the sink (outbox flush, SMTP)", send, "")
row("dovecot-lda run (t0 -> lda exited)", lda, "")
row("Dovecot's IDLE notice (lda exited -> EXISTS sent)", dove, "")
print()
print("acknowledgements: %d of %d received within %g s" % (
    len(rows), a.count, DEADLINE))
sys.exit(1 if failures else 0)
