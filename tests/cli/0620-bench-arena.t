#!/bin/sh
# llmr-bench arena on a pseudo-terminal (two anonymous answers, a vote,
# stored as a human pairwise result that the ratings count) and
# llmr-bench export (results and votes as JSON lines or CSV).
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"
fake_start
write_config
DB=$TEST_DIR/state.db
export LLMR_STATE=$DB
q() { sqlite3 "$DB" "$1"; }
say() {
	fake_script "$(jq -cn --arg m "$1" --arg t "$2" '{model: $m, body: (
		"data: " + ({choices: [{index: 0, delta: {content: $t}, finish_reason: null}]} | tojson) +
		"\n\ndata: " + ({choices: [{index: 0, delta: {}, finish_reason: "stop"}],
			usage: {prompt_tokens: 10, completion_tokens: 4, total_tokens: 14}} | tojson) +
		"\n\ndata: [DONE]\n\n")}')" || bail_out "cannot script the fake"
}

run llmr-bench arena --models openai/gpt-4o-mini,deepseek/deepseek-chat "Hi"
is "$status" 64 "arena without a terminal: exit 64"
like "$err" "standard input is not one" "... says why"

# The arena on a pseudo-terminal: vote for the answer that says "ALPHA",
# wherever it was shown.
# A bare chroot has no /dev/pts: then the arena cannot be driven.
if python3 -c 'import pty; pty.openpty()' 2>/dev/null; then
	cat >arena.py <<'EOF2'
import os, pty, re, sys, time
want = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execvp("llmr-bench", ["llmr-bench", "arena", "--models",
              "openai/gpt-4o-mini,deepseek/deepseek-chat", "Say a word."])
out = b""
def read_until(tok, limit=15.0):
    global out
    end = time.time() + limit
    while tok not in out and time.time() < end:
        try:
            out += os.read(fd, 4096)
        except OSError:
            break
read_until(b"[s] skip: ")
text = out.decode("utf-8", "replace")
if want in ("t", "s", "x"):
    vote = want
else:
    m = re.search(r"=== Answer (A|B) ===\r?\n" + want, text)
    vote = m.group(1).lower() if m else "?"
if vote == "x":
    os.write(fd, b"maybe\n")
    read_until(b"[s] skip: ", 5)
    vote = "b"
os.write(fd, vote.encode() + b"\n")
read_until(b"\x00", 5)
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(st))
EOF2
	say gpt-4o-mini "ALPHA"
	say deepseek-chat "BETA"
	run python3 arena.py ALPHA
	is "$status" 0 "arena: exit 0"
	like "$out" "=== Answer A ===" "two answers are shown, A"
	like "$out" "=== Answer B ===" "... and B"
	unlike "$(printf '%s\n' "$out" | sed '/Which is better/q')" "gpt-4o-mini|deepseek" \
		"the models are not named before the vote"
	like "$out" "recorded openai/gpt-4o-mini wins" "the vote for ALPHA goes to the model that wrote it"
	is "$(q "SELECT source, model_a, model_b, winner FROM bench_pairs")" \
		"human|openai/gpt-4o-mini|deepseek/deepseek-chat|a" "stored as a human pairwise result"

	say gpt-4o-mini "ALPHA"
	say deepseek-chat "BETA"
	run python3 arena.py BETA
	is "$(q "SELECT winner FROM bench_pairs ORDER BY id DESC LIMIT 1")" b "a vote for BETA: b"
	run python3 arena.py t
	is "$(q "SELECT winner FROM bench_pairs ORDER BY id DESC LIMIT 1")" tie "t: a tie"
	run python3 arena.py s
	like "$out" "skipped: nothing recorded" "s: skipped"
	is "$(q "SELECT count(*) FROM bench_pairs")" 3 "... nothing stored"
	run python3 arena.py x
	is "$(printf '%s\n' "$out" | grep -c 'Which is better')" 2 "an answer that is not a vote is asked again"
	is "$(q "SELECT count(*) FROM bench_pairs")" 4 "... then the vote is taken"

	run llmr-bench ratings --json
	is "$(jq_out '.games')" 4 "the ratings count the human votes"
else
	skip "no pseudo-terminal for the arena test"
fi

# export
cat >s.yaml <<'EOF'
name: s
models: [openai/gpt-4o-mini]
cases:
  - prompt: "Say \"hi\", then a comma"
    assert: [{type: contains, value: hi}]
EOF
say gpt-4o-mini 'hi, there'
run llmr-bench run s.yaml
run llmr-bench export
is "$status" 0 "export: exit 0"
is "$(printf '%s\n' "$out" | jq -r 'select(.kind == "result") | [.suite, .model, .case, .output, .pass] | join("|")')" \
	"s|openai/gpt-4o-mini|1|hi, there|true" "JSON lines: the result"
n=$(q "SELECT count(*) FROM bench_pairs")
is "$(printf '%s\n' "$out" | jq -s 'map(select(.kind == "pair")) | length')" "$n" "... and every pairwise result"
run llmr-bench export --format csv
is "$(printf '%s\n' "$out" | head -1 | cut -d, -f1-6)" "kind,run,suite,source,ts_ms,model" "CSV: a header"
like "$out" '^result,[0-9]+,s,,,openai/gpt-4o-mini,1,,,"Say ""hi"", then a comma","hi, there",' \
	"CSV: quotes doubled, fields with commas quoted"
is "$(printf '%s\n' "$out" | python3 -c 'import csv,sys; r=list(csv.reader(sys.stdin)); print(len(set(map(len,r))))')" 1 \
	"CSV: every row has the header's columns (Python's csv reads it)"
run llmr-bench export --format xml
is "$status" 64 "--format xml: exit 64"
done_testing
