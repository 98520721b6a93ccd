#!/bin/sh
# README's story, end to end against the real SMTP sink (issue 8): a
# citizen writes with a screenshot, an agent answers with reply-all and a
# PDF, resolves by a mail of commands only, the citizen objects, the agent
# escalates with a note, the support answers, the citizen thanks.  Every
# mail the sink receives is checked: recipients, headers, text without
# commands, attachments byte for byte.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 47
cd "$WORK" || exit 1
trap sinks_stop EXIT
NOW=--now=2026-11-23T10:00:00+01:00
sink_start sink
write_conf maildesk.conf "outbound = { type = \"smtp\"; url = \"smtp://127.0.0.1:$SINK_PORT\"; starttls = false; };"
DB=var/maildesk.db
S="/usr/bin/python3 $MD_SRCDIR/tests/integration/story.py"
md() { "$MAILDESK" -c maildesk.conf $NOW "$@"; }
step() { # step KIND [PARENT-MID]: the mail in, then the outbox out
	$S write "$1" "$1.eml" ${2:-} || exit 1
	md deliver < "$1.eml" || exit 1
	md send > /dev/null || exit 1
}
sent() { ls sink | grep -c 'json$'; }
chk() { $S check sink "$@"; }
status() { sql $DB "select status from tickets where id = 1"; }
mid() { chk "$1" h:Message-ID | tr -d '<>'; }
JEANNE=jeanne.martin@example.org
SUBJECT="[Helpdesk #1] Impossible de payer la cantine"

# 1. The citizen writes, with a screenshot.
step citizen
is "$(sent)" 2 "1: an acknowledgement and a notification"
is "$(chk 1 rcpts)" $JEANNE "1: the acknowledgement goes to the citizen only"
is "$(chk 1 h:Subject)" "$SUBJECT" "1: it names the ticket in the subject"
is "$(chk 1 h:In-Reply-To)" "<c1@example.org>" "1: it threads on her mail"
is "$(chk 1 h:Auto-Submitted)" auto-replied "1: it is an auto-reply"
is "$(chk 1 attachments)" "" "1: it does not send her screenshot back"
is "$(chk 2 rcpts)" agents@desk.example "2: the notification goes to the agents"
is "$(chk 2 h:Auto-Submitted)" auto-generated "2: no out-of-office answers it"
chk 2 text | grep -q "capture d'écran été.png"
ok $? "2: the notification names the screenshot"
is "$(chk 2 attachments)" "capture d'écran été.png image/png png" \
   "2: and attaches it byte for byte"
NOTIFY=$(mid 2)

# 2. An agent answers with reply-all (to the desk, the agents in copy)
# and a PDF.
step agent-answer "$NOTIFY"
is "$(sent)" 3 "3: one relay, no notification of the agents' own answer"
is "$(chk 3 rcpts)" $JEANNE "3: the answer goes to the citizen"
is "$(chk 3 h:Cc)" "" "3: without the agents' list in copy"
is "$(chk 3 h:Subject)" "$SUBJECT" "3: the tag in the subject"
chk 3 text | head -1 | grep -q '^Bonjour Madame,$'
ok $? "3: the agent's words"
is "$(chk 3 h:Auto-Submitted)" "" "3: a person's words, not an auto-reply"
is "$(chk 3 attachments)" "procédure.pdf application/pdf pdf" \
   "3: the PDF byte for byte"
chk 3 h:References | grep -q '<c1@example.org>'
ok $? "3: it threads in her conversation"
is "$(status)" pending "3: the ticket waits for the citizen"
RELAY=$(mid 3)

# 3. The agent resolves with a mail of commands and a signature only.
step agent-resolve "$NOTIFY"
is "$(status)" resolved "#resolve resolves"
is "$(sent)" 3 "a mail of commands only sends nothing"

# 4. The citizen objects, answering the relay.
step citizen-again "$RELAY"
is "$(status)" open "4: her answer reopens the ticket"
is "$(sent)" 4 "4: one notification, no acknowledgement"
is "$(chk 4 rcpts)" agents@desk.example "4: to the agents"
chk 4 text | grep -q 'Toujours impossible'
ok $? "4: with her words"

# 5. The agent escalates with a note and a file (commands, a signature
# and the file only).
step agent-escalate "$(mid 4)"
is "$(status)" escalated "5: #escalate escalates"
is "$(sent)" 6 "5: the escalation and the notice to the citizen"
for n in 5 6; do
	[ "$(chk $n rcpts)" = support@upstream.example ] && UP=$n || TOLD=$n
done
is "$(chk $UP rcpts)" support@upstream.example "5: one goes upstream"
chk $UP h:Reply-To | grep -q '<support@desk.example>$'
ok $? "5: answers come back to the desk"
chk $UP h:Subject | grep -qF "$SUBJECT"
ok $? "5: with our tag"
chk $UP text | grep -q 'Erreur 500 au paiement, voir la capture'
ok $? "5: upstream reads the note"
! chk $UP text | grep -q '#escalate'
ok $? "5: without the command"
is "$(chk $UP rfc822 | tr '\n' ' ')" "<c1@example.org> <$RELAY> <c2@example.org> " \
   "5: the thread attached: her mails and our relay, never the agent's raw mail"
chk $UP attachments | grep -q "capture d'écran été.png image/png png"
ok $? "5: her screenshot travels inside her mail, byte for byte"
chk $UP attachments | grep -q "erreur paiement.har application/octet-stream har"
ok $? "5: the file of the agent's #escalate mail goes upstream, byte for byte"
is "$(chk $TOLD rcpts)" $JEANNE "5: the citizen is told"
is "$(chk $TOLD attachments)" "" "5: without the agent's file"
! chk $TOLD text | grep -q 'Erreur 500'
ok $? "5: the internal note is not in her mail"

# 6. The support answers in the thread of the escalation.
step upstream "$(mid $UP)"
is "$(status)" open "6: upstream's answer reopens the ticket for the desk"
is "$(sql $DB "select upstream_ref from tickets where id = 1")" "[Upstream #999]" \
   "6: its reference is remembered"
is "$(sent)" 8 "6: a relay to the citizen and a notification"
for n in 7 8; do
	[ "$(chk $n rcpts)" = $JEANNE ] && UPREL=$n || UPNOT=$n
done
chk $UPREL text | grep -q 'le module de paiement est corrigé'
ok $? "6: the citizen reads the support's answer"
is "$(chk $UPNOT rcpts)" agents@desk.example "6: the agents are told"

# 7. The citizen thanks.
step citizen-thanks "$(mid $UPREL)"
is "$(sent)" 9 "7: one notification, no acknowledgement"
is "$(chk 9 rcpts)" agents@desk.example "7: to the agents"

# Over the whole story.
n=0; leaked=0
for f in sink/*.json; do
	k=$(basename "$f" .json)
	# the agents' notifications list the commands they can type
	[ "$(chk $k rcpts)" = agents@desk.example ] && continue
	chk $k text | grep -q '^#[a-z]' && leaked=$((leaked + 1))
	[ "$(chk $k rcpts)" = $JEANNE ] && n=$((n + 1))
done
is $leaked 0 "no mail to the citizen or upstream carries a command line"
is $n 4 "the citizen received four mails: the acknowledgement, the answer, the escalation notice, the support's answer"
done_testing
