#!/bin/sh
# A locked or full database is a temporary failure: deliver exits 75 so the
# MTA retries, and nothing is half-stored.  A lock held for seconds (other
# delivers' fsyncs on a busy disk) is waited for, limits.busy_timeout.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 10
cd "$WORK" || exit 1
write_conf maildesk.conf
sed 's/^limits = { /limits = { busy_timeout = 1; /' maildesk.conf > impatient.conf
DB=var/maildesk.db
F=$MD_SRCDIR/maildir-fixtures/new
"$MAILDESK" -c maildesk.conf deliver < "$F/1764000001.M1P1.fixture" || exit 1

# hold: another writer holds the database: python keeps BEGIN IMMEDIATE
# open until told to stop (it creates the file "held" when it holds the
# lock, and lets go when the file "release" appears).
hold() {
	rm -f held release
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
}
hold
"$MAILDESK" -c impatient.conf deliver < "$F/1764000002.M2P1.fixture" 2> locked.err
is $? 75 "deliver exits 75 (EX_TEMPFAIL) while the database is locked past limits.busy_timeout"
grep -q 'database.*: exec "BEGIN IMMEDIATE": database is locked' locked.err
ok $? "the error says the database is locked, and at which statement"
touch release; wait $holder
is "$(sql $DB 'select count(*) from tickets')" 1 "nothing was stored"
"$MAILDESK" -c maildesk.conf deliver < "$F/1764000002.M2P1.fixture"
ok $? "the MTA's retry succeeds"
is "$(sql $DB 'select count(*) from tickets')" 2 "and stores it"

# A full database: SQLite's max_page_count through the test-only hook.
pages=$(sql $DB 'pragma page_count')
MAILDESK_TEST_MAX_PAGE_COUNT=$pages "$MAILDESK" -c maildesk.conf \
	deliver < "$F/1764000003.M3P1.fixture" 2> full.err
is $? 75 "deliver exits 75 when the database is full"
is "$(sql $DB 'select count(*) from tickets')" 2 "nothing was half-stored"

before=$(sql $DB 'select count(*) from tickets')
# A lock held for 4 seconds (the busy_timeout was 3 before it could be
# set): by default, deliver waits for it and stores the mail.
hold
"$MAILDESK" -c maildesk.conf deliver < "$F/1764000004.M4P1.fixture" 2> waited.err &
waiter=$!
sleep 4
touch release; wait $holder
wait $waiter
is $? 0 "by default deliver waits out a lock held for seconds"
is "$(cat waited.err)" "" "and says nothing"
is "$(sql $DB 'select count(*) from tickets')" "$((before + 1))" "the mail is stored"
done_testing
