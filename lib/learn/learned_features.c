#include "learn/learned_features.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define D (LLMR_LF_N + 1)
#define FIT_STEPS 30
#define MAX_DISTINCT 64

enum { F_WORDS, F_NUMBERS, F_DISTINCT, F_PERCENT, F_FRACTIONS, F_DECIMALS, F_SENTENCES,
       F_BIGNUM, F_DOLLAR, F_QUANTITY, F_CONDITION, F_NEGATION, F_QUESTION, F_LINES,
       F_CAPITALS, F_LARGEST, F_WORDLEN };
_Static_assert(F_WORDLEN + 1 == LLMR_LF_N, "one feature per slot");

/* Words that count, with the feature each feeds, by first letter. */
struct lexeme {
	const char *w;
	int f;
};

#define LEXICON_MAX 6 /* words under one letter, at most */
static const struct lexeme lexicon[26][LEXICON_MAX] = {
	['a' - 'a'] = {{"average", F_QUANTITY}, {"after", F_CONDITION}},
	['b' - 'a'] = {{"before", F_CONDITION}, {"but", F_CONDITION}},
	['d' - 'a'] = {{"double", F_QUANTITY}},
	['e' - 'a'] = {{"each", F_QUANTITY}, {"every", F_QUANTITY}, {"except", F_NEGATION}},
	['f' - 'a'] = {{"fewer", F_QUANTITY}},
	['h' - 'a'] = {{"half", F_QUANTITY}, {"however", F_CONDITION}},
	['i' - 'a'] = {{"if", F_CONDITION}},
	['l' - 'a'] = {{"less", F_QUANTITY}},
	['m' - 'a'] = {{"more", F_QUANTITY}},
	['n' - 'a'] = {{"not", F_NEGATION}, {"no", F_NEGATION}, {"never", F_NEGATION}},
	['o' - 'a'] = {{"only", F_NEGATION}},
	['p' - 'a'] = {{"percent", F_QUANTITY}, {"per", F_QUANTITY}},
	['q' - 'a'] = {{"quarter", F_QUANTITY}},
	['r' - 'a'] = {{"remaining", F_QUANTITY}, {"rest", F_QUANTITY}, {"ratio", F_QUANTITY}},
	['t' - 'a'] = {{"twice", F_QUANTITY}, {"third", F_QUANTITY}, {"triple", F_QUANTITY},
		       {"times", F_QUANTITY}, {"total", F_QUANTITY}, {"then", F_CONDITION}},
	['u' - 'a'] = {{"until", F_CONDITION}},
	['w' - 'a'] = {{"while", F_CONDITION}},
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The bytes of white space at s[i]: ASCII, or UTF-8's no-break space,
 * which pasted text often has after a full stop. */
static size_t space_at(const char *s, size_t len, size_t i)
{
	char c = s[i];

	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
		return 1;
	return (unsigned char)c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0xa0 ? 2 : 0;
}

/* The letters s[0..n), lower-cased, against the lexicon. */
static void count_word(const char *s, size_t n, double *c)
{
	const struct lexeme *x;
	char w[10];

	if (n < 2 || n >= sizeof(w))
		return;
	for (size_t i = 0; i < n; i++)
		w[i] = (char)(s[i] | 0x20);
	w[n] = 0;
	if (w[0] < 'a' || w[0] > 'z')
		return;
	x = lexicon[w[0] - 'a'];
	for (int k = 0; k < LEXICON_MAX && x[k].w; k++)
		if (strcmp(x[k].w, w) == 0) {
			c[x[k].f]++;
			return;
		}
}

/* A number at s[*i] (a digit): digits with inner '.' or ',' groups. */
static void count_number(const char *s, size_t len, size_t *i, double *c, uint64_t *seen,
			 size_t *nseen)
{
	uint64_t h = 1469598103934665603ULL;
	size_t digits = 0, j = *i, k;
	double v = 0, scale = 0; /* its value; scale: past the point */

	while (j < len && (is_digit(s[j]) ||
			   ((s[j] == '.' || s[j] == ',') && j + 1 < len && is_digit(s[j + 1])))) {
		if (is_digit(s[j])) {
			digits++;
			if (scale > 0)
				v += (s[j] - '0') * (scale /= 10);
			else
				v = v * 10 + (s[j] - '0');
		} else if (s[j] == '.') {
			c[F_DECIMALS]++;
			scale = 1;
		}
		h = (h ^ (unsigned char)s[j]) * 1099511628211ULL;
		j++;
	}
	c[F_NUMBERS]++;
	c[F_BIGNUM] += digits >= 4;
	/* A run of a thousand digits is a big number, not an infinite one. */
	v = v < 1e15 ? v : 1e15;
	c[F_LARGEST] = v > c[F_LARGEST] ? v : c[F_LARGEST];
	for (k = 0; k < *nseen && seen[k] != h; k++)
		;
	if (k == *nseen && *nseen < MAX_DISTINCT)
		seen[(*nseen)++] = h;
	*i = j;
}

/* A word of the text: a run without white space, of n bytes. */
static void token(double *c, double *chars, int *gap, size_t n)
{
	c[F_WORDS] += *gap;
	*chars += (double)n;
	*gap = 0;
}

void llmr_lf_extract(const char *s, size_t len, double *f)
{
	double c[LLMR_LF_N] = {0}, chars = 0;
	uint64_t seen[MAX_DISTINCT];
	size_t nseen = 0, i = 0, j, sp;
	int gap = 1; /* after white space: the next byte starts a word */

	while (i < len) {
		char ch = s[i];

		if (is_digit(ch)) {
			j = i;
			count_number(s, len, &i, c, seen, &nseen);
			token(c, &chars, &gap, i - j);
			continue;
		}
		if (is_alpha(ch)) {
			for (j = i; j < len && is_alpha(s[j]);)
				j++;
			c[F_CAPITALS] += ch >= 'A' && ch <= 'Z' && j > i + 1 && s[i + 1] >= 'a' &&
					 s[i + 1] <= 'z';
			count_word(s + i, j - i, c);
			token(c, &chars, &gap, j - i);
			i = j;
			continue;
		}
		c[F_LINES] += ch == '\n';
		if ((sp = space_at(s, len, i))) {
			gap = 1;
			i += sp;
			continue;
		}
		token(c, &chars, &gap, 1);
		c[F_PERCENT] += ch == '%';
		c[F_DOLLAR] += ch == '$';
		c[F_QUESTION] += ch == '?';
		/* (A decimal point is inside a number, counted there.) */
		if (ch == '/' && i > 0 && i + 1 < len && is_digit(s[i - 1]) && is_digit(s[i + 1]))
			c[F_FRACTIONS]++;
		if ((ch == '.' || ch == '!' || ch == '?') && (i + 1 == len || space_at(s, len, i + 1)))
			c[F_SENTENCES]++;
		i++;
	}
	c[F_DISTINCT] = (double)nseen;
	for (int k = 0; k < LLMR_LF_N; k++)
		f[k] = log1p(c[k]);
	f[F_WORDLEN] = c[F_WORDS] > 0 ? chars / c[F_WORDS] : 0;
}

/* Solve a x = b (a: D x D, overwritten) by elimination with partial
 * pivoting into b. Returns -1 when a is singular. */
static int solve(double a[D][D], double *b)
{
	for (int col = 0; col < D; col++) {
		int piv = col;

		for (int r = col + 1; r < D; r++)
			if (fabs(a[r][col]) > fabs(a[piv][col]))
				piv = r;
		if (fabs(a[piv][col]) < 1e-12)
			return -1;
		if (piv != col) {
			double t;

			for (int k = 0; k < D; k++) {
				t = a[col][k];
				a[col][k] = a[piv][k];
				a[piv][k] = t;
			}
			t = b[col];
			b[col] = b[piv];
			b[piv] = t;
		}
		for (int r = col + 1; r < D; r++) {
			double q = a[r][col] / a[col][col];

			for (int k = col; k < D; k++)
				a[r][k] -= q * a[col][k];
			b[r] -= q * b[col];
		}
	}
	for (int r = D - 1; r >= 0; r--) {
		for (int k = r + 1; k < D; k++)
			b[r] -= a[r][k] * b[k];
		b[r] /= a[r][r];
	}
	return 0;
}

/* The standardised row z (z[0] = 1 for the intercept). */
static void standardise(const struct llmr_lf_model *m, const double *f, double *z)
{
	z[0] = 1;
	for (int k = 0; k < LLMR_LF_N; k++)
		z[k + 1] = (f[k] - m->mu[k]) / m->sd[k];
}

static double linear(const struct llmr_lf_model *m, const double *z)
{
	double t = 0;

	for (int k = 0; k < D; k++)
		t += m->w[k] * z[k];
	return t;
}

/* One Newton step; returns the largest change of a weight (-1: singular). */
static double newton_step(struct llmr_lf_model *m, const double *x, const float *y, size_t n,
			  double lambda)
{
	double h[D][D] = {{0}}, g[D] = {0}, z[D], step = 0;

	for (size_t i = 0; i < n; i++) {
		double p, v;

		standardise(m, x + i * LLMR_LF_N, z);
		p = 1 / (1 + exp(-linear(m, z)));
		v = p * (1 - p);
		for (int a = 0; a < D; a++) {
			g[a] += z[a] * ((double)y[i] - p);
			for (int b = 0; b <= a; b++)
				h[a][b] += v * z[a] * z[b];
		}
	}
	for (int a = 0; a < D; a++) {
		for (int b = a + 1; b < D; b++)
			h[a][b] = h[b][a];
		h[a][a] += a ? lambda : 1e-9;
		if (a)
			g[a] -= lambda * m->w[a];
	}
	if (solve(h, g) < 0)
		return -1;
	for (int a = 0; a < D; a++) {
		m->w[a] += g[a];
		step = fmax(step, fabs(g[a]));
	}
	return step;
}

void llmr_lf_fit(struct llmr_lf_model *m, const double *x, const float *y, size_t n, double lambda)
{
	double lo = 1, hi = 0, mean = 0;

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < n; i++) {
		lo = fmin(lo, y[i]);
		hi = fmax(hi, y[i]);
		mean += y[i] / (double)n;
	}
	if (n < 2 || hi - lo < 1e-9)
		return;
	for (int k = 0; k < LLMR_LF_N; k++) {
		double s = 0, ss = 0;

		for (size_t i = 0; i < n; i++)
			s += x[i * LLMR_LF_N + k];
		m->mu[k] = s / (double)n;
		for (size_t i = 0; i < n; i++)
			ss += (x[i * LLMR_LF_N + k] - m->mu[k]) * (x[i * LLMR_LF_N + k] - m->mu[k]);
		m->sd[k] = sqrt(ss / (double)n);
		if (m->sd[k] < 1e-9)
			m->sd[k] = 1; /* a constant feature: its z is 0 */
	}
	/* Start from the base rate: the intercept alone. */
	m->w[0] = log(mean / (1 - mean));
	for (int it = 0; it < FIT_STEPS; it++) {
		double step = newton_step(m, x, y, n, lambda);

		if (step < 0 || !isfinite(step)) {
			memset(m, 0, sizeof(*m));
			return;
		}
		if (step < 1e-7)
			break;
	}
	m->fitted = 1;
}

