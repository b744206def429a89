#!/bin/sh
# tests/bench/search.sh - search benchmarks at 100,000 chunks (make bench),
# on the state built by tests/bench/index.sh (its French/English corpus):
#  1. p50/p95 latency of hybrid, vector and BM25 search in process (no
#     program start-up), on short queries (2 to 6 words) and long ones;
#  2. recall@10 of vector search (HNSW on sketches + exact re-rank) against
#     exact brute force over all 100,000 vectors, short and long queries;
#     a hit tied with the tenth brute-force score counts as found;
#  3. searching as a whole process (llmr-search, start-up included) against
#     the keyword floor: a plain sqlite3 process running one FTS5 query,
#     the query's words OR-ed, over the same chunk texts. Wall and CPU.
# Figures only, never pass/fail: the machine may be shared (the load
# average is printed), and CPU time is given beside wall time.
set -u
: "${LLMR_BUILD:=$PWD/build}"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/llmr-bench}
[ -s "$BENCH_DIR/100k.db" ] || LLMR_BUILD=$LLMR_BUILD BENCH_DIR=$BENCH_DIR sh "$SRC/tests/bench/index.sh" >/dev/null
[ -s "$BENCH_DIR/100k.db" ] || { echo "search.sh: no index to search" >&2; exit 0; }
[ -s "$LLMR_BUILD/libllmr.a" ] || { echo "search.sh: build first" >&2; exit 0; }

cat >"$BENCH_DIR/search_bench.c" <<'CEOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "index/embed.h"
#include "index/index.h"
#include "index/search.h"
#include "store/state.h"

#define NQ 200

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Queries from chunks spread over the collection: short ones take 2 to 6
 * words from the middle of a chunk, long ones the first half of another. */
static size_t queries(sqlite3 *db, int64_t coll, int lng, char **out)
{
	sqlite3_stmt *s;
	size_t q = 0;

	sqlite3_prepare_v2(db, lng ? "SELECT text FROM idx_chunks WHERE coll=? AND id % 499 = 11 LIMIT 200"
				   : "SELECT text FROM idx_chunks WHERE coll=? AND id % 499 = 7 LIMIT 200", -1, &s, NULL);
	sqlite3_bind_int64(s, 1, coll);
	while (q < NQ && sqlite3_step(s) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0), *p = t;
		char buf[256] = "";
		int w = 0, want = 2 + (int)(q % 5);

		if (lng) {
			out[q] = strdup(t);
			out[q][strlen(out[q]) / 2] = '\0';
			q++;
			continue;
		}
		while (*p && w < 4 + want) {
			const char *e2 = p;
			while (*e2 && *e2 != ' ') e2++;
			if (w >= 4 && e2 > p && strlen(buf) + (size_t)(e2 - p) + 2 < sizeof(buf)) {
				strncat(buf, p, (size_t)(e2 - p));
				strcat(buf, " ");
			}
			w++;
			p = *e2 ? e2 + 1 : e2;
		}
		out[q++] = strdup(buf);
	}
	sqlite3_finalize(s);
	return q;
}

static void latency(struct llmr_state *st, const char *coll, const char *mode, const char *kind,
		    char **qs, size_t q)
{
	long long lat[NQ];
	struct llmr_err e = {0, ""};
	struct llmr_search_opts o = {coll, 10, (enum llmr_search_mode)llmr_search_mode_parse(mode), -1, -1, 0, 0};
	size_t i;
	clock_t c0 = clock();

	for (i = 0; i < q; i++) {
		struct llmr_hits h;
		int64_t t0 = now_us();

		llmr_search(st, NULL, &o, qs[i], &h, &e);
		lat[i] = now_us() - t0;
		llmr_hits_release(&h);
	}
	qsort(lat, q, sizeof(*lat), cmp_ll);
	printf("search: %-6s %-5s queries: p50 %.1f ms, p95 %.1f ms wall, %.1f ms CPU a query (%zu queries)\n",
	       mode, kind, lat[q / 2] / 1000.0, lat[q * 95 / 100] / 1000.0,
	       (double)(clock() - c0) * 1000 / CLOCKS_PER_SEC / (double)q, q);
}

static double recall(struct llmr_state *st, const char *coll, const int64_t *ids, const float *vecs,
		     size_t n, char **qs, size_t q)
{
	struct llmr_err e = {0, ""};
	double sum = 0;
	size_t i, j, k;

	for (i = 0; i < q; i++) {
		float qv[LLMR_EMBED_LOCAL_DIM], best[10];
		int64_t bid[10];
		struct llmr_search_opts o = {coll, 10, LLMR_SEARCH_VECTOR, -1, -1, 0, 0};
		struct llmr_hits h;
		size_t nb = 0, found = 0;

		llmr_embed_local(qs[i], strlen(qs[i]), qv);
		for (j = 0; j < n; j++) {
			float c = llmr_embed_cosine(qv, vecs + j * LLMR_EMBED_LOCAL_DIM, LLMR_EMBED_LOCAL_DIM);

			if (c < 0.05f || (nb == 10 && c <= best[9]))
				continue;
			k = nb < 10 ? nb++ : 9;
			while (k > 0 && best[k - 1] < c) {
				best[k] = best[k - 1];
				bid[k] = bid[k - 1];
				k--;
			}
			best[k] = c;
			bid[k] = ids[j];
		}
		llmr_search(st, NULL, &o, qs[i], &h, &e);
		for (j = 0; j < h.n; j++) {
			int in = 0;

			for (k = 0; k < nb; k++)
				in |= h.v[j].chunk_id == bid[k];
			found += in || (nb == 10 && h.v[j].score >= best[9] - 1e-6);
		}
		if (found > nb)
			found = nb;
		sum += nb ? (double)found / nb : 1;
		llmr_hits_release(&h);
	}
	return sum / (double)q;
}

