#!/bin/sh
# The time side of the desk (spec 6), played with deliver --now and
# tick --now against the real binaries: reminders on working days 2 and 4,
# the close on day 5, around weekends, holidays and DST; what stops the
# clock and what does not; reopening; each mail exactly once.
. "$MD_SRCDIR/tests/integration/lib.sh"
cd "$WORK" || exit 1
MP="/usr/bin/python3 $MD_SRCDIR/tests/integration/mailpart.py"
REQ=martine.lefevre@mairie-exemple.fr

# desk DIR [LANGUAGE] [HOLIDAYS]: a desk of its own, agents proven by the
# trusted MX's Authentication-Results.
desk() {
	mkdir -p "$1"
	sed -e 's/trusted_authserv_id = "";/trusted_authserv_id = "mx.desk.example";/' \
	    -e "s/language = \"fr\";/language = \"${2:-fr}\";/" \
	    -e "s/holidays = \"FR\";/holidays = \"${3:-FR}\";/" \
	    "$MD_SRCDIR/conf/maildesk.conf" > "$1/maildesk.conf"
}
md() { _d=$1; shift; "$MAILDESK" -c "$_d/maildesk.conf" "$@"; }
db() { sql "$1/var/maildesk.db" "$2"; }
# request DIR NOW ID: a citizen's new request, Message-ID <ID@mairie-exemple.fr>
request() {
	printf 'From: Martine Lefevre <%s>\nTo: support@desk.example\nSubject: Imprimante en panne\nMessage-ID: <%s@mairie-exemple.fr>\nContent-Type: text/plain; charset=utf-8\n\nBonjour,\nl imprimante du 2e etage ne marche plus.\n' \
		"$REQ" "$3" | md "$1" --now "$2" deliver
}
# reply DIR NOW TICKET ID [HEADER]: the requester writes on the ticket
reply() {
	{ [ -n "${5:-}" ] && printf '%s\n' "$5"
	printf 'From: Martine Lefevre <%s>\nTo: support@desk.example\nSubject: Re: [Helpdesk #%s] Imprimante en panne\nMessage-ID: <%s@mairie-exemple.fr>\nContent-Type: text/plain; charset=utf-8\n\nToujours en panne.\n' \
		"$REQ" "$3" "$4"; } | md "$1" --now "$2" deliver
}
# answer DIR NOW TICKET ID BODY: an agent's reply-all
answer() {
	printf 'Authentication-Results: mx.desk.example; dkim=pass header.d=desk.example header.s=s1\nFrom: Alice <alice@desk.example>\nTo: support@desk.example\nCc: %s\nSubject: Re: [Helpdesk #%s] Imprimante en panne\nMessage-ID: <%s@desk.example>\nContent-Type: text/plain; charset=utf-8\n\n%b\n' \
		"$REQ" "$3" "$4" "$5" | md "$1" --now "$2" deliver
}
tick() { md "$1" --now "$2" tick > /dev/null; }
# due DIR N: the ticket's next timer as list --json says it
due() {
	md "$1" list --json | /usr/bin/python3 -c 'import json, sys
print(next(t["due"] for t in json.load(sys.stdin) if t["id"] == int(sys.argv[1])))' "$2"
}
state() { db "$1" "select status from tickets where id = $2"; }
count() { db "$1" "select count(*) from outbox where kind = '$2'"; }
# last DIR KIND FILE: the raw bytes of the last mail of KIND
last() {
	db "$1" "select writefile('$3', r.data) from outbox o join raw r on r.id = o.raw where o.kind = '$2' order by o.id desc limit 1" > /dev/null
}

