#!/bin/sh
# ingest-slices.sh: the pace of ingest over many commits (issue 9,
# item 4).  One 5,000-message ingest sees about 25 commits, and FTS5's
# segment merges come in waves (bench/fts-merge.py: the last 50 commits
# of one index write anywhere from 34 to 155 frames each): a single
# figure from it says more about where the merges stand than about the
# desk's pace.  This ingests SLICES slices of 5,000 more, one after the
# other, into each desk given, and prints each slice's rate and bytes
# written per message, then the median and the whole run's rate.
#
#   bench/ingest-slices.sh BUILDDIR SLICES DESKDIR...
#
# DESKDIR holds maildesk.conf with its state in DESKDIR/state (a desk of
# bench/scale.sh KEEP=1: WORK/big, WORK/empty).  The desks grow by
# SLICES x 5,000 messages.  Environment: SEED=1, BENCH_TMPDIR=/tmp.
set -u
SCRIPT=ingest-slices.sh
BENCH=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 3 ] || { echo "usage: bench/ingest-slices.sh BUILDDIR SLICES DESKDIR..." >&2; exit 64; }
BUILDDIR=$(cd "$1" && pwd) || exit 66
SLICES=$2
shift 2
SEED=${SEED:-1}
. "$BENCH/bench-lib.sh"
bench_need
WORK=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/maildesk-slices.XXXXXX") || exit 73
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

db() { sqlite3 -batch -noheader "$1/state/maildesk.db" "$2"; }

bench_machine "ingest: $SLICES slices of 5,000 more messages (bench/ingest-slices.sh)"
echo
echo "| desk | messages before | msg/s per slice | median | whole run msg/s | KB written per message (median) |"
echo "| --- | ---: | --- | ---: | ---: | ---: |"
n=0
for desk in "$@"; do
	before=$(db "$desk" "select coalesce((select value from counters where name = 'messages.in'), 0)")
	rates=; kbs=; total=0
	for s in $(seq "$SLICES"); do
		n=$((n + 1))
		rm -rf "$WORK/more"
		/usr/bin/python3 "$BENCH/gen-corpus.py" --count 5000 --mix light \
			--seed "$((SEED * 1000 + 700 + n))" \
			--first-ticket "$(db "$desk" 'select coalesce(max(id), 0) + 1 from tickets')" \
			"$WORK/more" > /dev/null || die "gen-corpus.py failed"
		cat "$WORK/more"/new/* > /dev/null
		sync
		t0=$(now_ns)
		"$TIME" -f '%O' -o "$WORK/time" "$MAILDESK" -c "$desk/maildesk.conf" \
			ingest "$WORK/more" > /dev/null 2> "$WORK/err" ||
			die "ingest into $desk failed: $(head -c 300 "$WORK/err")"
		t1=$(now_ns)
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
		total=$(awk -v t="$total" -v s="$secs" 'BEGIN { print t + s }')
		rates="$rates $(rate 5000 "$secs")"
		kbs="$kbs $(awk 'END { printf "%.0f", $1 * 512 / 5000 / 1000 }' "$WORK/time")"
		log "$desk: slice $s: $(rate 5000 "$secs") msg/s"
	done
	med() { echo "$1" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
	echo "| $desk | $before | $(echo $rates | tr ' ' ',' | sed 's/,/, /g') | $(med "$rates") | $(rate $((SLICES * 5000)) "$total") | $(med "$kbs") |"
done
