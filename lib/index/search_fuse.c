#include <stdlib.h>

#include "index/search_impl.h"

/*
 * How far to trust the vector ranking of this query, 0..1: the margin of
 * its best cosine over the second. The hashing embedder scores many
 * chunks alike when the query shares no distinctive word with any; then
 * its first place is a coin toss, and fused at full weight it pushed good
 * keyword hits down (dev half of tests/bench/retrieval.sh: where the right
 * chunk was not in the vector top 10, the top two were within 20%).
 */
#define VECTOR_MARGIN 0.25

static double vector_confidence(const struct scored *v, size_t n)
{
	double m;

	if (n < 2 || v[0].score <= 0)
		return 1;
	m = (1 - v[1].score / v[0].score) / VECTOR_MARGIN;
	return m < 0 ? 0 : m > 1 ? 1 : m;
}

static int by_score(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Each side's score over its best (BM25's -bm25(), the cosine), weighted
 * and summed; a chunk missing from one list gets 0 from it. Reciprocal
 * rank fusion (k = 60) was tried first: it gives the tenth keyword hit
 * nearly the weight of the first, so a vector list that missed the answer
 * pulled a clear BM25 winner down (dev halves of tests/bench/retrieval.sh,
 * hybrid MRR@10: en 0.767 with RRF, 0.796 with scores; 0.815 with the
 * vector weight at 0.5, when BM25 alone had 0.815).
 */
static double part(const struct scored *l, size_t i)
{
	return l[0].score > 0 ? l[i].score / l[0].score : 0;
}

void llmr_search_fuse(const struct scored *b, size_t nb, double wb, const struct scored *v,
		      size_t nv, double wv, struct scored **out, size_t *nout)
{
	struct scored *o = llmr_xmalloc((nb + nv + 1) * sizeof(*o));
	size_t n = 0, i, j;
	double top;

	if (nb)
		wv *= vector_confidence(v, nv);
	top = wb + wv;
	for (i = 0; i < nb; i++) {
		o[n].id = b[i].id;
		o[n++].score = wb * part(b, i);
	}
	for (j = 0; j < nv; j++) {
		double s = wv * part(v, j);

		for (i = 0; i < n && o[i].id != v[j].id; i++)
			;
		if (i < n)
			o[i].score += s;
		else {
			o[n].id = v[j].id;
			o[n++].score = s;
		}
	}
	for (i = 0; i < n; i++)
		o[i].score = top > 0 ? o[i].score / top : 0;
	if (n > 1)
		qsort(o, n, sizeof(*o), by_score);
	*out = o;
	*nout = n;
}
