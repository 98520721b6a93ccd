#!/bin/sh
# Attachments (issue 8, item 2): the agents' notification names every
# attachment and carries them byte for byte up to notify.attach_max; an
# agent's attachment and upstream's reach the requester byte for byte;
# maildesk attachment N K gives the stored original.  Against the aiosmtpd
# sink: what the recipients really receive.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 28
cd "$WORK" || exit 1
trap 'sinks_stop' EXIT
DB=var/maildesk.db
NOW=--now=2026-11-23T10:00:00+01:00
PART=$MD_SRCDIR/tests/integration/mailpart.py
sink_start sink
write_conf maildesk.conf "outbound = { type = \"smtp\"; url = \"smtp://127.0.0.1:$SINK_PORT\"; starttls = false; };"
md() { "$MAILDESK" -c "${CONF:-maildesk.conf}" $NOW "$@"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
# sink_file MSGID: the mail the sink received with this Message-ID.
sink_file() {
	for _f in sink/*.eml; do
		[ "$(header "$_f" Message-ID)" = "<$1>" ] && echo "$_f"
	done
}
# last_out KIND: the Message-ID of the desk's last mail of KIND.
last_out() { sql "${DB2:-$DB}" "select message_id from messages where direction = 'out' and kind = '$1' order by id desc limit 1"; }

# The files: binary, with NULs and every high byte; a French name.
/usr/bin/python3 - <<'PY'
png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 24 + b"\0\xff\0"
pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(255, -1, -1)) * 40 + b"\0\n%%EOF\n"
doc = b"PK\x03\x04\0\0" + bytes((i * 7) % 256 for i in range(3000)) + b"\r\n\0"
zip_ = b"PK\x03\x04" + bytes((i * 13) % 256 for i in range(2000))
for name, data in (("png", png), ("pdf", pdf), ("doc", doc), ("zip", zip_)):
    open("file." + name, "wb").write(data)
PY
PNG_NAME="capture d'écran été.png"
/usr/bin/python3 - "$PNG_NAME" <<'PY'
import sys
from email.message import EmailMessage
m = EmailMessage()
m["From"] = "Jérôme Faure <jerome.faure@mairie-exemple.fr>"
m["To"] = "support@desk.example"
m["Subject"] = "Le portail affiche une erreur"
m["Message-ID"] = "<c1@mairie-exemple.fr>"
m["Date"] = "Mon, 23 Nov 2026 09:50:00 +0100"
m.set_content("Bonjour,\n\nle portail affiche une erreur, voici une capture et le rapport.\n")
m.add_attachment(open("file.png", "rb").read(), maintype="image", subtype="png", filename=sys.argv[1])
m.add_attachment(open("file.pdf", "rb").read(), maintype="application", subtype="pdf", filename="rapport.pdf")
open("citizen.eml", "wb").write(bytes(m))
PY
md deliver < citizen.eml || exit 1
md send > /dev/null || exit 1
NOTIFY_ID=$(last_out notify)

# 1. The agents' notification (the example desk is French) names both
# files and carries them.
N=$(sink_file "$NOTIFY_ID")
[ -n "$N" ]; ok $? "the sink received the agents' notification"
/usr/bin/python3 "$PART" "$N" text > notify.txt
grep -q "^1\. $PNG_NAME (image/png, [0-9,]* Ko)$" notify.txt
ok $? "the notification names the screenshot with its type and size"
grep -q "^2\. rapport\.pdf (application/pdf, [0-9,]* Ko)$" notify.txt
ok $? "and the PDF"
grep -q "maildesk attachment 1 K" notify.txt
ok $? "and says how to get them from the desk"
/usr/bin/python3 "$PART" "$N" attachments > notify.att
is "$(cat notify.att)" "$(sha file.png) image/png $PNG_NAME
$(sha file.pdf) application/pdf rapport.pdf" "both are attached byte for byte, names kept"
grep -q "filename\*=UTF-8''capture%20d%27%C3%A9cran%20%C3%A9t%C3%A9\.png" "$N"
ok $? "the non-ASCII name is written per RFC 2231"
A=$(sink_file "$(last_out ack)")
is "$(/usr/bin/python3 "$PART" "$A" attachments)" "" "the acknowledgement carries nothing back"

printf 'From: Paul <paul@mairie-exemple.fr>\nTo: support@desk.example\nSubject: Sans fichier\nMessage-ID: <p1@mairie-exemple.fr>\n\nBonjour,\n\nrien de joint.\n' | md deliver || exit 1
md send > /dev/null || exit 1
/usr/bin/python3 "$PART" "$(sink_file "$(last_out notify)")" text > plain.txt
grep -q "rien de joint" plain.txt && ! grep -q "Pièces jointes" plain.txt &&
	! tr '\n' '~' < plain.txt | grep -q '~~~'
ok $? "without attachments: no list and no empty paragraph"

# 2. maildesk attachment N [K]: the stored originals.
md show 1 > show.out
grep -q "^Attachment 2: rapport.pdf (application/pdf, " show.out
ok $? "show N numbers the attachments"
md show 1 --json | /usr/bin/python3 -c 'import json, sys
d = json.load(sys.stdin)
a = d["messages"][0]["attachments"]
sys.exit(0 if [(x["index"], x["name"]) for x in a] == [(1, sys.argv[1]), (2, "rapport.pdf")] else 1)' "$PNG_NAME"
ok $? "show --json gives each attachment its index"
md attachment 1 > list.out
ok $? "attachment N lists them"
grep -q "^1\. $PNG_NAME (image/png, .*) from jerome.faure@mairie-exemple.fr$" list.out
ok $? "numbered as show numbers them"
md attachment 1 1 -o got.png
ok $? "attachment 1 1 -o FILE exits 0"
cmp_file got.png file.png "it writes the screenshot's original bytes"
md attachment 1 2 > got.pdf
cmp_file got.pdf file.pdf "attachment 1 2 writes the PDF to standard output"
md attachment 1 1 -o got.png 2> exists.err
[ $? -ne 0 ] && grep -q "never overwritten" exists.err
ok $? "an existing file is not overwritten"
md attachment 1 3 -o none 2> range.err
rc=$?
is "$rc" 66 "K out of range exits 66"
grep -q "no attachment 3 (it has 2" range.err && [ ! -e none ]
ok $? "with a clear message, and no file"

# 3. An agent's reply-all with an attachment: relayed to the requester.
/usr/bin/python3 - "$NOTIFY_ID" <<'PY'
import sys
from email.message import EmailMessage
m = EmailMessage()
m["Authentication-Results"] = "mx.desk.example; dkim=pass header.d=desk.example"
m["From"] = "Alice <alice@desk.example>"
m["To"] = "Service Desk <support@desk.example>"
m["Cc"] = "agents@desk.example"
m["Subject"] = "Re: [Helpdesk #1] Le portail affiche une erreur"
m["Message-ID"] = "<a1@desk.example>"
m["In-Reply-To"] = "<" + sys.argv[1] + ">"
m["References"] = "<" + sys.argv[1] + ">"
m.set_content("Bonjour,\n\nvoici la procédure à suivre.\n\nAlice\n")
m.add_attachment(open("file.doc", "rb").read(), maintype="application", subtype="vnd.oasis.opendocument.text", filename="procédure à suivre.odt")
open("agent.eml", "wb").write(bytes(m))
PY
md deliver < agent.eml || exit 1
md send > /dev/null || exit 1
R=$(sink_file "$(last_out relay)")
[ -n "$R" ] && grep -q jerome.faure@mairie-exemple.fr "${R%.eml}.json" &&
	[ "$(sql $DB "select ticket from messages where message_id = 'a1@desk.example'")" = 1 ]
ok $? "the agent's answer is relayed to the requester"
is "$(/usr/bin/python3 "$PART" "$R" attachments)" \
   "$(sha file.doc) application/vnd.oasis.opendocument.text procédure à suivre.odt" \
   "with the agent's attachment byte for byte"
/usr/bin/python3 "$PART" "$R" text | grep -q "voici la procédure"
ok $? "and the agent's words"

# 4. Upstream's answer with a file, relayed to the requester.
md escalate 1 --note "Erreur 500" > /dev/null || exit 1
ESC=$(sql $DB "select message_id from messages where kind = 'escalation' and to_addrs = 'support@upstream.example'")
/usr/bin/python3 - "$ESC" <<'PY'
import sys
from email.message import EmailMessage
m = EmailMessage()
m["From"] = "Support <support@upstream.example>"
m["To"] = "support@desk.example"
m["Subject"] = "[Upstream #77] Re: [Helpdesk #1] Le portail affiche une erreur"
m["Message-ID"] = "<u1@upstream.example>"
m["In-Reply-To"] = "<" + sys.argv[1] + ">"
m.set_content("Bonjour,\n\nle correctif est joint.\n")
m.add_attachment(open("file.zip", "rb").read(), maintype="application", subtype="zip", filename="correctif.zip")
open("upstream.eml", "wb").write(bytes(m))
PY
md deliver < upstream.eml || exit 1
md send > /dev/null || exit 1
R=$(sink_file "$(last_out relay)")
[ -n "$R" ] && grep -q jerome.faure@mairie-exemple.fr "${R%.eml}.json" && /usr/bin/python3 "$PART" "$R" text | grep -q "correctif est joint"
ok $? "upstream's answer is relayed to the requester"
is "$(/usr/bin/python3 "$PART" "$R" attachments)" "$(sha file.zip) application/zip correctif.zip" \
   "with upstream's file byte for byte"

# 5. notify.attach_max: in order, until the next would pass it.
mkdir small none
PNG_SIZE=$(wc -c < file.png)
sed "s/^notify = .*/notify = { attach_max = $((PNG_SIZE + 100)); };/" maildesk.conf > small/maildesk.conf
sed "s/^notify = .*/notify = { attach_max = 1000; };/" maildesk.conf > none/maildesk.conf
grep -q "attach_max = $((PNG_SIZE + 100))" small/maildesk.conf
ok $? "the example configuration has notify.attach_max"
CONF=small/maildesk.conf md deliver < citizen.eml || exit 1
CONF=none/maildesk.conf md deliver < citizen.eml || exit 1
CONF=small/maildesk.conf md send > /dev/null || exit 1
CONF=none/maildesk.conf md send > /dev/null || exit 1
N=$(sink_file "$(DB2=small/var/maildesk.db last_out notify)")
/usr/bin/python3 "$PART" "$N" text > small.txt
is "$(/usr/bin/python3 "$PART" "$N" attachments)" "$(sha file.png) image/png $PNG_NAME" \
   "within attach_max: the screenshot is attached, the PDF that would pass it is not"
grep -q "^2\. rapport\.pdf (application/pdf, [0-9,]* Ko), non jointe : au-delà de notify.attach_max" small.txt
ok $? "the list says the PDF was not attached"
N=$(sink_file "$(DB2=none/var/maildesk.db last_out notify)")
/usr/bin/python3 "$PART" "$N" text > none.txt
is "$(/usr/bin/python3 "$PART" "$N" types)" "text/plain" "with attach_max below every file: the text only"
is "$(grep -c 'non jointe : au-delà de notify.attach_max (1000 octets en tout)$' none.txt)" 2 \
   "which names both files as not attached"
done_testing
