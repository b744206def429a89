/*
 * llmr-bench probe: a tiny request to each model of each chain, each
 * model's status and latency printed, the providers that answered marked
 * verified for llmr-quota.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/interrupt.h"
#include "cli/cli.h"
#include "conf/config.h"
#include "store/state.h"
#include "bench/probe.h"

#include "bench_cmd.h"

static void print_row(const json_t *it, int json)
{
	const char *st = json_string_value(json_object_get(it, "status"));
	const char *why = json_string_value(json_object_get(it, !strcmp(st, "ok") ? "provider" :
							    !strcmp(st, "skipped") ? "why" : "error"));
	char lat[32] = "-";

	if (json) {
		json_dumpf(it, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		if (json_is_integer(json_object_get(it, "latency_ms")))
			snprintf(lat, sizeof(lat), "%lld ms",
				 (long long)json_integer_value(json_object_get(it, "latency_ms")));
		printf("%-32s %-8s %-9s %s\n", json_string_value(json_object_get(it, "model")), st, lat,
		       why ? why : "");
	}
	fflush(stdout);
}

int bench_probe(struct bench_main *m, int argc, char **argv)
{
	struct llmr_err e = {0, ""};
	struct llmr_config *cfg;
	struct llmr_state *st;
	size_t i, failed = 0, later = 0, done = 0;
	char *path;
	json_t *plan, *it;

	if (argc > 1)
		llmr_die(LLMR_EX_USAGE, "probe: at most one ROUTE is taken");
	cfg = llmr_cli_config(m->config_opt, NULL);
	if (!(plan = llmr_probe_plan(cfg, argc ? argv[0] : NULL, &e)))
		bench_fail(&e);
	path = llmr_state_path(m->state_opt, cfg);
	if (llmr_state_open(path, &st, &e) < 0)
		bench_fail(&e);
	if (!m->json && !m->quiet)
		printf("%-32s %-8s %-9s %s\n", "Model", "Status", "Latency", "Provider, or why");
	json_array_foreach(plan, i, it) {
		if (llmr_interrupt_signal())
			break;
		if (llmr_probe_one(cfg, st, it, llmr_interrupt_flag(), &e) < 0)
			bench_fail(&e);
		done++;
		failed += !strcmp(json_string_value(json_object_get(it, "status")), "failed");
		later += json_is_true(json_object_get(it, "temporary"));
		if (!m->quiet || strcmp(json_string_value(json_object_get(it, "status")), "ok"))
			print_row(it, m->json);
	}
	if (failed)
		llmr_warn("probe: %zu of %zu models did not answer", failed, done);
	else if (later)
		llmr_warn("probe: %zu of %zu models could not be tried now (quota, breaker or budget)",
			  later, done);
	json_decref(plan);
	llmr_state_close(st);
	llmr_config_free(cfg);
	free(path);
	return failed ? LLMR_EX_UNAVAILABLE : later ? LLMR_EX_TEMPFAIL : 0;
}
