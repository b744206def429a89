#!/bin/sh
# 0915-serve-key-file.t - serve: keys: key_file: a client key read from a
# file of mode 0600 (only its SHA-256 kept). The key in the file opens the
# server, another gets 401; a file group or others can read, an empty one,
# or key_file beside sha256 are config errors (the server does not start);
# the key is never echoed in errors or the log.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/serve.sh"
command -v curl >/dev/null 2>&1 || skip_all "curl is needed"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini]'
cp "$LLMR_CONFIG" base.conf
KEY=sk-llmr-widget-from-file-9d41
(umask 077 && printf '%s\n' "$KEY" >widget.key)
cat >>"$LLMR_CONFIG" <<EOF
serve:
  keys:
    - {agent: widget, key_file: $TEST_DIR/widget.key, route: default}
EOF
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE
hello='"messages":[{"role":"user","content":"hello"}]'

run llmr-ask --check-config
is "$status" 0 "a key_file of mode 0600 is valid config"
serve_start || bail_out "llmr-ask --serve did not start: $(cat "$SERVE_LOG")"
api POST /v1/chat/completions -H "Authorization: Bearer $KEY" -d "{$hello}"
is "$code" 200 "the key in the file is accepted"
api POST /v1/chat/completions -H "Authorization: Bearer sk-llmr-other" -d "{$hello}"
is "$code" 401 "another key: 401"
api POST /v1/chat/completions -d "{$hello}"
is "$code" 401 "no key: 401"
serve_stop
unlike "$(cat "$SERVE_LOG")" "$KEY" "the key is not in the log"

chmod 640 widget.key
run llmr-ask --check-config
is "$status" 78 "a key file group can read: a config error"
like "$err" "widget.key' is accessible by group or others: chmod 600 it" "  saying what to do"
unlike "$err" "$KEY" "  without the key"
serve_start
isnt "$?" 0 "the server does not start on it"

: >empty.key && chmod 600 empty.key
cp base.conf both.conf
printf 'serve: {keys: [{agent: a, key_file: %s/empty.key}]}\n' "$TEST_DIR" >>both.conf
run llmr-ask --config both.conf --check-config
like "$err" "empty.key' is empty" "an empty key file is refused"
chmod 600 widget.key
cp base.conf both.conf
printf 'serve: {keys: [{agent: a, sha256: %s, key_file: %s/widget.key}]}\n' \
	"$(printf %s x | sha256sum | cut -c1-64)" "$TEST_DIR" >>both.conf
run llmr-ask --config both.conf --check-config
like "$err" "give 'sha256' or 'key_file', not both" "sha256 and key_file together are refused"
done_testing
