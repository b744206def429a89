#include "learn/outcomes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void llmr_outcomes_init(struct llmr_outcomes *o)
{
	memset(o, 0, sizeof(*o));
}

void llmr_outcomes_release(struct llmr_outcomes *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->prompts[i]);
	for (size_t i = 0; i < o->nmodels; i++)
		free(o->models[i]);
	free(o->prompts);
	free(o->models);
	free(o->cells);
	free(o->slots);
	llmr_outcomes_init(o);
}

static uint64_t hash_text(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

static size_t *find_slot(struct llmr_outcomes *o, const char *s, size_t n)
{
	size_t i = (size_t)hash_text(s, n) & (o->nslots - 1);

	for (;; i = (i + 1) & (o->nslots - 1)) {
		const char *p;

		if (!o->slots[i])
			return &o->slots[i];
		p = o->prompts[o->slots[i] - 1];
		if (!strncmp(p, s, n) && p[n] == '\0')
			return &o->slots[i];
	}
}

/* Keep the table at most half full, so that probes stay short. */
static void grow_slots(struct llmr_outcomes *o)
{
	size_t old = o->nslots, *was = o->slots;

	if (2 * (o->n + 1) <= o->nslots)
		return;
	o->nslots = old ? old * 2 : 1024;
	o->slots = llmr_xcalloc(o->nslots, sizeof(*o->slots));
	for (size_t i = 0; i < old; i++)
		if (was[i]) {
			const char *p = o->prompts[was[i] - 1];

			*find_slot(o, p, strlen(p)) = was[i];
		}
	free(was);
}

size_t llmr_outcomes_row(struct llmr_outcomes *o, const char *prompt, size_t len)
{
	size_t *slot;

	grow_slots(o);
	slot = find_slot(o, prompt, len);
	if (*slot)
		return *slot - 1;
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 256;
		o->prompts = llmr_xrealloc(o->prompts, o->cap * sizeof(*o->prompts));
	}
	o->prompts[o->n] = llmr_xstrndup(prompt, len);
	*slot = ++o->n;
	return o->n - 1;
}

size_t llmr_outcomes_model(struct llmr_outcomes *o, const char *name)
{
	for (size_t i = 0; i < o->nmodels; i++)
		if (!strcmp(o->models[i], name))
			return i;
	o->models = llmr_xrealloc(o->models, (o->nmodels + 1) * sizeof(*o->models));
	o->models[o->nmodels] = llmr_xstrdup(name);
	return o->nmodels++;
}

void llmr_outcomes_set(struct llmr_outcomes *o, size_t row, size_t model, double score)
{
	if (o->ncells == o->cellcap) {
		o->cellcap = o->cellcap ? o->cellcap * 2 : 1024;
		o->cells = llmr_xrealloc(o->cells, o->cellcap * sizeof(*o->cells));
	}
	o->cells[o->ncells++] = (struct llmr_outcome_cell){row, model, score};
}

static long find_model(const struct llmr_outcomes *o, const char *name, struct llmr_err *e)
{
	for (size_t i = 0; i < o->nmodels; i++)
		if (!strcmp(o->models[i], name))
			return (long)i;
	return llmr_errf(e, LLMR_EX_DATAERR, "no outcomes for model '%s'", name);
}

/* The two models with the most outcomes, weak = the lower mean score. */
static int default_pair(const struct llmr_outcomes *o, long *weak, long *strong, struct llmr_err *e)
{
	size_t *count = llmr_xcalloc(o->nmodels + 1, sizeof(*count));
	double *sum = llmr_xcalloc(o->nmodels + 1, sizeof(*sum));
	long a = -1, b = -1;

	for (size_t i = 0; i < o->ncells; i++) {
		count[o->cells[i].model]++;
		sum[o->cells[i].model] += o->cells[i].score;
	}
	for (size_t m = 0; m < o->nmodels; m++) {
		if (a < 0 || count[m] > count[a]) {
			b = a;
			a = (long)m;
		} else if (b < 0 || count[m] > count[b]) {
			b = (long)m;
		}
	}
	if (b >= 0 && sum[a] / (double)count[a] > sum[b] / (double)count[b]) {
		long t = a;

		a = b;
		b = t;
	}
	*weak = a;
	*strong = b;
	free(count);
	free(sum);
	if (b < 0)
		return llmr_errf(e, LLMR_EX_DATAERR, "outcomes for two models are needed, found %zu",
				 o->nmodels);
	return 0;
}

int llmr_pairs_pick(const struct llmr_outcomes *o, const char *weak, const char *strong,
		    struct llmr_pairs *p, struct llmr_err *e)
{
	long w, s;
	double *ws, *ss;

	memset(p, 0, sizeof(*p));
	if (default_pair(o, &w, &s, e) < 0)
		return -1;
	if ((weak && (w = find_model(o, weak, e)) < 0) || (strong && (s = find_model(o, strong, e)) < 0))
		return -1;
	if (w == s)
		return llmr_errf(e, LLMR_EX_DATAERR, "the weak and the strong model are both '%s'",
				 o->models[w]);
	ws = llmr_xmalloc((o->n + 1) * sizeof(*ws));
	ss = llmr_xmalloc((o->n + 1) * sizeof(*ss));
	for (size_t i = 0; i < o->n; i++)
		ws[i] = ss[i] = NAN;
	for (size_t i = 0; i < o->ncells; i++) {
		const struct llmr_outcome_cell *c = &o->cells[i];

		if (c->model == (size_t)w)
			ws[c->row] = c->score;
		else if (c->model == (size_t)s)
			ss[c->row] = c->score;
	}
	p->prompt = llmr_xmalloc((o->n + 1) * sizeof(*p->prompt));
	p->weak = llmr_xmalloc((o->n + 1) * sizeof(*p->weak));
	p->strong = llmr_xmalloc((o->n + 1) * sizeof(*p->strong));
	p->row = llmr_xmalloc((o->n + 1) * sizeof(*p->row));
	for (size_t i = 0; i < o->n; i++)
		if (!isnan(ws[i]) && !isnan(ss[i])) {
			p->row[p->n] = i;
			p->prompt[p->n] = o->prompts[i];
			p->weak[p->n] = ws[i];
			p->strong[p->n++] = ss[i];
		}
	free(ws);
	free(ss);
	p->weak_model = llmr_xstrdup(o->models[w]);
	p->strong_model = llmr_xstrdup(o->models[s]);
	if (!p->n) {
		llmr_pairs_release(p);
		return llmr_errf(e, LLMR_EX_DATAERR, "no prompt is scored for both '%s' and '%s'",
				 o->models[w], o->models[s]);
	}
	return 0;
}

void llmr_pairs_release(struct llmr_pairs *p)
{
	free(p->prompt);
	free(p->weak);
	free(p->strong);
	free(p->row);
	free(p->weak_model);
	free(p->strong_model);
	memset(p, 0, sizeof(*p));
}
