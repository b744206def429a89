#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route/route.h"
#include "tap.h"

/* A config built by hand, so these tests need no YAML. */
static struct llmr_model_cfg oa_models[2], gq_models[1];
static struct llmr_provider_cfg provs[4];
static struct llmr_model_ref r_simple[3], r_medium[2], r_complex[1];
static struct llmr_route_cfg routes[2];
static struct llmr_config cfg;

static void model(struct llmr_model_cfg *m, const char *name, double in, double out, long ctx, int q)
{
	memset(m, 0, sizeof(*m));
	m->name = (char *)name;
	m->input = in;
	m->output = out;
	m->cached_input = m->cache_write = -1;
	m->context = ctx;
	m->quality = q;
}

static void provider(struct llmr_provider_cfg *p, const char *name, const char *env,
		     struct llmr_model_cfg *m, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->name = (char *)name;
	p->protocol = LLMR_PROTO_OPENAI;
	p->api_key_env = (char *)env;
	p->status = LLMR_PSTATUS_ACTIVE;
	p->models = m;
	p->nmodels = n;
}

static void ref(struct llmr_model_ref *r, const char *spec, int p, struct llmr_model_cfg *m)
{
	r->spec = (char *)spec;
	r->provider = &provs[p];
	r->model = m;
}

static void setup(void)
{
	model(&oa_models[0], "mini", 0.15, 0.60, 128000, 72);
	model(&oa_models[1], "big", 2.50, 10.0, 128000, 88);
	model(&gq_models[0], "llama", 0.05, 0.08, 8192, 60);
	provider(&provs[0], "openai", "LLMR_TEST_KEY_A", oa_models, 2);
	provider(&provs[1], "groq", NULL, gq_models, 1);
	provider(&provs[2], "off", NULL, NULL, 0);
	provs[2].status = LLMR_PSTATUS_INACTIVE;
	provider(&provs[3], "local", NULL, NULL, 0);
	provs[3].protocol = LLMR_PROTO_EXTRACTIVE;
	ref(&r_simple[0], "openai/mini", 0, &oa_models[0]);
	ref(&r_simple[1], "groq/llama", 1, &gq_models[0]);
	ref(&r_simple[2], "local/extractive", 3, NULL);
	ref(&r_medium[0], "openai/big", 0, &oa_models[1]);
	ref(&r_medium[1], "openai/mini", 0, &oa_models[0]);
	ref(&r_complex[0], "openai/big", 0, &oa_models[1]);
	memset(routes, 0, sizeof(routes));
	routes[0].name = "search";
	routes[0].priority = 1;
	routes[0].max_cost = 0.05;
	routes[0].force = -1;
	routes[0].tiers[LLMR_SIMPLE] = (struct llmr_chain){r_simple, 3};
	routes[0].tiers[LLMR_MEDIUM] = (struct llmr_chain){r_medium, 2};
	routes[0].tiers[LLMR_COMPLEX] = (struct llmr_chain){r_complex, 1};
	routes[1] = routes[0];
	routes[1].name = "compliance";
	routes[1].force = LLMR_COMPLEX;
	routes[1].priority = 0;
	routes[1].max_cost = -1;
	cfg.providers = provs;
	cfg.nproviders = 4;
	cfg.routes = routes;
	cfg.nroutes = 2;
	setenv("LLMR_TEST_KEY_A", "sk-test", 1);
}

static int decide(const char *route, const char *text, struct llmr_decision *d)
{
	struct llmr_route_req r;
	struct llmr_err e;

	llmr_route_req_init(&r);
	r.id = "r1";
	r.route = route;
	r.text = text;
	r.text_len = strlen(text);
	return llmr_route_decide(&cfg, NULL, &r, d, &e);
}

