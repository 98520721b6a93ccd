#!/bin/sh
# README's first command ends in `make demo`: build-aux/demo.sh runs the
# daemon once over maildir-fixtures with the built-in configuration and
# shows the tickets and the first answer decoded.  It must run to its end
# whatever the first answer is (a notification that carries files is
# multipart/mixed: the decoder asked it for its content and died; which
# mail comes first varies from run to run).
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 4
cd "$WORK" || exit 1
sh "$MD_SRCDIR/build-aux/demo.sh" "$MD_SRCDIR" "$MD_BUILDDIR" > demo.out 2> demo.err
ok $? "the demo exits 0"
! grep -q Traceback demo.err
ok $? "no traceback (the daemon's log lines are its stderr)"
grep -q '^== more: cd demo' demo.out
ok $? "it runs to its end"
n=$(ls demo/var/outbox/new | wc -l)
grep -q "^($n mails in demo/var/outbox/new)$" demo.out && [ "$n" -gt 0 ]
ok $? "it shows the answers it wrote ($n)"
done_testing
