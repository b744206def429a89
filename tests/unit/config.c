/*
 * config.c - unit tests for the config loader: every field, the defaults,
 * every kind of error with its exact position, the built-ins, API keys.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/config.h"
#include "tap.h"

static char dir[] = "/tmp/llmr-config-test-XXXXXX";

/* Write text to DIR/name and return the path (static; one at a time). */
static const char *write_conf(const char *name, const char *text)
{
	static char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	if (!fp)
		return path;
	fputs(text, fp);
	fclose(fp);
	return path;
}

static const char good[] =
	"# every key\n"
	"providers:\n"
	"  openai:\n"
	"    protocol: openai\n"
	"    base_url: https://api.openai.com/v1/\n"
	"    api_key_env: OPENAI_API_KEY\n"
	"    api_key_file: /nonexistent/key\n"
	"    tier: enterprise\n"
	"    status: testing\n"
	"    limits: {rps: 5, rpm: 500, rpd: 10000, tps: 7, tpm: 200000, tpd: 2000000, concurrent: 8}\n"
	"    budget: {usd_per_month: 100, alert_at: 0.75}\n"
	"    timeout: 30s\n"
	"    connect_timeout: 250ms\n"
	"    max_retries: 4\n"
	"    breaker: {failures: 3, cooldown: 5m}\n"
	"    notes: \"pay-as-you-go\"\n"
	"    models:\n"
	"      gpt-4o-mini: {input: 0.15, output: 0.60, cached_input: 0.075, context: 128000, quality: 72}\n"
	"      gpt-4o:\n"
	"        input: 2.50\n"
	"        output: 10\n"
	"        cache_write: 3.125\n"
	"        limits:\n"
	"          rpm: 50\n"
	"  anthropic:\n"
	"    protocol: anthropic\n"
	"    models: {claude-sonnet-4: {input: 3, output: 15}}\n"
	"  gem: {protocol: gemini, models: {gemini-2.0-flash: }}\n"
	"  olla: {protocol: ollama}\n"
	"  openrouter:\n"
	"    protocol: openai\n"
	"    base_url: https://openrouter.ai/api/v1\n"
	"    models:\n"
	"      meta-llama/llama-3.1-8b-instruct: {input: 0.02, output: 0.03}\n"
	"routes:\n"
	"  search:\n"
	"    priority: P2\n"
	"    max_cost: 0.01\n"
	"    strategy: cheapest\n"
	"    on_limit: wait\n"
	"    max_wait: 1m\n"
	"    hedge_after: 2s\n"
	"    index: docs\n"
	"    system: You answer briefly.\n"
	"    tiers:\n"
	"      simple:  [openai/gpt-4o-mini, local/extractive]\n"
	"      medium:  [openrouter/meta-llama/llama-3.1-8b-instruct]\n"
	"      complex: [openai/gpt-4o]\n"
	"  compliance:\n"
	"    force: complex\n"
	"cache: {exact_ttl: 12h, semantic_threshold: 0.9, semantic_ttl: 0}\n"
	"budget: {calls_per_request: 5}\n"
	"index: {embedder: openai/gpt-4o-mini, chunk_tokens: 300, overlap: 30, weights: {bm25: 1.5, vector: 0.5}}\n"
	"router: {classifier: openai/gpt-4o-mini}\n"
	"quota: {alert_below: 0.1}\n"
	"state: /tmp/llmr-state.db\n"
	"default_route: compliance\n";

