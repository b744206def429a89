/*
 * ann_recall.c - vector search (a brute-force scan of the sketches, then
 * exact re-rank from stored int8 vectors; or, on a state file without
 * them, HNSW on sketches and vectors embedded again) against
 * exact brute force over every chunk, on a deterministic collection of
 * 4,000 short French and English documents: recall@10 for short queries
 * (1 to 6 words, where a sketch of a sparse vector is least reliable) and
 * for long ones. Not timing: the same figures on any machine.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/embed.h"
#include "index/index.h"
#include "index/search.h"
#include "store/state.h"
#include "tap.h"

#define NDOCS 4000
#define NQ 60
#define FLOOR 0.05f /* search.c's VECTOR_FLOOR: weaker matches are not hits */

static const char *const words[] = {
	"chats", "chiens", "vêtements", "chaussures", "tri", "textile", "recyclage", "bénévoles",
	"boutique", "caisse", "atelier", "meubles", "vaisselle", "livres", "jouets", "vélos",
	"réparation", "électroménager", "dépôt", "collecte", "horaires", "samedi", "lundi",
	"accueil", "sécurité", "incendie", "trousse", "secours", "étiquette", "prix", "vente",
	"don", "donateur", "linge", "propre", "tache", "usé", "filière", "benne", "camion",
	"clothes", "shoes", "sorting", "volunteers", "opening", "hours", "repair", "bikes",
	"books", "toys", "furniture", "donation", "cashier", "safety", "first", "aid", "kit",
	"recycling", "textile", "bin", "truck", "label", "price", "sale", "clean", "stain",
	"le", "la", "les", "des", "du", "et", "pour", "avec", "sur", "dans", "the", "and", "of",
	"to", "in", "for", "with", "on", "est", "sont", "is", "are", "une", "un", "a"};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static uint64_t rng = 88172645463325252ULL;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Zipf-like: small indices far more often, as in real text. */
static const char *word(void)
{
	double u = (next() % 100000) / 100000.0;

	return words[(size_t)(u * u * NWORDS)];
}

static void doc_text(struct llmr_buf *b, size_t n)
{
	size_t i;

	llmr_buf_reset(b);
	for (i = 0; i < n; i++) {
		llmr_buf_adds(b, i ? " " : "");
		llmr_buf_adds(b, word());
	}
}

/* Brute force: the ids of the up to 10 chunks nearest q at or above FLOOR,
 * and best[] their cosines. */
static size_t brute(const float *vecs, const int64_t *ids, size_t n, const float *q, int64_t *out,
		    float *best)
{
	size_t nb = 0, j, k;

	for (j = 0; j < n; j++) {
		float c = llmr_embed_cosine(q, vecs + j * LLMR_EMBED_LOCAL_DIM, LLMR_EMBED_LOCAL_DIM);

		if (c < FLOOR || (nb == 10 && c <= best[9]))
			continue;
		k = nb < 10 ? nb++ : 9;
		while (k > 0 && best[k - 1] < c) {
			best[k] = best[k - 1];
			out[k] = out[k - 1];
			k--;
		}
		best[k] = c;
		out[k] = ids[j];
	}
	return nb;
}

static double recall(struct llmr_state *st, const float *vecs, const int64_t *ids, size_t n,
		     char **queries, size_t nq)
{
	struct llmr_search_opts o = {"r", 10, LLMR_SEARCH_VECTOR, -1, -1, 0, 0};
	struct llmr_err e = {0, ""};
	double sum = 0;
	size_t i, j, k;

	for (i = 0; i < nq; i++) {
		float q[LLMR_EMBED_LOCAL_DIM], best[10];
		int64_t want[10];
		size_t nw, found = 0;
		struct llmr_hits h;

		llmr_embed_local(queries[i], strlen(queries[i]), q);
		nw = brute(vecs, ids, n, q, want, best);
		if (llmr_search(st, NULL, &o, queries[i], &h, &e) < 0) {
			printf("# search failed: %s\n", e.msg);
			continue;
		}
		/* A hit tied with the tenth is as good as it: ties are common
		 * among short documents, and either is a right answer. */
		for (j = 0; j < h.n; j++) {
			int in = 0;

			for (k = 0; k < nw; k++)
				in |= h.v[j].chunk_id == want[k];
			found += in || (nw == 10 && h.v[j].score >= best[9] - 1e-6);
		}
		if (found > nw)
			found = nw;
		if (nw && found < nw)
			printf("# '%s': %zu of %zu found\n", queries[i], found, nw);
		sum += nw ? (double)found / (double)nw : 1;
		llmr_hits_release(&h);
	}
	return sum / (double)nq;
}

