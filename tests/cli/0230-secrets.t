#!/bin/sh
# An API key never reaches argv, the state file, stderr or the JSON output.
. "$(dirname "$0")/lib.sh"
fake_start
write_config
STATE=$XDG_DATA_HOME/llmr/state.db
KEY=$TEST_OPENAI_KEY

# The answer is held 3 s, so the process is surely alive when we look.
fake_script '{"family":"openai","delay_ms":3000}'
llmr-ask -m openai/gpt-4o-mini --no-stream "slow question" >slow.out 2>slow.err &
pid=$!
sleep 0.3
cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
like "$cmdline" 'llmr-ask' "read the running process's command line"
unlike "$cmdline" "$KEY" "the key is not in /proc/PID/cmdline"
wait $pid
is "$(cat slow.out)" "Hello!" "the slow request was answered"
is "$(fake_last .key_sha256)" "$(sha12 "$KEY")" "the key was sent to the provider"
is "$(fake_last .auth_header)" authorization "... in the Authorization header"

# A 401 whose message echoes the key, as OpenAI's does.
fake_script "{\"family\":\"openai\",\"status\":401,\"body\":{\"error\":{\"message\":\"Incorrect API key provided: $KEY. You can find your API key at https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}}"
run llmr-ask -m openai/gpt-4o-mini --json -v "x"
is "$status" 77 "401: exit 77"
like "$err" 'Incorrect API key provided' "the provider's message is shown"
unlike "$err" "$KEY" "... without the key"
unlike "$out" "$KEY" "the JSON output does not hold the key"

n=$(cat "$STATE"* | grep -c -a -- "$KEY")
is "$n" 0 "no trace of the key in the state file or its WAL"
unlike "$(cat slow.err)" "$KEY" "nothing of the key on stderr"
is "$(stat -c %a "$STATE")" 600 "state file mode 0600"

# A key file must be private.
printf '%s\n' "$KEY" >key.txt
chmod 644 key.txt
sed -i "s|api_key_env: TEST_OPENAI_KEY|api_key_file: $TEST_DIR/key.txt|" "$LLMR_CONFIG"
run llmr-ask -m openai/gpt-4o-mini "x"
is "$status" 77 "a key file readable by others is refused"
like "$err" 'key.txt' "... naming the file"
chmod 600 key.txt
run llmr-ask -m openai/gpt-4o-mini --no-stream "x"
is "$status" 0 "a 0600 key file is used"
is "$(fake_last .key_sha256)" "$(sha12 "$KEY")" "... and its key (without the newline) was sent"
done_testing
