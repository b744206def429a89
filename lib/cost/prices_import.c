#include "cost/prices.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* LiteLLM's file is ~1 MB upstream; anything past this is not a price table. */
#define IMPORT_MAX_BYTES (64u << 20)

struct import_ctx {
	const struct llmr_config *cfg;
	json_t *root;
	bool add;
	int64_t now;
	struct llmr_pricebook pb;
	struct llmr_price_import *out;
	/* Best key per configured model: an exact name beats a prefixed one. */
	const char **best;
	int *best_rank;
	size_t nmodels;
};

/* A number field, or -1 when absent or not a number (strings are skipped). */
static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : -1;
}

static double per_million(double per_token)
{
	/* Rounded to 1e-9 $/1M: 3e-06 * 1e6 must read 3, not 2.9999999999999996. */
	return per_token < 0 ? -1 : round(per_token * 1e6 * 1e9) / 1e9;
}

static void to_price(json_t *o, int64_t now, struct llmr_price *p)
{
	double ctx = num(o, "max_input_tokens");

	if (ctx < 0)
		ctx = num(o, "max_tokens");
	p->valid_from = now;
	p->input = per_million(num(o, "input_cost_per_token"));
	p->output = per_million(num(o, "output_cost_per_token"));
	p->cached_input = per_million(num(o, "cache_read_input_token_cost"));
	p->cache_write = per_million(num(o, "cache_creation_input_token_cost"));
	p->context = ctx < 0 ? -1 : (long)ctx;
	p->quality = -1;
}

/* 2: key is the name; 1: key is "something/name"; 0: no match. */
static int match_rank(const char *key, const char *provider, const char *name)
{
	size_t kl = strlen(key), nl = strlen(name), pl = strlen(provider);

	if (!strcmp(key, name))
		return 2;
	if (kl > pl + 1 && !strncmp(key, provider, pl) && key[pl] == '/' && !strcmp(key + pl + 1, name))
		return 2;
	if (kl > nl && key[kl - nl - 1] == '/' && !strcmp(key + kl - nl, name))
		return 1;
	return 0;
}

/* Usable entry: an object in chat mode with a numeric input price. */
static int usable(struct import_ctx *c, const char *key, json_t *v)
{
	json_t *mode = json_object_get(v, "mode");

	if (!strcmp(key, "sample_spec")) {
		c->out->skip_spec++;
		return 0;
	}
	if (!json_is_object(v) || !json_is_number(json_object_get(v, "input_cost_per_token")) ||
	    !json_is_number(json_object_get(v, "output_cost_per_token"))) {
		c->out->skip_shape++;
		return 0;
	}
	if (mode && (!json_is_string(mode) || strcmp(json_string_value(mode), "chat"))) {
		c->out->skip_mode++;
		return 0;
	}
	c->out->chat++;
	return 1;
}

/* Whether a price differs from what is in force (so re-imports are no-ops). */
static int same_price(const struct llmr_price *a, const struct llmr_price *b)
{
	return a && fabs(a->input - b->input) < 1e-12 && fabs(a->output - b->output) < 1e-12 &&
	       fabs(a->cached_input - b->cached_input) < 1e-12 &&
	       fabs(a->cache_write - b->cache_write) < 1e-12 && (b->context < 0 || a->context == b->context);
}

static int insert(sqlite3 *db, const char *provider, const char *model, const struct llmr_price *p,
		  const char *source, struct llmr_err *e)
{
	static const char sql[] =
		"INSERT OR REPLACE INTO price_versions (provider, model, valid_from_ms, input, output,"
		" cached_input, cache_write, context, quality, source) VALUES (?,?,?,?,?,?,?,?,NULL,?)";
	const double d[4] = {p->input, p->output, p->cached_input, p->cache_write};
	sqlite3_stmt *st;
	int rc, i;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot store prices: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, p->valid_from);
	for (i = 0; i < 4; i++) {
		if (d[i] < 0)
			sqlite3_bind_null(st, i + 4);
		else
			sqlite3_bind_double(st, i + 4, d[i]);
	}
	if (p->context < 0)
		sqlite3_bind_null(st, 8);
	else
		sqlite3_bind_int64(st, 8, p->context);
	sqlite3_bind_text(st, 9, source, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? rc
			: llmr_errf(e, LLMR_EX_SOFTWARE, "cannot store prices: %s", sqlite3_errmsg(db));
	return 0;
}

/* Store p for provider/model unless that price already holds. */
static int store(struct import_ctx *c, sqlite3 *db, const char *provider, const char *model,
		 struct llmr_price *p, long *changed, struct llmr_err *e)
{
	char spec[512];
	const struct llmr_price *cur;
	int rc;

