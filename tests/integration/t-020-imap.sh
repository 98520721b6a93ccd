#!/bin/sh
# maildeskd served live from a real Dovecot: a mail saved into the INBOX
# comes out as an acknowledgement at the real SMTP sink, threaded by its
# headers; IDLE, polling, move and seen modes.
. "$MD_SRCDIR/tests/integration/lib.sh"
. "$MD_SRCDIR/tests/integration/dovecot.sh"
plan 16
cd "$WORK" || exit 1
cleanup() {
	[ -f d.pid ] && kill "$(cat d.pid)" 2> /dev/null
	sinks_stop; dovecot_stop
}
trap cleanup EXIT
dovecot_start || { echo "Bail out! Dovecot did not start"; exit 1; }
sink_start sink
F=$MD_SRCDIR/maildir-fixtures/new
sinkcount() { ls sink | grep -c 'json$'; }

# 1. IDLE, move: delivery -> ticket -> acknowledgement at the sink.
mkdir idle
imap_conf idle/maildesk.conf "imap://127.0.0.1:$IMAP_PORT/INBOX" move true \
	"outbound = { type = \"smtp\"; url = \"smtp://127.0.0.1:$SINK_PORT\"; starttls = false; };"
"$MAILDESKD" -c idle/maildesk.conf --pidfile d.pid 2> idle/log &
wait_until 10 'test -s d.pid'
ok $? "maildeskd starts with an IMAP source"
dovecot_deliver desk "$F/1764000001.M1P1.fixture"
wait_until 10 'test "$(sinkcount)" -ge 2'
ok $? "the acknowledgement and the notification reach the SMTP sink"
orig=$(header "$F/1764000001.M1P1.fixture" Message-ID)
ack=$(grep -l 'martine.lefevre' sink/*.json | head -1)
is "$(header "${ack%.json}.eml" In-Reply-To)" "$orig" "the acknowledgement answers the requester's mail"
wait_until 5 'test "$(mailbox_count desk INBOX)" -eq 0'
ok $? "the message left the INBOX"
is "$(mailbox_count desk Done)" 1 "and was moved to Done after the commit"

# A reply without the tag, by its In-Reply-To only, to the desk's answer.
ackid=$(header "${ack%.json}.eml" Message-ID)
printf 'From: Martine Lefevre <martine.lefevre@mairie-exemple.fr>\nTo: support@desk.example\nSubject: Re: mot de passe\nMessage-ID: <reply-1@mairie-exemple.fr>\nIn-Reply-To: %s\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n\nToujours bloque.\n' "$ackid" > reply.eml
dovecot_deliver desk reply.eml
wait_until 10 'test "$(sql idle/var/maildesk.db "select count(*) from messages where message_id = '"'reply-1@mairie-exemple.fr'"'")" -eq 1'
ok $? "a reply saved into the INBOX is taken while idling"
is "$(sql idle/var/maildesk.db "select ticket from messages where message_id = 'reply-1@mairie-exemple.fr'")" 1 \
   "threaded onto ticket 1 by In-Reply-To naming the desk's signed Message-ID"
kill "$(cat d.pid)"; wait_until 10 'test ! -f d.pid'
ok $? "SIGTERM stops it"

# 2. Polling (idle = false), seen mode: the message stays, flagged \Seen.
mkdir poll
imap_conf poll/maildesk.conf "imap://127.0.0.1:$IMAP_PORT/INBOX" seen false
"$MAILDESKD" -c poll/maildesk.conf --pidfile d.pid 2> poll/log &
wait_until 10 'test -s d.pid'
dovecot_deliver desk "$F/1764000002.M2P1.fixture"
wait_until 10 'test "$(sql poll/var/maildesk.db "select count(*) from tickets")" -eq 1'
ok $? "polling takes the new message"
wait_until 5 'doveadm -c "$DOVECOT_CONF" fetch -u desk flags mailbox INBOX | grep -q Seen'
ok $? "after = seen flags it \\Seen"
is "$(mailbox_count desk INBOX)" 1 "and leaves it in the INBOX"
wait_until 5 'test "$(ls poll/var/outbox/new | wc -l)" -ge 2'
ok $? "its acknowledgement is written by the maildir transport"
kill "$(cat d.pid)"; wait_until 10 'test ! -f d.pid'

# 3. Mail waiting while the daemon was down is taken at start; imaps.
mkdir down
imap_conf down/maildesk.conf "imaps://127.0.0.1:$IMAPS_PORT/INBOX" move true
doveadm -c "$DOVECOT_CONF" expunge -u desk mailbox INBOX all
dovecot_deliver desk "$F/1764000003.M3P1.fixture"
dovecot_deliver desk "$F/1764000004.M4P1.fixture"
"$MAILDESKD" -c down/maildesk.conf --once 2> down/log
ok $? "maildeskd --once over imaps:// with the test CA"
is "$(sql down/var/maildesk.db 'select count(*) from tickets')" 2 "takes what arrived while it was down"
is "$(mailbox_count desk INBOX)" 0 "and moves it"

# 4. Certificate not trusted: refused, nothing taken, the error said once.
sed 's|tls_ca_file = "[^"]*";||' down/maildesk.conf > down/nocert.conf
dovecot_deliver desk "$F/1764000005.M5P1.fixture"
"$MAILDESKD" -c down/nocert.conf --once 2> down/nocert.log
grep -q 'certificate verification failed' down/nocert.log && \
	[ "$(mailbox_count desk INBOX)" -eq 1 ]
ok $? "an untrusted certificate is refused by default and nothing is taken"
done_testing
