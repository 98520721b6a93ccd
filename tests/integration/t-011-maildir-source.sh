#!/bin/sh
# The maildir source of the daemon: after = "move" files each stored mail
# into cur/ with the S flag, after = "delete" removes it; a mail that could
# not be parsed is kept (quarantine) and acknowledged all the same.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 8
cd "$WORK" || exit 1
F=$MD_SRCDIR/maildir-fixtures/new

mkdir move del
write_conf move/maildesk.conf
mkdir -p move/var/inbox/new move/var/inbox/cur move/var/inbox/tmp
cp "$F/1764000001.M1P1.fixture" "$F/1764000002.M2P1.fixture" move/var/inbox/new/
printf 'garbage' > move/var/inbox/new/1764000099.M99P1.junk
"$MAILDESKD" -c move/maildesk.conf --once 2> move/log
ok $? "maildeskd --once exits 0"
is "$(ls move/var/inbox/new | wc -l | tr -d ' ')" 0 "new/ is empty"
is "$(ls move/var/inbox/cur | sort | tr '\n' ' ')" \
   "1764000001.M1P1.fixture:2,S 1764000002.M2P1.fixture:2,S 1764000099.M99P1.junk:2,S " \
   "each file moved to cur/ with the S flag"
is "$(sql move/var/maildesk.db "select count(*) from tickets") $(sql move/var/maildesk.db "select count(*) from quarantine")" \
   "2 1" "two tickets and one quarantined mail"
is "$(ls move/var/outbox/new | wc -l | tr -d ' ')" 4 \
   "acknowledgements and notifications written to the outbox maildir"

sed 's|after = "move"|after = "delete"|' "$MD_SRCDIR/conf/maildesk.conf" > del/maildesk.conf
mkdir -p del/var/inbox/new del/var/inbox/cur del/var/inbox/tmp
cp "$F/1764000001.M1P1.fixture" del/var/inbox/new/
"$MAILDESKD" -c del/maildesk.conf --once 2> del/log
ok $? "with after = delete"
is "$(find del/var/inbox -type f | wc -l | tr -d ' ')" 0 "the file is deleted"
is "$(sql del/var/maildesk.db "select count(*) from messages where direction = 'in'")" 1 \
   "after being stored"
done_testing
