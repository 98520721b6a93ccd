#!/bin/sh
# t-030-admin-cli: the command line's manners (help, --help, --opt=value,
# usage errors naming the command with exit 64), the built-in
# configuration said once, secrets read only by what logs in, and
# check-config's checks beyond the syntax (issue 10, items 2, 3, 8).
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 34
T=$WORK
cd "$T" || exit 1

# --- help -----------------------------------------------------------------
$MAILDESK help list > out 2> err
is "$? $(head -c 20 out) $(wc -c < err)" "0 usage: maildesk list 0" \
	"help list: the usage of list on stdout, exit 0"
grep -q -- '--quarantine' out
ok $? "help list shows every form of list"
$MAILDESK show --help > out 2> err
is "$? $(cat out)" "0 usage: maildesk show N [--json]" \
	"show --help: its usage on stdout, exit 0"
$MAILDESK -c /nonexistent stats -h > out 2>&1
is "$? $(cat out)" "0 usage: maildesk stats [--json]" \
	"-h needs no configuration"
$MAILDESK help > out; is "$? $(grep -c '^  maildesk ' out)" \
	"0 $($MAILDESK --help | grep -c '^  maildesk ')" \
	"help alone is --help"
$MAILDESK help frobnicate > out 2> err
is "$? $(head -1 err)" "64 maildesk help: 'frobnicate' is not a command" \
	"help of an unknown command: exit 64"

# --- usage errors name the command, exit 64 ------------------------------
for args in "list --frobnicate" "list --status" "show" "show 1 2" \
	"stats --xml" "send now" "ingest" "resolve" "reply" "escalate" \
	"assign 1" "tick x" "digest --wet" "check-config x"; do
	cmd=${args%% *}
	# shellcheck disable=SC2086
	$MAILDESK $args > out 2> err < /dev/null
	rc=$?
	if [ $rc -eq 64 ] && grep -q "^maildesk $cmd: " err &&
		grep -q "^usage: maildesk $cmd" err && [ ! -s out ]; then
		echo "ok - maildesk $args" >> manners
	else
		echo "not ok - maildesk $args: exit $rc: $(head -1 err)" >> manners
	fi
done
is "$(grep -c '^not ok' manners)" 0 "14 usage errors: exit 64, the command named, its usage"
grep '^not ok' manners | sed 's/^/# /'
$MAILDESK deliver x > out 2> err < /dev/null
is "$? $(grep -c '^maildesk deliver: ' err)" "75 1" \
	"deliver's usage error names it and exits 75 (the MTA retries)"
$MAILDESK frobnicate > out 2> err
is "$? $(head -1 err)" "64 maildesk: 'frobnicate' is not a command" \
	"an unknown command: exit 64"

# --- --opt=value --------------------------------------------------------
fixtures in
write_conf md.conf
$MAILDESK -c md.conf ingest in > /dev/null 2>&1
$MAILDESK -c md.conf list --status open > a 2>&1
$MAILDESK -c md.conf list --status=open > b 2>&1
is "$(wc -l < a)" "$(wc -l < b)" "--status=open lists as --status open"
[ "$(wc -l < a)" -gt 1 ]; ok $? "... and lists tickets ($(wc -l < a) lines)"
$MAILDESK --config=md.conf list --limit=2 --json > a 2>&1
is "$? $(grep -o '"id":' a | wc -l)" "0 2" "--config=FILE and --limit=2"
$MAILDESK -c md.conf escalate 1 --note="a=b c" > out 2>&1
ok $? "--note=TEXT keeps its own '='"
$MAILDESK -c md.conf show 1 > out
grep -q 'a=b c' out
ok $? "... and the note is the whole value"

# --- the built-in configuration says so, once ------------------------------
mkdir bare && cd bare || exit 1
$MAILDESK stats > out 2> err
rc=$?
cd "$T" || exit 1
is "$rc" 0 "stats runs with the built-in configuration"
grep -q "using the built-in example configuration, state in $T/bare/var" \
	bare/err
ok $? "and says on stderr where its state goes"
is "$(grep -c built-in bare/err)" 1 "once"
$MAILDESK -c md.conf stats > out 2> err
is "$(grep -c built-in err)" 0 "nothing said with -c"