static void test_good(void)
{
	struct llmr_config *cfg = NULL;
	struct llmr_diags d = {0};
	struct llmr_err e = {0};
	struct llmr_provider_cfg *p;
	struct llmr_route_cfg *r;
	struct llmr_model_cfg *m;

	is_int(llmr_config_load(write_conf("good.conf", good), &cfg, &d, &e), 0, "good config loads");
	is_int(d.n, 0, "no diagnostics");
	if (!cfg) {
		printf("# %s\n", e.msg);
		return;
	}
	is_int(cfg->nproviders, 6, "five providers plus built-in local");
	p = llmr_config_provider(cfg, "openai");
	ok(p != NULL, "openai found");
	is_str(p->base_url, "https://api.openai.com/v1", "trailing slash trimmed");
	is_str(p->api_key_env, "OPENAI_API_KEY", "api_key_env");
	is_str(p->api_key_file, "/nonexistent/key", "api_key_file");
	is_int(p->tier, LLMR_TIER_ENTERPRISE, "tier");
	is_int(p->status, LLMR_PSTATUS_TESTING, "status");
	ok(p->limits.rps == 5 && p->limits.rpm == 500 && p->limits.rpd == 10000 && p->limits.tps == 7 &&
	   p->limits.tpm == 200000 && p->limits.tpd == 2000000 && p->limits.concurrent == 8,
	   "every limit (flow style)");
	is_num(p->budget_usd_per_month, 100, 1e-9, "usd_per_month");
	is_num(p->budget_alert_at, 0.75, 1e-9, "alert_at");
	is_int(p->timeout_ms, 30000, "timeout 30s");
	is_int(p->connect_timeout_ms, 250, "connect_timeout 250ms");
	is_int(p->max_retries, 4, "max_retries");
	is_int(p->breaker_failures, 3, "breaker failures");
	is_int(p->breaker_cooldown_ms, 300000, "breaker cooldown 5m");
	is_str(p->notes, "pay-as-you-go", "notes");
	is_int(p->nmodels, 2, "two models");
	is_int(p->pos.line, 3, "provider position line");
	is_int(p->pos.col, 3, "provider position column");
	m = &p->models[0];
	is_str(m->name, "gpt-4o-mini", "model order kept");
	ok(m->input == 0.15 && m->output == 0.60 && m->cached_input == 0.075 && m->context == 128000 &&
	   m->quality == 72, "model fields (flow style)");
	is_num(m->cache_write, -1, 0, "cache_write unset is -1");
	m = &p->models[1];
	ok(m->input == 2.5 && m->output == 10 && m->cache_write == 3.125, "model fields (block style)");
	is_int(m->limits.rpm, 50, "per-model limit");
	is_int(m->limits.tpm, -1, "per-model unset limit is -1");
	is_int(m->quality, -1, "quality unset is -1");

	p = llmr_config_provider(cfg, "anthropic");
	is_str(p->base_url, "https://api.anthropic.com", "anthropic default base_url");
	is_int(p->tier, LLMR_TIER_PAID, "tier default paid");
	is_int(p->status, LLMR_PSTATUS_ACTIVE, "status default active");
	is_int(p->timeout_ms, 60000, "timeout default 60s");
	is_int(p->connect_timeout_ms, 10000, "connect_timeout default 10s");
	is_int(p->max_retries, 2, "max_retries default 2");
	is_int(p->breaker_failures, 5, "breaker failures default 5");
	is_int(p->breaker_cooldown_ms, 30000, "breaker cooldown default 30s");
	is_num(p->budget_usd_per_month, -1, 0, "no budget is -1");
	is_num(p->budget_alert_at, 0.8, 1e-9, "alert_at default 0.8");
	is_int(p->limits.rpm, -1, "unset limit is -1");
	ok(p->api_key_env == NULL && p->api_key_file == NULL && p->notes == NULL, "unset strings are NULL");
	p = llmr_config_provider(cfg, "gem");
	is_str(p->base_url, "https://generativelanguage.googleapis.com/v1beta", "gemini default base_url");
	is_int(p->nmodels, 1, "model with an empty value");
	is_num(p->models[0].input, -1, 0, "its price is unset");
	is_str(llmr_config_provider(cfg, "olla")->base_url, "http://localhost:11434", "ollama default base_url");
	p = llmr_config_provider(cfg, "local");
	ok(p && p->protocol == LLMR_PROTO_EXTRACTIVE && p->base_url == NULL, "built-in local added");
	ok(p && p->nmodels == 1 && !strcmp(p->models[0].name, "extractive") && p->models[0].input == 0 &&
	   p->models[0].output == 0, "local/extractive costs 0");

	is_int(cfg->nroutes, 2, "two routes, no synthesised default");
	r = llmr_config_route(cfg, "search");
	ok(r != NULL, "route search");
	is_int(r->priority, 2, "priority P2");
	is_num(r->max_cost, 0.01, 1e-12, "max_cost");
	is_int(r->force, -1, "force unset");
	is_int(r->strategy, LLMR_STRATEGY_CHEAPEST, "strategy");
	is_int(r->on_limit, LLMR_ON_LIMIT_WAIT, "on_limit");
	is_int(r->max_wait_ms, 60000, "max_wait");
	is_int(r->hedge_after_ms, 2000, "hedge_after");
	is_str(r->index, "docs", "route index");
	is_str(r->system, "You answer briefly.", "system");
	is_int(r->tiers[LLMR_SIMPLE].n, 2, "simple tier has two");
	is_str(r->tiers[LLMR_SIMPLE].refs[1].spec, "local/extractive", "spec kept");
	ok(r->tiers[LLMR_SIMPLE].refs[0].model == &llmr_config_provider(cfg, "openai")->models[0],
	   "reference resolved to the model");
	ok(r->tiers[LLMR_MEDIUM].n == 1 &&
	   !strcmp(r->tiers[LLMR_MEDIUM].refs[0].provider->name, "openrouter") &&
	   !strcmp(r->tiers[LLMR_MEDIUM].refs[0].model->name, "meta-llama/llama-3.1-8b-instruct"),
	   "split on the first '/'");
	r = llmr_config_route(cfg, "compliance");
	is_int(r->force, LLMR_COMPLEX, "force complex");
	is_int(r->priority, 1, "priority default P1");
	is_int(r->strategy, LLMR_STRATEGY_ORDER, "strategy default order");
	is_int(r->max_wait_ms, 30000, "max_wait default 30s");
	is_int(r->hedge_after_ms, -1, "hedge_after default none");
	is_int(r->tiers[LLMR_SIMPLE].n, 0, "no tiers given: empty");
	is_int(cfg->cache_exact_ttl_ms, 12 * 3600000LL, "exact_ttl");
	is_num(cfg->cache_semantic_threshold, 0.9, 1e-9, "semantic_threshold");
	is_int(cfg->cache_semantic_ttl_ms, 0, "semantic_ttl 0 disables");
	is_int(cfg->budget_calls_per_request, 5, "calls_per_request");
	is_str(cfg->index_embedder, "openai/gpt-4o-mini", "embedder");
	ok(cfg->index_chunk_tokens == 300 && cfg->index_overlap == 30, "chunking");
	ok(cfg->index_bm25_weight == 1.5 && cfg->index_vector_weight == 0.5, "weights");
	is_str(cfg->router_classifier, "openai/gpt-4o-mini", "classifier");
	is_num(cfg->quota_alert_below, 0.1, 1e-9, "alert_below");
	is_str(cfg->state, "/tmp/llmr-state.db", "state");
	is_str(cfg->default_route, "compliance", "default_route");
	llmr_config_free(cfg);
	llmr_diags_release(&d);
}

