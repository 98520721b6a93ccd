#!/bin/sh
# ingest.sh: messages per second and peak RSS of `maildesk ingest`, against
# a bare parse-and-insert loop (bare-ingest.c) on the same corpus.
#
#   bench/ingest.sh BUILDDIR [COUNTS...]        (default counts: 1000 20000)
#
# For each mix (light, heavy) and each count: generates a corpus with
# gen-corpus.py (not timed), reads it once so that it is in the page cache,
# runs `BUILDDIR/src/maildesk -c CONF ingest CORPUS` into a fresh database
# and then bare-ingest on the same corpus into another fresh database, each
# under /usr/bin/time.  The Markdown report goes to stdout, progress to
# stderr.  Environment: SEED (default 1), MIXES (default "light heavy"),
# REPEAT (default 3: runs of each program per corpus; the median rate and
# the highest RSS are reported),
# BENCH_TMPDIR (default $TMPDIR or /tmp), KEEP=1 keeps the work directory,
# CC (default cc).
set -u

usage() {
	echo "usage: $0 BUILDDIR [COUNTS...]" >&2
	exit 64
}

[ $# -ge 1 ] || usage
case $1 in -h|--help) usage ;; esac
BUILDDIR=$(cd "$1" 2>/dev/null && pwd) || { echo "$0: $1: no such directory" >&2; exit 66; }
shift
COUNTS=${*:-"1000 20000"}
MAILDESK=$BUILDDIR/src/maildesk
BENCH=$(cd "$(dirname "$0")" && pwd)
SCRIPT=ingest.sh
# shellcheck source=bench/bench-lib.sh
. "$BENCH/bench-lib.sh"
SEED=${SEED:-1}
MIXES=${MIXES:-"light heavy"}
CC=${CC:-cc}
REPEAT=${REPEAT:-3}

[ -x "$MAILDESK" ] || { echo "$0: $MAILDESK: not built" >&2; exit 66; }
for c in $COUNTS $REPEAT; do
	case $c in ''|*[!0-9]*|0) echo "$0: $c: not a count" >&2; exit 64 ;; esac
done
if [ ! -x "$TIME" ]; then
	echo "$0: $TIME is missing: apt-get install time" >&2
	exit 69
fi
command -v python3 >/dev/null || { echo "$0: python3 is missing" >&2; exit 69; }
HAVE_SQLITE3=1
command -v sqlite3 >/dev/null || HAVE_SQLITE3=0

WORK=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/maildesk-bench.XXXXXX") || exit 73
# shellcheck disable=SC2317  # called through trap
cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then
		echo "work directory kept: $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# --- the ceiling, built once
log "building bare-ingest"
# shellcheck disable=SC2046
if ! $CC -O2 "$BENCH/bare-ingest.c" $(pkg-config --cflags --libs gmime-3.0 sqlite3) \
	-o "$WORK/bare-ingest"; then
	echo "$0: cannot build bare-ingest (needs libgmime-3.0-dev, libsqlite3-dev)" >&2
	exit 70
fi


rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }'; }
# median N...: the middle value (the lower middle for an even count)
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# write_conf RUNDIR: a configuration with the structure of conf/maildesk.conf,
# state, an empty inbound maildir and the outbound maildir in RUNDIR.
write_conf() {
	mkdir -p "$1/inbox/new" "$1/inbox/cur" "$1/inbox/tmp" \
		"$1/outbox/new" "$1/outbox/cur" "$1/outbox/tmp"
	bench_conf "$1" "{ type = \"maildir\"; path = \"$1/inbox\"; after = \"move\"; }" \
		"{ type = \"maildir\"; path = \"$1/outbox\"; }"
}

# --- the machine
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
[ -n "$cpu" ] || cpu=$(uname -m)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
fs=$(df -PT "$WORK" 2>/dev/null | awk 'NR == 2 { print $2 }')
free=$(df -Ph "$WORK" 2>/dev/null | awk 'NR == 2 { print $4 }')
mdver=$("$MAILDESK" --version 2>/dev/null | head -n 1)

echo "## maildesk ingest benchmark"
echo
echo "- date: $(date '+%Y-%m-%d %H:%M:%S %z')"
echo "- machine: $(nproc) CPU, $cpu, ${mem:-? GiB} RAM"
echo "- kernel: $(uname -sr)"
echo "- work directory: $WORK (${fs:-?}, $free free)"
echo "- maildesk: $MAILDESK${mdver:+ ($mdver)}; git $(git -C "$BENCH/.." describe --always --dirty 2>/dev/null || echo '?')"
echo "- SQLite $(pkg-config --modversion sqlite3), gmime $(pkg-config --modversion gmime-3.0), $(python3 --version 2>&1)"
echo "- corpus: bench/gen-corpus.py --seed $SEED; 70 % new requests, 30 % replies, 25 % French;"
echo "  20 % with one attachment, 2-30 KB (light) or 50-500 KB (heavy)"
echo "- page cache: not dropped; each corpus is read once before the timed runs"
echo "- runs per corpus and program: $REPEAT (median msg/s, highest peak RSS); each into a fresh database"
echo "- bare = bench/bare-ingest.c: gmime parse + raw blob insert, WAL, synchronous=FULL, 500 per transaction"
echo

echo "| mix | messages | corpus MB | maildesk msg/s | peak RSS MiB | acks queued | bare msg/s | bare RSS MiB | maildesk/bare | target |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"

