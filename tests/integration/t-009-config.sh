#!/bin/sh
# check-config: a good file is OK; every error is reported with its line.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 10
cd "$WORK" || exit 1
write_conf good.conf
out=$("$MAILDESK" -c good.conf check-config)
ok $? "the example configuration is valid"
is "$out" "good.conf: OK" "and check-config says so"
"$MAILDESK" check-config > builtin.out
ok $? "the built-in configuration is valid"

sed -e 's/  name = "Helpdesk";/  nmae = "Helpdesk";/' \
    -e 's/close_after = 5;/close_after = "five";/' good.conf > typo.conf
"$MAILDESK" -c typo.conf check-config 2> typo.err
is $? 78 "a typo exits 78 (EX_CONFIG)"
line=$(grep -n 'nmae' typo.conf | cut -d: -f1)
grep -q "typo.conf:$line: unknown key 'desk.nmae'" typo.err
ok $? "the unknown key is named with its line"
grep -q "did you mean 'desk.name'" typo.err
ok $? "with a suggestion"
line=$(grep -n 'close_after' typo.conf | cut -d: -f1)
grep -q "typo.conf:$line: lifecycle.close_after" typo.err
ok $? "the wrong type is reported too, with its line"

printf 'desk = { address = "support@desk.example" ;\n' > syntax.conf
"$MAILDESK" -c syntax.conf check-config 2> syntax.err
is $? 78 "a syntax error exits 78"
grep -q 'syntax.conf:[0-9]*: syntax error' syntax.err
ok $? "and names the line"

"$MAILDESK" -c typo.conf list 2> list.err
is $? 78 "every command refuses a broken configuration"
done_testing
