#!/bin/sh
# t-035-backup-purge: maildesk backup copies the live database (while the
# daemon ingests), the copy restores to the same desk; maildesk purge and
# retention.closed_after_days remove closed tickets' mail and nothing else
# (issue 10, item 7).
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 26
cd "$WORK" || exit 1
DB=$WORK/var/maildesk.db
pid=
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; true' EXIT

fixtures in
write_conf md.conf
# The fixtures' lists and bounces open tickets as before issue 8: this test
# counts them.
sed -i 's/automated = "close";/automated = "open";/' md.conf
md() { "$MAILDESK" -c md.conf "$@"; }
md --now 2026-01-05T10:00:00Z ingest in > /dev/null 2>&1
md --now 2026-01-10T10:00:00Z close 1 > /dev/null
md --now 2026-01-10T10:00:00Z close 2 > /dev/null
md --now 2026-03-02T10:00:00Z close 3 > /dev/null
# A ticket with mail still queued is not purged (it would be sent
# without its rows): send first, as the daemon does.
md --now 2026-03-02T10:01:00Z send > /dev/null
# A quarantine row naming one of ticket 1's mails: the quarantine keeps it.
qraw=$(sql "$DB" "SELECT min(raw) FROM messages WHERE ticket = 1")
sql "$DB" "INSERT INTO quarantine (raw, received, reason) VALUES
	($qraw, 1, 'test row')"

# What must not change: every row that is not tickets 1 and 2's.
others() {
	sql "$DB" "SELECT * FROM tickets WHERE id > 2;
		SELECT * FROM messages WHERE ticket > 2;
		SELECT * FROM participants WHERE ticket > 2;
		SELECT * FROM outbox WHERE ticket IS NULL OR ticket > 2;
		SELECT * FROM events WHERE ticket > 2;
		SELECT * FROM quarantine;
		SELECT id, hex(data) FROM raw WHERE id NOT IN ($purged_raw)"
}
kept() {	# ticket 1 and 2's rows that purge keeps
	sql "$DB" "SELECT id, status, created, closed_at, escalated
		FROM tickets WHERE id <= 2"
}
purged_raw=$(sql "$DB" "SELECT group_concat(raw) FROM (SELECT raw FROM
	messages WHERE ticket <= 2 UNION SELECT raw FROM outbox WHERE ticket <= 2)")
