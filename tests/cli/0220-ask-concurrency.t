#!/bin/sh
# 16 llmr-ask processes at once on a fresh state file: every request is
# logged exactly once, and no SQLite error reaches the user.
. "$(dirname "$0")/lib.sh"
fake_start
write_config
STATE=$TEST_DIR/concurrent.db

pids=
i=0
while [ $i -lt 16 ]; do
	llmr-ask --state "$STATE" -m openai/gpt-4o-mini --no-stream --id "c$i" "question $i" \
		>"out.$i" 2>"err.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
# Not a bare "wait": the fake provider is a background job too.
for p in $pids; do wait "$p"; done

fails=0 errs=0
i=0
while [ $i -lt 16 ]; do
	[ "$(cat "out.$i")" = "Hello!" ] || fails=$((fails + 1))
	[ -s "err.$i" ] && errs=$((errs + 1)) && diag "c$i: $(cat "err.$i")"
	i=$((i + 1))
done
is "$fails" 0 "all 16 answered"
is "$errs" 0 "nothing on any stderr (no 'database is locked')"
is "$(sqlite3 "$STATE" 'SELECT count(*), count(DISTINCT request_id) FROM requests')" "16|16" "16 rows, one per request"
is "$(sqlite3 "$STATE" "SELECT count(*) FROM requests WHERE request_id GLOB 'c[0-9]*' AND status = 'ok'")" 16 "each logged as ok under its own id"
is "$(sqlite3 "$STATE" 'PRAGMA integrity_check')" ok "integrity_check passes"
is "$(sqlite3 "$STATE" 'PRAGMA journal_mode')" wal "the state file is in WAL mode"
is "$(stat -c %a "$STATE")" 600 "the state file is mode 0600"

# Batch workers share the file the same way.
i=0
: >reqs
while [ $i -lt 40 ]; do
	printf '{"id":"b%d","prompt":"q %d","model":"openai/gpt-4o-mini"}\n' $i $i >>reqs
	i=$((i + 1))
done
run llmr-ask --state "$STATE" --jsonl -P 8 <reqs
is "$status" 0 "40 requests over 8 workers: exit 0"
is "$(printf '%s\n' "$out" | jq -r .id | tr '\n' ' ')" "$(jq -r .id reqs | tr '\n' ' ')" "responses come out in input order"
is "$(sqlite3 "$STATE" "SELECT count(DISTINCT request_id) FROM requests WHERE request_id GLOB 'b*'")" 40 "40 logged"
is "$err" "" "no error from the workers"
done_testing
