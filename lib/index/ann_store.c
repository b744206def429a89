#include "index/ann.h"
#include "index/index_impl.h"

#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t slot(int level)
{
	return level == 0 ? 0 : (LLMR_ANN_M0 + 1) + (size_t)(level - 1) * (LLMR_ANN_M + 1);
}

static int cap_at(int level)
{
	return level == 0 ? LLMR_ANN_M0 : LLMR_ANN_M;
}

static int dberr(sqlite3 *db, struct llmr_err *e, const char *what)
{
	return llmr_errf(e, LLMR_EX_SOFTWARE, "ann index: %s: %s", what, sqlite3_errmsg(db));
}

/* Expand a stored links blob (counts then ids, compact) into the in-memory
 * layout with room for every level's full list. NULL if malformed. */
static uint32_t *unpack_links(const void *blob, size_t len, int level)
{
	const unsigned char *p = blob;
	uint32_t *l = llmr_xcalloc(slot(level) + (size_t)cap_at(level) + 1, sizeof(uint32_t));
	size_t off = 0;
	int lv;

	for (lv = 0; lv <= level; lv++) {
		uint32_t cnt;

		if (off + 4 > len)
			goto bad;
		memcpy(&cnt, p + off, 4);
		off += 4;
		if (cnt > (uint32_t)cap_at(lv) || off + (size_t)cnt * 4 > len)
			goto bad;
		l[slot(lv)] = cnt;
		memcpy(l + slot(lv) + 1, p + off, (size_t)cnt * 4);
		off += (size_t)cnt * 4;
	}
	return l;
bad:
	free(l);
	return NULL;
}

static void *pack_links(const uint32_t *l, int level, size_t *len)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	int lv;

	for (lv = 0; lv <= level; lv++)
		llmr_buf_add(&b, l + slot(lv), (size_t)(l[slot(lv)] + 1) * 4);
	*len = b.len;
	return llmr_buf_detach(&b);
}

static int read_meta(sqlite3 *db, int64_t coll, uint32_t *n, int64_t *entry, int *maxlevel,
		     int64_t *upto, struct llmr_err *e)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	*entry = -1;
	*maxlevel = 0;
	*upto = 0;
	if (sqlite3_prepare_v2(db, "SELECT n, entry, maxlevel, upto FROM idx_ann_meta WHERE coll=?",
			       -1, &st, NULL) != SQLITE_OK)
		return dberr(db, e, "meta");
	sqlite3_bind_int64(st, 1, coll);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n = (uint32_t)sqlite3_column_int64(st, 0);
		*entry = sqlite3_column_int64(st, 1);
		*maxlevel = sqlite3_column_int(st, 2);
		*upto = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return dberr(db, e, "meta");
	return 0;
}

static int read_sketches(sqlite3 *db, int64_t coll, llmr_sketch *sk, uint32_t n,
			 struct llmr_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT block, data FROM idx_ann_sk WHERE coll=?", -1, &st,
			       NULL) != SQLITE_OK)
		return dberr(db, e, "sketches");
	sqlite3_bind_int64(st, 1, coll);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t b = sqlite3_column_int64(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 1), first, cnt;
		const void *d = sqlite3_column_blob(st, 1);

		if (b < 0 || (uint64_t)b * LLMR_ANN_SK_BLOCK >= n)
			continue;
		first = (size_t)b * LLMR_ANN_SK_BLOCK;
		cnt = len / sizeof(llmr_sketch);
		if (first + cnt > n)
			cnt = n - first;
		if (d)
			memcpy(sk + first, d, cnt * sizeof(llmr_sketch));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : dberr(db, e, "sketches");
}

int llmr_ann_load(sqlite3 *db, int64_t coll, struct llmr_ann *a, int64_t *upto,
		  struct llmr_err *e)
{
	sqlite3_stmt *st;
	uint32_t n, i;
	int64_t entry;
	int maxlevel, rc;

