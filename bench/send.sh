#!/bin/sh
# send.sh: mails per second of `maildesk send` flushing an outbox of about
# COUNT queued mails to a local SMTP sink.
#
#   bench/send.sh BUILDDIR [COUNT]        (default COUNT: 5000 queued mails)
#
# The outbox is filled by `maildesk ingest` of a gen-corpus.py corpus (not
# timed; each new request queues an acknowledgement and a notification to
# agents@desk.example, each reply a notification: about 1.7 mails per
# message), then the configuration's outbound is switched to
# smtp://127.0.0.1:PORT (starttls = false) and `maildesk -c CONF send` is
# timed under /usr/bin/time.  The sink is Postfix's smtp-sink when
# /usr/sbin/smtp-sink exists (package postfix; see bench/README), else the
# aiosmtpd sink of the tests (SINK=aiosmtpd forces it), which writes two
# files per mail and may be the bottleneck.  The mails the sink received
# are counted.  Markdown on stdout, progress on stderr.  Environment: SEED
# (default 1), MIX (default light), SINK, BENCH_TMPDIR, KEEP=1.
set -u
SCRIPT=send.sh

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
# shellcheck source=bench/bench-lib.sh
. "$BENCH/bench-lib.sh"
bench_need

WORK=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/maildesk-send.XXXXXX") || exit 73
chmod 0755 "$WORK"
SINK_PID=
# shellcheck disable=SC2317  # called through trap
cleanup() {
	smtp_sink_stop
	if [ "${KEEP:-0}" = 1 ]; then
		echo "work directory kept: $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1.7 queued mails per message (70 % new requests: ack + notification).
messages=$(( (COUNT * 10 + 16) / 17 ))
log "generating $messages messages ($MIX) for about $COUNT queued mails"
python3 "$BENCH/gen-corpus.py" --count "$messages" --mix "$MIX" --seed "$SEED" \
	"$WORK/corpus" >"$WORK/corpus.txt" || die "gen-corpus.py failed" 70

RUN=$WORK/run
mkdir -p "$RUN/inbox/new" "$RUN/inbox/cur" "$RUN/inbox/tmp"
bench_conf "$RUN" \
	"{ type = \"maildir\"; path = \"$RUN/inbox\"; after = \"move\"; }" \
	"{ type = \"maildir\"; path = \"$RUN/outbox\"; }"
log "filling the outbox: maildesk ingest"
"$MAILDESK" -c "$RUN/maildesk.conf" ingest "$WORK/corpus" >"$RUN/ingest.log" 2>&1 ||
	{ tail -n 20 "$RUN/ingest.log" >&2; die "maildesk ingest failed" 70; }
DB=$RUN/state/maildesk.db
queued=$(sqlite3 "$DB" "select count(*) from outbox where state = 'queued'") ||
	die "cannot count the outbox" 70
[ "$queued" -gt 0 ] || die "nothing queued" 70
acks=$(sqlite3 "$DB" "select count(*) from outbox o join messages m on m.id = o.message where m.kind = 'ack' and o.state = 'queued'" 2>/dev/null || echo '?')

log "starting the sink"
smtp_sink_start "$WORK/sink" || die "the SMTP sink did not start" 70
sed -i "s|^outbound = .*|outbound = { type = \"smtp\"; url = \"smtp://127.0.0.1:$SINK_PORT\"; starttls = false; };|" \
	"$RUN/maildesk.conf"
grep -q "smtp://127.0.0.1:$SINK_PORT" "$RUN/maildesk.conf" || die "cannot switch the outbound" 70

log "maildesk send ($queued queued)"
bench_run "$RUN/send.log" "$MAILDESK" -c "$RUN/maildesk.conf" send
status=0
if [ "$RC" -ne 0 ]; then
	log "maildesk send exited with $RC; its output:"
	tail -n 20 "$RUN/send.log" >&2
	status=1
fi
sent=$(sqlite3 "$DB" "select count(*) from outbox where state = 'sent'")
left=$(sqlite3 "$DB" "select count(*) from outbox where state = 'queued'")
# the sink writes each dump after its 250: give it a moment
i=0
while [ "$(sink_count "$WORK/sink")" -lt "$sent" ] && [ $i -lt 250 ]; do
	sleep 0.02
	i=$((i + 1))
done
received=$(sink_count "$WORK/sink")
mails=$(rate "$queued" "$ELAPSED")
rss=$(mib "$RSS")
verdict=$(awk -v r="$mails" 'BEGIN { print (r + 0 >= 500) ? "rate ok" : "rate < 500" }')
if [ "$sent" != "$queued" ] || [ "$received" != "$queued" ]; then
	verdict="$verdict, NOT ALL SENT"
	status=1
fi

bench_machine "maildesk send benchmark"
echo "- sink: $SINK_KIND on 127.0.0.1:$SINK_PORT, no TLS, no AUTH"
echo "- outbox: \`maildesk ingest\` of bench/gen-corpus.py --count $messages --mix $MIX --seed $SEED (not timed): $queued mails queued, $acks of them acknowledgements, the rest notifications to agents@desk.example"
echo "- timed: \`maildesk -c CONF send\` under /usr/bin/time: start, one SMTP connection reused, rounds of 64 due mails read from the database, sent one by one, their outcomes committed in one transaction per round, exit"
echo
echo "| queued | seconds | mails/s | peak RSS MiB | sent (db) | received by the sink | left queued | target |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
echo "| $queued | $ELAPSED | $mails | $rss | $sent | $received | $left | $verdict |"
echo
echo "Target (2 CPU): send >= 500 mails/s."
exit $status
