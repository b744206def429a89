#include "index/embed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ASCII spellings of U+00C0..U+00FF; NULL marks a symbol (a separator). */
static const char *const latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
};

static void sep(struct llmr_buf *out)
{
	if (out->len && out->s[out->len - 1] != ' ')
		llmr_buf_add(out, " ", 1);
}

void llmr_embed_fold(const char *text, size_t n, struct llmr_buf *out)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];

		if (c < 0x80) {
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
				char ch = (char)c;

				llmr_buf_add(out, &ch, 1);
			} else if (c >= 'A' && c <= 'Z') {
				char ch = (char)(c + 32);

				llmr_buf_add(out, &ch, 1);
			} else {
				sep(out);
			}
			i++;
		} else if (c == 0xc3 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0xbf) {
			const char *r = latin1[s[i + 1] - 0x80];

			if (r)
				llmr_buf_adds(out, r);
			else
				sep(out);
			i += 2;
		} else if (c == 0xc5 && i + 1 < n && (s[i + 1] == 0x92 || s[i + 1] == 0x93)) {
			llmr_buf_adds(out, "oe"); /* the French ligature */
			i += 2;
		} else if (c == 0xc2 || (c == 0xe2 && i + 1 < n && (s[i + 1] == 0x80 || s[i + 1] == 0x81))) {
			/* Latin-1 symbols, general punctuation (quotes, dashes). */
			sep(out);
			i += c == 0xc2 ? 2 : 3;
		} else {
			/* Another script: keep the character as word material. */
			size_t l = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

			if (i + l > n)
				l = n - i;
			llmr_buf_add(out, s + i, l);
			i += l;
		}
	}
}

static const char *const stopwords[] = {
	"a", "au", "aux", "avec", "ce", "ces", "cet", "cette", "d", "dans", "de", "des", "du",
	"elle", "en", "est", "et", "il", "ils", "j", "je", "l", "la", "le", "les", "leur", "lui",
	"m", "ma", "mais", "me", "mes", "n", "ne", "nos", "notre", "nous", "on", "ou", "par",
	"pas", "pour", "qu", "que", "qui", "s", "sa", "se", "ses", "son", "sont", "sur", "t",
	"ta", "te", "un", "une", "vos", "votre", "vous", "y",
	"an", "and", "are", "as", "at", "be", "by", "do", "does", "for", "from", "how", "i",
	"in", "is", "it", "its", "of", "on", "or", "the", "this", "that", "to", "was", "what",
	"when", "where", "which", "who", "with", "can", "should", NULL};

int llmr_embed_is_local(const char *spec)
{
	return !spec || !*spec || !strcmp(spec, "local") || !strcmp(spec, "local-cooc");
}

int llmr_embed_stopword(const char *w, size_t n)
{
	int i;

	if (n == 1)
		return 1;
	for (i = 0; stopwords[i]; i++)
		if (stopwords[i][0] == w[0] && !strncmp(stopwords[i], w, n) && !stopwords[i][n])
			return 1;
	return 0;
}

static uint64_t fnv(uint64_t seed, const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	/* Final mix so that the low bits (the bucket) depend on every byte. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static void add_feature(float *v, uint64_t h, float w)
{
	v[h % LLMR_EMBED_LOCAL_DIM] += (h >> 63) ? -w : w;
}

#define W_WORD 1.0f
#define W_BIGRAM 0.6f
#define W_TRIGRAM 0.3f

void llmr_embed_local(const char *text, size_t n, float *out)
{
	struct llmr_buf f = LLMR_BUF_INIT;

	llmr_embed_fold(text, n, &f);
	llmr_embed_local_folded(f.s ? f.s : "", f.len, out);
	llmr_buf_release(&f);
}

void llmr_embed_local_folded(const char *folded, size_t n, float *out)
{
	const char *p = folded, *end = folded + n, *prev = NULL;
	size_t prevlen = 0, i;
	double norm = 0;

	memset(out, 0, LLMR_EMBED_LOCAL_DIM * sizeof(*out));
	while (p < end) {
		const char *w = p;
		size_t wl;
		char pad[64];

		while (p < end && *p != ' ')
			p++;
		wl = (size_t)(p - w);
		while (p < end && *p == ' ')
			p++;
		if (!wl || llmr_embed_stopword(w, wl))
			continue;
		add_feature(out, fnv(1, w, wl), W_WORD);
		if (prev) {
			char bg[128];
			size_t bl = prevlen + 1 + wl;

			if (bl < sizeof(bg)) {
				memcpy(bg, prev, prevlen);
				bg[prevlen] = ' ';
				memcpy(bg + prevlen + 1, w, wl);
				add_feature(out, fnv(2, bg, bl), W_BIGRAM);
			}
		}
		prev = w;
		prevlen = wl;
		/* Trigrams of " word ": shared stems match across inflections. */
		if (wl + 2 <= sizeof(pad) && wl >= 3) {
			pad[0] = ' ';
			memcpy(pad + 1, w, wl);
			pad[wl + 1] = ' ';
			for (i = 0; i + 3 <= wl + 2; i++)
				add_feature(out, fnv(3, pad + i, 3), W_TRIGRAM);
		}
	}
	for (i = 0; i < LLMR_EMBED_LOCAL_DIM; i++)
		norm += (double)out[i] * out[i];
	if (norm > 0) {
		float inv = (float)(1.0 / sqrt(norm));

		for (i = 0; i < LLMR_EMBED_LOCAL_DIM; i++)
			out[i] *= inv;
	}
}

