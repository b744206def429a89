/*
 * search_impl.h - what search.c hands to search_hits.c: ranked chunk ids.
 */
#ifndef LLMR_SEARCH_IMPL_H
#define LLMR_SEARCH_IMPL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "index/search.h"

struct scored {
	int64_t id;
	double score;
};

/*
 * Turn ranked chunks v[0..n) into at most k hits in out: one per content
 * hash (copies of a text under several names would otherwise fill the
 * top of the list with one answer), and with by_doc one per document.
 */
int llmr_search_fill(sqlite3 *db, int64_t coll, const struct scored *v, size_t n, size_t k,
		     int by_doc, struct llmr_hits *out, struct llmr_err *e);

/*
 * Fuse the keyword ranking b[0..nb) and the vector ranking v[0..nv) (best
 * first, scores as the modes give them) into *out[0..*nout), best first,
 * scores in [0, 1] (malloc'd, caller frees). Weights wb and wv >= 0.
 */
void llmr_search_fuse(const struct scored *b, size_t nb, double wb, const struct scored *v,
		      size_t nv, double wv, struct scored **out, size_t *nout);

#endif
