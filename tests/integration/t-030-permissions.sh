#!/bin/sh
# The state directory and the database (HMAC secret, every mail) are
# private whatever the umask (issue 7, item 11).
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 7
cd "$WORK" || exit 1
write_conf maildesk.conf
F=$MD_SRCDIR/maildir-fixtures/new/1764000001.M1P1.fixture
mode() { stat -c %a "$1"; }

(umask 000; "$MAILDESK" -c maildesk.conf deliver < "$F")
ok $? "deliver under umask 000"
is "$(mode var)" 750 "state directory 0750"
is "$(mode var/maildesk.db)" 600 "database 0600"
# A writer that dies holding the database leaves its WAL and shared
# memory behind, made under umask 000 by SQLite, not by maildesk.
(umask 000; /usr/bin/python3 -c '
import os, sqlite3
c = sqlite3.connect("var/maildesk.db", isolation_level=None)
c.execute("insert into events (ticket, at, what) values (1, 0, ?)", ("x",))
os._exit(0)')
w=$(ls var/maildesk.db-wal var/maildesk.db-shm 2> /dev/null | wc -l)
perms=$(for f in var/maildesk.db-wal var/maildesk.db-shm; do
	[ -e "$f" ] && mode "$f"; done | sort -u | tr '\n' ' ')
is "$w $perms" "2 600 " "WAL and shared memory 0600"

# A database made by an older maildesk, world-readable, is fixed.
chmod 644 var/maildesk.db
[ -e var/maildesk.db-wal ] && chmod 644 var/maildesk.db-wal
"$MAILDESK" -c maildesk.conf list > /dev/null
ok $? "list on a world-readable database"
is "$(mode var/maildesk.db)" 600 "made private by the next run"
is "$( [ -e var/maildesk.db-wal ] && mode var/maildesk.db-wal || echo 600)" \
   600 "its WAL too"
done_testing
