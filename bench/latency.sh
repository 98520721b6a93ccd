#!/bin/sh
# latency.sh: from saving a message into the IMAP INBOX to the
# acknowledgement accepted by the SMTP server, one message at a time, with
# maildeskd idling on a private local Dovecot.
#
#   bench/latency.sh BUILDDIR [COUNT]       (default COUNT: 200)
#
# Starts Dovecot (tests/integration/dovecot.sh; needs root; its IDLE
# keepalive moved to 29 min, out of the run), the recording sink
# bench/latency-sink.py, bench/imap-sniff.py that stamps every data segment
# the IMAP server sends on lo (the EXISTS to the idling daemon), and
# `maildeskd -c CONF -v` (IMAP IDLE over STARTTLS, after = move; smtp
# outbound to the sink) with its stderr stamped line by line
# (bench/tstamp.py).  bench/latency-run.py then delivers COUNT distinct new
# requests with dovecot-lda, each after the previous one's acknowledgement
# reached the sink and the daemon's flush ended, and summarises.  The
# daemon's peak RSS is its VmHWM just before it is stopped.  Markdown on
# stdout, progress on stderr.  Environment: BENCH_TMPDIR, KEEP=1 (keeps the
# work directory with the raw times; Dovecot's $T is always removed).
set -u
SCRIPT=latency.sh

usage() {
	echo "usage: $0 BUILDDIR [COUNT]" >&2
	exit 64
}
case $# in 1|2) ;; *) usage ;; esac
case $1 in -h|--help) usage ;; esac
BUILDDIR=$(cd "$1" 2>/dev/null && pwd) || { echo "$0: $1: no such directory" >&2; exit 66; }
COUNT=${2:-200}
case $COUNT in ''|*[!0-9]*|0) echo "$0: $COUNT: not a count" >&2; exit 64 ;; esac
BENCH=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/bench-lib.sh
. "$BENCH/bench-lib.sh"
# shellcheck source=tests/integration/dovecot.sh
. "$BENCH/../tests/integration/dovecot.sh"

bench_need
[ "$(id -u)" = 0 ] || die "Dovecot's test recipe needs root" 77
[ -x /usr/sbin/dovecot ] || die "dovecot is missing: apt-get install dovecot-imapd" 69
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
	die "aiosmtpd is missing: apt-get install python3-aiosmtpd" 69

WORK=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/maildesk-latency.XXXXXX") || exit 73
T=
SINK_PID=
SNIFF_PID=
DAEMON_PID=
# stop PID: SIGTERM, then wait (our child)
# shellcheck disable=SC2317  # called through trap
stop() { [ -n "$1" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null; return 0; }
# shellcheck disable=SC2317  # called through trap
cleanup() {
	if [ -n "$DAEMON_PID" ]; then
		kill "$DAEMON_PID" 2>/dev/null
		_i=0
		while kill -0 "$DAEMON_PID" 2>/dev/null && [ "$_i" -lt 250 ]; do
			sleep 0.02
			_i=$((_i + 1))
		done
		kill -KILL "$DAEMON_PID" 2>/dev/null
	fi
	[ -n "${STAMP_PID:-}" ] && wait "$STAMP_PID" 2>/dev/null
	stop "$SNIFF_PID"
	stop "$SINK_PID"
	[ -n "${T:-}" ] && dovecot_stop
	if [ "${KEEP:-0}" = 1 ]; then
		echo "work directory kept: $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting Dovecot"
dovecot_start || die "Dovecot did not start" 70
# An idling connection then gets no data but the EXISTS (the default
# keepalive, "* OK Still here" every 2 min, would fall into the run).
echo 'imap_idle_notify_interval = 29 mins' >>"$DOVECOT_CONF"
dovecot_restart || die "Dovecot did not restart" 70
doveadm -c "$DOVECOT_CONF" mailbox status -u desk messages INBOX >/dev/null ||
	die "doveadm cannot open desk's INBOX" 70

log "starting the sink"
/usr/bin/python3 "$BENCH/latency-sink.py" "$WORK/sink.log" >"$WORK/sink.port" 2>"$WORK/sink.err" &
SINK_PID=$!
i=0
until grep -q '^PORT=' "$WORK/sink.port" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 500 ] && die "the sink did not start: $(cat "$WORK/sink.err")" 70
	sleep 0.02
done
SINK_PORT=$(sed -n 's/^PORT=//p' "$WORK/sink.port")

RUN=$WORK/run
mkdir -p "$RUN"
printf 'deskpass\n' >"$RUN/imap.secret"
chmod 600 "$RUN/imap.secret"
bench_conf "$RUN" \
	"{ type = \"imap\"; url = \"imap://127.0.0.1:$IMAP_PORT/INBOX\"; user = \"desk\"; password_file = \"$RUN/imap.secret\"; starttls = true; tls_ca_file = \"$T/cert.pem\"; after = \"move\"; done_folder = \"Done\"; idle = true; batch_size = 200; }" \
	"{ type = \"smtp\"; url = \"smtp://127.0.0.1:$SINK_PORT\"; starttls = false; }"

log "starting maildeskd"
# The pipe's reader is tstamp.py: its pid is $!, the daemon's is in the
# pid file.
"$MAILDESKD" -c "$RUN/maildesk.conf" -v --pidfile "$RUN/maildeskd.pid" 2>&1 |
	/usr/bin/python3 "$BENCH/tstamp.py" >"$RUN/maildeskd.log" &
STAMP_PID=$!
i=0
until [ -s "$RUN/maildeskd.pid" ]; do
	i=$((i + 1))
	[ $i -gt 500 ] && die "maildeskd did not start: $(cat "$RUN/maildeskd.log")" 70
	sleep 0.02
done
DAEMON_PID=$(cat "$RUN/maildeskd.pid")
# idling: connected, and nothing logged for a while after it
i=0
until grep -q ': connected' "$RUN/maildeskd.log"; do
	i=$((i + 1))
	[ $i -gt 500 ] && die "maildeskd did not connect: $(cat "$RUN/maildeskd.log")" 70
	kill -0 "$DAEMON_PID" 2>/dev/null || die "maildeskd exited: $(cat "$RUN/maildeskd.log")" 70
	sleep 0.02
done

log "starting the sniffer"
/usr/bin/python3 "$BENCH/imap-sniff.py" "$IMAP_PORT" "$WORK/sniff.log" \
	2>"$WORK/sniff.err" &
SNIFF_PID=$!
i=0
until grep -q READY "$WORK/sniff.log" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 500 ] && die "imap-sniff.py did not start: $(cat "$WORK/sniff.err")" 70
	sleep 0.02
