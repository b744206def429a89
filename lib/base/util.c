#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int llmr_errf(struct llmr_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int buf_grow(struct llmr_buf *b, size_t extra)
{
	size_t want, ncap;
	char *p;

	if (b->max && b->len + extra > b->max)
		return -1;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < want)
		ncap *= 2;
	p = realloc(b->s, ncap);
	if (!p)
		return -1;
	b->s = p;
	b->cap = ncap;
	return 0;
}

int llmr_buf_add(struct llmr_buf *b, const void *p, size_t n)
{
	if (buf_grow(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

int llmr_buf_adds(struct llmr_buf *b, const char *s)
{
	return llmr_buf_add(b, s, strlen(s));
}

int llmr_buf_addf(struct llmr_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_grow(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void llmr_buf_reset(struct llmr_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void llmr_buf_release(struct llmr_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

char *llmr_buf_detach(struct llmr_buf *b)
{
	char *s = b->s ? b->s : llmr_xstrdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void *llmr_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

void *llmr_xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (!p)
		abort();
	return p;
}

void *llmr_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *llmr_xstrdup(const char *s)
{
	return llmr_xstrndup(s, strlen(s));
}

char *llmr_xstrndup(const char *s, size_t n)
{
	char *p = llmr_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int64_t llmr_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t llmr_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int unit_ms(const char **p, double *mult)
{
	const char *s = *p;

	if (s[0] == 'm' && s[1] == 's') {
		*mult = 1;
		*p += 2;
	} else if (s[0] == 'u' && s[1] == 's') {
		*mult = 0.001;
		*p += 2;
	} else if (s[0] == 'n' && s[1] == 's') {
		*mult = 0.000001;
		*p += 2;
	} else if (*s == 's') {
		*mult = 1000;
		*p += 1;
	} else if (*s == 'm') {
		*mult = 60000;
		*p += 1;
	} else if (*s == 'h') {
		*mult = 3600000;
		*p += 1;
	} else if (*s == 'd') {
		*mult = 86400000;
		*p += 1;
	} else {
		return -1;
	}
	return 0;
}

/* A plain decimal "12", "1.5", ".25": no sign, exponent, hex, inf or nan,
 * which strtod would take ("1e300s" from a header is not a duration).
 * Digits past the 18th are read as zeros: far beyond any real duration. */
static int plain_decimal(const char **p, double *v)
{
	const char *s = *p;
	double x = 0, scale = 1;
	int ndig = 0;

	for (; *s >= '0' && *s <= '9'; s++, ndig++)
		x = x * 10 + (ndig < 18 ? *s - '0' : 0);
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, ndig++)
			if ((scale /= 10) > 1e-18)
				x += (*s - '0') * scale;
	}
	if (!ndig)
		return -1;
	*p = s;
	*v = x;
	return 0;
}

int llmr_parse_duration_ms(const char *s, int64_t *ms)
{
	double total = 0, v, mult;
	int parts = 0;

	if (!s || !*s)
		return -1;
	while (*s) {
		if (plain_decimal(&s, &v) < 0)
			return -1;
		if (!*s) {
			/* A bare number is seconds, but only on its own. */
			if (parts)
				return -1;
			mult = 1000;
		} else if (unit_ms(&s, &mult) < 0) {
			return -1;
		}
		total += v * mult;
		if (total > 9.2e15)
			return -1;
		parts++;
	}
	*ms = (int64_t)(total + 0.5);
	return 0;
}

void llmr_sleep_ms(int64_t ms)
{
	struct timespec ts, rem;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &rem) < 0 && errno == EINTR)
		ts = rem;
}

void llmr_sanitize_for_tty(struct llmr_buf *b, const char *s, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
			llmr_buf_add(b, s + start, i - start);
			llmr_buf_add(b, "?", 1);
			start = i + 1;
		}
	}
	llmr_buf_add(b, s + start, n - start);
}

size_t llmr_edit_distance(const char *a, const char *b, size_t max)
{
	size_t la = strlen(a), lb = strlen(b), i, j, *row, prev, tmp, best, rowmin;

	/* The distance is at least the difference in length; and words past
	 * LLMR_EDIT_MAX_LEN are never typos worth a suggestion, so a 200 kB
	 * key costs nothing instead of seconds. */
	if ((la > lb ? la - lb : lb - la) > max || la > LLMR_EDIT_MAX_LEN || lb > LLMR_EDIT_MAX_LEN)
		return max + 1;
	row = llmr_xcalloc(lb + 1, sizeof(*row));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = rowmin = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			if (best < rowmin)
				rowmin = best;
			prev = tmp;
		}
		/* Rows never decrease their minimum: stop once past max. */
		if (rowmin > max) {
			free(row);
			return max + 1;
		}
	}
	best = row[lb] > max ? max + 1 : row[lb];
	free(row);
	return best;
}

