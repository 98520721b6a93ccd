#!/bin/sh
# t-038-logs: one log line per mail, Postfix's way, greppable by
# Message-ID and ticket: inbound (source and key, Message-ID, from,
# ticket, role, new/threaded/duplicate/quarantined, the acknowledgement
# decision), outgoing (ticket, kind, recipients, sent / deferred with the
# next try / refused); --syslog without a syslog socket; journald's <N>
# priorities only on the journal's own stream (issue 10, item 5).
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 18
cd "$WORK" || exit 1
F=$MD_SRCDIR/maildir-fixtures/new
DB=var/maildesk.db
NOW=--now=2026-11-23T10:00:00+01:00
fixtures var/inbox
write_conf md.conf
n=$(ls var/inbox/new | wc -l)

"$MAILDESKD" -c md.conf $NOW --once 2> d.log
ok $? "maildeskd --once over the fixtures"
is "$(grep -c ': message-id=<' d.log)" "$n" "one line per inbound mail ($n)"
mid=8f2c1d3e-5a7b-4c19-9e2d-1b6f0a4c7d21@mairie-exemple.fr
t=$(sql $DB "SELECT ticket FROM messages WHERE message_id = '$mid'")
grep "message-id=<$mid>" d.log > one
is "$(wc -l < one)" 1 "grep by Message-ID finds its line"
grep -q "^maildeskd: maildir:.*/var/inbox:new/1764000001.M1P1.fixture: message-id=<$mid>, from=<martine.lefevre@mairie-exemple.fr>, ticket=$t, role=requester, new, ack=queued, mails: ack queued for martine.lefevre@mairie-exemple.fr, notify queued for agents@desk.example$" one
ok $? "source:key, Message-ID, from, ticket, role, new, ack queued, the mails"
t3=$(sql $DB "SELECT ticket FROM messages WHERE direction = 'in' GROUP BY ticket ORDER BY count(*) DESC LIMIT 1")
is "$(grep -c "ticket=$t3, " d.log | tr -d ' ')" \
	"$(sql $DB "SELECT count(*) FROM messages WHERE ticket = $t3 AND direction = 'in'")" \
	"grep ticket=N finds every inbound mail of the ticket"
grep -q "ticket=$t3, role=[a-z]*, threaded, ack=none (follow-up)" d.log
ok $? "a follow-up: threaded, no acknowledgement"
is "$(grep -c ', duplicate: recorded once$' d.log)" \
	"$(sed -n 's/.* \([0-9]*\) duplicates.*/\1/p' d.log)" "duplicates said so"
sent=$(sql $DB "SELECT count(*) FROM outbox WHERE state = 'sent'")
is "$(grep -c '^maildeskd: outbox=[0-9]* ticket=[0-9-]* kind=[a-z]* to=<[^>]*>.*: sent$' d.log)" \
	"$sent" "one line per mail sent ($sent)"
grep -q "outbox=[0-9]* ticket=$t kind=ack to=<martine.lefevre@mairie-exemple.fr>: sent" d.log
ok $? "with its ticket, kind and recipients"

# An automatic mail: a ticket without an acknowledgement, and why.
printf 'From: robot@example.org\nTo: support@desk.example\nSubject: rapport nocturne\nMessage-ID: <robot-1@example.org>\nAuto-Submitted: auto-generated\n\nok\n' > robot.eml
"$MAILDESK" -c md.conf -v deliver < robot.eml 2> r.log
grep -q 'message-id=<robot-1@example.org>, from=<robot@example.org>, .*ack=suppressed (.*)' r.log
ok $? "an automatic mail: ack suppressed, with the reason"
"$MAILDESK" -c md.conf deliver < robot.eml 2> r2.log
is "$(cat r2.log)" "" "deliver says nothing to the MTA when all is well (without -v)"
printf 'not a mail at all\0\0\n' > bad.eml
"$MAILDESK" -c md.conf -v deliver < bad.eml 2> q.log
grep -q '^maildesk: deliver:stdin: message-id=<>, from=<>, quarantined: ' q.log
ok $? "a quarantined mail: its line with the reason"

# Deferred: the SMTP server is not there.
write_conf smtp.conf "outbound = { type = \"smtp\"; url = \"smtp://127.0.0.1:$(free_port)\"; starttls = false; };"
sed -i 's|state_dir = "var"|state_dir = "var2"|' smtp.conf
"$MAILDESK" -c smtp.conf $NOW deliver < "$F/1764000002.M2P1.fixture"
"$MAILDESK" -c smtp.conf $NOW send > /dev/null 2> s.log
grep -q '^maildesk: outbox=[0-9]* ticket=[0-9]* kind=ack to=<[^>]*>: deferred: .*; next try 2026-11-23T10:01:00+01:00$' s.log
ok $? "a deferred mail: the error and the next try"

# --syslog with no syslog socket: a warning, then stderr.
MD_SYSLOG_SOCKET=/nonexistent/log "$MAILDESKD" -c md.conf $NOW --once --syslog 2> sl.log
ok $? "--syslog without a socket runs"
grep -q '^maildeskd: --syslog: no syslog socket /nonexistent/log .*logging to stderr$' sl.log
ok $? "and says it logs to stderr"

# journald: <N> only when stderr is the stream JOURNAL_STREAM names.
: > j.log
JOURNAL_STREAM=$(stat -c '%d:%i' j.log) "$MAILDESK" -c md.conf -v deliver < "$F/1764000003.M3P1.fixture" 2>> j.log
grep -q '^<6>deliver:stdin: message-id=<' j.log
ok $? "on the journal's stream: <6> and no program name"
JOURNAL_STREAM=1:1 "$MAILDESK" -c md.conf -v deliver < "$F/1764000004.M4P1.fixture" 2> k.log
grep -q '^maildesk: deliver:stdin: message-id=<' k.log
ok $? "JOURNAL_STREAM of another stream: plain lines"
printf 'garbage\0\n' | JOURNAL_STREAM=$(stat -c '%d:%i' j.log) "$MAILDESK" -c md.conf deliver 2>> j.log
grep -q '^<4>deliver:stdin: message-id=<>, from=<>, quarantined: ' j.log
ok $? "a warning is <4>"

done_testing
