/*
 * query.h - what a search query becomes before FTS5 sees it.
 *
 * The query is folded like the index (lowercase, accents off), cut into
 * words, and French and English elisions ("l'", "qu'", "jusqu'"), stop
 * words and the words of questions ("comment", "combien", "how") are
 * dropped: they say what kind of answer is wanted, not what it is about.
 * The language of the query (French, English or unknown) is guessed from
 * its stop words and accents; each remaining word is then reduced to its
 * Snowball stem (libstemmer) in that language and searched as a prefix,
 * so that "réparation" finds "réparer" and "allergique" "allergie".
 * Words of unknown language fall back to a prefix of five letters.
 */
#ifndef LLMR_QUERY_H
#define LLMR_QUERY_H

#include <sqlite3.h>
#include <stddef.h>

#include "base/util.h"

#define LLMR_QUERY_MAX_TERMS 32

enum llmr_query_lang { LLMR_LANG_UNKNOWN, LLMR_LANG_FR, LLMR_LANG_EN };

struct llmr_query_term {
	char w[48];     /* folded word, NUL-terminated */
	char stem[48];  /* what FTS5 matches: the stem, or the word */
	int prefix;     /* match stem as a prefix */
};

struct llmr_query {
	struct llmr_query_term t[LLMR_QUERY_MAX_TERMS];
	size_t n;
	enum llmr_query_lang lang;
};

/* How query words match: whole, as their first five letters, or as their
 * Snowball stem (the first five letters when the language is unknown). */
enum llmr_query_stem { LLMR_STEM_NONE, LLMR_STEM_PREFIX, LLMR_STEM_SNOWBALL };

/* Cut q into its content terms, stemmed (see above). Never fails; n may
 * be 0. */
void llmr_query_parse(const char *q, enum llmr_query_stem stem, struct llmr_query *out);

/* Whether the folded word w[0..n) is a stop word of a query. */
int llmr_query_stopword(const char *w, size_t n);

/*
 * The FTS5 query for q: its terms, quoted, OR-ed (prefixes starred). In a
 * collection of more than 5000 chunks, no prefixes, and words found in more
 * than an eighth of the chunks are left out when rarer ones remain.
 * Appends to out (empty when q has no content word).
 */
void llmr_query_fts(sqlite3 *db, const struct llmr_query *q, struct llmr_buf *out);

#endif
