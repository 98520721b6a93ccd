#!/bin/sh
# imap.sh: messages per second and peak RSS of `maildeskd --once` ingesting
# COUNT messages waiting in the INBOX of a private local Dovecot.
#
#   bench/imap.sh BUILDDIR [COUNT]        (default COUNT: 5000)
#
# Needs root (Dovecot's test recipe: docs test-servers.md), dovecot-imapd,
# openssl, python3, /usr/bin/time, sqlite3.  The Markdown report goes to
# stdout, progress to stderr.  Environment: SEED (default 1), MIX (default
# light), BATCH (batch_size, default 200), BENCH_TMPDIR (default $TMPDIR or
# /tmp), KEEP=1 keeps the work directory (Dovecot's $T is always removed).
set -u
SCRIPT=imap.sh

usage() {
	echo "usage: $0 BUILDDIR [COUNT]" >&2
	exit 64
}
case $# in 1|2) ;; *) usage ;; esac
case $1 in -h|--help) usage ;; esac
BUILDDIR=$(cd "$1" 2>/dev/null && pwd) || { echo "$0: $1: no such directory" >&2; exit 66; }
COUNT=${2:-5000}
case $COUNT in ''|*[!0-9]*|0) echo "$0: $COUNT: not a count" >&2; exit 64 ;; esac
BENCH=$(cd "$(dirname "$0")" && pwd)
SEED=${SEED:-1}
MIX=${MIX:-light}
BATCH=${BATCH:-200}
# shellcheck source=bench/bench-lib.sh
. "$BENCH/bench-lib.sh"
# shellcheck source=tests/integration/dovecot.sh
. "$BENCH/../tests/integration/dovecot.sh"

bench_need
[ "$(id -u)" = 0 ] || die "Dovecot's test recipe needs root" 77
[ -x /usr/sbin/dovecot ] || die "dovecot is missing: apt-get install dovecot-imapd" 69

