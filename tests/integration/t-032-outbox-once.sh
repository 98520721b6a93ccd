#!/bin/sh
# The maildir transport is idempotent: a round sent again after a crash
# (files renamed into new/, outcome not committed) replaces its files
# instead of adding copies; orphans in tmp/ older than a day are removed
# at start (issue 7, item 10).
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 6
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
F=$MD_SRCDIR/maildir-fixtures/new
"$MAILDESK" -c maildesk.conf deliver < "$F/1764000001.M1P1.fixture" || exit 1
"$MAILDESK" -c maildesk.conf deliver < "$F/1764000002.M2P1.fixture" || exit 1

# The outcome cannot be committed: another writer holds the database
# while send writes its round (the same window as a SIGKILL after the
# renames).
/usr/bin/python3 -c '
import sqlite3, os, time, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open("held", "w").close()
while not os.path.exists("release"):
    time.sleep(0.02)
c.execute("ROLLBACK")' $DB &
holder=$!
wait_for held 10
"$MAILDESK" -c maildesk.conf send 2> /dev/null
is $? 75 "send cannot record the round: 75"
touch release; wait $holder
is "$(ls var/outbox/new | wc -l)" 4 "the round's four mails were written"
is "$(sql $DB "select count(*) from outbox where state = 'queued'")" 4 \
   "and are still queued"

mkdir -p var/outbox/tmp
: > var/outbox/tmp/old.orphan; touch -d '2 days ago' var/outbox/tmp/old.orphan
: > var/outbox/tmp/fresh.partial
"$MAILDESK" -c maildesk.conf send
ok $? "send again"
is "$(ls var/outbox/new | wc -l)" 4 "the same four files, not eight"
is "$(ls var/outbox/tmp | tr '\n' ' ')" "fresh.partial " \
   "the day-old orphan in tmp/ is removed, the fresh file kept"
done_testing
