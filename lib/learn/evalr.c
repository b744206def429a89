#include "learn/evalr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "route/classify.h"

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct ranked {
	double score;
	uint64_t tie;
	size_t i;
};

static int by_score_desc(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x->tie < y->tie ? -1 : x->tie > y->tie;
}

int llmr_route_metrics(const double *score, const double *weak, const double *strong, size_t n,
		       uint64_t seed, struct llmr_route_metrics *m)
{
	struct ranked *r;
	double wsum = 0, ssum = 0, gap, *pgr;
	size_t step = 0;

	for (size_t i = 0; i < n; i++) {
		wsum += weak[i];
		ssum += strong[i];
	}
	gap = (ssum - wsum) / (double)(n ? n : 1);
	if (!n || fabs(gap) < 1e-12)
		return -1;
	r = llmr_xmalloc(n * sizeof(*r));
	for (size_t i = 0; i < n; i++)
		r[i] = (struct ranked){score[i], splitmix(&seed), i};
	qsort(r, n, sizeof(*r), by_score_desc);
	/* pgr[c] for c strong calls: the cumulative gain of the top c. */
	pgr = llmr_xmalloc((n + 1) * sizeof(*pgr));
	pgr[0] = 0;
	for (size_t c = 1; c <= n; c++)
		pgr[c] = pgr[c - 1] + (strong[r[c - 1].i] - weak[r[c - 1].i]) / (double)n / gap;
	m->apgr = 0;
	for (step = 0; step < LLMR_EVAL_STEPS; step++) {
		size_t a = (size_t)llround((double)step / LLMR_EVAL_STEPS * (double)n);
		size_t b = (size_t)llround((double)(step + 1) / LLMR_EVAL_STEPS * (double)n);

		m->apgr += (pgr[a] + pgr[b]) / 2 / LLMR_EVAL_STEPS;
	}
	m->cpt50 = m->cpt80 = NAN;
	for (size_t c = 0; c <= n; c++) {
		/* A hair of tolerance: PGR 0.8 reached by sums of 1/n steps. */
		if (isnan(m->cpt50) && pgr[c] >= 0.5 - 1e-9)
			m->cpt50 = (double)c / (double)n;
		if (isnan(m->cpt80) && pgr[c] >= 0.8 - 1e-9)
			m->cpt80 = (double)c / (double)n;
	}
	free(pgr);
	free(r);
	return 0;
}

const char *llmr_eval_router_name(int r)
{
	static const char *const names[] = {"heuristic", "length", "learned", "neighbours",
					    "structure", "random", "oracle"};

	return r >= 0 && r < LLMR_EVAL_NROUTERS ? names[r] : "?";
}

struct fold_data {
	size_t *train, ntrain, *test, ntest;
	double *score[LLMR_EVAL_NROUTERS], *weak, *strong;
};

static void score_fold(const struct llmr_pairs *p, const struct llmr_learned_opts *opts,
		       struct fold_data *f)
{
	struct llmr_learned *l = llmr_learned_new(p, f->train, f->ntrain, opts);
	struct llmr_learned_why why;

	for (size_t j = 0; j < f->ntest; j++) {
		size_t r = f->test[j];
		const char *t = p->prompt[r];
		struct llmr_classify_in in = {t, strlen(t), 0, false};
		struct llmr_class c;

		llmr_classify(&in, &c);
		f->weak[j] = p->weak[r];
		f->strong[j] = p->strong[r];
		f->score[LLMR_EVAL_HEURISTIC][j] = c.score;
		f->score[LLMR_EVAL_LENGTH][j] = (double)strlen(t);
		f->score[LLMR_EVAL_LEARNED][j] = llmr_learned_score(l, t, strlen(t), c.score, &why);
		f->score[LLMR_EVAL_NEIGHBOURS][j] = why.neighbourhood;
		f->score[LLMR_EVAL_STRUCTURE][j] = isnan(why.features) ? 0 : why.features;
		f->score[LLMR_EVAL_RANDOM][j] = 0; /* all ties: the seeded order decides */
		f->score[LLMR_EVAL_ORACLE][j] = p->strong[r] - p->weak[r];
	}
	llmr_learned_free(l);
}

