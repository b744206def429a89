#include "index/cooc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "index/embed.h"

/* Letters kept of a word: a crude stem that joins most inflections. */
#define STEM 6
/* Words either side that count as its company. */
#define WINDOW 5
/* Entries kept per row of the PPMI matrix (the largest): frequent words
 * meet nearly every other one, and a dense matrix would make the
 * eigendecomposition quadratic in the vocabulary. */
#define ROW_KEEP 128
/* Distinct pairs counted at most (the table then takes 64 MB). */
#define MAX_PAIRS (1u << 21)

static void words_folded(const char *p, size_t n, void (*fn)(void *, uint64_t), void *ud)
{
	const char *end = p + n;

	while (p < end) {
		const char *w = p;
		size_t wl, i;
		uint64_t k = 0;

		while (p < end && *p != ' ')
			p++;
		wl = (size_t)(p - w);
		while (p < end && *p == ' ')
			p++;
		if (!wl || llmr_embed_stopword(w, wl) || (w[0] >= '0' && w[0] <= '9'))
			continue;
		for (i = 0; i < wl && i < STEM; i++)
			k |= (uint64_t)(unsigned char)w[i] << (8 * i);
		fn(ud, k);
	}
}

void llmr_cooc_words(const char *text, size_t n, void (*fn)(void *, uint64_t), void *ud)
{
	struct llmr_buf f = LLMR_BUF_INIT;

	llmr_embed_fold(text, n, &f);
	words_folded(f.s ? f.s : "", f.len, fn, ud);
	llmr_buf_release(&f);
}

static size_t mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k;
}

/* --- counting words ------------------------------------------------------ */

struct vent {
	uint64_t key;
	uint32_t count, df;
	long last; /* last text it was seen in (for df) */
};

struct vocab {
	struct vent *t;
	size_t cap, n;
	long text;
	size_t tokens;
};

static void vocab_grow(struct vocab *v);

static void vocab_add(void *ud, uint64_t k)
{
	struct vocab *v = ud;
	size_t i;

	if (v->tokens >= LLMR_COOC_MAX_TOKENS)
		return;
	v->tokens++;
	if ((v->n + 1) * 2 > v->cap)
		vocab_grow(v);
	for (i = mix(k) & (v->cap - 1); v->t[i].key && v->t[i].key != k; i = (i + 1) & (v->cap - 1))
		;
	if (!v->t[i].key) {
		v->t[i].key = k;
		v->t[i].last = -1;
		v->n++;
	}
	v->t[i].count++;
	if (v->t[i].last != v->text) {
		v->t[i].last = v->text;
		v->t[i].df++;
	}
}

static void vocab_grow(struct vocab *v)
{
	struct vocab b = {0};
	size_t i, j;

	b.cap = v->cap ? v->cap * 2 : 4096;
	b.t = llmr_xcalloc(b.cap, sizeof(*b.t));
	for (i = 0; i < v->cap; i++) {
		if (!v->t[i].key)
			continue;
		for (j = mix(v->t[i].key) & (b.cap - 1); b.t[j].key; j = (j + 1) & (b.cap - 1))
			;
		b.t[j] = v->t[i];
	}
	free(v->t);
	v->t = b.t;
	v->cap = b.cap;
}

