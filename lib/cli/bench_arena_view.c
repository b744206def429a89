/*
 * bench_arena_view.c - the arena's answers on the terminal: side by side
 * when the terminal is wide enough for each to get a readable column,
 * else one above the other.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/bench_arena.h"

/* The narrowest column an answer is shown in side by side. */
#define MIN_COL 36
#define GAP " | "

size_t llmr_arena_width(int fd)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (c && atoi(c) > 0)
		return (size_t)atoi(c);
	return 80;
}

/* Code points, not bytes: continuation bytes take no column. */
static size_t cols(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* Bytes of s that fill at most w columns, cut after a space when one is
 * in the second half; a line break ends it too. */
static size_t cut(const char *s, size_t w, size_t *skip)
{
	size_t i = 0, c = 0, sp = 0;

	*skip = 0;
	while (s[i] && s[i] != '\n' && c < w) {
		if (s[i] == ' ')
			sp = i;
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		c++;
	}
	if (s[i] == '\n') {
		*skip = 1;
		return i;
	}
	if (s[i] && sp > i / 2) {
		*skip = 1;
		return sp;
	}
	return i;
}

/* The lines of text wrapped to w columns: a new array of new strings. */
static char **wrap(const char *text, size_t w, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	while (*text) {
		size_t skip, len = cut(text, w, &skip);

		if (*n == cap)
			v = llmr_xrealloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));
		v[(*n)++] = llmr_xstrndup(text, len);
		text += len + skip;
	}
	return v;
}

static void side_by_side(FILE *out, const char *const *labels, char **texts, size_t n, size_t w)
{
	char **lines[LLMR_ARENA_MAX];
	size_t nl[LLMR_ARENA_MAX], rows = 0;

	for (size_t k = 0; k < n; k++) {
		char head[32];

		snprintf(head, sizeof(head), "=== Answer %s ===", labels[k]);
		fprintf(out, "%s%-*s", k ? GAP : "", (int)(k + 1 < n ? w : 0), head);
		lines[k] = wrap(texts[k], w, &nl[k]);
		rows = nl[k] > rows ? nl[k] : rows;
	}
	fputc('\n', out);
	for (size_t r = 0; r < rows; r++) {
		for (size_t k = 0; k < n; k++) {
			const char *l = r < nl[k] ? lines[k][r] : "";

			fprintf(out, "%s%s", k ? GAP : "", l);
			if (k + 1 < n)
				for (size_t pad = cols(l, strlen(l)); pad < w; pad++)
					fputc(' ', out);
		}
		fputc('\n', out);
	}
	for (size_t k = 0; k < n; k++) {
		for (size_t r = 0; r < nl[k]; r++)
			free(lines[k][r]);
		free(lines[k]);
	}
}

void llmr_arena_show(FILE *out, const char *const *labels, const char *const *texts, size_t n,
		     size_t width)
{
	char *clean[LLMR_ARENA_MAX];
	int wide;

	if (n > LLMR_ARENA_MAX)
		n = LLMR_ARENA_MAX;
	wide = n > 1 && width >= n * MIN_COL + (n - 1) * strlen(GAP);
	for (size_t k = 0; k < n; k++) {
		struct llmr_buf b = LLMR_BUF_INIT;

		llmr_sanitize_for_tty(&b, texts[k] ? texts[k] : "", texts[k] ? strlen(texts[k]) : 0);
		clean[k] = llmr_buf_detach(&b);
		for (char *t = clean[k]; (t = strchr(t, '\t')); )
			*t = ' ';
	}
	if (wide)
		side_by_side(out, labels, clean, n, (width - (n - 1) * strlen(GAP)) / n);
	else
		for (size_t k = 0; k < n; k++)
			fprintf(out, "%s=== Answer %s ===\n%s\n", k ? "\n" : "", labels[k], clean[k]);
	for (size_t k = 0; k < n; k++)
		free(clean[k]);
}
