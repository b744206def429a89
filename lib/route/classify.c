#include "route/classify.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config.h"

/*
 * Weights are hand-tuned so that one strong signal (an analysis or planning
 * verb) makes a short question medium and two of them make it complex, while
 * length alone needs thousands of tokens to do so. The point is that a user
 * can read the reason and predict the tier; the score is there so the
 * thresholds can be tuned against llmr-bench results.
 */
enum kind {
	K_ANALYSIS, K_COMPARE, K_PLAN, K_WHY, K_LEGAL, K_CODE, K_SUMMARY, K_WRITE,
	K_EXTRACT, K_CLASSIFY, K_LONG, K_SHORT, NKINDS
};

static const struct {
	const char *label;
	double first, more; /* weight of the first hit, and of each next one */
} kinds[NKINDS] = {
	[K_ANALYSIS] = {"analysis", 0.30, 0.04},
	[K_COMPARE] = {"comparison", 0.25, 0.04},
	[K_PLAN] = {"planning", 0.30, 0.04},
	[K_WHY] = {"explanation", 0.27, 0.02},
	[K_LEGAL] = {"legal", 0.25, 0.04},
	[K_CODE] = {"code", 0.10, 0.02},
	[K_SUMMARY] = {"summary", 0.27, 0.0},
	[K_WRITE] = {"writing", 0.35, 0.02},
	[K_EXTRACT] = {"extraction", 0.03, 0.0},
	[K_CLASSIFY] = {"classification", 0.0, 0.0},
	[K_LONG] = {"long answer", 0.15, 0.03},
	[K_SHORT] = {"short answer", -0.10, 0.0},
};

