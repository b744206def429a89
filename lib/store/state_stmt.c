/*
 * Statements kept prepared on a state connection across transactions,
 * found from the bare sqlite3 handle that llmr_state_tx() hands its
 * callbacks (see state.h). Parsing and planning the quota queries was most
 * of the server's time per request: each was prepared and finalized on
 * every call.
 */
#include "store/state.h"

#include <pthread.h>
#include <stdlib.h>

#include "store/state_int.h"

/* The open states, to find a handle's cache. */
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct llmr_state **reg;
static size_t nreg, reg_alloc;

void llmr_state_register(struct llmr_state *st)
{
	pthread_mutex_lock(&reg_mu);
	if (nreg == reg_alloc) {
		reg_alloc = reg_alloc ? 2 * reg_alloc : 16;
		reg = llmr_xrealloc(reg, reg_alloc * sizeof(*reg));
	}
	reg[nreg++] = st;
	pthread_mutex_unlock(&reg_mu);
}

void llmr_state_unregister(struct llmr_state *st)
{
	pthread_mutex_lock(&reg_mu);
	for (size_t i = 0; i < nreg; i++)
		if (reg[i] == st) {
			reg[i] = reg[--nreg];
			break;
		}
	pthread_mutex_unlock(&reg_mu);
	for (size_t i = 0; i < st->ncache; i++)
		sqlite3_finalize(st->cache[i].stmt);
	st->ncache = 0;
}

static struct llmr_state *state_of(sqlite3 *db)
{
	struct llmr_state *st = NULL;

	pthread_mutex_lock(&reg_mu);
	for (size_t i = 0; i < nreg && !st; i++)
		if (reg[i]->db == db)
			st = reg[i];
	pthread_mutex_unlock(&reg_mu);
	return st;
}

int llmr_state_db_stmt(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
	struct llmr_state *st = state_of(db);
	size_t i;
	int rc;

	for (i = 0; st && i < st->ncache; i++) {
		if (st->cache[i].sql != sql)
			continue;
		if (st->cache[i].out)
			break; /* in use further up the stack: a fresh one */
		st->cache[i].out = true;
		*out = st->cache[i].stmt;
		return SQLITE_OK;
	}
	rc = sqlite3_prepare_v2(db, sql, -1, out, NULL);
	if (rc != SQLITE_OK || !st || i < st->ncache || st->ncache == LLMR_STATE_NCACHE)
		return rc;
	st->cache[st->ncache].sql = sql;
	st->cache[st->ncache].stmt = *out;
	st->cache[st->ncache++].out = true;
	return SQLITE_OK;
}

void llmr_state_db_done(sqlite3_stmt *s)
{
	struct llmr_state *st;

	if (!s)
		return;
	st = state_of(sqlite3_db_handle(s));
	for (size_t i = 0; st && i < st->ncache; i++)
		if (st->cache[i].stmt == s) {
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			st->cache[i].out = false;
			return;
		}
	sqlite3_finalize(s);
}
