#!/bin/sh
# The supervisors' digest (spec 6): every working morning at digest_at,
# once; none on Sunday nor when there is nothing to report; a missed one
# goes out when the desk comes back the same day; text and an HTML table.
# And maildeskd sends digests, reminders and closes on its own.
. "$MD_SRCDIR/tests/integration/lib.sh"
cd "$WORK" || exit 1
MP="/usr/bin/python3 $MD_SRCDIR/tests/integration/mailpart.py"
REQ=martine.lefevre@mairie-exemple.fr

desk() { # desk DIR [SED-EXPRESSION]
	mkdir -p "$1"
	sed -e 's/trusted_authserv_id = "";/trusted_authserv_id = "mx.desk.example";/' \
	    -e "${2:-s/^//}" "$MD_SRCDIR/conf/maildesk.conf" > "$1/maildesk.conf"
}
md() { _d=$1; shift; "$MAILDESK" -c "$_d/maildesk.conf" "$@"; }
db() { sql "$1/var/maildesk.db" "$2"; }
request() { # request DIR NOW ID SUBJECT
	printf 'From: Martine Lefevre <%s>\nTo: support@desk.example\nSubject: %s\nMessage-ID: <%s@mairie-exemple.fr>\nContent-Type: text/plain; charset=utf-8\n\nBonjour,\n%s : ça ne marche plus depuis lundi.\n' \
		"$REQ" "$4" "$3" "$4" | md "$1" --now "$2" deliver
}
tick() { md "$1" --now "$2" tick > /dev/null; }
digests() { db "$1" "select count(*) from outbox where kind = 'digest'"; }
last() { # last DIR KIND FILE
	db "$1" "select writefile('$3', r.data) from outbox o join raw r on r.id = o.raw where o.kind = '$2' order by o.id desc limit 1" > /dev/null
}

desk d
tick d 2026-03-02T08:00:00+01:00
is "$(digests d)" 0 "no digest before digest_at"
tick d 2026-03-02T08:31:00+01:00
is "$(digests d)" 0 "Monday 08:31: nothing to report, no digest"
request d 2026-03-02T09:00:00+01:00 req-1 "Imprimante en panne"
request d 2026-03-02T10:00:00+01:00 req-2 "Portail hors service"
md d --now 2026-03-02T11:00:00+01:00 escalate 2 --note "Erreur 500" > /dev/null
tick d 2026-03-02T11:05:00+01:00
is "$(digests d)" 0 "Monday's digest time is past and done"

tick d 2026-03-03T08:31:00+01:00
is "$(digests d)" 1 "Tuesday 08:31: one digest for the one supervisor"
last d digest g1.eml
is "$($MP g1.eml To)" chief@desk.example "to the supervisor"
is "$($MP g1.eml Subject)" \
   "[Helpdesk] Synthèse du mardi 3 mars 2026 : 1 transmises, 1 en attente du support, 1 sans réponse" \
   "the subject says the day and the counts, in French"
is "$($MP g1.eml Auto-Submitted)" auto-generated "auto-generated"
is "$($MP g1.eml types)" "multipart/alternative text/plain text/html" "text with an HTML alternative"
$MP g1.eml html | grep -q '<table'
ok $? "the HTML part has a table"
$MP g1.eml text > g1.txt
grep -q '#2  Portail hors service' g1.txt && grep -q '#1  Imprimante en panne' g1.txt
ok $? "lists the escalated ticket and the stale one"
grep -q "$REQ · ouverte · 8 heures ouvrées" g1.txt
ok $? "the stale ticket's age in working hours (Monday 09:00-17:30 and Tuesday to 08:31)"
grep -q '« Imprimante en panne : ça ne marche plus depuis lundi. »' g1.txt
ok $? "with the first line of the last message that says something"
tick d 2026-03-03T08:45:00+01:00
is "$(digests d)" 1 "one digest a day, however many ticks"

tick d 2026-03-04T08:31:00+01:00
is "$(digests d)" 2 "Wednesday: the next digest"
last d digest g2.eml
$MP g2.eml text > g2.txt
grep -q 'Transmises depuis la dernière synthèse (0)' g2.txt
ok $? "nothing escalated since the last digest"
grep -q "$REQ · transmise · 1 jour ouvré" g2.txt
ok $? "still waiting on upstream, 1 working day old"

