#!/bin/sh
# Interrupts: SIGINT or SIGTERM stops the call in flight, which is logged
# "cancelled" with the usage known so far, and its quota lease and money
# hold are given back at once; a second signal exits. In the REPL, Ctrl-C
# clears the line at the prompt and stops an answer, keeping the session.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192]
  hedged:
    hedge_after: 200ms
    tiers:
      simple: [openai/gpt-4o-mini, anthropic/claude-haiku-4-5]'
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    limits: {concurrent: 1}\n    budget: {usd_per_month: 100}' "$LLMR_CONFIG"
STATE=$XDG_DATA_HOME/llmr/state.db
held() { sqlite3 "$STATE" "SELECT COUNT(*) FROM quota_log WHERE held = 1" 2>/dev/null || echo 0; }
wait_for() { # wait_for CMD...: until CMD succeeds, at most 10 s
	_n=0
	while ! "$@" && [ $_n -lt 100 ]; do sleep 0.1; _n=$((_n + 1)); done
}
one_held() { [ "$(held)" = 1 ]; }
concurrent() { llmr-quota --json | jq -r '.providers[] | select(.name == "openai") | .used.concurrent'; }

# A stream that takes a second per piece: interrupted in the middle.
llmr-ask --no-stream "warm up" >/dev/null
fake_script '{"family":"openai","stall_ms":1000}'
llmr-ask --stream --json "slow" >int.out 2>int.err &
pid=$!
wait_for one_held
sleep 2.5
is "$(concurrent)" 1 "the streamed call holds the concurrent slot"
kill -INT "$pid"
wait "$pid"
is "$?" 130 "SIGINT: exit 130"
is "$(jq -r .error.class int.out)" cancelled "the response says cancelled"
is "$(cat int.err)" "llmr-ask: interrupted" "one line on stderr"
is "$(concurrent)" 0 "the concurrent slot is free at once"
is "$(held)" 0 "no quota lease left held"
is "$(sqlite3 "$STATE" "SELECT COUNT(*) FROM spend_holds")" 0 "no money left held"
is "$(sqlite3 "$STATE" "SELECT status FROM requests ORDER BY id DESC LIMIT 1")" cancelled "the call is in the log, cancelled"
is "$(sqlite3 "$STATE" "SELECT output_tokens > 0 AND cost_usd > 0 FROM requests ORDER BY id DESC LIMIT 1")" 1 \
	"... with the usage known so far, and its cost"
is "$(fake_count '.family == "groq"')" 0 "no fallback after an interrupt"

# SIGTERM does the same, with the status a shell expects.
fake_reset
fake_script '{"family":"openai","delay_ms":5000}'
llmr-ask --no-stream "slow" >term.out 2>term.err &
pid=$!
wait_for one_held
kill -TERM "$pid"
wait "$pid"
is "$?" 143 "SIGTERM: exit 143"
is "$(held)" 0 "SIGTERM: the lease is given back"
is "$(sqlite3 "$STATE" "SELECT status FROM requests ORDER BY id DESC LIMIT 1")" cancelled "SIGTERM: logged cancelled"

# A hedge: both legs in flight are stopped and logged cancelled.
fake_reset
fake_script '[{"family":"openai","hang":true},{"family":"anthropic","hang":true}]'
llmr-ask -r hedged --no-stream --json "hedged" >hedge.out 2>hedge.err &
pid=$!
wait_for one_held
sleep 1
kill -INT "$pid"
wait "$pid"
is "$?" 130 "hedge: SIGINT exits 130"
is "$(jq -r '[.attempts[].status] | join(" ")' hedge.out)" "cancelled cancelled" "hedge: both legs cancelled"
is "$(held)" 0 "hedge: no lease left held"
is "$(sqlite3 "$STATE" "SELECT COUNT(*) FROM spend_holds")" 0 "hedge: no money left held"

# --jsonl: the line in flight is cancelled, the lines not yet started are
# answered "cancelled" without a call.
fake_reset
fake_script '{"family":"openai","delay_ms":5000}'
printf '{"id":"b%s","prompt":"q"}\n' 1 2 3 >three.jsonl
llmr-ask --jsonl <three.jsonl >batch.out 2>batch.err &
pid=$!
wait_for one_held
kill -INT "$pid"
wait "$pid"
is "$?" 130 "--jsonl: exit 130"
is "$(jq -r '.id + ":" + .error.class' batch.out | tr '\n' ' ')" "b1:cancelled b2:cancelled b3:cancelled " \
	"--jsonl: every line answered, cancelled"
is "$(sqlite3 "$STATE" "SELECT group_concat(request_id || ':' || status) FROM requests WHERE request_id LIKE 'b_'")" \
	"b1:cancelled" "--jsonl: no call after the interrupt"
is "$(held)" 0 "--jsonl: no lease left held"

# -P: a signal sent to the parent alone (as timeout(1) sends it) reaches
# the workers' calls too.
sed -i 's/limits: {concurrent: 1}/limits: {concurrent: 4}/' "$LLMR_CONFIG"
fake_reset
fake_script '{"family":"openai","delay_ms":5000,"times":-1}'
printf '{"id":"p%s","prompt":"q"}\n' 1 2 3 4 >four.jsonl
two_held() { [ "$(held)" = 2 ]; }
llmr-ask --jsonl -P 2 <four.jsonl >par.out 2>par.err &
pid=$!
wait_for two_held
kill -INT "$pid"
wait "$pid"
is "$?" 130 "-P 2: exit 130"
is "$(jq -r '.id + ":" + .error.class' par.out | tr '\n' ' ')" "p1:cancelled p2:cancelled p3:cancelled p4:cancelled " \
	"-P 2: every line answered, cancelled"
