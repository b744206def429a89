#include "ask/semcache.h"

#include <stdlib.h>
#include <string.h>

#include "index/embed.h"

/*
 * The guard of the semantic cache: what two questions must share, word
 * for word, before their similarity counts. An embedding scores "What is
 * 15% of 200?" and "What is 25% of 200?" as near twins, and "recipes with
 * eggs" and "recipes without eggs" too; the answers differ. So numbers
 * (digits and number words), negation, dates, units, names and product
 * codes are pulled out of each question into a canonical list, and only
 * questions with the same list may share an answer. The cost is recall:
 * "three" and "3" agree, "Misérables" and "Les Misérables" agree (stop
 * words are dropped), but a name written once with a capital and once
 * without does not, and that question is simply asked again.
 */

struct word_map {
	const char *word, *canon;
};

/* Looked up after folding (lowercase, no accents) and without a final s. */
static const struct word_map numbers[] = {
	{"zero", "0"}, {"one", "1"}, {"two", "2"}, {"three", "3"}, {"four", "4"},
	{"five", "5"}, {"six", "6"}, {"seven", "7"}, {"eight", "8"}, {"nine", "9"},
	{"ten", "10"}, {"eleven", "11"}, {"twelve", "12"}, {"twenty", "20"}, {"hundred", "100"},
	{"thousand", "1000"}, {"million", "1e6"}, {"billion", "1e9"}, {"half", "1/2"},
	{"deux", "2"}, {"troi", "3"}, {"quatre", "4"}, {"cinq", "5"}, {"sept", "7"},
	{"huit", "8"}, {"neuf", "9"}, {"dix", "10"}, {"onze", "11"}, {"douze", "12"},
	{"vingt", "20"}, {"trente", "30"}, {"cent", "100"}, {"mille", "1000"},
	{"milliard", "1e9"}, {"moitie", "1/2"}, {"first", "#1"}, {"premier", "#1"},
	{"premiere", "#1"}, {"second", "#2"}, {"deuxieme", "#2"}, {"third", "#3"},
	{"troisieme", "#3"}, {"last", "#last"}, {"dernier", "#last"}, {"derniere", "#last"},
	{NULL, NULL}};

static const struct word_map dates[] = {
	{"monday", "mon"}, {"lundi", "mon"}, {"tuesday", "tue"}, {"mardi", "tue"},
	{"wednesday", "wed"}, {"mercredi", "wed"}, {"thursday", "thu"}, {"jeudi", "thu"},
	{"friday", "fri"}, {"vendredi", "fri"}, {"saturday", "sat"}, {"samedi", "sat"},
	{"sunday", "sun"}, {"dimanche", "sun"}, {"january", "jan"}, {"janvier", "jan"},
	{"february", "feb"}, {"fevrier", "feb"}, {"march", "mar"},
	{"april", "apr"}, {"avril", "apr"}, {"may", "may"}, {"mai", "may"}, {"june", "jun"},
	{"juin", "jun"}, {"july", "jul"}, {"juillet", "jul"}, {"august", "aug"}, {"aout", "aug"},
	{"september", "sep"}, {"septembre", "sep"}, {"october", "oct"}, {"octobre", "oct"},
	{"november", "nov"}, {"novembre", "nov"}, {"december", "dec"}, {"decembre", "dec"},
	{"today", "today"}, {"aujourd", "today"}, {"tomorrow", "tomorrow"}, {"demain", "tomorrow"},
	{"yesterday", "yesterday"}, {"hier", "yesterday"}, {"tonight", "tonight"},
	{"weekend", "weekend"}, {"morning", "morning"}, {"matin", "morning"},
	{"evening", "evening"}, {"soir", "evening"}, {"next", "next"}, {"prochain", "next"},
	{"prochaine", "next"}, {"previou", "prev"}, {"precedent", "prev"}, {"ago", "prev"},
	{"spring", "spring"}, {"printemp", "spring"}, {"summer", "summer"}, {"ete", "summer"},
	{"autumn", "autumn"}, {"fall", "autumn"}, {"automne", "autumn"}, {"winter", "winter"},
	{"hiver", "winter"}, {NULL, NULL}};

