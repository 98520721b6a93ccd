#!/bin/sh
# A desk fed only by maildesk deliver (the Postfix pipe), with no daemon
# and no maildesk send: no deliver checkpoints at exit, yet the WAL stays
# bounded by wal_autocheckpoint; four feeders in parallel store every mail
# exactly once and never exit 75 (the database is never busy beyond
# busy_timeout); maildesk send folds the WAL back at exit.  4,000 mails,
# several times the checkpoint interval of pages written (3,000
# under the sanitizers); MD_WAL_MAILS=10000 for the issue's full run
# (about 3 minutes on two idle cores).
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 8
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
N=${MD_WAL_MAILS:-4000}
[ "${MD_SANITIZERS:-no}" = yes ] && N=${MD_WAL_MAILS:-3000}
FEEDERS=4
PAGE=16384
AUTOCHECKPOINT=8192	# db.c: PRAGMA wal_autocheckpoint

# feeder K: mails K, K+4, K+8... each a new request from its own sender
# (an acknowledgement and a notification queued for each).
feeder() {
	i=$1
	while [ "$i" -lt "$N" ]; do
		printf 'From: user%d@example.org\nTo: support@desk.example\nSubject: Request %d\nMessage-ID: <wal.%d@example.org>\nDate: Mon, 23 Nov 2026 09:00:00 +0100\n\nThe printer on floor %d is out of paper.\n' \
			"$i" "$i" "$i" "$i" |
			"$MAILDESK" -c maildesk.conf --now=2026-11-23T10:00:00+01:00 deliver 2>> feed.err
		echo $? >> "rc.$1"
		i=$((i + FEEDERS))
	done
}
# The first one alone creates the database (schema, secret).
"$MAILDESK" -c maildesk.conf stats > /dev/null || exit 1
k=0
while [ $k -lt $FEEDERS ]; do feeder $k & k=$((k + 1)); done
wait
# Sizes first: the sqlite3 shell, last to close, would checkpoint.  The
# WAL header's checkpoint sequence counts its restarts (a restart follows
# a checkpoint that copied every frame into the database).
wal=$(stat -c %s $DB-wal)
db=$(stat -c %s $DB)
restarts=$(od -An -tu1 -j12 -N4 $DB-wal | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }')
# Four writers and their readers can overrun the checkpoint for a while:
# bounded means at most twice wal_autocheckpoint, whatever N.
max=$(( 2 * AUTOCHECKPOINT * (PAGE + 24) + 32 ))
is "$(cat rc.* | sort | uniq -c | awk '{print $2 ":" $1}' | tr '\n' ' ')" "0:$N " \
	"every deliver exits 0 (no 75 with four feeders)"
is "$(sql $DB "select count(*), count(distinct message_id) from messages where direction = 'in'")" \
	"$N|$N" "every mail stored exactly once"
is "$(sql $DB 'select count(*) from tickets')" "$N" "one ticket each"
[ "$wal" -le "$max" ]
ok $? "the WAL stays bounded by wal_autocheckpoint ($wal <= $max bytes)"
# Without a checkpoint the database file would hold the schema alone.
[ "$db" -gt 1048576 ]
ok $? "and was checkpointed into the database on the way ($db bytes; the WAL restarted $restarts times)"
is "$(sql $DB "pragma integrity_check")" ok "the database is sound"
printf 'From: last@example.org\nTo: support@desk.example\nSubject: Last\nMessage-ID: <wal.last@example.org>\n\nHello.\n' |
	"$MAILDESK" -c maildesk.conf deliver
[ "$(stat -c %s $DB-wal)" -gt 0 ]
ok $? "a deliver leaves its pages in the WAL"
"$MAILDESK" -c maildesk.conf send > /dev/null
wal=0; [ -e $DB-wal ] && wal=$(stat -c %s $DB-wal)
is "$wal" 0 "maildesk send folds the WAL back into the database at exit"
done_testing
