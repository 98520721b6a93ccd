#!/bin/sh
# t-022-daemon: maildeskd --once, then live: a message dropped into the
# watched maildir becomes a ticket and an acknowledgement; SIGHUP with a
# broken then a fixed configuration; SIGTERM; READY/STOPPING over
# $NOTIFY_SOCKET (path and abstract namespace).
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 32

CONF=$WORK/maildesk.conf
DB=$WORK/var/maildesk.db
LOG=$WORK/daemon.log
PIDFILE=$WORK/maildeskd.pid
FIX=$MD_SRCDIR/maildir-fixtures/new
pid=
listener=

cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
	return 0
}
trap cleanup EXIT

# write_conf: the example's shape, state under $WORK; relative paths are
# relative to this file.  $1 is the desk's address key, to spoil it.
write_conf() {
	cat > "$CONF" <<EOF
desk = {
  name = "Helpdesk";
  ${1:-address} = "support@desk.example";
  from_name = "Service Desk";
  timezone = "Europe/Paris";
  language = "fr";
  state_dir = "var";
};
agents = { addresses = [ "alice@desk.example" ];
  notify = "agents@desk.example"; };
inbound = ( { type = "maildir"; path = "inbox"; after = "move"; } );
outbound = { type = "maildir"; path = "outbox"; };
EOF
}

