#!/bin/sh
# Every JSON output parsed by a strict parser: no duplicate key (issue 8
# item 3: show had "messages" twice), valid UTF-8, one document.  And what
# show tells of a ticket: both times of each message, labelled, the
# delivery status of each outgoing mail, the history of its states.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 13
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
NOW=--now=2026-11-23T10:00:00+01:00
md() { "$MAILDESK" -c maildesk.conf $NOW "$@"; }
fixtures in
for f in in/new/*; do md deliver < "$f" > /dev/null 2>&1; done
printf '#resolve\nC est reparti.\n' | md reply 1 > /dev/null || exit 1
md escalate 2 --note "voir le journal" > /dev/null || exit 1
md send > /dev/null || exit 1

strict() { # strict FILE: parses FILE, no duplicate keys; prints nothing
	/usr/bin/python3 -c 'import json, sys
def pairs(kv):
    keys = [k for k, _ in kv]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise SystemExit("duplicate key(s): %s" % ", ".join(sorted(dup)))
    return dict(kv)
json.loads(open(sys.argv[1], "rb").read().decode("utf-8"), object_pairs_hook=pairs)' "$1"
}
n=0
for args in "list --json" "list --all --json" "list --quarantine --json" \
	    "stats --json" "outbox --json" "show 1 --json" "show 2 --json"; do
	n=$((n + 1))
	md $args > out$n.json
	ok $? "$args exits 0"
done
fails=
n=0
for args in "list --json" "list --all --json" "list --quarantine --json" \
	    "stats --json" "outbox --json" "show 1 --json" "show 2 --json"; do
	n=$((n + 1))
	strict out$n.json 2> strict$n.err || fails="$fails [$args: $(cat strict$n.err)]"
done
is "$fails" "" "every JSON output parses strictly (no duplicate key)"

/usr/bin/python3 -c 'import json, sys
t = json.load(open("out6.json"))
ok = isinstance(t["message_count"], int) and isinstance(t["messages"], list)
ok = ok and t["message_count"] == len(t["messages"])
sys.exit(0 if ok else 1)'
ok $? "show: message_count the count, messages the array"
/usr/bin/python3 -c 'import json, sys
t = json.load(open("out6.json"))
m = t["messages"]
ok = all("date" in x and "received" in x for x in m)
ok = ok and all(x["delivery"] == "sent" for x in m if x["direction"] == "out")
ok = ok and any("-> resolved" in h["what"] for h in t["history"])
sys.exit(0 if ok else 1)'
ok $? "show --json: date and received, delivery of outgoing mail, history"

md show 1 > show1.txt
grep -q '^Received: 2026-11-23T10:00:00+01:00$' show1.txt &&
	grep -q '^Date: ' show1.txt
ok $? "show: the time the desk took a mail and its Date header, labelled"
grep -q '^Delivery: sent 2026-11-23T10:00:00+01:00$' show1.txt
ok $? "show: the delivery status of the desk's mails"
sed -n '/^History:/,$p' show1.txt | grep -q 'open -> resolved (command line)'
ok $? "show: the history of states, with who and when"
done_testing
