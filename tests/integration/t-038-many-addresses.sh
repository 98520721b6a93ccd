#!/bin/sh
# One mail with many recipients does not stall the desk (issue 7, item 2):
# participants are capped by limits.max_participants (the rest stays in
# the message), addresses are handled in linear time, and a header block
# over 1 MiB (a 25 MB mail of addresses) is quarantined without parsing,
# while other mail goes through.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 9
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
F=$MD_SRCDIR/maildir-fixtures/new
/usr/bin/python3 - <<'PY'
def mail(name, n, mid):
    cc = ",\n ".join("user%d@client%d.example" % (i, i % 97) for i in range(n))
    with open(name, "w") as f:
        f.write("From: jean@client.example\nTo: support@desk.example\n"
                "Cc: %s\nSubject: to everyone\nMessage-ID: <%s>\n\nBonjour\n"
                % (cc, mid))
mail("many.eml", 30000, "many@client.example")
mail("huge.eml", 1000000, "huge@client.example")
PY
echo "# many.eml: $(wc -c < many.eml) bytes, huge.eml: $(wc -c < huge.eml) bytes"

start=$(date +%s.%N)
"$MAILDESK" -c maildesk.conf deliver < many.eml
ok $? "30,000 addresses in Cc: stored"
echo "# took $(awk "BEGIN { print $(date +%s.%N) - $start }") s"
is "$(sql $DB "select count(*) from participants where ticket = 1")" 50 \
   "limits.max_participants (50) on the ticket, the requester included"
is "$(sql $DB "select length(cc_addrs) > 600000 from messages where message_id = 'many@client.example'")" 1 \
   "the whole Cc stays in the message"
is "$(sql $DB "select count(*) from outbox")" 2 "acknowledgement and notification queued"

# The 25 MB mail, while another mail is delivered at the same time.
start=$(date +%s.%N)
"$MAILDESK" -c maildesk.conf deliver < huge.eml 2> huge.err &
pid=$!
"$MAILDESK" -c maildesk.conf deliver < "$F/1764000001.M1P1.fixture"
ok $? "another mail is delivered meanwhile"
wait $pid
ok $? "the 25 MB mail of addresses: kept (exit 0)"
echo "# took $(awk "BEGIN { print $(date +%s.%N) - $start }") s"
is "$(sql $DB "select reason from quarantine where message_id is null or message_id = 'huge@client.example'" | sed 's/[0-9]* bytes/N bytes/')" \
   "header block of N bytes, over the limit of 1048576" "quarantined: its header is over 1 MiB"
is "$(sql $DB "select count(*) from tickets")" 2 "no ticket for it"

sed -i 's|^limits = { |limits = { max_participants = 5; |' maildesk.conf
sed 's/many@client/many2@client/' many.eml | "$MAILDESK" -c maildesk.conf deliver
is "$(sql $DB "select count(*) from participants where ticket = 3")" 5 \
   "max_participants = 5"
done_testing
