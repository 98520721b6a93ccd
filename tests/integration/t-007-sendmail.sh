#!/bin/sh
# The sendmail transport: argv exactly "-i -f FROM -- RCPT..." with no
# shell in between, LF line ends, and sysexits codes read back: 75 retries,
# 67 is a permanent refusal recorded on the ticket.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 9
cd "$WORK" || exit 1
F=$MD_SRCDIR/maildir-fixtures/new
NOW=--now=2026-11-23T10:00:00+01:00
# A fake sendmail: records its arguments one per line, and the mail.
mkdir calls
cat > fake-sendmail <<'SH'
#!/bin/sh
n=$(ls "$(dirname "$0")/calls" | wc -l)
for a in "$@"; do printf '%s\n' "$a"; done > "$(dirname "$0")/calls/$n.args"
cat > "$(dirname "$0")/calls/$n.eml"
exit "$(cat "$(dirname "$0")/exit-code" 2>/dev/null || echo 0)"
SH
chmod +x fake-sendmail
write_conf maildesk.conf "outbound = { type = \"sendmail\"; path = \"$WORK/fake-sendmail\"; };"

"$MAILDESK" -c maildesk.conf $NOW deliver < "$F/1764000003.M3P1.fixture"
"$MAILDESK" -c maildesk.conf $NOW send > send.out
ok $? "send exits 0"
is "$(cat send.out)" "2 sent, 0 deferred, 0 failed" "both mails handed to sendmail"
is "$(tr '\n' ' ' < calls/0.args)" "-i -f support@desk.example -- jerome.faure@mairie-exemple.fr " \
   "argv: -i -f FROM -- RCPT"
[ "$(grep -c "$(printf '\r')" calls/0.eml)" -eq 0 ]
ok $? "LF line ends for the local sendmail"
grep -q '^Subject: ' calls/0.eml
ok $? "the mail itself is on standard input"

# Temporary failure: EX_TEMPFAIL keeps it queued.
echo 75 > exit-code
"$MAILDESK" -c maildesk.conf $NOW deliver < "$F/1764000001.M1P1.fixture"
"$MAILDESK" -c maildesk.conf $NOW send > temp.out
is $? 75 "sendmail exiting 75 makes send exit 75"
is "$(sql var/maildesk.db "select count(*) from outbox where state = 'queued' and attempts = 1")" 2 \
   "the mails wait for a retry"
# Permanent failure: 67 (EX_NOUSER) is recorded on the ticket.
echo 67 > exit-code
"$MAILDESK" -c maildesk.conf --now=2026-11-23T10:05:00+01:00 send > perm.out
is "$(sql var/maildesk.db "select count(*) from outbox where state = 'failed'")" 2 "marked failed"
is "$(sql var/maildesk.db "select count(*) from events where ticket = 2 and what like 'mail % not delivered: %'")" 2 \
   "and recorded on the ticket"
done_testing
