#!/bin/sh
# t-110-oauth: Microsoft 365 / Gmail style OAuth2 (issue 11) against real
# servers on 127.0.0.1: Dovecot with its oauth2 passdb checking each
# bearer token at the test token server's introspection URL, an SMTP sink
# that offers only XOAUTH2, and the token server (rotating refresh
# tokens).  Device login with pending and slow_down; IMAP ingest and SMTP
# acknowledgements over XOAUTH2; a token refused by the server; rotation;
# SIGKILL at each step of a refresh; expiry in the middle of a run;
# invalid_grant parks the source until a new login and SIGHUP; the token
# endpoint down then back; client credentials; a refused SMTP token
# keeps the mail queued.
. "$MD_SRCDIR/tests/integration/lib.sh"
. "$MD_SRCDIR/tests/integration/dovecot.sh"
plan 67
cd "$WORK" || exit 1
TS_PID=
cleanup() {
	[ -f d.pid ] && kill -KILL "$(cat d.pid)" 2> /dev/null
	[ -n "$TS_PID" ] && kill "$TS_PID" 2> /dev/null
	sinks_stop; dovecot_stop
}
trap cleanup EXIT

/usr/bin/python3 "$MD_SRCDIR/tests/integration/token-server.py" > ts.port \
	2> ts.err &
TS_PID=$!
wait_until 30 'grep -q "^PORT=" ts.port' ||
	{ echo "Bail out! token server did not start"; exit 1; }
TS=http://127.0.0.1:$(sed -n 's/^PORT=//p' ts.port)
DOVECOT_OAUTH_URL=$TS/introspect
dovecot_start || { echo "Bail out! Dovecot did not start"; exit 1; }
sink_start sink --cert "$T/cert.pem" --key "$T/key.pem" \
	--xoauth2 "$TS/introspect"

# post URL FORM: prints the answer's body, and its HTTP status on stderr.
post() {
	/usr/bin/python3 -c '
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], sys.argv[2].encode(), timeout=10)
    print(r.read().decode()); print(r.status, file=sys.stderr)
except urllib.error.HTTPError as e:
    print(e.read().decode()); print(e.code, file=sys.stderr)
' "$1" "$2"
}
# ts VERB [FORM]: a test verb of the token server; prints its JSON.
ts() { post "$TS/test/$1" "${2:-x=1}" 2> /dev/null; }
stat_of() { ts stats | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
sinkcount() { ls sink | grep -c 'json$'; }
tickets() { sql var/maildesk.db 'select count(*) from tickets'; }
messages_in() { sql var/maildesk.db "select count(*) from messages where direction = 'in'"; }
rt() { sed -n 's/^refresh_token=//p' desk.token; }
# mail N: a new requester's mail, Message-ID <N@example.org>.
mail() {
	printf 'From: Requester %s <req%s@example.org>\nTo: support@desk.example\nSubject: Test %s\nMessage-ID: <%s@example.org>\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n\nBonjour %s.\n' \
		"$1" "$1" "$1" "$1" "$1" > "m$1.eml"
	dovecot_deliver desk "m$1.eml"
}
# kill_imap: drops the daemon's IMAP session, as a server restart would.
kill_imap() {
	for p in $(_dovecot_instance_pids); do
		case $(tr '\0' ' ' < "/proc/$p/cmdline") in
		*/imap|*/imap\ *) kill -KILL "$p" ;;
		esac
	done
}
# login: `maildesk oauth login desk`, a person entering the code.
login() {
	# The shell truncates login.out in the child: the code of the
	# previous login must not be read meanwhile.
	rm -f login.out
	"$MAILDESK" -c maildesk.conf oauth login desk > login.new 2>&1 &
	_lp=$!
	if ! wait_until 60 'grep -Eq "^    [0-9]{4}-[0-9]{4}$" login.new'; then
		kill "$_lp"; wait "$_lp"; return 1
	fi
	ts approve "user_code=$(sed -n 's/^    \([0-9-]*\)$/\1/p' login.new)&user=desk" > /dev/null
	wait "$_lp"; _lrc=$?
	mv login.new login.out
	return $_lrc
}
printf 'app-secret\n' > app.secret; chmod 600 app.secret
# conf FILE GRANT TOKENFILE: IMAPS in, SMTP with STARTTLS out, both XOAUTH2.
conf() {
	_o="provider = \"generic\"; grant = \"$2\"; token_file = \"$3\"; token_url = \"$TS/token\"; device_url = \"$TS/device\"; scope = \"mail offline_access\";"
	[ "$2" = client_credentials ] &&
		_o="$_o client_id = \"app\"; client_secret_file = \"app.secret\";" ||
		_o="$_o client_id = \"maildesk\";"
	cat > "$1" <<EOF
desk = { address = "support@desk.example"; state_dir = "var"; };
agents = { addresses = [ "alice@desk.example" ]; notify = "agents@desk.example"; };
supervisors = [ "chief@desk.example" ];
inbound = ( { type = "imap"; url = "imaps://127.0.0.1:$IMAPS_PORT/INBOX";
  user = "desk"; auth = "oauth2"; tls_ca_file = "$T/cert.pem";
  after = "move"; done_folder = "Done"; idle = true; poll_interval = 1;
  oauth2 = { $_o }; } );
outbound = { type = "smtp"; url = "smtp://127.0.0.1:$SINK_PORT";
  starttls = true; tls_ca_file = "$T/cert.pem"; user = "desk";
  auth = "oauth2"; oauth2 = { $_o }; };
EOF
}
conf maildesk.conf refresh_token desk.token

