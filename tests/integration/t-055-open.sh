#!/bin/sh
# A ticket opened on someone's behalf (issue 8): `maildesk open` for a
# phone call, a proven agent's forward with #requester or of a citizen's
# original (attached or inline); a stranger's #requester is text.  Also:
# #escalate by mail on a closed ticket is refused (the agent told why,
# nothing upstream), and a bounce without X-Failed-Recipients or DSN
# marks the participant its text names.  Every mail checked as the real
# SMTP sink received it.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 39
cd "$WORK" || exit 1
sink_start sink || exit 1
trap sinks_stop EXIT
write_conf maildesk.conf "outbound = { type = \"smtp\"; url = \"smtp://127.0.0.1:$SINK_PORT\"; starttls = false; };"
DB=var/maildesk.db
NOW=--now=2026-11-23T10:00:00+01:00
md() { "$MAILDESK" -c maildesk.conf $NOW "$@"; }
AUTH='Authentication-Results: mx.desk.example; dkim=pass header.d=desk.example'
SEEN=0
# sent > FILE: `maildesk send`, then one line per mail the sink received
# since the last call: "RCPT TO... | To | Cc | Subject | Auto-Submitted"
# (not in $(...): SEEN and LAST must stay set).
sent() {
	md send > /dev/null || echo "send failed"
	_got=$(ls sink | grep -c 'json$')
	_i=$SEEN
	while [ "$_i" -lt "$_got" ]; do
		_i=$((_i + 1))
		/usr/bin/python3 -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1]))["rcpt_tos"]), end=" | ")' "sink/$_i.json"
		for h in To Cc Subject Auto-Submitted; do
			printf '%s | ' "$(/usr/bin/python3 "$MD_SRCDIR/tests/integration/mailpart.py" "sink/$_i.eml" $h)"
		done
		echo
	done
	LAST=$_got
	SEEN=$_got
}
text() { /usr/bin/python3 "$MD_SRCDIR/tests/integration/mailpart.py" "sink/$1.eml" text; }

# 1. maildesk open: a phone call
printf 'Appel de Mme Durand : le lampadaire du 12 rue des Lilas est \xc3\xa9teint.\n' |
	md open --requester Durand@Ville.example --subject "Lampadaire éteint" \
		--cc voisin@ville.example > open.out
ok $? "open exits 0"
is "$(cat open.out)" 1 "and prints the ticket's number"
is "$(sql $DB "select status || ' ' || requester || ' ' || subject from tickets where id = 1")" \
   "open durand@ville.example Lampadaire éteint" "the ticket: open, for the requester, with the subject"
is "$(sql $DB "select direction || ' ' || role || ' ' || source || ' ' || to_addrs || ' ' || cc_addrs from messages where ticket = 1 order by id limit 1")" \
   "in desk cli durand@ville.example voisin@ville.example" "its first message shows it was opened at the desk"
is "$(sql $DB "select group_concat(address || ' ' || role, ', ') from participants where ticket = 1")" \
   "durand@ville.example requester, voisin@ville.example participant" "the requester and the colleague in copy are on it"
is "$(sql $DB "select what from events where ticket = 1")" "new -> open (command line)" "the event says who opened it"
is "$(sql $DB "select created || ' ' || (select group_concat(received) from messages where ticket = 1) from tickets where id = 1")" \
   "1795424400 1795424400,1795424400,1795424400" "at the one clock's time (--now)"