static const struct word_map units[] = {
	{"km", "km"}, {"kilometre", "km"}, {"kilometer", "km"}, {"mile", "mi"},
	{"metre", "m"}, {"meter", "m"}, {"cm", "cm"}, {"centimetre", "cm"}, {"centimeter", "cm"},
	{"mm", "mm"}, {"millimetre", "mm"}, {"inch", "in"}, {"pouce", "in"}, {"foot", "ft"},
	{"feet", "ft"}, {"pied", "ft"}, {"yard", "yd"}, {"kg", "kg"}, {"kilo", "kg"},
	{"kilogram", "kg"}, {"kilogramme", "kg"}, {"g", "g"}, {"gram", "g"}, {"gramme", "g"},
	{"mg", "mg"}, {"pound", "lb"}, {"lb", "lb"}, {"livre", "lb"}, {"ounce", "oz"},
	{"once", "oz"}, {"oz", "oz"}, {"tonne", "t"}, {"litre", "l"},
	{"liter", "l"}, {"ml", "ml"}, {"millilitre", "ml"}, {"milliliter", "ml"},
	{"cl", "cl"}, {"gallon", "gal"}, {"pint", "pt"}, {"pinte", "pt"}, {"celsiu", "C"},
	{"fahrenheit", "F"}, {"kelvin", "K"}, {"euro", "EUR"}, {"eur", "EUR"},
	{"dollar", "USD"}, {"usd", "USD"}, {"yen", "JPY"}, {"franc", "CHF"}, {"percent", "%"},
	{"pourcent", "%"}, {"hour", "h"}, {"heure", "h"}, {"h", "h"}, {"minute", "min"},
	{"min", "min"}, {"sec", "s"}, {"seconde", "s"}, {"day", "day"}, {"jour", "day"},
	{"week", "week"}, {"semaine", "week"}, {"month", "month"}, {"mois", "month"},
	{"year", "year"}, {"ans", "year"}, {"annee", "year"}, {"kb", "KB"}, {"mb", "MB"},
	{"gb", "GB"}, {"tb", "TB"},
	{"kw", "kW"}, {"kwh", "kWh"}, {"w", "W"}, {"watt", "W"}, {"v", "V"}, {"volt", "V"},
	{NULL, NULL}};

static const char *const negations[] = {
	"not", "no", "never", "without", "none", "nothing", "nor", "cannot", "dont", "doesnt",
	"isnt", "arent", "wasnt", "werent", "cant", "wont", "didnt", "shouldnt", "ne", "n",
	"pas", "jamais", "sans", "aucun", "aucune", "rien", "ni", "nullement", "guere", NULL};

/* Capitalised only because they open a sentence: not names. */
static const char *const openers[] = {
	"what", "how", "why", "when", "where", "which", "who", "whom", "whose", "is", "are",
	"was", "were", "do", "does", "did", "can", "could", "should", "would", "will", "may",
	"might", "must", "shall", "please", "give", "tell", "explain", "list", "show",
	"summarize", "summarise", "convert", "translate", "book", "describe", "define", "find",
	"write", "make", "help", "compare", "recipes", "recipe", "i", "in", "on", "at", "for",
	"the", "a", "an", "if", "and", "or", "but", "so", "my", "your", "our", "there", "it",
	"this", "that", "these", "those", "any", "some", "hi", "hello", "hey", "thanks", "now",
	"then", "also", "ok", "okay", "yes", "with", "from", "to", "of", "by", "about", "as",
	"qu", "que", "quel", "quelle", "quels", "quelles", "qui", "quoi", "comment",
	"pourquoi", "quand", "ou", "combien", "est", "sont", "peut", "peux", "puis", "pouvez",
	"faut", "donne", "donnez", "dis", "dites", "explique", "expliquez", "liste", "listez",
	"resume", "resumez", "convertis", "convertissez", "traduis", "traduisez", "reserve",
	"reservez", "decris", "decrivez", "ecris", "ecrivez", "fais", "faites", "aide",
	"aidez", "compare", "c", "ce", "cette", "ces", "cet", "le", "la", "les", "l", "un",
	"une", "des", "du", "de", "d", "au", "aux", "en", "dans", "pour", "sur", "si", "et",
	"mais", "mon", "ma", "mes", "ton", "ta", "tes", "votre", "vos", "notre", "nos", "il",
	"elle", "on", "je", "j", "nous", "vous", "ils", "elles", "y", "bonjour", "salut",
	"merci", "recettes", "recette", "s", "t", "avec", "entre", "apres", "avant", "parmi",
	NULL};

