#!/bin/sh
# maildesk deliver: one message on stdin, exit codes per sysexits.h.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 12
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
F=$MD_SRCDIR/maildir-fixtures/new
NOW=--now=2026-11-23T10:00:00+01:00

"$MAILDESK" -c maildesk.conf $NOW deliver < "$F/1764000001.M1P1.fixture"
ok $? "deliver a new request exits 0"
is "$(sql $DB 'select count(*) from tickets')" 1 "one ticket"
is "$(sql $DB "select status || ' ' || requester from tickets")" \
   "open martine.lefevre@mairie-exemple.fr" "open, with the sender as requester"
is "$(sql $DB "select group_concat(m.kind || ':' || rcpts, ' ') from outbox o
	join messages m on m.id = o.message")" \
   "ack:martine.lefevre@mairie-exemple.fr notify:agents@desk.example" \
   "acknowledgement and notification queued in the same transaction"
is "$(sql $DB "select source from messages where direction = 'in'")" \
   "deliver:stdin" "source recorded"

"$MAILDESK" -c maildesk.conf $NOW deliver < "$F/1764000001.M1P1.fixture"
ok $? "the same message again exits 0"
is "$(sql $DB "select count(*) from messages where direction = 'in'")" 1 \
   "and is recorded once"

printf 'From: a@example.org\nSubject: [Helpdesk #1] Re: mot de passe\nMessage-ID: <r1@example.org>\n\nmerci\n' |
	"$MAILDESK" -c maildesk.conf $NOW deliver
ok $? "a stranger's tagged mail exits 0"
is "$(sql $DB "select linked || ' ' || requester from tickets where id = 2")" \
   "1 a@example.org" "opens ticket 2 linked to ticket 1, not ticket 1"

printf 'not a mail at all' | "$MAILDESK" -c maildesk.conf $NOW deliver
ok $? "garbage exits 0: kept, not refused"
is "$(sql $DB 'select count(*) from quarantine')" 1 "garbage is quarantined"

"$MAILDESK" -c maildesk.conf deliver extra-argument < /dev/null
is $? 75 "usage error exits 75: a wrong pipe command defers, never bounces"
done_testing
