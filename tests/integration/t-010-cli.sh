#!/bin/sh
# The reading commands (list, show, stats) in both forms, and the state
# commands (resolve, close, reopen).
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 16
cd "$WORK" || exit 1
write_conf maildesk.conf
# The fixtures' lists and bounces open tickets as before issue 8: this test
# counts them.
sed -i 's/automated = "close";/automated = "open";/' maildesk.conf
NOW=--now=2026-11-23T10:00:00+01:00
"$MAILDESK" -c maildesk.conf $NOW ingest "$MD_SRCDIR/maildir-fixtures" > /dev/null || exit 1
py() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

"$MAILDESK" -c maildesk.conf show 3 --json > show.json
ok $? "show 3 --json"
is "$(py 'print(d["id"], d["status"], d["requester"], d["escalated"], d["upstream_ref"])' < show.json)" \
   "3 open jerome.faure@mairie-exemple.fr True [Upstream #4521]" \
   "ticket fields: escalated once, upstream reference remembered"
is "$(py 'print(d["created"])' < show.json)" "2026-11-23T10:00:00+01:00" \
   "dates in RFC 3339 in the desk's time zone"
is "$(py 'print(" ".join(m["direction"]+":"+m["role"]+":"+(m["kind"] or "-") for m in d["messages"]))' < show.json)" \
   "in:requester:- out:desk:ack out:desk:notify in:participant:- out:desk:notify in:agent:- out:desk:relay out:desk:escalation in:upstream:- out:desk:relay out:desk:notify" \
   "messages in arrival order with direction, role and kind"
is "$(py 'print(",".join(d["participants"]))' < show.json)" \
   "jerome.faure@mairie-exemple.fr,sophie.bernard@mairie-exemple.fr" "participants"
is "$(py 'm=d["messages"][0]; print(m["attachments"][0]["name"], m["attachments"][0]["type"], m["attachments"][0]["size"] > 0)' < show.json)" \
   "$(py 'm=d["messages"][0]; print(m["attachments"][0]["name"])' < show.json) application/pdf True" \
   "attachments listed with name, type and size"
is "$(py 'print(sorted(d["messages"][0].keys()) == sorted(["message_id","in_reply_to","direction","role","kind","from","to","cc","subject","date","received","attachments"]))' < show.json)" \
   True "message objects have the fields of spec 7b (and received, the time the desk took it)"

"$MAILDESK" -c maildesk.conf show 3 > show.txt
grep -q '^Ticket #3: Erreur sur le portail' show.txt
ok $? "show 3 prints the ticket for people"
"$MAILDESK" -c maildesk.conf show 999 2> missing.err
is $? 66 "show of a missing ticket exits 66"
grep -q 'ticket 999: no such ticket' missing.err
ok $? "and names it"

"$MAILDESK" -c maildesk.conf $NOW resolve 2 > /dev/null
"$MAILDESK" -c maildesk.conf $NOW close 4 > /dev/null
is "$("$MAILDESK" -c maildesk.conf list --status resolved --json | py 'print([t["id"] for t in d])')" "[2]" "resolve, list --status"
is "$("$MAILDESK" -c maildesk.conf list --status closed --json | py 'print([t["id"] for t in d])')" "[4]" "close"
"$MAILDESK" -c maildesk.conf $NOW reopen 4 > /dev/null
is "$(sql var/maildesk.db 'select status from tickets where id = 4')" open "reopen"
"$MAILDESK" -c maildesk.conf list > list.txt
is "$(wc -l < list.txt | tr -d ' ')" 21 "list prints a header and one line per ticket"
"$MAILDESK" -c maildesk.conf stats --json > stats.json
is "$(py 'print(d["tickets.open"] + d["tickets.resolved"], d["quarantine"], d["sources"][0]["name"], d["sources"][0]["received"])' < stats.json)" \
   "20 0 ingest 51" "stats --json: counts and source health"
"$MAILDESK" -c maildesk.conf frobnicate 2> /dev/null
is $? 64 "an unknown command exits 64"
done_testing