# --- 1. Answered on a Friday: reminders on Tuesday and Thursday, closed
# on Friday (French desk, Europe/Paris). -------------------------------
desk fri
request fri 2026-03-02T09:00:00+01:00 req-fri
answer fri 2026-03-06T15:00:00+01:00 1 ans-fri "Bonjour,\nnous avons change la cartouche.\nAlice"
is "$(state fri 1)" pending "an agent's answer: the ticket waits for the requester"
is "$(due fri 1)" 2026-03-10T15:00:00+01:00 "due: day 2 is Tuesday, same time"
md fri show 1 > show.out
grep -q '^Due: reminder 1 on Tue 10 March 2026 15:00$' show.out
ok $? "show names the next timer"
md fri list --due > due.out
grep -q '^ *1  pending    2026-03-10 15:00 ' due.out
ok $? "list --due lists it with its due instant"
tick fri 2026-03-09T15:00:00+01:00
is "$(count fri reminder)" 0 "nothing on Monday (day 1)"
tick fri 2026-03-10T15:00:00+01:00
is "$(count fri reminder)" 1 "the first reminder on Tuesday"
tick fri 2026-03-10T15:00:30+01:00
is "$(count fri reminder)" 1 "a second tick in the same minute sends nothing more"
last fri reminder r1.eml
is "$($MP r1.eml To)" "$REQ" "to the requester only"
is "$($MP r1.eml Subject)" "[Helpdesk #1] Imprimante en panne" "with our tag"
is "$($MP r1.eml Auto-Submitted)" auto-generated "Auto-Submitted: auto-generated"
is "$($MP r1.eml In-Reply-To)" "<req-fri@mairie-exemple.fr>" "threaded on the requester's mail"
is "$($MP r1.eml References)" "<req-fri@mairie-exemple.fr>" "References to the thread"
$MP r1.eml text | grep -q "sera fermée le vendredi 13 mars 2026"
ok $? "says in French on which date the ticket closes"
is "$(due fri 1)" 2026-03-12T15:00:00+01:00 "next: day 4, Thursday"
tick fri 2026-03-12T15:00:00+01:00
is "$(count fri reminder)" 2 "the second reminder on Thursday"
is "$(due fri 1)" 2026-03-13T15:00:00+01:00 "next: the close on day 5"
tick fri 2026-03-13T14:59:00+01:00
is "$(state fri 1)" pending "not closed a minute early"
tick fri 2026-03-13T15:00:00+01:00
is "$(state fri 1)" closed "closed on Friday, day 5"
is "$(count fri close)" 1 "one closing notice"
last fri close c1.eml
$MP c1.eml text | tr '\n' ' ' | grep -q "dans les 30 jours"
ok $? "the closing notice says how to reopen (within reopen_within days)"
is "$($MP c1.eml Auto-Submitted)" auto-generated "the closing notice is auto-generated"
is "$(due fri 1)" None "a closed ticket has no timer"
is "$(db fri "select count(*) from events where ticket = 1 and what like 'pending -> closed (timer)'")" 1 \
   "the close is an event of the ticket"
# A reply after the close, within reopen_within, reopens the same ticket.
reply fri 2026-03-20T10:00:00+01:00 1 re-fri-1
is "$(state fri 1)/$(db fri 'select count(*) from tickets')" open/1 "a reply after the close reopens the same ticket"
answer fri 2026-03-20T11:00:00+01:00 1 ans-fri-2 "On regarde encore."
tick fri 2026-03-24T11:00:00+01:00
is "$(count fri reminder)" 3 "the reopened ticket gets its reminders anew"

# --- 2. What stops the clock: the requester's answer does, an
# out-of-office does not. ----------------------------------------------
desk stop
request stop 2026-03-02T09:00:00+01:00 req-stop-1
request stop 2026-03-02T09:05:00+01:00 req-stop-2
answer stop 2026-03-06T15:00:00+01:00 1 ans-stop-1 "Essayez ceci."
answer stop 2026-03-06T15:00:00+01:00 2 ans-stop-2 "Essayez cela."
tick stop 2026-03-10T15:00:00+01:00
is "$(count stop reminder)" 2 "both reminded on day 2"
reply stop 2026-03-10T16:00:00+01:00 1 re-stop-1
is "$(state stop 1)/$(due stop 1)" open/None "the requester answers: open again, no timer"
reply stop 2026-03-10T16:00:00+01:00 2 oof-stop-2 "Auto-Submitted: auto-replied"
is "$(state stop 2)/$(due stop 2)" pending/2026-03-12T15:00:00+01:00 "an out-of-office does not stop the clock"
tick stop 2026-03-13T15:00:00+01:00
is "$(state stop 1)/$(state stop 2)" open/closed "the out-of-office's ticket closes on day 5, the other stays open"
is "$(db stop "select count(*) from outbox where ticket = 1 and kind in ('reminder', 'close')")" 1 \
   "no reminder nor close after the requester's answer"