static void test_defaults(void)
{
	struct llmr_config *cfg = NULL;
	struct llmr_diags d = {0};
	struct llmr_err e = {0};
	struct llmr_route_cfg *r;

	is_int(llmr_config_load(NULL, &cfg, &d, &e), 0, "built-in config loads");
	is_str(cfg->path, "<built-in>", "path is <built-in>");
	is_int(cfg->nproviders, 1, "only local");
	is_int(cfg->nroutes, 1, "only the default route");
	r = llmr_config_route(cfg, "default");
	ok(r && r->tiers[0].n == 1 && r->tiers[1].n == 1 && r->tiers[2].n == 1 &&
	   !strcmp(r->tiers[2].refs[0].spec, "local/extractive"), "default: [local/extractive] x3");
	is_int(cfg->cache_exact_ttl_ms, 86400000, "exact_ttl default 24h");
	is_num(cfg->cache_semantic_threshold, 0.92, 1e-9, "semantic_threshold default");
	is_int(cfg->cache_semantic_ttl_ms, 3600000, "semantic_ttl default 1h");
	is_int(cfg->budget_calls_per_request, 3, "calls_per_request default 3");
	is_str(cfg->index_embedder, "local", "embedder default local");
	ok(cfg->index_chunk_tokens == 400 && cfg->index_overlap == 40, "chunking defaults");
	ok(cfg->index_bm25_weight == 1.0 && cfg->index_vector_weight == -1,
	   "weights default: bm25 1, vector by embedder");
	is_num(cfg->quota_alert_below, 0.2, 1e-9, "alert_below default 0.2");
	ok(!cfg->state && !cfg->default_route && !cfg->router_classifier, "unset strings NULL");
	llmr_config_free(cfg);

	/* No routes: every model of every active provider, local last. */
	is_int(llmr_config_load(write_conf("noroutes.conf",
					   "providers:\n"
					   "  a: {protocol: openai, models: {m1: {}, m2: {}}}\n"
					   "  off: {protocol: openai, status: inactive, models: {x: {}}}\n"
					   "  b: {protocol: ollama, models: {llama3: {}}}\n"),
				&cfg, &d, &e), 0, "config without routes loads");
	r = cfg ? llmr_config_route(cfg, "default") : NULL;
	ok(r && r->tiers[1].n == 4, "default route synthesised with 4 models");
	ok(r && r->tiers[1].n == 4 && !strcmp(r->tiers[1].refs[0].spec, "a/m1") &&
	   !strcmp(r->tiers[1].refs[1].spec, "a/m2") && !strcmp(r->tiers[1].refs[2].spec, "b/llama3") &&
	   !strcmp(r->tiers[1].refs[3].spec, "local/extractive"), "file order, inactive skipped, local last");
	llmr_config_free(cfg);

	is_int(llmr_config_load(write_conf("defroute.conf", "default_route: default\n"), &cfg, &d, &e), 0,
	       "default_route may name the synthesised route");
	llmr_config_free(cfg);
	is_int(llmr_config_load(write_conf("empty.conf", ""), &cfg, &d, &e), 0, "empty file loads");
	ok(cfg && cfg->nproviders == 1 && cfg->nroutes == 1, "empty file: built-ins only");
	llmr_config_free(cfg);
	llmr_diags_release(&d);
}

