#include "index/search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index/ann.h"
#include "index/cooc.h"
#include "index/embed.h"
#include "index/index.h"
#include "index/query.h"
#include "index/search_impl.h"

/* Below this cosine a chunk shares almost nothing with the query: leaving
 * it out keeps unrelated passages out of answers. */
#define VECTOR_FLOOR 0.05
/* The vector weight of hybrid search when index.weights.vector is unset
 * and the collection has the local embedder: fused at the keyword side's
 * weight, it pulled clear BM25 winners down on the dev halves of
 * tests/bench/retrieval.sh (hybrid MRR@10, en: 0.796 at 1.0, 0.815 at 0.5
 * and 0.7; fr: 0.784 at 1.0, 0.797 at 0.7, 0.806 at 0.5). */
#define LOCAL_VECTOR_WEIGHT 0.5
/* local-cooc: the share of the learned word vectors' cosine in a chunk's
 * vector score, the hashing cosine having the rest. On the dev halves of
 * tests/bench/retrieval.sh (vector MRR@10, fr: 0.618 hashing alone, 0.656
 * at 0.3, 0.638 at 0.5, 0.624 at 0.7; en: 0.669, 0.703, 0.686, 0.680). */
#define COOC_BLEND 0.3
/* Keyword hits added to the vector candidates. */
#define LEX_CANDIDATES 200

struct list {
	struct scored *v;
	size_t n, cap;
};

static void push(struct list *l, int64_t id, double score)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = llmr_xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].id = id;
	l->v[l->n++].score = score;
}

static int by_score(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int llmr_search_mode_parse(const char *s)
{
	if (!strcmp(s, "hybrid"))
		return LLMR_SEARCH_HYBRID;
	if (!strcmp(s, "bm25"))
		return LLMR_SEARCH_BM25;
	if (!strcmp(s, "vector"))
		return LLMR_SEARCH_VECTOR;
	return -1;
}

static int dberr(sqlite3 *db, struct llmr_err *e, const char *what)
{
	return llmr_errf(e, LLMR_EX_SOFTWARE, "search: %s: %s", what, sqlite3_errmsg(db));
}

static int single_collection(sqlite3 *db)
{
	sqlite3_stmt *st;
	int rc = SQLITE_ERROR;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM idx_collections LIMIT 1 OFFSET 1", -1, &st, NULL) ==
	    SQLITE_OK) {
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	return rc == SQLITE_DONE;
}

/*
 * Column weights of bm25() (heading, text): a word of a chunk's title or
 * heading path says more about what it is about than the same word in
 * its body, where long passages repeat common words. Tuned on the dev half
 * of tests/bench/retrieval.sh. The rank MATCH form keeps FTS5's own
 * ORDER BY rank LIMIT path.
 */
#define HEADING_WEIGHTS "4.0, 1.0"
#define HEADING_RANK "bm25(" HEADING_WEIGHTS ")"

/* The chunks matching the FTS5 query fq, best first, at most n, into l. */
static int run_fts(sqlite3 *db, int64_t coll, const char *fq, size_t n, struct list *l,
		   struct llmr_err *e)
{
	sqlite3_stmt *st;
	int rc;

	/* With one collection, FTS5 ranks on its own (its ORDER BY rank LIMIT
	 * path); joining the chunks to filter by collection would look up
	 * every match, which is most of the time of a common-word query. */
	if (sqlite3_prepare_v2(db,
			       single_collection(db)
				       ? "SELECT rowid, rank FROM idx_fts WHERE idx_fts MATCH ?1 AND ?2 = ?2"
					 " AND rank MATCH '" HEADING_RANK "' ORDER BY rank LIMIT ?3"
				       : "SELECT c.id, bm25(idx_fts, " HEADING_WEIGHTS ") FROM idx_fts"
					 " JOIN idx_chunks c ON c.id = idx_fts.rowid WHERE idx_fts MATCH ?1"
					 " AND c.coll = ?2 ORDER BY 2 LIMIT ?3",
			       -1, &st, NULL) != SQLITE_OK)
		return dberr(db, e, "full-text query");
	sqlite3_bind_text(st, 1, fq, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, coll);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)n);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		push(l, sqlite3_column_int64(st, 0), -sqlite3_column_double(st, 1));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : dberr(db, e, "full-text query");
}

static int bm25_list(sqlite3 *db, int64_t coll, const char *query, size_t n, struct list *l,
		     struct llmr_err *e)
{
	struct llmr_buf fq = LLMR_BUF_INIT;
	struct llmr_query q;
	int rc = 0;