	snprintf(spec, sizeof(spec), "%s/%s", provider, model);
	cur = llmr_pricebook_latest(&c->pb, spec);
	if (same_price(cur, p)) {
		if (changed == &c->out->updated)
			c->out->unchanged++;
		return 0;
	}
	if ((rc = insert(db, provider, model, p, "litellm", e)))
		return rc;
	(*changed)++;
	return 0;
}

static int tx_import(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct import_ctx *c = ud;
	const char *key;
	json_t *v;
	size_t i, j, k;
	int rc;

	memset(c->out, 0, sizeof(*c->out));
	memset(c->best, 0, c->nmodels * sizeof(*c->best));
	memset(c->best_rank, 0, c->nmodels * sizeof(*c->best_rank));
	json_object_foreach(c->root, key, v) {
		int matched = 0;

		c->out->entries++;
		if (!usable(c, key, v))
			continue;
		for (i = 0, k = 0; i < c->cfg->nproviders; i++)
			for (j = 0; j < c->cfg->providers[i].nmodels; j++, k++) {
				int r = match_rank(key, c->cfg->providers[i].name,
						   c->cfg->providers[i].models[j].name);

				matched |= r > 0;
				if (r > c->best_rank[k]) {
					c->best_rank[k] = r;
					c->best[k] = key;
				}
			}
		if (!matched) {
			json_t *lp = json_object_get(v, "litellm_provider");
			const char *prov = json_is_string(lp) ? json_string_value(lp) : "litellm";
			size_t pl = strlen(prov);
			const char *model = !strncmp(key, prov, pl) && key[pl] == '/' ? key + pl + 1 : key;
			struct llmr_price p;

			c->out->unknown++;
			if (!c->add)
				continue;
			to_price(v, c->now, &p);
			if ((rc = store(c, db, prov, model, &p, &c->out->added, e)))
				return rc;
		}
	}
	for (i = 0, k = 0; i < c->cfg->nproviders; i++)
		for (j = 0; j < c->cfg->providers[i].nmodels; j++, k++) {
			struct llmr_price p;

			if (!c->best[k])
				continue;
			to_price(json_object_get(c->root, c->best[k]), c->now, &p);
			p.quality = c->cfg->providers[i].models[j].quality;
			if ((rc = store(c, db, c->cfg->providers[i].name, c->cfg->providers[i].models[j].name,
					&p, &c->out->updated, e)))
				return rc;
		}
	return 0;
}

static json_t *load_json(const char *path, struct llmr_err *e)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	json_error_t je;
	json_t *root;

	b.max = IMPORT_MAX_BYTES;
	if (llmr_read_file(path, &b)) {
		int err = errno;

		llmr_buf_release(&b);
		return llmr_errf(e, err == ENOENT ? LLMR_EX_NOINPUT : LLMR_EX_IOERR, "cannot read '%s': %s",
				 path, strerror(err)), NULL;
	}
	root = json_loadb(b.s, b.len, 0, &je);
	llmr_buf_release(&b);
	if (!root)
		return llmr_errf(e, LLMR_EX_DATAERR, "%s:%d:%d: invalid JSON: %s", path, je.line, je.column,
				 je.text), NULL;
	if (!json_is_object(root)) {
		json_decref(root);
		return llmr_errf(e, LLMR_EX_DATAERR, "%s:1:1: not a price table: expected an object of models",
				 path), NULL;
	}
	return root;
}

int llmr_prices_import(struct llmr_state *st, const struct llmr_config *cfg, const char *path,
		       bool add, int64_t now_ms, struct llmr_price_import *out, struct llmr_err *e)
{
	struct import_ctx c;
	size_t i;
	int rc;

	memset(&c, 0, sizeof(c));
	if (!(c.root = load_json(path, e)))
		return -1;
	c.cfg = cfg;
	c.add = add;
	c.now = now_ms;
	c.out = out;
	for (i = 0; i < cfg->nproviders; i++)
		c.nmodels += cfg->providers[i].nmodels;
	c.best = llmr_xcalloc(c.nmodels + 1, sizeof(*c.best));
	c.best_rank = llmr_xcalloc(c.nmodels + 1, sizeof(*c.best_rank));
	rc = llmr_pricebook_load(&c.pb, cfg, llmr_state_db(st), e);
	if (!rc)
		rc = llmr_state_tx(st, 1, tx_import, &c, e);
	llmr_pricebook_release(&c.pb);
	free(c.best);
	free(c.best_rank);
	json_decref(c.root);
	return rc ? -1 : 0;
}