# 1. The configuration; no token yet: a clear error, no request made.
"$MAILDESK" -c maildesk.conf check-config > /dev/null
ok $? "check-config accepts auth = oauth2 for IMAP and SMTP"
"$MAILDESK" -c maildesk.conf oauth status > status.out
grep -q "no token yet: run maildesk oauth login" status.out
ok $? "oauth status: no token yet"
"$MAILDESKD" -c maildesk.conf --once 2> once0.log
is "$?" 78 "maildeskd --once before any login: EX_CONFIG"
grep -q "needs attention: run maildesk oauth login desk" once0.log
ok $? "the log says what to run"
is "$(stat_of token)" 0 "no request to the token endpoint without a token"

# 2. Device login (RFC 8628): pending, slow_down, then the person's code.
login
is "$?" 0 "oauth login desk: signed in"
grep -q "signed in; the tokens are in" login.out
ok $? "oauth login says where the tokens went"
is "$(stat_of too_fast)" 0 "it honoured interval and slow_down (no poll too early)"
test "$(stat_of device_poll)" -ge 3
ok $? "it polled through authorization_pending and slow_down"
is "$(stat -c %a desk.token)" 600 "token_file is 0600"
test -n "$(rt)"
ok $? "the refresh token is stored"

# 3. IMAP ingest with XOAUTH2, acknowledgements over SMTP with XOAUTH2.
mail 1; mail 2
"$MAILDESKD" -c maildesk.conf --once 2> once1.log
is "$?" 0 "maildeskd --once logs in with XOAUTH2"
is "$(tickets)" 2 "two tickets from the IMAP INBOX"
is "$(mailbox_count desk Done)" 2 "both moved to Done"
is "$(sinkcount)" 4 "acknowledgements and notifications reached the sink"
is "$(grep -l '"auth": "desk"' sink/*.json | wc -l)" 4 \
	"each over an SMTP session authenticated as desk with XOAUTH2"
grep -Eq '(at|rt)-[A-Za-z0-9_-]{8}' once1.log
ok $((1 - $?)) "no token in the log"

# 4. A token the server refuses (the server's "expired" answer): one
# refresh, one retry; the refresh token rotates and the old one dies.
rt0=$(rt)
ts revoke-access > /dev/null
mail 3
"$MAILDESKD" -c maildesk.conf --once 2> once2.log
is "$?" 0 "a refused access token: refreshed and logged in again"
is "$(tickets)" 3 "the new mail is taken"
grep -q "token refused; trying once more" once2.log
ok $? "the log says the token was refused once"
rt1=$(rt)
test -n "$rt1" && test "$rt1" != "$rt0"
ok $? "the rotated refresh token replaced the old one in token_file"
ts revoke-access > /dev/null
mail 4
"$MAILDESKD" -c maildesk.conf --once 2> once3.log
is "$(tickets)" 4 "a second refresh with the rotated token works"
is "$(post "$TS/token" "grant_type=refresh_token&refresh_token=$rt0&client_id=maildesk" 2>&1 > /dev/null)" 400 \
	"the first refresh token is refused by the server now"

# 5. SIGKILL at each step of a refresh, then a restart that logs in.
n=4
for step in before-request after-answer after-write; do
	ts revoke-access > /dev/null
	n=$((n + 1)); mail $n
	MAILDESK_TEST_OAUTH_KILL=$step "$MAILDESKD" -c maildesk.conf --once \
		2> "kill-$step.log"
	is "$?" 137 "SIGKILL $step"
	"$MAILDESKD" -c maildesk.conf --once 2> "after-$step.log"
	rc=$?
	is "$rc:$(tickets)" "0:$n" "after SIGKILL $step: the restart logs in and takes the mail"
