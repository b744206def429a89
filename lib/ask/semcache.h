/*
 * semcache.h - the semantic cache: an answer given again to a question
 * that means the same, asked on the same route, namespace and parameters.
 *
 * A hit needs, all at once: the same scope (a hash of route, namespace,
 * chain, system prompt, parameters and embedder: an equality filter), the
 * same guard (the question's numbers, negations, dates, units, names and
 * product codes, semguard.c: an equality filter too), and a cosine
 * similarity of the two questions' embeddings at or above the threshold.
 *
 * Storage (semcache.c): one row per entry with the int8 vector and its
 * 256-bit sketch, the sketches also packed 512 a row per scope and guard
 * (semcache_blocks.c); the lookup scans the packed sketches of its scope
 * and guard, keeps the closest in Hamming distance and re-ranks them by
 * exact cosine on their vectors.
 */
#ifndef LLMR_SEMCACHE_H
#define LLMR_SEMCACHE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/state.h"
#include "base/util.h"

/* The canonical guard of a question, appended to out ("" when it has
 * none): sorted, space-separated kind:value items. */
void llmr_semguard(const char *text, struct llmr_buf *out);

struct llmr_semcache_entry {
	const char *scope, *guard, *route, *ns, *question;
	const float *vec;
	size_t dim;
};

/* Store resp (borrowed) until expires_ms; expired entries are dropped.
 * Returns 0, or -1 with e. */
int llmr_semcache_put(struct llmr_state *st, const struct llmr_semcache_entry *ent,
		      const json_t *resp, int64_t now_ms, int64_t expires_ms, struct llmr_err *e);

/* The closest live entry of scope and guard to vec[dim]: 1 with *resp (a
 * new reference) and *sim when its cosine is >= threshold, 0 when none
 * is, -1 with e. */
int llmr_semcache_find(struct llmr_state *st, const char *scope, const char *guard,
		       const float *vec, size_t dim, double threshold, int64_t now_ms,
		       json_t **resp, double *sim, struct llmr_err *e);

/* The closest live entry at or above threshold, in full: its id, its
 * similarity, its response (a new reference) and its question. */
struct llmr_semcache_hit {
	int64_t id;
	double sim;
	json_t *resp;
	char *question;
};
/* As llmr_semcache_find, filling hit (release it). */
int llmr_semcache_find_entry(struct llmr_state *st, const char *scope, const char *guard,
			     const float *vec, size_t dim, double threshold, int64_t now_ms,
			     struct llmr_semcache_hit *hit, struct llmr_err *e);
void llmr_semcache_hit_release(struct llmr_semcache_hit *hit);

/* What the cache learned of an entry (semcache_obs.c): its own threshold,
 * given the route's, from the hits confirmed right or wrong. */
struct llmr_semcache_learned {
	double threshold;   /* serve without confirmation at or above this */
	double wrong_at;    /* never serve at or below this (-1: no wrong hit seen) */
	long confirmed;     /* confirmations and corrections known */
};
/* The zero-failure bound: an entry's threshold comes down to a lower
 * similarity only once n hits at or above it were all right, n being the
 * fewest for which a 95% upper bound on the error rate (1 - 0.05^(1/n))
 * is within error_rate. */
long llmr_semcache_needed(double error_rate);
int llmr_semcache_learned(struct llmr_state *st, int64_t entry_id, double base,
			  double error_rate, struct llmr_semcache_learned *out,
			  struct llmr_err *e);
/* Record one observation of an entry: correct 1, 0, or -1 (unknown, a hit
 * served unchecked); source "hit", "confirm" or "correction". */
int llmr_semcache_observe(struct llmr_state *st, int64_t entry_id, const char *request_id,
			  double sim, int correct, const char *source, struct llmr_err *e);
/* A semantic hit served to request_id was wrong: recorded against its
 * entry, which from then on misses at that similarity and below. Returns
 * 1, 0 when request_id got no semantic hit, -1 with e. */
int llmr_semcache_correct(struct llmr_state *st, const char *request_id, struct llmr_err *e);

/* Internal to semcache*.c: the packed sketches (semcache_blocks.c). */
#define LLMR_SEMBLOCK_N 512
#define LLMR_SEMBLOCK_SK 32
/* Add entry id (stored already) with its sketch to its group's blocks,
 * inside the caller's transaction. Returns an sqlite3 result code. */
int llmr_semblock_append(sqlite3 *db, const char *scope, const char *guard, int64_t id,
			 const void *sk, int64_t now);
/* Drops the blocks of groups without entries (for cost/cache_report.c's
 * purge too, which the ask layer's code is above). */
#define LLMR_SEMBLOCK_ORPHANS                                                                   \
	"DELETE FROM semantic_blocks WHERE NOT EXISTS (SELECT 1 FROM semantic_cache c"          \
	" WHERE c.scope = semantic_blocks.scope AND c.guard = semantic_blocks.guard)"
/* What was learned of entries gone (semcache_obs.c): dropped with them,
 * as a new entry may take a gone one's id. */
#define LLMR_SEMOBS_ORPHANS                                                                     \
	"DELETE FROM semantic_obs WHERE entry_id NOT IN (SELECT id FROM semantic_cache)"
/* The id stored at p in a block. */
int64_t llmr_semblock_id(const unsigned char *p);

/* The default cache.semantic_threshold: chosen on the dev half of
 * tests/fixtures/semcache/pairs.tsv for precision >= 0.98 with the local
 * embedder (the unit test reports the held-out half). */
#define LLMR_SEMCACHE_DEFAULT_THRESHOLD 0.92

#endif