/* Word stems (prefix match unless exact), French and English, lowercase. */
/* The length is counted at compile time: words are matched by the million. */
#define S(str, kind, exact) {str, sizeof(str) - 1, kind, exact}
static const struct stem {
	const char *s;
	size_t len;
	enum kind k;
	int exact;
} stems[] = {
	S("analy", K_ANALYSIS, 0), S("évalu", K_ANALYSIS, 0), S("evalu", K_ANALYSIS, 0),
	S("assess", K_ANALYSIS, 0), S("critiqu", K_ANALYSIS, 0), S("examin", K_ANALYSIS, 0),
	S("investig", K_ANALYSIS, 0), S("diagnos", K_ANALYSIS, 0), S("justif", K_ANALYSIS, 0),
	S("démontr", K_ANALYSIS, 0), S("demontr", K_ANALYSIS, 0), S("prove", K_ANALYSIS, 1),
	S("interprét", K_ANALYSIS, 0), S("interpret", K_ANALYSIS, 0), S("implication", K_ANALYSIS, 0),
	S("argument", K_ANALYSIS, 0), S("reason", K_ANALYSIS, 1), S("risk", K_ANALYSIS, 0),
	S("risque", K_ANALYSIS, 0),
	S("why", K_WHY, 1), S("pourquoi", K_WHY, 1), S("explain", K_WHY, 0), S("expliqu", K_WHY, 0),
	S("compar", K_COMPARE, 0), S("contrast", K_COMPARE, 0), S("versus", K_COMPARE, 1),
	S("vs", K_COMPARE, 1), S("différenc", K_COMPARE, 0), S("differenc", K_COMPARE, 0),
	S("tradeoff", K_COMPARE, 0), S("pros", K_COMPARE, 1), S("avantages", K_COMPARE, 1),
	S("inconvénient", K_COMPARE, 0), S("meilleur", K_COMPARE, 0),
	S("plan", K_PLAN, 1), S("planifi", K_PLAN, 0), S("recommand", K_PLAN, 0),
	S("recommend", K_PLAN, 0), S("planning", K_PLAN, 1),
	S("strateg", K_PLAN, 0), S("stratég", K_PLAN, 0), S("roadmap", K_PLAN, 0),
	S("architect", K_PLAN, 0), S("conçoi", K_PLAN, 0), S("concevoir", K_PLAN, 0),
	S("design", K_PLAN, 0), S("organis", K_PLAN, 0), S("organiz", K_PLAN, 0),
	S("schedul", K_PLAN, 0), S("prioritis", K_PLAN, 0), S("prioritiz", K_PLAN, 0),
	S("priorise", K_PLAN, 0), S("migrat", K_PLAN, 0), S("étapes", K_PLAN, 1),
	S("steps", K_PLAN, 1), S("propose", K_PLAN, 0),
	S("legal", K_LEGAL, 0), S("légal", K_LEGAL, 0), S("juridi", K_LEGAL, 0),
	S("complian", K_LEGAL, 0), S("conformit", K_LEGAL, 0), S("rgpd", K_LEGAL, 1),
	S("gdpr", K_LEGAL, 1), S("contrat", K_LEGAL, 0), S("contract", K_LEGAL, 0),
	S("clause", K_LEGAL, 0), S("liabil", K_LEGAL, 0), S("responsabilit", K_LEGAL, 0),
	S("loi", K_LEGAL, 1), S("lois", K_LEGAL, 1), S("law", K_LEGAL, 1), S("laws", K_LEGAL, 1),
	S("regulat", K_LEGAL, 0), S("réglementa", K_LEGAL, 0), S("règlementa", K_LEGAL, 0),
	S("norme", K_LEGAL, 1), S("normes", K_LEGAL, 1),
	S("litig", K_LEGAL, 0), S("jurisprud", K_LEGAL, 0), S("cgv", K_LEGAL, 1), S("cgu", K_LEGAL, 1),
	S("code", K_CODE, 1), S("coding", K_CODE, 1), S("function", K_CODE, 0), S("fonction", K_CODE, 1),
	S("fonctions", K_CODE, 1),
	S("bug", K_CODE, 0), S("debug", K_CODE, 0), S("débug", K_CODE, 0), S("refactor", K_CODE, 0),
	S("implement", K_CODE, 0), S("implément", K_CODE, 0), S("script", K_CODE, 0),
	S("regex", K_CODE, 0), S("sql", K_CODE, 1), S("compil", K_CODE, 0), S("python", K_CODE, 1),
	S("javascript", K_CODE, 1), S("program", K_CODE, 0),
	S("summar", K_SUMMARY, 0), S("résum", K_SUMMARY, 0), S("resum", K_SUMMARY, 0),
	S("tldr", K_SUMMARY, 1), S("synthès", K_SUMMARY, 0), S("synthes", K_SUMMARY, 0),
	S("synthét", K_SUMMARY, 0), S("recap", K_SUMMARY, 0), S("récap", K_SUMMARY, 0),
	S("rédig", K_WRITE, 0), S("redig", K_WRITE, 0), S("write", K_WRITE, 1), S("draft", K_WRITE, 0),
	S("écri", K_WRITE, 0), S("ecri", K_WRITE, 0), S("reformul", K_WRITE, 0), S("rephrase", K_WRITE, 0),
	S("rewrite", K_WRITE, 1),
	S("extract", K_EXTRACT, 0), S("extrai", K_EXTRACT, 0), S("identif", K_EXTRACT, 0),
	S("list", K_EXTRACT, 1), S("liste", K_EXTRACT, 1), S("lister", K_EXTRACT, 1),
	S("enumer", K_EXTRACT, 0), S("énumér", K_EXTRACT, 0), S("find", K_EXTRACT, 1),
	S("trouve", K_EXTRACT, 0),
	S("classif", K_CLASSIFY, 0), S("classe", K_CLASSIFY, 1), S("classer", K_CLASSIFY, 1),
	S("categor", K_CLASSIFY, 0), S("catégor", K_CLASSIFY, 0), S("label", K_CLASSIFY, 0),
	S("tag", K_CLASSIFY, 1), S("sentiment", K_CLASSIFY, 0),
	S("detail", K_LONG, 0), S("détail", K_LONG, 0), S("exhausti", K_LONG, 0),
	S("comprehensive", K_LONG, 1), S("complet", K_LONG, 1), S("complète", K_LONG, 1),
	S("rapport", K_LONG, 1), S("report", K_LONG, 1), S("essay", K_LONG, 0),
	S("dissertation", K_LONG, 0), S("thorough", K_LONG, 0), S("approfondi", K_LONG, 0),
	S("brief", K_SHORT, 0), S("briefly", K_SHORT, 1), S("bref", K_SHORT, 1), S("brève", K_SHORT, 1),
	S("brièvement", K_SHORT, 1), S("short", K_SHORT, 1), S("court", K_SHORT, 1),
	S("courte", K_SHORT, 1), S("concis", K_SHORT, 0), S("quick", K_SHORT, 1),
};
#undef S

