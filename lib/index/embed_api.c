#include "index/embed.h"

#include "route/quota.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Texts per embedding request: OpenAI takes up to 2048, Gemini's batch 100. */
#define BATCH 64
#define MAX_TRIES 3
/* Longest wait honoured from a retry-after before giving up (ms). */
#define MAX_WAIT_MS 60000

int llmr_embedder_open(const struct llmr_config *cfg, const char *spec,
		       struct llmr_embedder **out, struct llmr_err *e)
{
	struct llmr_embedder *em;
	const char *slash;
	char *pname;

	em = llmr_xcalloc(1, sizeof(*em));
	em->batch = BATCH;
	if (!spec || !*spec || !strcmp(spec, "local")) {
		em->spec = llmr_xstrdup("local");
		em->local = 1;
		em->dim = LLMR_EMBED_LOCAL_DIM;
		*out = em;
		return 0;
	}
	em->spec = llmr_xstrdup(spec);
	slash = strchr(spec, '/');
	if (!slash || slash == spec || !slash[1]) {
		llmr_embedder_free(em);
		return llmr_errf(e, LLMR_EX_CONFIG,
				 "index.embedder '%s': expected 'local' or 'provider/model'", spec);
	}
	pname = llmr_xstrndup(spec, (size_t)(slash - spec));
	em->provider = cfg ? llmr_config_provider(cfg, pname) : NULL;
	free(pname);
	em->model = llmr_xstrdup(slash + 1);
	if (!em->provider) {
		llmr_embedder_free(em);
		return llmr_errf(e, LLMR_EX_CONFIG, "index.embedder '%s': no such provider", spec);
	}
	em->adapter = llmr_adapter_for(em->provider->protocol);
	if (!em->adapter || !em->adapter->build_embed || !em->adapter->parse_embed) {
		llmr_embedder_free(em);
		return llmr_errf(e, LLMR_EX_CONFIG,
				 "index.embedder '%s': protocol %s has no embeddings", spec,
				 llmr_protocol_name(em->provider->protocol));
	}
	for (size_t i = 0; i < em->provider->nmodels; i++)
		if (!strcmp(em->provider->models[i].name, em->model))
			em->model_cfg = &em->provider->models[i];
	em->key = llmr_provider_api_key(em->provider, e);
	if (!em->key) {
		llmr_embedder_free(em);
		return -1;
	}
	*out = em;
	return 0;
}

void llmr_embedder_free(struct llmr_embedder *em)
{
	if (!em)
		return;
	if (em->key) {
		volatile char *k = em->key;

		while (*k)
			*k++ = 0;
		free(em->key);
	}
	free(em->spec);
	free(em->model);
	free(em);
}

static void normalise(float *v, size_t dim)
{
	double n = 0;
	size_t i;

	for (i = 0; i < dim; i++)
		n += (double)v[i] * v[i];
	if (n > 0)
		for (i = 0; i < dim; i++)
			v[i] = (float)(v[i] / sqrt(n));
}

static int http_code(enum llmr_errclass c)
{
	switch (c) {
	case LLMR_ERR_RATE_LIMITED:
	case LLMR_ERR_OVERLOADED:
		return LLMR_EX_TEMPFAIL;
	case LLMR_ERR_AUTH:
		return LLMR_EX_NOPERM;
	default:
		return LLMR_EX_UNAVAILABLE;
	}
}

/* Build and send the request for texts[0..n). Returns 0 with resp filled
 * (any status), or -1 with e. */
static int send_batch(struct llmr_embedder *em, const char *const *texts, size_t n,
		      struct llmr_http_resp *resp, struct llmr_err *e)
{
	struct llmr_buf url = LLMR_BUF_INIT, body = LLMR_BUF_INIT;
	struct llmr_headers hdrs = {0};
	struct llmr_http_req req = {0};
	int rc = em->adapter->build_embed(em->provider, em->key, em->model, texts, n, &url, &hdrs,
					  &body, e);

	if (rc == 0) {
		req.url = url.s;
		req.headers = &hdrs;
		req.body = body.s;
		req.body_len = body.len;
		req.timeout_ms = em->provider->timeout_ms > 0 ? em->provider->timeout_ms : 60000;
		req.connect_timeout_ms = em->provider->connect_timeout_ms;
		rc = llmr_http_perform(&req, resp, e);
	}
	llmr_buf_release(&url);
	llmr_buf_release(&body);
	llmr_headers_release(&hdrs);
	return rc;
}

