#!/bin/sh
# maildesk deliver while maildeskd runs (issue 9, item 3): the mail goes
# durably into the spool maildir (var/spool) and the daemon stores it, in
# batches, and deletes the file.  Without a daemon, with --now, or over
# limits.max_message_size, deliver stores the mail itself as before.  A
# mail left in the spool by a daemon that stopped is taken at the next
# start.  Four feeders at once: every mail stored exactly once.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 26
cd "$WORK" || exit 1
write_conf maildesk.conf
sed -i 's/max_message_size = 26214400/max_message_size = 200000/' maildesk.conf
DB=var/maildesk.db
F=$MD_SRCDIR/maildir-fixtures/new
count_in() { sql $DB "select count(*) from messages where direction = 'in'"; }
files() { ls "var/spool/$1" 2> /dev/null | wc -l | tr -d ' '; }
mail() {	# mail N: a new request of its own
	printf 'From: user%d@example.org\nTo: support@desk.example\nSubject: Request %d\nMessage-ID: <spool.%d@example.org>\nDate: Mon, 23 Nov 2026 09:00:00 +0100\n\nThe printer on floor %d is out of paper.\n' \
		"$1" "$1" "$1" "$1"
}

# 1. No daemon: deliver stores the mail before it exits.
mail 1 | "$MAILDESK" -c maildesk.conf -v deliver 2> alone.err
ok $? "without maildeskd: deliver exits 0"
is "$(count_in)" 1 "the mail is in the database when it exits"
grep -q "spooled" alone.err
ok $(( ! $? )) "it was not spooled"

# 2. The daemon runs: deliver spools, the daemon stores.
"$MAILDESKD" -c maildesk.conf --pidfile d.pid 2> d.log &
dpid=$!
wait_until 10 'grep -q "maildesk deliver spools into $WORK/var/spool$" d.log'
ok $? "maildeskd says where delivers spool"
mail 2 | "$MAILDESK" -c maildesk.conf -v deliver 2> spool.err
ok $? "with maildeskd: deliver exits 0"
grep -q "^maildesk: deliver: [0-9]* bytes spooled for maildeskd$" spool.err
ok $? "it spooled the mail"
wait_until 10 '[ "$(count_in)" = 2 ]'
ok $? "the daemon stored it"
is "$(sql $DB "select t.requester from tickets t join messages m on m.ticket = t.id where m.message_id = 'spool.2@example.org'")" \
	"user2@example.org" "as a ticket of its sender"
wait_until 10 '[ "$(sql $DB "select count(*) from outbox where kind = '"'ack'"'")" = 2 ]'
ok $? "and queued its acknowledgement"
wait_until 10 '[ "$(files new)$(files cur)$(files tmp)" = 000 ]'
ok $? "the spool is empty once it is stored (new/, cur/, tmp/)"

# 3. Four feeders of 100 mails each, at once.
feeder() {
	i=$1
	while [ "$i" -lt 403 ]; do
		mail "$i" | "$MAILDESK" -c maildesk.conf deliver 2>> feed.err
		echo $? >> "rc.$1"
		i=$((i + 4))
	done
}
feeders=
for k in 3 4 5 6; do feeder $k & feeders="$feeders $!"; done
wait $feeders
is "$(cat rc.* | sort | uniq -c | awk '{print $2 ":" $1}' | tr '\n' ' ')" "0:400 " \
	"four feeders: every deliver exits 0"
wait_until 60 '[ "$(count_in)" = 402 ]'
ok $? "the daemon stored all 400"
is "$(sql $DB "select count(distinct message_id) from messages where message_id like 'spool.%'")" 402 \
	"each exactly once"
wait_until 10 '[ "$(files new)$(files cur)$(files tmp)" = 000 ]'
ok $? "the spool is empty again"
is "$(cat feed.err)" "" "nothing on stderr"

# 4. The long way while the daemon runs: --now, and a mail over the limit.
mail 500 | "$MAILDESK" -c maildesk.conf --now 2026-11-23T10:00:00+01:00 deliver
is "$?:$(count_in)" "0:403" "with --now deliver stores the mail itself"
{ mail 501; head -c 300000 /dev/zero | tr '\0' 'x'; echo; } |
	"$MAILDESK" -c maildesk.conf deliver
is "$?:$(sql $DB "select count(*) from quarantine")" "0:1" \
	"over limits.max_message_size: quarantined by deliver itself"

# The front (/usr/bin/maildesk, src/front.c) spools only with a
# configuration libconfig reads; the tool says what is wrong with one it
# cannot read, and defers the mail.
{ cat maildesk.conf; echo 'desk = {'; } > broken.conf
mail 503 | "$MAILDESK" -c broken.conf deliver 2> syntax.err
is "$?:$(count_in)" "75:403" "a configuration with a syntax error: deferred, not spooled"
grep -q "broken.conf.*(mail deferred: the MTA will retry)$" syntax.err
ok $? "and the tool names the file"
# A key the tool does not know, typed after the daemon started: the
# daemon, whose configuration was checked at its start, stores the mail.
sed 's/^desk = {/desk = { nmae = "x";/' maildesk.conf > typo.conf
mail 504 | "$MAILDESK" -c typo.conf deliver
wait_until 10 '[ "$(count_in)" = 404 ]'
ok $? "an unknown key: spooled, and stored by the daemon"

# A spool that cannot be written (removed by hand) defers nothing: deliver
# says so and stores the mail itself.
mv var/spool/tmp var/spool/tmp.away
mail 502 | "$MAILDESK" -c maildesk.conf deliver 2> broken.err
is "$?:$(count_in)" "0:405" "spool unwritable: deliver stores the mail itself"
grep -q "^maildesk: deliver: .*spool/tmp/.*: cannot create: No such file or directory; storing the mail itself$" broken.err
ok $? "and says why"
mv var/spool/tmp.away var/spool/tmp

# 5. The daemon stops; a mail spooled as it stopped waits for the next
# start; deliver stores the mail itself again.
kill "$dpid"; wait "$dpid"
ok $? "maildeskd stops"
mail 600 > var/spool/new/1796000000.M1P1.left
"$MAILDESKD" -c maildesk.conf --once 2> once.log
is "$?:$(count_in):$(files new)" "0:406:0" "maildeskd --once takes what was left in the spool"
mail 601 | "$MAILDESK" -c maildesk.conf -v deliver 2> after.err
is "$?:$(count_in)" "0:407" "without the daemon deliver stores the mail itself"
grep -q "spooled" after.err
ok $(( ! $? )) "and does not spool it"
done_testing