/* Phrases found as substrings of the lowercased text. */
static const struct {
	const char *s;
	enum kind k;
} phrases[] = {
	{"trade-off", K_COMPARE}, {"pros and cons", K_COMPARE},
	{"feuille de route", K_PLAN}, {"step by step", K_LONG}, {"pas à pas", K_LONG},
	{"in depth", K_LONG}, {"in-depth", K_LONG}, {"en profondeur", K_LONG},
	{"one word", K_SHORT}, {"un mot", K_SHORT}, {"one sentence", K_SHORT},
	{"une phrase", K_SHORT}, {"yes or no", K_CLASSIFY}, {"oui ou non", K_CLASSIFY},
	{"positive or negative", K_CLASSIFY}, {"```", K_CODE},
};

/* Only the start of a huge prompt is scanned for words; length still counts. */
#define SCAN_MAX 65536

struct feat {
	int hits[NKINDS];
	char first[NKINDS][24]; /* first word that hit, for the reason */
	int questions, items, code_lines, fences;
	long words_asked;       /* "500 words", "2 pages" -> words */
};

long llmr_classify_tokens(size_t n)
{
	return n < 4 ? 1 : (long)((n + 3) / 4);
}

int llmr_classify_tier(double score)
{
	if (score < LLMR_CLASSIFY_SIMPLE_MAX)
		return LLMR_SIMPLE;
	return score < LLMR_CLASSIFY_MEDIUM_MAX ? LLMR_MEDIUM : LLMR_COMPLEX;
}

/* ASCII lowercase plus Latin-1 capitals in UTF-8 (C3 80..9E -> C3 A0..BE),
 * enough for "Évalue" and "ÉTAPES". */
static void lower_utf8(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			s[i] = (char)(c + ('a' - 'A'));
		else if (c == 0xC3 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
			 (unsigned char)s[i + 1] <= 0x9E && (unsigned char)s[i + 1] != 0x97)
			s[++i] += 0x20;
	}
}

/* ASCII letters and digits, and any byte of a UTF-8 sequence (the
 * prompt's locale is not the program's). */
static int is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static void hit(struct feat *f, enum kind k, const char *w, size_t n)
{
	if (!f->hits[k]++)
		snprintf(f->first[k], sizeof(f->first[k]), "%.*s", (int)(n < 23 ? n : 23), w);
}

#define NSTEMS (sizeof(stems) / sizeof(stems[0]))

/* The stems by first byte, in table order (the first match wins): built
 * once, so that a word is compared with a handful of stems, not all. */
static struct {
	unsigned char start[257]; /* stems of byte c: order[start[c]..start[c+1]) */
	unsigned char order[NSTEMS];
} by_first;
static pthread_once_t by_first_once = PTHREAD_ONCE_INIT;

_Static_assert(NSTEMS < 256, "stem index fits in a byte");

static void index_stems(void)
{
	size_t k = 0;

	for (int c = 0; c < 256; c++) {
		by_first.start[c] = (unsigned char)k;
		for (size_t i = 0; i < NSTEMS; i++)
			if ((unsigned char)stems[i].s[0] == c)
				by_first.order[k++] = (unsigned char)i;
	}
	by_first.start[256] = (unsigned char)k;
}

/*
 * "She compared prices", "the designer", "contractors": a task word in a
 * form that tells of it rather than asks for it (English past tense and
 * agent nouns) is no request for that work. French infinitives (-er) are
 * requests ("peux-tu analyser"), so -er alone is not dropped.
 */
