#!/bin/sh
# deliver.sh: the Postfix pipe path, one `maildesk deliver` process per
# mail, one after the other, as a Postfix pipe transport with
# maxproc 1 runs it (issue 9, item 3).
#
#   bench/deliver.sh BUILDDIR [COUNT]       # COUNT light mails (500)
#   DESK=DIR bench/deliver.sh BUILDDIR      # also into DIR/maildesk.conf's
#                                           # desk (a big one: scale.sh KEEP=1)
#
# For a fresh desk (and DESK if given), measured in the same run:
#   - mails/s, sequential, no other process holding the database open (no
#     daemon: the worst case, each deliver opens the WAL alone), and
#     again with maildeskd running (each deliver spools the mail, the
#     daemon stores it: when it had them all, and what it wrote);
#   - bytes written per mail, from each process's /proc/PID/io read after
#     it exited (bench/deliver-run.py): "wchar" is what it passed to
#     write(2) and pwrite(2), "dirtied" the page cache it dirtied (what
#     reaches the disk; the checkpoints a deliver runs count in its mail);
#   - WAL frames per commit by b-tree (bench/wal-pages.py, a second desk
#     that never checkpoints, COUNT/2 mails) and the fsyncs of one deliver
#     (strace, when installed);
#   - the floor: bench/bare-ingest.c with one transaction per mail (parse,
#     one raw blob inserted, WAL, synchronous=FULL) at the desk's page
#     size, on the same corpus: what any durable pipe delivery writes.
# Environment: SEED=1, BENCH_TMPDIR=/tmp, KEEP=1, CC=cc.
set -u
SCRIPT=deliver.sh
BENCH=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: bench/deliver.sh BUILDDIR [COUNT]" >&2; exit 64; }
BUILDDIR=$(cd "$1" && pwd) || exit 66
COUNT=${2:-500}
SEED=${SEED:-1}
. "$BENCH/bench-lib.sh"
bench_need
WORK=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/maildesk-deliver.XXXXXX") || exit 73
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
RUN="/usr/bin/python3 $BENCH/deliver-run.py"

${CC:-cc} -O2 -o "$WORK/bare-ingest" "$BENCH/bare-ingest.c" \
	$(pkg-config --cflags --libs gmime-3.0 sqlite3) || die "cannot build bare-ingest"
/usr/bin/python3 "$BENCH/gen-corpus.py" --count "$COUNT" --mix light \
	--seed "$SEED" "$WORK/corpus" > /dev/null || die "gen-corpus.py failed"
