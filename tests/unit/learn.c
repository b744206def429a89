/*
 * learn: outcome files (CSV quoting, JSON lines, errors by line), the pair
 * of models, RouteLLM's metrics on hand-made cases, and the learned score.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "learn/evalr.h"
#include "learn/learned.h"
#include "learn/learned_route.h"
#include "learn/outcomes.h"
#include "conf_test.h"
#include "tap.h"

static int parse(const char *text, struct llmr_outcomes *o, struct llmr_err *e)
{
	llmr_outcomes_init(o);
	return llmr_outcomes_parse("t.csv", text, strlen(text), o, e);
}

/* The score of model m for prompt p, NAN when not set (the last cell wins). */
static double cell(const struct llmr_outcomes *o, const char *p, const char *m)
{
	double v = NAN;

	for (size_t i = 0; i < o->ncells; i++)
		if (!strcmp(o->prompts[o->cells[i].row], p) && !strcmp(o->models[o->cells[i].model], m))
			v = o->cells[i].score;
	return v;
}

static void test_csv(void)
{
	struct llmr_outcomes o;
	struct llmr_err e = {0, ""};
	int r = parse("\xef\xbb\xbfprompt,weak,strong\r\n"
		      "\"Josh buys a house for $80,000, \"\"cheap\"\".\nHow much?\",True,FALSE\r\n"
		      "plain question,,0.75\r\n"
		      "\r\n"
		      "plain question,1,\r\n", &o, &e);

	is_int(r, 0, "CSV with BOM, CRLF, quoted commas, quotes and newlines: %s", e.msg);
	is_int(o.n, 2, "two distinct prompts");
	is_str(o.prompts[0], "Josh buys a house for $80,000, \"cheap\".\nHow much?", "the quoted field is unquoted");
	is_num(cell(&o, o.prompts[0], "weak"), 1, 0, "True is 1");
	is_num(cell(&o, o.prompts[0], "strong"), 0, 0, "FALSE is 0");
	is_num(cell(&o, "plain question", "strong"), 0.75, 1e-12, "a number is a score");
	is_num(cell(&o, "plain question", "weak"), 1, 0, "a repeated prompt keeps its later scores");
	llmr_outcomes_release(&o);
}

static void bad_csv(const char *text, const char *want, const char *what)
{
	struct llmr_outcomes o;
	struct llmr_err e = {0, ""};
	int r = parse(text, &o, &e);

	ok(r < 0 && e.code == LLMR_EX_DATAERR && strstr(e.msg, want), "%s (%s)", what, e.msg);
	llmr_outcomes_release(&o);
}

static void test_csv_errors(void)
{
	bad_csv("prompt,a,b\nq,True,False\n\"unterminated,True,False\nq2,True,True\n",
		"t.csv:3: unterminated quoted field", "an unterminated quote names its line");
	bad_csv("prompt,a,b\n\"multi\nline\",True,False\nq,True\n", "t.csv:4: 2 fields, the header has 3",
		"a short record is named by its first line, after a multi-line field");
	bad_csv("prompt,a,b\nq,True,maybe\n", "t.csv:2: model 'b': 'maybe' is not True, False or a number",
		"a bad cell names the model and the value");
	bad_csv("prompt,a,b\nsay \"hi\",True,True\n", "t.csv:2: a quote inside an unquoted field",
		"a stray quote");
	bad_csv("prompt,a,b\n\"q\"x,True,True\n", "t.csv:2: text after a closing quote", "text after a quote");
	bad_csv("question,a,b\n", "t.csv:1: the header must be 'prompt'", "a bad header");
	bad_csv("prompt,a,a\n", "t.csv:1: model 'a' appears twice", "a model named twice");
	bad_csv("prompt,a,b\n,True,True\n", "t.csv:2: empty prompt", "an empty prompt");
	bad_csv("", "t.csv: empty file", "an empty file");
}

