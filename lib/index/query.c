#include "index/query.h"

#include <ctype.h>
#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#include "index/embed.h"

/*
 * Stop words of queries, folded, one list per language (the embedder's
 * own list, llmr_embed_stopword, shapes stored vectors and stays as it
 * is). Besides grammar words they hold the words of questions and
 * requests: a volunteer asks "comment faire pour ..." or "how do I ...",
 * and those words match every page that explains anything.
 */
static const char *const stop_fr[] = {
	"ai", "alors", "as", "au", "aussi", "autre", "aux", "avec", "avez", "avoir", "avons", "bien", "ca",
	"car", "ce", "ceci", "cela", "celle", "celui", "ces", "cet", "cette", "chez", "combien",
	"comme", "comment", "dans", "de", "deja", "des", "doit", "dois", "doivent", "donc", "dont",
	"du", "elle", "elles", "en", "encore", "entre", "est", "et", "etes", "etre", "eux", "faire",
	"fais", "fait", "faut", "il", "ils", "je", "jusqu", "la", "le", "les", "leur", "leurs",
	"lorsqu", "lui", "ma", "mais", "me", "meme", "mes", "moi", "mon", "ne", "nos", "notre",
	"nous", "on", "ont", "ou", "par", "pas", "peut", "peuvent", "peux", "plus", "pour",
	"pourquoi", "puis", "puisqu", "qu", "quand", "que", "quel", "quelle", "quelles", "quelqu",
	"quels", "qui", "quoi", "sa", "sans", "se", "ses", "si", "son", "sont", "suis", "sur", "ta",
	"te", "tes", "toi", "ton", "tous", "tout", "toute", "toutes", "tres", "tu", "un", "une",
	"va", "vais", "veut", "veux", "voudrais", "vos", "votre", "vous", NULL};
static const char *const stop_en[] = {
	"about", "am", "an", "and", "any", "are", "aren", "as", "at", "be", "been", "but", "by",
	"can", "could", "did", "didn", "do", "does", "doesn", "don", "for", "from", "get", "got",
	"had", "has", "have", "he", "her", "here", "him", "his", "how", "if", "im", "in", "into",
	"is", "isn", "it", "its", "just", "ll", "many", "may", "me", "might", "mine", "much", "must",
	"my", "need", "of", "on", "or", "our", "out", "she", "should", "so", "some", "than", "that",
	"the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "too", "up",
	"us", "ve", "want", "was", "wasn", "we", "were", "what", "when", "where", "which", "who",
	"whom", "whose", "why", "will", "with", "won", "would", "you", "your", NULL};

static int in_list(const char *const *l, const char *w, size_t n)
{
	size_t i;

	for (i = 0; l[i]; i++)
		if (l[i][0] == w[0] && !strncmp(l[i], w, n) && !l[i][n])
			return 1;
	return 0;
}

int llmr_query_stopword(const char *w, size_t n)
{
	/* One letter: what an elision leaves ("l", "d", "j", "n", "s", "c",
	 * "m", "t") or an English contraction ("s", "t", "d"). */
	return n <= 1 || in_list(stop_fr, w, n) || in_list(stop_en, w, n) ||
	       llmr_embed_stopword(w, n);
}

/* The language of a query: its stop words of one list and not the other,
 * and accented letters, which English questions do not have. */
static enum llmr_query_lang guess_lang(const char *raw, const char *f, size_t len)
{
	const char *p = f, *end = f + len;
	int fr = 0, en = 0;

	for (; *raw; raw++)
		if ((unsigned char)*raw == 0xc3)
			fr++;
	while (p < end) {
		const char *w = p;
		size_t n;

		while (p < end && *p != ' ')
			p++;
		n = (size_t)(p - w);
		if (n) {
			int a = in_list(stop_fr, w, n), b = in_list(stop_en, w, n);

			fr += a && !b;
			en += b && !a;
		}
		while (p < end && *p == ' ')
			p++;
	}
	return fr > en ? LLMR_LANG_FR : en > fr ? LLMR_LANG_EN : LLMR_LANG_UNKNOWN;
}

