#!/bin/sh
# t-036-queues: maildesk outbox [--json] (queued, deferred with the last
# error and the next try, refused), outbox retry [ID]; quarantine show,
# export, release; stats with the configured sources only and the oldest
# queued mail's age (issue 10, item 6).  Against the aiosmtpd sink.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 24
cd "$WORK" || exit 1
trap 'sinks_stop' EXIT
DB=var/maildesk.db
F=$MD_SRCDIR/maildir-fixtures/new
T0=2026-11-23T10:00:00+01:00

# The sink refuses one recipient for good (550), takes the others.
sink_start sink --reject agents@desk.example=550
write_conf md.conf "outbound = { type = \"smtp\"; url = \"smtp://127.0.0.1:$SINK_PORT\"; starttls = false; };"
md() { "$MAILDESK" -c md.conf "$@"; }
md --now $T0 deliver < "$F/1764000001.M1P1.fixture"
md --now $T0 deliver < "$F/1764000002.M2P1.fixture"
nq=$(sql $DB "SELECT count(*) FROM outbox WHERE state = 'queued'")
[ "$nq" -ge 2 ]; ok $? "$nq mails queued"
md outbox > out
is "$(grep -c ' queued ' out)" "$nq" "outbox lists them as queued"
md outbox --json > out.json
is "$(grep -o '"status":"queued"' out.json | wc -l)" "$nq" "outbox --json says so"

md --now 2026-11-23T12:00:00+01:00 stats > st
grep -q '^outbox.oldest  *2 h 0 min$' st
ok $? "stats: the oldest queued mail is 2 h old"
md --now 2026-11-23T12:00:00+01:00 stats --json > st.json
grep -q '"outbox_oldest_queued_seconds":7200' st.json
ok $? "stats --json: outbox_oldest_queued_seconds 7200"

# The server goes away: deferred, with the error and the next try.
sinks_stop
md --now $T0 send > /dev/null 2>&1
md --now $T0 outbox > out
is "$(grep -c ' deferred ' out)" "$nq" "after a failed send: deferred"
grep -q 'next try 2026-11-23T10:01:00+01:00 (attempt 2)' out
ok $? "with the next try"
md --now $T0 outbox --json > out.json
grep -q '"status":"deferred","attempts":1,.*"next_try":"2026-11-23T10:01:00+01:00","last_error":"[^"]' out.json
ok $? "--json: attempts, next_try and last_error"

# Back on the same port; retry one, then all.
sink_start sink2 --reject agents@desk.example=550
sed -i "s|127.0.0.1:[0-9]*|127.0.0.1:$SINK_PORT|" md.conf
first=$(sql $DB "SELECT min(id) FROM outbox")
md --now $T0 outbox retry "$first" > out
is "$(cat out)" "1 mails due now (maildeskd sends them within 30 s; maildesk send now)" \
	"outbox retry ID"
is "$(sql $DB "SELECT next_try FROM outbox WHERE id = $first")" \
	"$(date -d $T0 +%s)" "makes it due now"
md --now $T0 send > out 2>&1
is "$(sql $DB "SELECT state FROM outbox WHERE id = $first")" sent "and it goes"
md --now $T0 outbox retry > out
sql $DB "SELECT count(*) FROM outbox WHERE state = 'queued' AND next_try > $(date -d $T0 +%s)" > late
is "$(cat late)" 0 "outbox retry: every queued mail due now"
md --now $T0 send > out 2>&1
md --now $T0 outbox > out
refused=$(sql $DB "SELECT count(*) FROM outbox WHERE state = 'failed'")
is "$(grep -c ' refused ' out)" "$refused" "refused mail shown as refused"
[ "$refused" -ge 1 ]; ok $? "($refused refused by the server's 550)"
grep -q '550' out
ok $? "with the server's reply"
rid=$(sql $DB "SELECT min(id) FROM outbox WHERE state = 'failed'")
md --now $T0 outbox retry "$rid" > out
is "$(sql $DB "SELECT state || ' ' || attempts FROM outbox WHERE id = $rid")" \
	"queued 0" "retry ID of a refused mail queues it again"
md outbox retry 99999 > out 2> err
is "$?" 66 "retry of no such mail: 66"

# Stats: only the sources the configuration names.
sql $DB "INSERT INTO sources (name, last_ok) VALUES ('imaps://old.example/INBOX', 1)"
md stats > st
is "$(grep -c 'old.example' st)" 0 "a source no longer configured is not shown"

# --- quarantine --------------------------------------------------------
write_conf small.conf
sed -i 's|^limits = .*|limits = { max_message_size = 2000; };|' small.conf
"$MAILDESK" -c small.conf deliver < "$F/1764000003.M3P1.fixture"
qid=$(sql var/maildesk.db "SELECT max(id) FROM quarantine")
"$MAILDESK" -c small.conf quarantine show "$qid" > out
grep -q '^reason:     too large: ' out && grep -q '^  Message-ID: ' out
ok $? "quarantine show: the reason and the header"
"$MAILDESK" -c small.conf quarantine export "$qid" > back.eml
cmp_file back.eml "$F/1764000003.M3P1.fixture" "quarantine export: the mail byte for byte"
# Still too large: released, set aside again.
"$MAILDESK" -c small.conf quarantine release "$qid" > out
is "$(cat out)" "quarantine $qid: released, and set aside again (see maildesk list --quarantine)" \
	"a release that fails again says so"
qid2=$(sql var/maildesk.db "SELECT max(id) FROM quarantine")
[ "$qid2" -gt "$qid" ] && [ "$(sql var/maildesk.db "SELECT count(*) FROM quarantine WHERE id = $qid")" = 0 ]
ok $? "... as a new entry, the old one gone"
# The "bug" fixed (the limit raised): the mail becomes a ticket.
write_conf big.conf
mid=$(header "$F/1764000003.M3P1.fixture" Message-ID | tr -d '<> ')
"$MAILDESK" -c big.conf quarantine release "$qid2" > out
is "$(cat out) $(sql var/maildesk.db "SELECT count(*) FROM quarantine")" \
	"quarantine $qid2: released 0" "released for good"
is "$(sql var/maildesk.db "SELECT count(*) FROM messages WHERE message_id = '$mid'")" 1 \
	"the mail is on a ticket"

done_testing
