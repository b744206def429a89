#!/bin/sh
# tests/bench/index.sh - indexing benchmarks (make bench): prints figures.
#
#  1. throughput, MB of text a second, with the local embedder, on a
#     generated corpus of 1,000 Markdown files and 100,000 sections
#     (graph building included);
#  2. bytes of index per chunk beyond the text, against float32 vectors;
#  3. a no-op run over 10,000 unchanged files (the cron case).
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

# Topic-structured pseudo-French: 200 topics of 30 words each, and 3,000
# common words; a section draws 40% of its words from its topic, like real
# documents that stay on a subject.
gen() { # gen DIR FILES SECTIONS WORDS
	awk -v dir="$1" -v nf="$2" -v ns="$3" -v nw="$4" 'BEGIN {
		srand(42)
		split("ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo fu la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu tri tex col", syl, " ")
		for (i = 0; i < 9000; i++) {
			w = ""; n = 2 + int(rand() * 3)
			for (j = 0; j < n; j++) w = w syl[1 + int(rand() * 68)]
			word[i] = w
		}
		for (f = 0; f < nf; f++) {
			file = sprintf("%s/doc%05d.md", dir, f)
			printf "# Document %d\n\n", f > file
			for (s = 0; s < ns; s++) {
				t = int(rand() * 200)
				printf "## Section %d %s\n\n", s, word[3000 + t * 30] > file
				line = ""
				for (k = 0; k < nw; k++) {
					if (rand() < 0.4) w = word[3000 + t * 30 + int(rand() * 30)]
					else w = word[int(rand() * rand() * 3000)]
					line = line (k ? " " : "") w
					if (k % 12 == 11) line = line "."
				}
				print line "." > file
				print "" > file
			}
			close(file)
		}
	}'
}

now_ms() { date +%s%3N; }

if [ ! -s "$BENCH_DIR/100k.db" ] || [ "${BENCH_FRESH:-0}" = 1 ]; then
	rm -rf "$BENCH_DIR/corpus100k" "$BENCH_DIR"/100k.db*
	mkdir -p "$BENCH_DIR/corpus100k"
	gen "$BENCH_DIR/corpus100k" 1000 100 60
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
		printf "index: throughput %.2f MB/s wall (target >= 2)", b / 1e6 / (ms / 1000)
		if (u + s > 0)
			printf ", %.2f MB/s of CPU time, peak RSS %.0f MB", b / 1e6 / (u + s), r / 1024
		printf "\n"
	}'
	echo "index: load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
fi
"$IDX" --state "$BENCH_DIR/100k.db" --stats --json -c bench | jq -r '
	"index: \(.chunks) chunks, \(.text_bytes / 1e6 | . * 10 | round / 10) MB of text, graph \(.graph_nodes) nodes, \(.graph_bytes / 1e6 | . * 10 | round / 10) MB",
	"index: \(.bytes_per_chunk) bytes per chunk beyond the text (graph links and sketch; no vector stored)",
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
