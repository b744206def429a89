/*
 * bench_arena.c - the human arena, case by case. The order of the answers
 * comes from the session's seed (stored with it, so that the order any
 * person saw can be told later) and the models are named only once the
 * case is done, so that the evaluator judges answers, not brands.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ask/request.h"
#include "base/interrupt.h"
#include "cli/bench_arena.h"

static const char *const labels[LLMR_ARENA_MAX] = {"A", "B", "C"};

struct arena_case {
	const struct llmr_bench_env *env;
	const struct llmr_suite *s;
	const struct llmr_arena_opts *o;
	struct llmr_arena_tally *t;
	FILE *in, *out;
	long no;                            /* 1-based */
	char *prompt;                       /* as the evaluator reads it */
	size_t perm[LLMR_ARENA_MAX];        /* label k shows model perm[k] */
	const char *text[LLMR_ARENA_MAX];   /* by label */
	json_t *resp[LLMR_ARENA_MAX];       /* by model */
};

static int check(const struct llmr_bench_env *env, const char *m, struct llmr_err *e)
{
	struct llmr_ask_req req;

	llmr_ask_req_init(&req);
	req.model = m;
	return llmr_ask_req_check(env->cfg, &req, LLMR_EX_USAGE, e);
}

/* Every model's answer: OK, SKIP when one failed (said), STOP on Ctrl-C. */
static int answers(struct arena_case *a)
{
	const struct llmr_case *c = &a->s->cases[a->no - 1];

	fprintf(a->out, "(asking %zu models...)\n", a->o->nmodels);
	fflush(a->out);
	for (size_t m = 0; m < a->o->nmodels; m++) {
		json_t *err;

		a->resp[m] = llmr_arena_answer(a->env, c, a->o->models[m]);
		if (llmr_interrupt_signal())
			return LLMR_ARENA_STOP;
		if ((err = json_object_get(a->resp[m], "error"))) {
			fprintf(a->out, "case %ld skipped: %s could not answer: %s\n", a->no,
				a->o->models[m], json_string_value(json_object_get(err, "message")));
			return LLMR_ARENA_SKIP;
		}
	}
	llmr_arena_order(a->o->seed, a->no, a->o->nmodels, a->perm);
	for (size_t k = 0; k < a->o->nmodels; k++)
		a->text[k] = json_string_value(json_object_get(a->resp[a->perm[k]], "text"));
	return LLMR_ARENA_OK;
}

static int score_one(struct arena_case *a, size_t k, struct llmr_err *e)
{
	struct llmr_arena_input in = {0, 3, NULL, NULL};
	int64_t t0 = llmr_mono_ms();
	int rc = llmr_arena_ask_score(a->in, a->out, labels[k], &in);

	if (rc == LLMR_ARENA_OK) {
		char *tags = json_dumps(in.tags, JSON_COMPACT);
		struct llmr_arena_score sc = {
			a->t->run, a->no, a->o->evaluator, a->o->models[a->perm[k]], labels[k],
			a->prompt, a->text[k], in.score, tags, in.comment, in.confidence,
			llmr_mono_ms() - t0};

		if (llmr_arena_db_score(a->env->st, &sc, e) < 0)
			rc = -1;
		else
			a->t->scores++;
		free(tags);
	}
	json_decref(in.tags);
	free(in.comment);
	return rc;
}

/* Every pair of labels, in label order: A-B, then A-C and B-C. */
static int prefs(struct arena_case *a, struct llmr_err *e)
{
	size_t n = a->o->nmodels;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			const char *winner;
			int64_t t0 = llmr_mono_ms();
			int rc = llmr_arena_ask_pref(a->in, a->out, labels[i], labels[j], &winner);
			struct llmr_arena_pref p = {
				a->t->run, a->no, a->o->evaluator, a->prompt,
				a->o->models[a->perm[i]], a->o->models[a->perm[j]], labels[i],
				labels[j], a->text[i], a->text[j], NULL, 0};

			if (rc == LLMR_ARENA_STOP)
				return rc;
			if (rc == LLMR_ARENA_SKIP)
				continue;
			p.winner = winner;
			p.time_ms = llmr_mono_ms() - t0;
			if (llmr_arena_db_pref(a->env->st, &p, e) < 0)
				return -1;
			a->t->prefs++;
		}
	return LLMR_ARENA_OK;
}

static void reveal(struct arena_case *a)
{
	for (size_t k = 0; k < a->o->nmodels; k++)
		fprintf(a->out, "%s%s was %s", k ? ", " : "", labels[k], a->o->models[a->perm[k]]);
	fputs("\n", a->out);
}

/* One case: OK, SKIP, STOP, or -1 with e. */
static int one_case(struct arena_case *a, struct llmr_err *e)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	int rc;

	a->prompt = llmr_bench_question(&a->s->cases[a->no - 1]);
	llmr_sanitize_for_tty(&b, a->prompt, strlen(a->prompt));
	fprintf(a->out, "\n--- Case %ld of %zu ---\n%s\n\n", a->no, a->s->ncases, b.s ? b.s : "");
	llmr_buf_release(&b);
	if ((rc = answers(a)) != LLMR_ARENA_OK)
		return rc;
	llmr_arena_show(a->out, labels, a->text, a->o->nmodels, llmr_arena_width(fileno(a->out)));
	fputc('\n', a->out);
	for (size_t k = 0; k < a->o->nmodels; k++)
		if ((rc = score_one(a, k, e)) != LLMR_ARENA_OK)
			goto out;
	rc = prefs(a, e);
out:
	if (rc == LLMR_ARENA_OK || rc == LLMR_ARENA_SKIP)
		reveal(a);
	return rc;
}

int llmr_bench_arena(const struct llmr_bench_env *env, const struct llmr_suite *s,
		     const struct llmr_arena_opts *o, FILE *in, FILE *out,
		     struct llmr_arena_tally *t, struct llmr_err *e)
{
	int rc = LLMR_ARENA_OK;

	memset(t, 0, sizeof(*t));
	for (size_t m = 0; m < o->nmodels; m++)
		if (check(env, o->models[m], e) < 0)
			return -1;
	if (llmr_arena_begin(env->st, s, o->hash, o->evaluator, o->seed, o->models_arg, &t->run,
			     e) < 0)
		return -1;
	llmr_arena_input_init();
	fprintf(out, "Arena: %s, %zu case%s, %zu anonymous answers each; evaluator %s.\n"
		"Score each answer, then say which is better. Ctrl-D or Ctrl-C ends the session; "
		"what you gave is kept.\n", s->name, s->ncases, s->ncases == 1 ? "" : "s", o->nmodels,
		o->evaluator);
	for (size_t k = 0; k < s->ncases && rc != LLMR_ARENA_STOP; k++) {
		struct arena_case a = {env, s, o, t, in, out, (long)k + 1, NULL, {0}, {0}, {0}};

		rc = one_case(&a, e);
		for (size_t m = 0; m < o->nmodels; m++)
			json_decref(a.resp[m]);
		free(a.prompt);
		if (rc < 0)
			return -1;
		t->cases += rc == LLMR_ARENA_OK;
	}
	t->stopped = rc == LLMR_ARENA_STOP;
	return 0;
}