static int by_count(const void *a, const void *b)
{
	const struct vent *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* --- the model's look-up table ------------------------------------------ */

void llmr_cooc_index(struct llmr_cooc *m)
{
	size_t i, j;

	for (m->tabcap = 64; m->tabcap < m->nwords * 2; m->tabcap *= 2)
		;
	free(m->tab);
	m->tab = llmr_xcalloc(m->tabcap, sizeof(*m->tab));
	for (i = 0; i < m->nwords; i++) {
		for (j = mix(m->key[i]) & (m->tabcap - 1); m->tab[j]; j = (j + 1) & (m->tabcap - 1))
			;
		m->tab[j] = (uint32_t)(i + 1);
	}
}

static long lookup(const struct llmr_cooc *m, uint64_t k)
{
	size_t j;

	if (!m->tabcap)
		return -1;
	for (j = mix(k) & (m->tabcap - 1); m->tab[j]; j = (j + 1) & (m->tabcap - 1))
		if (m->key[m->tab[j] - 1] == k)
			return (long)m->tab[j] - 1;
	return -1;
}

static void first_key(void *ud, uint64_t k)
{
	uint64_t *out = ud;

	if (!*out)
		*out = k;
}

long llmr_cooc_word(const struct llmr_cooc *m, const char *word)
{
	uint64_t k = 0;

	llmr_cooc_words(word, strlen(word), first_key, &k);
	return k ? lookup(m, k) : -1;
}

void llmr_cooc_free(struct llmr_cooc *m)
{
	if (!m)
		return;
	free(m->key);
	free(m->idf);
	free(m->vec);
	free(m->tab);
	free(m);
}

/* --- counting pairs ------------------------------------------------------ */

struct pent {
	uint64_t key; /* (i + 1) << 32 | (j + 1), i < j */
	float c;
};

struct pairs {
	const struct llmr_cooc *m;
	struct pent *t;
	size_t cap, n;
	uint32_t ring[WINDOW];
	size_t nring;
	size_t tokens;
	double *rowsum;
};

static void pairs_grow(struct pairs *p)
{
	size_t cap = p->cap ? p->cap * 2 : 1 << 16, i, j;
	struct pent *t = llmr_xcalloc(cap, sizeof(*t));

	for (i = 0; i < p->cap; i++) {
		if (!p->t[i].key)
			continue;
		for (j = mix(p->t[i].key) & (cap - 1); t[j].key; j = (j + 1) & (cap - 1))
			;
		t[j] = p->t[i];
	}
	free(p->t);
	p->t = t;
	p->cap = cap;
}

static void pair_add(struct pairs *p, uint32_t a, uint32_t b, float w)
{
	uint64_t k;
	size_t i;

	if (a == b)
		return;
	k = a < b ? ((uint64_t)(a + 1) << 32 | (b + 1)) : ((uint64_t)(b + 1) << 32 | (a + 1));
	if ((p->n + 1) * 2 > p->cap && p->n < MAX_PAIRS)
		pairs_grow(p);
	for (i = mix(k) & (p->cap - 1); p->t[i].key && p->t[i].key != k; i = (i + 1) & (p->cap - 1))
		;
	if (!p->t[i].key) {
		if (p->n >= MAX_PAIRS) /* full: only pairs already met count on */
			return;
		p->t[i].key = k;
		p->n++;
	}
	p->t[i].c += w;
	p->rowsum[a] += w;
	p->rowsum[b] += w;
}

static void pairs_word(void *ud, uint64_t k)
{
	struct pairs *p = ud;
	long w;
	size_t d;

	if (p->tokens >= LLMR_COOC_MAX_TOKENS)
		return;
	p->tokens++;
	w = lookup(p->m, k);
	if (w < 0)
		return;
	/* ring[(nring - d) % WINDOW] is the word d known words back. */
	for (d = 1; d <= WINDOW && d <= p->nring; d++)
		pair_add(p, (uint32_t)w, p->ring[(p->nring - d) % WINDOW], 1.0f / (float)d);
	p->ring[p->nring++ % WINDOW] = (uint32_t)w;
}

/* PPMI of the counted pairs, as a symmetric CSR matrix. */
static void ppmi_csr(const struct pairs *p, size_t v, uint32_t **rowptr, uint32_t **col,
		     float **val)
{
	double *ctx = llmr_xmalloc(v * sizeof(*ctx)), total = 0, ztot = 0;
	uint32_t *rp = llmr_xcalloc(v + 1, sizeof(*rp)), *fill;
	uint32_t *c;
	float *x;
	size_t i;

	for (i = 0; i < v; i++) {
		total += p->rowsum[i];
		ctx[i] = pow(p->rowsum[i], 0.75);
		ztot += ctx[i];
	}
	for (i = 0; i < p->cap; i++)
		if (p->t[i].key) {
			rp[(p->t[i].key >> 32) - 1 + 1]++;
			rp[(p->t[i].key & 0xffffffffu) - 1 + 1]++;
		}
	for (i = 0; i < v; i++)
		rp[i + 1] += rp[i];
	c = llmr_xmalloc((rp[v] + 1) * sizeof(*c));
	x = llmr_xmalloc((rp[v] + 1) * sizeof(*x));
	fill = llmr_xmalloc(v * sizeof(*fill));
	memcpy(fill, rp, v * sizeof(*fill));
	for (i = 0; i < p->cap; i++) {
		uint32_t a, b;
		double pab, pa, pb, pmi_ab, pmi_ba;

		if (!p->t[i].key)
			continue;
		a = (uint32_t)(p->t[i].key >> 32) - 1;
		b = (uint32_t)(p->t[i].key & 0xffffffffu) - 1;
		pab = p->t[i].c / total;
		pa = p->rowsum[a] / total;
		pb = p->rowsum[b] / total;
		/* Smoothed context probabilities, each way, then symmetrised. */
		pmi_ab = log(pab / (pa * (ctx[b] / ztot)));
		pmi_ba = log(pab / (pb * (ctx[a] / ztot)));
		pmi_ab = (pmi_ab + pmi_ba) / 2;
		if (pmi_ab < 0)
			pmi_ab = 0;
		c[fill[a]] = b;
		x[fill[a]++] = (float)pmi_ab;
		c[fill[b]] = a;
		x[fill[b]++] = (float)pmi_ab;
	}
	free(fill);
	free(ctx);
	*rowptr = rp;
	*col = c;
	*val = x;
}

/* The kept vocabulary: words seen at least twice, most frequent first. */
static struct llmr_cooc *choose_words(struct vocab *vc, long ntexts)
{
	struct llmr_cooc *m;
	size_t i, n = 0;

	for (i = 0; i < vc->cap; i++)
		if (vc->t[i].key && vc->t[i].count >= 2)
			vc->t[n++] = vc->t[i];
	if (n > 1)
		qsort(vc->t, n, sizeof(*vc->t), by_count);
	if (n > LLMR_COOC_MAX_WORDS)
		n = LLMR_COOC_MAX_WORDS;
	if (n < 2 * LLMR_COOC_DIM)
		return NULL;
	m = llmr_xcalloc(1, sizeof(*m));
	m->nwords = n;
	m->dim = LLMR_COOC_DIM;
	m->ntexts = ntexts;
	m->key = llmr_xmalloc(n * sizeof(*m->key));
	m->idf = llmr_xmalloc(n * sizeof(*m->idf));
	for (i = 0; i < n; i++) {
		m->key[i] = vc->t[i].key;
		m->idf[i] = (float)log(1.0 + (double)ntexts / vc->t[i].df);
	}
	llmr_cooc_index(m);
	return m;
}

static void normalise_rows(float *v, size_t n, size_t d)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		double s = 0;

		for (j = 0; j < d; j++)
			s += (double)v[i * d + j] * v[i * d + j];
		if (s > 0)
			for (j = 0; j < d; j++)
				v[i * d + j] = (float)(v[i * d + j] / sqrt(s));
	}
}

