/*
 * state_multi.c - one report over several hosts' state files.
 *
 * With coordination, each host keeps its own request log. A report over
 * all of them reads every file's requests into a temporary table named
 * requests in the first file's connection: SQLite resolves an unqualified
 * name in temp before main, so every report query, unchanged, sees the
 * union. The files are attached read-only one at a time, so there is no
 * limit on how many, and nothing is written to any of them.
 */
#include "store/state.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/state_int.h"

static int exec(struct llmr_state *st, const char *sql, const char *what, struct llmr_err *e)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_IOERR, "%s: %s", what, sqlite3_errmsg(st->db));
	return 0;
}

static int copy_one(struct llmr_state *st, const char *path, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "ATTACH DATABASE ?1 AS llmr_other", -1, &s, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot attach: %s", sqlite3_errmsg(st->db));
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return llmr_errf(e, LLMR_EX_IOERR, "state file '%s': %s", path, sqlite3_errmsg(st->db));
	rc = sqlite3_exec(st->db, "INSERT INTO temp.requests SELECT * FROM llmr_other.requests", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		llmr_errf(e, LLMR_EX_DATAERR, "state file '%s': %s (written by another llmr version?)", path,
			  sqlite3_errmsg(st->db));
	sqlite3_exec(st->db, "DETACH DATABASE llmr_other", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : -1;
}

int llmr_state_union(struct llmr_state *st, char *const *paths, size_t n, struct llmr_err *e)
{
	int rc = 0;

	if (!n)
		return 0;
	/* The connection is query_only for reports: the temp table is not
	 * a state file, so allow writing it for the time of the copy. */
	if (exec(st, "PRAGMA query_only=OFF", "state", e) < 0 ||
	    exec(st, "CREATE TEMP TABLE requests AS SELECT * FROM main.requests", "state", e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = copy_one(st, paths[i], e);
	if (rc == 0)
		rc = exec(st, "CREATE INDEX temp.requests_ts ON requests (ts_ms)", "state", e);
	sqlite3_exec(st->db, "PRAGMA query_only=ON", NULL, NULL, NULL);
	return rc;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void push(char ***v, size_t *n, size_t *cap, char *s)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		*v = realloc(*v, *cap * sizeof(**v));
		if (!*v)
			abort();
	}
	(*v)[(*n)++] = s;
}

/* The *.db files of a directory, sorted. */
static int list_dir(const char *dir, char ***v, size_t *n, size_t *cap, struct llmr_err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t first = *n;

	if (!d)
		return llmr_errf(e, LLMR_EX_NOINPUT, "state directory '%s': %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char *p;

		if (l < 4 || strcmp(de->d_name + l - 3, ".db") || de->d_name[0] == '.')
			continue;
		p = llmr_xmalloc(strlen(dir) + l + 2);
		sprintf(p, "%s/%s", dir, de->d_name);
		push(v, n, cap, p);
	}
	closedir(d);
	qsort(*v + first, *n - first, sizeof(**v), cmp);
	if (*n == first)
		return llmr_errf(e, LLMR_EX_NOINPUT, "state directory '%s' holds no *.db file", dir);
	return 0;
}

int llmr_state_expand(char *const *in, size_t n, char ***out, size_t *nout, struct llmr_err *e)
{
	size_t cap = 0;
	struct stat sb;

	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < n; i++) {
		if (stat(in[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			if (list_dir(in[i], out, nout, &cap, e) < 0)
				return -1;
		} else {
			push(out, nout, &cap, llmr_xstrdup(in[i]));
		}
	}
	return 0;
}
