#!/bin/sh
# Two desks whose mail reaches each other (each one's outbox delivered into
# the other's inbox, 20 rounds): every automatic mail carries Auto-Submitted
# and X-Loop, and mail from a desk opens no notification, so the count of
# mails stops growing after the first round (issue 7, item 6).
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 6
cd "$WORK" || exit 1
NOW=--now=2026-11-23T10:00:00+01:00
mkdir a b
write_conf a/maildesk.conf
sed -e 's/desk\.example/deskb.example/g' -e 's/name = "Helpdesk";/name = "Support";/' \
	"$MD_SRCDIR/conf/maildesk.conf" > b/maildesk.conf

# Hands every mail X sent to Y; prints how many.
pass() {
	n=0
	"$MAILDESK" -c "$1/maildesk.conf" $NOW send > /dev/null || return 1
	for f in "$1"/var/outbox/new/*; do
		[ -e "$f" ] || continue
		"$MAILDESK" -c "$2/maildesk.conf" $NOW deliver < "$f" || return 1
		mv "$f" "$1/var/outbox/cur/"
		n=$((n + 1))
	done
	echo $n
}

"$MAILDESK" -c a/maildesk.conf $NOW deliver \
	< "$MD_SRCDIR/maildir-fixtures/new/1764000001.M1P1.fixture" || exit 1
counts=
for round in $(seq 1 20); do
	counts="$counts $(pass a b) $(pass b a)"
done
echo "# mails a->b, b->a per round:$counts"
set -- $counts
is "$1 $2" "2 0" "round 1: a's acknowledgement and notification reach b; b answers neither"
shift 2
is "$(echo "$@" | tr ' ' '\n' | sort -u | tr '\n' ' ')" "0 " "rounds 2 to 20: no mail at all"
is "$(sql b/var/maildesk.db "select count(*) from tickets")" 2 "b keeps both mails, on tickets"
is "$(sql b/var/maildesk.db "select count(*) from messages where direction = 'out'")" 0 \
   "b sends nothing about them"
# Every automatic mail a sent carries both markers.
for f in a/var/outbox/cur/*; do
	[ -n "$(header "$f" Auto-Submitted)" ] && [ "$(header "$f" X-Loop)" = support@desk.example ] || echo "$f"
done > unmarked
is "$(wc -l < unmarked)" 0 "every mail a sent has Auto-Submitted and X-Loop"

# Another ticketing system's automatic mail (RT's autoreply, no
# Auto-Submitted) opens no notification either.
printf 'From: rt@tracker.example\nTo: support@desk.example\nSubject: [tracker.example #4411] AutoReply: hello\nMessage-ID: <rt4411@tracker.example>\nRT-Ticket: tracker.example #4411\nPrecedence: bulk\n\nYour ticket has been created.\n' |
	"$MAILDESK" -c a/maildesk.conf $NOW deliver
is "$(sql a/var/maildesk.db "select count(*) from outbox o join messages m on m.id = o.message where m.ticket = (select ticket from messages where message_id = 'rt4411@tracker.example')")" 0 \
   "RT's autoreply: stored, nothing sent"
done_testing