/* Load text, expect failure with exactly the diagnostics in want (joined
 * by '\n'), and the exit code. */
static void expect_diags(const char *name, const char *text, const char *want, int code)
{
	struct llmr_config *cfg = NULL;
	struct llmr_diags d = {0};
	struct llmr_err e = {0};
	struct llmr_buf got = LLMR_BUF_INIT;
	size_t i;
	int rc = llmr_config_load(write_conf(name, text), &cfg, &d, &e);

	for (i = 0; i < d.n; i++)
		llmr_buf_addf(&got, "%s%s", i ? "\n" : "", d.msgs[i]);
	ok(rc == -1 && cfg == NULL && e.code == code, "%s: fails with %d", name, code);
	is_str(got.s ? got.s : "", want, "%s: diagnostics", name);
	ok(d.n && !strcmp(e.msg, d.msgs[0]), "%s: e holds the first one", name);
	llmr_buf_release(&got);
	llmr_diags_release(&d);
}

static void test_errors(void)
{
	char want[2048];

#define EXPECT(name, text, fmt, ...) \
	(snprintf(want, sizeof(want), fmt, __VA_ARGS__), expect_diags(name, text, want, 78))

	EXPECT("unknown.conf",
	       "providers:\n"
	       "  openai:\n"
	       "    protocol: openai\n"
	       "    limits:\n"
	       "      rpm: 5\n"
	       "      rmp: 6\n",
	       "%s/unknown.conf:6:7: unknown key 'rmp' (did you mean 'rpm'?)", dir);
	EXPECT("nosuggest.conf", "frobnicate: 1\n",
	       "%s/nosuggest.conf:1:1: unknown key 'frobnicate' (valid here: providers, routes, cache, "
	       "budget, index, router, quota, judge, aliases, serve, state, default_route, logs,"
	       " coordination, coordination_prefix, coordination_password_env,"
	       " coordination_password_file, coordination_share, coordination_hosts,"
	       " coordination_timeout)", dir);
	EXPECT("apikey.conf", "providers:\n  o:\n    protocol: openai\n    api_key: sk-secret\n",
	       "%s/apikey.conf:4:5: unknown key 'api_key' (keys never go in the config: use api_key_env or api_key_file)",
	       dir);
	EXPECT("types.conf",
	       "providers:\n"
	       "  o:\n"
	       "    protocol: openai\n"
	       "    limits: [1, 2]\n"
	       "    timeout: {a: 1}\n"
	       "    max_retries: lots\n"
	       "    notes: [x]\n"
	       "    models:\n"
	       "      m: {input: \"0.5\", context: 1.5}\n",
	       "%1$s/types.conf:4:13: 'limits' must be a mapping, not a list\n"
	       "%1$s/types.conf:5:14: 'timeout' must be a duration, not a mapping\n"
	       "%1$s/types.conf:6:18: 'max_retries' must be a number, not the string 'lots'\n"
	       "%1$s/types.conf:7:12: 'notes' must be a string, not a list\n"
	       "%1$s/types.conf:9:18: 'input' must be a number, not the string '0.5'\n"
	       "%1$s/types.conf:9:34: 'context' must be a whole number (got 1.5)", dir);
	EXPECT("ranges.conf",
	       "providers:\n"
	       "  o:\n"
	       "    protocol: openai\n"
	       "    limits: {rpm: -1}\n"
	       "    budget: {alert_at: 2}\n"
	       "    models:\n"
	       "      m: {output: -0.5, quality: 101}\n",
	       "%1$s/ranges.conf:4:19: 'rpm' must not be negative (got -1)\n"
	       "%1$s/ranges.conf:5:24: 'alert_at' must be between 0 and 1 (got 2)\n"
	       "%1$s/ranges.conf:7:19: 'output' must not be negative (got -0.5)\n"
	       "%1$s/ranges.conf:7:34: 'quality' must be between 0 and 100 (got 101)", dir);
	EXPECT("enums.conf",
	       "providers:\n"
	       "  o:\n"
	       "    protocol: openia\n"
	       "    tier: gold\n"
	       "routes:\n"
	       "  r: {priority: P7, force: hard, strategy: random, on_limit: panic}\n",
	       "%1$s/enums.conf:3:15: 'protocol': unknown value 'openia' (valid: openai, anthropic, gemini, ollama, extractive)\n"
	       "%1$s/enums.conf:4:11: 'tier': unknown value 'gold' (valid: free, paid, enterprise)\n"
	       "%1$s/enums.conf:6:17: 'priority': unknown value 'P7' (valid: P0, P1, P2, P3)\n"
	       "%1$s/enums.conf:6:28: 'force': unknown value 'hard' (valid: simple, medium, complex)\n"
	       "%1$s/enums.conf:6:44: 'strategy': unknown value 'random' (valid: order, cheapest, fastest, best)\n"
	       "%1$s/enums.conf:6:62: 'on_limit': unknown value 'panic' (valid: fallback, wait)", dir);
	EXPECT("dur.conf", "cache: {exact_ttl: 3 days}\n",
	       "%s/dur.conf:1:20: 'exact_ttl': invalid duration '3 days' (use e.g. 500ms, 30s, 5m, 1h, 1d)", dir);
	EXPECT("dups.conf",
	       "providers:\n"
	       "  o: {protocol: openai, models: {m: {}, m: {}}}\n"
	       "  o: {protocol: openai}\n"
	       "routes:\n"
	       "  r: {}\n"
	       "  r: {max_cost: 1, max_cost: 2}\n",
	       "%1$s/dups.conf:2:41: duplicate model 'm' (first at 2:34)\n"
	       "%1$s/dups.conf:3:3: duplicate provider 'o' (first at 2:3)\n"
	       "%1$s/dups.conf:6:3: duplicate route 'r' (first at 5:3)", dir);
	EXPECT("dupkey.conf", "cache: {exact_ttl: 1h}\ncache: {exact_ttl: 2h}\n",
	       "%s/dupkey.conf:2:1: duplicate key 'cache' (first at 1:1)", dir);
	EXPECT("refs.conf",
	       "providers:\n"
	       "  openai: {protocol: openai, models: {gpt-4o: {}, gpt-4o-mini: {}}}\n"
	       "routes:\n"
	       "  r:\n"
	       "    tiers:\n"
	       "      simple: [openai/gpt-5, opnai/gpt-4o, gpt-4o, openai/, local/extractive]\n"
	       "default_route: rr\n"
	       "router: {classifier: openai/gpt-4}\n",
	       "%1$s/refs.conf:6:16: unknown model 'openai/gpt-5' (did you mean 'openai/gpt-4o'?)\n"
	       "%1$s/refs.conf:6:30: unknown provider 'opnai' in 'opnai/gpt-4o' (did you mean 'openai/gpt-4o'?)\n"
	       "%1$s/refs.conf:6:44: malformed model reference 'gpt-4o' (expected provider/model)\n"
	       "%1$s/refs.conf:6:52: malformed model reference 'openai/' (expected provider/model)\n"
	       "%1$s/refs.conf:7:16: default_route: unknown route 'rr' (did you mean 'r'?)\n"
	       "%1$s/refs.conf:8:22: 'classifier': unknown model 'openai/gpt-4' (did you mean 'openai/gpt-4o'?)", dir);
	EXPECT("syntax.conf", "providers:\n  openai:\n    protocol: openai\n   bad: 1\n",
	       "%s/syntax.conf:4:4: YAML syntax error: did not find expected key (while parsing a block mapping at 2:3)",
	       dir);
	EXPECT("tab.conf", "providers:\n\topenai: {}\n",
	       "%s/tab.conf:2:1: YAML syntax error: tab character in indentation (use spaces)", dir);
	EXPECT("local.conf", "providers:\n  local: {protocol: openai, models: {gpt: {}}}\n",
	       "%1$s/local.conf:2:3: provider 'local' is built in: its protocol must be extractive\n"
	       "%1$s/local.conf:2:38: provider 'local' is built in and has only the model 'extractive'", dir);
	EXPECT("noproto.conf", "providers:\n  groq: {base_url: https://api.groq.com/openai/v1}\n",
	       "%s/noproto.conf:2:3: provider 'groq' has no 'protocol' (one of openai, anthropic, gemini, ollama, extractive)",
	       dir);
	EXPECT("slash.conf", "providers:\n  a/b: {protocol: openai}\n",
	       "%s/slash.conf:2:3: provider name 'a/b' must not contain '/'", dir);
	EXPECT("index.conf", "index: {chunk_tokens: 100, overlap: 100}\nbudget: {calls_per_request: 0}\n",
	       "%1$s/index.conf:1:37: 'overlap' (100) must be smaller than 'chunk_tokens' (100)\n"
	       "%1$s/index.conf:2:29: 'calls_per_request' must be at least 1", dir);
	EXPECT("envname.conf", "providers:\n  o: {protocol: openai, api_key_env: sk-abc123}\n",
	       "%s/envname.conf:2:38: 'api_key_env' must be the name of an environment variable (letters, digits, '_'), not the key itself",
	       dir);
	EXPECT("url.conf", "providers:\n  o: {protocol: openai, base_url: ftp://x}\n",
	       "%s/url.conf:2:35: 'base_url' must start with http:// or https:// (got 'ftp://x')", dir);
	EXPECT("deep.conf", "a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
	       "%s/deep.conf:1:35: nested deeper than 32 levels", dir);
	EXPECT("toplist.conf", "- a\n- b\n",
	       "%s/toplist.conf:1:1: the top level must be a mapping of sections, not a list", dir);
}

