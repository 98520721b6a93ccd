#!/usr/bin/env python3
"""fts-merge.py: what FTS5's merge policy writes as an index grows
(issue 9, item 4), without building a desk.

    bench/fts-merge.py AUTOMERGE COUNT DB [crisismerge=N]

Inserts COUNT documents shaped like a desk's inbound mail (a subject, a
sender, 110 words drawn from a Zipf vocabulary of 60,000, and one word
of its own) into a contentless FTS5 table with maildesk's tokenizer,
200 per transaction (maildeskd's batch), 16 KB pages, WAL folded back
after each commit so that the WAL's size is that commit's frames.  At
10,000 documents and each doubling after, prints the 16 KB frames per
commit: over the last 50 commits (what a 5,000-mail ingest sees), the
last 500, and every commit so far with the largest one (the write
amplification and the worst stall), then a rare and a common query's
time and the file's size.  DB is overwritten.  The SQLite is Python's
(Debian 12: the system's 3.40.1, as maildesk's).
"""

import itertools
import os
import random
import sqlite3
import sys
import time

BATCH = 200
WORDS = 110
VOCAB = 60000
FRAME = 16384 + 24


def fresh(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA page_size = 16384")
    db.execute("PRAGMA journal_mode = wal")
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.execute("PRAGMA cache_size = -65536")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(subject, sender, text, "
               "content = '', tokenize = 'unicode61 remove_diacritics 2')")
    return db


def report(db, path, label, n, frames, rng):
    t = time.perf_counter()
    for _ in range(20):
        db.execute("SELECT rowid FROM f WHERE f MATCH ? LIMIT 50",
                   ("u%d" % rng.randrange(1, n),)).fetchall()
    rare = (time.perf_counter() - t) / 20 * 1000
    t = time.perf_counter()
    db.execute("SELECT rowid FROM f WHERE f MATCH 'w3' ORDER BY rank "
               "LIMIT 50").fetchall()
    common = (time.perf_counter() - t) * 1000
    last50, last500 = frames[-50:], frames[-500:]
    print("%s n=%d frames/commit: last 50 %.1f, last 500 %.1f, all %.1f "
          "(largest %d); rare %.2f ms, common %.0f ms; %d MB" % (
              label, n, sum(last50) / len(last50),
              sum(last500) / len(last500), sum(frames) / len(frames),
              max(frames), rare, common, os.path.getsize(path) >> 20),
          flush=True)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__.split("\n\n")[1])
    automerge, total, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    db = fresh(path)
    label = "automerge=%d" % automerge
    db.execute("INSERT INTO f(f, rank) VALUES ('automerge', ?)", (automerge,))
    for opt in sys.argv[4:]:
        key, value = opt.split("=")
        db.execute("INSERT INTO f(f, rank) VALUES (?, ?)", (key, int(value)))
        label += " " + opt
    rng = random.Random(1)
    vocab = ["w%d" % i for i in range(VOCAB)]
    cum = list(itertools.accumulate(1.0 / (i + 1) for i in range(VOCAB)))
    # Drawing 110 words per document would take longer than indexing it.
    pool = [rng.choices(vocab, cum_weights=cum, k=WORDS) for _ in range(3000)]
    marks, m = {total}, 10000
    while m < total:
        marks.add(m)
        m *= 2
    frames, n = [], 0
    while n < total:
        db.execute("BEGIN")
        for _ in range(BATCH):
            n += 1
            words = pool[rng.randrange(len(pool))]
            db.execute("INSERT INTO f(rowid, subject, sender, text) "
                       "VALUES (?, ?, ?, ?)",
                       (n, " ".join(words[:6]),
                        "user%d@example.org" % rng.randrange(50000),
                        " ".join(words) + " u%d" % n))
        db.execute("COMMIT")
        frames.append((os.path.getsize(path + "-wal") - 32) // FRAME)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if n in marks:
            report(db, path, label, n, frames, rng)


if __name__ == "__main__":
    main()