cat "$WORK/corpus"/new/* > /dev/null
# A second corpus for DESK (its Message-IDs must be new there too).
/usr/bin/python3 "$BENCH/gen-corpus.py" --count "$COUNT" --mix light \
	--seed "$((SEED + 100))" "$WORK/corpus2" > /dev/null || die "gen-corpus.py failed"

fresh() {
	mkdir -p "$1/in/new" "$1/in/cur" "$1/in/tmp"
	bench_conf "$1" "{ type = \"maildir\"; path = \"$1/in\"; }" \
		"{ type = \"maildir\"; path = \"$1/out\"; }"
	"$MAILDESK" -c "$1/maildesk.conf" stats > /dev/null || die "cannot create a desk"
}
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
kb() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1000 }'; }

# row LABEL CONF CORPUS: one table row, deliver of every mail of CORPUS.
row() {
	sync
	_r=$($RUN each "$3" "$MAILDESK" -c "$2" deliver) || die "deliver-run.py failed"
	_page=$(sqlite3 -batch -noheader "$(sed -n 's/^ *state_dir = "\(.*\)";/\1/p' "$2")/maildesk.db" 'pragma page_size')
	BARE_BATCH=1 BARE_PAGE_SIZE=$_page $RUN once "$WORK/bare-ingest" "$3" "$WORK/bare.db" > "$WORK/bare.out" ||
		die "bare-ingest failed"
	_bare=$(field "$(cat "$WORK/bare.out")" write_bytes)
	_n=$(find "$3/new" -type f | wc -l)
	_bare=$((_bare / _n))
	_dirty=$(field "$_r" write_bytes)
	echo "| $1 | $(( _page / 1024 )) KB | $(field "$_r" rate) | $(kb "$(field "$_r" wchar)") | $(kb "$_dirty") | $(kb "$_bare") | $(awk -v a="$_dirty" -v b="$_bare" 'BEGIN { printf "%.1f", a / b }') | $(field "$_r" exit75) / $(field "$_r" failed) |"
}

# row_daemon LABEL DIR CORPUS: the same with maildeskd running on the
# desk of DIR (deliver spools, the daemon stores); after the row, when the
# daemon had stored every mail and what it dirtied doing so.
row_daemon() {
	_conf=$2/maildesk.conf
	_db=$2/state/maildesk.db
	_n=$(find "$3/new" -type f | wc -l)
	_want=$(( $(sqlite3 -batch -noheader "$_db" "select coalesce((select value from counters where name = 'messages.in'), 0)") + _n ))
	"$MAILDESKD" -c "$_conf" 2> "$2/daemon.log" &
	_dpid=$!
	until grep -q "spools into" "$2/daemon.log"; do
		kill -0 "$_dpid" 2> /dev/null || die "maildeskd did not start"
		sleep 0.05
	done
	sync
	_before=$(sed -n 's/^write_bytes: //p' "/proc/$_dpid/io")
	_t0=$(date +%s.%N)
	_r=$($RUN each "$3" "$MAILDESK" -c "$_conf" deliver) || die "deliver-run.py failed"
	until [ "$(sqlite3 -batch -noheader "$_db" "select value from counters where name = 'messages.in'")" = "$_want" ]; do
		kill -0 "$_dpid" 2> /dev/null || die "maildeskd died"
		sleep 0.01
	done
	_t1=$(date +%s.%N)
	_after=$(sed -n 's/^write_bytes: //p' "/proc/$_dpid/io")
	kill "$_dpid"; wait "$_dpid"
	_dirty=$(field "$_r" write_bytes)
	echo "| $1 | 16 KB | $(field "$_r" rate) | $(kb "$(field "$_r" wchar)") | $(kb "$_dirty") | $(kb "$_bare") | $(awk -v a="$_dirty" -v b="$_bare" 'BEGIN { printf "%.1f", a / b }') | $(field "$_r" exit75) / $(field "$_r" failed) |"
	DAEMON_NOTE="With maildeskd running, the $_n mails were stored $(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.2f", b - a }') s after the first deliver began ($(awk -v a="$_t0" -v b="$_t1" -v n="$_n" 'BEGIN { printf "%.0f", n / (b - a) }') mails/s end to end); the daemon dirtied $(kb $(( (_after - _before) / _n ))) KB per mail storing them and writing their acknowledgements and notifications into the outbox maildir."
}

bench_machine "deliver: $COUNT light mails, one process each, in sequence (bench/deliver.sh)"
echo
echo "| desk | page | mails/s | KB passed to write per mail | KB dirtied per mail | floor: KB dirtied per mail (bare, 1 mail per transaction) | dirtied / floor | exit 75 / other failures |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
fresh "$WORK/empty"
row "fresh desk" "$WORK/empty/maildesk.conf" "$WORK/corpus"
fresh "$WORK/live"
row_daemon "fresh desk, maildeskd running (deliver spools)" "$WORK/live" "$WORK/corpus"
if [ -n "${DESK:-}" ]; then
	row "$DESK ($(sqlite3 -batch -noheader "$(sed -n 's/^ *state_dir = "\(.*\)";/\1/p' "$DESK/maildesk.conf")/maildesk.db" "select value from counters where name = 'messages.in'") messages)" \
		"$DESK/maildesk.conf" "$WORK/corpus2"
fi
echo
echo "$DAEMON_NOTE"

# Where one deliver's pages go: a desk whose WAL is never folded back (a
# reader holds it open, so the WAL keeps every commit), half the corpus.
fresh "$WORK/pages"
mkdir -p "$WORK/half/new"
find "$WORK/corpus/new" -type f | sort | head -n "$((COUNT / 2))" |
	while read -r f; do cp "$f" "$WORK/half/new/"; done
/usr/bin/python3 -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1]); c.execute("begin"); c.execute("select count(*) from counters").fetchall(); time.sleep(3600)' \
	"$WORK/pages/state/maildesk.db" &
HOLDER=$!
sleep 1
$RUN each "$WORK/half" "$MAILDESK" -c "$WORK/pages/maildesk.conf" deliver > /dev/null
kill "$HOLDER"; wait "$HOLDER" 2> /dev/null
echo
echo "Pages of each deliver's commit, by b-tree ($((COUNT / 2)) mails into a fresh desk, bench/wal-pages.py):"
echo
/usr/bin/python3 "$BENCH/wal-pages.py" "$WORK/pages/state/maildesk.db"
if command -v strace > /dev/null; then
	/usr/bin/python3 "$BENCH/gen-corpus.py" --count 1 --mix light \
		--seed "$((SEED + 200))" "$WORK/one" > /dev/null
	strace -f -c -e trace=fsync,fdatasync,pwrite64,write -o "$WORK/strace.out" \
		"$MAILDESK" -c "$WORK/empty/maildesk.conf" deliver < "$(find "$WORK/one/new" -type f)"
	echo
	echo "System calls of one more deliver into the fresh desk (strace -c):"
	echo
	sed 's/^/    /' "$WORK/strace.out"
fi