static const char *find_map(const struct word_map *m, const char *w)
{
	for (; m->word; m++)
		if (!strcmp(m->word, w))
			return m->canon ? m->canon : "";
	return NULL;
}

static int in_list(const char *const *l, const char *w)
{
	for (; *l; l++)
		if (!strcmp(*l, w))
			return 1;
	return 0;
}

/* One raw token: its folded form, whether it has digits, letters,
 * capitals (and whether the first is one), and whether it opens a
 * sentence. */
struct token {
	char folded[64];
	int digits, letters, first_cap, caps, opens;
	int after_n_apostrophe; /* "doesn't": the t after n' */
};

struct features {
	char **v;
	size_t n, cap;
	/* Units in the order written: "5 miles to km" is not "5 km to miles". */
	char units[128];
};

static void add(struct features *f, const char *kind, const char *what)
{
	char buf[80];

	if (!strcmp(kind, "unit")) {
		size_t l = strlen(f->units);

		snprintf(f->units + l, sizeof(f->units) - l, "%s%s", l ? ">" : "", what);
		return;
	}

	snprintf(buf, sizeof(buf), "%s:%s", kind, what);
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i], buf))
			return;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->v = llmr_xrealloc(f->v, f->cap * sizeof(*f->v));
	}
	f->v[f->n++] = llmr_xstrdup(buf);
}

/* Drop a final s (plurals) from w, unless the word is one letter long. */
static void singular(const char *w, char *out, size_t n)
{
	size_t l = strlen(w);

	snprintf(out, n, "%s", w);
	if (l > 2 && out[l - 1] == 's')
		out[l - 1] = '\0';
}

static void classify_token(const struct token *t, struct features *f)
{
	char sing[64];
	const char *c;

	if (t->digits && !t->letters) {
		const char *d = t->folded;

		while (*d == '0' && d[1])
			d++;
		add(f, "n", d);
		return;
	}
	if (t->digits) {
		add(f, "code", t->folded);
		return;
	}
	if (in_list(negations, t->folded) || t->after_n_apostrophe) {
		add(f, "neg", "1");
		return;
	}
	singular(t->folded, sing, sizeof(sing));
	if ((c = find_map(numbers, t->folded)) || (c = find_map(numbers, sing)))
		add(f, "n", c);
	else if ((c = find_map(dates, t->folded)) || (c = find_map(dates, sing)))
		add(f, "date", c);
	else if ((c = find_map(units, t->folded)) || (c = find_map(units, sing))) {
		if (*c)
			add(f, "unit", c);
	} else if (t->caps && !(t->opens && t->first_cap && in_list(openers, t->folded)) &&
		   !llmr_embed_stopword(t->folded, strlen(t->folded)))
		add(f, "name", t->folded);
}

