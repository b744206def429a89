#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index/extractive.h"
#include "index/index.h"
#include "index/search.h"
#include "store/state.h"
#include "tap.h"

static char *src_path(const char *rel)
{
	const char *src = getenv("LLMR_SRC");
	struct llmr_buf b = LLMR_BUF_INIT;

	llmr_buf_addf(&b, "%s/%s", src ? src : ".", rel);
	return llmr_buf_detach(&b);
}

static int ends_with_section(const char *heading, const char *label)
{
	size_t h = strlen(heading), l = strlen(label);

	return h >= l && !strcmp(heading + h - l, label) &&
	       (h == l || (h >= l + 3 && !strncmp(heading + h - l - 3, " > ", 3)));
}

/* nDCG@10 with binary gains over the hits' sections. */
static double ndcg(const struct llmr_hits *h, json_t *rel)
{
	double dcg = 0, idcg = 0;
	size_t i, j, nrel = json_array_size(rel);
	int *used = calloc(nrel ? nrel : 1, sizeof(int));

	for (i = 0; i < h->n && i < 10; i++)
		for (j = 0; j < nrel; j++)
			if (!used[j] && ends_with_section(h->v[i].heading, json_string_value(json_array_get(rel, j)))) {
				used[j] = 1;
				dcg += 1.0 / log2((double)i + 2);
				break;
			}
	for (i = 0; i < nrel && i < 10; i++)
		idcg += 1.0 / log2((double)i + 2);
	free(used);
	return idcg > 0 ? dcg / idcg : 0;
}

static void test_snippet(void)
{
	struct llmr_buf b = LLMR_BUF_INIT;

	llmr_search_snippet("Un deux trois. Les chaussures sont attach\xc3\xa9" "es par paires.", "chaussures",
			    1000, "[", "]", &b);
	is_str(b.s, "Un deux trois. Les [chaussures] sont attach\xc3\xa9" "es par paires.", "terms marked");
	llmr_buf_reset(&b);
	llmr_search_snippet("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda", "kappa", 20,
			    NULL, NULL, &b);
	ok(strstr(b.s, "kappa") != NULL, "window moves to the match: %s", b.s);
	ok(!strncmp(b.s, "\xe2\x80\xa6", 3), "ellipsis where cut");
	llmr_buf_reset(&b);
	llmr_search_snippet("Une s\xc3\xa9" "curit\xc3\xa9 accrue", "securite", 100, "<", ">", &b);
	is_str(b.s, "Une <s\xc3\xa9" "curit\xc3\xa9> accrue", "accent-insensitive match");
	llmr_buf_release(&b);
}

int main(void)
{
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	struct llmr_indexer *ix;
	struct llmr_index_opts o = {0};
	struct llmr_index_counts c;
	char *corpus = src_path("tests/demo/corpus"), *qpath = src_path("tests/fixtures/queries/ressourcerie.jsonl");
	const char *modes[] = {"bm25", "vector", "hybrid"};
	double sum[3] = {0}, lang[2][3] = {{0}};
	int nq = 0, nlang[2] = {0}, m;
	struct llmr_chat_result r;
	json_t *sources = NULL;
	char line[2048];
	FILE *fp;

	test_snippet();
	ok(llmr_state_open(":memory:", &st, &e) == 0, "state: %s", e.msg);
	o.collection = "demo";
	ok(llmr_index_open(st, NULL, &o, &ix, &e) == 0, "indexer opens: %s", e.msg);
	ok(llmr_index_paths(ix, &corpus, 1, &e) == 0, "corpus indexed: %s", e.msg);
	ok(llmr_index_close(ix, &c, &e) == 0 && c.added == 4 && c.failed == 0, "4 documents, none failed");

	fp = fopen(qpath, "r");
	ok(fp != NULL, "query set opens");
	while (fp && fgets(line, sizeof(line), fp)) {
		json_t *q = json_loads(line, 0, NULL);
		int en = !strcmp(json_string_value(json_object_get(q, "lang")), "en");

		for (m = 0; m < 3; m++) {
			struct llmr_search_opts so = {"demo", 10, (enum llmr_search_mode)llmr_search_mode_parse(modes[m]), -1, -1, 0, 0};
			struct llmr_hits h;
			double v;

			if (llmr_search(st, NULL, &so, json_string_value(json_object_get(q, "q")), &h, &e) < 0) {
				ok(0, "search failed: %s", e.msg);
				continue;
			}
			v = ndcg(&h, json_object_get(q, "rel"));
			sum[m] += v;
			lang[en][m] += v;
			llmr_hits_release(&h);
		}
		nq++;
		nlang[en]++;
		json_decref(q);
	}
	if (fp)
		fclose(fp);
	ok(nq >= 50, "%d labelled queries", nq);
	printf("# nDCG@10 over %d queries: bm25 %.3f  vector %.3f  hybrid %.3f\n", nq, sum[1 - 1] / nq,
	       sum[1] / nq, sum[2] / nq);
	printf("# French (%d): bm25 %.3f vector %.3f hybrid %.3f; English (%d): bm25 %.3f vector %.3f hybrid %.3f\n",
	       nlang[0], lang[0][0] / nlang[0], lang[0][1] / nlang[0], lang[0][2] / nlang[0], nlang[1],
	       lang[1][0] / nlang[1], lang[1][1] / nlang[1], lang[1][2] / nlang[1]);
	ok(sum[2] >= sum[0] && sum[2] >= sum[1], "hybrid nDCG@10 >= max(bm25, vector)");
	ok(sum[2] / nq > 0.5, "hybrid is useful (%.3f)", sum[2] / nq);

	llmr_chat_result_init(&r);
	ok(llmr_extractive_answer(st, NULL, "demo", "Que faire d'une chaussure seule ?", &r, &sources, &e) == 0,
	   "extractive answer");
	ok(strstr(r.text.s, "extractive") && strstr(r.text.s, "Chaussures"), "labelled, quoting the right section");
	ok(json_array_size(sources) > 0 && strstr(json_string_value(json_object_get(json_array_get(sources, 0), "heading")), "Chaussures"),
	   "sources in the search-hit shape, best first");
	is_int(r.usage.input_tokens + r.usage.output_tokens, 0, "no tokens");
	json_decref(sources);
	llmr_chat_result_release(&r);
	llmr_chat_result_init(&r);
	ok(llmr_extractive_answer(st, NULL, "empty", "Where is the office?", &r, &sources, &e) == 0 &&
		   strstr(r.text.s, "llmr-index") && json_array_size(sources) == 0,
	   "empty collection: says how to index, no error");
	json_decref(sources);
	llmr_chat_result_release(&r);
	{
		struct llmr_buf ctx = LLMR_BUF_INIT;

		ok(llmr_rag_retrieve(st, NULL, "demo", "punaises de lit", 120, &ctx, &sources, &e) == 0, "RAG retrieve");
		ok(ctx.len > 0 && ctx.len <= 120 * 4 && !strncmp(ctx.s, "[1] ", 4), "numbered passages within the budget (%zu bytes)", ctx.len);
		is_int(json_array_size(sources), 1, "sources list what was used");
		json_decref(sources);
		llmr_buf_release(&ctx);
	}
	llmr_state_close(st);
	free(corpus);
	free(qpath);
	done_testing();
}
