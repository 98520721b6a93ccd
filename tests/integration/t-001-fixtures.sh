#!/bin/sh
# Every fixture lands where tests/data/fixtures-expected.tsv says, with the
# right role and an acknowledgement only for people; replaying changes
# nothing.
. "$MD_SRCDIR/tests/integration/lib.sh"
EXPECTED=$MD_SRCDIR/tests/data/fixtures-expected.tsv
rows=$(($(wc -l < "$EXPECTED") - 1))
plan $((rows * 2 + 10))

cd "$WORK" || exit 1
write_conf maildesk.conf
fixtures in
NOW=2026-11-23T10:00:00+01:00
DB=var/maildesk.db
"$MAILDESK" -c maildesk.conf --now $NOW ingest in > ingest.out 2> ingest.err
ok $? "ingest of maildir-fixtures exits 0"

tail -n +2 "$EXPECTED" > expected.tsv
while IFS='	' read -r file outcome ticket role answered note; do
	row=$(sql $DB "select ticket || ' ' || role from messages
		where source = 'ingest:new/$file'")
	case $outcome in
	duplicate) is "$row" "" "$file: duplicate recorded once ($note)" ;;
	quarantine) is "$(sql $DB "select count(*) from quarantine q
		join raw r on r.id = q.raw where q.source = 'ingest:new/$file'")" 1 \
		"$file: quarantined ($note)" ;;
	*) is "$row" "$ticket $role" "$file: $outcome on ticket $ticket as $role ($note)" ;;
	esac
	acks=$(sql $DB "select count(*) from messages o, messages i
		where i.source = 'ingest:new/$file' and o.kind = 'ack'
		and o.in_reply_to = i.message_id and o.ticket = i.ticket")
	[ "$answered" = yes ] && want=1 || want=0
	is "$acks" "$want" "$file: acknowledged: $answered"
done < expected.tsv

tickets=$(tail -n +2 "$EXPECTED" | cut -f3 | sort -n | tail -1)
is "$(sql $DB 'select count(*) from tickets')" "$tickets" "$tickets tickets"
is "$(sql $DB "select count(*) from messages m join messages i
	on m.in_reply_to = i.message_id and i.direction = 'in'
	where m.kind = 'ack' and i.role in ('automated', 'desk')")" 0 \
	"no automated mail gets an acknowledgement"
is "$(sql $DB "select count(*) from outbox where (rcpts like '%support@desk.example%'
	or rcpts like '%helpdesk@desk.example%')")" 0 \
	"nothing is queued to the desk itself"
is "$(sql $DB "select rcpts || ' ' || kind from outbox where rcpts like '%desk.example%'
	and rcpts not like '%agents@desk.example%'")" "bob@desk.example notify" \
	"agents only get notifications: #assign bob tells bob (issue 8)"

before=$(sql $DB "select (select count(*) from messages) || '/' ||
	(select count(*) from outbox) || '/' || (select count(*) from tickets)")
"$MAILDESK" -c maildesk.conf --now $NOW ingest in > replay.out 2>&1
ok $? "replay exits 0"
is "$(cut -d, -f1 replay.out)" "0 stored" "replay stores nothing"
after=$(sql $DB "select (select count(*) from messages) || '/' ||
	(select count(*) from outbox) || '/' || (select count(*) from tickets)")
is "$after" "$before" "replay changes no row"
is "$(find in -type f | wc -l | tr -d ' ')" \
   "$(find "$MD_SRCDIR/maildir-fixtures" -type f | wc -l | tr -d ' ')" \
   "ingest leaves the files where they were"
"$MAILDESK" -c maildesk.conf list --json > list.json
/usr/bin/python3 -c 'import json,sys; d=json.load(open("list.json")); sys.exit(0 if len(d) > 0 and all(k in d[0] for k in ("id","status","subject","requester","created","updated","messages","escalated","upstream_ref","due")) else 1)'
ok $? "list --json has the fields of spec 7b"
done_testing
