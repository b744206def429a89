#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index/embed.h"
#include "index/search.h"

struct word {
	size_t start, end; /* bytes in the text */
	int hit;
};

/* Query words, folded, stop words dropped, as "w1 w2 ..." with a trailing space. */
static void query_terms(const char *q, struct llmr_buf *out)
{
	struct llmr_buf f = LLMR_BUF_INIT;
	const char *p, *end;

	llmr_embed_fold(q, strlen(q), &f);
	p = f.s ? f.s : "";
	end = p + f.len;
	while (p < end) {
		const char *w = p;

		while (p < end && *p != ' ')
			p++;
		if (p > w && !llmr_embed_stopword(w, (size_t)(p - w))) {
			llmr_buf_add(out, w, (size_t)(p - w));
			llmr_buf_add(out, " ", 1);
		}
		while (p < end && *p == ' ')
			p++;
	}
	llmr_buf_release(&f);
}

/* Whether folded word w matches a term: equal, or sharing a 5-byte stem. */
static int matches(const char *w, size_t n, const char *terms)
{
	const char *t = terms;

	while (*t) {
		const char *sp = strchr(t, ' ');
		size_t tl = (size_t)(sp - t), stem = 5;

		if (tl == n && !memcmp(t, w, n))
			return 1;
		if (tl >= stem && n >= stem && !memcmp(t, w, stem))
			return 1;
		t = sp + 1;
	}
	return 0;
}

static int is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80;
}

static void add_clean(struct llmr_buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\n' || c == '\t' || c == '\r')
			c = ' ';
		if (c == ' ' && out->len && out->s[out->len - 1] == ' ')
			continue;
		llmr_buf_add(out, &c, 1);
	}
}

void llmr_search_snippet(const char *text, const char *query, size_t max, const char *mark_on,
			 const char *mark_off, struct llmr_buf *out)
{
	struct llmr_buf terms = LLMR_BUF_INIT, fw = LLMR_BUF_INIT;
	struct word *w = NULL;
	size_t nw = 0, cap = 0, i, j, n = strlen(text), best = 0, besthits = 0, hits = 0, first, last;

	query_terms(query, &terms);
	for (i = 0; i < n;) {
		while (i < n && !is_word_byte((unsigned char)text[i]))
			i++;
		if (i >= n)
			break;
		if (nw == cap) {
			cap = cap ? cap * 2 : 128;
			w = llmr_xrealloc(w, cap * sizeof(*w));
		}
		w[nw].start = i;
		while (i < n && is_word_byte((unsigned char)text[i]))
			i++;
		w[nw].end = i;
		llmr_buf_reset(&fw);
		llmr_embed_fold(text + w[nw].start, w[nw].end - w[nw].start, &fw);
		w[nw].hit = terms.len && fw.len && matches(fw.s, fw.len, terms.s);
		nw++;
	}
	/* Slide a window of max bytes over the words; keep the richest (the
	 * earliest among equals, which leaves some context before the hits). */
	for (i = 0, j = 0; i < nw; i++) {
		if (j < i) {
			j = i;
			hits = 0;
		}
		while (j < nw && w[j].end - w[i].start <= max)
			hits += (size_t)w[j++].hit;
		if (hits > besthits) {
			besthits = hits;
			best = i;
		}
		if (j > i)
			hits -= (size_t)w[i].hit;
	}
	if (!nw) {
		add_clean(out, text, n < max ? n : max);
		goto done;
	}
	first = w[best].start;
	last = first;
	for (j = best; j < nw && w[j].end - first <= max; j++)
		last = w[j].end;
	if (last < n && last - first < max && (text[last] == '.' || text[last] == '!' ||
					       text[last] == '?'))
		last++;
	if (first > 0)
		llmr_buf_adds(out, "\xe2\x80\xa6");
	for (j = best; j < nw && w[j].end <= last; j++) {
		size_t gap_from = j == best ? first : w[j - 1].end;

		add_clean(out, text + gap_from, w[j].start - gap_from);
		if (w[j].hit && mark_on)
			llmr_buf_adds(out, mark_on);
		add_clean(out, text + w[j].start, w[j].end - w[j].start);
		if (w[j].hit && mark_off)
			llmr_buf_adds(out, mark_off);
	}
	if (last > (j > best ? w[j - 1].end : first))
		add_clean(out, text + w[j - 1].end, last - w[j - 1].end);
	if (last < n)
		llmr_buf_adds(out, "\xe2\x80\xa6");
done:
	free(w);
	llmr_buf_release(&terms);
	llmr_buf_release(&fw);
}

json_t *llmr_hit_json(const struct llmr_hit *h, const char *collection, const char *query)
{
	struct llmr_buf sn = LLMR_BUF_INIT;
	json_t *o = json_object();

	llmr_search_snippet(h->text, query, 240, NULL, NULL, &sn);
	json_object_set_new(o, "source", json_string(h->source));
	json_object_set_new(o, "chunk", json_integer(h->seq));
	json_object_set_new(o, "heading", json_string(h->heading));
	json_object_set_new(o, "snippet", json_string(sn.s ? sn.s : ""));
	json_object_set_new(o, "score", json_real(round(h->score * 10000) / 10000));
	json_object_set_new(o, "url", h->url ? json_string(h->url) : json_null());
	json_object_set_new(o, "collection", json_string(collection));
	if (h->nalso) {
		json_t *a = json_array();
		size_t i;

		for (i = 0; i < h->nalso; i++)
			json_array_append_new(a, json_string(h->also[i]));
		json_object_set_new(o, "also", a);
	}
	llmr_buf_release(&sn);
	return o;
}
