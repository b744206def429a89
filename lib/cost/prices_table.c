#include "cost/prices.h"

#include <stdlib.h>
#include <string.h>

/*
 * Measured latency comes from one scan of the ok attempts: a median per
 * model is what an admin compares, and one scan beats a sort per model.
 */

struct lats {
	int32_t *v;
	size_t n, cap;
};

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static double median(struct lats *l)
{
	if (!l->n)
		return -1;
	qsort(l->v, l->n, sizeof(*l->v), cmp_i32);
	if (l->n % 2)
		return l->v[l->n / 2];
	return (l->v[l->n / 2 - 1] + (double)l->v[l->n / 2]) / 2;
}

static int scan(sqlite3 *db, const struct llmr_pricebook *pb, struct lats *l, struct llmr_err *e)
{
	static const char sql[] =
		"SELECT provider || '/' || model, latency_ms FROM requests"
		" WHERE status = 'ok' AND latency_ms IS NOT NULL AND (cache IS NULL OR cache = 'miss')";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read the request log: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *spec = (const char *)sqlite3_column_text(st, 0);
		int32_t id = llmr_names_find(&pb->names, spec);
		struct lats *x;

		if (id < 0)
			continue;
		x = &l[id];
		if (x->n == x->cap) {
			x->cap = x->cap ? 2 * x->cap : 16;
			x->v = llmr_xrealloc(x->v, x->cap * sizeof(*x->v));
		}
		x->v[x->n++] = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read the request log: %s", sqlite3_errmsg(db));
	return 0;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct llmr_price_row *x = a, *y = b;

	if (x->configured != y->configured)
		return x->configured ? -1 : 1;
	return strcmp(x->spec, y->spec);
}

int llmr_prices_table(sqlite3 *db, const struct llmr_pricebook *pb, struct llmr_price_row **rows,
		      size_t *n, struct llmr_err *e)
{
	struct lats *l = llmr_xcalloc(pb->names.n + 1, sizeof(*l));
	size_t i;
	int rc = db ? scan(db, pb, l, e) : 0;

	*rows = llmr_xcalloc(pb->names.n + 1, sizeof(**rows));
	*n = pb->names.n;
	for (i = 0; i < pb->names.n; i++) {
		struct llmr_price_row *r = &(*rows)[i];

		r->spec = llmr_xstrdup(pb->names.s[i]);
		r->p = *llmr_pricebook_at_id(pb, (int32_t)i, INT64_MAX);
		r->configured = pb->e[i].configured;
		r->samples = (long)l[i].n;
		r->median_latency_ms = median(&l[i]);
		free(l[i].v);
	}
	free(l);
	qsort(*rows, *n, sizeof(**rows), cmp_rows);
	return rc;
}

void llmr_price_rows_free(struct llmr_price_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(rows[i].spec);
	free(rows);
}