	if (read_meta(db, coll, &n, &entry, &maxlevel, upto, e) < 0)
		return -1;
	if (!n)
		return 0;
	a->cap = n;
	a->sk = llmr_xcalloc(n, sizeof(*a->sk));
	a->chunk = llmr_xcalloc(n, sizeof(*a->chunk));
	a->level = llmr_xcalloc(n, 1);
	a->links = llmr_xcalloc(n, sizeof(*a->links));
	a->dirty = llmr_xcalloc(n, 1);
	a->visited = llmr_xcalloc(n, sizeof(*a->visited));
	if (read_sketches(db, coll, a->sk, n, e) < 0)
		return -1;
	if (sqlite3_prepare_v2(db,
			       "SELECT node, chunk, level, links FROM idx_ann_node WHERE coll=?"
			       " ORDER BY node",
			       -1, &st, NULL) != SQLITE_OK)
		return dberr(db, e, "nodes");
	sqlite3_bind_int64(st, 1, coll);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t node = sqlite3_column_int64(st, 0);
		int level = sqlite3_column_int(st, 2);

		if (node < 0 || node >= n || level < 0 || level > 15 || a->links[node])
			continue;
		a->chunk[node] = sqlite3_column_int64(st, 1);
		a->level[node] = (uint8_t)level;
		a->links[node] = unpack_links(sqlite3_column_blob(st, 3),
					      (size_t)sqlite3_column_bytes(st, 3), level);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return dberr(db, e, "nodes");
	a->n = n;
	for (i = 0; i < n; i++) {
		if (!a->links[i]) {
			/* A hole would break the invariants: treat it as
			 * a bare tombstone so the graph still loads. */
			a->links[i] = llmr_xcalloc(slot(0) + LLMR_ANN_M0 + 1, sizeof(uint32_t));
			a->level[i] = 0;
			a->chunk[i] = 0;
			a->dirty[i] = 1;
		}
	}
	a->entry = entry >= 0 && entry < n ? entry : 0;
	a->maxlevel = a->level[a->entry];
	(void)maxlevel;
	a->loaded_n = n;
	llmr_ann_count_indeg(a);
	return 0;
}

int llmr_ann_drop(sqlite3 *db, int64_t coll, struct llmr_err *e)
{
	if (llmr_index_exec_coll(db, "DELETE FROM idx_ann_node WHERE coll=?", coll, e) < 0 ||
	    llmr_index_exec_coll(db, "DELETE FROM idx_ann_sk WHERE coll=?", coll, e) < 0 ||
	    llmr_index_exec_coll(db, "DELETE FROM idx_ann_ids WHERE coll=?", coll, e) < 0 ||
	    llmr_index_exec_coll(db, "DELETE FROM idx_ann_meta WHERE coll=?", coll, e) < 0)
		return -1;
	return 0;
}

int llmr_ann_save(sqlite3 *db, int64_t coll, struct llmr_ann *a, int64_t upto, int rebuilt,
		  struct llmr_err *e)
{
	sqlite3_stmt *st = NULL;
	uint32_t i, b, first_block;
	int rc = 0;