is "$(held)" 0 "-P 2: the workers' leases are given back"
is "$(sqlite3 "$STATE" "SELECT COUNT(*) FROM requests WHERE request_id LIKE 'p_' AND status = 'cancelled'")" 2 \
	"-P 2: the two calls in flight are logged cancelled, no other was made"
sed -i 's/limits: {concurrent: 4}/limits: {concurrent: 1}/' "$LLMR_CONFIG"

# A signal while the prompt is still being read from stdin ends the
# program as usual (nothing is in flight to stop).
# (A FIFO opened read-write: the read blocks, no EOF ever comes.)
mkfifo in.fifo
llmr-ask --no-stream <>in.fifo >/dev/null 2>&1 &
pid=$!
sleep 0.5
kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then
	fail "a signal while reading the prompt ends llmr-ask"
	kill -KILL "$pid"
else
	pass "a signal while reading the prompt ends llmr-ask"
fi
wait "$pid" 2>/dev/null

# A second signal exits at once (see the REPL case below for why SIGTERM).
fake_reset
fake_script '{"family":"openai","delay_ms":5000}'
llmr-ask --no-stream "slow" >two.out 2>two.err &
pid=$!
wait_for one_held
kill -STOP "$pid"; kill -INT "$pid"; kill -TERM "$pid"; kill -CONT "$pid"
wait "$pid"
is "$?" 143 "a second signal: killed by it, not the orderly exit 130"

# llmr-index: an embedding call stopped by SIGINT is logged and released
# the same way, and indexing stops. A fresh state: the process killed
# above left its lease to run out.
STATE=$TEST_DIR/index.db
LLMR_STATE=$STATE
export LLMR_STATE
fake_reset
fake_script '{"family":"openai","path":"embeddings","delay_ms":5000,"times":-1}'
{ cat "$LLMR_CONFIG"; printf 'index: {embedder: openai/text-embedding-3-small}\n'; } >embed.conf
printf '{"id":"d%s","text":"Le tri du textile se fait avec des gants."}\n' 1 2 3 >docs.jsonl
llmr-index --config embed.conf -c emb <docs.jsonl >idx.out 2>idx.err &
pid=$!
wait_for one_held
kill -INT "$pid"
wait "$pid"
is "$?" 130 "llmr-index: SIGINT exits 130"
is "$(cat idx.err)" "llmr-index: embeddings from openai: interrupted" "llmr-index: one line says so"
is "$(held)" 0 "llmr-index: the quota lease is given back at once"
is "$(sqlite3 "$STATE" "SELECT route || ' ' || status FROM requests ORDER BY id DESC LIMIT 1")" "embeddings cancelled" \
	"llmr-index: the call is logged, cancelled"
is "$(sqlite3 "$STATE" "SELECT COUNT(*) FROM spend_holds")" 0 "llmr-index: no money left held"

# The REPL, on a pseudo-terminal, with a fresh state.
STATE=$TEST_DIR/repl.db
LLMR_STATE=$STATE
export LLMR_STATE
if have_pty; then
	fake_reset
	fake_script '[{"family":"openai","times":1},{"family":"openai","stall_ms":1000,"times":1}]'
	cat >repl.pty <<'EOF2'
expect llmr> 
# answered at once
send first question
expect llmr> 
# Ctrl-C clears this line
type typed but not sent
sleep 0.5
intr
expect llmr> 
# a slow stream, stopped
send second question
sleep 2.5
intr
expect llmr> 
send /quit
EOF2
	pty_run repl.pty llmr-ask -m openai/gpt-4o-mini --stream
	is "$status" 0 "REPL: Ctrl-C twice, at different times, and /quit exits 0"
	like "$out" '\[stopped\]' "REPL: Ctrl-C during an answer stops it"
	ok_cond "REPL: ... and the prompt comes back each time (4 waited for: $(printf '%s' "$out" | grep -o 'llmr> ' | wc -l) shown)" \
		sh -c "! grep -q 'never saw' \"\$1\" && [ \$(grep -o 'llmr> ' \"\$2\" | wc -l) -ge 4 ]" sh "$ERR" "$OUT"
	is "$(fake_count '.body.messages != null and ([.body.messages[].content] | any(test("typed")))')" 0 \
		"REPL: the cleared line was never sent"
	is "$(fake_jq '[.log[] | select(.body.messages[-1].content? == "second question") | .body.messages | length] | first')" 3 \
		"REPL: the conversation was kept for the next question"
	is "$(sqlite3 "$STATE" "SELECT status FROM requests ORDER BY id DESC LIMIT 1")" cancelled "REPL: the stopped answer is logged cancelled"
	is "$(held)" 0 "REPL: its lease is given back"
	hist=$XDG_STATE_HOME/llmr/history
	like "$(cat "$hist")" 'second question' "REPL: history saved"
	unlike "$(cat "$hist")" 'typed but not sent' "REPL: the cleared line is not in the history"

	# A second signal during an answer exits. Two Ctrl-C in a row could
	# merge into one pending SIGINT, so the test sends SIGINT and SIGTERM
	# to a stopped process: both are delivered, SIGINT first, on SIGCONT.
	fake_reset
	fake_script '{"family":"openai","stall_ms":1000,"times":-1}'
	cat >repl2.pty <<'EOF2'
expect llmr> 
send a question kept in history
sleep 1.5
signal STOP INT TERM CONT
EOF2
	pty_run repl2.pty llmr-ask -m openai/gpt-4o-mini --stream
	is "$status" 241 "REPL: a second signal during an answer exits at once (killed by it)"
	like "$(cat "$hist")" 'a question kept in history' "REPL: the question was saved before its turn"
else
	for i in 1 2 3 4 5 6 7 8 9 10 11; do skip "no pseudo-terminal for the REPL test"; done
fi
done_testing
