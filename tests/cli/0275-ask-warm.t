#!/bin/sh
# llmr-ask --warm FILE: the caches are filled ahead of demand, at P3, so
# that budgets and degraded mode drop warming before anything else.
. "$(dirname "$0")/lib.sh"
fake_start
CACHE_TTL=1h SEMANTIC_TTL=1h write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini]'
STATE=$XDG_DATA_HOME/llmr/state.db
cat >questions.txt <<'Q'
What is a ressourcerie?
How long does shipping take?

{"prompt":"Where can I donate old furniture?","namespace":"faq","priority":"P0"}
Q
run llmr-ask --warm questions.txt
is "$status" 0 "--warm: exit 0"
is "$(printf '%s\n' "$out" | jq -r '"\(.line) \(.cache)"' | tr '\n' ',')" \
	"1 miss,2 miss,4 miss," "one line per question (blank lines skipped), each asked"
is "$(fake_count)" 3 "... three calls"
is "$(sqlite3 "$STATE" "SELECT group_concat(DISTINCT priority) FROM requests")" P3 \
	"every question at P3, whatever the line says"
run llmr-ask --json --no-stream "How long does shipping take?"
is "$(jq_out .cache)" exact "a warmed question is a hit"
run llmr-ask --json --no-stream --namespace faq "where can I donate old furniture?"
is "$(jq_out .cache)" semantic "... and its paraphrases too, in the line's namespace"
run llmr-ask --warm questions.txt
is "$(printf '%s\n' "$out" | jq -r .cache | sort -u)" exact "warming again: all cached, nothing bought"
is "$(fake_count)" 3 "... no call"

# Warming is the first work dropped: a spent request budget skips P3.
id=$(llmr-quota budget open --calls 1)
printf 'A new question to warm\nAnother one\n' >more.txt
run llmr-ask --warm more.txt --budget "$id"
is "$(printf '%s\n' "$out" | jq -r '.cache // .skipped' | tr '\n' ' ')" "miss budget " \
	"within a request budget: the call it allows, then skipped"
is "$status" 75 "... exit 75"
is "$(fake_count)" 4 "... one call"

printf '{"prompt": 1}\n' >bad.txt
run llmr-ask --warm bad.txt
is "$status" 65 "a bad JSON line: exit 65"
like "$err" '^llmr-ask: bad.txt:1: ' "... named by file and line"
run llmr-ask --warm nowhere.txt
is "$status" 66 "a missing file: exit 66"
run llmr-ask --warm questions.txt "an operand"
is "$status" 64 "--warm takes no operand"
done_testing
