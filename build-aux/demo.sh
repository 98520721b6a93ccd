#!/bin/sh
# demo.sh SRCDIR BUILDDIR: the daemon once over a copy of maildir-fixtures,
# with the configuration built into the binary (state in ./demo/var), then
# the tickets it made and the answers it wrote.
set -eu
src=$1 build=$2
rm -rf demo
mkdir -p demo/var/inbox
cp -R "$src/maildir-fixtures/." demo/var/inbox/
mkdir -p demo/var/inbox/tmp demo/var/inbox/cur
cd demo
echo "== maildeskd --once over $(ls var/inbox/new | wc -l) messages in demo/var/inbox/new"
"$build/src/maildeskd" --once
echo
echo "== maildesk list"
"$build/src/maildesk" list
echo
echo "== answers written to demo/var/outbox/new (To, Subject)"
for f in var/outbox/new/*; do
	to=$(grep -m1 '^To:' "$f" | cut -c5-)
	subject=$(grep -m1 '^Subject:' "$f" | cut -c10-)
	printf '%-40s %s\n' "$to" "$subject"
done | head -40
echo "($(ls var/outbox/new | wc -l) mails in demo/var/outbox/new)"
echo
first=$(ls var/outbox/new | head -1)
echo "== the first of them, demo/var/outbox/new/$first"
cat "var/outbox/new/$first"
echo
echo "== more: cd demo && ../src/maildesk show 3"
