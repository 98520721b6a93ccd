# dovecot.sh: a private Dovecot on 127.0.0.1 for the tests (POSIX sh).
#
# Source it, then:
#   dovecot_start            sets T (0755, under /tmp), IMAP_PORT, IMAPS_PORT,
#                            (with DOVECOT_OAUTH_URL set, XOAUTH2 and
#                            OAUTHBEARER logins are checked at that RFC 7662
#                            introspection URL: Dovecot's oauth2 passdb)
#                            DOVECOT_CONF, DOVECOT_PID; $T/cert.pem is the CA
#   dovecot_deliver USER F   delivers file F into USER's INBOX (dovecot-lda)
#   dovecot_stop [keep]      stops it, waits, removes $T unless "keep"
# Users: desk/deskpass and alice/alicepass.  The recipe and its pitfalls
# are in docs test-servers.md: root needs mail_uid=nobody, every directory
# down to $T must be o+x, Dovecot's stderr must go to a file (a pipe
# hangs the reader), and SIGTERM to the master leaves connected imap
# processes running, so dovecot_stop kills those too.

_dovecot_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# _dovecot_greets PORT: true once PORT answers "* OK".
_dovecot_greets() {
	/usr/bin/python3 - "$1" <<'PY' 2>/dev/null
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)
    s.settimeout(1)
    sys.exit(0 if s.recv(64).startswith(b"* OK") else 1)
except OSError:
    sys.exit(1)
PY
}

_dovecot_conf() {
	cat > "$DOVECOT_CONF" <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $T/run
state_dir = $T/state
instance_name = dovecot-test-$IMAP_PORT
log_path = $T/dovecot.log
ssl = yes
ssl_cert = <$T/cert.pem
ssl_key = <$T/key.pem
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = plain login${DOVECOT_OAUTH_URL:+ xoauth2 oauthbearer}
# A wrong password is answered at once.  (Logins after a failure from the
# same IP still wait for anvil's penalty, 2-4 s: test refusals last.)
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $T/users
${DOVECOT_OAUTH_URL:+  mechanisms = plain login}
}
CONF
	[ -n "${DOVECOT_OAUTH_URL:-}" ] && cat >> "$DOVECOT_CONF" <<CONF
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $T/dovecot-oauth2.conf.ext
}
# No penalty after a refused token: tests refuse some on purpose.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
CONF
	[ -n "${DOVECOT_OAUTH_URL:-}" ] && cat > "$T/dovecot-oauth2.conf.ext" <<CONF
introspection_mode = post
introspection_url = $DOVECOT_OAUTH_URL
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
CONF
	cat >> "$DOVECOT_CONF" <<CONF
userdb {
  driver = passwd-file
  args = username_format=%u $T/users
  default_fields = home=$T/mail/%u
}
mail_uid = nobody
mail_gid = nogroup
mail_location = maildir:~/Maildir
mailbox_idle_check_interval = 1 secs
namespace inbox {
  inbox = yes
  separator = /
  mailbox Done {
    auto = create
  }
}
service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = $IMAPS_PORT
    ssl = yes
  }
}
CONF
}

# dovecot_launch: starts Dovecot on the current T and ports; waits for
# "* OK" (10 s).  Returns 2 when a port was taken, 1 on other failures.
dovecot_launch() {
	: > "$T/dovecot.log"
	/usr/sbin/dovecot -F -c "$DOVECOT_CONF" </dev/null >/dev/null \
		2>>"$T/dovecot.stderr" &
	DOVECOT_PID=$!
	_dv_i=0
	while [ $_dv_i -lt 500 ]; do
		if ! kill -0 "$DOVECOT_PID" 2>/dev/null; then
			wait "$DOVECOT_PID" 2>/dev/null
			DOVECOT_PID=
			if grep -q 'Address already in use' "$T/dovecot.log" \
			    "$T/dovecot.stderr" 2>/dev/null; then
				return 2
			fi
			return 1
		fi
		_dovecot_greets "$IMAP_PORT" && return 0
		sleep 0.02
		_dv_i=$((_dv_i + 1))
	done
	echo "dovecot: no greeting on port $IMAP_PORT after 10 s" >&2
	return 1
}

dovecot_start() {
	T=$(mktemp -d /tmp/md-imap.XXXXXX) || return 1
	chmod 0755 "$T"
	mkdir "$T/mail" && chown nobody:nogroup "$T/mail" || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
		-subj /CN=localhost \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		>/dev/null 2>&1 || return 1
	printf '%s\n' 'desk:{PLAIN}deskpass::::::' \
		'alice:{PLAIN}alicepass::::::' > "$T/users"
	DOVECOT_CONF=$T/dovecot.conf
	_dv_try=0
	while :; do
		IMAP_PORT=$(_dovecot_port); IMAPS_PORT=$(_dovecot_port)
		_dovecot_conf
		dovecot_launch
		case $? in
		0) break ;;
		2) _dv_try=$((_dv_try + 1))
		   [ $_dv_try -lt 5 ] && continue ;;
		esac
		echo "dovecot: cannot start, see $T/dovecot.log" >&2
		return 1
	done
	export T IMAP_PORT IMAPS_PORT DOVECOT_CONF DOVECOT_PID
}

# _dovecot_instance_pids: the processes of this instance that outlive the
# master (imap, imap-login, auth...).  Dovecot titles them
# "INSTANCE_NAME/service", and the instance name carries the port.
_dovecot_instance_pids() {
	for _dv_p in /proc/[0-9]*; do
		case $({ tr '\0' ' ' < "$_dv_p/cmdline"; } 2>/dev/null) in
		"dovecot-test-$IMAP_PORT/"*) echo "${_dv_p#/proc/}" ;;
		esac
	done
}

_dovecot_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	case $(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) in
	Z|X|"") return 1 ;;
	esac
	return 0
}

# dovecot_stop [keep]: stops the master, then any process of the instance
# still serving a client, so that the ports and $T are really free.
dovecot_stop() {
	if [ -n "${DOVECOT_PID:-}" ]; then
		kill -TERM "$DOVECOT_PID" 2>/dev/null
		wait "$DOVECOT_PID" 2>/dev/null
		# Started by another shell (a test program runs this file
		# in several sh -c), the master is no child of ours: wait
		# until it is gone or a zombie left to PID 1.
		_dv_i=0
		while _dovecot_alive "$DOVECOT_PID" && [ $_dv_i -lt 250 ]; do
			sleep 0.02
			_dv_i=$((_dv_i + 1))
		done
		DOVECOT_PID=
	fi
	for _dv_pid in $(_dovecot_instance_pids); do
		kill -KILL "$_dv_pid" 2>/dev/null
	done
	_dv_i=0
	while [ -n "$(_dovecot_instance_pids)" ] && [ $_dv_i -lt 250 ]; do
		sleep 0.02
		_dv_i=$((_dv_i + 1))
	done
	if [ "${1:-}" != keep ] && [ -n "${T:-}" ]; then
		rm -rf "$T"
	fi
}

# dovecot_deliver USER FILE
dovecot_deliver() {
	/usr/lib/dovecot/dovecot-lda -c "$DOVECOT_CONF" -d "$1" \
		-f sender@example.org < "$2"
}

# dovecot_restart: a real outage and return on the same ports and $T.
dovecot_restart() {
	dovecot_stop keep
	dovecot_launch
}