static void test_jsonl(void)
{
	struct llmr_outcomes o;
	struct llmr_err e = {0, ""};
	int r = parse("{\"prompt\":\"p1\",\"outcomes\":{\"a\":true,\"b\":0.5}}\n\n"
		      "{\"prompt\":\"p2\",\"outcomes\":{\"b\":false}}\n", &o, &e);

	is_int(r, 0, "JSON lines: %s", e.msg);
	is_int(o.n, 2, "two prompts");
	is_int(o.nmodels, 2, "two models");
	is_num(cell(&o, "p1", "b"), 0.5, 1e-12, "a number");
	is_num(cell(&o, "p2", "b"), 0, 0, "false is 0");
	llmr_outcomes_release(&o);
	r = parse("{\"prompt\":\"p1\",\"outcomes\":{\"a\":true}}\n{\"prompt\":\"p2\",\"outc", &o, &e);
	ok(r < 0 && strstr(e.msg, "t.csv:2: invalid JSON"), "invalid JSON names its line (%s)", e.msg);
	llmr_outcomes_release(&o);
	r = parse("{\"prompt\":\"p1\",\"outcomes\":{\"a\":\"yes\"}}\n", &o, &e);
	ok(r < 0 && strstr(e.msg, "t.csv:1: every outcome must be"), "a string outcome (%s)", e.msg);
	llmr_outcomes_release(&o);
}

static void test_pairs(void)
{
	struct llmr_outcomes o;
	struct llmr_pairs p;
	struct llmr_err e = {0, ""};

	parse("prompt,good,bad,other\nq1,1,0,\nq2,1,1,1\nq3,,0,1\n", &o, &e);
	is_int(llmr_pairs_pick(&o, NULL, NULL, &p, &e), 0, "default pair");
	is_str(p.weak_model, "bad", "the weak model has the lower mean");
	is_str(p.strong_model, "good", "the strong model the higher");
	is_int(p.n, 2, "only prompts scored for both");
	llmr_pairs_release(&p);
	is_int(llmr_pairs_pick(&o, "bad", "other", &p, &e), 0, "an explicit pair");
	is_int(p.n, 2, "... on its own rows");
	llmr_pairs_release(&p);
	ok(llmr_pairs_pick(&o, "nosuch", NULL, &p, &e) < 0 && strstr(e.msg, "'nosuch'"),
	   "an unknown model (%s)", e.msg);
	llmr_outcomes_release(&o);
}

static void test_metrics(void)
{
	double weak[20] = {0}, strong[20], oracle[20], anti[20], flat[20] = {0}, sum = 0;
	struct llmr_route_metrics m;

	for (int i = 0; i < 20; i++) {
		strong[i] = i < 10;
		oracle[i] = strong[i] - weak[i];
		anti[i] = -oracle[i];
	}
	llmr_route_metrics(oracle, weak, strong, 20, 1, &m);
	is_num(m.apgr, 0.75, 1e-9, "oracle: PGR = min(1, 2c), area 0.75");
	is_num(m.cpt50, 0.25, 1e-9, "oracle: CPT(50%%) = 25%%");
	is_num(m.cpt80, 0.40, 1e-9, "oracle: CPT(80%%) = 40%%");
	llmr_route_metrics(anti, weak, strong, 20, 1, &m);
	is_num(m.apgr, 0.25, 1e-9, "the worst order: area 0.25");
	is_num(m.cpt50, 0.75, 1e-9, "... CPT(50%%) = 75%%");
	for (uint64_t s = 1; s <= 400; s++) {
		llmr_route_metrics(flat, weak, strong, 20, s, &m);
		sum += m.apgr / 400;
	}
	is_num(sum, 0.5, 0.02, "equal scores: a random order, APGR about 0.5");
	ok(llmr_route_metrics(oracle, weak, weak, 20, 1, &m) < 0, "no gap: an error");
}

/* Prompts on one topic: the strong model wins on astronomy; on cooking both
 * models fail, which must not count as a reason to pay for the strong one. */
