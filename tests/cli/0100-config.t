#!/bin/sh
# 0100-config.t - llmr-ask --check-config: every malformed config under
# configs/bad is refused with exit 78 and the message listed for it in
# configs/bad/EXPECT (FILE:LINE:COL exact); the good ones and
# llmr.conf.example load; the search order --config, $LLMR_CONFIG, XDG,
# built-in.
. "$(dirname "$0")/lib.sh"

CONFIGS=$LLMR_SRC/tests/cli/configs
[ -x "$LLMR_BUILD/bin/llmr-ask" ] || skip_all "no $LLMR_BUILD/bin/llmr-ask (build first)"
# Through PATH, so that LLMR_VALGRIND=1 wraps it.
ASK=llmr-ask
# The example must load with no key in the environment at all.
unset GITHUB_TOKEN HF_TOKEN LLMR_TEST_NO_SUCH_HOST

# Relative names, so the expected messages do not depend on where the
# tree is: diagnostics name the file as the user gave it.
cp "$CONFIGS"/bad/*.conf "$CONFIGS"/good/*.conf .

# ---- every bad config: exit 78, nothing on stdout, each expected line ----
for f in "$CONFIGS"/bad/*.conf; do
	f=${f##*/}
	run "$ASK" --config "$f" --check-config
	is "$status" 78 "$f: exit 78"
	is "$out" "" "$f: nothing on stdout"
	n=0
	while IFS='	' read -r file want; do
		case $file in "$f") ;; *) continue ;; esac
		n=$((n + 1))
		if grep -Fxq -- "llmr-ask: $want" "$ERR"; then
			pass "$f: $want"
		else
			fail "$f: $want"
			diag "stderr was:" "$err"
		fi
	done <"$CONFIGS/bad/EXPECT"
	[ "$n" -gt 0 ] || fail "$f: has no line in EXPECT"
done

# Every entry of EXPECT names a file that exists (no stale expectations).
missing=$(cut -f1 "$CONFIGS/bad/EXPECT" | grep -v '^#' | sort -u | while read -r f; do
	[ -e "$CONFIGS/bad/$f" ] || echo "$f"
done)
is "$missing" "" "EXPECT names only existing files"
count=$(ls "$CONFIGS"/bad/*.conf | wc -l)
ok_cond "at least 22 malformed configs ($count)" test "$count" -ge 22

# ---- one file, many errors: all reported, in file order, nothing else ----
run "$ASK" --config many.conf --check-config
is "$(printf '%s\n' "$err" | wc -l | tr -d ' ')" "$(grep -c '^many\.conf	' "$CONFIGS/bad/EXPECT")" \
	"many.conf: every error reported, one line each"
is "$(printf '%s\n' "$err" | sed 's/^llmr-ask: //')" "$(grep '^many\.conf	' "$CONFIGS/bad/EXPECT" | cut -f2)" \
	"many.conf: in file order"

# ---- secrets pasted into the config are never echoed ----
for f in api-key-inline.conf api-key-in-env-field.conf; do
	run "$ASK" --config "$f" --check-config
	unlike "$err" "DO-NOT-ECHO" "$f: the key is not echoed"
done

# ---- a missing file: exit 66 ----
run "$ASK" --config nope.conf --check-config
is "$status" 66 "missing file: exit 66"
is "$err" "llmr-ask: cannot open 'nope.conf': No such file or directory" "missing file: message"

# ---- good configs ----
run "$ASK" --config flow.conf --check-config
is "$status" 0 "flow style and anchors: exit 0"
is "$out" "flow.conf: ok (3 providers, 3 models, 1 routes)" "flow style: counts"
run "$ASK" --config slashes.conf --check-config
is "$out" "slashes.conf: ok (2 providers, 3 models, 1 routes)" "model names with '/'"
run env LLMR_TEST_GATEWAY=127.0.0.1:9 "$ASK" --config env-url.conf --check-config
is "$status" 0 "\${VAR} set: exit 0"
is "$out" "env-url.conf: ok (2 providers, 2 models, 1 routes)" "no routes: default synthesised"
run "$ASK" --config env-url.conf --check-config
is "$status" 78 "\${VAR} unset: exit 78"
is "$err" "llmr-ask: env-url.conf:5:15: 'base_url': environment variable 'LLMR_TEST_GATEWAY' is not set" \
	"\${VAR} unset: names the variable"

cp "$LLMR_SRC/llmr.conf.example" llmr.conf.example
run "$ASK" --config llmr.conf.example --check-config
is "$status" 0 "llmr.conf.example: exit 0 with no keys set"
like "$out" '^llmr\.conf\.example: ok \([0-9]+ providers, [0-9]+ models, 4 routes\)$' "llmr.conf.example: summary"
# With no key set, each model is a warning about its key, nothing else.
is "$(grep -v ': warning: .* is not set$' "$ERR")" "" "llmr.conf.example: no diagnostics"
like "$err" "warning: openai/gpt-4o-mini: OPENAI_API_KEY is not set" "... but the missing keys"

# ---- where the config comes from ----
if [ -e /etc/llmr.conf ]; then
	skip "built-in default (this machine has /etc/llmr.conf)"
else
	run "$ASK" --check-config
	is "$out" "<built-in>: ok (1 providers, 1 models, 1 routes)" "no config anywhere: the built-in default"
fi
mkdir -p "$XDG_CONFIG_HOME/llmr"
cp flow.conf "$XDG_CONFIG_HOME/llmr/llmr.conf"
run "$ASK" --check-config
is "$out" "$XDG_CONFIG_HOME/llmr/llmr.conf: ok (3 providers, 3 models, 1 routes)" "\$XDG_CONFIG_HOME/llmr/llmr.conf"
run env LLMR_CONFIG=slashes.conf "$ASK" --check-config
is "$out" "slashes.conf: ok (2 providers, 3 models, 1 routes)" "\$LLMR_CONFIG before XDG"
run env LLMR_CONFIG=slashes.conf "$ASK" --config flow.conf --check-config
is "$out" "flow.conf: ok (3 providers, 3 models, 1 routes)" "--config before \$LLMR_CONFIG"
run env LLMR_CONFIG=gone.conf "$ASK" --check-config
is "$status" 66 "a missing \$LLMR_CONFIG is an error, not a fallback"

done_testing