static void test_missing(void)
{
	struct llmr_config *cfg = NULL;
	struct llmr_diags d = {0};
	struct llmr_err e = {0};
	char path[300], want[400];

	snprintf(path, sizeof(path), "%s/nope.conf", dir);
	snprintf(want, sizeof(want), "cannot open '%s': No such file or directory", path);
	is_int(llmr_config_load(path, &cfg, &d, &e), -1, "missing file fails");
	is_int(e.code, LLMR_EX_NOINPUT, "missing file: exit 66");
	is_str(e.msg, want, "missing file: message");
	ok(d.n == 1 && !strcmp(d.msgs[0], want), "missing file: one diagnostic");
	llmr_diags_release(&d);
}

static void test_vars(void)
{
	struct llmr_config *cfg = NULL;
	struct llmr_diags d = {0};
	struct llmr_err e = {0};
	char want[600];

	setenv("LLMR_TEST_HOST", "127.0.0.1:9999", 1);
	unsetenv("LLMR_TEST_UNSET");
	is_int(llmr_config_load(write_conf("vars.conf",
					   "providers:\n"
					   "  f: {protocol: openai, base_url: 'http://${LLMR_TEST_HOST}/v1', notes: '${LLMR_TEST_HOST}'}\n"),
				&cfg, &d, &e), 0, "${VAR} config loads");
	if (cfg) {
		is_str(llmr_config_provider(cfg, "f")->base_url, "http://127.0.0.1:9999/v1", "${VAR} expanded in base_url");
		is_str(llmr_config_provider(cfg, "f")->notes, "${LLMR_TEST_HOST}", "and nowhere else");
	}
	llmr_config_free(cfg);
	cfg = NULL;
	setenv("LLMR_TEST_SECRETISH", "sk-do-not-show", 1);
	snprintf(want, sizeof(want),
		 "%s/vars3.conf:2:35: 'base_url' must start with http:// or https:// (got '${LLMR_TEST_SECRETISH}')", dir);
	expect_diags("vars3.conf", "providers:\n  f: {protocol: openai, base_url: '${LLMR_TEST_SECRETISH}'}\n", want, 78);
	unsetenv("LLMR_TEST_SECRETISH");
	snprintf(want, sizeof(want),
		 "%1$s/vars2.conf:2:35: 'base_url': environment variable 'LLMR_TEST_UNSET' is not set\n"
		 "%1$s/vars2.conf:3:35: 'base_url': unterminated '${' in 'http://${LLMR_TEST_HOST'\n"
		 "%1$s/vars2.conf:4:35: 'base_url': bad variable name in 'http://${A-B}'", dir);
	expect_diags("vars2.conf",
		     "providers:\n"
		     "  f: {protocol: openai, base_url: 'http://${LLMR_TEST_UNSET}/v1'}\n"
		     "  g: {protocol: openai, base_url: 'http://${LLMR_TEST_HOST'}\n"
		     "  h: {protocol: openai, base_url: 'http://${A-B}'}\n",
		     want, 78);
}

