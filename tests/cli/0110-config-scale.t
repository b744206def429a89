#!/bin/sh
# 0110-config-scale.t - configs that are huge or hostile are checked in
# bounded time: 100,000 model keys (the duplicate check was quadratic and
# ran for minutes) and a 200 kB key (the did-you-mean edit distance took
# 16 s).
. "$(dirname "$0")/lib.sh"
[ -x "$LLMR_BUILD/bin/llmr-ask" ] || skip_all "no $LLMR_BUILD/bin/llmr-ask (build first)"
command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"

# 100,000 model keys, every second one a duplicate of an earlier one.
awk 'BEGIN {
	print "providers:\n  p:\n    protocol: openai\n    base_url: http://127.0.0.1:9\n    models:"
	for (i = 0; i < 100000; i++) printf "      m%d: {}\n", i % 50000
}' >dups.conf
run timeout 60 llmr-ask --config dups.conf --check-config
is "$status" 78 "100,000 keys, 50,000 duplicates: checked, not hung (exit 78)"
like "$err" "^llmr-ask: dups.conf:50006:7: duplicate model 'm0' \(first at 6:7\)$" "... the first duplicate named with both places"
is "$(grep -c duplicate "$ERR")" 50000 "... and every duplicate"

awk 'BEGIN {
	print "providers:\n  p:\n    protocol: openai\n    base_url: http://127.0.0.1:9\n    models:"
	for (i = 0; i < 100000; i++) printf "      m%d: {}\n", i
	print "routes:\n  r:\n    tiers:\n      simple: [p/m99999, p/m0]"
}' >many.conf
run timeout 60 llmr-ask --config many.conf --check-config
is "$status" 0 "100,000 distinct models load"
like "$out" "100001 models" "... all of them"

# 40,000 references to 40,000 models: each was a scan of every model.
awk 'BEGIN {
	print "providers:\n  p:\n    protocol: openai\n    base_url: http://127.0.0.1:9\n    models:"
	for (i = 0; i < 40000; i++) printf "      m%d: {}\n", i
	print "routes:\n  r:\n    tiers:\n      simple:"
	for (i = 0; i < 40000; i++) printf "        - p/m%d\n", i
}' >refs.conf
run timeout 20 llmr-ask --config refs.conf --check-config
is "$status" 0 "40,000 references to 40,000 models: resolved in bounded time"

# 3,000 unknown references near 3,000 models of 64 characters: each
# did-you-mean compared the word with every model (minutes in all).
awk 'BEGIN {
	print "providers:\n  p:\n    protocol: openai\n    base_url: http://127.0.0.1:9\n    models:"
	for (i = 0; i < 3000; i++) printf "      %064d: {}\n", i
	print "routes:\n  r:\n    tiers:\n      simple:"
	for (i = 0; i < 3000; i++) printf "        - p/%063dx\n", i
}' >near.conf
run timeout 10 llmr-ask --config near.conf --check-config
is "$status" 78 "3,000 unknown references: refused in bounded time"
is "$(grep -c "unknown model" "$ERR")" 3000 "... every one reported"
like "$err" "^llmr-ask: near.conf:3010:11: unknown model 'p/0{63}x' \(did you mean 'p/0{64}'\?\)$" \
	"... the first ones with a suggestion"

# A 200 kB key (explicit "? key" syntax: YAML caps plain keys at 1 kB) and
# a 100 kB model reference: no suggestion is sought for either.
awk 'BEGIN {
	s = "x"; while (length(s) < 200000) s = s s
	t = substr(s, 1, 100000)
	print "providers:\n  p:\n    protocol: openai\n    ? " s "\n    : 1\n    models:\n      m:"
	print "routes:\n  r:\n    tiers:\n      simple: [p/" t "]"
}' >long.conf
run timeout 10 llmr-ask --config long.conf --check-config
is "$status" 78 "a 200 kB key: refused in bounded time"
like "$err" "^llmr-ask: long.conf:4:7: unknown key 'xxxx" "... named where it stands"
like "$err" "^llmr-ask: long.conf:11:16: unknown model 'p/xxxx" "... and the long reference too"
done_testing
