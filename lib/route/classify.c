#include "route/classify.h"

#include <ctype.h>
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
	K_ANALYSIS, K_COMPARE, K_PLAN, K_WHY, K_LEGAL, K_CODE, K_SUMMARY,
	K_EXTRACT, K_CLASSIFY, K_LONG, K_SHORT, NKINDS
};

static const struct {
	const char *label;
	double first, more; /* weight of the first hit, and of each next one */
} kinds[NKINDS] = {
	[K_ANALYSIS] = {"analysis", 0.30, 0.04},
	[K_COMPARE] = {"comparison", 0.25, 0.04},
	[K_PLAN] = {"planning", 0.30, 0.04},
	[K_WHY] = {"explanation", 0.08, 0.02},
	[K_LEGAL] = {"legal", 0.25, 0.04},
	[K_CODE] = {"code", 0.10, 0.02},
	[K_SUMMARY] = {"summary", 0.05, 0.0},
	[K_EXTRACT] = {"extraction", 0.03, 0.0},
	[K_CLASSIFY] = {"classification", 0.0, 0.0},
	[K_LONG] = {"long answer", 0.15, 0.03},
	[K_SHORT] = {"short answer", -0.10, 0.0},
};

/* Word stems (prefix match unless exact), French and English, lowercase. */
static const struct stem {
	const char *s;
	enum kind k;
	int exact;
} stems[] = {
	{"analy", K_ANALYSIS, 0}, {"évalu", K_ANALYSIS, 0}, {"evalu", K_ANALYSIS, 0},
	{"assess", K_ANALYSIS, 0}, {"critiqu", K_ANALYSIS, 0}, {"examin", K_ANALYSIS, 0},
	{"investig", K_ANALYSIS, 0}, {"diagnos", K_ANALYSIS, 0}, {"justif", K_ANALYSIS, 0},
	{"démontr", K_ANALYSIS, 0}, {"demontr", K_ANALYSIS, 0}, {"prove", K_ANALYSIS, 1},
	{"interprét", K_ANALYSIS, 0}, {"interpret", K_ANALYSIS, 0}, {"implication", K_ANALYSIS, 0},
	{"argument", K_ANALYSIS, 0}, {"reason", K_ANALYSIS, 1},
	{"why", K_WHY, 1}, {"pourquoi", K_WHY, 1}, {"explain", K_WHY, 0}, {"expliqu", K_WHY, 0},
	{"compar", K_COMPARE, 0}, {"contrast", K_COMPARE, 0}, {"versus", K_COMPARE, 1},
	{"vs", K_COMPARE, 1}, {"différenc", K_COMPARE, 0}, {"differenc", K_COMPARE, 0},
	{"tradeoff", K_COMPARE, 0}, {"pros", K_COMPARE, 1}, {"avantages", K_COMPARE, 1},
	{"inconvénient", K_COMPARE, 0}, {"meilleur", K_COMPARE, 0},
	{"plan", K_PLAN, 1}, {"plans", K_PLAN, 1}, {"planifi", K_PLAN, 0}, {"planning", K_PLAN, 1},
	{"strateg", K_PLAN, 0}, {"stratég", K_PLAN, 0}, {"roadmap", K_PLAN, 0},
	{"architect", K_PLAN, 0}, {"conçoi", K_PLAN, 0}, {"concevoir", K_PLAN, 0},
	{"design", K_PLAN, 0}, {"organis", K_PLAN, 0}, {"organiz", K_PLAN, 0},
	{"schedul", K_PLAN, 0}, {"prioritis", K_PLAN, 0}, {"prioritiz", K_PLAN, 0},
	{"priorise", K_PLAN, 0}, {"migrat", K_PLAN, 0}, {"étapes", K_PLAN, 1},
	{"steps", K_PLAN, 1}, {"propose", K_PLAN, 0},
	{"legal", K_LEGAL, 0}, {"légal", K_LEGAL, 0}, {"juridi", K_LEGAL, 0},
	{"complian", K_LEGAL, 0}, {"conformit", K_LEGAL, 0}, {"rgpd", K_LEGAL, 1},
	{"gdpr", K_LEGAL, 1}, {"contrat", K_LEGAL, 0}, {"contract", K_LEGAL, 0},
	{"clause", K_LEGAL, 0}, {"liabil", K_LEGAL, 0}, {"responsabilit", K_LEGAL, 0},
	{"loi", K_LEGAL, 1}, {"lois", K_LEGAL, 1}, {"law", K_LEGAL, 1}, {"laws", K_LEGAL, 1},
	{"regulat", K_LEGAL, 0}, {"réglement", K_LEGAL, 0}, {"règlement", K_LEGAL, 0},
	{"litig", K_LEGAL, 0}, {"jurisprud", K_LEGAL, 0}, {"cgv", K_LEGAL, 1}, {"cgu", K_LEGAL, 1},
	{"code", K_CODE, 1}, {"coding", K_CODE, 1}, {"function", K_CODE, 0}, {"fonction", K_CODE, 0},
	{"bug", K_CODE, 0}, {"debug", K_CODE, 0}, {"débug", K_CODE, 0}, {"refactor", K_CODE, 0},
	{"implement", K_CODE, 0}, {"implément", K_CODE, 0}, {"script", K_CODE, 0},
	{"regex", K_CODE, 0}, {"sql", K_CODE, 1}, {"compil", K_CODE, 0}, {"python", K_CODE, 1},
	{"javascript", K_CODE, 1}, {"program", K_CODE, 0},
	{"summar", K_SUMMARY, 0}, {"résum", K_SUMMARY, 0}, {"resum", K_SUMMARY, 0},
	{"tldr", K_SUMMARY, 1}, {"synthès", K_SUMMARY, 0}, {"synthes", K_SUMMARY, 0},
	{"synthét", K_SUMMARY, 0}, {"recap", K_SUMMARY, 0}, {"récap", K_SUMMARY, 0},
	{"extract", K_EXTRACT, 0}, {"extrai", K_EXTRACT, 0}, {"identif", K_EXTRACT, 0},
	{"list", K_EXTRACT, 1}, {"liste", K_EXTRACT, 1}, {"lister", K_EXTRACT, 1},
	{"enumer", K_EXTRACT, 0}, {"énumér", K_EXTRACT, 0}, {"find", K_EXTRACT, 1},
	{"trouve", K_EXTRACT, 0},
	{"classif", K_CLASSIFY, 0}, {"classe", K_CLASSIFY, 1}, {"classer", K_CLASSIFY, 1},
	{"categor", K_CLASSIFY, 0}, {"catégor", K_CLASSIFY, 0}, {"label", K_CLASSIFY, 0},
	{"tag", K_CLASSIFY, 1}, {"sentiment", K_CLASSIFY, 0},
	{"detail", K_LONG, 0}, {"détail", K_LONG, 0}, {"exhausti", K_LONG, 0},
	{"comprehensive", K_LONG, 1}, {"complet", K_LONG, 1}, {"complète", K_LONG, 1},
	{"rapport", K_LONG, 1}, {"report", K_LONG, 1}, {"essay", K_LONG, 0},
	{"dissertation", K_LONG, 0}, {"thorough", K_LONG, 0}, {"approfondi", K_LONG, 0},
	{"brief", K_SHORT, 0}, {"briefly", K_SHORT, 1}, {"bref", K_SHORT, 1}, {"brève", K_SHORT, 1},
	{"brièvement", K_SHORT, 1}, {"short", K_SHORT, 1}, {"court", K_SHORT, 1},
	{"courte", K_SHORT, 1}, {"concis", K_SHORT, 0}, {"quick", K_SHORT, 1},
};

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

		if (c < 0x80)
			s[i] = (char)tolower(c);
		else if (c == 0xC3 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
			 (unsigned char)s[i + 1] <= 0x9E && (unsigned char)s[i + 1] != 0x97)
			s[++i] += 0x20;
	}
}

