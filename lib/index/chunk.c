#include "index/chunk.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define MAXLEVEL 6

struct chunker {
	struct llmr_chunks *out;
	size_t budget, overlap;    /* bytes */
	char *path[MAXLEVEL];      /* heading text per level, NULL if none */
	struct llmr_buf cur;       /* chunk being filled */
	size_t cur_pos;
	int cur_new;               /* holds text beyond the overlap */
	char *tail;                /* overlap carried to the next chunk */
};

static char *heading_path(const struct chunker *c)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	int i;

	for (i = 0; i < MAXLEVEL; i++) {
		if (!c->path[i])
			continue;
		if (b.len)
			llmr_buf_adds(&b, " > ");
		llmr_buf_adds(&b, c->path[i]);
	}
	return llmr_buf_detach(&b);
}

/* The last `overlap` bytes of s, starting at a word. */
static char *tail_of(const char *s, size_t n, size_t overlap)
{
	size_t start;

	if (!overlap || !n)
		return NULL;
	if (n <= overlap)
		return llmr_xstrndup(s, n);
	start = n - overlap;
	while (start < n && s[start] != ' ' && s[start] != '\n')
		start++;
	while (start < n && (s[start] == ' ' || s[start] == '\n'))
		start++;
	return start < n ? llmr_xstrndup(s + start, n - start) : NULL;
}

static void emit(struct chunker *c)
{
	struct llmr_chunk *k;

	if (!c->cur_new) {
		llmr_buf_reset(&c->cur);
		return;
	}
	if (c->out->n == c->out->cap) {
		c->out->cap = c->out->cap ? c->out->cap * 2 : 16;
		c->out->v = llmr_xrealloc(c->out->v, c->out->cap * sizeof(*c->out->v));
	}
	k = &c->out->v[c->out->n++];
	k->text = llmr_xstrndup(c->cur.s, c->cur.len);
	k->heading = heading_path(c);
	k->pos = c->cur_pos;
	free(c->tail);
	c->tail = tail_of(c->cur.s, c->cur.len, c->overlap);
	llmr_buf_reset(&c->cur);
	c->cur_new = 0;
}

/* Start a chunk with the carried overlap, leaving room for need bytes. */
static void start(struct chunker *c, size_t pos, size_t need)
{
	llmr_buf_reset(&c->cur);
	c->cur_pos = pos;
	if (c->tail && need < c->budget) {
		size_t room = c->budget - need, tl = strlen(c->tail);
		const char *t = c->tail;

		if (tl + 1 > room) {
			t += tl - (room > 1 ? room - 1 : 0);
			while (*t && *t != ' ')
				t++;
			while (*t == ' ')
				t++;
		}
		if (*t) {
			llmr_buf_adds(&c->cur, t);
			llmr_buf_add(&c->cur, " ", 1);
		}
	}
}

static void append(struct chunker *c, const char *s, size_t n, size_t pos)
{
	if (!c->cur.len)
		c->cur_pos = pos;
	else if (c->cur_new)
		llmr_buf_add(&c->cur, "\n\n", 2);
	llmr_buf_add(&c->cur, s, n);
	c->cur_new = 1;
}

