/*
 * ask_print.c - what llmr-ask prints besides the answer: the -v line on
 * stderr, the sources of a RAG answer, --check-config's summary and its
 * missing-key warnings, and --list-models.
 */
#include "cli/ask_print.h"

#include <string.h>

#include "cli/cli.h"
#include "conf/key_status.h"

void llmr_ask_print_verbose(const json_t *resp)
{
	json_t *u = json_object_get(resp, "usage");

	llmr_warn("%s: %lld in (%lld cached) + %lld out tokens, $%.6f, %lld ms (ttft %lld ms)%s",
		  json_string_value(json_object_get(resp, "model")),
		  (long long)json_integer_value(json_object_get(u, "input_tokens")),
		  (long long)json_integer_value(json_object_get(u, "cached_tokens")),
		  (long long)json_integer_value(json_object_get(u, "output_tokens")),
		  json_real_value(json_object_get(resp, "cost_usd")),
		  (long long)json_integer_value(json_object_get(resp, "latency_ms")),
		  (long long)json_integer_value(json_object_get(resp, "ttft_ms")),
		  json_is_true(json_object_get(resp, "fallback")) ? ", after fallback" : "");
}

void llmr_ask_print_sources(FILE *fp, const json_t *resp)
{
	json_t *src = json_object_get(resp, "sources"), *hit;
	size_t i;

	if (!json_array_size(src))
		return;
	fputs("\nSources:\n", fp);
	json_array_foreach(src, i, hit) {
		const char *url = json_string_value(json_object_get(hit, "url"));

		/* A web address (llmr-index --url-base) is what readers open. */
		fprintf(fp, "  [%zu] %s (chunk %lld)\n", i + 1,
			url && strncmp(url, "file:", 5) ? url
						       : json_string_value(json_object_get(hit, "source")),
			(long long)json_integer_value(json_object_get(hit, "chunk")));
	}
}

/* The summary, then a warning for each model a route would skip for its
 * key: the config is right, the environment is not (exit stays 0). */
int llmr_ask_check_config(const char *path, const struct llmr_config *cfg, int quiet)
{
	json_t *models = llmr_models_json(cfg), *mo;
	size_t i;

	printf("%s: ok (%zu providers, %zu models, %zu routes)\n", path ? path : "<built-in>",
	       cfg->nproviders, json_array_size(models), cfg->nroutes);
	json_array_foreach(models, i, mo)
		if (!quiet && json_object_get(mo, "why"))
			llmr_warn("warning: %s: %s", json_string_value(json_object_get(mo, "model")),
				  json_string_value(json_object_get(mo, "why")));
	json_decref(models);
	return 0;
}

void llmr_ask_list_models(FILE *fp, const struct llmr_config *cfg, int json)
{
	json_t *models = llmr_models_json(cfg), *mo;
	struct llmr_buf b = LLMR_BUF_INIT;
	size_t i;

	if (json) {
		json_array_foreach(models, i, mo) {
			json_dumpf(mo, fp, JSON_COMPACT | JSON_PRESERVE_ORDER);
			fputc('\n', fp);
		}
	} else {
		llmr_models_text(models, &b);
		fwrite(b.s, 1, b.len, fp);
		llmr_buf_release(&b);
	}
	json_decref(models);
}
