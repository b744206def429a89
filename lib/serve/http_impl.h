/*
 * http_impl.h - private to lib/serve/http_*.c: the server, one request,
 * and the helpers the endpoints share.
 */
#ifndef LLMR_HTTP_IMPL_H
#define LLMR_HTTP_IMPL_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>

#include "serve/http_server.h"
#include "store/state.h"

/* A config shared by the requests that started on it. */
struct srv_cfg {
	struct llmr_config *cfg;
	int refs;
};

struct llmr_srv {
	struct MHD_Daemon *daemon;
	struct llmr_srv_opts o;
	char *state_path;
	pthread_mutex_t mu;
	pthread_cond_t idle;      /* inflight reached 0 */
	struct srv_cfg *cur;      /* under mu */
	struct llmr_state **pool; /* idle state connections, under mu */
	size_t npool, pool_alloc;
	int inflight;             /* requests and stream producers, under mu */
	unsigned port;
};

/* One HTTP request, from its first byte to its log line. */
struct srv_req {
	struct llmr_srv *srv;
	struct srv_cfg *sc;       /* the config it runs on (a reference) */
	const struct llmr_serve_key *key; /* the client's, or NULL */
	struct llmr_buf body;
	int too_large;
	int64_t t0;
	const char *method, *url; /* MHD's, valid until completion */
	unsigned status;          /* sent, for the log line */
	char id[40];              /* the llmr request id, when asked */
	char model[160];          /* answered by, for the log line */
	double cost;
	int streamed;             /* the stream writes the log line */
};

/* A reference on the config in use now. */
struct srv_cfg *srv_cfg_current(struct llmr_srv *s);
/* Take another reference on sc; returns it. */
struct srv_cfg *srv_cfg_hold(struct llmr_srv *s, struct srv_cfg *sc);
/* Drop a reference on a config (freed with the last one). */
void srv_cfg_drop(struct llmr_srv *s, struct srv_cfg *sc);

/* The state connection of this request (taken from the pool). */
struct llmr_state *srv_state_take(struct llmr_srv *s, struct llmr_err *e);
void srv_state_give(struct llmr_srv *s, struct llmr_state *st);
void srv_inflight(struct llmr_srv *s, int delta);

/* Queue a JSON body (taken over) with status; headers NULL-terminated
 * name/value pairs. Returns MHD's result. */
enum MHD_Result srv_reply_json(struct srv_req *r, struct MHD_Connection *c, unsigned status,
			       json_t *body, const char *const *headers);
/* OpenAI's error shape {"error":{"message","type","param","code"}}. */
enum MHD_Result srv_reply_error(struct srv_req *r, struct MHD_Connection *c, unsigned status,
				const char *type, const char *code, const char *param,
				const char *msg);
json_t *srv_error_json(const char *type, const char *code, const char *param, const char *msg);

/* The endpoints. */
enum MHD_Result srv_chat(struct srv_req *r, struct MHD_Connection *c);
enum MHD_Result srv_models(struct srv_req *r, struct MHD_Connection *c);
enum MHD_Result srv_embeddings(struct srv_req *r, struct MHD_Connection *c);
enum MHD_Result srv_status_page(struct srv_req *r, struct MHD_Connection *c);

/* What a client's "model" names: a route, or a provider/model (model set),
 * through the aliases. Returns 0, or -1 (unknown). */
int srv_resolve_model(const struct llmr_config *cfg, const char *name, const char **route,
		      const char **model);

/* The agent's spend this month (serve_agents joined to requests). */
int srv_agent_month_spend(struct llmr_state *st, const char *agent, double *usd,
			  struct llmr_err *e);
/* Record that request id was the agent's. */
int srv_agent_record(struct llmr_state *st, const char *id, const char *agent,
		     struct llmr_err *e);

/* Seconds until the earliest blocked quota window of cfg frees (>= 1). */
long srv_retry_after(struct llmr_state *st, const struct llmr_config *cfg);

#endif