	llmr_query_parse(query, LLMR_STEM_SNOWBALL, &q);
	llmr_query_fts(db, &q, &fq);
	if (fq.len)
		rc = run_fts(db, coll, fq.s, n, l, e);
	llmr_buf_release(&fq);
	return rc;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort and drop duplicate ids; returns the new count. */
static size_t dedup(int64_t *v, size_t n)
{
	size_t i, m = 0;

	if (n > 1) /* qsort(NULL, 0) is undefined: no match gives NULL */
		qsort(v, n, sizeof(*v), cmp_id);
	for (i = 0; i < n; i++)
		if (!m || v[m - 1] != v[i])
			v[m++] = v[i];
	return m;
}

/* Exact scoring of one chunk, for the graph's exact phase (ann.h). */
struct exact_ctx {
	sqlite3_stmt *st;
	const struct llmr_embedder *em;
	const float *qv;
	float *v;
	size_t dim;
	struct llmr_buf in, fold;
	struct llmr_cooc *cooc; /* local-cooc: the collection's word vectors */
	float qc[LLMR_COOC_DIM], cv[LLMR_COOC_DIM];
	int qknown;             /* the query has a known word */
	sqlite3_stmt *vst; /* local embedder: the stored int8 vector */
	float qnorm;
};

/* From the chunk's stored int8 vector (ann.h), NAN when it has none. */
static float stored_score(struct exact_ctx *x, int64_t chunk)
{
	float c = NAN;

	sqlite3_bind_int64(x->vst, 1, chunk);
	if (sqlite3_step(x->vst) == SQLITE_ROW &&
	    sqlite3_column_bytes(x->vst, 0) == LLMR_ANN_VEC_LEN)
		c = llmr_ann_vec_cosine(x->qv, x->qnorm, sqlite3_column_blob(x->vst, 0));
	sqlite3_reset(x->vst);
	return c;
}

static float exact_score(void *ud, int64_t chunk)
{
	struct exact_ctx *x = ud;
	float c = NAN;

	if (x->vst && !isnan(c = stored_score(x, chunk)))
		return c;
	sqlite3_bind_int64(x->st, 1, chunk);
	if (sqlite3_step(x->st) == SQLITE_ROW) {
		int have = 1;

		if (x->em->local) {
			llmr_buf_reset(&x->in);
			llmr_index_embed_input((const char *)sqlite3_column_text(x->st, 0),
					       (const char *)sqlite3_column_text(x->st, 1), &x->in);
			if (x->qknown) {
				/* One fold serves both embedders. */
				llmr_buf_reset(&x->fold);
				llmr_embed_fold(x->in.s, x->in.len, &x->fold);
				llmr_embed_local_folded(x->fold.s ? x->fold.s : "", x->fold.len, x->v);
				llmr_cooc_embed_folded(x->cooc, x->fold.s ? x->fold.s : "", x->fold.len,
						       x->cv);
				c = (float)((1 - COOC_BLEND) * llmr_embed_cosine(x->qv, x->v, x->dim) +
					    COOC_BLEND * llmr_embed_cosine(x->qc, x->cv, LLMR_COOC_DIM));
				sqlite3_reset(x->st);
				return c;
			}
			llmr_embed_local(x->in.s, x->in.len, x->v);
		} else {
			have = llmr_embed_dequantize(sqlite3_column_blob(x->st, 2),
						     (size_t)sqlite3_column_bytes(x->st, 2), x->v,
						     x->dim) == 0;
		}
		if (have)
			c = llmr_embed_cosine(x->qv, x->v, x->dim);
	}
	sqlite3_reset(x->st);
	return c;
}

/* Steps of exact search from the best graph candidates (LEANN-style). */
#define EXACT_EXPAND 12

/*
 * Score what the graph did not: the keyword candidates, and chunks newer
 * than the graph (a run killed before its graph step). scored[0..nscored)
 * is sorted (already scored ids).
 */
static int score_rest(sqlite3 *db, int64_t coll, int64_t upto, const struct list *lex,
		      const int64_t *scored, size_t nscored, struct exact_ctx *x, struct list *l,
		      struct llmr_err *e)
{
	size_t cap = lex->n + 64, ncand = 0, i;
	int64_t *cand = llmr_xmalloc(cap * sizeof(*cand));
	sqlite3_stmt *st;