double llmr_lf_prob(const struct llmr_lf_model *m, const double *f)
{
	double z[D];

	if (!m->fitted)
		return NAN;
	standardise(m, f, z);
	return 1 / (1 + exp(-linear(m, z)));
}

/* A hash of i that scatters neighbours (splitmix64's finaliser). */
static uint64_t scatter(uint64_t i)
{
	i = (i ^ (i >> 30)) * 0xbf58476d1ce4e5b9ULL;
	i = (i ^ (i >> 27)) * 0x94d049bb133111ebULL;
	return i ^ (i >> 31);
}

void llmr_lf_fit_prompts(struct llmr_lf_model *m, const char *const *prompt, const size_t *rows,
			 const float *gain, size_t n)
{
	size_t keep = (n + LLMR_LF_FIT_MAX - 1) / LLMR_LF_FIT_MAX, used = 0;
	double *x = llmr_xmalloc((n + 1) * LLMR_LF_N * sizeof(*x));
	float *y = llmr_xmalloc((n + 1) * sizeof(*y));

	/* One prompt in keep, picked by a hash of its place rather than a
	 * stride, which a periodic order of the labels would fool. */
	for (size_t i = 0; i < n; i++) {
		const char *t = prompt[rows ? rows[i] : i];

		if (keep > 1 && scatter(i) % keep)
			continue;
		llmr_lf_extract(t, strlen(t), x + used * LLMR_LF_N);
		y[used++] = gain[i];
	}
	llmr_lf_fit(m, x, y, used, LLMR_LF_LAMBDA);
	free(x);
	free(y);
}

double llmr_lf_score(const struct llmr_lf_model *m, const char *text, size_t len)
{
	double f[LLMR_LF_N];

	if (!m->fitted)
		return NAN;
	llmr_lf_extract(text, len, f);
	return llmr_lf_prob(m, f);
}

static double logit(double p)
{
	p = p < 1e-4 ? 1e-4 : p > 1 - 1e-4 ? 1 - 1e-4 : p;
	return log(p / (1 - p));
}

double llmr_lf_blend(double s, double f, double b, double weight)
{
	return 1 / (1 + exp(-(logit(s) + weight * (logit(f) - logit(b)))));
}
