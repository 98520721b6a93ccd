#!/bin/sh
# maildesk ingest --no-mail DIR (issue 8): old mail imported without
# writing to anyone: the tickets are as they would be, nothing is queued.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 6
cd "$WORK" || exit 1
mkdir quiet loud
write_conf quiet/maildesk.conf
write_conf loud/maildesk.conf
fixtures in
NOW=--now=2026-11-23T10:00:00+01:00
"$MAILDESK" -c quiet/maildesk.conf $NOW ingest --no-mail in/new > quiet.out
ok $? "ingest --no-mail exits 0"
grep -q ' 0 mails queued$' quiet.out
ok $? "it says no mail was queued"
is "$(sql quiet/var/maildesk.db "select count(*) from outbox") $(sql quiet/var/maildesk.db "select count(*) from messages where direction = 'out'")" \
   "0 0" "nothing in the outbox, no outgoing message"
"$MAILDESK" -c loud/maildesk.conf $NOW ingest in/new > /dev/null || exit 1
[ "$(sql loud/var/maildesk.db "select count(*) from outbox")" -gt 0 ]
ok $? "the same mail ingested normally queues mails"
is "$(sql quiet/var/maildesk.db "select group_concat(id || ':' || status || ':' || messages, ' ') from (select t.id, t.status, (select count(*) from messages m where m.ticket = t.id and m.direction = 'in') messages from tickets t order by t.id)")" \
   "$(sql loud/var/maildesk.db "select group_concat(id || ':' || status || ':' || messages, ' ') from (select t.id, t.status, (select count(*) from messages m where m.ticket = t.id and m.direction = 'in') messages from tickets t order by t.id)")" \
   "the tickets are as they would be: same numbers, states and messages"
is "$(sql quiet/var/maildesk.db "select count(*) from autoreplies")" 0 "no daily allowance taken"
done_testing
