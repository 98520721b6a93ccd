# shellcheck shell=sh disable=SC2034  # sourced; sets variables for the scripts
# bench-lib.sh: helpers shared by bench/imap.sh, send.sh and latency.sh
# (POSIX sh; sourced, after BENCH, BUILDDIR and SCRIPT are set).
#
#   bench_conf DIR INBOUND OUTBOUND   DIR/maildesk.conf, the structure of
#                                     conf/maildesk.conf, state in DIR/state
#   bench_machine TITLE               "## TITLE" and the machine/date lines
#   bench_run LOG CMD...              CMD under /usr/bin/time: ELAPSED (s),
#                                     RSS (KiB), RC
#   smtp_sink_start DIR               postfix smtp-sink (else the aiosmtpd
#                                     test sink): SINK_PORT, SINK_PID, SINK_KIND
#   sink_count DIR                    mails received so far
#   free_port, rate, mib, log

TIME=/usr/bin/time
MAILDESK=$BUILDDIR/src/maildesk
MAILDESKD=$BUILDDIR/src/maildeskd

log() { echo "$SCRIPT: $*" >&2; }
die() { echo "$SCRIPT: $*" >&2; exit "${2:-1}"; }

bench_need() {
	[ -x "$MAILDESK" ] || die "$MAILDESK: not built" 66
	[ -x "$MAILDESKD" ] || die "$MAILDESKD: not built" 66
	[ -x "$TIME" ] || die "$TIME is missing: apt-get install time" 69
	[ -x /usr/bin/python3 ] || die "/usr/bin/python3 is missing" 69
	command -v sqlite3 >/dev/null || die "sqlite3 is missing: apt-get install sqlite3" 69
}

free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
now_ns() { date +%s%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# bench_run LOG CMD...: runs CMD under /usr/bin/time; sets ELAPSED (wall
# clock seconds, from date, to the ms), RSS (KiB), RC.
bench_run() {
	_log=$1
	shift
	sync
	_t0=$(now_ns)
	"$TIME" -f '%e %M' -o "$_log.time" "$@" >"$_log" 2>&1
	RC=$?
	_t1=$(now_ns)
	ELAPSED=$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	RSS=$(awk 'END { print $2 }' "$_log.time" 2>/dev/null)
	[ -n "$RSS" ] || RSS=0
}

# bench_conf DIR INBOUND OUTBOUND: INBOUND is the text inside "inbound = ( )",
# OUTBOUND the text inside "outbound = ;".
bench_conf() {
	mkdir -p "$1/state"
	cat >"$1/maildesk.conf" <<EOF
# written by bench/$SCRIPT
desk = {
  name = "Helpdesk";
  address = "support@desk.example";
  aliases = [ "helpdesk@desk.example" ];
  from_name = "Service Desk";
  timezone = "Europe/Paris";
  language = "fr";
  state_dir = "$1/state";
};

agents = {
  addresses = [ "alice@desk.example" ];
  domains = [ "desk.example" ];
  notify = "agents@desk.example";
  trusted_authserv_id = "";
};

upstream = {
  address = "support@upstream.example";
  domains = [ "upstream.example" ];
};

supervisors = [ "chief@desk.example" ];

inbound = (
  $2
);

outbound = $3;

autoreply = { per_sender_per_day = 5; };

lifecycle = {
  workdays = [ "mon", "tue", "wed", "thu", "fri" ];
  holidays = "FR";
  extra_holidays = [ "2026-12-24" ];
  remind_after = [ 2, 4 ];
  close_after = 5;
  reopen_within = 30;
};

escalation = { digest_at = "08:30"; stale_after = 8; };

limits = { max_message_size = 26214400; };
EOF
}

# bench_machine TITLE: the report's heading and machine lines.
bench_machine() {
	_cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
	[ -n "$_cpu" ] || _cpu=$(uname -m)
	_mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
	_fs=$(df -PT "$WORK" 2>/dev/null | awk 'NR == 2 { print $2 }')
	_ver=$("$MAILDESK" --version 2>/dev/null | head -n 1)
	echo "## $1"
	echo
	echo "- date: $(date '+%Y-%m-%d %H:%M:%S %z')"
	echo "- machine: $(nproc) CPU, $_cpu, ${_mem:-? GiB} RAM; load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
	echo "- kernel: $(uname -sr)"
	echo "- work directory: $WORK (${_fs:-?})"
	echo "- maildesk: $BUILDDIR/src${_ver:+ ($_ver)}; git $(git -C "$BENCH/.." describe --always --dirty 2>/dev/null || echo '?')"
	echo "- dovecot $(/usr/sbin/dovecot --version 2>/dev/null | cut -d' ' -f1), $(/usr/bin/python3 --version 2>&1)"
}

# smtp_sink_start DIR: Postfix's smtp-sink on 127.0.0.1 if installed
# (SINK=aiosmtpd forces the test sink), dumping each mail into DIR; sets
# SINK_PORT, SINK_PID, SINK_KIND.
smtp_sink_start() {
	mkdir -p "$1"
	if [ "${SINK:-}" != aiosmtpd ] && [ -x /usr/sbin/smtp-sink ]; then
		chown nobody "$1" 2>/dev/null
		_try=0
		while [ $_try -lt 5 ]; do
			SINK_PORT=$(free_port)
			/usr/sbin/smtp-sink -u nobody -d "$1/%Y%m%d%H%M%S." \
				"127.0.0.1:$SINK_PORT" 64 </dev/null \
				>"$1.out" 2>"$1.err" &
			SINK_PID=$!
			SINK_KIND="postfix smtp-sink $(dpkg-query -W -f '${Version}' postfix 2>/dev/null)"
			_i=0
			while [ $_i -lt 250 ]; do
				kill -0 "$SINK_PID" 2>/dev/null || break
				smtp_greets "$SINK_PORT" && return 0
				sleep 0.02
				_i=$((_i + 1))
			done
			kill "$SINK_PID" 2>/dev/null
			wait "$SINK_PID" 2>/dev/null
			SINK_PID=
			_try=$((_try + 1))
		done
		return 1
	fi
	/usr/bin/python3 "$BENCH/../tests/integration/smtp-sink.py" "$1" \
		>"$1.port" 2>"$1.err" &
	SINK_PID=$!
	SINK_KIND="aiosmtpd (tests/integration/smtp-sink.py: two files per mail)"
	_i=0
	until grep -q '^PORT=' "$1.port" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 500 ] && return 1
		sleep 0.02
	done
	SINK_PORT=$(sed -n 's/^PORT=//p' "$1.port")
}

smtp_greets() {
	/usr/bin/python3 - "$1" <<'PY' 2>/dev/null
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)
    s.settimeout(1)
    ok = s.recv(64).startswith(b"220")
    s.sendall(b"QUIT\r\n")
    sys.exit(0 if ok else 1)
except OSError:
    sys.exit(1)
PY
}

# sink_count DIR: mails received (smtp-sink: one dump file per mail;
# aiosmtpd: one .json per mail).
sink_count() {
	if [ -n "$(find "$1" -maxdepth 1 -name '*.json' -print -quit)" ]; then
		find "$1" -maxdepth 1 -name '*.json' | wc -l
	else
		find "$1" -maxdepth 1 -type f | wc -l
	fi
}

smtp_sink_stop() {
	if [ -n "${SINK_PID:-}" ]; then
		kill "$SINK_PID" 2>/dev/null
		wait "$SINK_PID" 2>/dev/null
		SINK_PID=
	fi
}