done
sleep 1

log "$COUNT messages, one at a time"
/usr/bin/python3 "$BENCH/latency-run.py" --count "$COUNT" \
	--dovecot-conf "$DOVECOT_CONF" --sink-log "$WORK/sink.log" \
	--sniff-log "$WORK/sniff.log" --daemon-log "$RUN/maildeskd.log" \
	--raw "$WORK/latency.raw" >"$WORK/table.md"
status=$?

hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$DAEMON_PID/status" 2>/dev/null)
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$DAEMON_PID/status" 2>/dev/null)
inbox=$(doveadm -c "$DOVECOT_CONF" mailbox status -u desk messages INBOX | sed 's/.*=//')
done_n=$(doveadm -c "$DOVECOT_CONF" mailbox status -u desk messages Done | sed 's/.*=//')
# let the last notification arrive before counting
sleep 0.5
acks=$(grep -vc 'agents@desk.example' "$WORK/sink.log")
notes=$(grep -c 'agents@desk.example' "$WORK/sink.log")
[ "$done_n" = "$COUNT" ] || status=1

bench_machine "maildesk latency benchmark: INBOX to SMTP acknowledgement"
echo "- Dovecot on 127.0.0.1 (tests/integration/dovecot.sh: maildir, mailbox_idle_check_interval = 1 s); maildeskd -v idling on its INBOX over STARTTLS (verified, LOGIN), after = move, smtp outbound (no TLS) to bench/latency-sink.py (aiosmtpd), one SMTP connection kept"
echo "- $COUNT distinct new requests (own sender and Message-ID), each delivered with dovecot-lda after the previous acknowledgement reached the sink and the daemon's flush had ended; the sink is polled every 5 ms"
echo "- EXISTS: maildeskd logs nothing when its IDLE wakes; the untagged EXISTS is the first TCP segment Dovecot sends on the daemon's idling connection after the delivery, stamped by the kernel on lo (bench/imap-sniff.py, AF_PACKET, SO_TIMESTAMPNS; Dovecot's IDLE keepalive set to 29 min so that nothing else comes)"
echo "- \"N stored\": maildeskd's info line \"imap://...: 1 stored (1 new tickets), ...\", logged after the drain committed and moved the message (the first log line after the wake-up), stamped as read from its stderr (bench/tstamp.py)"
echo "- ack at the sink: time.time() in the sink's DATA handler, just before its 250"
echo
cat "$WORK/table.md"
echo
echo "- maildeskd peak RSS (VmHWM before stopping it): $(mib "${hwm:-0}") MiB (VmRSS $(mib "${rss:-0}") MiB)"
echo "- sink: $acks acknowledgements, $notes notifications to agents@desk.example; INBOX after: $inbox, Done: $done_n"
echo
echo "Targets (2 CPU): end to end p99 < 1 s (Dovecot's IDLE notice is ~0.5 s of it); maildesk's share"
echo "(EXISTS to the SMTP server's 250) p99 < 50 ms; daemon RSS < 30 MiB."
exit $status
