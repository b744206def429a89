#include "ask/semcache.h"

#include <stdlib.h>
#include <string.h>

/*
 * semantic_blocks: the sketches of one scope and guard, SEMBLOCK_N a row,
 * beside their entry ids (8 bytes each, little-endian), so a lookup reads
 * a few hundred rows where a row per entry cost half a microsecond each.
 * Appending rewrites the last row; starting a new row rebuilds the whole
 * group from the live entries, which drops the ids of expired and purged
 * ones at a cost spread over SEMBLOCK_N stores.
 */

static void put_id(unsigned char *p, int64_t id)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)((uint64_t)id >> (8 * i));
}

int64_t llmr_semblock_id(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return (int64_t)v;
}

static int write_block(sqlite3 *db, const char *scope, const char *guard, int64_t block, int n,
		       const unsigned char *ids, const unsigned char *sks)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db,
				    "INSERT OR REPLACE INTO semantic_blocks (scope, guard, block, n, ids,"
				    " sketches) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, guard, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, block);
	sqlite3_bind_int(st, 4, n);
	sqlite3_bind_blob(st, 5, ids, n * 8, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, sks, n * LLMR_SEMBLOCK_SK, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The whole group again, from its live entries. */
static int rebuild(sqlite3 *db, const char *scope, const char *guard, int64_t now)
{
	unsigned char ids[LLMR_SEMBLOCK_N * 8], sks[LLMR_SEMBLOCK_N * LLMR_SEMBLOCK_SK];
	sqlite3_stmt *st;
	int rc, n = 0;
	int64_t block = 0;

	rc = sqlite3_prepare_v2(db, "DELETE FROM semantic_blocks WHERE scope = ?1 AND guard = ?2", -1,
				&st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, guard, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	rc = sqlite3_prepare_v2(db,
				"SELECT id, sketch FROM semantic_cache WHERE scope = ?1 AND guard = ?2"
				" AND expires_ms > ?3 ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, guard, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 1) != LLMR_SEMBLOCK_SK)
			continue;
		put_id(ids + n * 8, sqlite3_column_int64(st, 0));
		memcpy(sks + n * LLMR_SEMBLOCK_SK, sqlite3_column_blob(st, 1), LLMR_SEMBLOCK_SK);
		if (++n == LLMR_SEMBLOCK_N) {
			if ((rc = write_block(db, scope, guard, block++, n, ids, sks)) != SQLITE_OK)
				break;
			n = 0;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		return rc;
	return n ? write_block(db, scope, guard, block, n, ids, sks) : SQLITE_OK;
}

int llmr_semblock_append(sqlite3 *db, const char *scope, const char *guard, int64_t id,
			 const void *sk, int64_t now)
{
	unsigned char ids[LLMR_SEMBLOCK_N * 8], sks[LLMR_SEMBLOCK_N * LLMR_SEMBLOCK_SK];
	sqlite3_stmt *st;
	int64_t block = -1;
	int rc, n = 0;

	rc = sqlite3_prepare_v2(db,
				"SELECT block, n, ids, sketches FROM semantic_blocks WHERE scope = ?1"
				" AND guard = ?2 ORDER BY block DESC LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, guard, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		block = sqlite3_column_int64(st, 0);
		n = sqlite3_column_int(st, 1);
		if (n < 0 || n >= LLMR_SEMBLOCK_N || sqlite3_column_bytes(st, 2) != n * 8 ||
		    sqlite3_column_bytes(st, 3) != n * LLMR_SEMBLOCK_SK) {
			n = LLMR_SEMBLOCK_N; /* full (or odd): start anew */
		} else {
			memcpy(ids, sqlite3_column_blob(st, 2), (size_t)n * 8);
			memcpy(sks, sqlite3_column_blob(st, 3), (size_t)n * LLMR_SEMBLOCK_SK);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return rc;
	/* The entry is in semantic_cache already: a rebuild includes it. */
	if (n == LLMR_SEMBLOCK_N)
		return rebuild(db, scope, guard, now);
	put_id(ids + n * 8, id);
	memcpy(sks + n * LLMR_SEMBLOCK_SK, sk, LLMR_SEMBLOCK_SK);
	return write_block(db, scope, guard, block < 0 ? 0 : block, n + 1, ids, sks);
}
