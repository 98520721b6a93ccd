#!/bin/sh
# list streams what its filters select, newest first, each filter served by
# an index; stats reads counters kept by the writes themselves; and no
# statement of list, show or stats scans messages, raw or tickets whole
# (their query plans, through the MAILDESK_TEST_EXPLAIN hook), nor does
# search.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 30
cd "$WORK" || exit 1
write_conf maildesk.conf
# The fixtures' lists and bounces open tickets as before issue 8: this test
# counts them.
sed -i 's/automated = "close";/automated = "open";/' maildesk.conf
DB=var/maildesk.db
NOW=--now=2026-11-23T10:00:00+01:00
md() { "$MAILDESK" -c maildesk.conf "$@"; }
py() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
ids() { py 'print(" ".join(str(t["id"]) for t in d))'; }
md $NOW ingest "$MD_SRCDIR/maildir-fixtures" > /dev/null || exit 1
printf 'From: Zoé <zoe@example.org>\nTo: support@desk.example\nSubject: Late one\nMessage-ID: <late@example.org>\nDate: Tue, 24 Nov 2026 09:00:00 +0100\n\nHello.\n' |
	md --now=2026-11-24T10:00:00+01:00 deliver || exit 1
md $NOW close 4 > /dev/null && md $NOW close 6 > /dev/null && md $NOW resolve 2 > /dev/null

# Counters and message counts agree with the rows.
is "$(md stats --json | py 'print(sorted((k, v) for k, v in d.items() if k not in ("sources", "outbox_oldest_queued_seconds")))')" \
   "$(sqlite3 -batch $DB "select 'tickets.'||status, count(*) from tickets group by status union all select 'outbox.'||state, count(*) from outbox group by state union all select 'messages.'||direction, count(*) from messages group by direction union all select 'quarantine', count(*) from quarantine" |
	/usr/bin/python3 -c 'import sys; print(sorted((k, int(v)) for k, v in (l.strip().split("|") for l in sys.stdin)))')" \
   "stats counters equal the counts of the rows"
is "$(sql $DB 'select count(*) from tickets t where messages != (select count(*) from messages m where m.ticket = t.id)')" 0 \
   "each ticket's message count equals its messages"
is "$(md show 3 --json | py 'print(d["message_count"], len(d["messages"]))')" "11 11" \
   "show: message_count and the messages array (spec 7b)"
is "$(md list --json --requester jerome.faure@mairie-exemple.fr | py 'print(d[0]["messages"])')" 11 \
   "list --json: messages is the count"

# Filters, newest first.
is "$(md list --json --all | ids)" "$(seq 21 -1 1 | tr '\n' ' ' | sed 's/ $//')" "--all: every ticket, newest first"
is "$(md list --json --status closed | ids)" "6 4" "--status closed"
is "$(md list --json --status closed,resolved | ids)" "6 4 2" "--status S,S"
is "$(md list --json --requester karim.benali@mairie-exemple.fr | ids)" 5 "--requester"
is "$(md list --json --assignee bob@desk.example | ids)" 15 "--assignee"
is "$(md list --json --escalated | ids)" 3 "--escalated"
is "$(md list --json --linked 2 | ids)" 15 "--linked"
is "$(md list --json --since 2026-11-24 | ids)" 21 "--since DATE"
is "$(md list --json --before 2026-11-24 --limit 2 | ids)" "20 19" "--before DATE --limit N"
is "$(md list --json --all --limit 3 --after-id 10 | ids)" "9 8 7" "--after-id N pages on"
md list --limit 5 > list5.txt
is "$(sed -n '2,6p' list5.txt | awk '{print $1}' | tr '\n' ' ')" "21 20 19 18 17 " \
   "text: newest not-closed first"
is "$(tail -n 1 list5.txt)" "(14 more: --all to list them)" "the last line says how many more"
md list > list.txt
is "$(wc -l < list.txt | tr -d ' ')" 20 "plain list: the 19 not closed and a header"
md list --status open --frobnicate 2> /dev/null
is $? 64 "an unknown option is a usage error"

# Query plans: nothing scans messages, raw or tickets whole, and list
# never sorts (it streams in index order).  The planner has no statistics
# (no ANALYZE is ever run), so these plans are those of a large desk.
export MAILDESK_TEST_EXPLAIN="$WORK/plans.txt"
for args in "list" "list --status open,pending" "list --status closed" "list --json --requester karim.benali@mairie-exemple.fr" \
	"list --assignee bob@desk.example" "list --escalated" "list --linked 2" \
	"list --since 2026-11-24" "show 3" "show 3 --json" "stats" "stats --json" "search portail" \
	"search --json --status open,closed --limit 5 imprim*"; do
	: > plans.txt
	md $args > /dev/null || echo "failed: $args"
	# A partial index (escalated tickets only, tickets not closed) is
	# not the whole table.
	grep -E 'plan: SCAN (messages|raw|tickets|m)( |$)' plans.txt |
		grep -Ev 'USING INDEX tickets_(escalated|open)$' | sed "s|^|# $args: |"
done > scans.txt
is "$(cat scans.txt)" "" "no whole scan of messages, raw or tickets"
: > plans.txt
md list --json --all > /dev/null
grep -q 'FROM tickets' plans.txt
ok $? "the plans were recorded"
grep -E 'TEMP B-TREE' plans.txt | sed 's/^/# /'
is "$(grep -c 'TEMP B-TREE' plans.txt)" 0 "list --json --all streams: no sort"
: > plans.txt
md list --status closed > /dev/null
is "$(grep -c 'TEMP B-TREE' plans.txt)" 0 "list --status closed streams"
is "$(grep -c 'USING INDEX tickets_status' plans.txt)" 1 "by the status index"
is "$(grep -c 'SCAN' plans.txt)" 0 "and scans nothing whole"
# Plain list, the newest not closed: in the order printed, from the index
# of the tickets not closed, whatever their number (no sort of them all).
: > plans.txt
md list > /dev/null
grep -E 'TEMP B-TREE' plans.txt | sed 's/^/# /'
is "$(grep -c 'TEMP B-TREE' plans.txt)" 0 "plain list streams: no sort"
is "$(grep -c 'USING INDEX tickets_open' plans.txt)" 1 "by the index of the tickets not closed"
: > plans.txt
md list --json --status open,escalated > /dev/null
is "$(grep -c 'TEMP B-TREE' plans.txt)" 0 "list --status S,S without closed streams"
: > plans.txt
md list --after-id 10 --limit 3 > /dev/null
is "$(grep -c 'SEARCH tickets USING INDEX tickets_open (id<?)' plans.txt)" 1 "--after-id pages on in that index"
: > plans.txt
md stats > /dev/null
grep outbox plans.txt | sed 's/^/# /'
is "$(grep -c 'outbox USING .*INDEX outbox_queued' plans.txt)" 1 \
   "stats finds the oldest queued mail in the index of queued mails"
is "$(grep -c 'SCAN outbox\|INDEX outbox_due' plans.txt)" 0 "not every queued row through outbox_due"
unset MAILDESK_TEST_EXPLAIN
done_testing