status=0
for mix in $MIXES; do
	case $mix in
	light) target=4000 ;;
	heavy) target=1000 ;;
	*) echo "$0: $mix: unknown mix" >&2; exit 64 ;;
	esac
	for count in $COUNTS; do
		run_dir=$WORK/$mix-$count
		corpus=$run_dir/corpus
		mkdir -p "$run_dir"
		log "$mix $count: generating the corpus"
		if ! python3 "$BENCH/gen-corpus.py" --count "$count" --mix "$mix" \
			--seed "$SEED" "$corpus" >"$run_dir/corpus.txt"; then
			echo "$0: gen-corpus.py failed" >&2
			exit 70
		fi
		expected=$(sed -n 's/^expected_acks=//p' "$run_dir/corpus.txt")
		bytes=$(sed -n 's/^bytes=//p' "$run_dir/corpus.txt")
		corpus_mb=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e6 }')
		# warm the page cache (caches cannot be dropped without root)
		find "$corpus" -type f -exec cat {} + >/dev/null

		# --- maildesk, REPEAT times, each into a fresh database
		md_rates="" md_rss=0 md_failed="" acks="n/a"
		r=1
		while [ "$r" -le "$REPEAT" ]; do
			md=$run_dir/md-$r
			write_conf "$md"
			log "$mix $count: maildesk ingest ($r/$REPEAT)"
			bench_run "$run_dir/maildesk-$r.log" "$MAILDESK" -c "$md/maildesk.conf" \
				ingest "$corpus"
			if [ "$RC" -ne 0 ]; then
				log "$mix $count: maildesk exited with $RC; its output:"
				tail -n 20 "$run_dir/maildesk-$r.log" >&2
				md_failed="failed (exit $RC)"
				status=1
			fi
			md_rates="$md_rates $(rate "$count" "$ELAPSED")"
			[ "$RSS" -le "$md_rss" ] || md_rss=$RSS
			if [ "$r" = 1 ]; then
				db=$md/state/maildesk.db
				if [ "$HAVE_SQLITE3" = 0 ]; then
					log "warning: sqlite3 is missing: acknowledgements not counted"
				elif [ ! -f "$db" ]; then
					log "warning: $db does not exist: acknowledgements not counted"
				elif ! acks=$(sqlite3 "$db" "select count(*) from messages where kind='ack'" 2>"$run_dir/sqlite.err"); then
					log "warning: cannot count acknowledgements: $(cat "$run_dir/sqlite.err")"
					acks="n/a"
				fi
				[ "$acks" = "n/a" ] || acks="$acks / $expected"
			fi
			# keep the disk for the next runs: this database goes now
			[ "${KEEP:-0}" = 1 ] || rm -rf "$md/state"

			# maildesk may have moved the files from new/ to cur/
			# (bare-ingest reads both); regenerate if any disappeared.
			left=$(find "$corpus/new" "$corpus/cur" -type f | wc -l)
			if [ "$left" -ne "$count" ]; then
				log "warning: maildesk left $left of $count files in the corpus: regenerating it"
				rm -rf "$corpus"
				python3 "$BENCH/gen-corpus.py" --count "$count" --mix "$mix" \
					--seed "$SEED" "$corpus" >/dev/null || exit 70
				find "$corpus" -type f -exec cat {} + >/dev/null
			fi
			r=$((r + 1))
		done
		# shellcheck disable=SC2086  # one word per rate
		md_rate=$(median $md_rates)
		[ -z "$md_failed" ] || md_rate=$md_failed
		md_rss=$(mib "$md_rss")

		# --- the ceiling, REPEAT times
		bare_rates="" bare_rss=0 bare_failed=""
		r=1
		while [ "$r" -le "$REPEAT" ]; do
			log "$mix $count: bare-ingest ($r/$REPEAT)"
			bench_run "$run_dir/bare-$r.log" "$WORK/bare-ingest" "$corpus" "$run_dir/bare.db"
			if [ "$RC" -ne 0 ]; then
				log "$mix $count: bare-ingest exited with $RC:"
				cat "$run_dir/bare-$r.log" >&2
				bare_failed="failed"
				status=1
			fi
			bare_rates="$bare_rates $(rate "$count" "$ELAPSED")"
			[ "$RSS" -le "$bare_rss" ] || bare_rss=$RSS
			[ "${KEEP:-0}" = 1 ] || rm -f "$run_dir/bare.db" "$run_dir/bare.db-wal" "$run_dir/bare.db-shm"
			r=$((r + 1))
		done
		# shellcheck disable=SC2086
		bare_rate=$(median $bare_rates)
		[ -z "$bare_failed" ] || bare_rate=$bare_failed
		bare_rss=$(mib "$bare_rss")
		log "$mix $count: maildesk msg/s:$md_rates; bare msg/s:$bare_rates"

		ratio=$(awk -v a="$md_rate" -v b="$bare_rate" \
			'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }')
		verdict=$(awk -v r="$md_rate" -v t="$target" -v m="$md_rss" \
			'BEGIN { if (r + 0 <= 0) { print "n/a"; exit }
				 s = (r + 0 >= t) ? "rate ok" : "rate < " t
				 s = s ", " ((m + 0 < 50) ? "RSS ok" : "RSS >= 50")
				 print s }')
		case $acks in
		"n/a") verdict="$verdict, acks not counted" ;;
		"$expected / $expected") ;;
		*) verdict="$verdict, acks missing" ;;
		esac
		echo "| $mix | $count | $corpus_mb | $md_rate | $md_rss | $acks | $bare_rate | $bare_rss | $ratio | $verdict |"

		[ "${KEEP:-0}" = 1 ] || rm -rf "$corpus"
	done
done
echo
echo "Targets (2 CPU): light >= 4000 msg/s, heavy >= 1000 msg/s, peak RSS < 50 MiB."
exit $status
