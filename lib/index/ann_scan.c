/*
 * ann_scan.c - search without walking the graph: one pass over every
 * node's sketch, read in bulk (idx_ann_sk, 1024 a row), ranked by the
 * query's asymmetric table, then the best r mapped to chunk ids through
 * the packed node-to-chunk blocks (idx_ann_ids, 1024 a row). The caller
 * re-scores those exactly from stored int8 vectors (idx_ann_vec).
 *
 * At 100,000 chunks that is 3.2 MB of sketches and 0.8 MB of ids in a few
 * SELECTs and 3.2 million table look-ups, against one SELECT per graph
 * node visited before; and the brute force misses no neighbour the graph
 * could not reach.
 */
#include "index/ann.h"
#include "index/index_impl.h"

#include <stdlib.h>
#include <string.h>

void llmr_ann_quantize(const float *v, unsigned char *out)
{
	size_t len;
	void *q = llmr_embed_quantize(v, LLMR_EMBED_LOCAL_DIM, &len);

	memcpy(out, q, LLMR_ANN_VEC_LEN);
	free(q);
}

float llmr_ann_vec_cosine(const float *qv, float qnorm, const unsigned char *q8)
{
	const signed char *x = (const signed char *)q8 + 4;
	float dot = 0, nn = 0;
	size_t i;

	for (i = 0; i < LLMR_EMBED_LOCAL_DIM; i++) {
		dot += qv[i] * (float)x[i];
		nn += (float)(x[i] * x[i]);
	}
	if (nn <= 0 || qnorm <= 0)
		return NAN;
	return dot / (qnorm * sqrtf(nn));
}

struct idpos {
	int64_t id;
	size_t at;
};

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const struct idpos *)a)->id, y = ((const struct idpos *)b)->id;

	return x < y ? -1 : x > y;
}

int llmr_ann_vec_scores(sqlite3 *db, const float *qv, float qnorm, const int64_t *ids, size_t n,
			float *scores)
{
	struct idpos *o = llmr_xmalloc((n ? n : 1) * sizeof(*o));
	unsigned char q8[LLMR_ANN_VEC_LEN];
	sqlite3_blob *b = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		scores[i] = NAN;
		o[i].id = ids[i];
		o[i].at = i;
	}
	/* In id order the B-tree cursor moves forward over nearby pages. */
	if (n > 1)
		qsort(o, n, sizeof(*o), by_id);
	for (i = 0; i < n; i++) {
		int rc = b ? sqlite3_blob_reopen(b, o[i].id)
			   : sqlite3_blob_open(db, "main", "idx_ann_vec", "q", o[i].id, 0, &b);

		if (rc != SQLITE_OK) {
			/* No vector for this chunk (a tombstone, or indexed
			 * before vectors): a failed reopen aborts the handle. */
			sqlite3_blob_close(b);
			b = NULL;
			if (strstr(sqlite3_errmsg(db), "no such table"))
				break;
			continue;
		}
		if (sqlite3_blob_bytes(b) == LLMR_ANN_VEC_LEN &&
		    sqlite3_blob_read(b, q8, LLMR_ANN_VEC_LEN, 0) == SQLITE_OK)
			scores[o[i].at] = llmr_ann_vec_cosine(qv, qnorm, q8);
	}
	sqlite3_blob_close(b);
	free(o);
	return 0;
}

static int scan_dberr(sqlite3 *db, struct llmr_err *e, const char *what)
{
	return llmr_errf(e, LLMR_EX_SOFTWARE, "ann scan: %s: %s", what, sqlite3_errmsg(db));
}

/* Copy coll's blocks of table (1024 elements of size each a row) into
 * dst[0..n); returns how many blocks were whole, or -1. */
static long read_blocks(sqlite3 *db, const char *sql, int64_t coll, void *dst, size_t size,
			uint32_t n, struct llmr_err *e)
{
	sqlite3_stmt *st;
	long whole = 0;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return scan_dberr(db, e, "blocks");
	sqlite3_bind_int64(st, 1, coll);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t b = sqlite3_column_int64(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 1), first, cnt;
		const void *d = sqlite3_column_blob(st, 1);

		if (b < 0 || (uint64_t)b * LLMR_ANN_SK_BLOCK >= n || !d)
			continue;
		first = (size_t)b * LLMR_ANN_SK_BLOCK;
		cnt = n - first < LLMR_ANN_SK_BLOCK ? n - first : LLMR_ANN_SK_BLOCK;
		if (len != cnt * size)
			continue; /* a block of an older, shorter graph */
		memcpy((char *)dst + first * size, d, cnt * size);
		whole++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? whole : scan_dberr(db, e, "blocks");
}

/* Independent sums, one a sketch word: a single running sum made
 * the scan wait on each addition (about 5 ms at 100,000 nodes). */
static float node_score(const float *lut, const uint64_t *s)
{
	float acc[LLMR_SKETCH_WORDS] = {0};
	int w, k;

	for (k = 0; k < 8; k++)
		for (w = 0; w < LLMR_SKETCH_WORDS; w++)
			acc[w] += lut[(w * 8 + k) * 256 + ((s[w] >> (k * 8)) & 0xff)];
	for (w = 1; w < LLMR_SKETCH_WORDS; w++)
		acc[0] += acc[w];
	return acc[0];
}

