#!/bin/sh
# Incoming values copied into outgoing mail stay within RFC 5322: a
# 5,000-character Message-ID is not referenced, a 900 KB subject (the header bound is 1 MiB) is cut
# with "…" (issue 7, item 9).
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 6
cd "$WORK" || exit 1
write_conf maildesk.conf
long_id=$(head -c 5000 /dev/zero | tr '\0' 'i')
long_subject=$(head -c 900000 /dev/zero | tr '\0' 's')
printf 'From: jean@client.example\nTo: support@desk.example\nSubject: %s\nMessage-ID: <%s@client.example>\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n\nBonjour\n' \
	"$long_subject" "$long_id" > long.eml
"$MAILDESK" -c maildesk.conf deliver < long.eml
ok $? "deliver"
"$MAILDESK" -c maildesk.conf send > /dev/null
ok $? "send"
is "$(ls var/outbox/new | wc -l)" 2 "acknowledgement and notification"
is "$(cat var/outbox/new/* | awk 'length > 998' | wc -l)" 0 \
   "no line over 998 characters"
is "$(cat var/outbox/new/* | grep -ci '^\(In-Reply-To\|References\):.*iiiiiiiiii')" 0 \
   "the long Message-ID is not referenced"
is "$(du -cb var/outbox/new/* | tail -1 | cut -f1 | awk '{print ($1 < 20000)}')" 1 \
   "the two mails together are under 20 KB"
done_testing
