#include "index/embed.h"

#include "base/interrupt.h"
#include "provider/attempt_log.h"
#include "route/quota.h"
#include "route/spend.h"

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
	if (llmr_embed_is_local(spec)) {
		em->cooc = spec && !strcmp(spec, "local-cooc");
		em->spec = llmr_xstrdup(em->cooc ? "local-cooc" : "local");
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
				 "index.embedder '%s': expected 'local', 'local-cooc' or 'provider/model'", spec);
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

/*
 * Money, as for any model call (route/spend.h): hold the batch's estimated
 * cost against the caps before the request (route "embeddings"), and log
 * the request with its actual cost before giving the hold back, so that
 * embeddings count in every cap and in llmr-cost. Returns 0 when the call
 * may go (held, or the state failed: that must not stop indexing), -1 with
 * e (exit 75) when a cap would be crossed.
 */
static int hold_money(struct llmr_embedder *em, long est, struct llmr_spend_hold *h,
		      struct llmr_err *e)
{
	struct llmr_spend_req q = {em->provider, "embeddings", NULL, 0, false, 0};
	struct llmr_err se = {0, ""};
	char why[256];

	memset(h, 0, sizeof(*h));
	if (!em->st)
		return 0;
	q.est_usd = llmr_spend_estimate(em->model_cfg, est, 0);
	if (llmr_spend_reserve(em->st, &q, h, why, sizeof(why), &se) == 0)
		return llmr_errf(e, LLMR_EX_TEMPFAIL, "embeddings from %s: %s", em->provider->name, why);
	return 0;
}

static void log_and_release(struct llmr_embedder *em, struct llmr_spend_hold *h, long http_status,
			    const char *status, long tokens, int64_t t0)
{
	struct llmr_attempt a;
	struct llmr_err e = {0, ""};
	char id[64];

	if (!em->st)
		return;
	memset(&a, 0, sizeof(a));
	llmr_new_request_id(id);
	a.request_id = id;
	a.attempt = 1;
	a.ts_ms = t0;
	a.route = "embeddings";
	a.provider = em->provider->name;
	a.model = em->model;
	a.status = status;
	a.http_status = http_status;
	a.usage.input_tokens = tokens;
	a.usage.provider_cost_usd = -1;
	a.cost_usd = em->model_cfg ? llmr_usage_cost(em->model_cfg, &a.usage) : 0;
	a.latency_ms = llmr_now_ms() - t0;
	a.ttft_ms = -1;
	llmr_state_log_attempt(em->st, &a, &e);
	llmr_spend_release(em->st, h, a.cost_usd, &e);
}

/* Before a request: a quota reservation shared with every other llmr
 * process (a state error must not stop indexing), then the money hold.
 * Returns 0, or -1 with e (exit 75) when either refuses. */
static int admit(struct llmr_embedder *em, long est, struct llmr_quota_res *res,
		 struct llmr_spend_hold *hold, struct llmr_err *e)
{
	char why[160] = "";
	struct llmr_err qe = {0, ""};

	memset(hold, 0, sizeof(*hold));
	if (em->st && llmr_quota_acquire(em->st, em->provider, em->model_cfg, est,
					 llmr_quota_rank(2, 0), MAX_WAIT_MS, res, why, sizeof(why),
					 &qe) == 0)
		return llmr_errf(e, LLMR_EX_TEMPFAIL, "embeddings from %s: %s", em->provider->name,
				 why);
	if (hold_money(em, est, hold, e) < 0) {
		if (res->id)
			llmr_quota_release(em->st, res, false, NULL);
		return -1;
	}
	return 0;
}

/* Stopped by a signal: logged, and everything held given back now, not
 * at the lease's end. Returns -1 with e (exit 130). */
static int stopped(struct llmr_embedder *em, struct llmr_spend_hold *hold,
		   struct llmr_quota_res *res, struct llmr_http_resp *resp, long est, int64_t t0,
		   struct llmr_err *e)
{
	log_and_release(em, hold, resp->status, llmr_errclass_name(LLMR_ERR_CANCELLED), est, t0);
	llmr_http_resp_release(resp);
	if (res->id)
		llmr_quota_release(em->st, res, true, NULL);
	return llmr_errf(e, LLMR_EX_INTERRUPTED, "embeddings from %s: interrupted",
			 em->provider->name);
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
		req.cancel = llmr_interrupt_flag();
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
		struct llmr_quota_res res = {0};
		struct llmr_spend_hold hold;
		int64_t t0 = llmr_now_ms();
		long est = 0;
		size_t i;
		struct llmr_http_resp resp = {0};
		struct llmr_ratelimit rl;
		size_t nv = 0;
		long toks = 0;
		int rc;

		if (*llmr_interrupt_flag())
			return llmr_errf(e, LLMR_EX_INTERRUPTED, "embeddings from %s: interrupted",
					 em->provider->name);
		for (i = 0; i < n; i++)
			est += (long)strlen(texts[i]) / 4 + 1;
		if (admit(em, est, &res, &hold, e) < 0)
			return -1;
		rc = send_batch(em, texts, n, &resp, e);
		if (*llmr_interrupt_flag())
			return stopped(em, &hold, &res, &resp, est, t0, e);
		if (rc == 0 && resp.status >= 200 && resp.status < 300) {
			rc = em->adapter->parse_embed(resp.body.s ? resp.body.s : "", resp.body.len,
						      vecs, &nv, dim, &toks, e);
			log_and_release(em, &hold, resp.status,
					llmr_errclass_name(rc == 0 ? LLMR_ERR_NONE : LLMR_ERR_PROTOCOL),
					toks > 0 ? toks : est, t0);
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
		log_and_release(em, &hold, resp.status,
				llmr_errclass_name(rc == 0 ? llmr_errclass_from_status(resp.status)
						   : LLMR_ERR_NETWORK), 0, t0);
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
			/* A status that is no HTTP error is the protocol's fault. */
			return llmr_errf(e, llmr_errclass_exit(c ? c : LLMR_ERR_PROTOCOL),
					 "embeddings from %s: HTTP %ld (%s)",
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