struct cand {
	float score;
	uint32_t node;
};

/* Min-heap on score: the root is the worst of the best kept. */
static void sift_down(struct cand *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct cand t;

		if (l < n && h[l].score < h[m].score)
			m = l;
		if (l + 1 < n && h[l + 1].score < h[m].score)
			m = l + 1;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static int by_score_desc(const void *a, const void *b)
{
	float x = ((const struct cand *)a)->score, y = ((const struct cand *)b)->score;

	return x > y ? -1 : x < y;
}

/* The r best nodes of sk[0..n) by score, best first; returns how many. */
static size_t best_nodes(const llmr_sketch *sk, uint32_t n, const float *lut, struct cand *h,
			 size_t r)
{
	size_t k = 0, i;
	uint32_t j;

	for (j = 0; j < n; j++) {
		float s = node_score(lut, sk[j]);

		if (k < r) {
			h[k].score = s;
			h[k++].node = j;
			if (k == r)
				for (i = r / 2 + 1; i-- > 0;)
					sift_down(h, k, i);
		} else if (s > h[0].score) {
			h[0].score = s;
			h[0].node = j;
			sift_down(h, k, 0);
		}
	}
	if (k > 1)
		qsort(h, k, sizeof(*h), by_score_desc);
	return k;
}

static int scan_meta(sqlite3 *db, int64_t coll, uint32_t *n, int64_t *upto, struct llmr_err *e)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	*upto = 0;
	if (sqlite3_prepare_v2(db, "SELECT n, upto FROM idx_ann_meta WHERE coll=?", -1, &st,
			       NULL) != SQLITE_OK)
		return scan_dberr(db, e, "meta");
	sqlite3_bind_int64(st, 1, coll);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n = (uint32_t)sqlite3_column_int64(st, 0);
		*upto = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : scan_dberr(db, e, "meta");
}

int llmr_ann_scan_db(sqlite3 *db, int64_t coll, const float *lut, size_t r, int64_t *out,
		     size_t *nout, int64_t *upto, struct llmr_err *e)
{
	uint32_t n;
	long nb = 0, want;
	llmr_sketch *sk = NULL;
	int64_t *ids = NULL;
	struct cand *h = NULL;
	size_t k, i;
	int rc = 0;

	*nout = 0;
	if (scan_meta(db, coll, &n, upto, e) < 0)
		return -1;
	if (!n || !r)
		return 0;
	want = (long)((n + LLMR_ANN_SK_BLOCK - 1) / LLMR_ANN_SK_BLOCK);
	ids = llmr_xcalloc(n, sizeof(*ids));
	nb = read_blocks(db, "SELECT block, data FROM idx_ann_ids WHERE coll=?", coll, ids,
			 sizeof(*ids), n, e);
	if (nb != want) {
		rc = nb < 0 ? -1 : 1;
		goto out;
	}
	sk = llmr_xcalloc(n, sizeof(*sk));
	nb = read_blocks(db, "SELECT block, data FROM idx_ann_sk WHERE coll=?", coll, sk,
			 sizeof(*sk), n, e);
	if (nb != want) {
		rc = nb < 0 ? -1 : 1;
		goto out;
	}
	h = llmr_xmalloc(r * sizeof(*h));
	k = best_nodes((const llmr_sketch *)sk, n, lut, h, r);
	for (i = 0; i < k; i++)
		if (ids[h[i].node] > 0)
			out[(*nout)++] = ids[h[i].node];
out:
	free(sk);
	free(ids);
	free(h);
	return rc;
}

int llmr_ann_save_ids(sqlite3 *db, int64_t coll, const struct llmr_ann *a, uint32_t first,
		      struct llmr_err *e)
{
	sqlite3_stmt *st;
	uint32_t b, have = 0;
	int rc = 0;

	/* A graph saved before the map existed has none of its blocks. */
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM idx_ann_ids WHERE coll=?", -1, &st,
			       NULL) != SQLITE_OK)
		return scan_dberr(db, e, "ids");
	sqlite3_bind_int64(st, 1, coll);
	if (sqlite3_step(st) == SQLITE_ROW)
		have = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	b = first / LLMR_ANN_SK_BLOCK;
	if (have < b)
		b = have;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO idx_ann_ids(coll, block, data) VALUES (?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return scan_dberr(db, e, "ids");
	for (; (size_t)b * LLMR_ANN_SK_BLOCK < a->n && !rc; b++) {
		uint32_t lo = b * LLMR_ANN_SK_BLOCK, cnt = a->n - lo;

		if (cnt > LLMR_ANN_SK_BLOCK)
			cnt = LLMR_ANN_SK_BLOCK;
		sqlite3_bind_int64(st, 1, coll);
		sqlite3_bind_int64(st, 2, b);
		sqlite3_bind_blob(st, 3, a->chunk + lo, (int)(cnt * sizeof(int64_t)), SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = scan_dberr(db, e, "ids");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc ? -1 : 0;
}
