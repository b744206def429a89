#include <string.h>

#include "index/embed.h"
#include "index/index_impl.h"

static int64_t q1(sqlite3 *db, const char *sql, int64_t coll, int *ok)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		*ok = 0;
		return 0;
	}
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, coll);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		*ok = 0;
	sqlite3_finalize(st);
	return v;
}

static json_t *one(sqlite3 *db, int64_t coll, const char *name, const char *emb, long dim,
		   struct llmr_err *e)
{
	int ok = 1, fts_ok = 1;
	int64_t docs, failed, chunks, text, nodes, links, sk, vec, fts;
	int64_t graph, per;
	json_t *o;

	docs = q1(db, "SELECT count(*) FROM idx_docs WHERE coll=?", coll, &ok);
	failed = q1(db, "SELECT count(*) FROM idx_docs WHERE coll=? AND error IS NOT NULL", coll, &ok);
	chunks = q1(db, "SELECT count(*) FROM idx_chunks WHERE coll=?", coll, &ok);
	text = q1(db, "SELECT coalesce(sum(length(CAST(text AS BLOB)) + length(CAST(heading AS BLOB))), 0)"
		      " FROM idx_chunks WHERE coll=?", coll, &ok);
	vec = q1(db, "SELECT coalesce(sum(length(vec)), 0) FROM idx_chunks WHERE coll=?", coll, &ok);
	/* The local embedder's int8 vectors, which search re-scores by. */
	vec += q1(db, "SELECT coalesce(sum(length(q)), 0) FROM idx_ann_vec"
		      " WHERE chunk IN (SELECT id FROM idx_chunks WHERE coll=?)", coll, &ok);
	nodes = q1(db, "SELECT coalesce((SELECT n FROM idx_ann_meta WHERE coll=?), 0)", coll, &ok);
	links = q1(db, "SELECT coalesce(sum(length(links)), 0) FROM idx_ann_node WHERE coll=?", coll, &ok);
	sk = q1(db, "SELECT coalesce(sum(length(data)), 0) FROM idx_ann_sk WHERE coll=?", coll, &ok);
	sk += q1(db, "SELECT coalesce(sum(length(data)), 0) FROM idx_ann_ids WHERE coll=?", coll, &ok);
	/* dbstat is optional in SQLite builds: leave the figure out without it. */
	fts = q1(db, "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE 'idx_fts%'", 0, &fts_ok);
	if (!ok) {
		llmr_index_dberr(db, e, "stats");
		return NULL;
	}
	/* Node rows hold node, chunk and level besides the links: ~12 bytes. */
	graph = links + sk + nodes * 12;
	per = chunks ? (graph + vec) / chunks : 0;
	o = json_object();
	json_object_set_new(o, "collection", json_string(name));
	json_object_set_new(o, "embedder", json_string(emb));
	json_object_set_new(o, "dim", json_integer(dim));
	json_object_set_new(o, "documents", json_integer(docs));
	json_object_set_new(o, "failed", json_integer(failed));
	json_object_set_new(o, "chunks", json_integer(chunks));
	json_object_set_new(o, "text_bytes", json_integer(text));
	json_object_set_new(o, "graph_nodes", json_integer(nodes));
	json_object_set_new(o, "graph_bytes", json_integer(graph));
	json_object_set_new(o, "vector_bytes", json_integer(vec));
	json_object_set_new(o, "bytes_per_chunk", json_integer(per));
	json_object_set_new(o, "float32_bytes_per_chunk", json_integer((json_int_t)dim * 4));
	if (fts_ok)
		json_object_set_new(o, "fts_bytes_all", json_integer(fts));
	return o;
}

int llmr_index_stats(struct llmr_state *st, const char *collection, json_t **out,
		     struct llmr_err *e)
{
	sqlite3 *db = llmr_state_db(st);
	sqlite3_stmt *s;
	json_t *arr = json_array();
	int rc, ok = 1;
	int64_t pages, psize;

	if (sqlite3_prepare_v2(db, "SELECT id, name, embedder, dim FROM idx_collections ORDER BY name",
			       -1, &s, NULL) != SQLITE_OK) {
		json_decref(arr);
		return llmr_index_dberr(db, e, "collections");
	}
	pages = q1(db, "PRAGMA page_count", 0, &ok);
	psize = q1(db, "PRAGMA page_size", 0, &ok);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 1);
		long dim = sqlite3_column_int(s, 3);
		const char *emb = (const char *)sqlite3_column_text(s, 2);
		json_t *o;

		if (collection && strcmp(collection, name))
			continue;
		if (llmr_embed_is_local(emb))
			dim = LLMR_EMBED_LOCAL_DIM;
		o = one(db, sqlite3_column_int64(s, 0), name, emb, dim, e);
		if (!o) {
			sqlite3_finalize(s);
			json_decref(arr);
			return -1;
		}
		json_object_set_new(o, "state_bytes", json_integer(pages * psize));
		json_array_append_new(arr, o);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return llmr_index_dberr(db, e, "collections");
	}
	if (collection) {
		json_t *o = json_array_size(arr) ? json_incref(json_array_get(arr, 0)) : NULL;

		json_decref(arr);
		if (!o)
			return llmr_errf(e, LLMR_EX_NOINPUT, "no collection '%s'", collection);
		*out = o;
		return 0;
	}
	*out = arr;
	return 0;
}