/* Below STEM_MIN letters a stem is searched whole: "pai*" would find
 * "pain" and "paix" for "paie". Words of unknown language are searched
 * as their first PREFIX letters (the rule before Snowball). */
#define STEM_MIN 4
#define PREFIX 5

/* Snowball wants the accented word ("réparent" -> "répar", but "reparent"
 * stays whole); its stem is then folded like the index. */
static void stem_term(struct sb_stemmer *sb, const char *raw, struct llmr_query_term *t)
{
	size_t n = strlen(t->w);

	memcpy(t->stem, t->w, n + 1);
	t->prefix = 0;
	if (!sb) {
		if (n > PREFIX) {
			t->stem[PREFIX] = 0;
			t->prefix = 1;
		}
		return;
	}
	{
		const sb_symbol *s = sb_stemmer_stem(sb, (const sb_symbol *)raw, (int)strlen(raw));
		struct llmr_buf f = LLMR_BUF_INIT;

		if (s)
			llmr_embed_fold((const char *)s, (size_t)sb_stemmer_length(sb), &f);
		while (f.len && f.s[f.len - 1] == ' ')
			f.len--;
		if (f.len >= STEM_MIN && f.len < sizeof(t->stem) && !memchr(f.s, ' ', f.len)) {
			memcpy(t->stem, f.s, f.len);
			t->stem[f.len] = 0;
			t->prefix = 1;
		}
		llmr_buf_release(&f);
	}
}

/* Length of the separator at s (punctuation, spaces, Latin-1 symbols,
 * general punctuation such as the typographic apostrophe), 0 for a letter. */
static size_t separator(const unsigned char *s, size_t left)
{
	if (*s < 0x80)
		return isalnum(*s) ? 0 : 1;
	if (*s == 0xc2 && left >= 2)
		return 2;
	if (*s == 0xc3 && left >= 2 && (s[1] == 0x97 || s[1] == 0xb7))
		return 2;
	if (*s == 0xe2 && left >= 3 && (s[1] == 0x80 || s[1] == 0x81))
		return 3;
	return 0;
}

/* The next word of q at *pos, lowercased (ASCII and Latin-1), into raw. */
static size_t next_word(const char *q, size_t len, size_t *pos, char *raw, size_t cap)
{
	const unsigned char *s = (const unsigned char *)q;
	size_t i = *pos, n = 0, l;

	while (i < len && (l = separator(s + i, len - i)) > 0)
		i += l;
	while (i < len && separator(s + i, len - i) == 0) {
		unsigned char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (n + 2 < cap)
			raw[n++] = (char)c;
		if (s[i] == 0xc3 && i + 1 < len) {
			unsigned char d = s[i + 1];

			if (d >= 0x80 && d <= 0x9e)
				d += 0x20;
			if (n + 2 < cap)
				raw[n++] = (char)d;
			i++;
		}
		i++;
	}
	raw[n] = 0;
	*pos = i;
	return n;
}

void llmr_query_parse(const char *q, enum llmr_query_stem stem, struct llmr_query *out)
{
	struct llmr_buf f = LLMR_BUF_INIT;
	struct sb_stemmer *sb = NULL;
	char raw[LLMR_QUERY_MAX_TERMS][64], word[64];
	size_t i, pos = 0, len = strlen(q);

	memset(out, 0, sizeof(*out));
	llmr_embed_fold(q, len, &f);
	out->lang = guess_lang(q, f.s ? f.s : "", f.len);
	while (pos < len && out->n < LLMR_QUERY_MAX_TERMS) {
		size_t n;

		if (!next_word(q, len, &pos, word, sizeof(word)))
			continue;
		llmr_buf_reset(&f);
		llmr_embed_fold(word, strlen(word), &f);
		n = f.len;
		if (!n || n >= sizeof(out->t[0].w) || memchr(f.s, ' ', n) ||
		    llmr_query_stopword(f.s, n))
			continue;
		for (i = 0; i < out->n; i++)
			if (strlen(out->t[i].w) == n && !memcmp(out->t[i].w, f.s, n))
				break;
		if (i < out->n)
			continue; /* said twice */
		memcpy(out->t[out->n].w, f.s, n);
		out->t[out->n].w[n] = 0;
		memcpy(raw[out->n++], word, sizeof(word));
	}
	if (stem == LLMR_STEM_SNOWBALL && out->lang != LLMR_LANG_UNKNOWN)
		sb = sb_stemmer_new(out->lang == LLMR_LANG_FR ? "french" : "english", "UTF_8");
	for (i = 0; i < out->n; i++) {
		if (stem != LLMR_STEM_NONE)
			stem_term(sb, raw[i], &out->t[i]);
		else
			memcpy(out->t[i].stem, out->t[i].w, sizeof(out->t[i].w));
	}
	if (sb)
		sb_stemmer_delete(sb);
	llmr_buf_release(&f);
}

