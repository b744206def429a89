#include "index/extractive.h"

#include <string.h>

#include "index/embed.h"
#include "index/search.h"

#define ANSWER_PASSAGES 3
#define PASSAGE_BYTES 420
#define RAG_HITS 8

/* French if the question uses more French function words than English. */
static int is_french(const char *q)
{
	static const char *const fr[] = {"le", "la", "les", "des", "du", "un", "une", "est",
					 "que", "qui", "quoi", "comment", "pour", "quand", "ou",
					 "quel", "quelle", "quels", "quelles", "on", "je", "dois",
					 "faut", "il", "avec", "sur", NULL};
	static const char *const en[] = {"the", "is", "are", "what", "how", "when", "where",
					 "which", "who", "do", "does", "can", "should", "of",
					 "to", "a", "an", "for", "with", NULL};
	struct llmr_buf f = LLMR_BUF_INIT;
	const char *p, *end;
	int nfr = 0, nen = 0, i;

	llmr_embed_fold(q, strlen(q), &f);
	if (strstr(q, "\xc3"))
		nfr++; /* accented Latin letters */
	p = f.s ? f.s : "";
	end = p + f.len;
	while (p < end) {
		const char *w = p;
		size_t n;

		while (p < end && *p != ' ')
			p++;
		n = (size_t)(p - w);
		for (i = 0; fr[i]; i++)
			if (strlen(fr[i]) == n && !memcmp(fr[i], w, n))
				nfr++;
		for (i = 0; en[i]; i++)
			if (strlen(en[i]) == n && !memcmp(en[i], w, n))
				nen++;
		while (p < end && *p == ' ')
			p++;
	}
	llmr_buf_release(&f);
	return nfr > nen;
}

static void add_sanitized(struct llmr_buf *b, const char *s)
{
	llmr_sanitize_for_tty(b, s, strlen(s));
}

int llmr_extractive_answer(struct llmr_state *st, const struct llmr_config *cfg,
			   const char *collection, const char *question,
			   struct llmr_chat_result *r, json_t **sources, struct llmr_err *e)
{
	struct llmr_search_opts o = {collection, ANSWER_PASSAGES, LLMR_SEARCH_HYBRID, -1, -1, 0, 0};
	struct llmr_hits hits;
	int fr = is_french(question);
	const char *coll = collection ? collection : "default";
	size_t i;

	*sources = NULL;
	if (llmr_search(st, cfg, &o, question, &hits, e) < 0)
		return -1;
	*sources = json_array();
	if (!hits.n) {
		llmr_buf_addf(&r->text,
			      fr ? "Réponse extractive (local/extractive) : la collection « %s » ne "
				   "contient aucun document. Indexez vos documents avec "
				   "« llmr-index -c %s DOSSIER », puis reposez la question."
				 : "Extractive answer (local/extractive): collection '%s' holds no "
				   "documents. Index some with 'llmr-index -c %s FOLDER', then ask "
				   "again.",
			      coll, coll);
	} else {
		llmr_buf_adds(&r->text,
			      fr ? "Réponse extractive (local/extractive) : voici les passages de vos "
				   "documents les plus proches de la question, cités tels quels. "
				   "Aucun modèle de langage n'a rédigé ce texte.\n"
				 : "Extractive answer (local/extractive): the passages of your "
				   "documents that best match the question, quoted as they are. No "
				   "language model wrote this.\n");
	}
	for (i = 0; i < hits.n; i++) {
		const struct llmr_hit *h = &hits.v[i];
		struct llmr_buf sn = LLMR_BUF_INIT;

		llmr_search_snippet(h->text, question, PASSAGE_BYTES, NULL, NULL, &sn);
		llmr_buf_addf(&r->text, "\n[%zu] ", i + 1);
		add_sanitized(&r->text, h->source);
		if (h->heading[0]) {
			llmr_buf_adds(&r->text, " \xe2\x80\x94 ");
			add_sanitized(&r->text, h->heading);
		}
		llmr_buf_adds(&r->text, "\n\xc2\xab ");
		add_sanitized(&r->text, sn.s ? sn.s : "");
		llmr_buf_adds(&r->text, " \xc2\xbb\n");
		llmr_buf_release(&sn);
		json_array_append_new(*sources, llmr_hit_json(h, hits.collection, question));
	}
	snprintf(r->finish_reason, sizeof(r->finish_reason), "stop");
	memset(&r->usage, 0, sizeof(r->usage));
	r->usage.provider_cost_usd = -1;
	r->usage_seen = true;
	r->err = LLMR_ERR_NONE;
	r->done = true;
	llmr_hits_release(&hits);
	return 0;
}

int llmr_rag_retrieve(struct llmr_state *st, const struct llmr_config *cfg,
		      const char *collection, const char *query, long token_budget,
		      struct llmr_buf *context, json_t **sources, struct llmr_err *e)
{
	struct llmr_search_opts o = {collection, RAG_HITS, LLMR_SEARCH_HYBRID, -1, -1, 0, 0};
	struct llmr_hits hits;
	size_t budget = token_budget > 0 ? (size_t)token_budget * 4 : 8000, used = 0, i;

	*sources = NULL;
	if (llmr_search(st, cfg, &o, query, &hits, e) < 0)
		return -1;
	*sources = json_array();
	for (i = 0; i < hits.n; i++) {
		const struct llmr_hit *h = &hits.v[i];
		size_t need = strlen(h->text) + strlen(h->source) + strlen(h->heading) + 16;

		if (used + need > budget)
			break;
		llmr_buf_addf(context, "[%zu] %s%s%s\n%s\n\n", json_array_size(*sources) + 1,
			      h->source, h->heading[0] ? " - " : "", h->heading, h->text);
		used += need;
		json_array_append_new(*sources, llmr_hit_json(h, hits.collection, query));
	}
	llmr_hits_release(&hits);
	return 0;
}
