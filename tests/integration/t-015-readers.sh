#!/bin/sh
# Readers (show, list, stats, search) never wait for a writer (WAL): while another process holds the
# write lock with uncommitted rows, the reading commands answer at once,
# exit 0 and print what is committed, and only that.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 10
cd "$WORK" || exit 1
write_conf maildesk.conf
# The fixtures' lists and bounces open tickets as before issue 8: this test
# counts them.
sed -i 's/automated = "close";/automated = "open";/' maildesk.conf
DB=var/maildesk.db
NOW=--now=2026-11-23T10:00:00+01:00
"$MAILDESK" -c maildesk.conf $NOW ingest "$MD_SRCDIR/maildir-fixtures" > /dev/null || exit 1
py() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

# The writer: BEGIN IMMEDIATE, a new ticket and a status change not yet
# committed, held until told to stop ("held" once it has the lock).
/usr/bin/python3 -c '
import sqlite3, os, time, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO tickets (status, subject, requester, created, updated)"
          " VALUES (\"open\", \"uncommitted\", \"x@example.org\", 0, 0)")
c.execute("UPDATE tickets SET status = \"closed\" WHERE id = 3")
open("held", "w").close()
while not os.path.exists("release"):
    time.sleep(0.02)
c.execute("ROLLBACK")' $DB &
holder=$!
wait_for held 10 || exit 1

"$MAILDESK" -c maildesk.conf show 3 --json > show.json 2> show.err
is $? 0 "show answers while a writer holds the lock"
is "$(py 'print(d["id"], d["status"])' < show.json)" "3 open" \
	"and prints the committed state"
"$MAILDESK" -c maildesk.conf list --json > list.json 2> list.err
is $? 0 "list answers"
is "$(py 'print(len(d), "uncommitted" in [t["subject"] for t in d])' < list.json)" \
	"20 False" "with the committed tickets only"
"$MAILDESK" -c maildesk.conf stats --json > stats.json 2> stats.err
is $? 0 "stats answers"
is "$(py 'print(d.get("tickets.open", 0) + d.get("tickets.resolved", 0), d.get("tickets.closed", 0))' < stats.json)" \
	"20 0" "with the committed counts"
"$MAILDESK" -c maildesk.conf search --json portail > search.json 2> search.err
is $? 0 "search answers"
is "$(py 'print(3 in [h["ticket"] for h in d])' < search.json)" True \
	"and finds committed mail"
"$MAILDESK" -c maildesk.conf $NOW deliver \
	< "$MD_SRCDIR/maildir-fixtures/new/1764000001.M1P1.fixture" 2> deliver.err
is $? 75 "a writer still waits, and says so (75)"
touch release; wait $holder
is "$(sql $DB "select count(*) from tickets where subject = 'uncommitted'")" 0 \
	"the held transaction was never seen committed"
done_testing