# A bouncing requester: nothing sent, the ticket still closes.
request stop 2026-03-02T09:10:00+01:00 req-stop-3
db stop "update tickets set requester = 'gone@mairie-exemple.fr' where id = 3"
db stop "insert into addresses (address, bouncing) values ('gone@mairie-exemple.fr', 1)"
answer stop 2026-03-06T15:00:00+01:00 3 ans-stop-3 "Essayez encore."
tick stop 2026-03-10T15:00:00+01:00
is "$(db stop "select count(*) from outbox where ticket = 3 and kind = 'reminder'")" 0 "no reminder to an address that bounces"
tick stop 2026-03-13T15:00:00+01:00
is "$(state stop 3)" closed "and the ticket closes all the same"

# --- 3. #resolve, and a down desk that catches up with the close only.
desk res
request res 2026-03-02T09:00:00+01:00 req-res
answer res 2026-03-06T15:00:00+01:00 1 ans-res "#resolve\nC est repare."
is "$(state res 1)/$(due res 1)" resolved/2026-03-10T15:00:00+01:00 "#resolve runs the same clock"
tick res 2026-03-16T09:00:00+01:00
is "$(count res reminder)/$(count res close)/$(state res 1)" 0/1/closed \
   "a desk down for the whole week sends the close only"
# After reopen_within (30 days), a reply opens a linked ticket.
reply res 2026-04-20T10:00:00+02:00 1 re-res
is "$(state res 1)/$(db res 'select linked from tickets where id = 2')" closed/1 \
   "a reply after reopen_within opens a new ticket linked to the old one"

# --- 4. Around the holidays: Easter Monday (English desk), 8 May and
# Ascension, 14 July (FR) and 21 July (BE), Christmas with an extra
# holiday on 24 December, and the end of March DST change. -------------
desk en en
request en 2026-04-01T09:00:00+02:00 req-en
answer en 2026-04-03T10:00:00+02:00 1 ans-en "Hello,\nplease try again.\nAlice"
is "$(due en 1)" 2026-04-08T10:00:00+02:00 "Friday before Easter: day 2 is Wednesday (Easter Monday skipped)"
tick en 2026-04-08T10:00:00+02:00
last en reminder r-en.eml
$MP r-en.eml text | grep -q "the request will be closed on Monday 13 April 2026"
ok $? "the English reminder names the close date in words"
tick en 2026-04-13T10:00:00+02:00
is "$(state en 1)" closed "closed on Monday 13 April"

desk may
request may 2026-05-04T09:00:00+02:00 req-may
answer may 2026-05-07T09:00:00+02:00 1 ans-may "Voyons."
is "$(due may 1)" 2026-05-12T09:00:00+02:00 "8 May skipped: day 2 is Tuesday 12 May"
tick may 2026-05-12T09:00:00+02:00
is "$(due may 1)" 2026-05-15T09:00:00+02:00 "Ascension skipped: day 4 is Friday 15 May"
tick may 2026-05-15T09:00:00+02:00
is "$(due may 1)" 2026-05-18T09:00:00+02:00 "the close on Monday 18 May"

desk julfr fr FR
desk julbe fr BE
for d in julfr julbe; do
	request $d 2026-07-06T09:00:00+02:00 req-jul
	answer $d 2026-07-10T11:00:00+02:00 1 ans-jul "Voyons."
	request $d 2026-07-13T09:00:00+02:00 req-jul-2
	answer $d 2026-07-17T11:00:00+02:00 2 ans-jul-2 "Voyons."
done
is "$(due julfr 1) $(due julbe 1)" "2026-07-15T11:00:00+02:00 2026-07-14T11:00:00+02:00" \
   "14 July is a holiday in France, not in Belgium"
is "$(due julfr 2) $(due julbe 2)" "2026-07-21T11:00:00+02:00 2026-07-22T11:00:00+02:00" \
   "21 July is a holiday in Belgium, not in France"

desk xmas
request xmas 2026-12-21T09:00:00+01:00 req-xmas
answer xmas 2026-12-22T16:00:00+01:00 1 ans-xmas "Voyons."
is "$(due xmas 1)" 2026-12-28T16:00:00+01:00 "24 December (extra_holidays) and Christmas skipped"
tick xmas 2026-12-28T16:00:00+01:00
last xmas reminder r-xmas.eml
$MP r-xmas.eml text | grep -q "fermée le jeudi 31 décembre 2026"
ok $? "closes on the last day of the year"
tick xmas 2026-12-31T16:00:00+01:00
is "$(state xmas 1)" closed "closed on 31 December"

