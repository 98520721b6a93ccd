#!/bin/sh
# A desk fed by maildesk deliver one mail at a time, with no other process
# holding the database open (no daemon; a Postfix pipe with maxproc 1):
# each deliver finds the WAL's index gone and rebuilds it from the WAL,
# counting none of it as checkpointed, so without more the WAL never
# restarted and grew with every mail (and every deliver read all of it).
# deliver folds the WAL back and truncates it past 4 MiB: it stays
# bounded, every mail is stored and in the database file.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 8
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
N=200
LIMIT=$((4 * 1024 * 1024))	# cmd-deliver.c: WAL_TRUNCATE_BYTES
"$MAILDESK" -c maildesk.conf stats > /dev/null || exit 1
i=0
: > rc
while [ $i -lt $N ]; do
	printf 'From: user%d@example.org\nTo: support@desk.example\nSubject: Request %d\nMessage-ID: <alone.%d@example.org>\nDate: Mon, 23 Nov 2026 09:00:00 +0100\n\nThe printer on floor %d is out of paper.\n' \
		"$i" "$i" "$i" "$i" |
		"$MAILDESK" -c maildesk.conf --now=2026-11-23T10:00:00+01:00 deliver 2>> feed.err
	echo $? >> rc
	i=$((i + 1))
done
# Sizes first: the sqlite3 shell, last to close, would checkpoint.
wal=$(stat -c %s $DB-wal)
db=$(stat -c %s $DB)
# At most the limit and the commit that crossed it (a few dozen pages).
max=$(( LIMIT + 64 * (16384 + 24) + 32 ))
is "$(sort rc | uniq -c | awk '{print $2 ":" $1}' | tr '\n' ' ')" "0:$N " "every deliver exits 0"
is "$(sql $DB "select count(*), count(distinct message_id) from messages where direction = 'in'")" \
	"$N|$N" "every mail stored exactly once"
[ "$wal" -le "$max" ]
ok $? "the WAL stays bounded with one deliver at a time ($wal <= $max bytes)"
[ "$db" -gt 1048576 ]
ok $? "the mail was folded back into the database file ($db bytes)"
is "$(sql $DB "pragma integrity_check")" ok "the database is sound"
is "$(cat feed.err)" "" "nothing on stderr"

# maildesk ingest, a batch of any size, leaves no WAL behind when it
# closes alone (the next lone command would rebuild its index from all
# of it).
mkdir -p batch/new batch/cur batch/tmp
i=0
while [ $i -lt 300 ]; do
	printf 'From: batch%d@example.org\nTo: support@desk.example\nSubject: Batch %d\nMessage-ID: <batch.%d@example.org>\n\nOld mail %d.\n' \
		"$i" "$i" "$i" "$i" > batch/new/$i.eml
	i=$((i + 1))
done
"$MAILDESK" -c maildesk.conf --now=2026-11-23T11:00:00+01:00 ingest batch > ingest.out 2>&1
is "$(cut -d, -f1 ingest.out)" "300 stored" "ingest stores the batch"
[ ! -s $DB-wal ]
ok $? "and leaves no WAL behind ($(stat -c %s $DB-wal 2> /dev/null || echo no) bytes)"
done_testing
