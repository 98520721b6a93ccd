#!/bin/sh
# Deduplication (spec 4 step 2): the same mail through the desk address and
# an alias is one message; another mail reusing a Message-ID is its own.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 6
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
body='Bonjour,\n\nle scanner du 1er étage ne marche plus.\n\nPaul\n'
printf "Return-Path: <paul@example.org>\nDelivered-To: support@desk.example\nReceived: from a by mx1; Mon, 23 Nov 2026 09:00:00 +0100\nFrom: Paul <paul@example.org>\nTo: support@desk.example, helpdesk@desk.example\nSubject: Scanner\nMessage-ID: <scan-1@example.org>\nDate: Mon, 23 Nov 2026 09:00:00 +0100\n\n$body" > copy1
printf "Return-Path: <paul@example.org>\nDelivered-To: helpdesk@desk.example\nReceived: from a by mx2; Mon, 23 Nov 2026 09:00:01 +0100\nReceived: from b by mx1; Mon, 23 Nov 2026 09:00:00 +0100\nFrom: Paul <paul@example.org>\nTo: support@desk.example, helpdesk@desk.example\nSubject: Scanner\nMessage-ID: <scan-1@example.org>\nDate: Mon, 23 Nov 2026 09:00:00 +0100\n\n$body" > copy2
printf "From: Paul <paul@example.org>\nTo: support@desk.example\nSubject: Autre chose\nMessage-ID: <scan-1@example.org>\nDate: Mon, 23 Nov 2026 09:05:00 +0100\n\nUne autre demande, même Message-ID.\n" > reuse

for f in copy1 copy2 reuse; do "$MAILDESK" -c maildesk.conf deliver < $f || echo "deliver $f failed"; done
is "$(sql $DB "select count(*) from messages where message_id = 'scan-1@example.org' and direction = 'in'")" 2 \
   "two messages stored for three deliveries"
is "$(sql $DB 'select count(*) from tickets')" 2 "the reused Message-ID opens a ticket of its own"
is "$(sql $DB "select subject from tickets order by id")" "Scanner
Autre chose" "each with its subject"
is "$(sql $DB "select count(*) from outbox where rcpts = 'paul@example.org'")" 2 \
   "one acknowledgement per ticket, none for the copy"
is "$(sql $DB "select count(*) from messages where direction = 'in' and source = 'deliver:stdin' and raw in (select id from raw)")" 2 \
   "raw bytes kept for each stored message"
"$MAILDESK" -c maildesk.conf deliver < copy2
is "$(sql $DB "select count(*) from messages where direction = 'in'")" 2 "a later copy is still recognised"
done_testing
