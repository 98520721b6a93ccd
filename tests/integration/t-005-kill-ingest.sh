#!/bin/sh
# SIGKILL in the middle of a large ingest, then ingest again: the result is
# the same as one uninterrupted ingest, nothing lost, nothing twice.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 6
cd "$WORK" || exit 1
N=4000
/usr/bin/python3 "$MD_SRCDIR/bench/gen-corpus.py" --count $N --mix light --seed 7 corpus > gen.out
mkdir killed clean
write_conf killed/maildesk.conf
write_conf clean/maildesk.conf
NOW=--now=2026-11-23T10:00:00+01:00
count() { sql "$1/var/maildesk.db" "select count(*) from messages where direction = 'in'" 2>/dev/null || echo 0; }

"$MAILDESK" -c killed/maildesk.conf $NOW ingest corpus > killed/1.out 2>&1 &
pid=$!
# Wait for the first committed batch, then kill without warning.
i=0
while [ "$(count killed)" -eq 0 ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done
kill -9 $pid; wait $pid 2>/dev/null
got=$(count killed)
[ "$got" -gt 0 ] && [ "$got" -lt $N ]
ok $? "killed half-way ($got of $N stored)"
"$MAILDESK" -c killed/maildesk.conf $NOW ingest corpus > killed/2.out 2>&1
ok $? "the second ingest exits 0"
"$MAILDESK" -c clean/maildesk.conf $NOW ingest corpus > clean/1.out 2>&1
summary() { sql "$1/var/maildesk.db" "select (select count(*) from messages where direction = 'in') || ' in, ' ||
	(select count(*) from tickets) || ' tickets, ' || (select count(*) from outbox) || ' queued'"; }
is "$(count killed)" $N "every message stored"
is "$(sql killed/var/maildesk.db "select count(*) from (select 1 from messages where direction = 'in' group by message_id, body_hash having count(*) > 1)")" 0 \
   "none twice"
is "$(summary killed)" "$(summary clean)" "same tickets and outbox as an uninterrupted ingest"
is "$(sql killed/var/maildesk.db "pragma integrity_check")" ok "database intact"
done_testing
