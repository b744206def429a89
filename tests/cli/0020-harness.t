#!/bin/sh
# The CLI test harness itself: hermetic environment, TAP helpers, run,
# fake lifetime, write_config, the valgrind switch.
. "$(dirname "$0")/lib.sh"

# ---- environment --------------------------------------------------------
case $HOME in "$TEST_DIR"/*) pass "HOME is inside the test dir" ;; *) fail "HOME is inside the test dir" ;; esac
ok_cond "XDG_CONFIG_HOME exists under HOME" test -d "$XDG_CONFIG_HOME" -a "${XDG_CONFIG_HOME#"$HOME"/}" != "$XDG_CONFIG_HOME"
ok_cond "XDG_DATA_HOME exists under HOME" test -d "$XDG_DATA_HOME" -a "${XDG_DATA_HOME#"$HOME"/}" != "$XDG_DATA_HOME"
is "$LC_ALL/$TZ/$NO_COLOR" C/UTC/1 "LC_ALL, TZ, NO_COLOR"
is "$(pwd)" "$TEST_DIR" "tests run in the test dir"
is "${PATH%%:*}" "$LLMR_BUILD/bin" "the build's bin comes first in PATH"

# A nested test script, to see what sourcing lib.sh does to a dirty environment.
cat >nested.t <<'EOF'
. "$LLMR_SRC/tests/cli/lib.sh"
echo "dir=$TEST_DIR"
echo "keys=$(env | grep -c '_API_KEY=')"
echo "config=${LLMR_CONFIG:-unset} state=${LLMR_STATE:-unset} proxy=${https_proxy:-unset}"
is a a "equal strings pass"
is a b "different strings fail"
like "hello world" '^hel+o ' "like matches an ERE"
unlike "hello" 'z' "unlike"
ok_cond "ok_cond with a true command" true
not_ok "not_ok with a false command" false
run sh -c 'echo out; echo err >&2; exit 3'
echo "run=$status:$out:$err"
fake_start
echo "fake_pid=$FAKE_PID"
ok_cond "the fake answers" fake_reset
done_testing
EOF
OPENAI_API_KEY=sk-leak ANTHROPIC_API_KEY=x LLMR_CONFIG=/etc/passwd LLMR_STATE=/x \
	https_proxy=http://127.0.0.1:9 sh nested.t >nested.out 2>nested.err
nested_status=$?
nested=$(cat nested.out)
ndir=$(sed -n 's/^dir=//p' nested.out)
like "$nested" '^keys=0$' "every *_API_KEY is unset"
like "$nested" 'config=unset state=unset proxy=unset' "LLMR_CONFIG, LLMR_STATE and proxies unset"
like "$nested" 'ok 1 - equal strings pass' "is: a pass"
like "$nested" 'not ok 2 - different strings fail' "is: a failure"
like "$(cat nested.err)" "expected: 'b'" "is: a failure says what was expected"
like "$nested" 'ok 3 - like' "like"
like "$nested" 'ok 5 - ok_cond' "ok_cond"
like "$nested" 'ok 6 - not_ok' "not_ok"
like "$nested" 'run=3:out:err' "run captures status, stdout and stderr"
like "$nested" '1\.\.7' "done_testing prints the plan"
isnt "$nested_status" 0 "a script with a failed test exits non-zero"
ok_cond "its temp dir is removed at exit" test -n "$ndir" -a ! -e "$ndir"
npid=$(sed -n 's/^fake_pid=//p' nested.out)
ok_cond "its fake is stopped at exit" sh -c "test -n '$npid' && ! kill -0 '$npid' 2>/dev/null"

cat >keep.t <<'EOF'
. "$LLMR_SRC/tests/cli/lib.sh"
echo "dir=$TEST_DIR"
plan 1
pass "x"
EOF
LLMR_TEST_KEEP=1 sh keep.t >keep.out 2>&1
kdir=$(sed -n 's/^dir=//p' keep.out)
ok_cond "LLMR_TEST_KEEP=1 keeps the temp dir" test -n "$kdir" -a -d "$kdir"
like "$(cat keep.out)" '^1\.\.1' "plan prints the plan"
case $kdir in "${TMPDIR:-/tmp}"/llmr-keep.*) rm -rf "$kdir" ;; esac

printf '. "$LLMR_SRC/tests/cli/lib.sh"\nskip_all "no reason"\n' >skip.t
is "$(sh skip.t; echo "rc=$?")" "1..0 # SKIP no reason
rc=0" "skip_all"

# ---- fake + config ----------------------------------------------------------
fake_start
like "$FAKE_URL" '^http://127\.0\.0\.1:[0-9]+$' "fake_start exports FAKE_URL"
write_config
ok_cond "write_config exports LLMR_CONFIG" test -s "$LLMR_CONFIG"
for p in openai groq deepseek mistral openrouter anthropic gemini ollama ollamav1; do
	ok_cond "config: provider $p points at the fake" grep -q "^  $p:" "$LLMR_CONFIG"
done
is "$(grep -c "base_url: $FAKE_URL/" "$LLMR_CONFIG")" 9 "config: nine base_urls at the fake"
is "$(grep -c 'api_key_env: TEST_' "$LLMR_CONFIG")" 7 "config: seven key variables"
is "$TEST_ANTHROPIC_KEY" sk-ant-test-0006 "config: key variables exported"
write_config alt.conf '  r:
    tiers:
      simple: [openai/gpt-4o-mini]'
like "$(tail -n 4 alt.conf)" '^routes:' "write_config FILE ROUTES replaces the routes"
is "$LLMR_CONFIG" alt.conf "... and exports that file"

# Every model in the config that names a fixture gets it from the fake.
n=0 bad=
for m in $(sed -n 's/^      \([a-z][a-z0-9-]*\): {.*/\1/p' "$LLMR_CONFIG"); do
	for f in "$FIXTURES/$m.json" "$FIXTURES/$m.sse"; do
		[ -f "$f" ] && n=$((n + 1))
	done
done
ok_cond "config: some models are named after fixtures ($n)" test "$n" -ge 6

fake_script '{"status":503}'
curl -s -o /dev/null -X POST -d '{"model":"x"}' "$FAKE_URL/openai/v1/chat/completions"
is "$(fake_count '.status==503')" 1 "fake_count"
is "$(fake_last .model)" x "fake_last"
fake_clock 1000
is "$(fake_jq '.requests')" 1 "fake_clock / fake_jq"

# ---- valgrind switch ---------------------------------------------------------
if [ -n "$(ls "$LLMR_BUILD"/bin/llmr-* 2>/dev/null)" ] && command -v valgrind >/dev/null 2>&1; then
	printf '. "$LLMR_SRC/tests/cli/lib.sh"\ncommand -v llmr-ask llmr-route | head -n 1\ncat "$(command -v llmr-ask llmr-route | head -n 1)"\n' >vg.t
	vg=$(LLMR_VALGRIND=1 sh vg.t)
	like "$vg" '/vgbin/llmr-' "LLMR_VALGRIND=1 puts wrappers first in PATH"
	like "$vg" 'valgrind --error-exitcode=1 --leak-check=full -q' "... which run valgrind"
else
	skip "no llmr binary or no valgrind"
	skip "no llmr binary or no valgrind"
fi

done_testing
