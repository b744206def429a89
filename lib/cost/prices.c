#include "cost/prices.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/provider.h"

static struct llmr_price_entry *entry(struct llmr_pricebook *pb, const char *spec)
{
	int32_t id = llmr_names_id(&pb->names, spec, strlen(spec));

	if ((size_t)id >= pb->cap) {
		size_t cap = pb->cap ? pb->cap * 2 : 32;

		while (cap <= (size_t)id)
			cap *= 2;
		pb->e = llmr_xrealloc(pb->e, cap * sizeof(*pb->e));
		memset(pb->e + pb->cap, 0, (cap - pb->cap) * sizeof(*pb->e));
		pb->cap = cap;
	}
	return &pb->e[id];
}

void llmr_pricebook_add(struct llmr_pricebook *pb, const char *spec, const struct llmr_price *p,
			bool configured)
{
	struct llmr_price_entry *en = entry(pb, spec);
	size_t i;

	en->configured |= configured;
	en->v = llmr_xrealloc(en->v, (en->nv + 1) * sizeof(*en->v));
	for (i = en->nv; i > 0 && en->v[i - 1].valid_from > p->valid_from; i--)
		en->v[i] = en->v[i - 1];
	en->v[i] = *p;
	en->nv++;
}

static void from_config(struct llmr_pricebook *pb, const struct llmr_config *cfg)
{
	size_t i, j;
	char spec[512];

	for (i = 0; cfg && i < cfg->nproviders; i++)
		for (j = 0; j < cfg->providers[i].nmodels; j++) {
			const struct llmr_model_cfg *m = &cfg->providers[i].models[j];
			struct llmr_price p = {INT64_MIN, m->input, m->output, m->cached_input,
					       m->cache_write, m->context, m->quality};

			snprintf(spec, sizeof(spec), "%s/%s", cfg->providers[i].name, m->name);
			llmr_pricebook_add(pb, spec, &p, true);
		}
}

static double col_num(sqlite3_stmt *st, int i, double unset)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? unset : sqlite3_column_double(st, i);
}

/* Stored versions inherit what they do not say (quality, context) from the
 * version before them. */
static void from_state(struct llmr_pricebook *pb, sqlite3_stmt *st)
{
	char spec[512];
	const struct llmr_price *prev;
	struct llmr_price p;

	snprintf(spec, sizeof(spec), "%s/%s", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
	prev = llmr_pricebook_latest(pb, spec);
	p.valid_from = sqlite3_column_int64(st, 2);
	p.input = col_num(st, 3, -1);
	p.output = col_num(st, 4, -1);
	p.cached_input = col_num(st, 5, -1);
	p.cache_write = col_num(st, 6, -1);
	p.context = (long)col_num(st, 7, prev ? (double)prev->context : -1);
	p.quality = (int)col_num(st, 8, prev ? prev->quality : -1);
	llmr_pricebook_add(pb, spec, &p, false);
}

int llmr_pricebook_load(struct llmr_pricebook *pb, const struct llmr_config *cfg, sqlite3 *db,
			struct llmr_err *e)
{
	static const char sql[] =
		"SELECT provider, model, valid_from_ms, input, output, cached_input, cache_write,"
		" context, quality FROM price_versions ORDER BY valid_from_ms";
	sqlite3_stmt *st;
	int rc;

	memset(pb, 0, sizeof(*pb));
	from_config(pb, cfg);
	if (!db)
		return 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read prices: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		from_state(pb, st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read prices: %s", sqlite3_errmsg(db));
	return 0;
}

void llmr_pricebook_release(struct llmr_pricebook *pb)
{
	size_t i;

	for (i = 0; i < pb->names.n; i++)
		free(pb->e[i].v);
	free(pb->e);
	llmr_names_release(&pb->names);
	memset(pb, 0, sizeof(*pb));
}

const struct llmr_price *llmr_pricebook_at_id(const struct llmr_pricebook *pb, int32_t id, int64_t ts)
{
	const struct llmr_price_entry *en;
	size_t lo = 0, hi;

	if (id < 0 || (size_t)id >= pb->names.n)
		return NULL;
	en = &pb->e[id];
	if (!en->nv)
		return NULL;
	/* The last version with valid_from <= ts; before the first, the first. */
	hi = en->nv;
	while (lo + 1 < hi) {
		size_t mid = (lo + hi) / 2;

		if (en->v[mid].valid_from <= ts)
			lo = mid;
		else
			hi = mid;
	}
	return &en->v[lo];
}

const struct llmr_price *llmr_pricebook_at(const struct llmr_pricebook *pb, const char *spec, int64_t ts)
{
	return llmr_pricebook_at_id(pb, llmr_names_find(&pb->names, spec), ts);
}

const struct llmr_price *llmr_pricebook_latest(const struct llmr_pricebook *pb, const char *spec)
{
	return llmr_pricebook_at(pb, spec, INT64_MAX);
}

double llmr_price_cost(const struct llmr_price *p, int64_t in, int64_t out, int64_t cached,
		       int64_t cache_write)
{
	struct llmr_model_cfg m;
	struct llmr_usage u;

	memset(&m, 0, sizeof(m));
	m.input = p->input;
	m.output = p->output;
	m.cached_input = p->cached_input;
	m.cache_write = p->cache_write;
	memset(&u, 0, sizeof(u));
	u.input_tokens = (long)in;
	u.output_tokens = (long)out;
	u.cached_tokens = (long)cached;
	u.cache_write_tokens = (long)cache_write;
	return llmr_usage_cost(&m, &u);
}

int llmr_prices_overlay(struct llmr_state *st, struct llmr_config *cfg, struct llmr_err *e)
{
	struct llmr_pricebook pb;
	size_t i, j;
	char spec[512];

	if (llmr_pricebook_load(&pb, NULL, llmr_state_db(st), e))
		return -1;
	for (i = 0; i < cfg->nproviders; i++)
		for (j = 0; j < cfg->providers[i].nmodels; j++) {
			struct llmr_model_cfg *m = &cfg->providers[i].models[j];
			const struct llmr_price *p;

			snprintf(spec, sizeof(spec), "%s/%s", cfg->providers[i].name, m->name);
			if (!(p = llmr_pricebook_latest(&pb, spec)))
				continue;
			m->input = p->input;
			m->output = p->output;
			m->cached_input = p->cached_input;
			m->cache_write = p->cache_write;
			if (p->context >= 0)
				m->context = p->context;
			if (p->quality >= 0)
				m->quality = p->quality;
		}
	llmr_pricebook_release(&pb);
	return 0;
}