static void topic_pairs(struct llmr_outcomes *o, struct llmr_pairs *p)
{
	static const char *fill[] = {"tell me", "explain briefly", "what do you know about",
				     "give three facts on", "summarise"};
	char q[160];

	llmr_outcomes_init(o);
	for (int i = 0; i < 40; i++) {
		int astro = i % 2;
		size_t r;

		snprintf(q, sizeof(q), "%s %s %d", fill[i % 5], astro ? "astronomy telescopes" : "cooking recipes", i);
		r = llmr_outcomes_row(o, q, strlen(q));
		llmr_outcomes_set(o, r, llmr_outcomes_model(o, "weak"), 0);
		llmr_outcomes_set(o, r, llmr_outcomes_model(o, "strong"), astro);
	}
	llmr_pairs_pick(o, "weak", "strong", p, NULL);
}

static void test_learned(void)
{
	struct llmr_outcomes o;
	struct llmr_pairs p;
	struct llmr_learned *l;
	struct llmr_learned_why why;
	const char *a = "explain astronomy telescopes to me", *c = "explain cooking recipes to me";
	double sa, sc, s0;

	topic_pairs(&o, &p);
	l = llmr_learned_new(&p, NULL, p.n, NULL);
	is_int(llmr_learned_size(l), 40, "40 labelled prompts");
	is_num(llmr_learned_base(l), 0.5, 1e-9, "the strong model wins on half");
	sa = llmr_learned_score(l, a, strlen(a), -1, &why);
	ok(why.neighbours > 0 && why.knn > 0.9, "astronomy: the neighbours say the strong model wins (%.2f)", why.knn);
	sc = llmr_learned_score(l, c, strlen(c), -1, &why);
	ok(why.knn < 0.1, "cooking: the weak model fails but so does the strong: no gain (%.2f)", why.knn);
	ok(sa > 0.65 && sc < 0.35, "astronomy scores high (%.2f), cooking low (%.2f)", sa, sc);
	{
		/* Cached vectors (learned_route.h) score as fresh ones do. */
		struct llmr_learned_vec *v = calloc(p.n, sizeof(*v));
		const struct llmr_learned_vec **vp = calloc(p.n, sizeof(*vp));
		struct llmr_learned *cached;

		for (size_t i = 0; i < p.n; i++)
			if (i % 3) {
				llmr_learned_embed(p.prompt[i], strlen(p.prompt[i]), &v[i]);
				vp[i] = &v[i];
			}
		cached = llmr_learned_new_vecs(&p, vp, NULL);
		ok(llmr_learned_score(cached, a, strlen(a), -1, NULL) == sa &&
		   llmr_learned_score(cached, c, strlen(c), -1, NULL) == sc,
		   "cached embeddings (two in three) give the very same scores");
		ok(strncmp(llmr_learned_embed_tag(), "local1024-", 10) == 0 &&
		   llmr_learned_embed_tag() == llmr_learned_embed_tag(), "the embedding tag: %s",
		   llmr_learned_embed_tag());
		llmr_learned_free(cached);
		free(v);
		free(vp);
	}
	llmr_learned_free(l);
	l = llmr_learned_new(&p, NULL, 0, NULL);
	s0 = llmr_learned_score(l, a, strlen(a), -1, &why);
	ok(why.neighbours == 0 && s0 == why.prior, "no labels: the prior alone (%.2f)", s0);
	llmr_learned_free(l);
	llmr_pairs_release(&p);
	llmr_outcomes_release(&o);
}

/* Scores on a 1..10 scale: gain (strong - weak) / spread, ties count 0. */
static void test_scale(void)
{
	struct llmr_outcomes o;
	struct llmr_pairs p;
	struct llmr_learned *l;
	struct llmr_learned_why why;
	struct llmr_err e = {0, ""};
	const char *q = "rate this poem about the sea";

	parse("prompt,w,s\nrate this poem about the sea please,1,10\nrate this poem about the sea now,8,8\n", &o, &e);
	llmr_pairs_pick(&o, "w", "s", &p, &e);
	l = llmr_learned_new(&p, NULL, p.n, NULL);
	llmr_learned_score(l, q, strlen(q), -1, &why);
	is_num(llmr_learned_base(l), 0.5, 1e-9, "gains 1 and 0 on a 1..10 scale");
	ok(why.knn > 0.2 && why.knn < 0.8, "the neighbours' mean is between (%.2f)", why.knn);
	llmr_learned_free(l);
	llmr_pairs_release(&p);
	llmr_outcomes_release(&o);
}

