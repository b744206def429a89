/*
 * The learned router's embeddings, cached in the state (outcome_vectors):
 * made once when outcomes are imported, read back by every llmr-route and
 * llmr-ask that routes with router.learned, so that neither re-embeds ten
 * thousand prompts at start. A vector under another tag (another embedder)
 * is made again; a prompt without one is embedded at load, in memory.
 * The structure model (learned_features.h) is not cached: it is fitted
 * again at load from the prompts and their gains, on at most about 4096
 * of them, which takes a few milliseconds.
 */
#include "learn/learned_route.h"

#include <stdlib.h>
#include <string.h>

struct missing {
	int64_t *id;
	struct llmr_learned_vec *vec;
	size_t n, cap;
};

static const char sql_put[] =
	"INSERT OR REPLACE INTO outcome_vectors (prompt, tag, vec, sketch) VALUES (?1, ?2, ?3, ?4)";

static int put_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct { struct llmr_state *st; struct missing *m; } *c = ud;
	sqlite3_stmt *s;
	int rc = 0;

	(void)db;
	if (llmr_state_stmt(c->st, sql_put, &s, e) < 0)
		return -1;
	for (size_t i = 0; i < c->m->n && !rc; i++) {
		sqlite3_bind_int64(s, 1, c->m->id[i]);
		sqlite3_bind_text(s, 2, llmr_learned_embed_tag(), -1, SQLITE_STATIC);
		sqlite3_bind_blob(s, 3, c->m->vec[i].v, sizeof(c->m->vec[i].v), SQLITE_STATIC);
		sqlite3_bind_blob(s, 4, c->m->vec[i].sk, sizeof(c->m->vec[i].sk), SQLITE_STATIC);
		rc = llmr_state_step_done(c->st, s, "cannot store an embedding", e);
	}
	return rc;
}

/* Embed every stored prompt without a vector under this tag; the
 * embedding happens outside the write transaction, which stays short. */
int llmr_learned_cache(struct llmr_state *st, long *made, struct llmr_err *e)
{
	struct missing m = {NULL, NULL, 0, 0};
	struct { struct llmr_state *st; struct missing *m; } c = {st, &m};
	sqlite3_stmt *s;
	int rc;

	*made = 0;
	if (sqlite3_prepare_v2(llmr_state_db(st),
			       "SELECT p.id, p.prompt FROM outcome_prompts p LEFT JOIN outcome_vectors v"
			       " ON v.prompt = p.id AND v.tag = ?1 WHERE v.prompt IS NULL",
			       -1, &s, NULL) != SQLITE_OK)
		return llmr_state_dberr(st, "cannot read outcome prompts", e);
	sqlite3_bind_text(s, 1, llmr_learned_embed_tag(), -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (m.n == m.cap) {
			m.cap = m.cap ? 2 * m.cap : 256;
			m.id = llmr_xrealloc(m.id, m.cap * sizeof(*m.id));
			m.vec = llmr_xrealloc(m.vec, m.cap * sizeof(*m.vec));
		}
		m.id[m.n] = sqlite3_column_int64(s, 0);
		llmr_learned_embed((const char *)sqlite3_column_text(s, 1),
				   (size_t)sqlite3_column_bytes(s, 1), &m.vec[m.n]);
		m.n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		rc = llmr_state_dberr(st, "cannot read outcome prompts", e);
	else
		rc = m.n ? llmr_state_tx(st, 1, put_fn, &c, e) : 0;
	if (rc == 0)
		*made = (long)m.n;
	free(m.id);
	free(m.vec);
	return rc;
}

/* vecs[row] for every outcome row with a cached vector (else NULL). */
static int read_vectors(struct llmr_state *st, struct llmr_outcomes *o,
			struct llmr_learned_vec **store, const struct llmr_learned_vec ***vecs,
			struct llmr_err *e)
{
	size_t n = o->n, got = 0;
	sqlite3_stmt *s;
	int rc;

	*store = llmr_xmalloc((n + 1) * sizeof(**store));
	*vecs = llmr_xcalloc(n + 1, sizeof(**vecs));
	if (sqlite3_prepare_v2(llmr_state_db(st),
			       "SELECT p.prompt, v.vec, v.sketch FROM outcome_vectors v"
			       " JOIN outcome_prompts p ON p.id = v.prompt WHERE v.tag = ?1",
			       -1, &s, NULL) != SQLITE_OK)
		return llmr_state_dberr(st, "cannot read embeddings", e);
	sqlite3_bind_text(s, 1, llmr_learned_embed_tag(), -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && got < n) {
		struct llmr_learned_vec *v = &(*store)[got];
		size_t row;

		if (sqlite3_column_bytes(s, 1) != (int)sizeof(v->v) ||
		    sqlite3_column_bytes(s, 2) != (int)sizeof(v->sk))
			continue; /* not ours: embedded again at load */
		row = llmr_outcomes_row(o, (const char *)sqlite3_column_text(s, 0),
					(size_t)sqlite3_column_bytes(s, 0));
		if (row >= n)
			continue; /* a prompt without outcomes */
		memcpy(v->v, sqlite3_column_blob(s, 1), sizeof(v->v));
		memcpy(v->sk, sqlite3_column_blob(s, 2), sizeof(v->sk));
		(*vecs)[row] = v;
		got++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return llmr_state_dberr(st, "cannot read embeddings", e);
	return 0;
}

int llmr_learned_load(struct llmr_state *st, const struct llmr_learned_opts *opts,
		      struct llmr_learned **out, struct llmr_err *e)
{
	struct llmr_outcomes o;
	struct llmr_pairs p;
	struct llmr_learned_vec *store = NULL;
	const struct llmr_learned_vec **byrow = NULL, **vecs;
	int rc = 0;

	*out = NULL;
	llmr_outcomes_init(&o);
	if (llmr_outcomes_load(st, &o, e) < 0 || read_vectors(st, &o, &store, &byrow, e) < 0)
		rc = -1;
	else if (o.nmodels >= 2 && llmr_pairs_pick(&o, NULL, NULL, &p, NULL) == 0) {
		vecs = llmr_xmalloc((p.n + 1) * sizeof(*vecs));
		for (size_t i = 0; i < p.n; i++)
			vecs[i] = byrow[p.row[i]];
		*out = llmr_learned_new_vecs(&p, vecs, opts);
		free(vecs);
		llmr_pairs_release(&p);
	}
	free(store);
	free(byrow);
	llmr_outcomes_release(&o);
	return rc;
}