done
is "$(messages_in)" "$n" "no mail duplicated"

# 6. Expiry in the middle of a run: short-lived tokens, a live daemon, a
# broken connection after the token expired: a new one, nothing lost.
ts expires-in n=2 > /dev/null
ts revoke-access > /dev/null
"$MAILDESKD" -c maildesk.conf --pidfile d.pid 2> live.log &
wait_until 30 'test -s d.pid'
n=$((n + 1)); mail $n
wait_until 30 "test \$(tickets) -eq $n"
ok $? "live: mail taken with a 2 s token"
# Its acknowledgements first: sending may renew the token too.
wait_until 30 "test \$(sinkcount) -eq $((2 * n))"
wait_until 30 'test $(date +%s) -gt $(sed -n "s/^expires_at=//p" desk.token)'
ok $? "the access token has expired"
refreshes=$(stat_of refresh)
kill_imap
n=$((n + 1)); mail $n
wait_until 30 "test \$(tickets) -eq $n"
ok $? "live: after the token expired and the connection broke, mail is taken"
test "$(stat_of refresh)" -gt "$refreshes"
ok $? "the reconnection used a new access token"
is "$(messages_in)" "$n" "nothing lost nor duplicated"
ts expires-in n=3600 > /dev/null

# 7. The token endpoint down, then back: the source waits and resumes.
ts down > /dev/null
ts revoke-access > /dev/null
kill_imap
n=$((n + 1)); mail $n
wait_until 30 'grep -q "token endpoint: HTTP 503.*; next try in" live.log'
ok $? "endpoint down: logged with the next try"
test "$(tickets)" -lt "$n"
ok $? "endpoint down: the mail waits in the INBOX"
ts up > /dev/null
wait_until 30 "test \$(tickets) -eq $n"
ok $? "endpoint back: the mail is taken"

# 8. invalid_grant: parked, one log line, stats says what to run; a new
# login and SIGHUP resume; the supervisors get one mail.  (The
# acknowledgements of step 7 first.)
wait_until 30 "test \$(sinkcount) -eq $((2 * n))"
ts revoke-refresh > /dev/null
ts revoke-access > /dev/null
refused=$(stat_of refused)
kill_imap
n=$((n + 1)); mail $n
wait_until 30 'grep -q "source parked" live.log'
ok $? "invalid_grant: the source is parked"
is "$(grep 'source parked' live.log | grep -c 'run maildesk oauth login desk')" 1 \
	"one log line"
is "$(( $(stat_of refused) - refused ))" 1 "the revoked refresh token was tried once"
"$MAILDESK" -c maildesk.conf stats > stats.out
grep -q "needs attention: run maildesk oauth login desk" stats.out
ok $? "stats: needs attention: run maildesk oauth login desk"
"$MAILDESK" -c maildesk.conf oauth status desk --json > status.json
/usr/bin/python3 -c 'import json,sys; d = json.load(open("status.json")); sys.exit(0 if d[0]["needs_login"] and "invalid_grant" in d[0]["last_error"] else 1)'
ok $? "oauth status --json: needs_login, with the provider's error"
grep -q 'rt-\|at-' status.json
ok $((1 - $?)) "no token in the status"
kill -HUP "$(cat d.pid)"
wait_until 30 'test $(grep -c "source parked" live.log) -eq 2'
ok $? "SIGHUP without a new login: parked again"
is "$(( $(stat_of refused) - refused ))" 1 "still no second request with the revoked token"
is "$(sql var/maildesk.db "select count(*) from outbox where rcpts like '%chief@desk.example%'")" 1 \
	"one mail to the supervisors, not one per attempt"