sent > got; is "$(cat got)" "durand@ville.example | durand@ville.example |  | [Helpdesk #1] Lampadaire éteint | auto-replied | 
agents@desk.example | agents@desk.example |  | [Helpdesk #1] Lampadaire éteint | auto-generated | " \
   "the requester alone is acknowledged, the agents notified"
text 1 | grep -q "Nous avons bien reçu votre demande « Lampadaire éteint »"
ok $? "with the acknowledgement's text"
text 2 | grep -q "lampadaire du 12 rue des Lilas"
ok $? "the notification carries the request"

md open --requester "pas une adresse" --subject x < /dev/null 2> bad.err
is "$?" 64 "an invalid address is refused (64)"
grep -q "invalid address: pas une adresse" bad.err
ok $? "with a clear message"
echo x | md open --requester a@ville.example --subject "   " 2> bad2.err
is "$?" 64 "an empty subject is refused (64)"
grep -q "empty subject" bad2.err
ok $? "with a clear message"
is "$(sql $DB "select count(*) from tickets")" 1 "and no ticket is opened"

# 2. a proven agent forwards with #requester: the citizen is the
#    requester (even over the forwarded original's author)
printf '%s\nFrom: Alice <alice@desk.example>\nTo: support@desk.example\nSubject: Fwd: Poubelles non ramassées\nMessage-ID: <fw1@desk.example>\nContent-Type: text/plain; charset=utf-8\n\n#requester Jean.Dupont@Ville.example\n\nVu à l accueil.\n\n---------- Forwarded message ---------\nFrom: Accueil <accueil@ville.example>\nSubject: Poubelles\n\nM. Dupont signale que les poubelles ne sont pas ramassées.\n' "$AUTH" |
	md deliver
is "$(sql $DB "select requester || ' ' || subject from tickets where id = 2")" \
   "jean.dupont@ville.example Poubelles non ramassées" "#requester makes the citizen the requester"
is "$(sql $DB "select role from messages where message_id = 'fw1@desk.example'")" agent "the forward is recorded as the agent's"
sent > got; is "$(cat got)" "jean.dupont@ville.example | jean.dupont@ville.example |  | [Helpdesk #2] Poubelles non ramassées | auto-replied | 
agents@desk.example | agents@desk.example |  | [Helpdesk #2] Poubelles non ramassées | auto-generated | " \
   "the citizen is acknowledged, not the agent; the agents notified"
text $((LAST - 1)) | grep -q -e "#requester" -e "accueil"
is "$?" 1 "the citizen's acknowledgement carries neither the command nor the agent's words"

# 3. without the command: the forwarded original's author, attached...
printf '%s\nFrom: Alice <alice@desk.example>\nTo: support@desk.example\nSubject: TR: Trottoir\nMessage-ID: <fw2@desk.example>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; charset=utf-8\n\nPour vous.\n--b\nContent-Type: message/rfc822\n\nFrom: Marie Curie <Marie@Citoyens.example>\nTo: mairie@ville.example\nSubject: Trottoir\nMessage-ID: <orig@citoyens.example>\n\nLe trottoir est dangereux.\n--b--\n' "$AUTH" |
	md deliver
is "$(sql $DB "select requester from tickets where id = 3")" marie@citoyens.example \
   "an attached original makes its author the requester"
# ... or inline (Outlook's block)
printf '%s\nFrom: Alice <alice@desk.example>\nTo: support@desk.example\nSubject: TR: Bruit\nMessage-ID: <fw3@desk.example>\n\nA traiter.\n\nDe : Paul Martin <paul.martin@citoyens.example>\nEnvoy\303\251 : lundi 23 novembre 2026 08:00\n\303\200 : Mairie\nObjet : Bruit\n\nTrop de bruit la nuit.\n' "$AUTH" |
	md deliver
is "$(sql $DB "select requester from tickets where id = 4")" paul.martin@citoyens.example \
   "an inline forwarded original makes its author the requester"
sent > got; is "$(cat got | cut -d'|' -f1 | tr -d ' ' | sort | tr '\n' ' ')" \
   "agents@desk.example agents@desk.example marie@citoyens.example paul.martin@citoyens.example " \
   "each acknowledged, the agents notified, nobody else written to"
# an agent's own original is the agent's ticket, as before
printf '%s\nFrom: Alice <alice@desk.example>\nTo: support@desk.example\nSubject: Fwd: Imprimante\nMessage-ID: <fw4@desk.example>\n\n---------- Forwarded message ---------\nFrom: Bob <bob@desk.example>\n\nImprimante en panne.\n' "$AUTH" |
	md deliver
is "$(sql $DB "select requester from tickets where id = 5")" alice@desk.example \
   "an original by an agent does not make the agent a requester"

# 4. a stranger's #requester, or an unproven agent's, is text
printf 'From: Inconnu <inconnu@ailleurs.example>\nTo: support@desk.example\nSubject: Coupure\nMessage-ID: <s1@ailleurs.example>\n\n#requester victime@ville.example\nCoupure d eau.\n' |
	md deliver
printf 'From: Alice <alice@desk.example>\nTo: support@desk.example\nSubject: Fwd: Coupure\nMessage-ID: <s2@desk.example>\n\n#requester victime@ville.example\n\n---------- Forwarded message ---------\nFrom: victime@ville.example\n\nCoupure.\n' |
	md deliver
is "$(sql $DB "select group_concat(requester, ' ') from tickets where id in (6, 7)")" \
   "inconnu@ailleurs.example alice@desk.example" "a stranger's or an unproven agent's #requester is ignored"
sent > got; is "$(cat got | grep -c victime)" 0 "and the address it names gets nothing"

# 5. #escalate by mail on a closed ticket is refused as the CLI refuses it
md close 1 > /dev/null || echo "close failed"
md escalate 1 --note x > /dev/null 2> esc.err
is "$?" 64 "the command line refuses to escalate a closed ticket"
printf '%s\nFrom: Alice <alice@desk.example>\nTo: support@desk.example\nSubject: Re: [Helpdesk #1] Lampadaire éteint\nMessage-ID: <esc1@desk.example>\nContent-Type: text/plain; charset=utf-8\n\n#escalate lampadaire neuf à commander\nNous transmettons au fournisseur.\n' "$AUTH" |
	md deliver
is "$(sql $DB "select status || ' ' || escalated from tickets where id = 1")" "closed 0" "by mail too: the ticket is unchanged"
is "$(sql $DB "select count(*) from messages where ticket = 1 and kind in ('escalation', 'relay')")" 0 \
   "nothing goes upstream, nothing is relayed"
sent > got; is "$(cat got)" "alice@desk.example | alice@desk.example |  | [Helpdesk #1] Lampadaire éteint | auto-generated | " \
   "the agent alone gets a notice"
text "$LAST" | grep -q "#escalate sur la demande 1 « Lampadaire éteint » a été refusé"
ok $? "which says why"
text "$LAST" | grep -q "^#open$"
ok $? "and how to reopen first"
is "$(/usr/bin/python3 "$MD_SRCDIR/tests/integration/mailpart.py" "sink/$LAST.eml" In-Reply-To)" "<esc1@desk.example>" \
   "threaded on the agent's mail"
printf '%s\nFrom: Alice <alice@desk.example>\nTo: support@desk.example\nSubject: Re: [Helpdesk #1] Lampadaire éteint\nMessage-ID: <esc2@desk.example>\n\n#open\n#escalate lampadaire neuf\n' "$AUTH" |
	md deliver
is "$(sql $DB "select status from tickets where id = 1")" escalated "#open in the same mail reopens it first"
sent > got; is "$(cat got | cut -d'|' -f1 | sort | tr '\n' '/')" \
   "durand@ville.example voisin@ville.example /support@upstream.example /" \
   "then upstream gets it, the requester's side is told"
/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
att = [p.get_content() for p in m.iter_attachments()]
sys.exit(0 if any("lampadaire du 12" in a.get_body().get_content() for a in att) else 1)' \
	"sink/$(grep -l support@upstream.example sink/*.json | sed 's/.*\/\([0-9]*\)\.json/\1/')".eml
ok $? "with the request written down at the desk in the thread"

# 6. a non-standard bounce (qmail's shape, no X-Failed-Recipients, no
#    DSN) threaded by the tag of the returned mail
printf 'Return-Path: <>\nFrom: MAILER-DAEMON@mx.ville.example\nTo: support@desk.example\nSubject: failure notice\nMessage-ID: <qm1@mx.ville.example>\n\nHi. This is the qmail-send program at mx.ville.example.\nI'"'"'m afraid I wasn'"'"'t able to deliver your message to the following addresses.\n\n<ailleurs@autre.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n<voisin@ville.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n--- Below this line is a copy of the message.\n\nFrom: support@desk.example\nTo: durand@ville.example\nCc: voisin@ville.example\nSubject: [Helpdesk #1] Lampadaire\n' |
	md deliver
is "$(sql $DB "select ticket || ' ' || role from messages where message_id = 'qm1@mx.ville.example'")" "1 automated" \
   "the bounce goes on the ticket"
is "$(sql $DB "select group_concat(address, ' ') from addresses where bouncing = 1")" voisin@ville.example \
   "and marks the participant it names as bouncing"

# 7. an agent's forward sets the new ticket in the same mail: #assign
printf '%s\nFrom: Alice <alice@desk.example>\nTo: support@desk.example\nSubject: Fwd: Banc cassé\nMessage-ID: <fw9@desk.example>\nContent-Type: text/plain; charset=utf-8\n\n#requester lucie@ville.example\n#assign bob@desk.example\n\nVu au guichet.\n' "$AUTH" |
	md deliver
is "$(sql $DB "select requester || ' ' || status || ' ' || assignee from tickets where id = (select max(id) from tickets)")" \
   "lucie@ville.example open bob@desk.example" "#assign in the forward that opens a ticket assigns it"
sent > got; is "$(cat got | cut -d'|' -f1 | tr -d ' ' | sort | tr '\n' ' ')" \
   "agents@desk.example bob@desk.example lucie@ville.example " \
   "the citizen acknowledged, the agents notified, the assignee told"
done_testing