static void test_resolve(void)
{
	struct llmr_config *cfg = NULL;
	struct llmr_diags d = {0};
	struct llmr_err e = {0};
	struct llmr_model_ref ref;

	if (llmr_config_load(write_conf("good.conf", good), &cfg, &d, &e) < 0) {
		ok(0, "reload good: %s", e.msg);
		return;
	}
	is_int(llmr_config_resolve(cfg, "openai/gpt-4o", &ref, &e), 0, "resolve openai/gpt-4o");
	ok(ref.provider && !strcmp(ref.provider->name, "openai") && !strcmp(ref.model->name, "gpt-4o"),
	   "resolved pointers");
	is_int(llmr_config_resolve(cfg, "openai/gpt-5", &ref, &e), -1, "unknown model fails");
	is_int(e.code, LLMR_EX_USAGE, "with exit 64");
	is_str(e.msg, "unknown model 'openai/gpt-5' (did you mean 'openai/gpt-4o'?)", "and a suggestion");
	is_int(llmr_config_resolve(cfg, "openrouter/meta-llama/llama-3.1-8b-instruct", &ref, &e), 0,
	       "model names with '/' resolve");
	ok(llmr_config_route(cfg, "nope") == NULL && llmr_config_provider(cfg, "nope") == NULL,
	   "lookups of unknown names are NULL");
	is_str(llmr_protocol_name(LLMR_PROTO_GEMINI), "gemini", "protocol name");
	is_str(llmr_complexity_name(LLMR_MEDIUM), "medium", "complexity name");
	is_int(llmr_complexity_parse("complex"), LLMR_COMPLEX, "complexity parse");
	is_int(llmr_complexity_parse("hard"), -1, "complexity parse unknown");
	llmr_config_free(cfg);
}

