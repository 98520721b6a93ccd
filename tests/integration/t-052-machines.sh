#!/bin/sh
# Machines are never answered (issue 8): auto-replies without
# Auto-Submitted, noreply senders, lists, abuse and DMARC reports,
# challenge-response; a bounce goes on the ticket of the mail it returns
# and marks the address bouncing; autoreply.automated files a machine's
# new ticket closed (default), quarantines it or opens it.  The fixtures
# under tests/data/machines are written from RFC 3464, 5965, 7489 and the
# documented shapes of Exim and Exchange, not copied.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 13
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
M=$MD_SRCDIR/tests/data/machines
NOW=--now=2026-11-23T10:00:00+01:00
md() { "$MAILDESK" -c "${CONF:-maildesk.conf}" $NOW "$@"; }
md deliver < "$MD_SRCDIR/maildir-fixtures/new/1764000001.M1P1.fixture" || exit 1
ACK=$(sql $DB "select message_id from messages where kind = 'ack' and ticket = 1")
# a colleague on the thread, whose address will bounce
sql $DB "insert into participants (ticket, address, role) values (1, 'collegue@client.example', 'participant')"
for f in autoreply-subject newsletter arf complaint dmarc challenge bounce-plain; do
	md deliver < "$M/$f.eml" || echo "deliver $f failed"
done
sed "s/@OURMID@/$ACK/" "$M/dsn-headers.eml" | md deliver

is "$(sql $DB "select count(*) from messages m where m.kind = 'ack' and m.ticket > 1")" 0 \
   "no acknowledgement of any automated mail"
is "$(sql $DB "select group_concat(role, ' ') from messages where direction = 'in' and ticket = 1 and id > 1 order by id")" \
   "automated automated" "the plain bounce and the DSN are on the ticket of the mail they return"
is "$(sql $DB "select count(*) from tickets")" 7 "and open no ticket of their own"
is "$(sql $DB "select group_concat(address, ' ') from (select address from addresses where bouncing = 1 order by address)")" \
   "collegue@client.example martine.lefevre@mairie-exemple.fr" "both failed recipients are marked bouncing"
is "$(sql $DB "select status from tickets where id = 1")" open "a bounce does not change the ticket"
T_OOF=$(sql $DB "select ticket from messages where message_id = 'oof-1@client.example'")
is "$(sql $DB "select role || ' ' || status from messages m join tickets t on t.id = m.ticket where m.message_id = 'oof-1@client.example'")" \
   "automated open" "a person's out-of-office opens a ticket, unacknowledged"
is "$(sql $DB "select group_concat(t.status, ' ') from messages m join tickets t on t.id = m.ticket where m.message_id in ('nl-2026-11@news.example', 'arf-1@isp.example', 'complaint-1@isp.example', 'dmarc-1@receiver.example', 'cr-1@antispam.example') order by m.id")" \
   "closed closed closed closed closed" "list, abuse reports, DMARC report and challenge: closed tickets"
is "$(sql $DB "select count(*) from messages m where m.kind = 'notify' and m.ticket in (select ticket from messages where message_id in ('nl-2026-11@news.example', 'arf-1@isp.example', 'complaint-1@isp.example', 'dmarc-1@receiver.example', 'cr-1@antispam.example'))")" 0 \
   "the agents are not notified of them"
is "$(sql $DB "select count(*) from tickets where status = 'closed' and due is not null")" 0 \
   "no timer runs on them (no reminder)"
"$MAILDESK" -c maildesk.conf --now=2026-12-10T10:00:00+01:00 tick > /dev/null 2>&1
is "$(sql $DB "select count(*) from messages where kind in ('reminder', 'close') and ticket <> 1 and ticket <> $T_OOF")" 0 \
   "and the timers send them nothing, days later"

# autoreply.automated = "quarantine"
mkdir q
sed 's/automated = "close";/automated = "quarantine";/' maildesk.conf > q/maildesk.conf
CONF=q/maildesk.conf md deliver < "$M/newsletter.eml"
is "$(sql q/var/maildesk.db "select reason from quarantine")" automated "quarantine: kept aside with reason automated"
is "$(sql q/var/maildesk.db "select count(*) from tickets")" 0 "and no ticket"
# autoreply.automated = "open"
mkdir o
sed 's/automated = "close";/automated = "open";/' maildesk.conf > o/maildesk.conf
CONF=o/maildesk.conf md deliver < "$M/newsletter.eml"
is "$(sql o/var/maildesk.db "select status || ' ' || (select count(*) from messages where kind = 'ack') from tickets")" "open 0" \
   "open: an open ticket, still unacknowledged"
done_testing
