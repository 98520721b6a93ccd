#!/bin/sh
# Writing is not acting (spec 6, issue 7 item 4): a mail from an agent's
# address acts as an agent only with DKIM/SPF pass from the trusted
# server, or as a reply naming the signed Message-ID of a notification of
# that ticket; the relay to the requester never carries that id.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 16
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
F=$MD_SRCDIR/maildir-fixtures/new
NOW=--now=2026-11-23T10:00:00+01:00
"$MAILDESK" -c maildesk.conf $NOW deliver < "$F/1764000001.M1P1.fixture" || exit 1
"$MAILDESK" -c maildesk.conf $NOW deliver < "$F/1764000002.M2P1.fixture" || exit 1
N1=$(sql $DB "select message_id from messages where kind = 'notify' and ticket = 1")
N2=$(sql $DB "select message_id from messages where kind = 'notify' and ticket = 2")
status() { sql $DB "select status from tickets where id = $1"; }

agent() { # FROM TICKET MESSAGE-ID BODY [EXTRA-HEADER-LINES]
	printf '%sFrom: %s\nTo: support@desk.example\nSubject: Re: [Helpdesk #%s] mot de passe\nMessage-ID: <%s>\n\n%s\n' \
		"${5:-}" "$1" "$2" "$3" "$4" | "$MAILDESK" -c maildesk.conf $NOW deliver
}

agent "Alice <alice@desk.example>" 1 f1@evil.example '#close'
is "$(status 1)" open "forged From: alice, no proof: #close not obeyed"
is "$(sql $DB "select linked || ' ' || requester from tickets where id = 3")" \
   "1 alice@desk.example" "it opens a linked ticket, as a stranger's mail"
is "$(sql $DB "select count(*) from outbox o join messages m on m.id = o.message where m.ticket = 1 and m.kind = 'relay'")" 0 \
   "and nothing is relayed to the requester"

agent "Bob <bob@paris.desk.example>" 1 f2@evil.example '#close' \
	"Authentication-Results: mx.desk.example; dkim=pass header.d=desk.example
"
is "$(status 1)" open "a subdomain of agents.domains is not the agents'"

agent "Alice <alice@desk.example>" 1 f3@evil.example '#close' \
	"Authentication-Results: mx.desk.example; dkim=pass (header.d=desk.example) header.d=evil.example
"
is "$(status 1)" open "a property hidden in a comment proves nothing"

agent "Alice <alice@desk.example>" 1 f4@evil.example '#close' \
	"Authentication-Results: mx.desk.example; dkim=none
Authentication-Results: mx.desk.example; dkim=pass header.d=desk.example
"
is "$(status 1)" open "a trusted-looking header below the topmost proves nothing"

agent "Alice <alice@desk.example>" 2 f5@evil.example '#close' \
	"In-Reply-To: <$N1>
"
is "$(status 2)" open "a notification of ticket 1 proves nothing on ticket 2"

agent "Alice <alice@desk.example>" 1 a1@desk.example '#pending
Bonjour, pouvez-vous redemarrer le poste ?' "In-Reply-To: <$N1>
References: <8f2c1d3e-5a7b-4c19-9e2d-1b6f0a4c7d21@mairie-exemple.fr> <$N1>
"
is "$(status 1)" pending "a reply to ticket 1's notification is the agent's: obeyed"
is "$(sql $DB "select role from messages where message_id = 'a1@desk.example'")" agent \
   "recorded as the agent's"
sql $DB "select writefile('relay.eml', r.data) from messages m join raw r on r.id = m.raw where m.kind = 'relay' and m.ticket = 1" > /dev/null
ok $? "relayed to the requester"
grep -c "$N1" relay.eml > n.out
is "$(cat n.out)" 0 "the relay does not carry the notification's Message-ID"
is "$(header relay.eml References)" \
   "<8f2c1d3e-5a7b-4c19-9e2d-1b6f0a4c7d21@mairie-exemple.fr>" \
   "its References name the requester's own mail, no id of ours"

agent "Alice <alice@desk.example>" 2 a2@desk.example '#resolve' \
	"Authentication-Results: mx.desk.example; spf=pass smtp.mailfrom=alice@desk.example
"
is "$(status 2)" resolved "DKIM/SPF pass from the trusted server: obeyed"

# agents.trust = "from": the old behaviour, spelt out and warned about.
sed 's|^  # trust = "authenticated";|  trust = "from";|' maildesk.conf > from.conf
"$MAILDESK" -c from.conf check-config > check.out 2>&1
grep -q 'agents.trust = "from"' check.out
ok $? "check-config warns of trust = from"
"$MAILDESK" -c from.conf $NOW list > /dev/null 2> list.err
grep -q 'agents.trust = "from"' list.err
ok $? "and so does every start"
agent "Alice <alice@desk.example>" 2 f6@evil.example '#open' > /dev/null
printf 'From: Alice <alice@desk.example>\nTo: support@desk.example\nSubject: Re: [Helpdesk #2] x\nMessage-ID: <f7@evil.example>\n\n#close\n' |
	"$MAILDESK" -c from.conf $NOW deliver 2> /dev/null
is "$(status 2)" closed "with trust = from, From alone acts"
done_testing
