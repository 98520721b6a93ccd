#!/bin/sh
# Who may write on a ticket (spec 6), whatever found it: a stranger who
# names one of the ticket's Message-IDs (In-Reply-To or References, the
# requester's or the desk's) gets a new ticket linked to it and is never
# made a participant of the old one (issue 7, item 1).
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 12
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
F=$MD_SRCDIR/maildir-fixtures/new
NOW=--now=2026-11-23T10:00:00+01:00
"$MAILDESK" -c maildesk.conf $NOW deliver < "$F/1764000001.M1P1.fixture" || exit 1
REQ_MID=8f2c1d3e-5a7b-4c19-9e2d-1b6f0a4c7d21@mairie-exemple.fr
ACK_MID=$(sql $DB "select message_id from messages where kind = 'ack'")

mail() { # FROM HEADER-LINE MESSAGE-ID [CC]
	printf 'From: %s\nTo: support@desk.example\n%sSubject: Re: mot de passe\nMessage-ID: <%s>\n%s\nje veux lire ce ticket\n' \
		"$1" "$2" "$3" "${4:+Cc: $4
}" | "$MAILDESK" -c maildesk.conf $NOW deliver
}

mail eve@evil.example "In-Reply-To: <$REQ_MID>
" e1@evil.example mallory@evil.example
ok $? "In-Reply-To naming the requester's mail: stored"
is "$(sql $DB "select id || ' ' || linked || ' ' || requester from tickets where id = 2")" \
   "2 1 eve@evil.example" "a new ticket linked to ticket 1"

mail eve2@evil.example "References: <other@x.example> <$REQ_MID>
" e2@evil.example
is "$(sql $DB "select linked || ' ' || requester from tickets where id = 3")" \
   "1 eve2@evil.example" "References naming it: a new linked ticket too"

mail eve3@evil.example "In-Reply-To: <$ACK_MID>
" e3@evil.example
is "$(sql $DB "select linked || ' ' || requester from tickets where id = 4")" \
   "1 eve3@evil.example" "the desk's signed acknowledgement: a new linked ticket"

is "$(sql $DB "select count(*) from messages where ticket = 1 and direction = 'in'")" 1 \
   "ticket 1 holds only the requester's mail"
is "$(sql $DB "select count(*) from participants where ticket = 1 and address like '%evil.example'")" 0 \
   "no stranger (nor whom it copied) joined ticket 1"
is "$(sql $DB "select count(*) from outbox o join messages m on m.id = o.message where m.ticket = 1 and o.rcpts like '%evil%'")" 0 \
   "nothing of ticket 1 goes to them"

# The requester writes again, copying a colleague: the colleague joins and
# may then write on the ticket by In-Reply-To.
mail martine.lefevre@mairie-exemple.fr "In-Reply-To: <$ACK_MID>
" m2@mairie-exemple.fr paul.durand@mairie-exemple.fr
is "$(sql $DB "select count(*) from messages where ticket = 1 and direction = 'in'")" 2 \
   "the requester's reply is on ticket 1"
is "$(sql $DB "select role from participants where ticket = 1 and address = 'paul.durand@mairie-exemple.fr'")" \
   participant "the colleague she copied joins"
mail paul.durand@mairie-exemple.fr "In-Reply-To: <m2@mairie-exemple.fr>
" p1@mairie-exemple.fr
is "$(sql $DB "select ticket from messages where message_id = 'p1@mairie-exemple.fr'")" 1 \
   "and writes on ticket 1"
is "$(sql $DB "select count(*) from tickets")" 4 "no ticket for them"

printf 'Bonjour,\nvoici la solution.\n' | "$MAILDESK" -c maildesk.conf $NOW reply 1 > /dev/null
is "$(sql $DB "select to_addrs || ' / ' || cc_addrs from messages where kind = 'relay' and ticket = 1")" \
   "martine.lefevre@mairie-exemple.fr / paul.durand@mairie-exemple.fr" \
   "the answer goes to the requester and her colleague only"
done_testing