tick d 2026-03-07T08:31:00+01:00
tick d 2026-03-08T08:31:00+01:00
tick d 2026-03-08T10:00:00+01:00
# Thursday and Friday go by without a tick at 08:30 (the desk is down).
is "$(digests d)" 2 "none on Saturday and Sunday"
tick d 2026-03-09T10:00:00+01:00
tick d 2026-03-09T10:05:00+01:00
is "$(digests d)" 3 "two missed days: one digest when the desk comes back, not two"
last d digest g3.eml
is "$($MP g3.eml Subject)" \
   "[Helpdesk] Synthèse du lundi 9 mars 2026 : 0 transmises, 1 en attente du support, 1 sans réponse" \
   "the digest of the day it comes back"

md d --now 2026-03-09T12:00:00+01:00 digest --dry-run > dry.out
grep -q '^Subject: \[Helpdesk\] Synthèse du lundi 9 mars 2026' dry.out
ok $? "digest --dry-run prints the digest"
is "$(digests d)" 3 "and queues nothing"
md d --now 2026-03-09T12:00:00+01:00 digest > now.out
is "$(digests d)" 4 "digest without --dry-run sends it now"

# Nothing to report: no mail, unless digest_when_empty.
desk empty
tick empty 2026-03-03T08:31:00+01:00
is "$(digests empty)" 0 "no digest on a day with nothing to report"
desk always 's/stale_after = 8;/stale_after = 8; digest_when_empty = true;/'
tick always 2026-03-03T08:31:00+01:00
is "$(digests always)" 1 "digest_when_empty = true: a digest all the same"

# An English desk.
desk en 's/language = "fr";/language = "en";/'
request en 2026-03-02T09:00:00+01:00 req-en "Printer"
tick en 2026-03-03T08:31:00+01:00
last en digest g-en.eml
is "$($MP g-en.eml Subject)" \
   "[Helpdesk] Digest for Tuesday 3 March 2026: 0 escalated, 0 waiting on upstream, 1 stale" \
   "in English"

# maildeskd does it on its own: the digest, a reminder and a close, out
# through the maildir transport.
desk daemon
request daemon 2026-03-02T09:00:00+01:00 req-d1 "Imprimante"
request daemon 2026-03-02T09:10:00+01:00 req-d2 "Scanner"
request daemon 2026-03-02T09:20:00+01:00 req-d3 "Badge"
printf 'Authentication-Results: mx.desk.example; dkim=pass header.d=desk.example\nFrom: Alice <alice@desk.example>\nTo: support@desk.example\nSubject: Re: [Helpdesk #%s] x\nMessage-ID: <ans-d%s@desk.example>\n\nVoyons.\n' 1 1 |
	md daemon --now 2026-03-03T15:00:00+01:00 deliver
printf 'Authentication-Results: mx.desk.example; dkim=pass header.d=desk.example\nFrom: Alice <alice@desk.example>\nTo: support@desk.example\nSubject: Re: [Helpdesk #%s] x\nMessage-ID: <ans-d%s@desk.example>\n\nVoyons.\n' 2 2 |
	md daemon --now 2026-03-05T15:00:00+01:00 deliver
mkdir -p daemon/var/inbox/new daemon/var/inbox/cur daemon/var/inbox/tmp
rm -rf daemon/var/outbox
"$MAILDESKD" -c daemon/maildesk.conf --now 2026-03-10T15:00:00+01:00 --once 2> daemon.err
ok $? "maildeskd --once runs the timers"
is "$(db daemon "select status from tickets order by id" | tr '\n' ' ')" "closed pending open " \
   "the daemon closed one ticket and keeps the other waiting"
is "$(db daemon "select kind from outbox where kind in ('reminder', 'close', 'digest') order by id" | tr '\n' ' ')" \
   "close reminder digest " "it queued a close, a reminder and the digest"
is "$(db daemon "select count(*) from outbox where state = 'queued'")" 0 "and sent them"
is "$(for f in daemon/var/outbox/new/*; do $MP "$f" Subject; done | grep -c '^\[Helpdesk\] Synthèse du mardi 10 mars 2026')" 1 \
   "the digest is in the outbox maildir"

plan $_n
done_testing
