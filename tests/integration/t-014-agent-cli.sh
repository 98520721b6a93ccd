#!/bin/sh
# maildesk reply N and escalate N: an agent's answer and an escalation
# from the command line, through the same lifecycle and outbox as by mail.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 17
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
F=$MD_SRCDIR/maildir-fixtures/new
NOW=--now=2026-11-23T10:00:00+01:00
"$MAILDESK" -c maildesk.conf $NOW deliver < "$F/1764000003.M3P1.fixture" || exit 1

printf 'Bonjour,\n\nle portail est de nouveau accessible.\n\nAlice\n' |
	"$MAILDESK" -c maildesk.conf $NOW reply 1 > reply.out
ok $? "reply exits 0"
is "$(sql $DB "select status from tickets where id = 1")" pending "the ticket waits for the requester"
is "$(sql $DB "select to_addrs || ' / ' || cc_addrs from messages where kind = 'relay'")" \
   "jerome.faure@mairie-exemple.fr / sophie.bernard@mairie-exemple.fr" \
   "relayed to the requester, the colleague in copy"
sql $DB "select writefile('relay.eml', r.data) from messages m join raw r on r.id = m.raw where m.kind = 'relay'" > /dev/null
/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open("relay.eml", "rb"), policy=email.policy.default)
sys.exit(0 if "de nouveau accessible" in m.get_content() and m["Subject"].startswith("[Helpdesk #1] ") and m["Auto-Submitted"] is None else 1)'
ok $? "the answer's text, the tag in the subject, not an auto-reply"

printf '#resolve\nC est reparti.\n' | "$MAILDESK" -c maildesk.conf $NOW reply 1 > /dev/null
is "$(sql $DB "select status from tickets where id = 1")" resolved "commands at the top of an answer work as by mail"

"$MAILDESK" -c maildesk.conf $NOW escalate 1 --note "Erreur 500 sur le portail depuis ce matin" > esc.out
ok $? "escalate exits 0"
is "$(sql $DB "select status || ' ' || escalated from tickets where id = 1")" "escalated 1" "the ticket is escalated"
is "$(sql $DB "select to_addrs from messages where kind = 'escalation' order by id")" "support@upstream.example
jerome.faure@mairie-exemple.fr" "the thread goes to upstream, and the requester is told"
sql $DB "select writefile('notice.eml', r.data) from messages m join raw r on r.id = m.raw where m.kind = 'escalation' and m.to_addrs like 'jerome%'" > /dev/null
/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open("notice.eml", "rb"), policy=email.policy.default)
text = m.get_content()
sys.exit(0 if "transmise" in text and "Erreur 500" not in text and m["Subject"].startswith("[Helpdesk #1] ") else 1)'
ok $? "in the French notice, without the note meant for upstream"
sql $DB "select writefile('esc.eml', r.data) from messages m join raw r on r.id = m.raw where m.kind = 'escalation' and m.to_addrs = 'support@upstream.example'" > /dev/null
/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open("esc.eml", "rb"), policy=email.policy.default)
parts = [p.get_content_type() for p in m.iter_parts()]
text = next(m.iter_parts()).get_content()
ok = parts == ["text/plain", "message/rfc822"] and "Erreur 500" in text and m["Reply-To"].addresses[0].addr_spec == "support@desk.example"
sys.exit(0 if ok else 1)'
ok $? "with the note, the requester's mail attached, and the desk as Reply-To"
is "$(sql $DB "select count(*) from messages where kind = 'relay'")" 2 "no relay of the escalation note to the requester"

"$MAILDESK" -c maildesk.conf reply 99 < /dev/null 2> missing.err
is $? 66 "reply to a missing ticket exits 66"
printf '' | "$MAILDESK" -c maildesk.conf reply 1 2> empty.err
is $? 64 "an empty answer is refused"
sed '/^upstream = {/,/^};/d' maildesk.conf > noup.conf
"$MAILDESK" -c noup.conf escalate 1 2> noup.err
is $? 78 "escalate without upstream.address exits 78"

# agents.trusted_authserv_id: an agent's command counts only with DKIM or
# SPF pass from that server; a forged agent address is anyone else.
mkdir auth
sed 's/trusted_authserv_id = "";/trusted_authserv_id = "mx.desk.example";/' maildesk.conf > auth/maildesk.conf
ADB=auth/var/maildesk.db
"$MAILDESK" -c auth/maildesk.conf $NOW deliver < "$F/1764000001.M1P1.fixture" || exit 1
agent_mail() { # agent_mail ID [AUTH-RESULTS]
	[ -n "${2:-}" ] && printf 'Authentication-Results: %s\n' "$2"
	printf 'From: Alice <alice@desk.example>\nTo: support@desk.example\nSubject: Re: [Helpdesk #1] mot de passe\nMessage-ID: <%s@desk.example>\n\n#close\nC est fait.\n' "$1"
}
agent_mail forged | "$MAILDESK" -c auth/maildesk.conf $NOW deliver
is "$(sql $ADB "select status from tickets where id = 1")" open \
   "an unauthenticated #close from an agent's address is not obeyed"
is "$(sql $ADB "select linked from tickets where id = 2")" 1 \
   "the forged mail opens a ticket of its own, linked, as a stranger's would"
agent_mail real "mx.desk.example; dkim=pass header.d=desk.example header.s=s1; spf=pass smtp.mailfrom=alice@desk.example" |
	"$MAILDESK" -c auth/maildesk.conf $NOW deliver
is "$(sql $ADB "select status from tickets where id = 1")" closed \
   "with DKIM pass from the trusted server, the command is obeyed"
done_testing