struct llmr_cooc *llmr_cooc_learn(const char *const *texts, const size_t *lens, size_t n)
{
	struct vocab vc = {0};
	struct pairs p;
	struct llmr_cooc *m;
	uint32_t *rp, *col;
	float *val;
	size_t i;

	for (i = 0; i < n && vc.tokens < LLMR_COOC_MAX_TOKENS; i++, vc.text++)
		llmr_cooc_words(texts[i], lens[i], vocab_add, &vc);
	m = choose_words(&vc, (long)i);
	free(vc.t);
	if (!m)
		return NULL;
	memset(&p, 0, sizeof(p));
	p.m = m;
	p.rowsum = llmr_xcalloc(m->nwords, sizeof(*p.rowsum));
	for (i = 0; i < n && p.tokens < LLMR_COOC_MAX_TOKENS; i++) {
		p.nring = 0;
		llmr_cooc_words(texts[i], lens[i], pairs_word, &p);
	}
	ppmi_csr(&p, m->nwords, &rp, &col, &val);
	llmr_cooc_prune(m->nwords, rp, col, val, ROW_KEEP);
	free(p.t);
	free(p.rowsum);
	m->vec = llmr_xcalloc(m->nwords * m->dim, sizeof(*m->vec));
	llmr_cooc_eigen(m->nwords, rp, col, val, m->dim, m->vec);
	normalise_rows(m->vec, m->nwords, m->dim);
	free(rp);
	free(col);
	free(val);
	return m;
}

/* --- embedding ----------------------------------------------------------- */

struct emb {
	const struct llmr_cooc *m;
	float *out;
	int any;
};

static void emb_word(void *ud, uint64_t k)
{
	struct emb *x = ud;
	long w = lookup(x->m, k);
	const float *v;
	float f;
	size_t j;

	if (w < 0)
		return;
	v = x->m->vec + (size_t)w * x->m->dim;
	f = x->m->idf[w];
	for (j = 0; j < x->m->dim; j++)
		x->out[j] += f * v[j];
	x->any = 1;
}

static int embed(const struct llmr_cooc *m, const char *text, size_t n, int folded, float *out)
{
	struct emb x = {m, out, 0};
	double s = 0;
	size_t j;

	memset(out, 0, m->dim * sizeof(*out));
	if (folded)
		words_folded(text, n, emb_word, &x);
	else
		llmr_cooc_words(text, n, emb_word, &x);
	for (j = 0; j < m->dim; j++)
		s += (double)out[j] * out[j];
	if (s > 0)
		for (j = 0; j < m->dim; j++)
			out[j] = (float)(out[j] / sqrt(s));
	return x.any;
}

int llmr_cooc_embed(const struct llmr_cooc *m, const char *text, size_t n, float *out)
{
	return embed(m, text, n, 0, out);
}

int llmr_cooc_embed_folded(const struct llmr_cooc *m, const char *folded, size_t n, float *out)
{
	return embed(m, folded, n, 1, out);
}
