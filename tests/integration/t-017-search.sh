#!/bin/sh
# maildesk search: FTS5 over subject, addresses, text and attachment
# names of inbound mail, written with the message; diacritics folded,
# prefixes, phrases, status filter, JSON; a deleted message leaves the
# index with it, and so does a purged ticket's.
. "$MD_SRCDIR/tests/integration/lib.sh"
plan 19
cd "$WORK" || exit 1
write_conf maildesk.conf
DB=var/maildesk.db
NOW=--now=2026-11-23T10:00:00+01:00
md() { "$MAILDESK" -c maildesk.conf "$@"; }
py() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
tickets() { py 'print(" ".join(str(h["ticket"]) for h in d))'; }
mail() { # mail FROM SUBJECT BODY ID
	printf 'From: %s\nTo: support@desk.example\nSubject: %s\nMessage-ID: <%s@example.org>\nDate: Mon, 23 Nov 2026 09:00:00 +0100\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n%s\n' \
		"$1" "$2" "$4" "$3" | md $NOW deliver
}
F=$MD_SRCDIR/maildir-fixtures/new
md $NOW deliver < "$F/1764000003.M3P1.fixture" || exit 1
mail 'Zoé <zoe@example.org>' 'Déjà vu' 'Le problème est déjà signalé, voyez la file.' s1 || exit 1
mail 'Paul <paul@example.org>' 'Mot' 'Je passe le mot à la équipe, merci.' s2 || exit 1
mail 'Léa <lea@example.org>' 'Accès' 'Mon mot de passe ne marche plus.' s3 || exit 1
Z=$(sql $DB "select ticket from messages where message_id = 's1@example.org'")
P=$(sql $DB "select ticket from messages where message_id = 's2@example.org'")
L=$(sql $DB "select ticket from messages where message_id = 's3@example.org'")

is "$(md search --json deja | tickets)" "$Z" '"deja" finds "déjà" (remove_diacritics 2)'
is "$(md search --json DÉJÀ | tickets)" "$Z" "case and accents both fold"
is "$(md search --json '"mot de passe"' | tickets)" "$L" "a phrase matches its words in order only"
is "$(md search --json mot passe | tickets | tr ' ' '\n' | sort -n | tr '\n' ' ')" \
   "$(printf '%s\n' "$P" "$L" | sort -n | tr '\n' ' ')" "words match in any order"
is "$(md search --json 'probl*' | tickets)" "$Z" "a prefix query"
is "$(md search --json zoe@example.org | tickets)" "$Z" "an address as a search term"
is "$(md search --json Capture_erreur_portail | tickets)" 1 "an attachment's name"
is "$(md search --json Capture_erreur_portail | py 'print(d[0]["snippet"] is not None, sorted(d[0].keys()))')" \
   "True ['date', 'from', 'message', 'score', 'snippet', 'status', 'subject', 'ticket']" \
   "JSON hits: ticket, message, status, subject, from, date, snippet, score"
is "$(md search --json signalé | py 'print(d[0]["snippet"])')" \
   "Le problème est déjà [signalé], voyez la file." "a snippet marks the match"

# Found in the same second it was delivered: the index is written in the
# message's transaction.
mail 'Ana <ana@example.org>' 'Scanner' 'Le numériseur xyzzyplugh refuse tout.' s4 || exit 1
is "$(md $NOW search --json xyzzyplugh | py 'print(len(d))')" 1 "a message is found as soon as it is stored"
md search xyzzyplugh > text.out
grep -q '\[xyzzyplugh\]' text.out
ok $? "text output with the snippet"
md $NOW close "$Z" > /dev/null
is "$(md search --json --status open deja | py 'print(len(d))')" 0 "--status filters by the ticket's status"
is "$(md search --json --status closed,open deja | tickets)" "$Z" "--status S,S"
is "$(md search --json --limit 2 example | py 'print(len(d))')" 2 "--limit"
md search 'NOT' > /dev/null 2> bad.err
is $? 64 "a query FTS5 cannot parse is a usage error"
# A purge deletes messages: the index follows (BEFORE DELETE trigger).
sqlite3 -batch $DB "delete from messages where message_id = 's4@example.org'"
is "$(md search --json xyzzyplugh | py 'print(len(d))')" 0 "a deleted message is no longer found"
sqlite3 -batch $DB "insert into messages_fts (messages_fts) values ('integrity-check')"
ok $? "the index agrees with the messages (FTS5 integrity-check)"
# And so does the purge of a closed ticket (retention).
md $NOW send > /dev/null
md --now=2026-12-02T10:00:00+01:00 purge --closed-before 2026-12-01 > /dev/null
is "$(md search --json deja | py 'print(len(d))')" 0 "a purged ticket's mail is no longer found"
sqlite3 -batch $DB "insert into messages_fts (messages_fts) values ('integrity-check')"
ok $? "and the index still agrees with the messages"
done_testing
