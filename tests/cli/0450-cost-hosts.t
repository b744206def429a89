#!/bin/sh
# 0450-cost-hosts.t - llmr-cost over several hosts' state files: each host
# keeps its own request log (coordination shares only the live state), and
# a report over three files, given one by one or as a directory, is the
# sum of the three.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/0400-cost-fixture.sh"

# Three hosts: the fixture's log, and two copies of it (another host's
# requests have other ids).
mkdir hosts
cp "$LLMR_STATE" hosts/a.db
cp "$LLMR_STATE" hosts/b.db
cp "$LLMR_STATE" hosts/c.db
sqlite3 hosts/b.db "UPDATE requests SET request_id = 'b-' || request_id"
sqlite3 hosts/c.db "UPDATE requests SET request_id = 'c-' || request_id; DELETE FROM requests WHERE request_id = 'c-r5'"

run "$COST" $JAN --json --state hosts/a.db
one=$(jq_out .total.cost_usd)
run "$COST" $JAN --json --state hosts/a.db --state hosts/b.db --state hosts/c.db
is "$status" 0 "three --state: exits 0"
# 5 + 5 + 4 requests; 0.21395 * 3 - 0.105 (c's r5)
is "$(jq_out .total.requests)" 14 "requests: the sum of the three"
is "$(jq_out .total.attempts)" 17 "attempts: the sum of the three"
is "$(jq_out '.total.cost_usd * 100000 | round')" "$(echo "$one" | awk '{printf "%d", ($1 * 3 - 0.105) * 100000 + 0.5}')" "spend: the sum of the three"
cp "$OUT" files.json
run "$COST" $JAN --json --state hosts
is "$(jq_out .total.requests)" 14 "a directory: its *.db files"
is "$(jq -c .total "$OUT")" "$(jq -c .total files.json)" "a directory reports as its files do"
run "$COST" $JAN --json --state hosts/a.db --state hosts/none.db
is "$status" 74 "a missing file is an error"
like "$err" "^llmr-cost: state file 'hosts/none.db'" "naming it"
before=$(sqlite3 hosts/b.db 'SELECT COUNT(*), total(cost_usd) FROM requests')
run "$COST" budget total 10 --state hosts/a.db --state hosts/b.db
is "$status" 64 "a subcommand that writes takes one state file"
is "$(sqlite3 hosts/b.db 'SELECT COUNT(*), total(cost_usd) FROM requests')" "$before" "nothing written to the other files"
done_testing