static void test_basic(void)
{
	struct llmr_decision d;
	json_t *j;
	char *s;

	ok(decide("search", "Bonjour !", &d) == 0, "decide");
	is_int(d.complexity, LLMR_SIMPLE, "simple");
	is_int(d.nchain, 3, "three candidates");
	is_str(d.chain[0].spec, "openai/mini", "first in chain");
	is_str(d.chain[2].spec, "local/extractive", "extractive last");
	ok(d.est_input_tokens > 0 && d.est_cost_usd > 0, "estimates");
	j = llmr_decision_json(&d);
	s = json_dumps(j, JSON_COMPACT);
	ok(strstr(s, "\"model\":\"openai/mini\"") && strstr(s, "\"chain\":[\"openai/mini\",\"groq/llama\",\"local/extractive\"]"),
	   "json shape: %s", s);
	ok(strstr(s, "\"complexity\":\"simple\"") && strstr(s, "\"est_cost_usd\""), "json fields");
	free(s);
	json_decref(j);
	ok(decide("nope", "x", &d) < 0, "unknown route fails");
	ok(decide(NULL, "x", &d) == 0 && !strcmp(d.route, "search"), "first route by default");
	ok(decide("compliance", "Bonjour", &d) == 0 && d.complexity == LLMR_COMPLEX, "force complex");
	ok(strstr(d.reason, "forced complex") != NULL, "reason says forced: %s", d.reason);
	is_int(d.priority, 0, "route priority");
}

static void test_drops(void)
{
	struct llmr_decision d;
	char *big;

	unsetenv("LLMR_TEST_KEY_A");
	decide("search", "Bonjour", &d);
	is_str(d.chain[0].spec, "groq/llama", "keyless candidate dropped");
	ok(d.nskipped == 1 && strstr(d.skipped[0].why, "set LLMR_TEST_KEY_A"), "names the variable: %s",
	   d.nskipped ? d.skipped[0].why : "");
	ok(!strstr(d.skipped[0].why, "sk-test"), "never the key");
	setenv("LLMR_TEST_KEY_A", "sk-test", 1);
	big = malloc(48001);
	memset(big, 'x', 48000);
	big[48000] = '\0';
	decide("search", big, &d);
	ok(d.complexity != LLMR_SIMPLE || d.nskipped >= 1, "large prompt");
	routes[0].tiers[LLMR_MEDIUM] = (struct llmr_chain){r_simple, 3};
	routes[0].tiers[LLMR_COMPLEX] = (struct llmr_chain){r_simple, 3};
	decide("search", big, &d);
	ok(d.nskipped >= 1 && !strcmp(d.skipped[0].spec, "groq/llama") && strstr(d.skipped[0].why, "context window 8192"),
	   "context too small: %s", d.nskipped ? d.skipped[0].why : "");
	routes[0].tiers[LLMR_MEDIUM] = (struct llmr_chain){r_medium, 2};
	routes[0].tiers[LLMR_COMPLEX] = (struct llmr_chain){r_complex, 1};
	routes[0].max_cost = 0.001;
	decide("search", big, &d);
	ok(d.nskipped >= 1 && strstr(d.skipped[0].why, "over max_cost"), "max_cost: %s", d.nskipped ? d.skipped[0].why : "");
	ok(llmr_decision_errclass(&d) != LLMR_ERR_RATE_LIMITED, "cost is not temporary");
	routes[0].max_cost = 0.05;
	r_simple[1].provider = &provs[2];
	decide("search", "Bonjour", &d);
	ok(d.nskipped == 1 && !strcmp(d.skipped[0].why, "provider inactive"), "inactive dropped");
	r_simple[1].provider = &provs[1];
	free(big);
}

static bool block_openai(void *ud, const struct llmr_model_ref *r, long tok, char *why, size_t n, bool *temp)
{
	(void)ud;
	(void)tok;
	if (strcmp(r->provider->name, "openai"))
		return false;
	snprintf(why, n, "breaker open (retry in 20s)");
	*temp = true;
	return true;
}

static int64_t lat(void *ud, const struct llmr_model_ref *r)
{
	(void)ud;
	return !strcmp(r->spec, "groq/llama") ? 100 : !strcmp(r->spec, "openai/mini") ? 900 : -1;
}

