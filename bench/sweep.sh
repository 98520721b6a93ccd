#!/bin/sh
# bench/sweep.sh [TICKETS] [DUE]: the timer sweep (spec 9, issue 6) on a
# desk of TICKETS tickets (default 1,000,000) of which DUE (default 1,000)
# are due, against the same DUE tickets on an otherwise empty desk, in the
# same run.  Prints the tick's own figures (maildesk -v: time reading the
# due tickets, time in all with the mails queued and committed) and the
# wall time of the command, then a tick with nothing due.
#
# The DUE tickets are real ones (ingested requests, answered: state set in
# the database); the filler tickets are closed rows written by SQL, as a
# desk's history is: the sweep must not read them.
set -eu
BENCH=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=${BUILDDIR:-$(cd "$BENCH/.." && pwd)}
SCRIPT=sweep.sh
. "$BENCH/bench-lib.sh"
bench_need
N=${1:-1000000}
DUE=${2:-1000}
W=${WORKDIR:-$(mktemp -d /tmp/maildesk-sweep.XXXXXX)}
WORK=$W
T0=2026-03-02T09:00:00+01:00	# Monday: the requests
ANSWERED=2026-03-06T15:00:00+01:00	# Friday: the agents' answers
TICK=2026-03-10T15:00:00+01:00	# Tuesday, working day 2: reminders
NOTHING=2026-03-10T15:30:00+01:00	# half an hour later: nothing due

# desk DIR FILLER: DUE answered requests, then FILLER closed tickets.
desk() {
	bench_conf "$1" '' "{ type = \"maildir\"; path = \"$1/outbox\"; }"
	mkdir -p "$1/in/new" "$1/in/cur" "$1/in/tmp"
	i=0
	while [ $i -lt "$DUE" ]; do
		i=$((i + 1))
		printf 'From: Requester %d <user%d@example.org>\nTo: support@desk.example\nSubject: Request %d\nMessage-ID: <sweep-%d@example.org>\n\nHello.\n' \
			$i $i $i $i > "$1/in/new/$i.eml"
	done
	"$MAILDESK" -c "$1/maildesk.conf" --now $T0 ingest "$1/in" > /dev/null
	sqlite3 "$1/state/maildesk.db" "
		UPDATE tickets SET status = 'pending', answered = 1,
		  since = strftime('%s', '$ANSWERED'),
		  due = strftime('%s', '$TICK');
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
		INSERT INTO tickets (status, subject, requester, created, updated,
		  closed_at, answered, since)
		SELECT 'closed', 'Old request ' || i, 'user' || (i % 5000) || '@example.org',
		  1700000000 + i * 30, 1700000000 + i * 30 + 86400,
		  1700000000 + i * 30 + 86400, 1, 1700000000 + i * 30 + 86400 FROM n;
		ANALYZE;" > /dev/null
}

# tick DIR NOW LABEL: one tick; prints its figures.
tick() {
	bench_run "$W/tick.log" "$MAILDESK" -c "$1/maildesk.conf" -v --now "$2" tick
	[ "$RC" -eq 0 ] || die "tick failed: $(cat "$W/tick.log")"
	read_ms=$(sed -n 's/.*tick: \([0-9.]*\) ms reading due tickets.*/\1/p' "$W/tick.log")
	all_ms=$(sed -n 's/.*ms reading due tickets, \([0-9.]*\) ms in all/\1/p' "$W/tick.log")
	printf '| %s | %s ms | %s ms | %s s | %s MiB |\n' "$3" "$read_ms" "$all_ms" "$ELAPSED" "$(mib "$RSS")"
}

bench_machine "Timer sweep: $DUE due tickets among $N"
log "building the desks in $W (the large one takes a while)"
desk "$W/empty" 0
desk "$W/big" "$N"
echo "| desk | reading the due tickets | tick in all (queued, committed) | command wall | peak RSS |"
echo "| --- | --- | --- | --- | --- |"
tick "$W/empty" $TICK "$DUE due, no other ticket"
tick "$W/big" $TICK "$DUE due among $N"
tick "$W/empty" $NOTHING "nothing due, no other ticket"
tick "$W/big" $NOTHING "nothing due among $N"
echo
echo "Reminders queued on the large desk: $(sqlite3 "$W/big/state/maildesk.db" "select count(*) from outbox where kind = 'reminder'") (one per due ticket)."
echo "Database: $(du -h "$W/big/state/maildesk.db" | cut -f1)."
[ -n "${WORKDIR:-}" ] || rm -rf "$W"