static void test_api_key(void)
{
	struct llmr_provider_cfg p;
	struct llmr_err e = {0};
	char keypath[300], *k;
	FILE *fp;

	memset(&p, 0, sizeof(p));
	p.name = "openai";
	p.api_key_env = "LLMR_TEST_KEY";
	setenv("LLMR_TEST_KEY", "sk-test-123", 1);
	k = llmr_provider_api_key(&p, &e);
	is_str(k, "sk-test-123", "key from the environment");
	free(k);
	unsetenv("LLMR_TEST_KEY");
	k = llmr_provider_api_key(&p, &e);
	ok(k == NULL && e.code == LLMR_EX_NOPERM, "unset variable: exit 77");
	is_str(e.msg, "provider 'openai': no API key: set LLMR_TEST_KEY", "names the variable");

	setenv("LLMR_TEST_KEY", "sk-bad\nX-Injected: 1", 1);
	k = llmr_provider_api_key(&p, &e);
	ok(k == NULL && !strstr(e.msg, "sk-bad"), "a key with a newline is refused, not echoed");
	unsetenv("LLMR_TEST_KEY");

	snprintf(keypath, sizeof(keypath), "%s/key", dir);
	fp = fopen(keypath, "w");
	fputs("sk-file-456\n", fp);
	fclose(fp);
	p.api_key_file = keypath;
	chmod(keypath, 0644);
	k = llmr_provider_api_key(&p, &e);
	ok(k == NULL && e.code == LLMR_EX_NOPERM, "key file readable by others refused");
	ok(strstr(e.msg, "chmod 600") && !strstr(e.msg, "sk-file"), "says chmod, never the key");
	chmod(keypath, 0600);
	k = llmr_provider_api_key(&p, &e);
	is_str(k, "sk-file-456", "key file 0600: newline stripped");
	free(k);
	chmod(keypath, 0640);
	k = llmr_provider_api_key(&p, &e);
	ok(k == NULL, "group-readable key file refused");
	fp = fopen(keypath, "w");
	fputs("\n", fp);
	fclose(fp);
	chmod(keypath, 0600);
	k = llmr_provider_api_key(&p, &e);
	ok(k == NULL && strstr(e.msg, "is empty"), "empty key file refused");
	unlink(keypath);
	k = llmr_provider_api_key(&p, &e);
	ok(k == NULL && e.code == LLMR_EX_NOPERM && strstr(e.msg, "No such file"), "missing key file: exit 77");
	p.api_key_file = dir;
	k = llmr_provider_api_key(&p, &e);
	ok(k == NULL && strstr(e.msg, "not a regular file"), "a directory is not a key file");
	setenv("LLMR_TEST_KEY", "sk-env-wins", 1);
	p.api_key_file = keypath;
	k = llmr_provider_api_key(&p, &e);
	is_str(k, "sk-env-wins", "the variable wins over the file");
	free(k);
	unsetenv("LLMR_TEST_KEY");

	p.api_key_env = NULL;
	p.api_key_file = NULL;
	k = llmr_provider_api_key(&p, &e);
	is_str(k, "", "no key configured: empty string");
	free(k);
}

