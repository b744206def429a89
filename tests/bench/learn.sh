#!/bin/sh
# Learned-router decisions per second over 10,000 labelled prompts (the
# target is 20,000/s), with the exact scan and the bare embedding beside
# it for scale. CPU time; prints figures, passes or fails nothing.
: "${LLMR_BUILD:=$PWD/build}"
N=${N:-10000}
Q=${Q:-20000}
"$LLMR_BUILD/tests/learn_bench.t" --bench "$N" "$Q"

# Start-up of llmr-route with router.learned over N stored outcomes: from
# the embeddings cached at import, and with the cache emptied (every
# prompt embedded at start, as before the cache). Wall time, best of 3.
dir=$(mktemp -d "${TMPDIR:-/tmp}/llmr-bench-learn.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
awk -v n="$N" -f "$(dirname "$0")/../fixtures/outcomes/topic.awk" >"$dir/o.csv"
printf 'router: {learned: true}\nroutes:\n  default:\n    tiers:\n      simple: [local/extractive]\n' >"$dir/c.conf"
"$LLMR_BUILD/bin/llmr-bench" --config "$dir/c.conf" --state "$dir/s.db" -q import-outcomes "$dir/o.csv"
best() {
	b=
	for i in 1 2 3; do
		t0=$(date +%s%N)
		"$LLMR_BUILD/bin/llmr-route" --config "$dir/c.conf" --state "$1" "notes on astronomy" >/dev/null
		t=$(( ($(date +%s%N) - t0) / 1000000 ))
		[ -z "$b" ] || [ "$t" -lt "$b" ] && b=$t
	done
	echo "$b"
}
cp "$dir/s.db" "$dir/bare.db"
sqlite3 "$dir/bare.db" "DELETE FROM outcome_vectors"
echo "llmr-route start-up with router.learned over $N outcomes (wall, best of 3):"
echo "  embeddings cached at import:   $(best "$dir/s.db") ms"
echo "  no cache (embedded at start):  $(best "$dir/bare.db") ms"
