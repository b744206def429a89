#!/bin/sh
# tests/bench/search.sh - search benchmarks at 100,000 chunks (make bench):
# prints p50/p95 latency of hybrid, vector and BM25 search (in process, so
# program start-up is not counted), and the recall@10 of vector search
# (HNSW on sketches + exact re-rank) against exact brute force over all
# 100,000 vectors. Uses the state built by tests/bench/index.sh.
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

#include "embed.h"
#include "index.h"
#include "search.h"
#include "state.h"

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

int main(int argc, char **argv)
{
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	sqlite3 *db;
	sqlite3_stmt *s;
	char *queries[NQ];
	int64_t coll, *ids = NULL;
	float *vecs = NULL;
	size_t n = 0, cap = 0, i, j, q;
	const char *modes[] = {"hybrid", "vector", "bm25"};
	double recall = 0;

	if (llmr_state_open(argv[1], &st, &e) < 0)
		return fprintf(stderr, "%s\n", e.msg), 1;
	db = llmr_state_db(st);
	coll = llmr_index_collection(db, argc > 2 ? argv[2] : "bench", NULL, NULL, &e);
	/* Queries: five words from chunks spread over the collection. */
	sqlite3_prepare_v2(db, "SELECT text FROM idx_chunks WHERE coll=? AND id % 499 = 7 LIMIT 200", -1, &s, NULL);
	sqlite3_bind_int64(s, 1, coll);
	for (q = 0; q < NQ && sqlite3_step(s) == SQLITE_ROW; q++) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		char buf[256] = "";
		int w = 0;
		const char *p = t;

		while (*p && w < 9) {
			const char *e2 = p;
			while (*e2 && *e2 != ' ' && *e2 != '.') e2++;
			if (w >= 4 && e2 > p && strlen(buf) + (size_t)(e2 - p) + 2 < sizeof(buf)) {
				strncat(buf, p, (size_t)(e2 - p));
				strcat(buf, " ");
			}
			w++;
			p = *e2 ? e2 + 1 : e2;
		}
		queries[q] = strdup(buf);
	}
	sqlite3_finalize(s);
	for (int m = 0; m < 3; m++) {
		long long lat[NQ];
		struct llmr_search_opts o = {argc > 2 ? argv[2] : "bench", 10, (enum llmr_search_mode)llmr_search_mode_parse(modes[m]), -1, -1, 0, 0};

		for (i = 0; i < q; i++) {
			struct llmr_hits h;
			int64_t t0 = now_us();

			llmr_search(st, NULL, &o, queries[i], &h, &e);
			lat[i] = now_us() - t0;
			llmr_hits_release(&h);
		}
		qsort(lat, q, sizeof(*lat), cmp_ll);
		printf("search: %-6s p50 %.1f ms, p95 %.1f ms (%zu queries, 100,000 chunks)\n", modes[m],
		       lat[q / 2] / 1000.0, lat[q * 95 / 100] / 1000.0, q);
	}
	/* Exact brute force: every chunk's vector, recomputed. */
	sqlite3_prepare_v2(db, "SELECT id, heading, text FROM idx_chunks WHERE coll=? ORDER BY id", -1, &s, NULL);
	sqlite3_bind_int64(s, 1, coll);
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
	for (int kind = 0; kind < 2; kind++) {
	recall = 0;
	if (kind == 1) {
		/* Held-out style: the first half of other chunks, as ANN
		 * benchmarks query with points of the data's distribution. */
		sqlite3_prepare_v2(db, "SELECT text FROM idx_chunks WHERE coll=? AND id % 499 = 11 LIMIT 200", -1, &s, NULL);
		sqlite3_bind_int64(s, 1, coll);
		for (i = 0; i < q && sqlite3_step(s) == SQLITE_ROW; i++) {
			free(queries[i]);
			queries[i] = strdup((const char *)sqlite3_column_text(s, 0));
			queries[i][strlen(queries[i]) / 2] = '\0';
		}
		sqlite3_finalize(s);
	}
	for (i = 0; i < q; i++) {
		float qv[LLMR_EMBED_LOCAL_DIM], best[10];
		int64_t bid[10];
		struct llmr_search_opts o = {argc > 2 ? argv[2] : "bench", 10, LLMR_SEARCH_VECTOR, -1, -1, 0, 0};
		struct llmr_hits h;
		size_t nb = 0, found = 0, k;

		llmr_embed_local(queries[i], strlen(queries[i]), qv);
		for (j = 0; j < n; j++) {
			float c = llmr_embed_cosine(qv, vecs + j * LLMR_EMBED_LOCAL_DIM, LLMR_EMBED_LOCAL_DIM);

			if (nb == 10 && c <= best[9])
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
		llmr_search(st, NULL, &o, queries[i], &h, &e);
		for (j = 0; j < h.n; j++)
			for (k = 0; k < nb; k++)
				if (h.v[j].chunk_id == bid[k])
					found++;
		recall += nb ? (double)found / nb : 1;
		llmr_hits_release(&h);
	}
	printf("search: vector recall@10 vs exact brute force over %zu chunks, %s: %.3f (target >= 0.95)\n", n,
	       kind ? "half-chunk queries (held-out style)" : "5-word queries", recall / q);
	}
	for (i = 0; i < q; i++)
		free(queries[i]);
	free(ids);
	free(vecs);
	llmr_state_close(st);
	return 0;
}
CEOF
cc -O2 -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -I"$SRC/lib" $(pkg-config --cflags jansson sqlite3) \
	-o "$BENCH_DIR/search_bench" "$BENCH_DIR/search_bench.c" "$LLMR_BUILD/libllmr.a" \
	$(pkg-config --libs libcurl jansson sqlite3 yaml-0.1 readline libxml-2.0 libzip poppler-glib uchardet) -lm -lpthread ||
	{ echo "search.sh: cannot build the benchmark" >&2; exit 0; }
echo "search: load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
"$BENCH_DIR/search_bench" "$BENCH_DIR/100k.db" bench