static int is_word(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

static void hit(struct feat *f, enum kind k, const char *w, size_t n)
{
	if (!f->hits[k]++)
		snprintf(f->first[k], sizeof(f->first[k]), "%.*s", (int)(n < 23 ? n : 23), w);
}

static void match_word(struct feat *f, const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof(stems) / sizeof(stems[0]); i++) {
		size_t sl = strlen(stems[i].s);

		if (stems[i].s[0] != w[0] || sl > n || (stems[i].exact && sl != n))
			continue;
		if (!memcmp(stems[i].s, w, sl)) {
			hit(f, stems[i].k, w, n);
			return;
		}
	}
}

/* "500 words", "1000 mots", "2 pages", "3 paragraphs": asked length. */
static void match_amount(struct feat *f, const char *num, size_t nlen, const char *w, size_t n)
{
	long v = strtol(num, NULL, 10), words = 0;

	(void)nlen;
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

static double length_weight(long tokens)
{
	if (tokens <= 20)
		return 0.0;
	if (tokens <= 60)
		return 0.05;
	if (tokens <= 200)
		return 0.10;
	if (tokens <= 600)
		return 0.17;
	return tokens <= 2000 ? 0.25 : 0.32;
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
	/* Round so that the printed score and the tier can never disagree. */
	s = (double)(long)(s * 100 + 0.5) / 100;
	out->score = s;
	out->complexity = llmr_classify_tier(s);
	out->task = pick_task(&f);
	snprintf(out->reason, sizeof(out->reason), "score %.2f: %s -> %s", s, body,
		 llmr_complexity_name(out->complexity));
}
