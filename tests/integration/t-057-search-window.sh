#!/bin/sh
# search on a word in more mail than it ranks (issue 9: a common word must
# not rank the whole history): only the 2,000 newest matches are ranked by
# bm25, the output says so (a last line; on stderr with --json, whose
# stdout stays one JSON array), older mail is still found by a narrower
# query, and a word in exactly 2,000 messages is ranked whole, silently.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 12
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
NOW=--now=2026-11-23T10:00:00+01:00
md() { "$MAILDESK" -c maildesk.conf "$@"; }
py() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
mids() { py 'print(" ".join(str(h["message"]) for h in d))'; }

# 2,010 requests, oldest first.  "commonword" is in every one, and most
# often in the oldest (bm25's best match of the whole desk); "edgeword" in
# the 2,000 newest; "oldword" in the oldest only.
mkdir -p in/new in/cur in/tmp
/usr/bin/python3 - <<'EOF' || exit 1
for k in range(1, 2011):
    if k == 1:
        body = "commonword " * 8 + "oldword"
    elif k == 2010:
        body = "commonword " * 4 + "edgeword newest"
    else:
        body = "commonword filler text number %d" % k
        if k > 10:
            body += " edgeword"
    with open("in/new/%010d.t057" % k, "w") as f:
        f.write("From: user%d@example.org\nTo: support@desk.example\n"
                "Subject: Request %d\nMessage-ID: <w%d@example.org>\n"
                "Date: Mon, 23 Nov 2026 09:00:00 +0100\n\n%s\n"
                % (k, k, k, body))
EOF
md $NOW ingest in > /dev/null || exit 1
is "$(sql $DB "select count(*) from messages where direction = 'in'")" 2010 "2,010 requests stored"
OLDEST=$(sql $DB "select id from messages where message_id = 'w1@example.org'")
NEWEST=$(sql $DB "select id from messages where message_id = 'w2010@example.org'")
W11=$(sql $DB "select id from messages where message_id = 'w11@example.org'")

md search --json --limit 3 commonword > common.json 2> common.err
ok $? "a word in 2,010 messages: exit 0"
is "$(mids < common.json | cut -d' ' -f1)" "$NEWEST" "the best of the newest matches comes first"
mids < common.json | tr ' ' '\n' | grep -qx "$OLDEST"
is $? 1 "the oldest match, best of all by bm25, is outside the ranked window"
is "$(py 'print(len(d))' < common.json)" 3 "--json stays one array of --limit hits"
grep -q 'ranked among the newest 2000 of more matches' common.err
ok $? "--json says on stderr that the ranking was bounded"
md search --limit 3 commonword > common.txt
is "$(tail -n 1 common.txt | cut -c1-46)" "(ranked among the newest 2000 of more matches:" \
   "text: the last line says the ranking was bounded"
is "$(md search --json oldword | mids)" "$OLDEST" "older mail is found by a narrower query"

# Exactly 2,000 matches: all ranked, nothing said.
md search --json --limit 0 edgeword > /dev/null 2> /dev/null
is $? 64 "--limit 0 is a usage error"
md search --json --limit 5000 edgeword > edge.json 2> edge.err
is "$(py 'print(len(d))' < edge.json)" 2000 "a word in exactly 2,000 messages: every match"
is "$(cat edge.err)" "" "ranked whole, nothing said"
mids < edge.json | tr ' ' '\n' | grep -qx "$W11"
ok $? "the oldest of the 2,000 is among them"
done_testing
