#include "cost/cost.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The agent (llmr-ask --serve's client) of a request is looked up in
 * serve_agents by request id: one primary-key probe per row.
 *
 * Loading the period into memory once lets the report, the savings and the
 * simulation share one scan; a million attempts take about 100 bytes each.
 */

#define LOAD_COLS(agent) \
	"SELECT ts_ms, request_id, route, provider, model, complexity, fallback_from," \
	" latency_ms, attempt, cache, input_tokens, output_tokens, cached_tokens," \
	" cache_write_tokens, cost_usd, status = 'ok', " agent " FROM requests"
#define AGENT "(SELECT agent FROM serve_agents a WHERE a.request_id = requests.request_id)"
#define BY_INDEX " WHERE ts_ms >= ?1 AND ts_ms < ?2 ORDER BY ts_ms, id"
#define BY_SCAN " WHERE +ts_ms >= ?1 AND +ts_ms < ?2 ORDER BY id"

/* A narrow period goes through the time index; a period that holds most of
 * the log is cheaper as one scan of the table (then sorted if needed). The
 * agent look-up costs 15% of a load: skipped when nothing was served. */
static const char *const load_sql[2][2] = {
	{LOAD_COLS("NULL") BY_INDEX, LOAD_COLS("NULL") BY_SCAN},
	{LOAD_COLS(AGENT) BY_INDEX, LOAD_COLS(AGENT) BY_SCAN},
};

static int any_agent(sqlite3 *db)
{
	sqlite3_stmt *st;
	int any = 0;

	if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM serve_agents)", -1, &st, NULL) ==
	    SQLITE_OK) {
		any = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	return any;
}

struct llmr_cost_row *llmr_cost_log_push(struct llmr_cost_log *log)
{
	struct llmr_cost_row *r;

	if (log->n == log->cap) {
		log->cap = log->cap ? 2 * log->cap : 1024;
		log->rows = llmr_xrealloc(log->rows, log->cap * sizeof(*log->rows));
	}
	r = &log->rows[log->n++];
	memset(r, 0, sizeof(*r));
	r->route = r->provider = r->model = r->complexity = r->fallback_from = r->agent = -1;
	r->latency_ms = -1;
	r->attempt = 1;
	return r;
}

static int32_t name_col(struct llmr_cost_log *log, sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	if (!s)
		return -1;
	return llmr_names_id(&log->names, (const char *)s, (size_t)sqlite3_column_bytes(st, col));
}

/*
 * Models are keyed "provider/model" everywhere, as in the config. Joining
 * the two strings for every row is what made loading slow, so each
 * (provider id, model id) pair is joined once and remembered here.
 */
struct pairs {
	uint64_t *key;   /* (provider id + 1) << 32 | (model id + 1); 0 = empty */
	int32_t *val;
	size_t mask, n;
};

static int32_t *pair_slot(struct pairs *p, uint64_t k)
{
	size_t i;

	if (2 * (p->n + 1) > p->mask + 1) {
		struct pairs big = {NULL, NULL, p->mask ? 2 * p->mask + 1 : 255, 0};
		size_t j;

		big.key = llmr_xcalloc(big.mask + 1, sizeof(*big.key));
		big.val = llmr_xcalloc(big.mask + 1, sizeof(*big.val));
		for (j = 0; p->key && j <= p->mask; j++)
			if (p->key[j]) {
				*pair_slot(&big, p->key[j]) = p->val[j];
				big.n++;
			}
		free(p->key);
		free(p->val);
		*p = big;
	}
	i = (size_t)((k * 0x9E3779B97F4A7C15ULL) >> 20) & p->mask;
	while (p->key[i] && p->key[i] != k)
		i = (i + 1) & p->mask;
	if (!p->key[i]) {
		p->key[i] = k;
		p->val[i] = -2;
		p->n++;
	}
	return &p->val[i];
}

static int32_t model_col(struct llmr_cost_log *log, struct pairs *pairs, int32_t provider,
			 sqlite3_stmt *st)
{
	int32_t model = name_col(log, st, 4), *slot;
	char buf[512];
	int n;

	if (model < 0 || provider < 0)
		return model;
	slot = pair_slot(pairs, (uint64_t)(provider + 1) << 32 | (uint64_t)(model + 1));
	if (*slot != -2)
		return *slot;
	n = snprintf(buf, sizeof(buf), "%s/%s", log->names.s[provider], log->names.s[model]);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	return *slot = llmr_names_id(&log->names, buf, (size_t)n);
}