static void test_find(void)
{
	char *p, xdg[300], want[400];

	is_str(p = llmr_config_find("x.conf"), "x.conf", "--config wins");
	free(p);
	setenv("LLMR_CONFIG", "/nonexistent/llmr.conf", 1);
	is_str(p = llmr_config_find(NULL), "/nonexistent/llmr.conf", "$LLMR_CONFIG, even if missing");
	free(p);
	unsetenv("LLMR_CONFIG");
	snprintf(xdg, sizeof(xdg), "%s/xdg", dir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	p = llmr_config_find(NULL);
	ok(!p || !strcmp(p, "/etc/llmr.conf"), "missing XDG file is skipped");
	free(p);
	snprintf(want, sizeof(want), "%s/llmr", xdg);
	mkdir(xdg, 0700);
	mkdir(want, 0700);
	snprintf(want, sizeof(want), "%s/llmr/llmr.conf", xdg);
	fclose(fopen(want, "w"));
	is_str(p = llmr_config_find(NULL), want, "$XDG_CONFIG_HOME/llmr/llmr.conf");
	free(p);
	unlink(want);
	snprintf(want, sizeof(want), "%s/llmr", xdg);
	rmdir(want);
	rmdir(xdg);
}

/* The temp dir holds only files this test wrote, none in subdirectories. */
static void cleanup(void)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char path[400];

	while (dp && (de = readdir(dp)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	if (dp)
		closedir(dp);
	rmdir(dir);
}

int main(void)
{

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_good();
	test_defaults();
	test_errors();
	test_missing();
	test_vars();
	test_resolve();
	test_api_key();
	test_find();
	cleanup();
	return done_testing();
}
