#!/usr/bin/env python3
"""wal-pages.py: where the pages of the last commits went, by b-tree.

    wal-pages.py DB

Reads DB-wal (the frames written since the WAL last restarted: the last
commits of an ingest, up to wal_autocheckpoint pages), maps each frame's
page number to the table or index that owns the page (SQLite's dbstat,
through a read-only connection, after the WAL was read), and prints, per
b-tree, the frames written per commit and the distinct pages they were.
A b-tree with random keys (a Message-ID index) writes about one page per
row inserted once the index is larger than a batch's neighbourhood; one
with increasing keys (a rowid table) writes the same few pages again.
"""

import collections
import sqlite3
import struct
import sys


def wal_frames(path):
    with open(path, "rb") as f:
        head = f.read(32)
        if len(head) < 32:
            return 0, []
        magic, _, page_size, _, salt1, salt2 = struct.unpack(">IIIIII", head[:24])
        if magic not in (0x377F0682, 0x377F0683):
            sys.exit("%s: not a WAL file" % path)
        frames, pending = [], []
        while True:
            fh = f.read(24)
            if len(fh) < 24:
                break
            pgno, commit, s1, s2 = struct.unpack(">IIII", fh[:16])
            f.seek(page_size, 1)
            if (s1, s2) != (salt1, salt2):
                break           # the rest is from an earlier WAL generation
            pending.append(pgno)
            if commit:
                frames.append(pending)
                pending = []
        return page_size, frames


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    db = sys.argv[1]
    page_size, commits = wal_frames(db + "-wal")
    if not commits:
        print("no committed frames in %s-wal" % db)
        return
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    owner = dict(con.execute("SELECT pageno, name FROM dbstat"))
    con.close()
    frames = collections.Counter()
    distinct = collections.defaultdict(set)
    for pages in commits:
        for p in pages:
            name = owner.get(p, "(free or new)")
            frames[name] += 1
            distinct[name].add(p)
    n = len(commits)
    total = sum(frames.values())
    print("%d commits, %d frames of %d bytes, %.1f frames per commit"
          % (n, total, page_size, total / n))
    print()
    print("| b-tree | frames per commit | distinct pages | share |")
    print("| --- | ---: | ---: | ---: |")
    for name, k in frames.most_common():
        print("| %s | %.1f | %d | %.0f %% |"
              % (name, k / n, len(distinct[name]), 100.0 * k / total))


if __name__ == "__main__":
    main()
