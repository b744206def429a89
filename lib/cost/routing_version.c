#include "cost/routing_version.h"

#include <stdlib.h>
#include <string.h>


json_t *llmr_routing_snapshot(const struct llmr_config *cfg)
{
	json_t *o = json_object();
	size_t i, j;
	int t;

	for (i = 0; i < cfg->nroutes; i++) {
		json_t *r = json_object();

		for (t = 0; t < LLMR_NCOMPLEXITY; t++) {
			json_t *a = json_array();

			for (j = 0; j < cfg->routes[i].tiers[t].n; j++)
				json_array_append_new(a, json_string(cfg->routes[i].tiers[t].refs[j].spec));
			json_object_set_new(r, llmr_complexity_name(t), a);
		}
		json_object_set_new(o, cfg->routes[i].name, r);
	}
	return o;
}

/* Replace a chain with specs; refs and specs are owned as config.c owns
 * them (freed by llmr_config_free). */
static int set_chain(const struct llmr_config *cfg, struct llmr_chain *ch, const char *const *specs,
		     size_t n, struct llmr_err *e)
{
	struct llmr_model_ref *refs = llmr_xcalloc(n + 1, sizeof(*refs));
	size_t i;

	for (i = 0; i < n; i++) {
		if (llmr_config_resolve(cfg, specs[i], &refs[i], e) < 0) {
			while (i-- > 0)
				free(refs[i].spec);
			free(refs);
			return -1;
		}
		refs[i].spec = llmr_xstrdup(specs[i]);
	}
	for (i = 0; i < ch->n; i++)
		free(ch->refs[i].spec);
	free(ch->refs);
	ch->refs = refs;
	ch->n = n;
	return 0;
}

static int same_chain(const struct llmr_chain *ch, const char *const *specs, size_t n)
{
	size_t i;

	if (ch->n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(ch->refs[i].spec, specs[i]))
			return 0;
	return 1;
}

int llmr_routing_apply_changes(struct llmr_config *cfg, const struct llmr_sim_changes *ch,
			       bool *changed, struct llmr_err *e)
{
	size_t i;
	int t;

	*changed = false;
	for (i = 0; i < ch->nchains; i++)
		if (!llmr_config_route(cfg, ch->chains[i].route))
			return llmr_errf(e, LLMR_EX_USAGE, "--chain: unknown route '%s'", ch->chains[i].route);
	for (i = 0; i < ch->nrep; i++)
		if (ch->rep[i].route && !llmr_config_route(cfg, ch->rep[i].route))
			return llmr_errf(e, LLMR_EX_USAGE, "--replace: unknown route '%s'", ch->rep[i].route);
	for (i = 0; i < cfg->nroutes; i++)
		for (t = 0; t < LLMR_NCOMPLEXITY; t++) {
			struct llmr_route_cfg *r = &cfg->routes[i];
			size_t n;
			const char **specs;
			int rc = 0;

			if (!r->tiers[t].n && !ch->nchains)
				continue;
			specs = llmr_sim_chain_for(cfg, ch, r->name, t, &n);
			/* A tier the config leaves empty stays empty unless a --chain names it. */
			if (!r->tiers[t].n) {
				size_t k;
				int named = 0;

				for (k = 0; k < ch->nchains; k++)
					named |= !strcmp(ch->chains[k].route, r->name) &&
						 (ch->chains[k].complexity < 0 || ch->chains[k].complexity == t);
				if (!named) {
					free(specs);
					continue;
				}
			}
			if (!same_chain(&r->tiers[t], specs, n)) {
				rc = set_chain(cfg, &r->tiers[t], specs, n, e);
				*changed = true;
			}
			free(specs);
			if (rc)
				return -1;
		}
	return 0;
}