desk dst
request dst 2026-03-23T09:00:00+01:00 req-dst
answer dst 2026-03-26T10:00:00+01:00 1 ans-dst "Voyons."
is "$(due dst 1)" 2026-03-30T10:00:00+02:00 "across the change to summer time: the same local hour"

# --- 5. Exactly once: two ticks at once, and SIGKILL in the middle. ---
desk many
i=0
mkdir -p batch/new batch/cur batch/tmp
while [ $i -lt 1200 ]; do
	i=$((i + 1))
	printf 'From: Requester %d <user%d@example.org>\nTo: support@desk.example\nSubject: Request %d\nMessage-ID: <many-%d@example.org>\n\nHello.\n' \
		$i $i $i $i > batch/new/$i.eml
done
md many --now 2026-03-02T09:00:00+01:00 ingest batch > /dev/null
# The agents answered all of them on Friday (state set directly: the tick
# is what is under test here).
db many "update tickets set status = 'pending', answered = 1, since = strftime('%s', '2026-03-06T15:00:00+01:00'), due = strftime('%s', '2026-03-10T15:00:00+01:00')"
md many --now 2026-03-10T15:00:00+01:00 tick > t1.out 2> t1.err & p1=$!
md many --now 2026-03-10T15:00:00+01:00 tick > t2.out 2> t2.err & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
# The second waits for the first's lock; on a slow machine it may give up
# after busy_timeout with 75 (temporary: the next sweep's work), never
# with a duplicate.
case "$r1 $r2" in "0 0"|"0 75"|"75 0") r=ok ;; *) r="$r1 $r2" ;; esac
is "$r" ok "two ticks at once: both succeed, or one finds the database busy (75)"
is "$(db many "select count(*) || ' ' || count(distinct ticket) from outbox where kind = 'reminder'")" "1200 1200" \
   "two ticks at once: one reminder per ticket"
# maildesk itself in the background, not the md function: $! of a
# function is the subshell that runs it, and SIGKILL would leave the tick
# running on as an orphan (the next tick then only waited for it).
"$MAILDESK" -c many/maildesk.conf --now 2026-03-12T15:00:00+01:00 tick > t3.out 2>&1 & p3=$!
wait_until 20 '[ "$(db many "select count(*) from outbox where kind = '"'reminder'"'")" -gt 1200 ]'
kill -9 $p3 2> /dev/null; wait $p3 2> /dev/null
killed=$(db many "select count(*) from outbox where kind = 'reminder'")
md many --now 2026-03-12T15:00:00+01:00 tick > /dev/null
ok $? "a tick after a SIGKILL in the middle of one"
is "$(db many "select count(*) || ' ' || count(distinct ticket) from outbox where kind = 'reminder'") $(db many "select count(*) from (select ticket from outbox where kind = 'reminder' group by ticket having count(*) = 2)")" \
   "2400 1200 1200" \
   "after the crash: one second reminder per ticket, none twice (killed with $killed reminders queued)"
is "$(db many "select count(*) from tickets where reminders = 2 and due = strftime('%s', '2026-03-13T15:00:00+01:00')")" 1200 \
   "every ticket's next timer is its close"

# The sweep reads only what is due (and the digest only its own lists):
# no statement of the tick scans tickets, messages or raw whole.
MAILDESK_TEST_EXPLAIN="$WORK/plans.txt" md many --now 2026-03-13T15:00:00+01:00 tick > /dev/null
is "$(db many "select count(*) from tickets where status = 'closed'")" 1200 "the close on day 5 for all"
grep -E 'plan: SCAN (messages|raw|tickets|outbox)( |$)' plans.txt > scans.txt
is "$(cat scans.txt)" "" "no whole scan of tickets, messages, raw or outbox in a tick"
grep -q 'SEARCH tickets USING COVERING INDEX tickets_due (due>? AND due<?)' plans.txt
ok $? "due tickets are found by the tickets_due index"

plan $_n
done_testing
