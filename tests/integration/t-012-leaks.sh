#!/bin/sh
# No leaks on the command-line paths: each command under valgrind with
# definite leaks as errors, the maildesk front and the maildesk-cli it
# executes (--trace-children).  In the sanitizer build valgrind cannot
# run the binaries, and LeakSanitizer already fails any of them that
# leaks, so there the same commands simply run.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 22
cd "$WORK" || exit 1
write_conf maildesk.conf
if [ "${MD_SANITIZERS:-no}" = yes ]; then
	run() { "$@"; }
	how="under LeakSanitizer"
else
	run() {
		valgrind -q --trace-children=yes --leak-check=full \
			--errors-for-leak-kinds=definite \
			--error-exitcode=99 --log-file=valgrind.%p.log "$@"
	}
	how="valgrind: no definite leak, no error"
fi
NOW=--now=2026-11-23T10:00:00+01:00
F=$MD_SRCDIR/maildir-fixtures/new
run "$MAILDESK" -c maildesk.conf $NOW ingest "$MD_SRCDIR/maildir-fixtures" > /dev/null
ok $? "ingest: $how"
run "$MAILDESK" -c maildesk.conf $NOW deliver < "$F/1764000044.M44P1.fixture"
ok $? "deliver: $how"
printf 'junk' | run "$MAILDESK" -c maildesk.conf $NOW deliver
ok $? "deliver of junk (quarantine): $how"
run "$MAILDESK" -c maildesk.conf list --json > /dev/null
ok $? "list --json: $how"
run "$MAILDESK" -c maildesk.conf show 3 --json > /dev/null
ok $? "show --json: $how"
run "$MAILDESK" -c maildesk.conf stats > /dev/null
ok $? "stats: $how"
run "$MAILDESK" -c maildesk.conf $NOW send > /dev/null
ok $? "send (maildir transport): $how"
run "$MAILDESK" -c maildesk.conf $NOW close 2 > /dev/null
ok $? "close: $how"
printf 'Bonjour,\nc est fait.\n' | run "$MAILDESK" -c maildesk.conf $NOW reply 1 > /dev/null
ok $? "reply: $how"
run "$MAILDESK" -c maildesk.conf $NOW escalate 3 --note "voir" > /dev/null
ok $? "escalate: $how"
run "$MAILDESK" -c maildesk.conf $NOW assign 4 bob@desk.example > /dev/null
ok $? "assign: $how"
printf 'Appel : lampadaire.\n' | run "$MAILDESK" -c maildesk.conf $NOW open \
	--requester a@ville.example --subject "Lampadaire" --cc b@ville.example > /dev/null
ok $? "open: $how"
run "$MAILDESK" -c maildesk.conf $NOW open --requester bad --subject x \
	< /dev/null 2> /dev/null
is $? 64 "open with a bad address: $how"
run "$MAILDESK" -c maildesk.conf --now=2026-11-25T10:00:00+01:00 tick > /dev/null
ok $? "tick (reminders, the digest): $how"
run "$MAILDESK" -c maildesk.conf --now=2026-11-25T10:05:00+01:00 digest --dry-run > /dev/null
ok $? "digest --dry-run: $how"
run "$MAILDESK" -c maildesk.conf show 1 > /dev/null
ok $? "show (with its due line): $how"
run "$MAILDESK" -c maildesk.conf list --due > /dev/null
ok $? "list --due: $how"
# issue 8 item 2: a stored attachment, listed and written out
T=$(sql var/maildesk.db "select ticket from messages where direction = 'in' and ticket is not null and attachments like '[{%' order by id limit 1")
run "$MAILDESK" -c maildesk.conf attachment "$T" > /dev/null
ok $? "attachment N (ticket $T): $how"
run "$MAILDESK" -c maildesk.conf attachment "$T" 1 -o att.bin && [ -s att.bin ]
ok $? "attachment N K -o FILE: $how"
sed 's/  name = "Helpdesk";/  nmae = 1;/' maildesk.conf > bad.conf
run "$MAILDESK" -c bad.conf check-config 2> /dev/null
is $? 78 "check-config with errors: $how"
# The front's own path: deliver spools while maildeskd runs, and hands a
# mail over the limit to maildesk-cli with the spooled copy as its input.
"$MAILDESKD" -c maildesk.conf 2> d.log &
dpid=$!
wait_until 10 'grep -q "spools into" d.log'
run "$MAILDESK" -c maildesk.conf deliver < "$F/1764000044.M44P1.fixture"
ok $? "deliver, spooled: $how"
sed 's/max_message_size = 26214400/max_message_size = 100000/' maildesk.conf > small.conf
{ cat "$F/1764000044.M44P1.fixture"; head -c 200000 /dev/zero | tr '\0' x; } |
	run "$MAILDESK" -c small.conf deliver
ok $? "deliver over the limit, handed over: $how"
kill "$dpid"; wait "$dpid"
done_testing
