#!/bin/sh
# tests/bench/index.sh - indexing benchmarks (make bench): prints figures.
#
#  1. throughput, MB of text a second (wall and CPU), with the local
#     embedder, on a generated French/English corpus (corpus.inc) of 1,000
#     Markdown files and 100,000 sections (graph building included);
#  2. the same for 100,000 short documents piped in as JSON lines;
#  3. bytes of index per chunk beyond the text, against float32 vectors;
#  4. a no-op run over 10,000 unchanged files (the cron case).
# Figures only: the machine may be shared, so wall time is noisy; CPU time
# is printed beside it.
# The 100,000-chunk state is kept in $BENCH_DIR for tests/bench/search.sh.
set -u
: "${LLMR_BUILD:=$PWD/build}"
IDX=$LLMR_BUILD/bin/llmr-index
[ -x "$IDX" ] || { echo "index.sh: build first ($IDX)" >&2; exit 0; }
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/llmr-bench}
export BENCH_DIR
mkdir -p "$BENCH_DIR"
unset LLMR_CONFIG
HOME=$BENCH_DIR/home XDG_CONFIG_HOME=$BENCH_DIR/home/.config
export HOME XDG_CONFIG_HOME

SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/tests/bench/corpus.inc"
gen() { corpus_files "$@"; }

now_ms() { date +%s%3N; }

if [ ! -s "$BENCH_DIR/100k.db" ] || [ "${BENCH_FRESH:-0}" = 1 ]; then
	rm -f "$BENCH_DIR"/100k.db*
	if [ ! -s "$BENCH_DIR/corpus100k/doc00999.md" ]; then
		rm -rf "$BENCH_DIR/corpus100k"
		mkdir -p "$BENCH_DIR/corpus100k"
		gen "$BENCH_DIR/corpus100k" 1000 100 60
	fi
	bytes=$(cat "$BENCH_DIR"/corpus100k/*.md | wc -c)
	t0=$(now_ms)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%U %S %M' -o "$BENCH_DIR/time.txt" \
			"$IDX" -q --state "$BENCH_DIR/100k.db" -c bench "$BENCH_DIR/corpus100k"
	else
		"$IDX" -q --state "$BENCH_DIR/100k.db" -c bench "$BENCH_DIR/corpus100k"
		echo "0 0 0" >"$BENCH_DIR/time.txt"
	fi
	t1=$(now_ms)
	read -r user sys rss <"$BENCH_DIR/time.txt"
	awk -v b="$bytes" -v ms=$((t1 - t0)) -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
		printf "index: %.1f MB of Markdown, 100,000 sections: %.1f s wall, %.1f s CPU\n", b / 1e6, ms / 1000, u + s
		printf "index: files: throughput %.2f MB/s wall (target >= 5)", b / 1e6 / (ms / 1000)
		if (u + s > 0)
			printf ", %.2f MB/s of CPU time, peak RSS %.0f MB", b / 1e6 / (u + s), r / 1024
		printf "\n"
	}'
	echo "index: load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
fi
# 100,000 short documents as JSON lines on stdin (per-document overhead).
if [ ! -s "$BENCH_DIR/jsonl.db" ] || [ "${BENCH_FRESH:-0}" = 1 ]; then
	rm -f "$BENCH_DIR"/jsonl.db*
	[ -s "$BENCH_DIR/docs100k.jsonl" ] || corpus_jsonl 100000 35 >"$BENCH_DIR/docs100k.jsonl"
	bytes=$(jq -j .text "$BENCH_DIR/docs100k.jsonl" | wc -c)
	t0=$(now_ms)
	/usr/bin/time -f '%U %S %M' -o "$BENCH_DIR/time.txt" \
		"$IDX" -q --state "$BENCH_DIR/jsonl.db" -c jsonl <"$BENCH_DIR/docs100k.jsonl"
	t1=$(now_ms)
	read -r user sys rss <"$BENCH_DIR/time.txt"
	awk -v b="$bytes" -v ms=$((t1 - t0)) -v u="$user" -v s="$sys" 'BEGIN {
		printf "index: JSON lines: 100,000 documents, %.1f MB of text: %.1f s wall, %.1f s CPU\n", b / 1e6, ms / 1000, u + s
		printf "index: JSON lines: throughput %.2f MB/s wall (target >= 5), %.2f MB/s of CPU time\n", b / 1e6 / (ms / 1000), b / 1e6 / (u + s)
	}'
	echo "index: load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
fi
"$IDX" --state "$BENCH_DIR/100k.db" --stats --json -c bench | jq -r '
	"index: \(.chunks) chunks, \(.text_bytes / 1e6 | . * 10 | round / 10) MB of text, graph \(.graph_nodes) nodes, \(.graph_bytes / 1e6 | . * 10 | round / 10) MB",
	"index: \(.bytes_per_chunk) bytes per chunk beyond the text (graph links, sketch, node-to-chunk id and int8 vector)",
	"index: float32 baseline: \(.float32_bytes_per_chunk) bytes per chunk for these 1024-dim vectors, 3072 for a 768-dim model: \(((1 - .bytes_per_chunk / .float32_bytes_per_chunk) * 1000 | round) / 10)% less"'

# The cron case: nothing changed in 10,000 files.
if [ ! -d "$BENCH_DIR/corpus10k" ]; then
	mkdir -p "$BENCH_DIR/corpus10k"
	gen "$BENCH_DIR/corpus10k" 10000 2 30
	"$IDX" -q --state "$BENCH_DIR/10k.db" "$BENCH_DIR/corpus10k"
fi
best=
for i in 1 2 3; do
	t0=$(now_ms)
	"$IDX" -q --state "$BENCH_DIR/10k.db" "$BENCH_DIR/corpus10k"
	t1=$(now_ms)
	ms=$((t1 - t0))
	[ -z "$best" ] || [ "$ms" -lt "$best" ] && best=$ms
done
echo "index: no-op run over 10,000 unchanged files: $best ms (best of 3)"
