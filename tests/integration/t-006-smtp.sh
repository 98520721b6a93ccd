#!/bin/sh
# maildesk send over SMTP to the real aiosmtpd sink on 127.0.0.1: STARTTLS
# with AUTH and a verified certificate, plain SMTP, and a server that is
# down (the mail waits and goes once it is back).  Checks the envelope, the
# headers and the bytes as received.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 21
cd "$WORK" || exit 1
trap sinks_stop EXIT
F=$MD_SRCDIR/maildir-fixtures/new
NOW=--now=2026-11-23T10:00:00+01:00
make_cert "$WORK"
printf 'deskpass\n' > smtp.secret; chmod 600 smtp.secret

# 1. STARTTLS + AUTH, certificate checked against the test CA.
sink_start tls --cert cert.pem --key key.pem --user desk --password deskpass
write_conf tls.conf "outbound = { type = \"smtp\"; url = \"smtp://127.0.0.1:$SINK_PORT\"; starttls = true; user = \"desk\"; password_file = \"smtp.secret\"; tls_ca_file = \"cert.pem\"; };"
"$MAILDESK" -c tls.conf $NOW deliver < "$F/1764000003.M3P1.fixture"
"$MAILDESK" -c tls.conf $NOW send > send.out
ok $? "send exits 0"
is "$(cat send.out)" "2 sent, 0 deferred, 0 failed" "acknowledgement and notification sent"
is "$(ls tls | grep -c 'json$')" 2 "the sink received two mails"
/usr/bin/python3 -c 'import json; d=json.load(open("tls/1.json")); print(d["mail_from"], d["rcpt_tos"], d["tls"], d["auth"])' > env1
is "$(cat env1)" "support@desk.example ['jerome.faure@mairie-exemple.fr'] True desk" \
   "ack envelope: from the desk to the requester, over TLS, authenticated"
/usr/bin/python3 -c 'import json; d=json.load(open("tls/2.json")); print(d["rcpt_tos"])' > env2
is "$(cat env2)" "['agents@desk.example']" "notification envelope to agents.notify"
is "$(header tls/1.eml From)" 'Service Desk <support@desk.example>' "From"
is "$(header tls/1.eml To)" "jerome.faure@mairie-exemple.fr" "To"
subject=$(header tls/1.eml Subject)
is "$(/usr/bin/python3 -c 'import sys; from email.header import decode_header, make_header; print(str(make_header(decode_header(sys.argv[1]))))' "$subject")" \
   "[Helpdesk #1] Erreur sur le portail « démarches en ligne »" "Subject with the tag, RFC 2047 encoded"
is "$(header tls/1.eml Auto-Submitted)" "auto-replied" "Auto-Submitted: auto-replied (RFC 3834)"
is "$(header tls/1.eml X-Auto-Response-Suppress)" "All" "X-Auto-Response-Suppress: All"
is "$(header tls/1.eml X-Loop)" "support@desk.example" "X-Loop names the desk"
orig=$(header "$F/1764000003.M3P1.fixture" Message-ID)
is "$(header tls/1.eml In-Reply-To)" "$orig" "In-Reply-To the requester's Message-ID"
header tls/1.eml Message-ID | grep -q '^<md\.1\.[0-9a-f]*\.[0-9a-f]\{20\}@desk\.example>$'
ok $? "a signed Message-ID on the desk's domain naming ticket 1"
header tls/1.eml Date | grep -q '+0100$'
ok $? "Date in the desk's time zone (Europe/Paris)"
[ "$(grep -c "$(printf '\r')\$" tls/1.eml)" -eq "$(wc -l < tls/1.eml)" ]
ok $? "every line ends in CRLF"
/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open("tls/2.eml", "rb"), policy=email.policy.default)
sys.exit(0 if m.get_body().get_content().startswith("Ticket 1 (ouvert) : « Erreur sur le portail “démarches en ligne” »") else 1)'
ok $? "the notification says the state in French, guillemets not nested (issue 8)"
is "$(header tls/2.eml Auto-Submitted)" "auto-generated" "the notification to agents is auto-generated: no out-of-office answers it (issue 8)"
is "$(sql var/maildesk.db "select count(*) from outbox where state = 'sent' and sent is not null")" 2 \
   "the outbox records both as sent"

# 2. Plain SMTP without AUTH; then the server goes away.
sink_start plain
write_conf plain.conf "outbound = { type = \"smtp\"; url = \"smtp://127.0.0.1:$SINK_PORT\"; starttls = false; };"
sed -i 's|state_dir = "var"|state_dir = "var2"|' plain.conf
kill $SINK_PID; wait $SINK_PID 2> /dev/null
"$MAILDESK" -c plain.conf $NOW deliver < "$F/1764000001.M1P1.fixture"
"$MAILDESK" -c plain.conf $NOW send > down.out 2> down.err
is $? 75 "send exits 75 while the SMTP server is down"
is "$(sql var2/maildesk.db "select state || ' ' || attempts from outbox order by id limit 1")" \
   "queued 1" "the mail stays queued with its attempt counted"
# The server is back on the same port; two minutes later the retry is due.
sink_start plain2 2> /dev/null
sed -i "s|127.0.0.1:[0-9]*|127.0.0.1:$SINK_PORT|" plain.conf
"$MAILDESK" -c plain.conf --now=2026-11-23T10:02:00+01:00 send > up.out
is "$(cat up.out)" "2 sent, 0 deferred, 0 failed" "both go once the server is back"
done_testing
