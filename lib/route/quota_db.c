#include "route/quota_db.h"

#include "store/state.h"

int llmr_qdb_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **s, struct llmr_err *e)
{
	int rc = sqlite3_prepare_v2(db, sql, -1, s, NULL);

	if (rc != SQLITE_OK) {
		*s = NULL;
		return llmr_qdb_fail(db, rc, "cannot prepare a quota query", e);
	}
	return 0;
}

int llmr_qdb_stmt(sqlite3 *db, const char *sql, sqlite3_stmt **s, struct llmr_err *e)
{
	int rc = llmr_state_db_stmt(db, sql, s);

	if (rc != SQLITE_OK) {
		*s = NULL;
		return llmr_qdb_fail(db, rc, "cannot prepare a quota query", e);
	}
	return 0;
}

void llmr_qdb_done(sqlite3_stmt *s)
{
	llmr_state_db_done(s);
}

int llmr_qdb_fail(sqlite3 *db, int rc, const char *what, struct llmr_err *e)
{
	return llmr_errf(e, LLMR_EX_SOFTWARE, "%s: %s", what,
			 db && sqlite3_errcode(db) != SQLITE_OK ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

int llmr_qdb_exec_i64(sqlite3 *db, const char *sql, int64_t a, int64_t b, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_stmt(db, sql, &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	rc = sqlite3_step(s);
	llmr_qdb_done(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : llmr_qdb_fail(db, rc, "quota state", e);
}

int llmr_qdb_count(sqlite3 *db, const char *sql, int64_t a, long *out, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	*out = 0;
	if (llmr_qdb_stmt(db, sql, &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, a);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = (long)sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	llmr_qdb_done(s);
	return rc == SQLITE_OK ? 0 : llmr_qdb_fail(db, rc, "quota state", e);
}