static const char conf_yaml[] =
	"providers:\n"
	"  local:\n"
	"    protocol: extractive\n"
	"routes:\n"
	"  default:\n"
	"    tiers:\n"
	"      simple: [local/extractive]\n"
	"      medium: [local/extractive]\n"
	"      complex: [local/extractive]\n"
	"  legal:\n"
	"    force: complex\n"
	"    tiers:\n"
	"      complex: [local/extractive]\n";

/* The learned tier in a route decision, from outcomes in a state file. */
static void test_decide(void)
{
	char dir[] = "/tmp/llmr-learn-XXXXXX", path[256];
	struct llmr_outcomes o;
	struct llmr_pairs p;
	struct llmr_outcomes_stored stored;
	struct llmr_state *st = NULL;
	struct llmr_learned *l = NULL;
	struct llmr_config *cfg;
	struct llmr_route_req r;
	struct llmr_decision d;
	struct llmr_err e = {0, ""};
	const char *astro = "explain astronomy telescopes to me", *cook = "explain cooking recipes to me";

	if (!mkdtemp(dir) || !(cfg = conf_from_yaml(dir, conf_yaml))) {
		ok(0, "setup: a temp dir and a config");
		return;
	}
	snprintf(path, sizeof(path), "%s/state.db", dir);
	ok(llmr_state_open(path, &st, &e) == 0, "open a state (%s)", e.msg);
	ok(llmr_learned_load(st, NULL, &l, &e) == 0 && !l, "no outcomes: no learned router");
	topic_pairs(&o, &p);
	ok(llmr_outcomes_store(st, &o, &stored, &e) == 0 && stored.prompts_new == 40, "store 40 prompts");
	ok(llmr_learned_load(st, NULL, &l, &e) == 0 && l && llmr_learned_size(l) == 40,
	   "the learned router loads them");
	llmr_route_req_init(&r);
	r.text = astro;
	r.text_len = strlen(astro);
	ok(llmr_learned_decide(l, cfg, NULL, &r, &d, &e) == 0, "decide (%s)", e.msg);
	ok(d.complexity >= LLMR_MEDIUM && d.score > 0.5, "astronomy goes to a stronger tier (score %.2f)", d.score);
	ok(strstr(d.reason, "by the learned router") != NULL, "the reason says learned: %s", d.reason);
	r.text = cook;
	r.text_len = strlen(cook);
	llmr_learned_decide(l, cfg, NULL, &r, &d, &e);
	ok(d.complexity == LLMR_SIMPLE && d.score < 0.35, "cooking stays simple (score %.2f)", d.score);
	r.complexity = LLMR_COMPLEX;
	llmr_learned_decide(l, cfg, NULL, &r, &d, &e);
	ok(d.complexity == LLMR_COMPLEX && !strstr(d.reason, "learned"), "a request's tier wins");
	r.complexity = -1;
	r.route = "legal";
	llmr_learned_decide(l, cfg, NULL, &r, &d, &e);
	ok(d.complexity == LLMR_COMPLEX && strstr(d.reason, "forced"), "so does a route's force");
	llmr_learned_free(l);
	llmr_pairs_release(&p);
	llmr_outcomes_release(&o);
	llmr_state_close(st);
	llmr_config_free(cfg);
	for (size_t i = 0; i < 4; i++) {
		static const char *const files[] = {"state.db", "state.db-wal", "state.db-shm", "llmr.conf"};

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

int main(void)
{
	test_csv();
	test_csv_errors();
	test_jsonl();
	test_pairs();
	test_metrics();
	test_learned();
	test_scale();
	test_decide();
	return done_testing();
}
