/*
 * learn_bench - learned-router decisions per second over N labelled
 * prompts, through the sketch scan and by exact comparison with every one.
 * As a test (no arguments) it checks on 3,000 prompts that the scan's
 * scores agree with the exact ones; tests/bench/learn.sh runs it with
 * "--bench N Q" and prints figures (CPU time: the machine may be shared).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "index/embed.h"
#include "learn/learned.h"
#include "tap.h"

static const char *const words[] = {
	"invoice", "garden", "planet", "recipe", "ticket", "engine", "contract", "volunteer",
	"textile", "bicycle", "kitchen", "library", "storage", "market", "compost", "repair",
	"schedule", "donation", "furniture", "lamp", "battery", "printer", "report", "meeting",
	"budget", "survey", "sorting", "delivery", "customer", "warehouse", "shelf", "label",
	"orbit", "galaxy", "telescope", "comet", "harvest", "flour", "oven", "bread", "eggs",
	"farmer", "market", "dollars", "price", "discount", "hours", "minutes", "week", "train",
	"station", "distance", "speed", "apples", "oranges", "boxes", "students", "teacher",
	"school", "class", "percent", "profit", "house", "rent", "salary", "savings", "loan",
	"interest", "garden", "flowers", "seeds", "water", "bottle", "liters", "recipe", "cups",
	"sugar", "cookies", "party", "guests", "tickets", "concert", "songs", "album", "painting",
	"canvas", "museum", "visitors", "birds", "trees", "forest", "river", "bridge", "miles",
	"car", "fuel", "gallons", "trip", "hotel", "nights", "breakfast", "dinner", "pizza",
	"slices", "friends", "brother", "sister", "mother", "father", "age", "years", "birthday"};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static uint64_t rng = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* A prompt of 10..60 words with numbers, about the size of a GSM8K
 * question; the strong model wins when "galaxy" is in it. */
static void make_prompt(char *buf, size_t cap, int *wins)
{
	size_t len = 0, n = 10 + rnd(51);

	*wins = 0;
	for (size_t i = 0; i < n; i++) {
		const char *w = words[rnd(NWORDS)];

		*wins |= !strcmp(w, "galaxy");
		if (rnd(6) == 0)
			len += (size_t)snprintf(buf + len, cap - len, " %u", rnd(500));
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? " " : "", w);
	}
	snprintf(buf + len, cap - len, "?");
}

static void make_pairs(struct llmr_pairs *p, size_t n)
{
	char buf[1024];
	int wins;

	memset(p, 0, sizeof(*p));
	p->prompt = malloc(n * sizeof(*p->prompt));
	p->weak = malloc(n * sizeof(double));
	p->strong = malloc(n * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		make_prompt(buf, sizeof(buf), &wins);
		p->prompt[i] = strdup(buf);
		p->weak[i] = wins ? 0 : rnd(2);
		p->strong[i] = wins ? 1 : p->weak[i];
	}
	p->n = n;
}

static void free_pairs(struct llmr_pairs *p)
{
	for (size_t i = 0; i < p->n; i++)
		free((char *)p->prompt[i]);
	free(p->prompt);
	free(p->weak);
	free(p->strong);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static struct llmr_learned *build(const struct llmr_pairs *p, int exact, double *secs)
{
	struct llmr_learned_opts o;
	double t0 = now_s();
	struct llmr_learned *l;

	llmr_learned_opts_init(&o);
	o.exact = exact;
	l = llmr_learned_new(p, NULL, p->n, &o);
	*secs = now_s() - t0;
	return l;
}

static double rate(struct llmr_learned *l, const struct llmr_pairs *q, size_t m, double heuristic)
{
	double t0 = now_s(), sink = 0;

	for (size_t i = 0; i < m; i++)
		sink += llmr_learned_score(l, q->prompt[i % q->n], strlen(q->prompt[i % q->n]), heuristic,
					   NULL);
	t0 = now_s() - t0;
	return sink < 0 ? 0 : (double)m / t0;
}

static int bench(size_t n, size_t queries)
{
	struct llmr_pairs p, q;
	struct llmr_learned *fast, *exact;
	double build_s, exact_s, t0, r;
	float v[LLMR_EMBED_LOCAL_DIM];

	make_pairs(&p, n);
	make_pairs(&q, queries);
	fast = build(&p, 0, &build_s);
	exact = build(&p, 1, &exact_s);
	t0 = now_s();
	for (size_t i = 0; i < queries; i++)
		llmr_embed_local(q.prompt[i], strlen(q.prompt[i]), v);
	t0 = now_s() - t0;
	printf("learned router over %zu labelled prompts (CPU time; built in %.2f s):\n", n, build_s);
	r = rate(fast, &q, queries, -1);
	printf("  decisions, heuristic included:     %8.0f /s (%5.1f us)\n", r, 1e6 / r);
	r = rate(fast, &q, queries, 0.5);
	printf("  decisions, heuristic given:        %8.0f /s (%5.1f us)\n", r, 1e6 / r);
	r = rate(exact, &q, queries / 10 + 1, 0.5);
	printf("  exact scan of every prompt:        %8.0f /s (%5.1f us)\n", r, 1e6 / r);
	printf("  (the local embedding alone:        %8.0f /s (%5.1f us): a yardstick for a loaded machine)\n",
	       (double)queries / t0, 1e6 * t0 / (double)queries);
	llmr_learned_free(fast);
	llmr_learned_free(exact);
	free_pairs(&p);
	free_pairs(&q);
	return 0;
}

/* Mean score of the queries where the strong model wins, minus the mean
 * where it does not. */
static double separation(const double *score, const struct llmr_pairs *q)
{
	double in = 0, out = 0;
	size_t nin = 0;

	for (size_t i = 0; i < q->n; i++) {
		if (q->strong[i] > q->weak[i]) {
			in += score[i];
			nin++;
		} else {
			out += score[i];
		}
	}
	return in / (double)(nin ? nin : 1) - out / (double)(q->n - nin ? q->n - nin : 1);
}

int main(int argc, char **argv)
{
	struct llmr_pairs p, q;
	struct llmr_learned *g, *x;
	double secs, gap = 0, a[300], b[300];
	size_t nq = 300;

	if (argc == 4 && !strcmp(argv[1], "--bench"))
		return bench((size_t)atol(argv[2]), (size_t)atol(argv[3]));
	make_pairs(&p, 3000);
	make_pairs(&q, nq);
	g = build(&p, 0, &secs);
	x = build(&p, 1, &secs);
	for (size_t i = 0; i < nq; i++) {
		a[i] = llmr_learned_score(g, q.prompt[i], strlen(q.prompt[i]), -1, NULL);
		b[i] = llmr_learned_score(x, q.prompt[i], strlen(q.prompt[i]), -1, NULL);
		gap += fabs(a[i] - b[i]) / (double)nq;
	}
	ok(gap < 0.05, "the sketch scan's scores stay near the exact ones (mean gap %.3f)", gap);
	ok(separation(b, &q) > 0.08, "exact: the prompts the strong model wins score higher (by %.2f)",
	   separation(b, &q));
	ok(separation(a, &q) > 0.8 * separation(b, &q),
	   "the sketch scan keeps most of that separation (%.2f)", separation(a, &q));
	llmr_learned_free(g);
	llmr_learned_free(x);
	free_pairs(&p);
	free_pairs(&q);
	return done_testing();
}