/* Documents holding term, from FTS5's vocabulary; -1 when unknown. */
static int64_t doc_freq(sqlite3 *db, const char *w)
{
	sqlite3_stmt *st;
	int64_t df = -1;

	if (sqlite3_prepare_v2(db, "SELECT doc FROM temp.llmr_fts_vocab WHERE term = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, w, -1, SQLITE_TRANSIENT);
	df = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return df;
}

/*
 * In a large collection, words found in more than an eighth of the chunks
 * are left out when rarer ones remain: they weigh little in BM25 (low IDF)
 * but make FTS5 score most of the collection, which is what makes OR
 * queries slow. Prefix queries would scan too many terms there too.
 */
#define BIG_COLLECTION 5000

static int64_t chunk_count(sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t total = 0;

	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) FROM idx_chunks", -1, &st, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			total = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return total;
}

/* FTS5's vocabulary as a temp table. Search opens the state query_only,
 * which refused it: the temp schema is not the state file, so allow
 * writing for the time of its creation. */
static int vocab_table(sqlite3 *db)
{
	sqlite3_stmt *st;
	int ro = 0, rc;

	if (sqlite3_prepare_v2(db, "PRAGMA query_only", -1, &st, NULL) == SQLITE_OK) {
		ro = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (ro)
		sqlite3_exec(db, "PRAGMA query_only=OFF", NULL, NULL, NULL);
	rc = sqlite3_exec(db, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.llmr_fts_vocab"
			      " USING fts5vocab(main, idx_fts, row)", NULL, NULL, NULL);
	if (ro)
		sqlite3_exec(db, "PRAGMA query_only=ON", NULL, NULL, NULL);
	return rc;
}

void llmr_query_fts(sqlite3 *db, const struct llmr_query *q, struct llmr_buf *out)
{
	int64_t total = chunk_count(db), df[LLMR_QUERY_MAX_TERMS];
	int keep[LLMR_QUERY_MAX_TERMS];
	int big = total > BIG_COLLECTION;
	size_t i;

	for (i = 0; i < q->n; i++)
		keep[i] = 1;
	if (big && q->n > 1 && vocab_table(db) == SQLITE_OK) {
		size_t rare = 0, rarest = 0;

		for (i = 0; i < q->n; i++) {
			df[i] = doc_freq(db, q->t[i].w);
			if (df[i] >= 0 && df[i] <= total / 8)
				rare++;
			if (df[i] >= 0 && df[i] < df[rarest])
				rarest = i;
		}
		for (i = 0; i < q->n; i++)
			if (df[i] < 0 || (rare ? df[i] > total / 8 : i != rarest))
				keep[i] = 0;
	}
	for (i = 0; i < q->n; i++) {
		const char *w = big ? q->t[i].w : q->t[i].stem;

		if (!keep[i])
			continue;
		if (out->len)
			llmr_buf_adds(out, " OR ");
		llmr_buf_add(out, "\"", 1);
		llmr_buf_adds(out, w);
		llmr_buf_add(out, "\"", 1);
		if (!big && q->t[i].prefix)
			llmr_buf_add(out, "*", 1);
	}
}
