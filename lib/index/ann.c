#include "index/ann.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Heap entries pack (distance, node) so that one compare orders both. */
#define PACK(d, n) (((uint64_t)(uint32_t)(d) << 32) | (uint32_t)(n))
#define DIST(x) ((int)((x) >> 32))
#define NODE(x) ((uint32_t)(x))

struct heap {
	uint64_t *v;
	size_t n, cap;
	int max; /* max-heap when set */
};

static int before(const struct heap *h, uint64_t a, uint64_t b)
{
	return h->max ? a > b : a < b;
}

static void hpush(struct heap *h, uint64_t x)
{
	size_t i;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->v = llmr_xrealloc(h->v, h->cap * sizeof(*h->v));
	}
	i = h->n++;
	while (i > 0 && before(h, x, h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
}

static uint64_t hpop(struct heap *h)
{
	uint64_t top = h->v[0], x = h->v[--h->n];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && before(h, h->v[c + 1], h->v[c]))
			c++;
		if (!before(h, h->v[c], x))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = x;
	return top;
}

static size_t slot(int level)
{
	return level == 0 ? 0 : (LLMR_ANN_M0 + 1) + (size_t)(level - 1) * (LLMR_ANN_M + 1);
}

static int cap_at(int level)
{
	return level == 0 ? LLMR_ANN_M0 : LLMR_ANN_M;
}

/* The greedy beam search of one level (HNSW's SEARCH-LAYER). res is a
 * max-heap left holding the ef nearest found. */
