#!/bin/sh
# A huge file in a watched maildir costs bounded memory: the source reads
# its head only (four times limits.max_message_size), quarantines it with
# its size and goes on with the mail behind it (issue 7, item 7).
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 6
cd "$WORK" || exit 1
F=$MD_SRCDIR/maildir-fixtures/new
write_conf maildesk.conf
sed -i 's|^limits = .*|limits = { max_message_size = 100000; };|' maildesk.conf
mkdir -p var/inbox/new var/inbox/cur var/inbox/tmp
# 200 MB, sparse: cheap to make, not to read whole.
printf 'From: big@example.org\nSubject: huge\nMessage-ID: <huge@example.org>\n\n' \
	> var/inbox/new/1764000000.M0P1.huge
truncate -s 200M var/inbox/new/1764000000.M0P1.huge
cp "$F/1764000001.M1P1.fixture" var/inbox/new/

"$MAILDESKD" -c maildesk.conf --once 2> log
ok $? "maildeskd --once exits 0"
is "$(ls var/inbox/new | wc -l)" 0 "both files taken out of new/"
is "$(sql var/maildesk.db "select count(*) from tickets")" 1 \
   "the mail behind it made its ticket"
is "$(sql var/maildesk.db "select q.reason || ' / ' || length(r.data) from quarantine q join raw r on r.id = q.raw")" \
   "too large: 209715200 bytes, limit 100000; its first 400000 bytes kept / 400000" \
   "quarantined with its size, its head kept"
is "$(sql var/maildesk.db "select message_id from quarantine")" \
   huge@example.org "the head still names its Message-ID"

# deliver says the whole size too.
{ head -c 300 var/inbox/cur/1764000000.M0P1.huge:2,S; head -c 500000 /dev/zero; } |
	"$MAILDESK" -c maildesk.conf deliver 2> deliver.err
is "$? $(grep -c 'message of 500300 bytes refused' deliver.err)" "65 1" \
   "deliver: 65, with the size it was sent"
done_testing