int main(int argc, char **argv)
{
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	sqlite3 *db;
	sqlite3_stmt *s;
	char *shortq[NQ], *longq[NQ];
	const char *coll = argc > 2 ? argv[2] : "bench";
	int64_t cid, *ids = NULL;
	float *vecs = NULL;
	size_t n = 0, cap = 0, i, ns, nl;
	FILE *f;

	if (llmr_state_open(argv[1], &st, &e) < 0)
		return fprintf(stderr, "%s\n", e.msg), 1;
	db = llmr_state_db(st);
	cid = llmr_index_collection(db, coll, NULL, NULL, &e);
	ns = queries(db, cid, 0, shortq);
	nl = queries(db, cid, 1, longq);
	if (argc > 3 && (f = fopen(argv[3], "w"))) {
		for (i = 0; i < ns; i++)
			fprintf(f, "%s\n", shortq[i]);
		fclose(f);
	}
	latency(st, coll, "hybrid", "short", shortq, ns);
	latency(st, coll, "vector", "short", shortq, ns);
	latency(st, coll, "bm25", "short", shortq, ns);
	latency(st, coll, "hybrid", "long", longq, nl);
	/* Exact brute force: every chunk's vector, recomputed. */
	sqlite3_prepare_v2(db, "SELECT id, heading, text FROM idx_chunks WHERE coll=? ORDER BY id", -1, &s, NULL);
	sqlite3_bind_int64(s, 1, cid);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct llmr_buf in = LLMR_BUF_INIT;

		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			ids = realloc(ids, cap * sizeof(*ids));
			vecs = realloc(vecs, cap * LLMR_EMBED_LOCAL_DIM * sizeof(float));
		}
		ids[n] = sqlite3_column_int64(s, 0);
		llmr_index_embed_input((const char *)sqlite3_column_text(s, 1), (const char *)sqlite3_column_text(s, 2), &in);
		llmr_embed_local(in.s, in.len, vecs + n * LLMR_EMBED_LOCAL_DIM);
		llmr_buf_release(&in);
		n++;
	}
	sqlite3_finalize(s);
	printf("search: vector recall@10 vs exact brute force over %zu chunks: short queries %.3f, long queries %.3f (target >= 0.98)\n",
	       n, recall(st, coll, ids, vecs, n, shortq, ns), recall(st, coll, ids, vecs, n, longq, nl));
	for (i = 0; i < ns; i++)
		free(shortq[i]);
	for (i = 0; i < nl; i++)
		free(longq[i]);
	free(ids);
	free(vecs);
	llmr_state_close(st);
	return 0;
}
CEOF
cc -O2 -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -I"$SRC/lib" $(pkg-config --cflags jansson sqlite3) \
	-o "$BENCH_DIR/search_bench" "$BENCH_DIR/search_bench.c" "$LLMR_BUILD/libllmr.a" \
	$(pkg-config --libs libcurl jansson sqlite3 yaml-0.1 readline libxml-2.0 libzip poppler-glib uchardet libmicrohttpd hiredis) -lstemmer -lm -lpthread ||
	{ echo "search.sh: cannot build the benchmark" >&2; exit 0; }
echo "search: load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
"$BENCH_DIR/search_bench" "$BENCH_DIR/100k.db" bench "$BENCH_DIR/queries.txt"

# The whole process against the keyword floor, on the first 30 short queries.
SEARCH=$LLMR_BUILD/bin/llmr-search
if command -v sqlite3 >/dev/null 2>&1 && [ -s "$BENCH_DIR/queries.txt" ] && [ -x "$SEARCH" ]; then
	export HOME=$BENCH_DIR/home XDG_CONFIG_HOME=$BENCH_DIR/home/.config
	unset LLMR_CONFIG
	head -30 "$BENCH_DIR/queries.txt" >"$BENCH_DIR/q30.txt"
	for kind in llmr floor; do
		: >"$BENCH_DIR/ms.$kind"
		: >"$BENCH_DIR/cpu.$kind"
		while IFS= read -r q; do
			fts=$(printf '%s\n' "$q" | tr -s ' ' '\n' | tr -d "\"'" | sed '/^$/d; s/.*/"&"/' | paste -sd' ' - | sed 's/" "/" OR "/g')
			t0=$(date +%s%N)
			if [ $kind = llmr ]; then
				/usr/bin/time -f '%U %S' -a -o "$BENCH_DIR/cpu.$kind" \
					"$SEARCH" --state "$BENCH_DIR/100k.db" -c bench --json -k 10 "$q" >/dev/null
			else
				/usr/bin/time -f '%U %S' -a -o "$BENCH_DIR/cpu.$kind" \
					sqlite3 "$BENCH_DIR/100k.db" "SELECT rowid, rank FROM idx_fts WHERE idx_fts MATCH '$fts' ORDER BY rank LIMIT 10" >/dev/null
			fi
			t1=$(date +%s%N)
			echo $(((t1 - t0) / 1000)) >>"$BENCH_DIR/ms.$kind"
		done <"$BENCH_DIR/q30.txt"
	done
	for kind in llmr floor; do
		p50=$(sort -n "$BENCH_DIR/ms.$kind" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)] / 1000}')
		cpu=$(awk '{c += $1 + $2} END {printf "%.1f", c * 1000 / NR}' "$BENCH_DIR/cpu.$kind")
		if [ $kind = llmr ]; then
			echo "search: whole process, llmr-search hybrid: p50 $p50 ms wall, $cpu ms CPU a query (30 short queries)"
		else
			echo "search: keyword floor, sqlite3 + one FTS5 query: p50 $p50 ms wall, $cpu ms CPU a query (same queries)"
		fi
	done
fi
