# lib.sh: TAP helpers for the integration tests (POSIX sh), after mblaze's.
# Each t-NNN-*.sh sources this, calls plan N, then ok/is/cmp_file.
# It works in its own directory under the build tree: $WORK.
set -u
: "${MD_SRCDIR:?run through make check}" "${MD_BUILDDIR:?run through make check}"
MAILDESK=$MD_BUILDDIR/src/maildesk
MAILDESKD=$MD_BUILDDIR/src/maildeskd
TEST_NAME=$(basename "$0" .sh)
WORK=$MD_BUILDDIR/tests/work/$TEST_NAME
rm -rf "$WORK"; mkdir -p "$WORK"
_n=0; _failed=0

plan() { echo "1..$1"; }
ok() { # ok CONDITION-EXIT-STATUS DESCRIPTION  e.g. ok $? "text"
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"
	else echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}
is() { # is GOT EXPECTED DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" = "$2" ]; then echo "ok $_n - $3"
	else
		echo "not ok $_n - $3"; _failed=$((_failed + 1))
		printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
	fi
}
cmp_file() { # cmp_file GOT EXPECTED DESCRIPTION
	_n=$((_n + 1))
	if cmp -s "$1" "$2"; then echo "ok $_n - $3"
	else echo "not ok $_n - $3"; _failed=$((_failed + 1))
		diff -u "$2" "$1" | sed 's/^/# /' | head -40; fi
}
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
# sql DB QUERY: one query through sqlite3, output in list mode.
sql() { sqlite3 -batch -noheader "$1" "$2"; }
# free_port: a port the kernel says is free on 127.0.0.1.
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# wait_for FILE [SECONDS]: poll 20 ms until FILE exists.
wait_for() {
	_i=0; _max=$(( ${2:-10} * 50 ))
	while [ ! -e "$1" ]; do
		_i=$((_i + 1)); [ $_i -gt $_max ] && return 1
		sleep 0.02
	done
}
# fixtures DIR: a private copy of maildir-fixtures as a maildir.
fixtures() {
	mkdir -p "$1"; cp -R "$MD_SRCDIR/maildir-fixtures/." "$1/"
	mkdir -p "$1/tmp" "$1/new" "$1/cur"; chmod -R u+w "$1"
}
# write_conf FILE [OUTBOUND]: the example configuration, its relative
# paths (var/...) landing next to FILE; OUTBOUND replaces the outbound line.
write_conf() {
	if [ $# -ge 2 ]; then
		sed "s|^outbound = .*|$2|" "$MD_SRCDIR/conf/maildesk.conf" > "$1"
	else
		cp "$MD_SRCDIR/conf/maildesk.conf" "$1"
	fi
}
done_testing() { [ "$_failed" -eq 0 ]; exit $?; }
# sink_start DIR [ARGS...]: the aiosmtpd sink of test-servers.md on
# 127.0.0.1; sets SINK_PORT and SINK_PID; stopped by sinks_stop.
SINK_PIDS=
sink_start() {
	_dir=$1; shift
	mkdir -p "$_dir"
	/usr/bin/python3 "$MD_SRCDIR/tests/integration/smtp-sink.py" "$_dir" "$@" \
		> "$_dir.port" 2> "$_dir.err" &
	SINK_PID=$!
	SINK_PIDS="$SINK_PIDS $SINK_PID"
	_i=0
	until grep -q '^PORT=' "$_dir.port" 2> /dev/null; do
		_i=$((_i + 1)); [ $_i -gt 500 ] && return 1
		sleep 0.02
	done
	SINK_PORT=$(sed -n 's/^PORT=//p' "$_dir.port")
}
sinks_stop() {
	for _p in $SINK_PIDS; do kill "$_p" 2> /dev/null; wait "$_p" 2> /dev/null; done
	SINK_PIDS=
}
# make_cert DIR: a self-signed certificate for 127.0.0.1 (DIR/cert.pem,
# DIR/key.pem); the certificate is its own CA.
make_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$1/key.pem" -out "$1/cert.pem" -days 2 -subj /CN=localhost \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2> /dev/null
}
# header FILE NAME: the first NAME: header of FILE, unfolded, without CR.
header() {
	tr -d '\r' < "$1" | awk -v h="$2:" 'BEGIN{IGNORECASE=1}
		/^$/ {exit} f && /^[ \t]/ {v = v $0; next} f {exit}
		tolower(substr($0, 1, length(h))) == tolower(h) {f=1; v=substr($0, length(h)+2)}
		END {print v}'
}
# wait_until SECONDS 'CONDITION': evaluate the shell CONDITION every 20 ms
# until it holds (single quotes, so that $(...) in it is evaluated anew).
wait_until() {
	_max=$(( $1 * 50 )); shift; _i=0
	until eval "$*" 2> /dev/null; do
		_i=$((_i + 1)); [ $_i -gt $_max ] && return 1
		sleep 0.02
	done
}
# imap_conf FILE MAILBOX-URL AFTER IDLE [OUTBOUND]: a configuration reading
# the Dovecot of dovecot.sh as user desk.
imap_conf() {
	printf 'deskpass\n' > "$(dirname "$1")/imap.secret"
	chmod 600 "$(dirname "$1")/imap.secret"
	_out='outbound = { type = "maildir"; path = "var/outbox"; };'
	[ $# -ge 5 ] && _out=$5
	write_conf "$1" "$_out"
	_in="inbound = ( { type = \"imap\"; url = \"$2\"; user = \"desk\"; password_file = \"imap.secret\"; tls_ca_file = \"$T/cert.pem\"; after = \"$3\"; done_folder = \"Done\"; idle = $4; poll_interval = 1; } );"
	/usr/bin/python3 - "$1" "$_in" <<'PY'
import re, sys
p, inbound = sys.argv[1], sys.argv[2]
s = open(p).read()
s = re.sub(r"^inbound = \(.*?^\);", inbound, s, flags=re.S | re.M)
open(p, "w").write(s)
PY
}
# mailbox_count USER MAILBOX: messages in a mailbox of the test Dovecot.
mailbox_count() {
	doveadm -c "$DOVECOT_CONF" mailbox status -u "$1" messages "$2" | sed 's/.*=//'
}
