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
