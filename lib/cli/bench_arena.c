/*
 * bench_arena.c - the human arena. The order of the answers is drawn at
 * random for every vote and the names shown only after it, so that the
 * voter judges answers, not brands.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ask/request.h"
#include "bench/bench_db.h"
#include "cli/bench_arena.h"

static void show(FILE *out, const char *label, const json_t *resp)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	const char *t = json_string_value(json_object_get(resp, "text"));

	llmr_sanitize_for_tty(&b, t ? t : "", t ? strlen(t) : 0);
	fprintf(out, "\n=== Answer %s ===\n%s\n", label, b.s ? b.s : "");
	llmr_buf_release(&b);
}

/* 'a', 'b', 't' or 's' (also at the end of input). */
static int read_vote(FILE *in, FILE *out)
{
	char line[64];

	for (;;) {
		fputs("\nWhich is better? [a] A, [b] B, [t] tie, [s] skip: ", out);
		fflush(out);
		if (!fgets(line, sizeof(line), in))
			return 's';
		line[strcspn(line, " \t\r\n")] = '\0';
		if (!strcasecmp(line, "a") || !strcasecmp(line, "b") || !strcasecmp(line, "s") ||
		    !strcasecmp(line, "t"))
			return line[0] | 0x20;
		if (!strcasecmp(line, "tie") || !strcasecmp(line, "skip"))
			return line[0] | 0x20;
	}
}

static int check(const struct llmr_bench_env *env, const char *m, struct llmr_err *e)
{
	struct llmr_ask_req req;

	llmr_ask_req_init(&req);
	req.model = m;
	return llmr_ask_req_check(env->cfg, &req, LLMR_EX_USAGE, e);
}

static int record(const struct llmr_bench_env *env, const char *prompt, const char *a,
		  const char *b, const char *winner, const json_t *ra, const json_t *rb,
		  const char *first, struct llmr_err *e)
{
	json_t *d = json_pack("{s:s, s:O, s:O}", "shown_first", first, "answer_a",
			      json_object_get(ra, "text"), "answer_b", json_object_get(rb, "text"));
	char *dt = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int rc = llmr_bench_db_pair(env->st, 0, "human", prompt, a, b, winner, dt, e);

	free(dt);
	json_decref(d);
	return rc;
}

int llmr_bench_arena(const struct llmr_bench_env *env, const char *prompt, const char *a,
		     const char *b, FILE *in, FILE *out, struct llmr_err *e)
{
	json_t *ra, *rb, *err;
	int flip, vote, rc = 0;
	const char *winner;

	if (check(env, a, e) < 0 || check(env, b, e) < 0)
		return -1;
	ra = llmr_bench_ask(env, a, prompt);
	rb = llmr_bench_ask(env, b, prompt);
	if ((err = json_object_get(ra, "error")) || (err = json_object_get(rb, "error"))) {
		rc = llmr_errf(e, LLMR_EX_UNAVAILABLE, "arena: %s: %s",
			       json_object_get(ra, "error") ? a : b,
			       json_string_value(json_object_get(err, "message")));
		goto out;
	}
	/* Not a secret, only unpredictable to the voter. */
	flip = (int)((llmr_now_ms() ^ (int64_t)getpid()) & 1);
	show(out, "A", flip ? rb : ra);
	show(out, "B", flip ? ra : rb);
	vote = read_vote(in, out);
	if (vote == 's') {
		fprintf(out, "skipped: nothing recorded (A was %s, B was %s)\n", flip ? b : a, flip ? a : b);
		goto out;
	}
	winner = vote == 't' ? "tie" : (vote == 'a') != flip ? "a" : "b";
	rc = record(env, prompt, a, b, winner, ra, rb, flip ? b : a, e);
	if (!rc)
		fprintf(out, "A was %s, B was %s: recorded %s%s\n", flip ? b : a, flip ? a : b,
			!strcmp(winner, "tie") ? "a tie" : !strcmp(winner, "a") ? a : b,
			!strcmp(winner, "tie") ? "" : " wins");
out:
	json_decref(ra);
	json_decref(rb);
	return rc;
}
