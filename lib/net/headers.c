#include "net/http.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void llmr_headers_add(struct llmr_headers *h, const char *name, const char *value)
{
	size_t i, len = strlen(name);
	char *lower;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->names = llmr_xrealloc(h->names, h->cap * sizeof(*h->names));
		h->values = llmr_xrealloc(h->values, h->cap * sizeof(*h->values));
	}
	lower = llmr_xstrndup(name, len);
	for (i = 0; i < len; i++)
		lower[i] = (char)tolower((unsigned char)lower[i]);
	h->names[h->n] = lower;
	h->values[h->n] = llmr_xstrdup(value ? value : "");
	h->n++;
}

const char *llmr_headers_get(const struct llmr_headers *h, const char *name)
{
	size_t i;

	if (!h || !name)
		return NULL;
	for (i = 0; i < h->n; i++)
		if (!strcasecmp(h->names[i], name))
			return h->values[i];
	return NULL;
}

void llmr_headers_release(struct llmr_headers *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->names[i]);
		free(h->values[i]);
	}
	free(h->names);
	free(h->values);
	h->names = h->values = NULL;
	h->n = h->cap = 0;
}

/* Drop the entries but keep the arrays, for a new response's headers. */
static void headers_clear(struct llmr_headers *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->names[i]);
		free(h->values[i]);
	}
	h->n = 0;
}

/* "HTTP/1.1 200 OK", "HTTP/2 429": returns the status, or -1. */
static long status_line(const char *s, size_t n)
{
	size_t i = 5;
	long st = 0;
	int digits = 0;

	if (n < 5 || strncmp(s, "HTTP/", 5))
		return -1;
	while (i < n && s[i] != ' ')
		i++;
	while (i < n && s[i] == ' ')
		i++;
	while (i < n && isdigit((unsigned char)s[i]) && digits < 3) {
		st = st * 10 + (s[i++] - '0');
		digits++;
	}
	return digits == 3 ? st : -1;
}

/*
 * One header line, without its line ending. A new status line starts a new
 * response (100 Continue, a proxy's CONNECT answer), so the headers kept are
 * always those of the final response. Folded lines join the previous value.
 */
static void header_line(struct llmr_headers *h, const char *s, size_t n, long *status)
{
	const char *colon, *v, *end = s + n;
	char *name, *val;
	long st;

	if (!n)
		return;
	if ((st = status_line(s, n)) >= 0) {
		headers_clear(h);
		if (status)
			*status = st;
		return;
	}
	if ((*s == ' ' || *s == '\t') && h->n) {
		size_t old = strlen(h->values[h->n - 1]);

		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		val = llmr_xmalloc(old + 1 + (size_t)(end - s) + 1);
		memcpy(val, h->values[h->n - 1], old);
		val[old] = ' ';
		memcpy(val + old + 1, s, (size_t)(end - s));
		val[old + 1 + (end - s)] = '\0';
		free(h->values[h->n - 1]);
		h->values[h->n - 1] = val;
		return;
	}
	colon = memchr(s, ':', n);
	if (!colon || colon == s)
		return;
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	name = llmr_xstrndup(s, (size_t)(colon - s));
	val = llmr_xstrndup(v, (size_t)(end - v));
	llmr_headers_add(h, name, val);
	free(name);
	free(val);
}

static void parse_line(struct llmr_headers *h, const char *s, size_t n, long *status)
{
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	header_line(h, s, n, status);
}

void llmr_headers_parse_block(struct llmr_headers *h, const char *text, long *status)
{
	const char *p = text, *nl;

	if (!text)
		return;
	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		parse_line(h, p, (size_t)(nl - p), status);
		p = *nl ? nl + 1 : nl;
	}
}
