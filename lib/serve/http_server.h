/*
 * http_server.h - an OpenAI-compatible HTTP server over llmr_ask
 * (llmr-ask --serve), on GNU libmicrohttpd, one thread per connection.
 *
 *   POST /v1/chat/completions  (stream or not)   GET /v1/models
 *   POST /v1/embeddings                          GET /health
 *   GET /                       the status page for an admin (HTML)
 *
 * Every answer goes through llmr_ask: routing, quotas, caps, caches,
 * fallbacks and the request log are those of llmr-ask. Clients present a
 * bearer key whose SHA-256 is listed in serve: keys: (then required); the
 * key names an agent, whose requests are logged under its name
 * (serve_agents) and held to its monthly cap. Keys are never logged.
 */
#ifndef LLMR_HTTP_SERVER_H
#define LLMR_HTTP_SERVER_H

#include <stdio.h>

#include "conf/config.h"
#include "base/util.h"

/* A request body longer than this is refused with 413. */
#define LLMR_SRV_MAX_BODY (4u << 20)

struct llmr_srv_opts {
	const char *listen;     /* "[HOST:]PORT"; HOST defaults to 127.0.0.1 */
	const char *state_path; /* the state file every request logs into */
	FILE *log;              /* one line per request, and server events */
	const char *name;       /* log prefix, e.g. "llmr-ask" */
};

struct llmr_srv;

/*
 * Start serving cfg (the server takes it over, and frees it when no
 * request uses it any more). Refuses a non-loopback HOST when cfg has no
 * serve keys. Returns 0 and *out, or -1 with e (LLMR_EX_USAGE for a bad
 * address, LLMR_EX_CONFIG for a bad alias, LLMR_EX_UNAVAILABLE when the
 * port cannot be bound).
 */
int llmr_srv_start(struct llmr_config *cfg, const struct llmr_srv_opts *o,
		   struct llmr_srv **out, struct llmr_err *e);

/* The port listened on (useful with port 0). */
unsigned llmr_srv_port(const struct llmr_srv *s);

/* Serve cfg from now on (taken over); requests in flight finish on the
 * config they started with. Returns 0, or -1 with e when cfg cannot be
 * served (a bad alias), the old config staying in use (cfg is freed). */
int llmr_srv_reload(struct llmr_srv *s, struct llmr_config *cfg, struct llmr_err *e);

/* Stop accepting, let every request in flight finish (their quota
 * leases are settled or released by llmr_ask), then free everything. */
void llmr_srv_stop(struct llmr_srv *s);

#endif
