/*
 * serve_main.c - the server's life: signals are blocked in every thread
 * and taken here with sigwait, so no handler runs inside libmicrohttpd or
 * SQLite; SIGHUP loads the config again (a broken file keeps the old one),
 * SIGTERM and SIGINT stop gracefully: requests in flight are answered and
 * their quota leases settled before the process exits.
 */
#include "cli/serve_main.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cost/prices.h"
#include "cost/routing_version.h"
#include "serve/http_server.h"
#include "store/state.h"

/* What llmr-cost stored wins over the file, as for every llmr-ask. */
static int apply_overlays(struct llmr_config *cfg, const char *state_path, struct llmr_err *e)
{
	struct llmr_state *st;
	int rc;

	if (llmr_state_open(state_path, &st, e) < 0)
		return -1;
	rc = llmr_routing_overlay(st, cfg, e) < 0 || llmr_prices_overlay(st, cfg, e) < 0 ? -1 : 0;
	llmr_state_close(st);
	return rc;
}

static void reload(struct llmr_srv *srv, const char *config_path, const char *state_path,
		   FILE *log)
{
	struct llmr_diags diags = {NULL, 0};
	struct llmr_err e = {0, ""};
	struct llmr_config *cfg = NULL;
	char *path = llmr_config_find(config_path);

	int rc = llmr_config_load(path, &cfg, &diags, &e);

	if (rc == 0 && apply_overlays(cfg, state_path, &e) < 0) {
		llmr_config_free(cfg);
		rc = -1;
	}
	/* llmr_srv_reload frees a config it refuses. */
	if (rc == 0)
		rc = llmr_srv_reload(srv, cfg, &e);
	if (rc < 0) {
		fprintf(log, "%s: reload: %s (still serving the previous config)\n",
			llmr_cli_prog(), e.msg);
	} else {
		fprintf(log, "%s: reload: %s loaded\n", llmr_cli_prog(), path ? path : "<built-in>");
	}
	fflush(log);
	llmr_diags_release(&diags);
	free(path);
}

int llmr_cli_serve(struct llmr_config *cfg, const char *config_path, const char *state_path,
		   const char *listen, FILE *log)
{
	struct llmr_srv_opts o = {listen, state_path, log, llmr_cli_prog()};
	struct llmr_err e = {0, ""};
	struct llmr_srv *srv;
	const char *colon;
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Before any thread exists, so that every thread inherits the mask. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (llmr_srv_start(cfg, &o, &srv, &e) < 0) {
		llmr_config_free(cfg);
		llmr_warn("%s", e.msg);
		return e.code;
	}
	colon = strrchr(listen, ':');
	fprintf(log, "%s: serving on http://%.*s:%u/\n", llmr_cli_prog(),
		colon ? (int)(colon - listen) : 9, colon ? listen : "127.0.0.1", llmr_srv_port(srv));
	fflush(log);
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		reload(srv, config_path, state_path, log);
	fprintf(log, "%s: stopping: finishing the requests in flight\n", llmr_cli_prog());
	fflush(log);
	llmr_srv_stop(srv);
	fprintf(log, "%s: stopped\n", llmr_cli_prog());
	return 0;
}
