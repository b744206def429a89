/*
 * http_models.c - GET /v1/models (routes, aliases, provider/model ids) and
 * POST /v1/embeddings (the index's embedder, index.embedder).
 */
#include "serve/http_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/embed.h"

static void add_model(json_t *data, const char *id, const char *owner)
{
	json_array_append_new(data, json_pack("{s:s, s:s, s:i, s:s}", "id", id, "object", "model",
					      "created", 0, "owned_by", owner));
}

enum MHD_Result srv_models(struct srv_req *r, struct MHD_Connection *c)
{
	const struct llmr_config *cfg = r->sc->cfg;
	json_t *data = json_array();
	char spec[300];
	size_t i, j;

	add_model(data, "llmr", "llmr");
	for (i = 0; i < cfg->nroutes; i++)
		add_model(data, cfg->routes[i].name, "llmr-route");
	for (i = 0; i < cfg->naliases; i++)
		add_model(data, cfg->aliases[i].name, "llmr-alias");
	for (i = 0; i < cfg->nproviders; i++)
		for (j = 0; j < cfg->providers[i].nmodels; j++) {
			snprintf(spec, sizeof(spec), "%s/%s", cfg->providers[i].name,
				 cfg->providers[i].models[j].name);
			add_model(data, spec, cfg->providers[i].name);
		}
	return srv_reply_json(r, c, 200, json_pack("{s:s, s:o}", "object", "list", "data", data),
			      NULL);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64 of the vector as little-endian float32, as the openai SDK
 * decodes it (Float32Array over the bytes). */
static json_t *base64_floats(const float *v, size_t dim)
{
	size_t n = dim * 4, i;
	unsigned char *bytes = llmr_xmalloc(n);
	struct llmr_buf out = LLMR_BUF_INIT;
	json_t *s;

	for (i = 0; i < dim; i++) {
		uint32_t u;

		memcpy(&u, &v[i], 4);
		bytes[4 * i] = (unsigned char)u;
		bytes[4 * i + 1] = (unsigned char)(u >> 8);
		bytes[4 * i + 2] = (unsigned char)(u >> 16);
		bytes[4 * i + 3] = (unsigned char)(u >> 24);
	}
	for (i = 0; i < n; i += 3) {
		unsigned a = bytes[i], b = i + 1 < n ? bytes[i + 1] : 0, c = i + 2 < n ? bytes[i + 2] : 0;
		char q[4] = {b64[a >> 2], b64[((a & 3) << 4) | (b >> 4)],
			     i + 1 < n ? b64[((b & 15) << 2) | (c >> 6)] : '=',
			     i + 2 < n ? b64[c & 63] : '='};

		llmr_buf_add(&out, q, 4);
	}
	s = json_stringn(out.s ? out.s : "", out.len);
	llmr_buf_release(&out);
	free(bytes);
	return s;
}

static json_t *floats(const float *v, size_t dim)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < dim; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

/* "input": a string or an array of strings, into texts[] (borrowed). */
static int read_input(json_t *input, const char ***texts, size_t *n)
{
	json_t *v;
	size_t i;

	if (json_is_string(input)) {
		*texts = llmr_xcalloc(1, sizeof(**texts));
		(*texts)[0] = json_string_value(input);
		*n = 1;
		return 0;
	}
	if (!json_is_array(input) || !json_array_size(input))
		return -1;
	*texts = llmr_xcalloc(json_array_size(input), sizeof(**texts));
	json_array_foreach(input, i, v) {
		if (!json_is_string(v))
			return -1;
		(*texts)[i] = json_string_value(v);
	}
	*n = json_array_size(input);
	return 0;
}

static json_t *embeddings_json(struct llmr_embedder *em, const float *vecs, size_t n, int b64out)
{
	json_t *data = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(data, json_pack("{s:s, s:I, s:o}", "object", "embedding",
						      "index", (json_int_t)i, "embedding",
						      b64out ? base64_floats(vecs + i * em->dim, em->dim)
						      : floats(vecs + i * em->dim, em->dim)));
	return json_pack("{s:s, s:o, s:s, s:{s:I, s:I}}", "object", "list", "data", data, "model",
			 em->spec, "usage", "prompt_tokens", (json_int_t)em->input_tokens,
			 "total_tokens", (json_int_t)em->input_tokens);
}

enum MHD_Result srv_embeddings(struct srv_req *r, struct MHD_Connection *c)
{
	struct llmr_err e = {0, ""};
	struct llmr_embedder *em = NULL;
	json_t *body = json_loadb(r->body.s ? r->body.s : "", r->body.len, 0, NULL), *out = NULL;
	const char **texts = NULL, *fmt;
	float *vecs = NULL;
	size_t n = 0;
	enum MHD_Result rc = MHD_NO;

	fmt = json_string_value(json_object_get(body, "encoding_format"));
	if (!json_is_object(body) || read_input(json_object_get(body, "input"), &texts, &n) < 0)
		rc = srv_reply_error(r, c, 400, "invalid_request_error", "invalid_value", "input",
				     "'input' must be a string or a non-empty array of strings");
	else if (fmt && strcmp(fmt, "float") && strcmp(fmt, "base64"))
		rc = srv_reply_error(r, c, 400, "invalid_request_error", "invalid_value",
				     "encoding_format", "'encoding_format' must be float or base64");
	else if (llmr_embedder_open(r->sc->cfg, r->sc->cfg->index_embedder, &em, &e) < 0 ||
		 llmr_embedder_embed(em, texts, n, &vecs, &e) < 0)
		rc = srv_reply_error(r, c, e.code == LLMR_EX_TEMPFAIL ? 503 : 502, "server_error",
				     "embedder_failed", NULL, e.msg);
	else
		out = embeddings_json(em, vecs, n, fmt && !strcmp(fmt, "base64"));
	if (out)
		rc = srv_reply_json(r, c, 200, out, NULL);
	llmr_embedder_free(em);
	free(vecs);
	free(texts);
	json_decref(body);
	return rc;
}
