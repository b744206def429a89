# tests/cli/bench.sh - sourced after lib.sh by the llmr-bench tests: the
# fake started, the test config written, the state in $DB, and
#
#   q SQL                          run SQL on the state
#   say MODEL TEXT [TIMES [DELAY]] the fake streams TEXT as MODEL's next
#                                  answer (4 tokens), TIMES times (default
#                                  1), DELAY ms before it (default 0)
command -v jq >/dev/null || skip_all "jq is not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"
fake_start
write_config
DB=$TEST_DIR/state.db
export LLMR_STATE=$DB
q() { sqlite3 "$DB" "$1"; }

say() {
	fake_script "$(jq -cn --arg m "$1" --arg t "$2" --argjson n "${3:-1}" --argjson d "${4:-0}" \
		'{model: $m, times: $n, delay_ms: $d, body: (
		"data: " + ({choices: [{index: 0, delta: {content: $t}, finish_reason: null}]} | tojson) +
		"\n\ndata: " + ({choices: [{index: 0, delta: {}, finish_reason: "stop"}],
			usage: {prompt_tokens: 10, completion_tokens: 4, total_tokens: 14}} | tojson) +
		"\n\ndata: [DONE]\n\n")}')" || bail_out "cannot script the fake"
}