/* One request for texts[0..n): *vecs gets n * *dim floats. */
static int embed_batch(struct llmr_embedder *em, const char *const *texts, size_t n,
		       float **vecs, size_t *dim, struct llmr_err *e)
{
	int tries;

	for (tries = 1;; tries++) {
		struct llmr_quota_res res = {0, 0, 0};
		long est = 0;
		size_t i;
		struct llmr_http_resp resp = {0};
		struct llmr_ratelimit rl;
		size_t nv = 0;
		long toks = 0;
		int rc;

		for (i = 0; i < n; i++)
			est += (long)strlen(texts[i]) / 4 + 1;
		if (em->st) {
			/* Share the provider's limits with every other llmr
			 * process; a state error must not stop indexing. */
			char why[160] = "";
			struct llmr_err qe = {0, ""};
			int got = llmr_quota_acquire(em->st, em->provider, em->model_cfg, est,
						     llmr_quota_rank(2, 0), MAX_WAIT_MS, &res, why,
						     sizeof(why), &qe);

			if (got == 0)
				return llmr_errf(e, LLMR_EX_TEMPFAIL, "embeddings from %s: %s",
						 em->provider->name, why);
		}
		rc = send_batch(em, texts, n, &resp, e);
		if (rc == 0 && resp.status >= 200 && resp.status < 300) {
			rc = em->adapter->parse_embed(resp.body.s ? resp.body.s : "", resp.body.len,
						      vecs, &nv, dim, &toks, e);
			llmr_http_resp_release(&resp);
			if (rc == 0 && nv != n) {
				free(*vecs);
				*vecs = NULL;
				return llmr_errf(e, LLMR_EX_UNAVAILABLE,
						 "embeddings: asked for %zu vectors, got %zu", n, nv);
			}
			if (rc == 0)
				em->input_tokens += toks;
			if (res.id)
				llmr_quota_settle(em->st, &res, toks > 0 ? toks : est, NULL);
			return rc;
		}
		if (res.id)
			llmr_quota_release(em->st, &res, resp.status > 0, NULL);
		if (rc == 0) {
			enum llmr_errclass c = llmr_errclass_from_status(resp.status);
			double wait;

			llmr_ratelimit_init(&rl);
			llmr_ratelimit_parse(&resp.headers, (double)llmr_now_ms() / 1000.0, &rl);
			wait = llmr_ratelimit_wait_s(&rl, NULL);
			llmr_http_resp_release(&resp);
			if ((c == LLMR_ERR_RATE_LIMITED || c == LLMR_ERR_OVERLOADED) &&
			    tries < MAX_TRIES && wait * 1000 <= MAX_WAIT_MS) {
				/* Respect the provider's quota: wait as told. */
				llmr_sleep_ms(wait > 0 ? (int64_t)(wait * 1000) : 1000 * tries);
				continue;
			}
			return llmr_errf(e, http_code(c), "embeddings from %s: HTTP %ld (%s)",
					 em->provider->name, resp.status, llmr_errclass_name(c));
		}
		llmr_http_resp_release(&resp);
		return -1;
	}
}

int llmr_embedder_embed(struct llmr_embedder *em, const char *const *texts, size_t n,
			float **vecs, struct llmr_err *e)
{
	float *all = NULL;
	size_t i, off;

	if (em->local) {
		all = llmr_xmalloc((n ? n : 1) * LLMR_EMBED_LOCAL_DIM * sizeof(float));
		for (i = 0; i < n; i++)
			llmr_embed_local(texts[i], strlen(texts[i]), all + i * LLMR_EMBED_LOCAL_DIM);
		*vecs = all;
		return 0;
	}
	for (off = 0; off < n; off += em->batch) {
		size_t m = n - off < em->batch ? n - off : em->batch, dim = 0;
		float *v = NULL;

		if (embed_batch(em, texts + off, m, &v, &dim, e) < 0) {
			free(all);
			return -1;
		}
		if (!em->dim)
			em->dim = dim;
		if (dim != em->dim || !dim) {
			free(v);
			free(all);
			return llmr_errf(e, LLMR_EX_UNAVAILABLE,
					 "embeddings: dimension changed from %zu to %zu", em->dim, dim);
		}
		if (!all)
			all = llmr_xmalloc(n * em->dim * sizeof(float));
		for (i = 0; i < m; i++)
			normalise(v + i * dim, dim);
		memcpy(all + off * em->dim, v, m * dim * sizeof(float));
		free(v);
	}
	if (!all)
		all = llmr_xmalloc(sizeof(float));
	*vecs = all;
	return 0;
}
