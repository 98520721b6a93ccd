#!/bin/sh
# Upstream is proven as agents are (spec 6, issue 7 item 3): forged
# upstream mail is never relayed to the requester from the desk's address,
# changes no state and sets no upstream reference; on an escalated ticket
# it is recorded for the agents only, elsewhere it is anyone's mail.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 10
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
F=$MD_SRCDIR/maildir-fixtures/new
NOW=--now=2026-11-23T10:00:00+01:00
md() { "$MAILDESK" -c maildesk.conf $NOW "$@"; }
up() { # MSGID SUBJECT [HEADER-LINES]
	printf '%sFrom: Support <support@upstream.example>\nTo: support@desk.example\nSubject: %s\nMessage-ID: <%s@upstream.example>\n\nCliquez sur ce lien pour votre mot de passe.\n' \
		"${3:-}" "$2" "$1" | md deliver
}
relays() { sql $DB "select count(*) from messages where kind = 'relay' and ticket = $1"; }
md deliver < "$F/1764000003.M3P1.fixture" || exit 1
md escalate 1 --note "Erreur 500" > /dev/null || exit 1
ESC=$(sql $DB "select message_id from messages where kind = 'escalation' and to_addrs = 'support@upstream.example'")

up f1 "[Upstream #666] Re: [Helpdesk #1] Erreur"
is "$(sql $DB "select ticket || ' ' || role from messages where message_id = 'f1@upstream.example'")" \
   "1 upstream" "forged upstream mail on the escalated ticket: recorded there"
is "$(relays 1)" 0 "not relayed to the requester"
is "$(sql $DB "select status || ' ' || coalesce(upstream_ref, '-') from tickets where id = 1")" \
   "escalated -" "no state change, no upstream reference"
is "$(sql $DB "select count(*) from messages m where m.kind = 'notify' and m.in_reply_to = 'f1@upstream.example'")" 1 \
   "shown to the agents"

up u1 "[Upstream #999] Re: [Helpdesk #1] Erreur" "In-Reply-To: <$ESC>
"
is "$(relays 1) $(sql $DB "select status || ' ' || upstream_ref from tickets where id = 1")" \
   "1 open [Upstream #999]" "a reply to our escalation is upstream's: relayed, reference kept"

md deliver < "$F/1764000001.M1P1.fixture" || exit 1
up f2 "[Upstream #1] Re: [Helpdesk #2] mot de passe"
is "$(sql $DB "select linked || ' ' || requester from tickets where id = 3")" \
   "2 support@upstream.example" "forged upstream mail on a ticket never escalated: a new linked ticket"
is "$(relays 2) $(sql $DB "select status || ' ' || coalesce(upstream_ref, '-') from tickets where id = 2")" \
   "0 open -" "ticket 2 untouched"

md escalate 2 > /dev/null || exit 1
up u2 "[Upstream #1000] Re: [Helpdesk #2] mot de passe" \
	"Authentication-Results: mx.desk.example; spf=pass smtp.mailfrom=support@upstream.example
"
is "$(relays 2) $(sql $DB "select upstream_ref from tickets where id = 2")" \
   "1 [Upstream #1000]" "DKIM/SPF pass from the trusted server: upstream's"

up f3 "[Upstream #1000] Re: [Helpdesk #2] nouveau lien" \
	"Authentication-Results: mx.desk.example; spf=pass smtp.mailfrom=support@evil.example
"
is "$(relays 2)" 1 "SPF pass for another domain proves nothing"
is "$(sql $DB "select count(*) from outbox o join messages m on m.id = o.message where o.rcpts like '%upstream.example%' and m.kind <> 'escalation'")" 0 \
   "nothing but escalations ever goes to upstream"
done_testing
