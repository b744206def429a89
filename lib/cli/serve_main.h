/*
 * serve_main.h - llmr-ask --serve: run the HTTP server (serve/http_server.h)
 * until SIGTERM or SIGINT, reloading the config on SIGHUP.
 */
#ifndef LLMR_SERVE_MAIN_H
#define LLMR_SERVE_MAIN_H

#include <stdio.h>

#include "conf/config.h"

/*
 * Serve cfg (taken over) on listen ("[HOST:]PORT"), logging into the
 * state file at state_path. config_path is what a reload reads again
 * (NULL: the same search as at start). Writes "NAME: serving on URL" and
 * one line per request to log. Returns the exit code: 0 after a graceful
 * stop, else a sysexits code after printing why.
 */
int llmr_cli_serve(struct llmr_config *cfg, const char *config_path, const char *state_path,
		   const char *listen, FILE *log);

#endif
