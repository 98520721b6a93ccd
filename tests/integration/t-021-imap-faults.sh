#!/bin/sh
# Faults on the IMAP side: Dovecot restarted in the middle of the work and
# a refused login.  The daemon logs, backs off, reconnects, and in the end
# every message is stored exactly once and moved exactly once.
. "$MD_SRCDIR/tests/integration/lib.sh"
. "$MD_SRCDIR/tests/integration/dovecot.sh"
plan 14
cd "$WORK" || exit 1
cleanup() {
	[ -f d.pid ] && kill "$(cat d.pid)" 2> /dev/null
	dovecot_stop
}
trap cleanup EXIT
dovecot_start || { echo "Bail out! Dovecot did not start"; exit 1; }
F=$MD_SRCDIR/maildir-fixtures/new
DB=var/maildesk.db
imap_conf maildesk.conf "imap://127.0.0.1:$IMAP_PORT/INBOX" move true
# Small batches, so that the restart falls between batches and inside one.
sed -i 's/poll_interval = 1;/poll_interval = 1; batch_size = 2;/' maildesk.conf

# Twenty distinct requests waiting in the INBOX.
N=20
i=1
while [ $i -le $N ]; do
	printf 'From: user%d@example.org\nTo: support@desk.example\nSubject: demande %d\nMessage-ID: <fault-%d@example.org>\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n\nbonjour %d\n' \
		$i $i $i $i > m$i.eml
	dovecot_deliver desk m$i.eml
	i=$((i + 1))
done
"$MAILDESKD" -c maildesk.conf --pidfile d.pid 2> log &
# As soon as the first batch is committed, Dovecot goes away and comes back
# (a stop between fetch and acknowledgement is test-imap's "restart" case).
wait_until 10 'test "$(sql $DB "select count(*) from messages where direction = '"'in'"'")" -ge 1'
dovecot_restart
ok $? "Dovecot restarted on the same ports under a connected maildeskd"
wait_until 30 'test "$(mailbox_count desk Done)" -eq $N'
ok $? "every message ends in Done"
is "$(mailbox_count desk INBOX)" 0 "none is left in the INBOX"
is "$(sql $DB "select count(*) from messages where direction = 'in'")" $N "each stored"
is "$(sql $DB "select count(*) from (select message_id from messages where direction = 'in' group by message_id having count(*) > 1)")" 0 \
   "none twice"
is "$(sql $DB "select count(*) from outbox o join messages m on m.id = o.message where m.kind = 'ack'")" $N \
   "one acknowledgement each"
grep -q 'retrying in' log
ok $? "the disconnection was logged with the retry"
kill "$(cat d.pid)"; wait_until 10 'test ! -f d.pid'

# A wrong password: one clear line, the daemon stays, and a reload with the
# right one lets the mail in.
printf 'wrong\n' > imap.secret
dovecot_deliver desk "$F/1764000001.M1P1.fixture"
"$MAILDESKD" -c maildesk.conf --pidfile d.pid 2> log2 &
wait_until 10 'grep -q "login refused" log2'
ok $? "a refused login is logged"
printf 'deskpass\n' > imap.secret
kill -HUP "$(cat d.pid)"
wait_until 20 'test "$(mailbox_count desk Done)" -eq $((N + 1))'
ok $? "after SIGHUP with the right password the mail is taken"
kill -0 "$(cat d.pid)"
ok $? "the daemon never stopped"
kill "$(cat d.pid)"; wait_until 10 'test ! -f d.pid'

# A server without MOVE (older Exchange, many hosted IMAP servers): the
# source falls back to UID COPY, \Deleted and UID EXPUNGE of exactly its
# own UIDs.  Dovecot is told to announce no MOVE.
dovecot_stop keep
echo 'imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ UIDPLUS' >> "$DOVECOT_CONF"
dovecot_launch
for i in 101 102 103; do
	printf 'From: user%d@example.org\nTo: support@desk.example\nSubject: demande %d\nMessage-ID: <fault-%d@example.org>\n\nbonjour\n' \
		$i $i $i > m$i.eml
	dovecot_deliver desk m$i.eml
done
"$MAILDESKD" -c maildesk.conf --once -v 2> log3
ok $? "maildeskd --once against a server without MOVE"
grep 'connected' log3 | grep -qv 'MOVE'
ok $? "the source saw no MOVE capability"
is "$(mailbox_count desk INBOX) $(mailbox_count desk Done)" "0 $((N + 4))" \
   "the messages were copied to Done and expunged from the INBOX"
is "$(sql $DB "select count(*) from messages where message_id in ('fault-101@example.org', 'fault-102@example.org', 'fault-103@example.org')")" 3 \
   "each stored once"
done_testing