login
is "$?" 0 "a new oauth login"
kill -HUP "$(cat d.pid)"
wait_until 30 "test \$(tickets) -eq $n"
ok $? "after SIGHUP the source resumes and takes the waiting mail"
wait_until 30 'grep -l chief@desk.example sink/*.json > /dev/null'
ok $? "the supervisors' mail goes out once the account works again"
sup=$(grep -l chief@desk.example sink/*.json | head -1)
header "${sup%.json}.eml" Subject | grep -q "Needs attention: imaps://127.0.0.1:$IMAPS_PORT/INBOX"
ok $? "it names the source"
/usr/bin/python3 -c 'import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(m.get_payload(decode=True).decode())' "${sup%.json}.eml" |
	grep "run maildesk oauth login desk" > /dev/null
ok $? "and what to run"
# Every mail of step 8 out (two per ticket and the supervisors') before
# the daemon stops: step 9 counts what `send` adds.
wait_until 30 "test \$(sinkcount) -eq $((2 * n + 1))"
ok $? "the acknowledgement and notification of the waiting mail went out too"
kill "$(cat d.pid)"; wait_until 30 'test ! -f d.pid'

# 9. SMTP: a revoked grant keeps the mail queued; after a login it goes.
before=$(sinkcount)
ts revoke-refresh > /dev/null
ts revoke-access > /dev/null
printf 'From: Late <late@example.org>\nTo: support@desk.example\nSubject: Late\nMessage-ID: <late@example.org>\n\nHello.\n' |
	"$MAILDESK" -c maildesk.conf deliver
"$MAILDESK" -c maildesk.conf send > send.log 2>&1
is "$?" 78 "maildesk send with a revoked grant: EX_CONFIG"
is "$(sinkcount)" "$before" "revoked grant: nothing sent"
is "$(sql var/maildesk.db "select count(*) from outbox where state = 'queued' and last_error like '%needs attention%'")" 2 \
	"the acknowledgement and notification stay queued, with the reason"
login > /dev/null
later=$(date -u -d '+10 min' +%Y-%m-%dT%H:%M:%SZ)
"$MAILDESK" -c maildesk.conf --now "$later" send > send2.log 2>&1
is "$(sinkcount)" "$((before + 2))" "after a new login, the queued mail goes out"

# 10. Client credentials (app-only): no person, no refresh token.
conf app.conf client_credentials app.token
sed -i 's|state_dir = "var"|state_dir = "var-app"|' app.conf
n=$((n + 1)); mail $n
"$MAILDESK" -c app.conf oauth login > app-login.out
ok $? "oauth login with client credentials checks them"
"$MAILDESKD" -c app.conf --once 2> app.log
is "$?" 0 "client credentials: maildeskd --once logs in"
is "$(sql var-app/maildesk.db 'select count(*) from tickets')" 1 \
	"client credentials: the mail is taken"
grep -q '^refresh_token=' app.token
ok $((1 - $?)) "client credentials: no refresh token stored"

# 11. The authorization code flow with PKCE (Google has no device flow
# for the mail scope): the person's browser ends on a loopback address
# that does not load; its address, pasted, carries the code.
conf code.conf refresh_token code.token
sed -i -e "s|device_url = \"$TS/device\";|auth_url = \"$TS/authorize\";|g" \
	-e 's|state_dir = "var"|state_dir = "var-code"|' code.conf
/usr/bin/python3 - "$MAILDESK" code.conf > code-login.out 2>&1 <<'PY'
import subprocess, sys, urllib.error, urllib.request
p = subprocess.Popen([sys.argv[1], "-c", sys.argv[2], "oauth", "login",
                      "desk"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     text=True)
for line in p.stdout:
    if line.startswith("http") and "/authorize?" in line:
        break
class Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None
try:   # the person signs in as desk; the browser is sent on
    urllib.request.build_opener(Stay).open(line.strip() + "&user=desk")
    sys.exit("no redirect")
except urllib.error.HTTPError as e:
    location = e.headers["Location"]
p.stdin.write(location + "\n")
p.stdin.close()
print(p.stdout.read())
sys.exit(p.wait())
PY
is "$?" 0 "oauth login with the authorization code flow: signed in"
grep -q '^refresh_token=' code.token
ok $? "the refresh token from the code is stored"
n=$((n + 1)); mail $n
"$MAILDESKD" -c code.conf --once 2> code.log
is "$(sql var-code/maildesk.db 'select count(*) from tickets'):$?" "1:0" \
	"with it, maildeskd logs in and takes the mail"

# 12. A new token refused as well (a token that is not the mailbox's):
# final, with what to check, after one refresh and one retry.
sed -e 's|user = "desk"; auth|user = "alice"; auth|' \
	-e 's|desk\.token|alice.token|g' \
	-e 's|state_dir = "var"|state_dir = "var-alice"|' maildesk.conf > alice.conf
cp desk.token alice.token; chmod 600 alice.token
"$MAILDESKD" -c alice.conf --once 2> alice.log
is "$?" 78 "a new token refused too: EX_CONFIG"
grep -q "even with a new token: check that IMAP is enabled for alice" alice.log
ok $? "the log says what to check"
is "$(grep -c 'trying once more with a new one' alice.log)" 1 "one retry, no loop"

done_testing