WORK=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/maildesk-imap.XXXXXX") || exit 73
T=
# shellcheck disable=SC2317  # called through trap
cleanup() {
	[ -n "${T:-}" ] && dovecot_stop
	if [ "${KEEP:-0}" = 1 ]; then
		echo "work directory kept: $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "generating $COUNT messages ($MIX)"
python3 "$BENCH/gen-corpus.py" --count "$COUNT" --mix "$MIX" --seed "$SEED" \
	"$WORK/corpus" >"$WORK/corpus.txt" || die "gen-corpus.py failed" 70
bytes=$(sed -n 's/^bytes=//p' "$WORK/corpus.txt")
expected=$(sed -n 's/^expected_acks=//p' "$WORK/corpus.txt")

log "starting Dovecot"
dovecot_start || die "Dovecot did not start" 70
MAILDIR=$T/mail/desk/Maildir
# The first access creates desk's Maildir (and Done, auto = create).
doveadm -c "$DOVECOT_CONF" mailbox status -u desk messages INBOX >/dev/null ||
	die "doveadm cannot open desk's INBOX" 70
[ -d "$MAILDIR/new" ] || die "$MAILDIR was not created" 70

# Into the INBOX as a delivery agent would: tmp/ then rename into new/.
# Names that Dovecot takes as maildir names; UIDs follow the corpus order.
log "putting $COUNT messages into the INBOX"
i=0
for f in "$WORK"/corpus/new/*; do
	i=$((i + 1))
	name=$(printf '1700000000.M%dP1.bench' "$i")
	cp "$f" "$MAILDIR/tmp/$name"
done
chmod 644 "$MAILDIR"/tmp/*
chown nobody:nogroup "$MAILDIR"/tmp/*
mv "$MAILDIR"/tmp/* "$MAILDIR/new/"
# Dovecot indexes them now (not timed): the INBOX holds COUNT messages
# before the clock starts, as if they had been delivered one by one.
inbox=$(doveadm -c "$DOVECOT_CONF" mailbox status -u desk messages INBOX | sed 's/.*=//')
[ "$inbox" = "$COUNT" ] || die "the INBOX holds $inbox messages, not $COUNT" 70
# The corpus stays until the end: deleting 5,000 files now would make
# ext4 scan them as "recently deleted" inodes for every file created in
# the timed run (the outbound maildir), a quadratic cost of the disk's.

RUN=$WORK/run
mkdir -p "$RUN"
printf 'deskpass\n' >"$RUN/imap.secret"
chmod 600 "$RUN/imap.secret"
bench_conf "$RUN" \
	"{ type = \"imap\"; url = \"imap://127.0.0.1:$IMAP_PORT/INBOX\"; user = \"desk\"; password_file = \"$RUN/imap.secret\"; starttls = true; tls_ca_file = \"$T/cert.pem\"; after = \"move\"; done_folder = \"Done\"; batch_size = $BATCH; }" \
	"{ type = \"maildir\"; path = \"$RUN/outbox\"; }"
mkdir -p "$RUN/outbox/new" "$RUN/outbox/cur" "$RUN/outbox/tmp"

# Timed: the whole process.  Its log lines are stamped as they come, for
# the split between the drain ("INBOX: N stored" is logged when the drain
# ends) and the outbox flush that follows ("outbox: N sent").
# PERF=1 runs it under `perf record -g` (WORK/perf.data; KEEP=1 to read it).
PERF_CMD=
[ "${PERF:-0}" = 1 ] && PERF_CMD="perf record -g -o $WORK/perf.data --"
log "maildeskd --once"
sync
t0=$(now_ns)
{
	# shellcheck disable=SC2086  # PERF_CMD is words
	"$TIME" -f '%e %M %U %S' -o "$RUN/maildeskd.time" $PERF_CMD "$MAILDESKD" \
		-c "$RUN/maildesk.conf" --once
	echo $? >"$RUN/maildeskd.rc"
} 2>&1 | /usr/bin/python3 "$BENCH/tstamp.py" >"$RUN/maildeskd.log"
t1=$(now_ns)
RC=$(cat "$RUN/maildeskd.rc")
ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
RSS=$(awk '$1 ~ /^[0-9.]+$/ { r = $2 } END { print r + 0 }' "$RUN/maildeskd.time")
t_stored=$(awk '/ stored \(/ { print $1; exit }' "$RUN/maildeskd.log")
t_sent=$(awk '/outbox: [0-9]+ sent/ { print $1; exit }' "$RUN/maildeskd.log")
drain=$(awk -v a="$t0" -v b="$t_stored" 'BEGIN { if (b > 0) printf "%.3f", b - a / 1e9; else print "?" }')
flushed=$(awk -v a="$t_stored" -v b="$t_sent" 'BEGIN { if (a > 0 && b > 0) printf "%.3f", b - a; else print "?" }')
drain_rate=$(rate "$COUNT" "$drain")
status=0
if [ "$RC" -ne 0 ]; then
	log "maildeskd exited with $RC; its output:"
	tail -n 20 "$RUN/maildeskd.log" >&2
	status=1
fi

inbox=$(doveadm -c "$DOVECOT_CONF" mailbox status -u desk messages INBOX | sed 's/.*=//')
done_n=$(doveadm -c "$DOVECOT_CONF" mailbox status -u desk messages Done | sed 's/.*=//')
stored=$(sqlite3 "$RUN/state/maildesk.db" "select count(*) from messages where direction = 'in'" 2>/dev/null || echo '?')
tickets=$(sqlite3 "$RUN/state/maildesk.db" 'select count(*) from tickets' 2>/dev/null || echo '?')
outmails=$(find "$RUN/outbox/new" "$RUN/outbox/cur" -type f | wc -l)
msgs=$(rate "$COUNT" "$ELAPSED")
rss=$(mib "$RSS")
verdict=$(awk -v r="$msgs" -v d="$drain_rate" -v m="$rss" 'BEGIN {
	s = (r + 0 >= 1000) ? "rate ok" : "rate < 1000"
	s = s " (drain " ((d + 0 >= 1000) ? "ok" : "< 1000") ")"
	print s ", " ((m + 0 < 30) ? "RSS ok" : "RSS >= 30") }')
if [ "$inbox" != 0 ] || [ "$done_n" != "$COUNT" ] || [ "$stored" != "$COUNT" ]; then
	verdict="$verdict, NOT ALL TAKEN"
	status=1
fi

bench_machine "maildesk IMAP ingest benchmark"
echo "- corpus: bench/gen-corpus.py --count $COUNT --mix $MIX --seed $SEED ($(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB), written into desk's Maildir/new and indexed by Dovecot before the clock starts"
echo "- source: imap://127.0.0.1 with STARTTLS (verified against the test CA), LOGIN, after = move (to Done), batch_size = $BATCH; outbound: maildir"
echo "- timed: \`maildeskd -c CONF --once\` under /usr/bin/time: start, connect, every batch (UID FETCH, parse, store, commit, MOVE), then the outbox flushed into the outbound maildir, exit"
echo
echo "| messages | seconds | msg/s | peak RSS MiB | drain s | drain msg/s | flush s | stored | tickets | INBOX after | Done after | outbound mails | target |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
echo "| $COUNT | $ELAPSED | $msgs | $rss | $drain | $drain_rate | $flushed | $stored | $tickets | $inbox | $done_n | $outmails | $verdict |"
echo
echo "Targets (2 CPU): IMAP ingest >= 1000 msg/s; daemon peak RSS < 30 MiB."
echo "seconds and msg/s: the whole process (the verdict is on these); drain: from exec to the"
echo "\"N stored\" line (all batches fetched, stored, committed and moved); flush: from that line to"
echo "\"outbox: N sent\" (the queued acknowledgements and notifications written to the outbound maildir)."
echo "(gen-corpus expects $expected acknowledgements; outbound mails = acknowledgements + notifications.)"
exit $status
