#include <string.h>

#include "index/query.h"
#include "tap.h"

/* The query's terms as "stem*" or "word", space-separated. */
static const char *terms(const char *q, enum llmr_query_stem stem, enum llmr_query_lang *lang)
{
	static char out[512];
	struct llmr_query x;
	size_t i;

	llmr_query_parse(q, stem, &x);
	out[0] = 0;
	for (i = 0; i < x.n; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, x.t[i].stem);
		if (x.t[i].prefix)
			strcat(out, "*");
	}
	if (lang)
		*lang = x.lang;
	return out;
}

int main(void)
{
	enum llmr_query_lang lang;

	is_str(terms("qu'est-ce que l'accès jusqu'à la déchetterie ?", LLMR_STEM_NONE, &lang),
	       "acces dechetterie", "French elisions and stop words dropped, accents folded");
	is_int(lang, LLMR_LANG_FR, "French guessed");
	is_str(terms("c'est quand que j'peux n'y aller, d'après l'affiche", LLMR_STEM_NONE, NULL),
	       "aller apres affiche", "c' j' n' d' l' and question words dropped");
	is_str(terms("How do I renew my library books?", LLMR_STEM_NONE, &lang), "renew library books",
	       "English stop words and question words dropped");
	is_int(lang, LLMR_LANG_EN, "English guessed");
	is_str(terms("I can't find the gym's opening hours", LLMR_STEM_NONE, NULL),
	       "find gym opening hours", "contractions and possessives dropped");
	is_str(terms("How do I renew my library books?", LLMR_STEM_SNOWBALL, NULL),
	       "renew* librari* book*", "English Snowball stems, searched as prefixes");
	is_str(terms("les étudiants et la réparation des allergies", LLMR_STEM_SNOWBALL, NULL),
	       "etudi* repar* allerg*", "French Snowball stems");
	is_str(terms("réparer l'allergique", LLMR_STEM_SNOWBALL, NULL), "repar* allerg*",
	       "other forms share the stems");
	is_str(terms("remboursement paie", LLMR_STEM_SNOWBALL, &lang), "rembo* paie",
	       "unknown language: first five letters of longer words");
	is_int(lang, LLMR_LANG_UNKNOWN, "no stop word, no accent: language unknown");
	is_str(terms("concessions funéraires", LLMR_STEM_PREFIX, NULL), "conce* funer*",
	       "prefix rule: the first five letters");
	is_str(terms("le tri, le tri et encore le tri", LLMR_STEM_NONE, NULL), "tri", "a word said twice counts once");
	is_str(terms("de la et le ?", LLMR_STEM_SNOWBALL, NULL), "", "only stop words: no term");
	done_testing();
}
