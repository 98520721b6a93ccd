#!/bin/sh
# t-037-failure-classes: failures classed by what to do next (issue 10,
# item 4).  A refused login or a missing mailbox is a configuration
# failure: maildeskd --once exits 78, the daemon logs one line, parks
# that source (the others go on) until SIGHUP, and stats says "needs
# attention" with the server's words.  A server that is down stays a
# temporary failure (75, retried with backoff).
. "$MD_SRCDIR/tests/integration/lib.sh"
. "$MD_SRCDIR/tests/integration/dovecot.sh"
plan 19
cd "$WORK" || exit 1
cleanup() {
	[ -f d.pid ] && kill "$(cat d.pid)" 2> /dev/null
	sinks_stop
	dovecot_stop
}
trap cleanup EXIT
dovecot_start || { echo "Bail out! Dovecot did not start"; exit 1; }
F=$MD_SRCDIR/maildir-fixtures/new
DB=var/maildesk.db
URL="imap://127.0.0.1:$IMAP_PORT/INBOX"

# --- once ------------------------------------------------------------------
imap_conf md.conf "$URL" move false
printf 'wrong\n' > imap.secret
"$MAILDESKD" -c md.conf --once 2> once.log
is "$?" 78 "a refused login: maildeskd --once exits 78 (EX_CONFIG)"
grep -q 'login refused during LOGIN (server: "Authentication failed.").*source parked' once.log
ok $? "one line with the server's words and what to do"
printf 'deskpass\n' > imap.secret
imap_conf nobox.conf "imap://127.0.0.1:$IMAP_PORT/NoSuchBox" move false
"$MAILDESKD" -c nobox.conf --once 2> nobox.log
is "$?" 78 "a missing mailbox: exit 78"
grep -q 'mailbox refused during SELECT' nobox.log
ok $? "named as such"
imap_conf down.conf "imap://127.0.0.1:$(free_port)/INBOX" move false
"$MAILDESKD" -c down.conf --once 2> down.log
is "$?" 75 "a server that is not there: temporary (75)"

# --- the daemon: one source parked, the other goes on -----------------
printf 'wrong\n' > imap.secret
dovecot_deliver desk "$F/1764000001.M1P1.fixture"
mkdir -p box/new box/cur box/tmp
python3 - md.conf "$URL" <<'PY'
import re, sys
p, url = sys.argv[1], sys.argv[2]
s = open(p).read()
s = s.replace('inbound = ( {', 'inbound = ( { type = "maildir"; path = "box"; after = "move"; },\n  {', 1)
open(p, "w").write(s)
PY
"$MAILDESKD" -c md.conf --pidfile d.pid 2> live.log &
wait_until 10 'grep -q "source parked" live.log'
ok $? "the IMAP source is parked"
cp "$F/1764000002.M2P1.fixture" box/tmp/m && mv box/tmp/m box/new/m
wait_until 10 'test -z "$(ls box/new)"'
ok $? "the maildir source goes on"
is "$(grep -c 'login refused' live.log)" 1 "the refused login is not retried"
"$MAILDESK" -c md.conf stats > st
grep -q "^source $URL: NEEDS ATTENTION since .*: .*login refused during LOGIN (server: \"Authentication failed.\")" st
ok $? "stats: needs attention, with the server's words"
"$MAILDESK" -c md.conf stats --json > st.json
grep -q "\"name\":\"$URL\",.*\"needs_attention\":true" st.json
ok $? "stats --json: needs_attention true"
grep -q '"name":"maildir:[^"]*box",[^}]*"needs_attention":false' st.json
ok $? "... and false for the maildir"
kill -0 "$(cat d.pid)"
ok $? "the daemon runs on"

# Fixed and reloaded: the source comes back.
printf 'deskpass\n' > imap.secret
kill -HUP "$(cat d.pid)"
wait_until 20 'test "$(mailbox_count desk Done)" -eq 1'
ok $? "after SIGHUP the parked source takes its mail"
"$MAILDESK" -c md.conf stats > st
is "$(grep -c 'NEEDS ATTENTION' st)" 0 "stats: no longer needs attention"
kill "$(cat d.pid)"; wait_until 10 'test ! -f d.pid'
is "$(grep -c 'source parked' live.log)" 1 "parked once in all"
is "$(sql $DB "select count(*) from messages where direction = 'in'")" 2 \
	"both mails stored"

# Outbound: a certificate the desk cannot verify will not fix itself
# either.  The mail waits (deferred), and send exits 78.
mkdir -p tls && make_cert tls
sink_start sink --cert tls/cert.pem --key tls/key.pem
write_conf out.conf "outbound = { type = \"smtp\"; url = \"smtp://127.0.0.1:$SINK_PORT\"; starttls = true; };"
sed -i 's|state_dir = "var"|state_dir = "var-out"|' out.conf
"$MAILDESK" -c out.conf deliver < "$F/1764000003.M3P1.fixture"
"$MAILDESK" -c out.conf send > send.out 2> send.err
is "$?" 78 "an unverified SMTP certificate: send exits 78"
is "$(sql var-out/maildesk.db "select count(*) from outbox where state = 'queued' and attempts = 1")" \
	"$(sql var-out/maildesk.db "select count(*) from outbox")" "the mail waits, deferred"
grep -q 'deferred: .*TLS: ' send.err
ok $? "and the log says why"
done_testing