	if (rebuilt && llmr_ann_drop(db, coll, e) < 0)
		return -1;
	if (sqlite3_prepare_v2(db,
			       "INSERT OR REPLACE INTO idx_ann_node(coll, node, chunk, level, links)"
			       " VALUES (?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return dberr(db, e, "nodes");
	for (i = 0; i < a->n && !rc; i++) {
		size_t len;
		void *blob;

		if (!a->dirty[i] && !rebuilt)
			continue;
		blob = pack_links(a->links[i], a->level[i], &len);
		sqlite3_bind_int64(st, 1, coll);
		sqlite3_bind_int64(st, 2, i);
		sqlite3_bind_int64(st, 3, a->chunk[i]);
		sqlite3_bind_int(st, 4, a->level[i]);
		sqlite3_bind_blob(st, 5, blob, (int)len, free);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = dberr(db, e, "nodes");
		sqlite3_reset(st);
		a->dirty[i] = 0;
	}
	sqlite3_finalize(st);
	if (rc)
		return -1;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO idx_ann_sk(coll, block, data) VALUES (?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return dberr(db, e, "sketches");
	/* Only blocks holding new nodes changed: sketches never move. */
	first_block = rebuilt ? 0 : a->loaded_n / LLMR_ANN_SK_BLOCK;
	for (b = first_block; (size_t)b * LLMR_ANN_SK_BLOCK < a->n && !rc; b++) {
		uint32_t lo = b * LLMR_ANN_SK_BLOCK, cnt = a->n - lo;

		if (cnt > LLMR_ANN_SK_BLOCK)
			cnt = LLMR_ANN_SK_BLOCK;
		sqlite3_bind_int64(st, 1, coll);
		sqlite3_bind_int64(st, 2, b);
		sqlite3_bind_blob(st, 3, a->sk + lo, (int)(cnt * sizeof(llmr_sketch)), SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = dberr(db, e, "sketches");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (rc || llmr_ann_save_ids(db, coll, a, rebuilt ? 0 : a->loaded_n, e) < 0)
		return -1;
	if (sqlite3_prepare_v2(db,
			       "INSERT OR REPLACE INTO idx_ann_meta(coll, n, entry, maxlevel, upto, built_ms)"
			       " VALUES (?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return dberr(db, e, "meta");
	sqlite3_bind_int64(st, 1, coll);
	sqlite3_bind_int64(st, 2, a->n);
	sqlite3_bind_int64(st, 3, a->entry);
	sqlite3_bind_int(st, 4, a->maxlevel);
	sqlite3_bind_int64(st, 5, upto);
	sqlite3_bind_int64(st, 6, llmr_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = dberr(db, e, "meta");
	sqlite3_finalize(st);
	a->loaded_n = a->n;
	return rc;
}

/* The lazily read graph behind llmr_ann_search_db. */
struct lazy {
	sqlite3_stmt *st;
	int64_t coll;
	llmr_sketch *sk;
	uint32_t **links; /* per node, NULL until read */
	int64_t *chunk;
	uint8_t *level;
	int failed;
};

static const uint64_t *lazy_sketch(void *ud, uint32_t node)
{
	return ((struct lazy *)ud)->sk[node];
}

static int lazy_fetch(struct lazy *z, uint32_t node)
{
	int level;

	if (z->links[node])
		return 0;
	sqlite3_bind_int64(z->st, 1, z->coll);
	sqlite3_bind_int64(z->st, 2, node);
	if (sqlite3_step(z->st) == SQLITE_ROW) {
		level = sqlite3_column_int(z->st, 1);
		if (level >= 0 && level <= 15) {
			z->chunk[node] = sqlite3_column_int64(z->st, 0);
			z->level[node] = (uint8_t)level;
			z->links[node] = unpack_links(sqlite3_column_blob(z->st, 2),
						      (size_t)sqlite3_column_bytes(z->st, 2), level);
		}
	}
	sqlite3_reset(z->st);
	return z->links[node] ? 0 : -1;
}

static const uint32_t *lazy_links(void *ud, uint32_t node, int level)
{
	struct lazy *z = ud;

	if (lazy_fetch(z, node) < 0 || level > z->level[node])
		return NULL;
	return z->links[node] + slot(level);
}

#define SKETCH_BEAM 8
/* Neighbours of one node worth scoring exactly, best by sketch first. */
#define EXACT_PER_STEP 3

static void score_node(struct lazy *z, uint32_t nd, llmr_ann_exact_fn exact, void *ud,
		       uint32_t *node, int64_t *out, float *scores, size_t *k)
{
	float s = exact(ud, z->chunk[nd]);

	node[*k] = nd;
	out[*k] = z->chunk[nd];
	scores[(*k)++] = isnan(s) ? -2.0f : s;
}

/*
 * The exact phase of llmr_ann_search_db: score the graph's candidates,
 * then walk on exact scores from the best of them. The walk spends a
 * budget of expand * LLMR_ANN_M0 exact scores, but on the few neighbours
 * of each node the sketch ranks best rather than on all of them: so it
 * goes several times farther for the same cost (recall@10 against brute
 * force, short queries, tests/unit/ann_recall.c: 0.955 walking all
 * neighbours, 0.982 walking the best 3; 2 to 4 do as well at 100,000).
 */
static size_t exact_phase(struct lazy *z, struct llmr_ann_view *v, const uint64_t *q,
			  const uint32_t *nodes, size_t got, llmr_ann_exact_fn exact, void *ud,
			  size_t expand, int64_t *out, float *scores, size_t max)
{
	uint8_t *seen = llmr_xcalloc(v->n, 1), *done = llmr_xcalloc(max ? max : 1, 1);
	uint32_t *node = llmr_xmalloc((max ? max : 1) * sizeof(*node));
	size_t k = 0, i, limit;

	for (i = 0; i < got && k < max; i++) {
		seen[nodes[i]] = 1;
		if (lazy_fetch(z, nodes[i]) == 0 && z->chunk[nodes[i]] > 0)
			score_node(z, nodes[i], exact, ud, node, out, scores, &k);
	}
	limit = k + expand * LLMR_ANN_M0 < max ? k + expand * LLMR_ANN_M0 : max;
	while (k < limit) {
		size_t best = k, nc = 0;
		uint64_t cand[LLMR_ANN_M0];
		const uint32_t *l;
		uint32_t j;

		for (i = 0; i < k; i++)
			if (!done[i] && (best == k || scores[i] > scores[best]))
				best = i;
		if (best == k)
			break;
		done[best] = 1;
		l = lazy_links(z, node[best], 0);
		for (j = 0; l && j < l[0] && j < LLMR_ANN_M0; j++) {
			uint32_t nb = l[1 + j];

			if (nb >= v->n || seen[nb])
				continue;
			seen[nb] = 1;
			if (lazy_fetch(z, nb) == 0 && z->chunk[nb] > 0)
				cand[nc++] = ((uint64_t)(uint32_t)llmr_ann_view_dist(v, q, z->sk[nb]) << 32) | nb;
		}
		if (nc > 1)
			qsort(cand, nc, sizeof(*cand), cmp_u64);
		for (j = 0; j < nc && j < EXACT_PER_STEP && k < limit; j++)
			score_node(z, (uint32_t)cand[j], exact, ud, node, out, scores, &k);
		for (; j < nc; j++) /* not scored now: may come again from another */
			seen[(uint32_t)cand[j]] = 0;
	}
	free(seen);
	free(done);
	free(node);
	return k;
}

int llmr_ann_search_db(sqlite3 *db, int64_t coll, const uint64_t *q, const float *lut,
		       size_t ef, llmr_ann_exact_fn exact, void *ud, size_t expand, int64_t *out,
		       float *scores, size_t max, size_t *nout, int64_t *upto,
		       struct llmr_err *e)
{
	struct llmr_ann_view v;
	struct lazy z;
	uint32_t n, *nodes, stamp = 0, i;
	int64_t entry;
	int maxlevel, rc = 0;
	size_t got, k = 0;

	*nout = 0;
	if (read_meta(db, coll, &n, &entry, &maxlevel, upto, e) < 0)
		return -1;
	if (!n || entry < 0 || entry >= n)
		return 0;
	memset(&z, 0, sizeof(z));
	z.coll = coll;
	if (sqlite3_prepare_v2(db, "SELECT chunk, level, links FROM idx_ann_node WHERE coll=? AND node=?",
			       -1, &z.st, NULL) != SQLITE_OK)
		return dberr(db, e, "nodes");
	z.sk = llmr_xcalloc(n, sizeof(*z.sk));
	z.links = llmr_xcalloc(n, sizeof(*z.links));
	z.chunk = llmr_xcalloc(n, sizeof(*z.chunk));
	z.level = llmr_xcalloc(n, 1);
	v.visited = llmr_xcalloc(n, sizeof(*v.visited));
	if (read_sketches(db, coll, z.sk, n, e) < 0) {
		rc = -1;
		goto out;
	}
	v.sketch = lazy_sketch;
	v.links = lazy_links;
	v.ud = &z;
	v.n = n;
	v.entry = entry;
	v.maxlevel = maxlevel;
	v.stamp = &stamp;
	v.lut = lut;
	nodes = llmr_xmalloc((max ? max : 1) * sizeof(*nodes));
	/* Before an exact phase, a beam of SKETCH_BEAM x ef on sketch
	 * distances, which cost little, and only its best ef scored exactly: a narrow beam misses the true
	 * neighbours of short queries (tests/unit/ann_recall.c). */
	got = llmr_ann_search_view(&v, q, exact && scores ? ef * SKETCH_BEAM : ef, nodes, max);
	if (got > ef)
		got = ef;
	if (exact && scores) {
		k = exact_phase(&z, &v, q, nodes, got, exact, ud, expand, out, scores, max);
	} else {
		for (i = 0; i < got; i++)
			if (lazy_fetch(&z, nodes[i]) == 0 && z.chunk[nodes[i]] > 0)
				out[k++] = z.chunk[nodes[i]];
	}
	*nout = k;
	free(nodes);
out:
	for (i = 0; i < n; i++)
		free(z.links[i]);
	free(z.links);
	free(z.sk);
	free(z.chunk);
	free(z.level);
	free(v.visited);
	sqlite3_finalize(z.st);
	return rc;
}
