#!/bin/sh
# Bad input gets a clear reason and loses nothing: the raw bytes are kept.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 20
cd "$WORK" || exit 1
write_conf maildesk.conf
sed -i 's/max_message_size = 26214400/max_message_size = 200000/' maildesk.conf
DB=var/maildesk.db
mkdir bad

printf '' > bad/01-empty
head -c 3000 /dev/urandom | tr -d ':\n' > bad/02-binary
# A 300 KB message: over the limit of this configuration.
{ printf 'From: big@example.org\nSubject: big\nMessage-ID: <big@example.org>\n\n'
  head -c 300000 /dev/zero | tr '\0' 'x'; printf '\n'; } > bad/03-oversize
# NUL bytes in the body: stored, not quarantined; text has no NUL.
printf 'From: nul@example.org\nSubject: nul\nMessage-ID: <nul@example.org>\n\nbefore\0after\n' > bad/04-nul
# A giant header (150 KB To:), still a mail.
{ printf 'From: wide@example.org\nSubject: wide\nMessage-ID: <wide@example.org>\nTo: '
  i=0; while [ $i -lt 5000 ]; do printf 'user%d@example.org, ' $i; i=$((i+1)); done
  printf 'support@desk.example\n\nhello\n'; } > bad/05-giant-header
# Broken MIME: a multipart without its closing boundary, a bad charset.
printf 'From: mime@example.org\nSubject: =?x-unknown?Q?caf=E9?=\nMessage-ID: <mime@example.org>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain; charset=x-bogus\n\ncaf\351 cr\350me\n--b\nContent-Type: application/pdf; name="a.pdf"\nContent-Transfer-Encoding: base64\n\n!!!notbase64\n' > bad/06-broken-mime

"$MAILDESK" -c maildesk.conf ingest bad > out 2> err
ok $? "ingest exits 0 on bad input"
is "$(sql $DB 'select count(*) from quarantine')" 3 "three mails quarantined"
is "$(sql $DB "select count(*) from quarantine where source = 'ingest:01-empty'")" 1 "empty input quarantined"
is "$(sql $DB "select count(*) from quarantine where source = 'ingest:02-binary'")" 1 "binary junk quarantined"
is "$(sql $DB "select reason from quarantine where source = 'ingest:03-oversize'")" \
   "too large: $(wc -c < bad/03-oversize | tr -d ' ') bytes, limit 200000" \
   "oversize quarantined with the reason"
sql $DB "select writefile('back', r.data) from quarantine q join raw r on r.id = q.raw where q.source = 'ingest:03-oversize'" >/dev/null
cmp_file back bad/03-oversize "the raw bytes of a quarantined mail are kept exactly"
is "$(sql $DB "select count(*) from messages where source in ('ingest:04-nul', 'ingest:05-giant-header', 'ingest:06-broken-mime')")" 3 \
   "NUL bytes, a giant header and broken MIME still make tickets"
is "$(sql $DB "select instr(text, 'after') > 0 from messages where source = 'ingest:04-nul'")" 1 "text after the NUL is kept"
sql $DB "select writefile('nul-back', r.data) from messages m join raw r on r.id = m.raw where m.source = 'ingest:04-nul'" >/dev/null
cmp_file nul-back bad/04-nul "the raw bytes with the NUL are kept exactly"
is "$(sql $DB "select instr(text, 'caf') > 0 from messages where source = 'ingest:06-broken-mime'")" 1 "text of a part with an unknown charset is kept"
"$MAILDESK" -c maildesk.conf list --quarantine --json > q.json
/usr/bin/python3 -c 'import json; d=json.load(open("q.json")); assert len(d) == 3 and all(x["reason"] for x in d)'
ok $? "list --quarantine --json shows each with a reason"
"$MAILDESK" -c maildesk.conf ingest bad > out2 2>&1
is "$(cut -d, -f3 out2)" " 0 quarantined" "a second ingest quarantines nothing twice"

# deliver: an oversize mail is kept whole; one beyond four times the limit
# is bounced by the MTA (exit 65) and its head kept for the admin.
{ sed 's/^Message-ID: <big@example.org>$/Message-ID: <big2@example.org>/' bad/03-oversize; echo more; } > big2
"$MAILDESK" -c maildesk.conf deliver < big2
ok $? "deliver of an oversize mail exits 0"
sql $DB "select writefile('back2', r.data) from quarantine q join raw r on r.id = q.raw where q.source = 'deliver:stdin'" > /dev/null
cmp_file back2 big2 "and keeps it whole in the quarantine"
{ printf 'From: huge@example.org\nSubject: huge\nMessage-ID: <huge@example.org>\n\n'
  head -c 1000000 /dev/zero | tr '\0' 'y'; } > huge
"$MAILDESK" -c maildesk.conf deliver < huge 2> huge.err
is $? 65 "a mail beyond four times the limit exits 65 (the MTA bounces it)"
is "$(sql $DB "select length(r.data) > 800000 from quarantine q join raw r on r.id = q.raw where q.message_id = 'huge@example.org' and q.source = 'deliver:stdin' order by q.id desc limit 1")" 1 \
   "and its head is kept in the quarantine"

# A mail found at fault after its rows were written (fault injection):
# the batch is rolled back and run again with that mail put aside; the
# others of the batch are stored once, nothing half-written remains.
mkdir poison
for n in 1 2 3; do
	printf 'From: p%d@example.org\nSubject: demande %d\nMessage-ID: <p%d@example.org>\n\nbonjour\n' $n $n $n > poison/$n
done
before=$(sql $DB 'select count(*) from tickets')
MAILDESK_TEST_POISON_SUBJECT="demande 2" "$MAILDESK" -c maildesk.conf ingest poison > poison.out
ok $? "ingest exits 0"
is "$(sql $DB "select reason from quarantine where source = 'ingest:2'")" \
   "injected fault (MAILDESK_TEST_POISON_SUBJECT)" "the mail at fault is quarantined with the reason"
is "$(sql $DB 'select count(*) from tickets') $(sql $DB "select count(*) from messages where source in ('ingest:1', 'ingest:3')")" \
   "$((before + 2)) 2" "the two others are stored once, with their tickets"
is "$(sql $DB "select count(*) from messages where source = 'ingest:2'")" 0 "nothing of the bad one is left"
done_testing
