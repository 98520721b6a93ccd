#!/bin/sh
# deliver bounces (65) only for the mail's own fault; every failure of the
# desk is 75, so that the MTA keeps the mail and retries (issue 7, item 8).
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 10
cd "$WORK" || exit 1
F=$MD_SRCDIR/maildir-fixtures/new/1764000001.M1P1.fixture

# A misspelt key: the configuration does not load.  (deliver sends
# nothing and reads no password file: issue 10, t-030.)
write_conf secret.conf
sed -i 's/^  name = /  nmae = /' secret.conf
"$MAILDESK" -c secret.conf deliver < "$F" 2> secret.err
is $? 75 "configuration that does not load: 75"
grep -q 'secret.conf:.*nmae' secret.err
ok $? "the reason names the file"
grep -q 'the MTA will retry' secret.err
ok $? "and says the mail is deferred"

"$MAILDESK" -c missing.conf deliver < "$F" 2> /dev/null
is $? 75 "configuration file missing: 75"

# The state directory cannot be created (a file stands in its way).
write_conf state.conf
sed -i 's|state_dir = "var"|state_dir = "blocker/var"|' state.conf
: > blocker
"$MAILDESK" -c state.conf deliver < "$F" 2> state.err
is $? 75 "state directory cannot be created: 75"
grep -q 'blocker/var' state.err
ok $? "the reason names the directory"

# The database cannot be opened (a directory stands in its place).
mkdir -p dbdir/var/maildesk.db
write_conf dbdir/maildesk.conf
"$MAILDESK" -c dbdir/maildesk.conf deliver < "$F" 2> /dev/null
is $? 75 "database cannot be opened: 75"

"$MAILDESK" -c dbdir/maildesk.conf --now yesterday deliver < "$F" 2> /dev/null
is $? 75 "bad --now in the pipe command: 75"

# The mail's own fault: more than four times the size limit.
write_conf small.conf
sed -i 's|^limits = .*|limits = { max_message_size = 1000; };|' small.conf
{ cat "$F"; head -c 5000 /dev/zero | tr '\0' 'x'; } > big.eml
"$MAILDESK" -c small.conf deliver < big.eml 2> /dev/null
is $? 65 "a mail far over the size limit is bounced: 65"
is "$(sql var/maildesk.db 'select count(*) from quarantine')" 1 \
   "and its head is kept"
done_testing