static int cache_kind(const unsigned char *s)
{
	if (!s)
		return LLMR_CACHE_MISS;
	if (!strcmp((const char *)s, "exact"))
		return LLMR_CACHE_EXACT;
	if (!strcmp((const char *)s, "semantic"))
		return LLMR_CACHE_SEMANTIC;
	return LLMR_CACHE_MISS;
}

static void fill_row(struct llmr_cost_log *log, struct pairs *pairs, sqlite3_stmt *st)
{
	struct llmr_cost_row *r = llmr_cost_log_push(log);
	const unsigned char *rid = sqlite3_column_text(st, 1);

	r->ts_ms = sqlite3_column_int64(st, 0);
	r->rid = llmr_cost_hash(rid ? (const char *)rid : "", rid ? (size_t)sqlite3_column_bytes(st, 1) : 0);
	r->route = name_col(log, st, 2);
	r->provider = name_col(log, st, 3);
	r->model = model_col(log, pairs, r->provider, st);
	r->complexity = name_col(log, st, 5);
	r->fallback_from = name_col(log, st, 6);
	r->latency_ms = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 7);
	r->attempt = sqlite3_column_int(st, 8);
	r->cache = cache_kind(sqlite3_column_text(st, 9));
	r->in = sqlite3_column_int(st, 10);
	r->out = sqlite3_column_int(st, 11);
	r->cached = sqlite3_column_int(st, 12);
	r->cache_write = sqlite3_column_int(st, 13);
	r->cost = sqlite3_column_double(st, 14);
	r->ok = sqlite3_column_int(st, 15) != 0;
	r->agent = name_col(log, st, 16);
}

/* Stable merge sort by time: rows logged by concurrent processes can land
 * slightly out of order, and equal times must keep the log's order. */
static void sort_by_time(struct llmr_cost_row *a, size_t n)
{
	struct llmr_cost_row *tmp, *src = a, *dst;
	size_t w, i;

	for (i = 1; i < n && a[i - 1].ts_ms <= a[i].ts_ms; i++)
		;
	if (i >= n)
		return;
	tmp = llmr_xmalloc(n * sizeof(*tmp));
	dst = tmp;
	for (w = 1; w < n; w *= 2) {
		for (i = 0; i < n; i += 2 * w) {
			size_t l = i, m = i + w < n ? i + w : n, r = m, end = i + 2 * w < n ? i + 2 * w : n, k = i;

			while (l < m && r < end)
				dst[k++] = src[r].ts_ms < src[l].ts_ms ? src[r++] : src[l++];
			while (l < m)
				dst[k++] = src[l++];
			while (r < end)
				dst[k++] = src[r++];
		}
		struct llmr_cost_row *t = src;

		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	free(tmp);
}

int llmr_cost_log_load(sqlite3 *db, int64_t since, int64_t until, struct llmr_cost_log *log,
		       struct llmr_err *e)
{
	sqlite3_stmt *st;
	int rc, scan = 0;
	size_t first = log->n;
	struct pairs pairs = {NULL, NULL, 0, 0};

	/* Knowing the count saves regrowing a hundred megabytes. */
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM requests WHERE ts_ms >= ?1 AND ts_ms < ?2", -1,
			       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, since);
		sqlite3_bind_int64(st, 2, until);
		if (sqlite3_step(st) == SQLITE_ROW) {
			int64_t cnt = sqlite3_column_int64(st, 0);
			size_t want = log->n + (size_t)cnt;
			sqlite3_stmt *mx;

			if (sqlite3_prepare_v2(db, "SELECT max(id) FROM requests", -1, &mx, NULL) == SQLITE_OK) {
				if (sqlite3_step(mx) == SQLITE_ROW)
					scan = cnt > 1000 && cnt * 3 > sqlite3_column_int64(mx, 0);
				sqlite3_finalize(mx);
			}

			if (want > log->cap) {
				log->rows = llmr_xrealloc(log->rows, (want + 1) * sizeof(*log->rows));
				log->cap = want + 1;
			}
		}
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(db, load_sql[any_agent(db)][scan], -1, &st, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read the request log: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fill_row(log, &pairs, st);
	sqlite3_finalize(st);
	free(pairs.key);
	free(pairs.val);
	if (rc != SQLITE_DONE)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read the request log: %s", sqlite3_errmsg(db));
	if (scan)
		sort_by_time(log->rows + first, log->n - first);
	return 0;
}

void llmr_cost_log_release(struct llmr_cost_log *log)
{
	free(log->rows);
	llmr_names_release(&log->names);
	memset(log, 0, sizeof(*log));
}
