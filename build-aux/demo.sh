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
/usr/bin/python3 - var/outbox/new/* <<'PY'
import email, email.policy, sys
for name in sorted(sys.argv[1:])[:40]:
    with open(name, "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    print("%-40s %s" % (m["To"], m["Subject"]))
PY
echo "($(ls var/outbox/new | wc -l) mails in demo/var/outbox/new)"
echo
first=$(ls -tr var/outbox/new | head -1)
echo "== the first of them, demo/var/outbox/new/$first (decoded)"
/usr/bin/python3 - "var/outbox/new/$first" <<'PY'
import email, email.policy, sys
with open(sys.argv[1], "rb") as f:
    m = email.message_from_binary_file(f, policy=email.policy.default)
for h in ("From", "To", "Subject", "Date", "Message-ID", "In-Reply-To",
          "Auto-Submitted", "X-Loop"):
    if m[h] is not None:
        print("%s: %s" % (h, m[h]))
print()
body = m.get_body(preferencelist=("plain",))
print(body.get_content() if body is not None else "(no text part)")
for part in m.iter_attachments():
    print("[attached: %s, %s]" % (part.get_filename() or "(no name)",
                                  part.get_content_type()))
PY
echo "== more: cd demo && ../src/maildesk show 3"