static void test_view_and_strategy(void)
{
	struct llmr_route_view v = {block_openai, lat, false, NULL, NULL};
	struct llmr_route_req r;
	struct llmr_decision d;
	struct llmr_err e;

	llmr_route_req_init(&r);
	r.text = "Bonjour";
	r.text_len = 7;
	llmr_route_decide(&cfg, &v, &r, &d, &e);
	is_str(d.chain[0].spec, "groq/llama", "blocked provider dropped");
	ok(d.nskipped == 1 && strstr(d.skipped[0].why, "breaker open"), "why from the view");
	r.complexity = LLMR_COMPLEX;
	llmr_route_decide(&cfg, &v, &r, &d, &e);
	is_int(d.nchain, 0, "nothing left");
	is_int(llmr_decision_errclass(&d), LLMR_ERR_RATE_LIMITED, "only temporary reasons: rate_limited");
	is_int(llmr_errclass_exit(llmr_decision_errclass(&d)), 75, "... exit 75");
	ok(strstr(d.reason, "no candidate left") != NULL, "reason says so");
	r.complexity = -1;
	routes[0].strategy = LLMR_STRATEGY_CHEAPEST;
	llmr_route_decide(&cfg, NULL, &r, &d, &e);
	is_str(d.chain[0].spec, "groq/llama", "cheapest first");
	is_str(d.chain[2].spec, "local/extractive", "extractive stays last");
	routes[0].strategy = LLMR_STRATEGY_BEST;
	llmr_route_decide(&cfg, NULL, &r, &d, &e);
	is_str(d.chain[0].spec, "openai/mini", "best quality first");
	routes[0].strategy = LLMR_STRATEGY_FASTEST;
	v.blocked = NULL;
	llmr_route_decide(&cfg, &v, &r, &d, &e);
	is_str(d.chain[0].spec, "groq/llama", "fastest first");
	routes[0].strategy = LLMR_STRATEGY_ORDER;
	v.degraded = true;
	r.priority = 3;
	llmr_route_decide(&cfg, &v, &r, &d, &e);
	ok(d.degraded && d.skip && !strcmp(d.skip, "degraded"), "degraded skips P3");
	is_str(d.chain[0].spec, "groq/llama", "degraded goes cheapest");
	r.priority = 1;
	r.complexity = LLMR_MEDIUM;
	routes[0].tiers[LLMR_MEDIUM].n = 0;
	llmr_route_decide(&cfg, NULL, &r, &d, &e);
	is_str(d.chain[0].spec, "openai/big", "empty tier borrows the stronger one");
	ok(strstr(d.reason, "borrowed") != NULL, "reason says borrowed: %s", d.reason);
	routes[0].tiers[LLMR_MEDIUM].n = 2;
}

static void test_check(void)
{
	char why[128];

	ok(llmr_route_check_answer("hi", 2, "stop", false, why, sizeof(why)) == 0, "plain answer ok");
	ok(llmr_route_check_answer("  \n", 3, "stop", false, why, sizeof(why)) < 0 && !strcmp(why, "empty answer"), "empty");
	ok(llmr_route_check_answer("abc", 3, "length", false, why, sizeof(why)) < 0 && !strcmp(why, "truncated by length"), "length");
	ok(llmr_route_check_answer("{\"a\":", 5, "stop", true, why, sizeof(why)) < 0 && !strncmp(why, "invalid JSON", 12), "bad json");
	ok(llmr_route_check_answer("{\"a\":1}", 7, "stop", true, why, sizeof(why)) == 0, "good json");
	ok(llmr_route_check_answer("```json\n{\"a\":1}\n```\n", 20, "stop", true, why, sizeof(why)) == 0, "fenced json");
	is_int(llmr_priority_parse("P2"), 2, "P2");
	is_int(llmr_priority_parse("P4"), -1, "P4 rejected");
}

/* A named model is the whole chain, past the route's max_cost; what is
 * left empty says why with its class. */
static void test_named_and_empty(void)
{
	struct llmr_route_req r;
	struct llmr_decision d;
	struct llmr_err e = {0, ""};

	llmr_route_req_init(&r);
	r.text = "Bonjour";
	r.text_len = 7;
	r.model = "openai/big";
	routes[0].max_cost = 0.000001;
	ok(llmr_route_decide(&cfg, NULL, &r, &d, &e) == 0, "decide for a named model");
	ok(d.nchain == 1 && !strcmp(d.chain[0].spec, "openai/big"), "the named model is the chain");
	ok(strstr(d.reason, "model openai/big named by the request") != NULL, "reason: %s", d.reason);
	is_int(llmr_decision_errclass(&d), LLMR_ERR_NONE, "a chain: no error class");
	r.model = NULL;
	llmr_route_decide(&cfg, NULL, &r, &d, &e);
	is_int(d.nchain, 1, "unnamed: max_cost leaves only the free extractive");
	r.complexity = LLMR_COMPLEX;
	llmr_route_decide(&cfg, NULL, &r, &d, &e);
	is_int(d.nchain, 0, "max_cost empties the complex tier");
	is_int(llmr_decision_errclass(&d), LLMR_ERR_NO_CANDIDATE, "... class no_candidate");
	is_int(llmr_errclass_exit(LLMR_ERR_NO_CANDIDATE), 69, "... exit 69");
	routes[0].max_cost = 0.05;
	unsetenv("LLMR_TEST_KEY_A");
	llmr_route_decide(&cfg, NULL, &r, &d, &e);
	is_int(llmr_decision_errclass(&d), LLMR_ERR_AUTH, "only a missing key: class auth");
	is_int(llmr_errclass_exit(LLMR_ERR_AUTH), 77, "... exit 77");
	setenv("LLMR_TEST_KEY_A", "sk-test", 1);
	r.model = "nosuch/model";
	ok(llmr_route_decide(&cfg, NULL, &r, &d, &e) < 0 && e.code == LLMR_EX_DATAERR,
	   "an unknown named model: bad input (%s)", e.msg);
}

