/*
 * state_test.h - what the state unit tests (state.c, state_tx.c) share: a
 * private temporary directory, one-value queries, a filled attempt.
 */
#ifndef LLMR_STATE_TEST_H
#define LLMR_STATE_TEST_H

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "provider/attempt_log.h"
#include "store/state.h"

#define UNUSED __attribute__((unused))

/* The test's directory: set tmpdir[] with mkdtemp before use. */
static char tmpdir[] = "/tmp/llmr-state-XXXXXX";

UNUSED static char *tmp_path(const char *name)
{
	static char buf[8][256];
	static int i;
	char *p = buf[i++ % 8];

	snprintf(p, 256, "%s/%s", tmpdir, name);
	return p;
}

UNUSED static long long query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	long long v = -12345;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return v;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* A text column as a static copy ("(null)" for NULL). */
UNUSED static const char *query_text(sqlite3 *db, const char *sql)
{
	static char out[4][256];
	static int i;
	char *o = out[i++ % 4];
	sqlite3_stmt *s;

	snprintf(o, 256, "(error)");
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return o;
	if (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		snprintf(o, 256, "%s", t ? (const char *)t : "(null)");
	}
	sqlite3_finalize(s);
	return o;
}

UNUSED static int file_mode(const char *path)
{
	struct stat sb;

	return stat(path, &sb) < 0 ? -1 : (int)(sb.st_mode & 0777);
}

UNUSED static void attempt_init(struct llmr_attempt *a, const char *rid)
{
	memset(a, 0, sizeof(*a));
	a->request_id = rid;
	a->attempt = 1;
	a->ts_ms = 1000;
	a->provider = "openai";
	a->model = "gpt-4o-mini";
	a->status = "ok";
	a->usage.provider_cost_usd = -1;
	a->latency_ms = -1;
	a->ttft_ms = -1;
}

#endif
