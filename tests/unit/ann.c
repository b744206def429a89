#include <stdlib.h>
#include <string.h>

#include "index/ann.h"
#include "index/index.h"
#include "store/state.h"
#include "tap.h"

/* Clustered random sketches: what real embeddings look like to a graph. */
static void make(llmr_sketch *sk, size_t n, uint64_t seed)
{
	uint64_t x = seed;
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < LLMR_SKETCH_WORDS; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* Nodes near a centre share most bits with it. */
			sk[i][j] = i % 20 == 0 ? x : sk[i - i % 20][j] ^ (x & (x >> 3) & (x >> 5));
		}
	}
}

static size_t brute(llmr_sketch *sk, size_t n, const uint64_t *q, size_t k, int64_t *out)
{
	size_t i, j, m = 0;
	int *d = malloc(k * sizeof(int));

	for (i = 0; i < n; i++) {
		int di = llmr_ann_dist(q, sk[i]);

		if (m < k)
			m++;
		else if (di >= d[m - 1])
			continue;
		for (j = m - 1; j > 0 && d[j - 1] > di; j--) {
			d[j] = d[j - 1];
			out[j] = out[j - 1];
		}
		d[j] = di;
		out[j] = (int64_t)i + 1;
	}
	free(d);
	return m;
}

static int kth_dist(llmr_sketch *sk, const uint64_t *q, const int64_t *ids, size_t k)
{
	return llmr_ann_dist(q, sk[ids[k - 1] - 1]);
}

int main(void)
{
	enum { N = 3000, Q = 50, K = 10 };
	llmr_sketch *sk = malloc(N * sizeof(*sk)), *qs = malloc(Q * sizeof(*qs));
	struct llmr_ann a, b;
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	int64_t got[64], want[K], upto;
	size_t i, j, n, hits = 0, nout;
	int same = 1;

	make(sk, N, 88172645463325252ULL);
	make(qs, Q, 1234567ULL);
	for (i = 0; i < Q; i++)
		memcpy(qs[i], sk[(i * 61) % N], sizeof(llmr_sketch)), qs[i][0] ^= 0x5;
	llmr_ann_init(&a);
	is_int(llmr_ann_search(&a, qs[0], 10, got, 10), 0, "empty graph: no result");
	for (i = 0; i < N; i++)
		llmr_ann_add(&a, (int64_t)i + 1, sk[i]);
	is_int(a.n, N, "every node inserted");
	{
		/* Pruning a full list must never cut the last link into a node:
		 * it could not be found again, however wide the search. */
		size_t cut = 0;

		for (i = 0; i < N; i++)
			cut += (int64_t)i != a.entry && !a.indeg[i];
		is_int(cut, 0, "every node reachable on level 0");
		for (i = 0; i < N && a.n; i++)
			if ((int64_t)i != a.entry)
				a.indeg[i] = 0; /* as a graph written before */
		llmr_ann_count_indeg(&a);
		for (cut = 0, i = 0; i < N; i++)
			cut += (int64_t)i != a.entry && !a.indeg[i];
		is_int(cut, 0, "in-degrees counted again from the links");
	}
	for (i = 0; i < Q; i++) {
		n = llmr_ann_search(&a, qs[i], 64, got, K);
		brute(sk, N, qs[i], K, want);
		/* Count a hit when the result is within the true k-th distance
		 * (ties among Hamming distances are common). */
		for (j = 0; j < n; j++)
			if (llmr_ann_dist(qs[i], sk[got[j] - 1]) <= kth_dist(sk, qs[i], want, K))
				hits++;
	}
	ok((double)hits / (Q * K) >= 0.95, "recall@10 >= 0.95 (%.3f)", (double)hits / (Q * K));

	ok(llmr_state_open(":memory:", &st, &e) == 0, "state opens: %s", e.msg);
	sqlite3_exec(llmr_state_db(st), "BEGIN", NULL, NULL, NULL);
	ok(llmr_ann_save(llmr_state_db(st), 7, &a, N, 0, &e) == 0, "graph saved: %s", e.msg);
	sqlite3_exec(llmr_state_db(st), "COMMIT", NULL, NULL, NULL);
	llmr_ann_init(&b);
	ok(llmr_ann_load(llmr_state_db(st), 7, &b, &upto, &e) == 0, "graph loaded");
	is_int(b.n, N, "same node count");
	is_int(upto, N, "upto kept");
	is_int(b.entry, a.entry, "same entry point");
	for (i = 0; i < Q; i++) {
		int64_t g1[K], g2[K];
		size_t n1 = llmr_ann_search(&a, qs[i], 64, g1, K);

		if (llmr_ann_search_db(llmr_state_db(st), 7, qs[i], NULL, 64, NULL, NULL, 0, g2, NULL, K, &nout, &upto, &e) < 0 ||
		    nout != n1 || memcmp(g1, g2, n1 * sizeof(*g1)))
			same = 0;
	}
	ok(same, "searching the stored graph lazily gives the in-memory results");
	/* Incremental: add nodes to the loaded graph, save, reload. */
	for (i = 0; i < 100; i++)
		llmr_ann_add(&b, N + (int64_t)i + 1, sk[i]);
	sqlite3_exec(llmr_state_db(st), "BEGIN", NULL, NULL, NULL);
	ok(llmr_ann_save(llmr_state_db(st), 7, &b, N + 100, 0, &e) == 0, "incremental save");
	sqlite3_exec(llmr_state_db(st), "COMMIT", NULL, NULL, NULL);
	llmr_ann_search_db(llmr_state_db(st), 7, sk[5], NULL, 64, NULL, NULL, 0, got, NULL, 2, &nout, &upto, &e);
	ok(nout == 2 && ((got[0] == 6 && got[1] == N + 6) || (got[0] == N + 6 && got[1] == 6)),
	   "a new node with the same sketch is found beside the old one");
	is_int(upto, N + 100, "upto advanced");
	ok(llmr_ann_search_db(llmr_state_db(st), 99, qs[0], NULL, 64, NULL, NULL, 0, got, NULL, K, &nout, &upto, &e) == 0 &&
		   nout == 0 && upto == 0,
	   "no graph: no result, no error");
	llmr_ann_release(&a);
	llmr_ann_release(&b);
	llmr_state_close(st);
	free(sk);
	free(qs);
	done_testing();
}