/* The writer prints what jansson would: parse its output, dump it again
 * compact with 6 digits, and the bytes are the same. */
static void writer_matches_jansson(const struct llmr_decision *d, const char *what)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	json_error_t jerr;
	json_t *j;
	char *again;

	llmr_decision_write(d, &b);
	j = json_loadb(b.s, b.len, 0, &jerr);
	ok(j != NULL, "%s: valid JSON (%s)", what, j ? "ok" : jerr.text);
	again = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
	is_str(b.s, again ? again : "", "%s: byte for byte as jansson prints it", what);
	free(again);
	json_decref(j);
	llmr_buf_release(&b);
}

static void test_writer(void)
{
	static const double reals[] = {0, 1, 0.18, 2e-05, 0.000123456789, 1e+20, 123456789.0, 1.5e-300};
	struct llmr_decision d;

	ok(decide("search", "Bonjour !", &d) == 0, "decide");
	writer_matches_jansson(&d, "a decision");
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		char what[64];

		d.est_cost_usd = reals[i];
		d.score = -reals[i];
		snprintf(what, sizeof(what), "real %g", reals[i]);
		writer_matches_jansson(&d, what);
	}
	snprintf(d.id, sizeof(d.id), "q\"uo\\te/\x01\x7f\t\n");
	snprintf(d.reason, sizeof(d.reason), "cut \xc3");
	d.skip = "degraded";
	d.degraded = true;
	d.nchain = 0;
	writer_matches_jansson(&d, "escapes, no chain, degraded");
	ok(strstr(d.reason, "\xc3") != NULL, "(the reason holds a cut UTF-8 sequence)");
	{
		struct llmr_buf b = LLMR_BUF_INIT;

		llmr_decision_write(&d, &b);
		ok(strstr(b.s, "cut \xef\xbf\xbd\"") != NULL, "invalid UTF-8 becomes U+FFFD");
		llmr_buf_release(&b);
	}
}

/* One table per word: every spelling a user may type, one printed back. */
static void test_vocab(void)
{
	char buf[64];

	is_int(llmr_priority_parse("p1"), 1, "p1 is P1: priorities ignore case");
	is_int(llmr_priority_parse("P1 "), -1, "no trailing junk");
	is_int(llmr_priority_parse(NULL), -1, "NULL is no priority");
	is_str(llmr_priority_name(llmr_priority_parse("p3")), "P3", "printed canonical");
	is_str(llmr_priority_name(-1), "P1", "out of range: the default");
	is_int(llmr_complexity_parse("Complex"), LLMR_COMPLEX, "tiers ignore case");
	is_int(llmr_complexity_parse("hard"), -1, "unknown tier");
	is_str(llmr_complexity_name(LLMR_MEDIUM), "medium", "tier name");
	is_int(llmr_strategy_parse("CHEAPEST"), LLMR_STRATEGY_CHEAPEST, "strategies ignore case");
	is_str(llmr_strategy_name(LLMR_STRATEGY_BEST), "best", "strategy name");
	is_str(llmr_vocab_choices(llmr_complexity_names, buf, sizeof(buf)), "simple, medium or complex",
	       "choices for a message");
	is_str(llmr_vocab_choices(llmr_priority_names, buf, sizeof(buf)), "P0, P1, P2 or P3",
	       "priority choices");
}

int main(void)
{
	setup();
	test_basic();
	test_vocab();
	test_writer();
	test_named_and_empty();
	test_drops();
	test_view_and_strategy();
	test_check();
	return done_testing();
}