# until_true SECONDS CMD...: polls CMD every 20 ms until it succeeds.
until_true() {
	_t=$(( $1 * 50 )); shift
	until "$@"; do
		_t=$((_t - 1)); [ $_t -le 0 ] && return 1
		sleep 0.02
	done
}
tickets() { sql "$DB" 'select count(*) from tickets'; }
tickets_are() { [ "$(tickets)" = "$1" ]; }
acks() { grep -l '^Auto-Submitted: auto-replied' "$WORK"/outbox/new/* \
	2>/dev/null | wc -l | tr -d ' '; }
acks_are() { [ "$(acks)" = "$1" ]; }
logged() { grep -q -- "$1" "$LOG"; }
# exited PID: gone or a zombie waiting for our `wait`.
exited() {
	_s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -z "$_s" ] || [ "$_s" = Z ]
}
# drop FILE: delivered as an MTA would, tmp/ then rename into new/.
drop() {
	cp "$1" "$WORK/inbox/tmp/$(basename "$1")"
	mv "$WORK/inbox/tmp/$(basename "$1")" "$WORK/inbox/new/"
}
# stop_daemon: SIGTERM, then its exit status within 10 s (137 if killed).
stop_daemon() {
	kill -TERM "$pid"
	if ! until_true 10 exited "$pid"; then kill -KILL "$pid"; fi
	wait "$pid"; _rc=$?; pid=
	return $_rc
}

write_conf
mkdir -p "$WORK/inbox/new" "$WORK/inbox/cur" "$WORK/inbox/tmp"
for f in $(ls "$FIX" | head -3); do cp "$FIX/$f" "$WORK/inbox/new/"; done

# 1. --once drains the maildir and flushes the outbox, then exits.
"$MAILDESKD" -c "$CONF" --once 2> "$WORK/once.log"
is "$?" 0 "--once exits 0"
is "$(tickets)" 3 "--once: three tickets"
is "$(ls "$WORK/inbox/new" | wc -l | tr -d ' ')" 0 "--once: inbox/new empty"
is "$(ls "$WORK/inbox/cur" | grep -c ':2,S$')" 3 \
	"--once: three messages in cur/ flagged S"
is "$(acks)" 3 "--once: three acknowledgements in outbox/new"

# 2. Live: a new message is taken as soon as it lands in new/.
"$MAILDESKD" -c "$CONF" --pidfile "$PIDFILE" 2> "$LOG" &
pid=$!
wait_for "$PIDFILE" 10
ok $? "pid file written"
is "$(cat "$PIDFILE" 2>/dev/null)" "$pid" "pid file holds the daemon's pid"
drop "$FIX/$(ls "$FIX" | sed -n 4p)"
until_true 10 tickets_are 4
ok $? "live: the dropped message became ticket 4"
until_true 10 acks_are 4
ok $? "live: its acknowledgement is in outbox/new"
is "$(ls "$WORK/inbox/new" | wc -l | tr -d ' ')" 0 "live: inbox/new empty"

# 3. SIGHUP: a broken configuration is refused and the old one goes on.
write_conf adress
kill -HUP "$pid"
until_true 10 logged "not reloaded"
ok $? "SIGHUP with a typo: reload refused"
kill -0 "$pid" 2>/dev/null
ok $? "SIGHUP with a typo: the daemon keeps running"
logged "maildesk.conf:3: unknown key 'desk.adress'"
ok $? "SIGHUP with a typo: the log names file and line"
write_conf
kill -HUP "$pid"
until_true 10 logged "configuration reloaded"
ok $? "SIGHUP with a fixed file: configuration reloaded"
drop "$FIX/$(ls "$FIX" | sed -n 5p)"
until_true 10 tickets_are 5
ok $? "after the reload, new mail is still taken"
until_true 10 acks_are 5
ok $? "after the reload, the outbox is still sent"

# 4. SIGTERM: clean exit, pid file removed.
stop_daemon
is "$?" 0 "SIGTERM: exit status 0"
test ! -e "$PIDFILE"
ok $? "SIGTERM: pid file removed"
logged "stopped"
ok $? "SIGTERM: logged"

# 4a. A failing source is retried with backoff (1 s, 2 s, ...) and does
# not take the daemon down; once repaired, its mail is taken.
rm -rf "$WORK/inbox/new"; : > "$WORK/inbox/new"
"$MAILDESKD" -c "$CONF" 2> "$LOG" &
pid=$!
until_true 10 logged "inbox: .*; retrying in 2 s"
ok $? "broken source: retried after 1 s, then 2 s"
kill -0 "$pid" 2>/dev/null
ok $? "broken source: the daemon keeps running"
mkdir "$WORK/inbox/new.tmp"
cp "$FIX/$(ls "$FIX" | sed -n 7p)" "$WORK/inbox/new.tmp/"
rm "$WORK/inbox/new"; mv "$WORK/inbox/new.tmp" "$WORK/inbox/new"
until_true 10 tickets_are 6
ok $? "repaired source: its mail is taken at the next retry"
stop_daemon
is "$?" 0 "repaired source: SIGTERM, exit status 0"

# 4b. SIGTERM in the middle of a long drain (batches of one): the batch
# in hand commits, nothing is lost nor taken twice; a rerun takes the rest
# and ends where an uninterrupted run does.
bulk() { # bulk NAME: a maildir of 4 copies of every fixture, and a config
	mkdir -p "$WORK/$1/inbox/new" "$WORK/$1/inbox/cur" "$WORK/$1/inbox/tmp"
	for i in 1 2 3 4; do
		for f in "$FIX"/*; do
			cp "$f" "$WORK/$1/inbox/new/$(basename "$f").$i"
		done
	done
	sed 's/after = "move"; }/after = "move"; batch_size = 1; }/' \
		"$CONF" > "$WORK/$1/maildesk.conf"
}
NOW=2026-11-23T09:30:00+01:00
bulk ref
"$MAILDESKD" -c "$WORK/ref/maildesk.conf" --now $NOW --once 2>/dev/null
bulk cut
"$MAILDESKD" -c "$WORK/cut/maildesk.conf" --now $NOW 2> "$WORK/cut.log" &
pid=$!
has_cur() { [ -n "$(ls "$WORK/cut/inbox/cur")" ]; }
until_true 10 has_cur
stop_daemon
is "$?" 0 "SIGTERM during a drain: exit status 0"
echo "# stopped with $(ls "$WORK/cut/inbox/new" | wc -l) of 204 left in new/"
is "$(( $(ls "$WORK/cut/inbox/new" | wc -l) + \
	$(ls "$WORK/cut/inbox/cur" | wc -l) ))" 204 \
	"SIGTERM during a drain: every file is in new/ or cur/"
"$MAILDESKD" -c "$WORK/cut/maildesk.conf" --now $NOW --once 2>/dev/null
q='select count(*) from tickets; select count(*) from messages;'
is "$(sql "$WORK/cut/var/maildesk.db" "$q" | tr '\n' ' ')" \
	"$(sql "$WORK/ref/var/maildesk.db" "$q" | tr '\n' ' ')" \
	"SIGTERM during a drain, then a rerun: same tickets and messages"

# 5. sd_notify: READY=1 once started, STOPPING=1 when stopping.
notify_run() { # notify_run ADDRESS OUT
	rm -f "$2" "$2.bound"
	/usr/bin/python3 -c '
import socket, sys
addr, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(out + ".bound", "w").close()
while True:
    data = s.recv(4096)
    with open(out, "a") as f:
        f.write(data.decode() + "\n")
' "$1" "$2" &
	listener=$!
	wait_for "$2.bound" 10 || return 1
	NOTIFY_SOCKET=$1 "$MAILDESKD" -c "$CONF" 2> "$2.log" &
	pid=$!
	until_true 10 grep -q READY=1 "$2" 2>/dev/null
	_ready=$?
	stop_daemon; _stop=$?
	until_true 10 grep -q STOPPING=1 "$2" 2>/dev/null
	kill "$listener"; wait "$listener" 2>/dev/null; listener=
	return $((_ready + _stop))
}
notify_run "$WORK/notify.sock" "$WORK/notify.out"
ok $? "NOTIFY_SOCKET path: daemon ran and stopped with status 0"
is "$(cat "$WORK/notify.out" 2>/dev/null | tr '\n' ' ')" \
	"READY=1 STOPPING=1 " "NOTIFY_SOCKET path: READY=1 then STOPPING=1"
notify_run "@maildesk-t022-$$" "$WORK/notify-abstract.out"
ok $? "NOTIFY_SOCKET abstract: daemon ran and stopped with status 0"
is "$(cat "$WORK/notify-abstract.out" 2>/dev/null | tr '\n' ' ')" \
	"READY=1 STOPPING=1 " "NOTIFY_SOCKET abstract: READY=1 then STOPPING=1"

# 6. Start-up failures: exit codes per sysexits.h.
"$MAILDESKD" -c "$WORK/missing.conf" --once 2> "$WORK/err.log"
is "$?" 78 "missing configuration: EX_CONFIG"
grep -q "missing.conf" "$WORK/err.log"
ok $? "missing configuration: the error names the file"

done_testing