static int active_version(sqlite3 *db, long *v, struct llmr_err *e)
{
	sqlite3_stmt *st;
	int rc;

	*v = 0;
	if (sqlite3_prepare_v2(db, "SELECT version FROM routing_active WHERE id = 1", -1, &st, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read routing versions: %s", sqlite3_errmsg(db));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read routing versions: %s", sqlite3_errmsg(db));
	return 0;
}

/* The stored row of version v: routes JSON (new string) and parent. */
static int version_row(sqlite3 *db, long v, char **routes, long *parent, struct llmr_err *e)
{
	sqlite3_stmt *st;
	int rc;

	*routes = NULL;
	if (sqlite3_prepare_v2(db, "SELECT routes, parent FROM routing_versions WHERE version = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read routing versions: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, v);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*routes = llmr_xstrdup((const char *)sqlite3_column_text(st, 0));
		if (parent)
			*parent = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return llmr_errf(e, LLMR_EX_DATAERR, "routing version %ld does not exist", v);
	return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read routing versions: %s", sqlite3_errmsg(db));
}

static int overlay_route(struct llmr_config *cfg, long v, const char *name, json_t *tiers, struct llmr_err *e)
{
	struct llmr_route_cfg *r = llmr_config_route(cfg, name);
	int t;

	if (!r)
		return 0; /* a route since removed from the config */
	for (t = 0; t < LLMR_NCOMPLEXITY; t++) {
		json_t *a = json_object_get(tiers, llmr_complexity_name(t)), *x;
		const char **specs;
		size_t i, n = json_array_size(a);
		int rc;

		if (!json_is_array(a))
			continue;
		specs = llmr_xcalloc(n + 1, sizeof(*specs));
		json_array_foreach(a, i, x)
			specs[i] = json_is_string(x) ? json_string_value(x) : "";
		rc = set_chain(cfg, &r->tiers[t], specs, n, e);
		free(specs);
		if (rc) {
			char why[sizeof(e->msg)];

			memcpy(why, e->msg, sizeof(why));
			return llmr_errf(e, LLMR_EX_CONFIG, "routing version %ld, route '%s': %s", v, name, why);
		}
	}
	return 0;
}

int llmr_routing_overlay(struct llmr_state *st, struct llmr_config *cfg, struct llmr_err *e)
{
	sqlite3 *db = llmr_state_db(st);
	json_t *root, *tiers;
	json_error_t je;
	const char *name;
	char *routes;
	long v;
	int rc = 0;

	if (active_version(db, &v, e))
		return -1;
	if (v <= 0)
		return 0;
	if (version_row(db, v, &routes, NULL, e))
		return -1;
	root = json_loads(routes, 0, &je);
	free(routes);
	if (!json_is_object(root)) {
		json_decref(root);
		return llmr_errf(e, LLMR_EX_SOFTWARE, "routing version %ld is damaged", v);
	}
	json_object_foreach(root, name, tiers)
		if (!rc && overlay_route(cfg, v, name, tiers, e))
			rc = -1;
	json_decref(root);
	return rc;
}

struct save_ctx {
	const char *routes, *note;
	int64_t now;
	long version, target, from;
	int rollback;
};

static int exec_step(sqlite3_stmt *st, sqlite3 *db, struct llmr_err *e)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return rc;
	return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot store the routing: %s", sqlite3_errmsg(db));
}

static int set_active(sqlite3 *db, struct save_ctx *c, const char *action, struct llmr_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO routing_active (id, version, changed_ms)"
			       " VALUES (1, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot store the routing: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, c->version);
	sqlite3_bind_int64(st, 2, c->now);
	if ((rc = exec_step(st, db, e)))
		return rc;
	if (sqlite3_prepare_v2(db, "INSERT INTO routing_history (ts_ms, action, from_version, to_version)"
			       " VALUES (?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot store the routing: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, c->now);
	sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, c->from);
	sqlite3_bind_int64(st, 4, c->version);
	return exec_step(st, db, e);
}

static int tx_save(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct save_ctx *c = ud;
	sqlite3_stmt *st;
	int rc;

	if (active_version(db, &c->from, e))
		return -1;
	if (sqlite3_prepare_v2(db, "INSERT INTO routing_versions (parent, created_ms, note, routes)"
			       " VALUES (?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot store the routing: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, c->from);
	sqlite3_bind_int64(st, 2, c->now);
	sqlite3_bind_text(st, 3, c->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->routes, -1, SQLITE_STATIC);
	if ((rc = exec_step(st, db, e)))
		return rc;
	c->version = (long)sqlite3_last_insert_rowid(db);
	return set_active(db, c, "apply", e);
}

int llmr_routing_save(struct llmr_state *st, const struct llmr_config *cfg, const char *note,
		      int64_t now_ms, long *version, struct llmr_err *e)
{
	json_t *snap = llmr_routing_snapshot(cfg);
	char *routes = json_dumps(snap, JSON_COMPACT | JSON_PRESERVE_ORDER);
	struct save_ctx c = {routes, note, now_ms, 0, 0, 0, 0};
	int rc;

	json_decref(snap);
	rc = llmr_state_tx(st, 1, tx_save, &c, e);
	free(routes);
	*version = c.version;
	return rc ? -1 : 0;
}

static int tx_rollback(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct save_ctx *c = ud;
	char *routes;
	long parent = 0;

	if (active_version(db, &c->from, e))
		return -1;
	c->version = c->target;
	if (c->target < 0) {
		if (c->from <= 0)
			return llmr_errf(e, LLMR_EX_DATAERR, "nothing to roll back: the config's routing is in force");
		if (version_row(db, c->from, &routes, &parent, e))
			return -1;
		free(routes);
		c->version = parent;
	} else if (c->target > 0) {
		if (version_row(db, c->target, &routes, NULL, e))
			return -1;
		free(routes);
	}
	return set_active(db, c, "rollback", e);
}

int llmr_routing_rollback(struct llmr_state *st, long version, int64_t now_ms, long *restored,
			  struct llmr_err *e)
{
	struct save_ctx c = {NULL, NULL, now_ms, 0, version, 0, 1};

	if (llmr_state_tx(st, 1, tx_rollback, &c, e))
		return -1;
	*restored = c.version;
	return 0;
}

int llmr_routing_history(struct llmr_state *st, struct llmr_routing_version **v, size_t *n,
			 long *active, struct llmr_err *e)
{
	sqlite3 *db = llmr_state_db(st);
	sqlite3_stmt *q;
	int rc;

	*v = NULL;
	*n = 0;
	if (active_version(db, active, e))
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT version, parent, created_ms, note FROM routing_versions"
			       " ORDER BY version", -1, &q, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read routing versions: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct llmr_routing_version *x;
		const unsigned char *note = sqlite3_column_text(q, 3);

		*v = llmr_xrealloc(*v, (*n + 1) * sizeof(**v));
		x = &(*v)[(*n)++];
		x->version = sqlite3_column_int64(q, 0);
		x->parent = sqlite3_column_int64(q, 1);
		x->created_ms = sqlite3_column_int64(q, 2);
		x->note = llmr_xstrdup(note ? (const char *)note : "");
		x->active = x->version == *active;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read routing versions: %s", sqlite3_errmsg(db));
	return 0;
}

void llmr_routing_history_free(struct llmr_routing_version *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].note);
	free(v);
}