static void search_layer(struct llmr_ann_view *v, const uint64_t *q, uint64_t *eps, size_t neps,
			 size_t ef, int level, struct heap *res, struct heap *cand)
{
	size_t i;

	res->n = cand->n = 0;
	if (++*v->stamp == 0) {
		memset(v->visited, 0, v->n * sizeof(*v->visited));
		*v->stamp = 1;
	}
	for (i = 0; i < neps; i++) {
		v->visited[NODE(eps[i])] = *v->stamp;
		hpush(cand, eps[i]);
		hpush(res, eps[i]);
	}
	while (cand->n) {
		uint64_t c = hpop(cand);
		const uint32_t *l;
		uint32_t k;

		if (res->n >= ef && DIST(c) > DIST(res->v[0]))
			break;
		l = v->links(v->ud, NODE(c), level);
		for (k = 0; l && k < l[0]; k++) {
			uint32_t nb = l[1 + k];
			const uint64_t *s;
			int d;

			if (nb >= v->n || v->visited[nb] == *v->stamp)
				continue;
			v->visited[nb] = *v->stamp;
			s = v->sketch(v->ud, nb);
			if (!s)
				continue;
			d = llmr_ann_view_dist(v, q, s);
			if (res->n < ef || d < DIST(res->v[0])) {
				hpush(cand, PACK(d, nb));
				hpush(res, PACK(d, nb));
				if (res->n > ef)
					hpop(res);
			}
		}
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

size_t llmr_ann_search_view(struct llmr_ann_view *v, const uint64_t *q, size_t ef,
			    uint32_t *out, size_t max)
{
	struct heap res = {NULL, 0, 0, 1}, cand = {NULL, 0, 0, 0};
	uint64_t ep;
	size_t i, n;
	int l;

	if (v->entry < 0 || !v->n)
		return 0;
	ep = PACK(llmr_ann_view_dist(v, q, v->sketch(v->ud, (uint32_t)v->entry)), v->entry);
	for (l = v->maxlevel; l > 0; l--) {
		search_layer(v, q, &ep, 1, 1, l, &res, &cand);
		while (res.n > 1)
			hpop(&res);
		ep = res.v[0];
	}
	search_layer(v, q, &ep, 1, ef < 1 ? 1 : ef, 0, &res, &cand);
	if (res.n > 1)
		qsort(res.v, res.n, sizeof(*res.v), cmp_u64);
	n = res.n < max ? res.n : max;
	for (i = 0; i < n; i++)
		out[i] = NODE(res.v[i]);
	free(res.v);
	free(cand.v);
	return n;
}

void llmr_ann_init(struct llmr_ann *a)
{
	memset(a, 0, sizeof(*a));
	a->entry = -1;
	a->rng = 0x2545f4914f6cdd1dULL;
}

void llmr_ann_release(struct llmr_ann *a)
{
	uint32_t i;

	for (i = 0; i < a->n; i++)
		free(a->links[i]);
	free(a->links);
	free(a->sk);
	free(a->chunk);
	free(a->level);
	free(a->dirty);
	free(a->indeg);
	free(a->visited);
	llmr_ann_init(a);
}

static const uint64_t *mem_sketch(void *ud, uint32_t node)
{
	return ((struct llmr_ann *)ud)->sk[node];
}

static const uint32_t *mem_links(void *ud, uint32_t node, int level)
{
	struct llmr_ann *a = ud;

	if (level > a->level[node])
		return NULL;
	return a->links[node] + slot(level);
}

static void view_of(struct llmr_ann *a, struct llmr_ann_view *v)
{
	v->sketch = mem_sketch;
	v->links = mem_links;
	v->ud = a;
	v->n = a->n;
	v->entry = a->entry;
	v->maxlevel = a->maxlevel;
	v->visited = a->visited;
	v->stamp = &a->stamp;
	v->lut = NULL;
}

static int random_level(struct llmr_ann *a)
{
	double u;
	int l;

	a->rng ^= a->rng << 13;
	a->rng ^= a->rng >> 7;
	a->rng ^= a->rng << 17;
	u = (double)((a->rng >> 11) + 1) / 9007199254740993.0;
	l = (int)floor(-log(u) / log((double)LLMR_ANN_M));
	return l > 15 ? 15 : l;
}

/*
 * HNSW's neighbour heuristic: take candidates nearest first, skipping one
 * that is nearer to an already chosen neighbour than to the base, so links
 * spread in all directions; fill up with the skipped ones.
 */
static size_t select_neighbors(struct llmr_ann *a, uint64_t *c, size_t nc, int m, uint32_t *out)
{
	size_t i, j, n = 0, nskip = 0;
	uint64_t *skipped = llmr_xmalloc((nc ? nc : 1) * sizeof(*skipped));

	/* Insertion sort: the lists are short (a few dozen), and qsort's
	 * merge sort allocates. */
	for (i = 1; i < nc; i++) {
		uint64_t x = c[i];

		for (j = i; j > 0 && c[j - 1] > x; j--)
			c[j] = c[j - 1];
		c[j] = x;
	}
	for (i = 0; i < nc && n < (size_t)m; i++) {
		int good = 1;

		for (j = 0; j < n && good; j++)
			if (llmr_ann_dist(a->sk[NODE(c[i])], a->sk[out[j]]) < DIST(c[i]))
				good = 0;
		if (good)
			out[n++] = NODE(c[i]);
		else
			skipped[nskip++] = c[i];
	}
	for (i = 0; i < nskip && n < (size_t)m; i++)
		out[n++] = NODE(skipped[i]);
	free(skipped);
	return n;
}

static void grow(struct llmr_ann *a)
{
	uint32_t cap = a->cap ? a->cap * 2 : 1024;

	a->sk = llmr_xrealloc(a->sk, cap * sizeof(*a->sk));
	a->chunk = llmr_xrealloc(a->chunk, cap * sizeof(*a->chunk));
	a->level = llmr_xrealloc(a->level, cap);
	a->links = llmr_xrealloc(a->links, cap * sizeof(*a->links));
	a->dirty = llmr_xrealloc(a->dirty, cap);
	a->indeg = llmr_xrealloc(a->indeg, cap * sizeof(*a->indeg));
	memset(a->indeg + a->cap, 0, (cap - a->cap) * sizeof(*a->indeg));
	a->visited = llmr_xrealloc(a->visited, cap * sizeof(*a->visited));
	memset(a->visited + a->cap, 0, (cap - a->cap) * sizeof(*a->visited));
	a->cap = cap;
}

/* Link from -> to at level, pruning from's list when it is full (force:
 * even if to is the farthest, so that it is reachable). */
static void connect(struct llmr_ann *a, uint32_t from, uint32_t to, int level, int force)
{
	uint32_t *l = a->links[from] + slot(level);
	int m = cap_at(level);
	uint32_t k;

	a->dirty[from] = 1;
	for (k = 0; k < l[0]; k++)
		if (l[1 + k] == to)
			return;
	if ((int)l[0] < m) {
		l[1 + l[0]++] = to;
		if (level == 0)
			a->indeg[to]++;
		return;
	} else if (level == 0) {
		/* The wide bottom level is pruned cheaply: the new link
		 * replaces the farthest one if it is nearer. Running the
		 * heuristic here would cost O(M0^2) distances per link and
		 * dominate indexing time, for little recall at re-ranking.
		 * But a link that is the last one into its node is kept: the
		 * node could never be reached again. */
		int dnew = llmr_ann_dist(a->sk[from], a->sk[to]), worst = -1, any = -1;
		uint32_t wi = 0, ai = 0;

		for (k = 0; k < l[0]; k++) {
			int d = llmr_ann_dist(a->sk[from], a->sk[l[1 + k]]);

			if (d > worst && a->indeg[l[1 + k]] > 1) {
				worst = d;
				wi = k;
			}
			if (d > any) {
				any = d;
				ai = k;
			}
		}
		if (worst < 0 && !a->indeg[to]) { /* the new one needs it more */
			worst = any;
			wi = ai;
		}
		if (worst >= 0 && (dnew < worst || force)) {
			a->indeg[l[1 + wi]]--;
			l[1 + wi] = to;
			a->indeg[to]++;
		}
	} else {
		uint64_t c[LLMR_ANN_M0 + 1];
		uint32_t out[LLMR_ANN_M0];
		size_t n;

		for (k = 0; k < l[0]; k++)
			c[k] = PACK(llmr_ann_dist(a->sk[from], a->sk[l[1 + k]]), l[1 + k]);
		c[k++] = PACK(llmr_ann_dist(a->sk[from], a->sk[to]), to);
		n = select_neighbors(a, c, k, m, out);
		memcpy(l + 1, out, n * sizeof(*out));
		l[0] = (uint32_t)n;
	}
}

uint32_t llmr_ann_add(struct llmr_ann *a, int64_t chunk, const uint64_t *sk)
{
	struct heap res = {NULL, 0, 0, 1}, cand = {NULL, 0, 0, 0};
	struct llmr_ann_view v;
	uint32_t node, out[LLMR_ANN_M0];
	uint64_t ep;
	int level, l;
	size_t i, n;

	if (a->n == a->cap)
		grow(a);
	node = a->n++;
	memcpy(a->sk[node], sk, sizeof(llmr_sketch));
	a->chunk[node] = chunk;
	level = random_level(a);
	a->level[node] = (uint8_t)level;
	a->links[node] = llmr_xcalloc(slot(level) + (size_t)cap_at(level) + 1, sizeof(uint32_t));
	a->dirty[node] = 1;
	a->visited[node] = 0;
	if (a->entry < 0) {
		a->entry = node;
		a->maxlevel = level;
		return node;
	}
	view_of(a, &v);
	ep = PACK(llmr_ann_dist(sk, a->sk[a->entry]), a->entry);
	for (l = a->maxlevel; l > level; l--) {
		search_layer(&v, sk, &ep, 1, 1, l, &res, &cand);
		while (res.n > 1)
			hpop(&res);
		ep = res.v[0];
	}
	for (l = level < a->maxlevel ? level : a->maxlevel; l >= 0; l--) {
		uint64_t *w;
		uint32_t *mine = a->links[node] + slot(l);

		search_layer(&v, sk, &ep, 1, LLMR_ANN_EFC, l, &res, &cand);
		w = llmr_xmalloc(res.n * sizeof(*w));
		memcpy(w, res.v, res.n * sizeof(*w));
		n = select_neighbors(a, w, res.n, cap_at(l), out);
		/* select_neighbors sorted w: its first is the nearest. */
		ep = w[0];
		free(w);
		mine[0] = (uint32_t)n;
		memcpy(mine + 1, out, n * sizeof(*out));
		for (i = 0; l == 0 && i < n; i++)
			a->indeg[out[i]]++;
		for (i = 0; i < n; i++)
			connect(a, out[i], node, l, 0);
	}
	/* No neighbour took the new node (all had nearer ones): the nearest
	 * must, or nothing leads to it. */
	if (!a->indeg[node] && a->links[node][0])
		connect(a, a->links[node][1], node, 0, 1);
	if (level > a->maxlevel) {
		a->maxlevel = level;
		a->entry = node;
	}
	free(res.v);
	free(cand.v);
	return node;
}

void llmr_ann_count_indeg(struct llmr_ann *a)
{
	uint32_t i, k;

	free(a->indeg);
	a->indeg = llmr_xcalloc(a->cap ? a->cap : 1, sizeof(*a->indeg));
	for (i = 0; i < a->n; i++)
		for (k = 0; k < a->links[i][0]; k++)
			if (a->links[i][1 + k] < a->n && a->indeg[a->links[i][1 + k]] < UINT16_MAX)
				a->indeg[a->links[i][1 + k]]++;
}

size_t llmr_ann_repair(struct llmr_ann *a)
{
	uint32_t i, k;
	size_t fixed = 0;

	for (i = 0; i < a->n; i++) {
		const uint32_t *mine = a->links[i];
		uint32_t best = UINT32_MAX;
		int bd = INT32_MAX;

		if (a->indeg[i] || a->chunk[i] <= 0 || (int64_t)i == a->entry)
			continue;
		for (k = 0; k < mine[0]; k++) {
			int d = llmr_ann_dist(a->sk[i], a->sk[mine[1 + k]]);

			if (d < bd && a->chunk[mine[1 + k]] > 0) {
				bd = d;
				best = mine[1 + k];
			}
		}
		if (best == UINT32_MAX)
			continue;
		connect(a, best, i, 0, 1);
		fixed += a->indeg[i] > 0;
	}
	return fixed;
}

size_t llmr_ann_search(struct llmr_ann *a, const uint64_t *q, size_t ef, int64_t *out,
		       size_t max)
{
	struct llmr_ann_view v;
	uint32_t *nodes;
	size_t i, n;

	if (!a->n)
		return 0;
	nodes = llmr_xmalloc((max ? max : 1) * sizeof(*nodes));
	view_of(a, &v);
	n = llmr_ann_search_view(&v, q, ef, nodes, max);
	for (i = 0; i < n; i++)
		out[i] = a->chunk[nodes[i]];
	free(nodes);
	return n;
}
