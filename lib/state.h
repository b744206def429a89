/*
 * state.h - the one SQLite state file every llmr program shares.
 *
 * WAL mode, created mode 0600, schema versioned by PRAGMA user_version and
 * migrated forward on open (schema.c lists the steps). Many processes write
 * at once: every write is a short transaction run through llmr_state_tx(),
 * which retries on SQLITE_BUSY/LOCKED with a backoff, so a user never sees
 * "database is locked". A process killed mid-write leaves no partial row:
 * each logical write is one transaction.
 */
#ifndef LLMR_STATE_H
#define LLMR_STATE_H

#include <sqlite3.h>
#include <stdint.h>

#include "config.h"
#include "provider.h"
#include "util.h"

struct llmr_state;

/*
 * Where the state lives: explicit (--state) if not NULL, else $LLMR_STATE,
 * else cfg->state, else $XDG_DATA_HOME/llmr/state.db (~/.local/share/...).
 * Returns a new string.
 */
char *llmr_state_path(const char *explicit_path, const struct llmr_config *cfg);

/* Open (creating the file and its directory if needed) and migrate.
 * Returns 0 and *out, or -1 with e (LLMR_EX_IOERR / LLMR_EX_SOFTWARE). */
int llmr_state_open(const char *path, struct llmr_state **out, struct llmr_err *e);
void llmr_state_close(struct llmr_state *st);
/* The connection, for modules that keep their own tables (borrowed). */
sqlite3 *llmr_state_db(struct llmr_state *st);
const char *llmr_state_file(const struct llmr_state *st);

/*
 * Run fn inside one transaction (BEGIN IMMEDIATE when immediate, so that
 * read-then-write sequences such as quota reservations are atomic across
 * processes). fn returns 0 to commit, -1 to roll back (filling e), or
 * SQLITE_BUSY/SQLITE_LOCKED to ask for a retry. Busy errors from BEGIN or
 * COMMIT are retried with backoff for up to 30 s.
 */
int llmr_state_tx(struct llmr_state *st, int immediate,
		  int (*fn)(sqlite3 *db, void *ud, struct llmr_err *e), void *ud,
		  struct llmr_err *e);

/* One provider attempt, as logged in the requests table. */
struct llmr_attempt {
	const char *request_id;
	int attempt;              /* 1, 2, ... within the request */
	int64_t ts_ms;            /* when the attempt started (epoch ms) */
	const char *route, *priority, *complexity; /* may be NULL */
	const char *provider, *model;
	const char *status;       /* "ok" or an error class name */
	const char *error_message; /* may be NULL */
	long http_status;         /* 0 if none */
	struct llmr_usage usage;
	double cost_usd;
	int64_t latency_ms, ttft_ms; /* -1 unknown */
	const char *fallback_from; /* model this attempt replaced, or NULL */
	const char *cache;         /* "miss", "exact", "semantic", or NULL */
};

/* Append one row to requests; a single short transaction. */
int llmr_state_log_attempt(struct llmr_state *st, const struct llmr_attempt *a,
			   struct llmr_err *e);

/* Keep the latest rate-limit headers seen for provider (and model, may be
 * NULL) so llmr-quota can show them. */
int llmr_state_save_ratelimit(struct llmr_state *st, const char *provider, const char *model,
			      const struct llmr_ratelimit *rl, int64_t seen_ms, struct llmr_err *e);

/* Sum of cost_usd logged since since_ms (for /cost in the REPL). */
int llmr_state_spend_since(struct llmr_state *st, int64_t since_ms, double *usd, long *requests,
			   struct llmr_err *e);

#endif
