#!/bin/sh
# Coordination with a Redis that wants a password: from an environment
# variable or a 0600 file, never printed; a file others can read is refused.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/redis.sh"
fake_start
redis_start --requirepass s3cret-pw
write_config
base=$(cat "$LLMR_CONFIG")

printf '%s\ncoordination: %s\ncoordination_password_env: T_REDIS_PW\n' "$base" "$REDIS_URL" >"$LLMR_CONFIG"
T_REDIS_PW=s3cret-pw run llmr-quota --json
is "$status" 0 "llmr-quota runs"
is "$(jq_out .coordination.healthy)" true "the password from the environment is accepted"
is "$(jq_out .coordination.url)" "$REDIS_URL" "the URL shown"
T_REDIS_PW=wrong-pw run llmr-quota --json
is "$(jq_out .coordination.healthy)" false "a wrong password: Redis is not healthy"
like "$(jq_out .coordination.error)" "AUTH" "... and the error says AUTH"
unlike "$out$err" "wrong-pw" "the password is never printed"

printf 's3cret-pw\n' >pw
chmod 644 pw
printf '%s\ncoordination: %s\ncoordination_password_file: %s/pw\n' "$base" "$REDIS_URL" "$TEST_DIR" >"$LLMR_CONFIG"
run llmr-quota --json
is "$status" 77 "a password file others can read is refused (77)"
like "$err" "^llmr-quota: coordination_password_file '.*/pw': not a regular file of mode 0600" "saying why"
chmod 600 pw
run llmr-quota --json
is "$(jq_out .coordination.healthy)" true "the password from a 0600 file is accepted"
unlike "$out$err" "s3cret" "the password is never printed"

printf '%s\ncoordination: redis://:s3cret-pw@127.0.0.1:%s/0\n' "$base" "$REDIS_PORT" >"$LLMR_CONFIG"
run llmr-quota --json
is "$(jq_out .coordination.healthy)" true "the password in the URL is accepted"
unlike "$out$err" "s3cret" "... and not shown with the URL"
run llmr-quota
like "$out" "^coordination: redis redis://127.0.0.1:$REDIS_PORT/0: healthy" "the table says Redis is in force"

printf '%s\ncoordination: http://x\n' "$base" >"$LLMR_CONFIG"
run llmr-quota
is "$status" 78 "a URL that is not redis:// is a config error"
like "$err" "'coordination' must be a redis://host:port/db URL" "saying so"
done_testing