/* The first column of sql's first row, 0 when none. */
static int64_t count(struct llmr_state *st, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = 0;

	if (sqlite3_prepare_v2(llmr_state_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

int main(void)
{
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	struct llmr_indexer *ix;
	struct llmr_index_opts o = {0};
	struct llmr_buf b = LLMR_BUF_INIT;
	char *shortq[NQ], *longq[NQ], id[32];
	float *vecs = malloc((size_t)NDOCS * LLMR_EMBED_LOCAL_DIM * sizeof(float));
	int64_t ids[NDOCS];
	size_t n = 0, i;
	sqlite3_stmt *s;
	double r;

	ok(llmr_state_open(":memory:", &st, &e) == 0, "state: %s", e.msg);
	o.collection = "r";
	ok(llmr_index_open(st, NULL, &o, &ix, &e) == 0, "indexer opens: %s", e.msg);
	for (i = 0; i < NDOCS; i++) {
		doc_text(&b, 12 + next() % 40);
		snprintf(id, sizeof(id), "d%zu", i);
		if (llmr_index_doc(ix, id, b.s, b.len, NULL, NULL, &e) < 0)
			break;
	}
	ok(i == NDOCS, "%d documents indexed: %s", NDOCS, e.msg);
	ok(llmr_index_close(ix, NULL, &e) == 0, "graph built: %s", e.msg);

	sqlite3_prepare_v2(llmr_state_db(st), "SELECT id, heading, text FROM idx_chunks ORDER BY id", -1,
			   &s, NULL);
	while (n < NDOCS && sqlite3_step(s) == SQLITE_ROW) {
		llmr_buf_reset(&b);
		llmr_index_embed_input((const char *)sqlite3_column_text(s, 1),
				       (const char *)sqlite3_column_text(s, 2), &b);
		ids[n] = sqlite3_column_int64(s, 0);
		llmr_embed_local(b.s, b.len, vecs + n * LLMR_EMBED_LOCAL_DIM);
		n++;
	}
	sqlite3_finalize(s);
	ok(n == NDOCS, "one chunk a document (%zu)", n);

	/* Short queries: 1 to 6 words ("chats" alone among them); long:
	 * 40 words, as a pasted paragraph. */
	shortq[0] = strdup("chats");
	for (i = 1; i < NQ; i++) {
		doc_text(&b, 1 + i % 6);
		shortq[i] = strdup(b.s);
	}
	for (i = 0; i < NQ; i++) {
		doc_text(&b, 40);
		longq[i] = strdup(b.s);
	}
	ok(count(st, "SELECT count(*) FROM idx_ann_vec") == NDOCS, "an int8 vector stored a chunk");
	ok(count(st, "SELECT count(*) FROM idx_ann_ids") == (NDOCS + 1023) / 1024,
	   "node-to-chunk map packed 1024 a row");
	r = recall(st, vecs, ids, n, shortq, NQ);
	ok(r >= 0.98, "recall@10 against brute force, short queries: %.3f", r);
	r = recall(st, vecs, ids, n, longq, NQ);
	ok(r >= 0.98, "recall@10 against brute force, long queries: %.3f", r);

	/* A state file from before the vectors: no map (the graph is
	 * walked) and no stored vector (candidates are embedded again). */
	ok(count(st, "DELETE FROM idx_ann_ids") == 0 && count(st, "DELETE FROM idx_ann_vec") == 0 &&
	   count(st, "SELECT count(*) FROM idx_ann_vec") == 0, "vectors and map dropped");
	r = recall(st, vecs, ids, n, shortq, NQ);
	ok(r >= 0.95, "without them, the graph walk still finds: short queries %.3f", r);
	r = recall(st, vecs, ids, n, longq, NQ);
	ok(r >= 0.95, "without them, the graph walk still finds: long queries %.3f", r);

	for (i = 0; i < NQ; i++) {
		free(shortq[i]);
		free(longq[i]);
	}
	free(vecs);
	llmr_buf_release(&b);
	llmr_state_close(st);
	return done_testing();
}
