#!/bin/sh
# maildesk reply N and escalate N: an agent's answer and an escalation
# from the command line, through the same lifecycle and outbox as by mail.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 30
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

printf '#resolve\n\nC est reparti.\n' | "$MAILDESK" -c maildesk.conf $NOW reply 1 > /dev/null
is "$(sql $DB "select status from tickets where id = 1")" resolved "commands at the top of an answer work as by mail"
# issue 8 item 1: the command line is never relayed
sql $DB "select writefile('relay2.eml', r.data) from messages m join raw r on r.id = m.raw where m.kind = 'relay' order by m.id desc limit 1" > /dev/null
/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open("relay2.eml", "rb"), policy=email.policy.default)
text = m.get_content()
sys.exit(0 if text.startswith("C est reparti.") and "#resolve" not in text else 1)'
ok $? "the relay starts with the answer: no #resolve, no blank line"
# issue 8 item 5: a mail from the command line threads on the requester's
REQMID=$(sql $DB "select message_id from messages where direction = 'in' order by id limit 1")
/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open("relay2.eml", "rb"), policy=email.policy.default)
mid = "<" + sys.argv[1] + ">"
sys.exit(0 if m["In-Reply-To"] == mid and mid in m["References"] else 1)' "$REQMID"
ok $? "reply N threads on the requester's Message-ID"

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
att = [p.get_content() for p in m.iter_parts()][1:]
froms = [a["From"].addresses[0].addr_spec for a in att]
ok = parts == ["text/plain"] + 3 * ["message/rfc822"] and "Erreur 500" in text and m["Reply-To"].addresses[0].addr_spec == "support@desk.example"
# the thread: the requester'"'"'s mail and the two answers as relayed
ok = ok and froms == ["jerome.faure@mairie-exemple.fr", "support@desk.example", "support@desk.example"]
ok = ok and all("#resolve" not in a.get_body().get_content() for a in att[1:])
sys.exit(0 if ok else 1)'
ok $? "with the note, the thread attached (relays without commands), and the desk as Reply-To"
is "$(sql $DB "select count(*) from messages where kind = 'relay'")" 2 "no relay of the escalation note to the requester"

# issue 8 item 4: a further escalation is a follow-up in upstream's thread
"$MAILDESK" -c maildesk.conf $NOW escalate 1 --note "Toujours en panne" > esc2.out
ok $? "a second escalate exits 0"
is "$(sql $DB "select count(*) from messages where kind = 'escalation' and to_addrs like 'jerome%'")" 1 \
   "the requester is not told again"
sql $DB "select writefile('esc2.eml', r.data) from messages m join raw r on r.id = m.raw where m.kind = 'escalation' and m.to_addrs = 'support@upstream.example' order by m.id desc limit 1" > /dev/null
FIRST=$(sql $DB "select message_id from messages where kind = 'escalation' and to_addrs = 'support@upstream.example' order by id limit 1")
/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open("esc2.eml", "rb"), policy=email.policy.default)
text = m.get_body().get_content()
ok = "Toujours en panne" in text and "revenons" in text and "Erreur 500" not in text
ok = ok and m["In-Reply-To"] == "<" + sys.argv[1] + ">"
ok = ok and not any(p.get_content_type() == "message/rfc822" for p in m.walk())
sys.exit(0 if ok else 1)' "$FIRST"
ok $? "a follow-up: the new note, nothing old attached, In-Reply-To the first escalation"

# issue 8 item 1: a mail of commands alone (and a signature) relays nothing
printf '#close\n\n-- \nAlice\n' | "$MAILDESK" -c maildesk.conf $NOW reply 1 > /dev/null
is "$(sql $DB "select status from tickets where id = 1")" closed "#close alone closes"
is "$(sql $DB "select count(*) from messages where kind = 'relay'")" 2 "and relays nothing"
# issue 8 item 4: escalating a closed ticket is refused
"$MAILDESK" -c maildesk.conf $NOW escalate 1 --note x 2> closed.err
is $? 64 "escalating a closed ticket is refused"
grep -q 'reopen' closed.err
ok $? "saying to reopen it first"
is "$(sql $DB "select count(*) from messages where kind = 'escalation'")" 3 "and nothing is queued"

# issue 8 item 6: an escalation without a note leaves no empty paragraph
"$MAILDESK" -c maildesk.conf $NOW deliver < "$F/1764000001.M1P1.fixture" || exit 1
"$MAILDESK" -c maildesk.conf $NOW escalate 2 > /dev/null || exit 1
sql $DB "select writefile('esc3.eml', r.data) from messages m join raw r on r.id = m.raw where m.ticket = 2 and m.kind = 'escalation' and m.to_addrs = 'support@upstream.example'" > /dev/null
/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open("esc3.eml", "rb"), policy=email.policy.default)
text = m.get_body().get_content().replace("\r\n", "\n")
sys.exit(0 if "\n\n\n" not in text and "seuls.\n\nLes messages" in text else 1)'
ok $? "no note: one paragraph break, not an empty paragraph"

# issue 8: maildesk assign tells the assignee by mail
"$MAILDESK" -c maildesk.conf $NOW assign 2 bob@desk.example > /dev/null || exit 1
is "$(sql $DB "select kind || ' ' || to_addrs from messages where ticket = 2 and direction = 'out' order by id desc limit 1")" \
   "notify bob@desk.example" "assign: the assignee is told by mail"
sql $DB "select writefile('assigned.eml', r.data) from messages m join raw r on r.id = m.raw where m.ticket = 2 and m.to_addrs = 'bob@desk.example'" > /dev/null
/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open("assigned.eml", "rb"), policy=email.policy.default)
ok = m["Subject"].startswith("[Helpdesk #2] ") and m["Auto-Submitted"] == "auto-generated"
ok = ok and "vous est confiée" in m.get_body().get_content()
sys.exit(0 if ok else 1)'
ok $? "in French, tagged, auto-generated (no out-of-office answers it)"

"$MAILDESK" -c maildesk.conf reply 99 < /dev/null 2> missing.err
is $? 66 "reply to a missing ticket exits 66"
printf '' | "$MAILDESK" -c maildesk.conf reply 1 2> empty.err
is $? 64 "an empty answer is refused"
sed '/^upstream = {/,/^};/d' maildesk.conf > noup.conf
"$MAILDESK" -c noup.conf escalate 1 2> noup.err
is $? 78 "escalate without upstream.address exits 78"

# agents.trusted_authserv_id (the example's: mx.desk.example): an agent's
# command counts only with DKIM or SPF pass from that server; a forged
# agent address is anyone else.
mkdir auth
cp maildesk.conf auth/maildesk.conf
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