others > others.before
kept > kept.before
n12=$(sql "$DB" "SELECT count(*) FROM messages WHERE ticket <= 2")
[ "$n12" -gt 0 ]; ok $? "tickets 1 and 2 have $n12 messages"
sum() { sql "$DB" "SELECT (SELECT count(*) FROM messages) || ' ' ||
	(SELECT count(*) FROM raw) || ' ' || (SELECT count(*) FROM participants)"; }
before=$(sum)

# --- purge --------------------------------------------------------------
md purge --closed-before 2026-02-01 --dry-run > out 2> err
is "$? $(cat out)" "0 would purge 2 tickets, $n12 messages, $(($(echo "$purged_raw" | tr ',' '\n' | wc -l) - 1)) mails" \
	"--dry-run counts tickets 1 and 2"
is "$(sum)" "$before" "--dry-run changes nothing"
grep -q '^maildesk: ticket=1 purged (retention): .* (dry run: nothing removed)$' err
ok $? "--dry-run logs what it would do"
md purge --closed-before=2026-02-01 > out 2> err
is "$? $(cut -d' ' -f1-2 out)" "0 purged 2" "purge --closed-before 2026-02-01"
grep -q '^maildesk: ticket=2 purged (retention): [0-9]* messages, [0-9]* mails$' err
ok $? "the purge is logged per ticket"
is "$(sql "$DB" "SELECT count(*) FROM messages WHERE ticket <= 2")" 0 \
	"their messages are gone"
is "$(sql "$DB" "SELECT count(*) FROM participants WHERE ticket <= 2")" 0 \
	"their participants are gone"
is "$(sql "$DB" "SELECT count(*) FROM outbox WHERE ticket <= 2")" 0 \
	"their sent mail is gone"
is "$(sql "$DB" "SELECT group_concat(id) FROM raw WHERE id IN ($purged_raw)")" \
	"$qraw" "their raw mails are gone, but for the quarantined one"
is "$(sql "$DB" "SELECT DISTINCT subject || '|' || requester || '|' ||
	messages FROM tickets WHERE id <= 2")" "(purged)||0" \
	"the ticket rows lose subject and requester"
kept > kept.after
cmp_file kept.after kept.before "and keep number, state and dates"
is "$(sql "$DB" "SELECT count(*) FROM events WHERE ticket <= 2 AND
	what LIKE 'purged (retention)%'")" 2 "an event on each"
others > others.after
cmp_file others.after others.before "nothing else is touched"
md purge --closed-before 2026-02-01 > out 2>&1
is "$(cat out)" "purged 0 tickets, 0 messages, 0 mails" "a second purge finds nothing"
md purge > out 2> err
is "$? $(head -1 err)" "64 maildesk purge: --closed-before DATE is required" \
	"purge without a date: usage error"

# --- retention.closed_after_days in the daemon -------------------------------
sed 's|^retention = .*|retention = { closed_after_days = 30; };|' md.conf > ret.conf
"$MAILDESKD" -c ret.conf --once --now 2026-03-20T10:00:00Z > d.log 2>&1
is "$(sql "$DB" "SELECT messages FROM tickets WHERE id = 3")" \
	"$(sql "$DB" "SELECT count(*) FROM messages WHERE ticket = 3")" \
	"ticket 3, closed 18 days before, is kept"
[ "$(sql "$DB" "SELECT messages FROM tickets WHERE id = 3")" -gt 0 ]
ok $? "... with its messages"
"$MAILDESKD" -c ret.conf --once --now 2026-04-20T10:00:00Z > d.log 2>&1
is "$(sql "$DB" "SELECT count(*) FROM messages WHERE ticket = 3")" 0 \
	"closed 49 days before: purged by maildeskd"
grep -q 'retention: purged 1 tickets closed more than 30 days ago' d.log
ok $? "and logged"

# --- backup -------------------------------------------------------------
md backup b1.db > out 2> err
is "$? $(stat -c %a b1.db)" "0 600" "backup FILE: exit 0, mode 0600"
sql "$DB" .dump > live.dump
sql b1.db .dump > b1.dump
cmp_file b1.dump live.dump "the copy holds the same rows"
[ ! -e b1.db-wal ] && [ ! -e b1.db.tmp ]
ok $? "one file, no WAL, no temporary left"

# While the daemon ingests, each copy is consistent.
mkdir -p live/new live/cur live/tmp
sed 's|"var/inbox"|"live"|' md.conf > live.conf
"$MAILDESKD" -c live.conf > live.log 2>&1 &
pid=$!
i=0; bad=0
for f in "$MD_SRCDIR"/maildir-fixtures/new/*; do
	i=$((i + 1))
	sed "s/^Message-ID: <\(.*\)>/Message-ID: <live$i.\1>/I" "$f" > live/tmp/m$i
	mv live/tmp/m$i live/new/m$i
	[ $((i % 10)) -eq 0 ] || continue
	"$MAILDESK" -c live.conf backup b$i.db 2>> backups.err || bad=$((bad + 1))
	# The counters kept by triggers agree with the rows they count.
	c=$(sql b$i.db "SELECT (SELECT value FROM counters WHERE name =
		'messages.in') = (SELECT count(*) FROM messages WHERE direction = 'in')
		AND (SELECT sum(messages) FROM tickets) = (SELECT count(*) FROM messages)")
	[ "$(sql b$i.db 'PRAGMA integrity_check')" = ok ] && [ "$c" = 1 ] ||
		bad=$((bad + 1))
done
is "$bad" 0 "5 copies taken while the daemon ingests are whole and consistent"
wait_until 20 '[ "$(ls live/new | wc -l)" -eq 0 ]'
kill -TERM "$pid"; wait "$pid"; pid=
md backup final.db 2> /dev/null
mkdir -p restored/var && cp final.db restored/var/maildesk.db
sed 's|state_dir = "var"|state_dir = "restored/var"|' md.conf > restored.conf
md list --all --json > live.json
"$MAILDESK" -c restored.conf list --all --json > restored.json
cmp_file restored.json live.json "the restored copy lists the same tickets"
[ "$(grep -o '"id":' restored.json | wc -l)" -gt 25 ]
ok $? "... all of them"

done_testing