# --- secrets: read only by what logs in ------------------------------------
printf 'pass\n' > smtp.secret; chmod 644 smtp.secret
write_conf sec.conf 'outbound = { type = "smtp"; url = "smtp://127.0.0.1:9"; user = "u"; password_file = "smtp.secret"; };'
for c in "list" "show 1" "stats" "list --quarantine"; do
	# shellcheck disable=SC2086
	$MAILDESK -c sec.conf $c > /dev/null 2> err ||
		echo "$c: $(cat err)" >> nosecret
done
is "$(cat nosecret 2>/dev/null)" "" \
	"list, show, stats work with an unreadable password file"
$MAILDESK -c sec.conf deliver < "$MD_SRCDIR/maildir-fixtures/new/1764000001.M1P1.fixture" 2> err
ok $? "deliver (which sends nothing) does not read it either"
$MAILDESK -c sec.conf send > out 2> err
is "$? $(grep -c 'smtp.secret is accessible by group or others' err)" "78 1" \
	"send reads it, refuses its mode, exits 78"
$MAILDESK -c sec.conf check-config > out 2> err
is "$? $(grep -c 'outbound.password_file: .*smtp.secret is accessible' err)" \
	"78 1" "check-config checks it"
chmod 600 smtp.secret
$MAILDESK -c sec.conf check-config > out 2> err
is "$?" 0 "a 0600 file of ours passes"
if [ "$(id -u)" -eq 0 ]; then
	chown nobody smtp.secret
	$MAILDESK -c sec.conf check-config > out 2> err
	is "$? $(grep -c 'must be owned by the user running maildesk (uid 0) or by root' err)" \
		"78 1" "a file of another user is refused"
	chown root smtp.secret
	$MAILDESK -c sec.conf check-config > out 2> err
	is "$?" 0 "a file of root's passes"
else
	ok 0 "# SKIP needs root"; ok 0 "# SKIP needs root"
fi

# --- check-config: CA files, templates, agents' domains ----------------
write_conf ca.conf 'outbound = { type = "smtp"; url = "smtps://127.0.0.1:9"; tls_ca_file = "ca.pem"; };'
$MAILDESK -c ca.conf check-config > out 2> err
is "$? $(grep -c 'outbound.tls_ca_file: .*ca.pem' err)" "78 1" \
	"a missing CA file"
echo "not a certificate" > ca.pem
$MAILDESK -c ca.conf check-config > out 2> err
is "$? $(grep -c 'ca.pem holds no certificate' err)" "78 1" \
	"a CA file that holds no certificate"
make_cert "$T"
cp cert.pem ca.pem
$MAILDESK -c ca.conf check-config > out 2> err
is "$?" 0 "a PEM certificate passes"

mkdir -p tpl && cp -R "$MD_SRCDIR/conf/templates/." tpl/
sed 's|^  # templates = "templates";.*|  templates = "tpl";|' md.conf > tpl.conf
$MAILDESK -c tpl.conf check-config > out 2> err
is "$? $(grep -c 'tpl/' err)" "0 0" "a full copy of the templates passes"
rm tpl/en/notify.txt
printf 'Ticket {{ticket}} {{tikcet}}\n' > tpl/fr/ack.txt
$MAILDESK -c tpl.conf check-config > out 2> err
is "$?" 78 "a template naming an unknown placeholder fails"
grep -q 'tpl/fr/ack.txt: unknown placeholder {{tikcet}}' err
ok $? "... naming the file and the placeholder"
grep -q 'warning: .*tpl/en/notify.txt: missing, the built-in template is used' err
ok $? "a missing template is a warning"

grep -q 'warning: agents.domains includes the desk.s own domain: every employee of desk.example is an agent' err
ok $? "agents.domains with the desk's own domain: a warning"
sed 's|domains = \[ "desk.example" \];|domains = [ "staff.desk.example" ];|' md.conf > dom.conf
$MAILDESK -c dom.conf check-config > out 2> err
is "$? $(grep -c warning err)" "0 0" "no warning for another domain"

done_testing
