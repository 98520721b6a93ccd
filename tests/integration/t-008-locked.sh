#!/bin/sh
# A locked or full database is a temporary failure: deliver exits 75 so the
# MTA retries, and nothing is half-stored.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 7
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
F=$MD_SRCDIR/maildir-fixtures/new
"$MAILDESK" -c maildesk.conf deliver < "$F/1764000001.M1P1.fixture" || exit 1

# Another writer holds the database: python keeps BEGIN IMMEDIATE open
# until told to stop (it creates the file "go" when it holds the lock).
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
"$MAILDESK" -c maildesk.conf deliver < "$F/1764000002.M2P1.fixture" 2> locked.err
is $? 75 "deliver exits 75 (EX_TEMPFAIL) while the database is locked"
grep -q "database.*locked" locked.err
ok $? "the error says the database is locked"
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
done_testing