static int narrative(const struct stem *st, const char *w, size_t n)
{
	const char *end = w + n;

	if (st->exact || n <= st->len + 1 || st->k == K_LONG || st->k == K_SHORT)
		return 0;
	return !memcmp(end - 2, "ed", 2) || !memcmp(end - 2, "or", 2) ||
	       (n >= 3 && (!memcmp(end - 3, "ers", 3) || !memcmp(end - 3, "ors", 3)));
}

static void match_word(struct feat *f, const char *w, size_t n)
{
	unsigned char c = (unsigned char)w[0];

	for (size_t j = by_first.start[c]; j < by_first.start[c + 1]; j++) {
		const struct stem *st = &stems[by_first.order[j]];

		if (st->len > n || (st->exact && st->len != n))
			continue;
		if (!memcmp(st->s, w, st->len)) {
			if (narrative(st, w, n))
				return;
			hit(f, st->k, w, n);
			return;
		}
	}
}

/* "500 words", "1000 mots", "2 pages", "3 paragraphs": asked length. */
static void match_amount(struct feat *f, const char *num, size_t nlen, const char *w, size_t n)
{
	long v = strtol(num, NULL, 10), words = 0;

	(void)nlen;
	/* Beyond a few books' length the exact figure changes nothing, and
	 * "99999999999999999 pages" must not overflow the products below. */
	if (v > 1000000)
		v = 1000000;
	if (n >= 4 && (!strncmp(w, "word", 4) || !strncmp(w, "mots", 4)))
		words = v;
	else if (n >= 4 && !strncmp(w, "page", 4))
		words = v * 400;
	else if (n >= 5 && (!strncmp(w, "parag", 5)))
		words = v * 100;
	if (words > f->words_asked)
		f->words_asked = words;
}

static void scan_words(struct feat *f, const char *s, size_t n)
{
	const char *prev = NULL;
	size_t prevn = 0;

	for (size_t i = 0; i < n;) {
		size_t j = i;

		if (!is_word((unsigned char)s[i])) {
			i++;
			continue;
		}
		while (j < n && is_word((unsigned char)s[j]))
			j++;
		if (prev && isdigit((unsigned char)prev[0]))
			match_amount(f, prev, prevn, s + i, j - i);
		match_word(f, s + i, j - i);
		prev = s + i;
		prevn = j - i;
		i = j;
	}
}

/* Questions, list items (sub-questions) and lines that look like code. */
static void scan_lines(struct feat *f, const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *q = p;

		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (q < e && (*q == '-' || *q == '*' || *q == '\xe2') && q + 1 < e && q[1] == ' ')
			f->items++;
		else if (q + 1 < e && isdigit((unsigned char)*q) && (q[1] == '.' || q[1] == ')'))
			f->items++;
		while (e > q && (e[-1] == ' ' || e[-1] == '\r'))
			e--;
		if (e > q && (e[-1] == ';' || e[-1] == '{' || e[-1] == '}'))
			f->code_lines++;
		else if (e - q > 8 && (!strncmp(q, "#include", 8) || !strncmp(q, "def ", 4) ||
				       !strncmp(q, "import ", 7) || !strncmp(q, "return ", 7)))
			f->code_lines++;
		p = nl ? nl + 1 : end;
	}
	for (p = s; p < end; p++)
		if (*p == '?')
			f->questions++;
}