static void symbol(unsigned char c, struct features *f)
{
	if (c == '%')
		add(f, "unit", "%");
	else if (c == '$')
		add(f, "unit", "USD");
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The token starting at s[*i], folded into t; *i moves past it. */
static void read_token(const unsigned char *s, size_t n, size_t *i, struct token *t)
{
	struct llmr_buf raw = LLMR_BUF_INIT, fold = LLMR_BUF_INIT;
	size_t j = *i;

	while (j < n) {
		unsigned c = s[j];
		size_t l = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

		if (c < 0x80 && !((c | 32) >= 'a' && (c | 32) <= 'z') && !(c >= '0' && c <= '9'))
			break;
		if (c == 0xe2 || c == 0xc2) /* punctuation, symbols, spaces */
			break;
		if (c >= '0' && c <= '9')
			t->digits = 1;
		else
			t->letters = 1;
		if ((c >= 'A' && c <= 'Z') || (c == 0xc3 && j + 1 < n && s[j + 1] >= 0x80 &&
						s[j + 1] <= 0x9e)) {
			t->caps = 1;
			t->first_cap |= j == *i;
		}
		if (j + l > n)
			l = n - j;
		j += l;
	}
	llmr_buf_add(&raw, s + *i, j - *i);
	llmr_embed_fold(raw.s, raw.len, &fold);
	snprintf(t->folded, sizeof(t->folded), "%s", fold.s ? fold.s : "");
	/* Folding may split a token at a symbol it does not know: keep one word. */
	for (char *p = t->folded; *p; p++)
		if (*p == ' ')
			*p = '\0';
	llmr_buf_release(&raw);
	llmr_buf_release(&fold);
	*i = j > *i ? j : *i + 1;
}

void llmr_semguard(const char *text, struct llmr_buf *out)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text), i = 0;
	struct features f = {NULL, 0, 0, ""};
	int opens = 1, prev_n = 0, prev_a = 0;

	while (i < n) {
		unsigned c = s[i];
		struct token t;

		memset(&t, 0, sizeof(t));
		if (c == '.' || c == '?' || c == '!' || c == ':' || c == ';' || c == '\n') {
			opens = 1;
			i++;
			continue;
		}
		if (c < 0x80 && !((c | 32) >= 'a' && (c | 32) <= 'z') && !(c >= '0' && c <= '9')) {
			symbol((unsigned char)c, &f);
			/* An apostrophe keeps "doesn't" one negation. */
			if (!(c == '\'' && prev_n))
				prev_n = 0;
			i++;
			continue;
		}
		if (c == 0xe2 && i + 2 < n && s[i + 1] == 0x82 && s[i + 2] == 0xac) {
			add(&f, "unit", "EUR");
			i += 3;
			continue;
		}
		if (c == 0xe2 || c == 0xc2) {
			/* ’ (U+2019) is an apostrophe; other punctuation ends the n' run. */
			if (!(c == 0xe2 && i + 2 < n && s[i + 1] == 0x80 && s[i + 2] == 0x99 && prev_n))
				prev_n = 0;
			if (c == 0xc2 && i + 1 < n && s[i + 1] == 0xa3)
				add(&f, "unit", "GBP");
			i += c == 0xc2 ? 2 : 3;
			continue;
		}
		t.opens = opens;
		read_token(s, n, &i, &t);
		t.after_n_apostrophe = prev_n && !strcmp(t.folded, "t");
		{
			size_t l = strlen(t.folded);

			prev_n = l > 1 && t.folded[l - 1] == 'n';
		}
		opens = 0;
		/* "mettre à jour" is to update, not a day. */
		if (t.folded[0] && !(prev_a && !strcmp(t.folded, "jour")))
			classify_token(&t, &f);
		prev_a = !strcmp(t.folded, "a");
	}
	if (f.units[0])
		add(&f, "units", f.units);
	if (f.n)
		qsort(f.v, f.n, sizeof(*f.v), by_str);
	for (size_t k = 0; k < f.n; k++) {
		llmr_buf_addf(out, "%s%s", k ? " " : "", f.v[k]);
		free(f.v[k]);
	}
	free(f.v);
	if (!out->s)
		llmr_buf_adds(out, "");
}
