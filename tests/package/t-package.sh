#!/bin/sh
# t-package.sh SRCDIR DEBDIR: the Debian package as an admin meets it, in
# TAP.  Run as root by .ci/run on the CI machine (it installs, runs and
# purges the package system-wide: not part of make check).  SRCDIR is the
# source tree dpkg-buildpackage built (still built: make install is tried
# there too), DEBDIR holds maildesk_*.deb.
set -u
SRC=$1
DEBS=$2
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 TZ=UTC
n=0
failed=0
ok() {	# ok STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"
	else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
is() {	# is GOT EXPECTED DESCRIPTION
	n=$((n + 1))
	if [ "$1" = "$2" ]; then echo "ok $n - $3"
	else
		echo "not ok $n - $3"; failed=$((failed + 1))
		printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
	fi
}
show() { sed 's/^/# /' "$1" | head -40; }
sql() { sqlite3 -batch -noheader "$1" "$2"; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

echo "1..36"

# --- lintian and installation --------------------------------------------
deb=$(ls "$DEBS"/maildesk_*.deb | head -1)
lintian --fail-on error "$DEBS"/maildesk_*.changes > "$T/lintian" 2>&1
ok $? "lintian finds no error"; show "$T/lintian"
apt-get install -y -qq "$deb" > "$T/apt" 2>&1
st=$?
ok $st "apt-get install ./maildesk_*.deb"; [ $st -eq 0 ] || show "$T/apt"

is "$(getent passwd maildesk | cut -d: -f6)" /var/lib/maildesk \
	"system user maildesk, home /var/lib/maildesk"
uid=$(id -u maildesk 2>/dev/null || echo 0)
[ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ]
ok $? "maildesk is a system user (uid $uid)"
is "$(stat -c '%a %U %G' /var/lib/maildesk)" "750 maildesk maildesk" \
	"/var/lib/maildesk is 0750 maildesk:maildesk"
is "$(stat -c '%a %U %G' /etc/maildesk/maildesk.conf)" "640 root maildesk" \
	"/etc/maildesk/maildesk.conf is 0640 root:maildesk"
grep -qx /etc/maildesk/maildesk.conf /var/lib/dpkg/info/maildesk.conffiles
ok $? "maildesk.conf is a conffile"
test -x /usr/bin/maildesk && test -x /usr/sbin/maildeskd
ok $? "/usr/bin/maildesk and /usr/sbin/maildeskd"
is "$(cd /usr/share/maildesk/templates && ls */*.txt)" \
	"$(cd "$SRC/conf/templates" && ls */*.txt)" \
	"the templates in /usr/share/maildesk/templates"
for m in man1/maildesk.1 man5/maildesk.conf.5 man8/maildeskd.8; do
	test -f /usr/share/man/$m.gz || echo "missing $m"
done > "$T/man"
test ! -s "$T/man"
ok $? "the three man pages"; show "$T/man"
grep -q '^ExecStart=/usr/sbin/maildeskd -c /etc/maildesk/maildesk.conf$' \
	/lib/systemd/system/maildeskd.service
ok $? "the unit runs /usr/sbin/maildeskd -c /etc/maildesk/maildesk.conf"
test ! -e /etc/systemd/system/multi-user.target.wants/maildeskd.service
ok $? "the unit is not enabled before the admin has configured the desk"
systemd-analyze verify /lib/systemd/system/maildeskd.service > "$T/verify" 2>&1
ok $? "systemd-analyze verify accepts the installed unit"; show "$T/verify"

# --- the example configuration --------------------------------------------
maildesk check-config > "$T/out" 2>&1
ok $? "the installed example passes check-config"; show "$T/out"
grep -q '^  state_dir = "/var/lib/maildesk";' /etc/maildesk/maildesk.conf
ok $? "the installed example keeps its state in /var/lib/maildesk"

# --- a desk configured by the admin, run as user maildesk ------------------
cat > /etc/maildesk/maildesk.conf <<'EOF'
desk = { name = "Helpdesk"; address = "support@desk.example";
	 aliases = [ "helpdesk@desk.example" ];
	 timezone = "Europe/Paris"; language = "en";
	 state_dir = "/var/lib/maildesk"; };
agents = { addresses = [ "alice@desk.example" ]; domains = [ "desk.example" ];
	   notify = "agents@desk.example"; };
inbound = ( { type = "maildir"; path = "/var/lib/maildesk/Maildir";
	      after = "move"; } );
outbound = { type = "maildir"; path = "/var/lib/maildesk/outbox"; };
EOF
maildesk check-config > "$T/out" 2>&1
ok $? "check-config accepts the admin's configuration"; show "$T/out"
echo 'desk = { nmae = "x"; };' > "$T/bad.conf"
maildesk -c "$T/bad.conf" check-config > "$T/out" 2>&1
is "$? $(grep -c "nmae" "$T/out")" "78 1" \
	"check-config names a wrong key and exits 78"
md=/var/lib/maildesk/Maildir
mkdir -p $md/tmp $md/cur $md/new
cp "$SRC"/maildir-fixtures/new/* $md/new/
chown -R maildesk:maildesk $md
nmail=$(ls $md/new | wc -l)
runuser -u maildesk -- /usr/sbin/maildeskd -c /etc/maildesk/maildesk.conf \
	--once > "$T/daemon" 2>&1
ok $? "maildeskd --once as user maildesk"; show "$T/daemon"
db=$(ls /var/lib/maildesk/*.db /var/lib/maildesk/*.sqlite 2>/dev/null | head -1)
is "$(stat -c %U "$db" 2>/dev/null)" maildesk "the database belongs to maildesk"
is "$(ls $md/new | wc -l) $(ls $md/cur | wc -l)" "0 $nmail" \
	"every mail moved from new/ to cur/"
got=$(sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'" \
	2>/dev/null)
[ -n "$got" ] && [ "$got" -gt 0 ] && [ "$got" -le "$nmail" ]
ok $? "messages recorded ($got of $nmail)"
[ "$(ls /var/lib/maildesk/outbox/new 2>/dev/null | wc -l)" -gt 0 ]
ok $? "acknowledgements written to the outbox maildir"
list=$(maildesk list 2>"$T/err" | wc -l)
[ "$list" -gt 1 ]
ok $? "root lists the tickets ($list lines)"; show "$T/err"

# Postfix's pipe runs maildesk deliver as user maildesk; while the daemon
# runs, the front (/usr/bin/maildesk) spools the mail and the daemon
# stores it.  Root's deliver by hand too: its file is given to maildesk.
# (runuser does not pass SIGTERM on: the daemon's own pid is signalled.)
runuser -u maildesk -- /usr/sbin/maildeskd -c /etc/maildesk/maildesk.conf \
	--pidfile /var/lib/maildesk/t.pid > "$T/live" 2>&1 &
dpid=$!
i=0
until grep -q "spools into" "$T/live" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
before=$(sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'")
printf 'From: pkg1@example.org\nTo: support@desk.example\nSubject: Package 1\nMessage-ID: <pkg.1@example.org>\n\nHello.\n' |
	runuser -u maildesk -- maildesk -v deliver > "$T/d1" 2>&1
is "$? $(grep -c 'spooled for maildeskd' "$T/d1")" "0 1" \
	"deliver as user maildesk spools while maildeskd runs"; show "$T/d1"
printf 'From: pkg2@example.org\nTo: support@desk.example\nSubject: Package 2\nMessage-ID: <pkg.2@example.org>\n\nHello.\n' |
	maildesk -v deliver > "$T/d2" 2>&1
is "$? $(grep -c 'spooled for maildeskd' "$T/d2")" "0 1" \
	"and as root"; show "$T/d2"
i=0
until [ "$(sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'")" = $((before + 2)) ] ||
	[ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
is "$(sql "$db" "SELECT count(*) FROM messages WHERE message_id LIKE 'pkg.%'") $(ls /var/lib/maildesk/spool/new | wc -l)" \
	"2 0" "the daemon stored both and emptied the spool"; show "$T/live"
kill "$(cat /var/lib/maildesk/t.pid)"; wait "$dpid"
ok $? "maildeskd stops on SIGTERM"

# Reinstalling keeps the admin's configuration (a conffile, never replaced).
sum=$(md5sum < /etc/maildesk/maildesk.conf)
dpkg -i "$deb" > "$T/apt" 2>&1
ok $? "reinstall (upgrade path: postinst configure with a version)"
is "$(md5sum < /etc/maildesk/maildesk.conf)" "$sum" \
	"the admin's maildesk.conf is kept"

# --- purge --------------------------------------------------------------
apt-get purge -y -qq maildesk > "$T/apt" 2>&1
st=$?
ok $st "apt-get purge maildesk"; [ $st -eq 0 ] || show "$T/apt"
left=$(ls -d /etc/maildesk /var/lib/maildesk /usr/bin/maildesk \
	/usr/libexec/maildesk /usr/lib/maildesk \
	/usr/sbin/maildeskd /lib/systemd/system/maildeskd.service \
	/usr/lib/tmpfiles.d/maildesk.conf /usr/share/maildesk \
	/usr/share/doc/maildesk 2>/dev/null)
is "$left" "" "nothing of the package is left"
is "$(dpkg-statoverride --list /etc/maildesk/maildesk.conf)" "" \
	"no stat override is left"
getent passwd maildesk > /dev/null
ok $? "the system user stays (Debian policy: never removed)"

# --- make install, as the package does ------------------------------------
D=$T/destdir
make -C "$SRC" install DESTDIR="$D" > "$T/inst" 2>&1
ok $? "make install DESTDIR=..."; show "$T/inst" | tail -5
test -f "$D/etc/maildesk/maildesk.conf" &&
	test -f "$D/usr/share/maildesk/templates/fr/ack.txt"
ok $? "make install installs the example configuration and the templates"
echo "# the admin's" >> "$D/etc/maildesk/maildesk.conf"
make -C "$SRC" install DESTDIR="$D" > "$T/inst" 2>&1
tail -1 "$D/etc/maildesk/maildesk.conf" | grep -q "^# the admin's$"
ok $? "a second make install does not overwrite the configuration"

echo "# $n tests, $failed failed"
[ $failed -eq 0 ]
