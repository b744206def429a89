#!/bin/sh
# The inputs fuzzing found (tests/fuzz/regressions/NAME/) and the seed
# corpora (tests/fuzz/corpus/NAME/) replayed through each harness's entry
# point without libFuzzer. Under the sanitizer build of make check, a
# crash, leak or undefined behaviour fails the replay.
. "$(dirname "$0")/lib.sh"

for dir in "$LLMR_SRC"/tests/fuzz/regressions/* "$LLMR_SRC"/tests/fuzz/corpus/*; do
	[ -d "$dir" ] || continue
	name=${dir##*/}
	kind=${dir%/*}
	kind=${kind##*/}
	replay=$LLMR_BUILD/fuzz/replay-$name
	if [ ! -x "$replay" ]; then
		fail "$kind/$name: no harness $replay"
		continue
	fi
	run "$replay" "$dir"/*
	is "$status" 0 "$kind/$name: $(ls "$dir" | wc -l | tr -d ' ') inputs replay cleanly"
	[ "$status" = 0 ] || diag "$err"
done

# The replay can fail: a missing input is an error, not a silent pass.
run "$LLMR_BUILD/fuzz/replay-sse" "$TEST_DIR/no-such-input"
is "$status" 66 "a missing input fails the replay"
done_testing