/*
 * Random hyperplanes for the sketch, very sparse (Li, Hastie and Church):
 * each input dimension feeds 16 of the 256 outputs with a random sign,
 * which keeps angles about as well as a dense +-1 matrix at a sixteenth of
 * the work. Rows are made on demand up to the largest dimension seen.
 */
#define PLANE_FANOUT 16

static uint8_t (*plane_out)[PLANE_FANOUT];
static uint16_t *plane_neg;
static size_t planes_dim;

static void plane_rows(size_t dim)
{
	size_t i, k;

	if (dim <= planes_dim)
		return;
	plane_out = llmr_xrealloc(plane_out, dim * sizeof(*plane_out));
	plane_neg = llmr_xrealloc(plane_neg, dim * sizeof(*plane_neg));
	for (i = planes_dim; i < dim; i++) {
		uint64_t x = 0x9e3779b97f4a7c15ULL * (i + 1);

		plane_neg[i] = 0;
		for (k = 0; k < PLANE_FANOUT; k++) {
			x ^= x >> 31;
			x *= 0xbf58476d1ce4e5b9ULL;
			x ^= x >> 29;
			x += 0x94d049bb133111ebULL;
			plane_out[i][k] = (uint8_t)(x % LLMR_SKETCH_BITS);
			if ((x >> 40) & 1)
				plane_neg[i] |= (uint16_t)(1u << k);
		}
	}
	planes_dim = dim;
}

void llmr_embed_project(const float *v, size_t dim, float out[LLMR_SKETCH_BITS])
{
	size_t i, k;

	plane_rows(dim);
	for (k = 0; k < LLMR_SKETCH_BITS; k++)
		out[k] = 0;
	for (i = 0; i < dim; i++) {
		float x = v[i];

		if (x == 0)
			continue;
		for (k = 0; k < PLANE_FANOUT; k++)
			out[plane_out[i][k]] += (plane_neg[i] >> k) & 1 ? -x : x;
	}
}

void llmr_embed_sketch(const float *v, size_t dim, uint64_t out[LLMR_SKETCH_WORDS])
{
	float acc[LLMR_SKETCH_BITS];
	size_t j;

	llmr_embed_project(v, dim, acc);
	for (j = 0; j < LLMR_SKETCH_WORDS; j++)
		out[j] = 0;
	for (j = 0; j < LLMR_SKETCH_BITS; j++)
		if (acc[j] > 0)
			out[j / 64] |= 1ULL << (j % 64);
}

float llmr_embed_cosine(const float *a, const float *b, size_t dim)
{
	/* Eight independent float lanes let the compiler vectorise the loop
	 * (one running double sum cannot be reordered); they are summed in
	 * double at the end. This is the inner loop of every exact re-rank. */
	float d[8] = {0}, na[8] = {0}, nb[8] = {0};
	double sd = 0, sa = 0, sb = 0;
	size_t i = 0, j;

	for (; i + 8 <= dim; i += 8)
		for (j = 0; j < 8; j++) {
			d[j] += a[i + j] * b[i + j];
			na[j] += a[i + j] * a[i + j];
			nb[j] += b[i + j] * b[i + j];
		}
	for (j = 0; j < 8; j++) {
		sd += d[j];
		sa += na[j];
		sb += nb[j];
	}
	for (; i < dim; i++) {
		sd += (double)a[i] * b[i];
		sa += (double)a[i] * a[i];
		sb += (double)b[i] * b[i];
	}
	if (sa == 0 || sb == 0)
		return 0;
	return (float)(sd / sqrt(sa * sb));
}

void *llmr_embed_quantize(const float *v, size_t dim, size_t *len)
{
	unsigned char *blob = llmr_xmalloc(4 + dim);
	float maxabs = 0, scale;
	size_t i;

	for (i = 0; i < dim; i++)
		if (fabsf(v[i]) > maxabs)
			maxabs = fabsf(v[i]);
	scale = maxabs > 0 ? maxabs / 127.0f : 1.0f;
	memcpy(blob, &scale, 4);
	for (i = 0; i < dim; i++)
		blob[4 + i] = (unsigned char)(signed char)lrintf(v[i] / scale);
	*len = 4 + dim;
	return blob;
}

int llmr_embed_dequantize(const void *blob, size_t len, float *out, size_t dim)
{
	const unsigned char *b = blob;
	float scale;
	size_t i;

	if (len != 4 + dim)
		return -1;
	memcpy(&scale, b, 4);
	for (i = 0; i < dim; i++)
		out[i] = (float)(signed char)b[4 + i] * scale;
	return 0;
}
