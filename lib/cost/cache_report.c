#include "cost/cache_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One (route, request) answered, for counting requests per route. */
struct answered {
	int32_t route;
	uint64_t rid;
};

static int by_route_rid(const void *a, const void *b)
{
	const struct answered *x = a, *y = b;

	if (x->route != y->route)
		return x->route < y->route ? -1 : 1;
	return x->rid < y->rid ? -1 : x->rid > y->rid;
}

struct route_acc {
	long requests, hits[3];
	double saved[3];
};

/* Rows of routes the config does not name (the classifier's "router"
 * calls) are not requests of a route. */
static bool counted(const struct llmr_config *cfg, const char *route)
{
	return route && (!cfg || !cfg->nroutes || llmr_config_route(cfg, route));
}

static void count_rows(const struct llmr_cost_run *run, const struct llmr_config *cfg,
		       int64_t since, int64_t until, struct route_acc *acc)
{
	const struct llmr_cost_log *log = &run->log;
	struct answered *ans = llmr_xcalloc(log->n + 1, sizeof(*ans));
	size_t n = 0;

	for (size_t i = 0; i < log->n; i++) {
		const struct llmr_cost_row *r = &log->rows[i];
		const char *model = llmr_names_get(&log->names, r->model);
		const struct llmr_price *p;

		if (!r->ok || r->ts_ms < since || r->ts_ms >= until ||
		    !counted(cfg, llmr_names_get(&log->names, r->route)))
			continue;
		ans[n].route = r->route;
		ans[n++].rid = r->rid;
		if (r->cache == LLMR_CACHE_MISS)
			continue;
		acc[r->route].hits[r->cache]++;
		/* What the hit would have cost on the model that gave the answer,
		 * as cost_savings.c prices cache hits. */
		if (model && (p = llmr_pricebook_at(&run->pb, model, r->ts_ms)))
			acc[r->route].saved[r->cache] += llmr_price_cost(p, r->in, r->out, 0, 0);
	}
	qsort(ans, n, sizeof(*ans), by_route_rid);
	for (size_t i = 0; i < n; i++)
		if (!i || by_route_rid(&ans[i], &ans[i - 1]))
			acc[ans[i].route].requests++;
	free(ans);
}

static json_t *routes_json(const struct llmr_cost_run *run, const struct route_acc *acc,
			   json_t *total)
{
	json_t *a = json_array();
	long req = 0, hits[3] = {0, 0, 0};
	double saved = 0;

	for (size_t i = 0; i < run->log.names.n; i++) {
		const struct route_acc *r = &acc[i];
		long h = r->hits[LLMR_CACHE_EXACT] + r->hits[LLMR_CACHE_SEMANTIC];

		if (!r->requests)
			continue;
		json_array_append_new(
			a, json_pack("{s:s,s:I,s:I,s:I,s:f,s:f,s:f}", "route",
				     llmr_names_get(&run->log.names, (int32_t)i), "requests",
				     (json_int_t)r->requests, "exact",
				     (json_int_t)r->hits[LLMR_CACHE_EXACT], "semantic",
				     (json_int_t)r->hits[LLMR_CACHE_SEMANTIC], "hit_rate",
				     (double)h / (double)r->requests, "exact_saved_usd",
				     r->saved[LLMR_CACHE_EXACT], "semantic_saved_usd",
				     r->saved[LLMR_CACHE_SEMANTIC]));
		req += r->requests;
		hits[1] += r->hits[1];
		hits[2] += r->hits[2];
		saved += r->saved[1] + r->saved[2];
	}
	json_object_set_new(total, "requests", json_integer(req));
	json_object_set_new(total, "exact", json_integer(hits[1]));
	json_object_set_new(total, "semantic", json_integer(hits[2]));
	json_object_set_new(total, "hit_rate", json_real(req ? (double)(hits[1] + hits[2]) / req : 0));
	json_object_set_new(total, "saved_usd", json_real(saved));
	return a;
}