int llmr_read_file(const char *path, struct llmr_buf *b)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (llmr_buf_add(b, chunk, (size_t)n) < 0) {
			errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	if (!b->s)
		llmr_buf_add(b, "", 0);
	return 0;
fail:
	{
		int saved = errno;

		close(fd);
		errno = saved;
	}
	return -1;
}

int llmr_read_line(FILE *f, struct llmr_buf *line, size_t max)
{
	char chunk[8192];
	int too_long = 0;

	llmr_buf_reset(line);
	while (fgets(chunk, sizeof(chunk), f)) {
		size_t n = strlen(chunk);

		if (!too_long && line->len + n > max)
			too_long = 1;
		if (!too_long)
			llmr_buf_add(line, chunk, n);
		if (n && chunk[n - 1] == '\n')
			break;
	}
	if (too_long || ferror(f))
		return -1;
	return line->len ? 1 : 0;
}

void llmr_new_request_id(char out[40])
{
	static unsigned counter;
	unsigned rnd = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd))
			rnd = 0;
		close(fd);
	}
	rnd ^= (unsigned)getpid() * 2654435761u ^ counter++;
	snprintf(out, 40, "r-%llx-%08x", (unsigned long long)llmr_now_ms(), rnd);
}

/* Letters two words share, counted with repetition. */
static size_t common_letters(const char *a, const char *b)
{
	size_t count[256] = {0}, n = 0;

	for (; *a; a++)
		count[(unsigned char)*a]++;
	for (; *b; b++)
		if (count[(unsigned char)*b]) {
			count[(unsigned char)*b]--;
			n++;
		}
	return n;
}

/* The most edit-distance cells one suggestion may cost (a few ms): past
 * it the best so far is taken. */
#define NEAREST_BUDGET ((size_t)1 << 20)

const char *llmr_nearest(const char *word, const char *const *cand, size_t n)
{
	size_t i, best = (size_t)-1, best_common = 0, d, common, wlen = strlen(word), spent = 0;
	size_t limit = wlen / 3;
	const char *near = NULL;

	/* Short words get two edits ("rmp" -> "rpm"); longer ones a third of
	 * their length, so "gpt-5" still finds "gpt-4o" but "foo" finds nothing. */
	if (limit < 2)
		limit = 2;
	if (wlen > LLMR_EDIT_MAX_LEN)
		return NULL;
	for (i = 0; i < n && spent < NEAREST_BUDGET; i++) {
		size_t clen = strlen(cand[i]);

		spent += (wlen + 1) * (clen < LLMR_EDIT_MAX_LEN ? clen + 1 : 1);
		d = llmr_edit_distance(word, cand[i], limit);
		if (d > limit)
			continue;
		common = common_letters(word, cand[i]);
		/* Levenshtein counts a swap as two edits, so "rmp" is as far from
		 * "rps" as from "rpm": on a tie, prefer the one with more letters
		 * in common, which is what a typo keeps. */
		if (d < best || (d == best && common > best_common)) {
			best = d;
			best_common = common;
			near = cand[i];
		}
	}
	return best <= limit && best > 0 ? near : NULL;
}
