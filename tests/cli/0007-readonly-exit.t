#!/bin/sh
# Exit codes that say what happened: a misspelt collection is 66 with a
# suggestion, not "no match"; a blank query is 64. Commands that only
# report open the state read-only: they work on a file mode 0400 and
# create no state file.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
export LLMR_STATE=$TEST_DIR/ro/state.db

run llmr-search anything
is "$status" 66 "search before anything is indexed: exit 66"
like "$err" "^llmr-search: no collection 'default' \(llmr-index adds documents to one\)$" "... says how to make one"
ok_cond "... and creates no state file" test ! -e "$LLMR_STATE"
run llmr-cost report --json
is "$status" 0 "llmr-cost report with no state file: exit 0"
is "$(jq_out .total.requests)" 0 "... an empty report"
ok_cond "... and creates no state file" test ! -e "$LLMR_STATE"

mkdir docs
printf 'Les punaises de lit se traitent par le froid.\n' >docs/punaises.txt
llmr-index -q -c docs docs || bail_out "llmr-index failed"
run llmr-search punaises -c dcos
is "$status" 66 "a misspelt collection: exit 66"
like "$err" "^llmr-search: no collection 'dcos' \(did you mean 'docs'\?\)$" "... with a suggestion"
is "$out" "" "... and no hit"
run llmr-search punaises -c zzzzzzzzzz
like "$err" "no collection 'zzzzzzzzzz' \(llmr-index" "an unrelated name: no suggestion"
run llmr-search "   " -c docs
is "$status" 64 "a blank query: exit 64"
run llmr-search froid -c docs --json
is "$status" 0 "a known collection: exit 0"
is "$(jq_out .source)" "$(pwd -P)/docs/punaises.txt" "... and its hit"

# Read-only state: as the file's owner, mode 0400. Root may write anyway,
# so as root the commands run as nobody on a copy nobody owns.
chmod 0400 "$LLMR_STATE"
AS=
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
		chown -R nobody "$TEST_DIR/ro"
		chmod 0755 "$TEST_DIR" "$TEST_DIR/docs" 2>/dev/null
		AS="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
	else
		skip "root without setpriv: cannot test a read-only state" 10
		done_testing
		exit 0
	fi
fi
before=$(cksum <"$LLMR_STATE")
run $AS llmr-search froid -c docs --json
is "$status" 0 "llmr-search on a read-only state file: exit 0"
is "$(jq_out .source)" "$(pwd -P)/docs/punaises.txt" "... finds the hit"
run $AS llmr-search froid -c dcos
is "$status" 66 "... and a misspelt collection is still 66"
run $AS llmr-cost report --json
is "$status" 0 "llmr-cost report on a read-only state file: exit 0"
run $AS llmr-quota --json
is "$status" 0 "llmr-quota status on a read-only state file: exit 0"
like "$out" '"providers"' "... and its report"
run $AS llmr-quota --check
isnt "$status" 74 "llmr-quota --check on it: no I/O error"
run $AS llmr-cost budget total 5
isnt "$status" 0 "llmr-cost budget (a write) on it fails"
is "$(cksum <"$LLMR_STATE")" "$before" "the state file is unchanged"
done_testing
