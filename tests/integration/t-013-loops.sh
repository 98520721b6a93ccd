#!/bin/sh
# Loop protection (spec 5): the daily allowance of automatic mails per
# address, our own mail coming back, X-Loop, and a bounce marking the
# requester's address.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 9
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
req() { # req N DAY: a new request number N from the same person
	printf 'From: pat@example.org\nTo: support@desk.example\nSubject: demande %s\nMessage-ID: <req-%s@example.org>\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n\nbonjour\n' "$1" "$1"
}
for n in 1 2 3 4 5 6; do
	req $n | "$MAILDESK" -c maildesk.conf --now=2026-11-23T10:0$n:00+01:00 deliver
done
is "$(sql $DB "select count(*) from tickets")" 6 "six requests, six tickets"
is "$(sql $DB "select count(*) from messages where kind = 'ack' and to_addrs = 'pat@example.org'")" 5 \
   "but only autoreply.per_sender_per_day = 5 acknowledgements"
is "$(sql $DB "select count(*) from events where ticket = 6 and what like 'automatic mail to pat@example.org not sent: 5 already sent today'")" 1 \
   "the sixth is recorded on its ticket"
req 7 | "$MAILDESK" -c maildesk.conf --now=2026-11-24T09:00:00+01:00 deliver
is "$(sql $DB "select count(*) from messages where kind = 'ack' and to_addrs = 'pat@example.org'")" 6 \
   "the next day the allowance starts again"

# Our acknowledgement bounced back to us verbatim (a forwarding loop).
sql $DB "select writefile('ack.eml', r.data) from messages m join raw r on r.id = m.raw where m.kind = 'ack' limit 1" > /dev/null
"$MAILDESK" -c maildesk.conf deliver < ack.eml
is "$(sql $DB "select role from messages where direction = 'in' order by id desc limit 1")" desk \
   "our own mail coming back is recognised as the desk's"
before=$(sql $DB "select count(*) from outbox")
printf 'From: robot@example.org\nTo: support@desk.example\nX-Loop: support@desk.example\nSubject: loop\nMessage-ID: <loop-1@example.org>\n\nx\n' |
	"$MAILDESK" -c maildesk.conf deliver
is "$(sql $DB "select count(*) from outbox")" "$before" "a mail with our X-Loop causes no mail at all"

# A delivery report about pat: the address is marked bouncing.
printf 'From: MAILER-DAEMON@mx.example.org\nTo: support@desk.example\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <dsn-1@mx.example.org>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n--b\nContent-Type: text/plain\n\nfailed\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; pat@example.org\nAction: failed\nStatus: 5.1.1\n--b--\n' |
	"$MAILDESK" -c maildesk.conf deliver
is "$(sql $DB "select bouncing from addresses where address = 'pat@example.org'")" 1 \
   "a bounce marks the reported address bouncing"
is "$(sql $DB "select role from messages where message_id = 'dsn-1@mx.example.org'")" automated \
   "the bounce is stored as automated"
is "$(sql $DB "select count(*) from messages o join messages i on o.in_reply_to = i.message_id where i.message_id = 'dsn-1@mx.example.org' and o.kind = 'ack'")" 0 \
   "and gets no acknowledgement"
done_testing