/* What the tables hold now: live entries and their bytes. */
static int entries_json(sqlite3 *db, int64_t now, json_t *a, json_t *total, struct llmr_err *e)
{
	static const char *const sql[2] = {
		"SELECT 'exact', coalesce(route, '-'), coalesce(namespace, '-'), count(*),"
		" sum(length(key) + length(response)) FROM response_cache WHERE expires_ms > ?1"
		" GROUP BY 2, 3 ORDER BY 2, 3",
		"SELECT 'semantic', route, namespace, count(*), sum(length(question) +"
		" length(response) + length(vec) + length(sketch) + length(guard) + 33)"
		" FROM semantic_cache WHERE expires_ms > ?1 GROUP BY 2, 3 ORDER BY 2, 3"};
	long entries = 0;
	long long bytes = 0;

	for (int k = 0; k < 2; k++) {
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(db, sql[k], -1, &st, NULL) != SQLITE_OK)
			return llmr_errf(e, LLMR_EX_IOERR, "cache entries: %s", sqlite3_errmsg(db));
		sqlite3_bind_int64(st, 1, now);
		while (sqlite3_step(st) == SQLITE_ROW) {
			json_array_append_new(
				a, json_pack("{s:s,s:s,s:s,s:I,s:I}", "kind", sqlite3_column_text(st, 0),
					     "route", sqlite3_column_text(st, 1), "namespace",
					     sqlite3_column_text(st, 2), "entries",
					     (json_int_t)sqlite3_column_int64(st, 3), "bytes",
					     (json_int_t)sqlite3_column_int64(st, 4)));
			entries += (long)sqlite3_column_int64(st, 3);
			bytes += sqlite3_column_int64(st, 4);
		}
		sqlite3_finalize(st);
	}
	json_object_set_new(total, "entries", json_integer(entries));
	json_object_set_new(total, "bytes", json_integer(bytes));
	return 0;
}

json_t *llmr_cache_report(const struct llmr_cost_run *run, const struct llmr_config *cfg,
			  sqlite3 *db, int64_t since, int64_t until, int64_t now,
			  struct llmr_err *e)
{
	struct route_acc *acc = llmr_xcalloc(run->log.names.n + 1, sizeof(*acc));
	json_t *total = json_object(), *entries = json_array(), *o;
	char s[32], u[32];

	count_rows(run, cfg, since, until, acc);
	llmr_cost_fmt_iso(since, s);
	llmr_cost_fmt_iso(until, u);
	o = json_pack("{s:s,s:s,s:o}", "since", s, "until", u, "routes", routes_json(run, acc, total));
	free(acc);
	if (entries_json(db, now, entries, total, e) < 0) {
		json_decref(entries);
		json_decref(total);
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "entries", entries);
	json_object_set_new(o, "total", total);
	return o;
}

