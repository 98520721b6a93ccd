#!/bin/sh
# run.sh BUILDDIR SRCDIR SECONDS: runs each fuzz target for SECONDS on a
# corpus seeded from the fixtures; exits non-zero on a crash or leak.
set -eu
B=$1 S=$2 T=${3:-60}
W=$B/tests/fuzz/work
rm -rf "$W"; mkdir -p "$W/msg" "$W/authres"
cp "$S"/maildir-fixtures/new/* "$S"/tests/data/msg/*.eml "$W/msg/"
cp "$S"/tests/fuzz/authres/* "$W/authres/"
# Every Authentication-Results value of the fixtures, one per file.
i=0
for f in "$S"/maildir-fixtures/new/*; do
	v=$(awk 'BEGIN{IGNORECASE=1} /^$/ {exit} f && /^[ \t]/ {v = v $0; next}
		f {print v; f=0} tolower(substr($0,1,23)) == "authentication-results:" {f=1; v=substr($0,24)}
		END {if (f) print v}' "$f")
	[ -n "$v" ] || continue
	i=$((i + 1)); printf '%s' "$v" > "$W/authres/fixture-$i"
done
status=0
for t in msg authres; do
	echo "fuzz-$t: $T seconds"
	"$B/tests/fuzz/fuzz-$t" -max_total_time="$T" -max_len=262144 \
		-rss_limit_mb=2048 -print_final_stats=1 "$W/$t" \
		> "$W/$t.log" 2>&1 || { status=1; tail -n 60 "$W/$t.log"; }
	grep -E '^stat::(number_of_executed_units|new_units_added)' "$W/$t.log" || true
done
exit $status
