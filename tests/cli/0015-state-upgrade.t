#!/bin/sh
# A state file written by an earlier release opens with this one: the
# migrations it has are not run again and the later ones follow. The
# fixture is the state an llmr-ask of commit a4f1cf4 left (schema version
# 7, one request logged); a migration step moved in the list, or one of
# its SQL changed, breaks it.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"
cp "$LLMR_SRC/tests/fixtures/state/v7-a4f1cf4.db" old.db
chmod 600 old.db
is "$(sqlite3 old.db 'PRAGMA user_version')" 7 "the fixture is at version 7"
run llmr-quota --state old.db --json
is "$status" 0 "llmr-quota opens it"
is "$err" "" "... without a word on stderr"
last=$(sqlite3 old.db 'PRAGMA user_version')
ok_cond "... and migrates it past 7 (now $last)" test "$last" -gt 7
run llmr-cost --state old.db --json
is "$status" 0 "llmr-cost reads it"
is "$(jq_out .total.requests)" 1 "the request logged before the upgrade is still counted"
is "$(sqlite3 old.db "SELECT count(*) FROM sqlite_master WHERE name IN ('spend_holds', 'requests_provider', 'semantic_obs')")" 3 \
	"tables and indexes of steps before and after 7 are all there"
is "$(sqlite3 old.db "SELECT count(*) FROM sqlite_master WHERE name = 'requests_provider_spend'")" 0 \
	"the index the covering one replaces is dropped"
done_testing