	for (i = 0; i < lex->n; i++)
		cand[ncand++] = lex->v[i].id;
	if (sqlite3_prepare_v2(db, "SELECT id FROM idx_chunks WHERE coll=? AND id>?", -1, &st,
			       NULL) != SQLITE_OK) {
		free(cand);
		return dberr(db, e, "chunks");
	}
	sqlite3_bind_int64(st, 1, coll);
	sqlite3_bind_int64(st, 2, upto);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (ncand == cap) {
			cap *= 2;
			cand = llmr_xrealloc(cand, cap * sizeof(*cand));
		}
		cand[ncand++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	ncand = dedup(cand, ncand);
	for (i = 0; i < ncand; i++) {
		float c;

		if (nscored && bsearch(&cand[i], scored, nscored, sizeof(*scored), cmp_id))
			continue;
		c = exact_score(x, cand[i]);
		if (!isnan(c) && c >= VECTOR_FLOOR)
			push(l, cand[i], c);
	}
	free(cand);
	return 0;
}

/*
 * Candidates re-scored by brute force over the packed sketches
 * (ann_scan.c), when the graph has its node-to-chunk map; else by walking
 * the graph (ann_store.c). SCAN_RERANK is how many sketch candidates are
 * scored exactly from their stored vectors. At 100,000 chunks
 * (tests/bench/search.sh), recall@10 against exact search, short/long
 * queries: 0.948/0.919 with 1000, 0.976/0.970 with 3000, 0.981/0.980
 * with 5000; each costs about
 * 1.2 us of CPU (one blob read and an int8 dot product), the scan ~8 ms.
 */
#define SCAN_RERANK 5000

static float dot(const float *a, const float *b, size_t n)
{
	float s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

static int ann_candidates(sqlite3 *db, int64_t coll, const uint64_t *qs, const float *lut,
			  size_t ef, struct exact_ctx *x, int64_t *scored, float *scores,
			  size_t cap, size_t *nscored, int64_t *upto, struct llmr_err *e)
{
	size_t i, k = 0;
	/* API embedders keep their vectors in the chunk rows, a read each
	 * (~5 us): for them the graph walk scores fewer. */
	int rc = x->vst ? llmr_ann_scan_db(db, coll, lut, SCAN_RERANK, scored, nscored, upto, e) : 1;

	if (rc < 0)
		return -1;
	if (rc == 1)
		return llmr_ann_search_db(db, coll, qs, lut, ef, exact_score, x, EXACT_EXPAND,
					  scored, scores, cap, nscored, upto, e);
	llmr_ann_vec_scores(db, x->qv, x->qnorm, scored, *nscored, scores);
	for (i = 0; i < *nscored; i++) {
		float s = scores[i];

		if (isnan(s)) /* no stored vector: embed it again */
			s = exact_score(x, scored[i]);
		scored[k] = scored[i];
		scores[k++] = isnan(s) ? -2.0f : s;
	}
	*nscored = k;
	return 0;
}

static int vector_list(struct llmr_state *sst, sqlite3 *db, const struct llmr_config *cfg, int64_t coll,
		       const char *emb_spec, const char *query, size_t n, size_t ef,
		       const struct list *lex, struct list *l, struct llmr_err *e)
{
	struct llmr_embedder *em;
	struct exact_ctx x;
	float *qv = NULL, *scores = NULL;
	llmr_sketch qs;
	float proj[LLMR_SKETCH_BITS], lut[LLMR_ANN_LUT_SIZE];
	int64_t *scored = NULL, upto = 0;
	size_t cap, nscored = 0, i;
	int rc = 0;

	memset(&x, 0, sizeof(x));
	if (llmr_embedder_open(cfg, emb_spec, &em, e) < 0)
		return -1;
	em->st = sst;
	if (llmr_embedder_embed(em, &query, 1, &qv, e) < 0) {
		llmr_embedder_free(em);
		return -1;
	}
	llmr_embed_sketch(qv, em->dim, qs);
	llmr_embed_project(qv, em->dim, proj);
	llmr_ann_lut(proj, lut);
	if (sqlite3_prepare_v2(db, "SELECT heading, text, vec FROM idx_chunks WHERE id=?", -1, &x.st,
			       NULL) != SQLITE_OK) {
		rc = dberr(db, e, "chunks");
		goto out;
	}
	if (em->cooc && llmr_cooc_load(db, coll, &x.cooc, e) < 0) {
		rc = -1;
		goto out;
	}
	if (x.cooc)
		x.qknown = llmr_cooc_embed(x.cooc, query, strlen(query), x.qc);
	x.em = em;
	x.qv = qv;
	x.dim = em->dim;
	x.v = llmr_xmalloc((em->dim ? em->dim : 1) * sizeof(float));
	if (em->local && !em->cooc && em->dim == LLMR_EMBED_LOCAL_DIM) {
		x.qnorm = sqrtf(dot(qv, qv, em->dim));
		if (sqlite3_prepare_v2(db, "SELECT q FROM idx_ann_vec WHERE chunk=?", -1, &x.vst,
				       NULL) != SQLITE_OK)
			x.vst = NULL; /* a state file before the migration: re-embed */
	}
	cap = ef + EXACT_EXPAND * LLMR_ANN_M0;
	if (cap < SCAN_RERANK)
		cap = SCAN_RERANK;
	scored = llmr_xmalloc(cap * sizeof(*scored));
	scores = llmr_xmalloc(cap * sizeof(*scores));
	if ((rc = ann_candidates(db, coll, qs, lut, ef, &x, scored, scores, cap, &nscored, &upto,
				 e)) < 0)
		goto out;
	for (i = 0; i < nscored; i++)
		if (scores[i] >= VECTOR_FLOOR)
			push(l, scored[i], scores[i]);
	nscored = dedup(scored, nscored);
	if ((rc = score_rest(db, coll, upto, lex, scored, nscored, &x, l, e)) < 0)
		goto out;
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), by_score);
	if (l->n > n)
		l->n = n;
out:
	sqlite3_finalize(x.st);
	sqlite3_finalize(x.vst);
	llmr_buf_release(&x.in);
	llmr_buf_release(&x.fold);
	free(x.v);
	llmr_cooc_free(x.cooc);
	free(scored);
	free(scores);
	free(qv);
	llmr_embedder_free(em);
	return rc;
}

int llmr_search(struct llmr_state *st, const struct llmr_config *cfg,
		const struct llmr_search_opts *o, const char *query, struct llmr_hits *out,
		struct llmr_err *e)
{
	sqlite3 *db = llmr_state_db(st);
	struct list bl = {0}, vl = {0}, fl = {0};
	const struct list *final;
	const char *name = o->collection ? o->collection : "default";
	size_t k = o->k ? o->k : 10, depth = k * 5 > 50 ? k * 5 : 50;
	size_t ef = o->ef ? o->ef : (k * 8 > 128 ? k * 8 : 128);
	double wb = o->bm25_weight, wv = o->vector_weight;
	char *emb = NULL;
	int64_t coll;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->collection = llmr_xstrdup(name);
	if (wb < 0)
		wb = cfg && cfg->index_bm25_weight >= 0 ? cfg->index_bm25_weight : 1.0;
	if (wv < 0)
		wv = cfg && cfg->index_vector_weight >= 0 ? cfg->index_vector_weight : -1;
	coll = llmr_index_collection(db, name, &emb, NULL, e);
	if (coll <= 0)
		return (int)coll;
	if (wv < 0) /* unset: the statistical embedder weighs half (search_fuse.c) */
		wv = llmr_embed_is_local(emb) ? LOCAL_VECTOR_WEIGHT : 1.0;
	/* A search reads the sketches and scattered chunks: map the file
	 * rather than copy pages through read(), and keep them cached for the
	 * next query of a long-lived process. Only this connection changes. */
	sqlite3_exec(db, "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-65536", NULL, NULL, NULL);
	/* One keyword query serves both the BM25 ranking (its head) and the
	 * vector candidates (all of it). */
	rc = bm25_list(db, coll, query, o->mode == LLMR_SEARCH_BM25 ? depth : LEX_CANDIDATES, &bl, e);
	if (rc == 0 && o->mode != LLMR_SEARCH_BM25)
		rc = vector_list(st, db, cfg, coll, emb, query, depth, ef, &bl, &vl, e);
	if (bl.n > depth)
		bl.n = depth;
	if (rc == 0) {
		if (o->mode == LLMR_SEARCH_BM25)
			final = &bl;
		else if (o->mode == LLMR_SEARCH_VECTOR)
			final = &vl;
		else {
			llmr_search_fuse(bl.v, bl.n, wb, vl.v, vl.n, wv, &fl.v, &fl.n);
			final = &fl;
		}
		rc = llmr_search_fill(db, coll, final->v, final->n, k, o->by_doc, out, e);
	}
	free(bl.v);
	free(vl.v);
	free(fl.v);
	free(emb);
	return rc;
}