/* Where to cut s[0..n) so that the piece fits in max bytes. */
static size_t cut_at(const char *s, size_t n, size_t max)
{
	size_t i, space = 0, sentence = 0;

	if (n <= max)
		return n;
	for (i = max / 2; i < max; i++) {
		if (s[i] == ' ' || s[i] == '\n') {
			space = i;
			if (i > 0 && (s[i - 1] == '.' || s[i - 1] == '!' || s[i - 1] == '?'))
				sentence = i;
		}
	}
	if (sentence)
		return sentence;
	if (space)
		return space;
	/* One huge word: cut on a UTF-8 character boundary. */
	i = max;
	while (i > 1 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	return i;
}

static void add_para(struct chunker *c, const char *s, size_t n, size_t pos)
{
	size_t off = 0, piece;

	if (!n)
		return;
	if (c->cur.len + 2 + n <= c->budget) {
		append(c, s, n, pos);
		return;
	}
	emit(c);
	while (off < n) {
		size_t room;

		while (off < n && (s[off] == ' ' || s[off] == '\n'))
			off++;
		if (off >= n)
			break;
		start(c, pos + off, n - off);
		room = c->budget > c->cur.len ? c->budget - c->cur.len : 1;
		if (room < c->budget / 2)
			room = c->budget / 2;
		piece = cut_at(s + off, n - off, room);
		if (!piece)
			piece = 1;
		llmr_buf_add(&c->cur, s + off, piece);
		c->cur_new = 1;
		off += piece;
		if (off < n)
			emit(c);
	}
}

static void set_heading(struct chunker *c, int level, const char *s, size_t n)
{
	int i;

	emit(c);
	free(c->tail);
	c->tail = NULL; /* no overlap across a section boundary */
	for (i = level - 1; i < MAXLEVEL; i++) {
		free(c->path[i]);
		c->path[i] = NULL;
	}
	while (n && (s[n - 1] == '#' || s[n - 1] == ' '))
		n--;
	c->path[level - 1] = llmr_xstrndup(s, n);
}

static int heading_line(const char *s, size_t n, int *level, size_t *skip)
{
	size_t i = 0;

	while (i < n && i < 7 && s[i] == '#')
		i++;
	if (i == 0 || i > MAXLEVEL || (i < n && s[i] != ' ' && s[i] != '\t'))
		return 0;
	*level = (int)i;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	*skip = i;
	return 1;
}

static int all_of(const char *s, size_t n, char ch)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == ch)
			k++;
		else if (s[i] != ' ')
			return 0;
	}
	return k >= 3;
}

void llmr_chunk_markdown(const char *md, size_t n, long chunk_tokens, long overlap,
			 struct llmr_chunks *out)
{
	struct chunker c;
	const char *p = md, *end = md + n, *para = NULL, *para_end = NULL;
	int fence = 0, para_lines = 0, i;

	memset(&c, 0, sizeof(c));
	c.out = out;
	if (chunk_tokens <= 0)
		chunk_tokens = 400;
	/* 2^62 tokens times 4 bytes wrapped to a budget of 0: 1-byte chunks. */
	if (chunk_tokens > LLMR_CHUNK_MAX_TOKENS)
		chunk_tokens = LLMR_CHUNK_MAX_TOKENS;
	if (overlap < 0)
		overlap = 0;
	if (overlap > chunk_tokens / 2)
		overlap = chunk_tokens / 2;
	c.budget = (size_t)chunk_tokens * LLMR_CHUNK_BYTES_PER_TOKEN;
	c.overlap = (size_t)overlap * LLMR_CHUNK_BYTES_PER_TOKEN;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t ll = (size_t)(le - p), skip;
		const char *t = p;
		int level;

		while (t < le && (*t == ' ' || *t == '\t'))
			t++;
		if (!fence && t == le) { /* blank line ends a paragraph */
			if (para)
				add_para(&c, para, (size_t)(para_end - para), (size_t)(para - md));
			para = NULL;
			para_lines = 0;
		} else if (!fence && heading_line(p, ll, &level, &skip)) {
			if (para)
				add_para(&c, para, (size_t)(para_end - para), (size_t)(para - md));
			para = NULL;
			para_lines = 0;
			set_heading(&c, level, p + skip, ll - skip);
		} else if (!fence && para_lines == 1 && (all_of(p, ll, '=') || all_of(p, ll, '-'))) {
			/* Setext heading: the one-line paragraph above is its text. */
			set_heading(&c, all_of(p, ll, '=') ? 1 : 2, para, (size_t)(para_end - para));
			para = NULL;
			para_lines = 0;
		} else {
			if ((size_t)(le - t) >= 3 && (!strncmp(t, "```", 3) || !strncmp(t, "~~~", 3)))
				fence = !fence;
			if (!para)
				para = p;
			para_end = le;
			para_lines++;
		}
		p = nl ? nl + 1 : end;
	}
	if (para)
		add_para(&c, para, (size_t)(para_end - para), (size_t)(para - md));
	emit(&c);
	for (i = 0; i < MAXLEVEL; i++)
		free(c.path[i]);
	free(c.tail);
	llmr_buf_release(&c.cur);
}

void llmr_chunks_release(struct llmr_chunks *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].text);
		free(c->v[i].heading);
	}
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}
