#include "ask/cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *llmr_cache_key(const char *scope, const char *system, const struct llmr_msg *msgs,
		     size_t nmsgs, long max_tokens, double temperature, bool json)
{
	json_t *k = json_object(), *m = json_array();
	char *s;
	size_t i;

	for (i = 0; i < nmsgs; i++)
		json_array_append_new(m, json_pack("[s, s]", msgs[i].role, msgs[i].content));
	json_object_set_new(k, "scope", json_string(scope));
	json_object_set_new(k, "system", system ? json_string(system) : json_null());
	json_object_set_new(k, "messages", m);
	json_object_set_new(k, "max_tokens", json_integer(max_tokens));
	json_object_set_new(k, "temperature", temperature >= 0 ? json_real(temperature) : json_null());
	json_object_set_new(k, "json", json_boolean(json));
	s = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(k);
	return s;
}

/* Two independent 64-bit FNV-1a hashes: 128 bits, hex. */
void llmr_cache_hash(const char *key, char out[33])
{
	uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)key; *p; p++) {
		a = (a ^ *p) * 0x100000001b3ULL;
		b = (b ^ *p) * 0x100000001b3ULL;
		b ^= b >> 29;
	}
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

struct get_ctx {
	const char *key;
	int64_t now;
	json_t *resp;
};

static int get_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct get_ctx *g = ud;
	sqlite3_stmt *stmt;
	char hash[33];
	int rc;

	llmr_cache_hash(g->key, hash);
	rc = sqlite3_prepare_v2(db,
				"SELECT response FROM response_cache WHERE hash = ?1 AND key = ?2 "
				"AND expires_ms > ?3", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return rc == SQLITE_BUSY ? rc : llmr_errf(e, LLMR_EX_IOERR, "response cache: %s",
							   sqlite3_errmsg(db));
	sqlite3_bind_text(stmt, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, g->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, g->now);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		g->resp = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return rc;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return llmr_errf(e, LLMR_EX_IOERR, "response cache: %s", sqlite3_errmsg(db));
	return 0;
}

int llmr_cache_get(struct llmr_state *st, const char *key, int64_t now_ms, json_t **resp,
		   struct llmr_err *e)
{
	struct get_ctx g = {key, now_ms, NULL};

	*resp = NULL;
	if (llmr_state_tx(st, 0, get_fn, &g, e) < 0)
		return -1;
	*resp = g.resp;
	return g.resp != NULL;
}

struct put_ctx {
	const char *key, *route, *ns;
	const char *resp;
	int64_t now, expires;
};

static int put_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct put_ctx *p = ud;
	sqlite3_stmt *stmt;
	char hash[33];
	int rc;

	llmr_cache_hash(p->key, hash);
	rc = sqlite3_prepare_v2(db, "DELETE FROM response_cache WHERE expires_ms <= ?1", -1, &stmt,
				NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, p->now);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
		sqlite3_finalize(stmt);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db,
					"INSERT OR REPLACE INTO response_cache (hash, key, response, "
					"created_ms, expires_ms, route, namespace) "
					"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
					-1, &stmt, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(stmt, 1, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, p->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, p->resp, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 4, p->now);
		sqlite3_bind_int64(stmt, 5, p->expires);
		sqlite3_bind_text(stmt, 6, p->route, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 7, p->ns, -1, SQLITE_STATIC);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
		sqlite3_finalize(stmt);
	}
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return rc;
	if (rc != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_IOERR, "response cache: %s", sqlite3_errmsg(db));
	return 0;
}

int llmr_cache_put(struct llmr_state *st, const struct llmr_cache_entry *ent, const json_t *resp,
		   int64_t now_ms, int64_t expires_ms, struct llmr_err *e)
{
	char *text = json_dumps(resp, JSON_COMPACT);
	struct put_ctx p = {ent->key, ent->route, ent->ns, text, now_ms, expires_ms};
	int rc = llmr_state_tx(st, 1, put_fn, &p, e);

	free(text);
	return rc;
}