void llmr_cache_report_text(struct llmr_buf *b, const json_t *rep)
{
	const json_t *t = json_object_get(rep, "total"), *v;
	size_t i;

	llmr_buf_addf(b, "period       %s .. %s\n", json_string_value(json_object_get(rep, "since")),
		      json_string_value(json_object_get(rep, "until")));
	llmr_buf_addf(b, "%-16s %8s %7s %8s %8s %11s %11s\n", "route", "requests", "exact", "semantic",
		      "hit rate", "saved exact", "saved sem.");
	json_array_foreach(json_object_get(rep, "routes"), i, v)
		llmr_buf_addf(b, "%-16s %8lld %7lld %8lld %7.1f%% %11.4f %11.4f\n",
			      json_string_value(json_object_get(v, "route")),
			      (long long)json_integer_value(json_object_get(v, "requests")),
			      (long long)json_integer_value(json_object_get(v, "exact")),
			      (long long)json_integer_value(json_object_get(v, "semantic")),
			      json_real_value(json_object_get(v, "hit_rate")) * 100,
			      json_real_value(json_object_get(v, "exact_saved_usd")),
			      json_real_value(json_object_get(v, "semantic_saved_usd")));
	llmr_buf_addf(b, "total        %lld requests, %lld exact and %lld semantic hits (%.1f%%), saved $%.4f\n",
		      (long long)json_integer_value(json_object_get(t, "requests")),
		      (long long)json_integer_value(json_object_get(t, "exact")),
		      (long long)json_integer_value(json_object_get(t, "semantic")),
		      json_real_value(json_object_get(t, "hit_rate")) * 100,
		      json_real_value(json_object_get(t, "saved_usd")));
	llmr_buf_addf(b, "%-9s %-16s %-16s %8s %10s\n", "kind", "route", "namespace", "entries", "bytes");
	json_array_foreach(json_object_get(rep, "entries"), i, v)
		llmr_buf_addf(b, "%-9s %-16s %-16s %8lld %10lld\n",
			      json_string_value(json_object_get(v, "kind")),
			      json_string_value(json_object_get(v, "route")),
			      json_string_value(json_object_get(v, "namespace")),
			      (long long)json_integer_value(json_object_get(v, "entries")),
			      (long long)json_integer_value(json_object_get(v, "bytes")));
	llmr_buf_addf(b, "stored       %lld entries, %lld bytes\n",
		      (long long)json_integer_value(json_object_get(t, "entries")),
		      (long long)json_integer_value(json_object_get(t, "bytes")));
}

struct purge_ctx {
	const char *route, *ns;
	int64_t before;
	long n[2];
};

static int purge_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	static const char *const sql[4] = {
		"DELETE FROM response_cache WHERE (?1 IS NULL OR route = ?1)"
		" AND (?2 IS NULL OR namespace = ?2) AND created_ms < ?3",
		"DELETE FROM semantic_cache WHERE (?1 IS NULL OR route = ?1)"
		" AND (?2 IS NULL OR namespace = ?2) AND created_ms < ?3",
		/* The packed sketches of groups left empty (the ask layer's
		 * LLMR_SEMBLOCK_ORPHANS; ids of single purged entries stay in
		 * their block until it is rebuilt, and are skipped). */
		"DELETE FROM semantic_blocks WHERE NOT EXISTS (SELECT 1 FROM semantic_cache c"
		" WHERE c.scope = semantic_blocks.scope AND c.guard = semantic_blocks.guard)",
		/* What was learned of purged entries (LLMR_SEMOBS_ORPHANS): a
		 * new entry may take a purged one's id. */
		"DELETE FROM semantic_obs WHERE entry_id NOT IN (SELECT id FROM semantic_cache)"};
	struct purge_ctx *p = ud;

	for (int k = 0; k < 4; k++) {
		sqlite3_stmt *st;
		int rc = sqlite3_prepare_v2(db, sql[k], -1, &st, NULL);

		if (rc != SQLITE_OK)
			return llmr_errf(e, LLMR_EX_IOERR, "cache purge: %s", sqlite3_errmsg(db));
		if (k < 2) {
			if (p->route)
				sqlite3_bind_text(st, 1, p->route, -1, SQLITE_STATIC);
			if (p->ns)
				sqlite3_bind_text(st, 2, p->ns, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, p->before);
		}
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			return rc;
		if (rc != SQLITE_DONE)
			return llmr_errf(e, LLMR_EX_IOERR, "cache purge: %s", sqlite3_errmsg(db));
		if (k < 2)
			p->n[k] = sqlite3_changes(db);
	}
	return 0;
}

int llmr_cache_purge(struct llmr_state *st, const char *route, const char *ns,
		     int64_t before_ms, long *exact, long *semantic, struct llmr_err *e)
{
	struct purge_ctx p = {route, ns, before_ms, {0, 0}};

	if (llmr_state_tx(st, 1, purge_fn, &p, e) < 0)
		return -1;
	*exact = p.n[0];
	*semantic = p.n[1];
	return 0;
}
