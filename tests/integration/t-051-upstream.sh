#!/bin/sh
# Upstream (issue 8 item 7): its own reference, once remembered, threads
# its mail even with only that tag; it is never acknowledged; a later
# escalation carries both tags; upstream.relay = "agents" keeps its
# answers for the agents.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 12
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
F=$MD_SRCDIR/maildir-fixtures/new
NOW=--now=2026-11-23T10:00:00+01:00
md() { "$MAILDESK" -c "${CONF:-maildesk.conf}" $NOW "$@"; }
upstream_mail() { # upstream_mail MSGID SUBJECT [IN-REPLY-TO]
	printf 'From: Support <support@upstream.example>\nTo: support@desk.example\nSubject: %s\nMessage-ID: <%s@upstream.example>\n' "$2" "$1"
	[ -n "${3:-}" ] && printf 'In-Reply-To: <%s>\n' "$3"
	printf 'Content-Type: text/plain; charset=utf-8\n\nBonjour,\n\nnous regardons.\n'
}
md deliver < "$F/1764000003.M3P1.fixture" || exit 1
md escalate 1 --note "Erreur 500" > /dev/null || exit 1
ESC=$(sql $DB "select message_id from messages where kind = 'escalation' and to_addrs = 'support@upstream.example'")
upstream_mail u1 "[Upstream #999] Re: [Helpdesk #1] Erreur sur le portail" "$ESC" | md deliver
is "$(sql $DB "select upstream_ref from tickets where id = 1")" "[Upstream #999]" \
   "upstream's reference is remembered"
is "$(sql $DB "select to_addrs from messages where direction = 'out' and kind = 'relay' and ticket = 1")" \
   "jerome.faure@mairie-exemple.fr" "upstream's answer is relayed to the requester (upstream.relay default)"

upstream_mail u2 "[Upstream #999] Correctif disponible" | md deliver
is "$(sql $DB "select count(*) from tickets")" 1 "a mail with only upstream's tag opens no ticket"
is "$(sql $DB "select ticket || ' ' || role from messages where message_id = 'u2@upstream.example'")" \
   "1 upstream" "it is threaded to the ticket that remembered the reference"
is "$(sql $DB "select count(*) from messages where kind = 'ack' and to_addrs like '%upstream.example%'")" 0 \
   "upstream is not acknowledged"

upstream_mail u3 "Maintenance du 30 novembre" | md deliver
is "$(sql $DB "select count(*) from tickets")" 2 "upstream's new subject opens a ticket"
is "$(sql $DB "select count(*) from messages where direction = 'out' and ticket = 2 and to_addrs like '%upstream.example%'")" 0 \
   "but no acknowledgement ever goes to an upstream.domains address"

md escalate 1 --note "Toujours en panne" > /dev/null || exit 1
sql $DB "select writefile('esc2.eml', r.data) from messages m join raw r on r.id = m.raw where m.kind = 'escalation' and m.to_addrs = 'support@upstream.example' order by m.id desc limit 1" > /dev/null
/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open("esc2.eml", "rb"), policy=email.policy.default)
s = m["Subject"]
sys.exit(0 if "[Upstream #999]" in s and "[Helpdesk #1]" in s else 1)'
ok $? "a later escalation carries both tags"
/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open("esc2.eml", "rb"), policy=email.policy.default)
refs = m["References"] or ""
sys.exit(0 if m["In-Reply-To"] == "<u2@upstream.example>" and "<u1@upstream.example>" in refs else 1)'
ok $? "and threads in upstream's conversation"

# upstream.relay = "agents"
mkdir agents
sed 's/relay = "requester";/relay = "agents";/' maildesk.conf > agents/maildesk.conf
grep -q 'relay = "agents"' agents/maildesk.conf
ok $? "the example configuration names upstream.relay"
ADB=agents/var/maildesk.db
CONF=agents/maildesk.conf md deliver < "$F/1764000003.M3P1.fixture" || exit 1
CONF=agents/maildesk.conf md escalate 1 > /dev/null || exit 1
ESC=$(sql $ADB "select message_id from messages where kind = 'escalation' and to_addrs = 'support@upstream.example'")
upstream_mail a1 "Re: [Helpdesk #1] Erreur sur le portail" "$ESC" | CONF=agents/maildesk.conf md deliver
is "$(sql $ADB "select count(*) from messages where kind = 'relay'")" 0 \
   "with relay = \"agents\", upstream's answer is not relayed to the requester"
is "$(sql $ADB "select count(*) from messages m where kind = 'notify' and m.id > (select id from messages where message_id = 'a1@upstream.example')")" 1 \
   "the agents are notified of it"
done_testing