static double add_reason(char *r, size_t cap, size_t *len, double w, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static double add_reason(char *r, size_t cap, size_t *len, double w, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*len + 4 >= cap)
		return w;
	if (*len > 0)
		*len += (size_t)snprintf(r + *len, cap - *len, ", ");
	va_start(ap, fmt);
	k = vsnprintf(r + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (k > 0)
		*len = *len + (size_t)k < cap ? *len + (size_t)k : cap - 1;
	return w;
}

/*
 * Length weighs continuously, 0.032 a doubling above 20 tokens, up to
 * 0.32 (about 20,000 tokens): no steps, so that among prompts with the
 * same words the longer ranks higher, as llmr-bench eval-router measures
 * (steps left whole bands of GSM8K questions tied). 60 tokens add 0.05,
 * 600 add 0.16, 2,000 add 0.21.
 */
static double length_weight(long tokens)
{
	double w = tokens > 20 ? 0.032 * log2((double)tokens / 20.0) : 0.0;

	return w > 0.32 ? 0.32 : w;
}

static const char *pick_task(const struct feat *f)
{
	if (f->hits[K_LEGAL])
		return "legal";
	if (f->hits[K_CODE] || f->code_lines >= 2)
		return "code";
	if (f->hits[K_PLAN])
		return "planning";
	if (f->hits[K_ANALYSIS] || f->hits[K_COMPARE])
		return "analysis";
	if (f->hits[K_SUMMARY])
		return "summary";
	if (f->hits[K_WRITE])
		return "writing";
	if (f->hits[K_EXTRACT])
		return "extraction";
	if (f->hits[K_CLASSIFY])
		return "classification";
	return "chat";
}

void llmr_classify(const struct llmr_classify_in *in, struct llmr_class *out)
{
	struct feat f;
	size_t scan = in->len < SCAN_MAX ? in->len : SCAN_MAX, rl = 0;
	char *low = malloc(scan + 1), body[200];
	long tokens = llmr_classify_tokens(in->len);
	double s = 0.10;

	pthread_once(&by_first_once, index_stems);
	memset(&f, 0, sizeof(f));
	body[0] = '\0';
	if (low) {
		memcpy(low, in->text ? in->text : "", scan);
		low[scan] = '\0';
		lower_utf8(low, scan);
		scan_words(&f, low, scan);
		scan_lines(&f, low, scan);
		for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
			if (strstr(low, phrases[i].s))
				hit(&f, phrases[i].k, phrases[i].s, strlen(phrases[i].s));
		free(low);
	}
	s += add_reason(body, sizeof(body), &rl, length_weight(tokens), "%ld tokens", tokens);
	if (f.questions >= 2)
		s += add_reason(body, sizeof(body), &rl, f.questions * 0.05 - 0.05 > 0.15 ? 0.15 : f.questions * 0.05 - 0.05,
				"%d questions", f.questions);
	if (f.items >= 2)
		s += add_reason(body, sizeof(body), &rl, f.items * 0.03 > 0.12 ? 0.12 : f.items * 0.03,
				"%d sub-questions", f.items);
	if (f.words_asked >= 300 && !f.hits[K_LONG])
		hit(&f, K_LONG, "words asked", 11);
	for (int k = 0; k < NKINDS; k++) {
		double w;

		if (!f.hits[k] || kinds[k].first == 0.0)
			continue;
		w = kinds[k].first + kinds[k].more * (f.hits[k] - 1);
		if (w > kinds[k].first + 0.08)
			w = kinds[k].first + 0.08;
		s += add_reason(body, sizeof(body), &rl, w, "%s '%s'", kinds[k].label, f.first[k]);
	}
	if (f.code_lines >= 2 || f.hits[K_CODE] > 0) {
		if (f.code_lines >= 2)
			s += add_reason(body, sizeof(body), &rl, 0.15, "code in the prompt");
	}
	if (in->json)
		s += add_reason(body, sizeof(body), &rl, 0.05, "JSON asked");
	if (in->max_tokens >= 2000)
		s += add_reason(body, sizeof(body), &rl, 0.15, "max_tokens %ld", in->max_tokens);
	else if (in->max_tokens >= 800)
		s += add_reason(body, sizeof(body), &rl, 0.08, "max_tokens %ld", in->max_tokens);
	else if (in->max_tokens > 0 && in->max_tokens <= 100)
		s += add_reason(body, sizeof(body), &rl, -0.05, "max_tokens %ld", in->max_tokens);
	s = s < 0 ? 0 : s > 1 ? 1 : s;
	/* Round so that the printed score and the tier can never disagree;
	 * three places keep the ranking that continuous length gives. */
	s = (double)(long)(s * 1000 + 0.5) / 1000;
	out->score = s;
	out->complexity = llmr_classify_tier(s);
	out->task = pick_task(&f);
	snprintf(out->reason, sizeof(out->reason), "score %.3f: %s -> %s", s, body,
		 llmr_complexity_name(out->complexity));
}