static int measure_fold(struct fold_data *f, size_t k, uint64_t seed, struct llmr_eval_report *r)
{
	for (int q = 0; q < LLMR_EVAL_NROUTERS; q++) {
		struct llmr_route_metrics m, sum = {0, 0, 0};
		int runs = q == LLMR_EVAL_RANDOM ? LLMR_EVAL_RANDOM_SEEDS : 1;

		for (int s = 0; s < runs; s++) {
			if (llmr_route_metrics(f->score[q], f->weak, f->strong, f->ntest,
					       seed + 7919 * (uint64_t)(s + 1), &m) < 0)
				return -1;
			sum.apgr += m.apgr / runs;
			sum.cpt50 += m.cpt50 / runs;
			sum.cpt80 += m.cpt80 / runs;
		}
		r->fold[q][k] = sum;
		r->mean[q].apgr += sum.apgr / (double)r->folds;
		r->mean[q].cpt50 += sum.cpt50 / (double)r->folds;
		r->mean[q].cpt80 += sum.cpt80 / (double)r->folds;
	}
	return 0;
}

static void deal(size_t n, size_t folds, uint64_t seed, size_t *fold_of)
{
	size_t *perm = llmr_xmalloc(n * sizeof(*perm));

	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(splitmix(&seed) % i), t = perm[i - 1];

		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		fold_of[perm[i]] = i % folds;
	free(perm);
}

static void overall(const struct llmr_pairs *p, struct llmr_eval_report *r)
{
	for (size_t i = 0; i < p->n; i++) {
		r->weak_perf += p->weak[i] / (double)p->n;
		r->strong_perf += p->strong[i] / (double)p->n;
		r->strong_wins += (p->strong[i] > p->weak[i]) / (double)p->n;
	}
}

int llmr_eval_routers(const struct llmr_pairs *p, size_t folds, uint64_t seed,
		      const struct llmr_learned_opts *opts, struct llmr_eval_report *r,
		      struct llmr_err *e)
{
	size_t *fold_of;
	struct fold_data f;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (folds < 2 || folds > LLMR_EVAL_MAX_FOLDS)
		return llmr_errf(e, LLMR_EX_USAGE, "folds must be 2..%d", LLMR_EVAL_MAX_FOLDS);
	if (p->n < 2 * folds)
		return llmr_errf(e, LLMR_EX_DATAERR, "%zu prompts are too few for %zu folds", p->n,
				 folds);
	r->n = p->n;
	r->folds = folds;
	r->seed = seed;
	overall(p, r);
	r->fold_n = llmr_xcalloc(folds, sizeof(*r->fold_n));
	for (int q = 0; q < LLMR_EVAL_NROUTERS; q++)
		r->fold[q] = llmr_xcalloc(folds, sizeof(*r->fold[q]));
	fold_of = llmr_xmalloc(p->n * sizeof(*fold_of));
	deal(p->n, folds, seed, fold_of);
	memset(&f, 0, sizeof(f));
	f.train = llmr_xmalloc(p->n * sizeof(size_t));
	f.test = llmr_xmalloc(p->n * sizeof(size_t));
	f.weak = llmr_xmalloc(p->n * sizeof(double));
	f.strong = llmr_xmalloc(p->n * sizeof(double));
	for (int q = 0; q < LLMR_EVAL_NROUTERS; q++)
		f.score[q] = llmr_xmalloc(p->n * sizeof(double));
	for (size_t k = 0; k < folds && !rc; k++) {
		f.ntrain = f.ntest = 0;
		for (size_t i = 0; i < p->n; i++) {
			if (fold_of[i] == k)
				f.test[f.ntest++] = i;
			else
				f.train[f.ntrain++] = i;
		}
		r->fold_n[k] = f.ntest;
		score_fold(p, opts, &f);
		if (measure_fold(&f, k, seed, r) < 0)
			rc = llmr_errf(e, LLMR_EX_DATAERR,
				       "fold %zu: both models score the same on every held-out "
				       "prompt: no gap to recover", k + 1);
	}
	for (int q = 0; q < LLMR_EVAL_NROUTERS; q++)
		free(f.score[q]);
	free(f.train);
	free(f.test);
	free(f.weak);
	free(f.strong);
	free(fold_of);
	if (rc)
		llmr_eval_report_release(r);
	return rc;
}

void llmr_eval_report_release(struct llmr_eval_report *r)
{
	for (int q = 0; q < LLMR_EVAL_NROUTERS; q++)
		free(r->fold[q]);
	free(r->fold_n);
	memset(r, 0, sizeof(*r));
}
