/* What-if replay: the synthetic month of --profile (see simulate.h). */
#include "cost/simulate_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_row_ts(const void *a, const void *b)
{
	const struct llmr_cost_row *x = a, *y = b;

	return (x->ts_ms > y->ts_ms) - (x->ts_ms < y->ts_ms);
}

/* Per_day requests of each profile, evenly spaced over 30 days. */
int llmr_sim_synth(const struct llmr_config *cfg, const struct llmr_pricebook *pb,
		   const struct llmr_sim_changes *ch, int64_t since, struct llmr_cost_log *log,
		   struct llmr_err *e)
{
	struct llmr_sim_changes none;
	size_t i;
	long k, serial = 0;

	llmr_sim_changes_init(&none);
	for (i = 0; i < ch->nprofiles; i++) {
		const struct llmr_sim_profile *p = &ch->profiles[i];
		long n = lround(p->per_day * 30);
		size_t nc;
		const char **c = llmr_sim_chain_for(cfg, &none, p->route, p->complexity, &nc);
		const char *model = p->model ? p->model : nc ? c[0] : NULL;
		const char *slash = model ? strchr(model, '/') : NULL;
		const struct llmr_price *pr = model ? llmr_pricebook_latest(pb, model) : NULL;
		const char *cx = llmr_complexity_name(p->complexity);

		if (!slash) {
			free(c);
			return llmr_errf(e, LLMR_EX_USAGE, "--profile '%s': no model: name one with model=P/M",
					 p->route);
		}
		for (k = 0; k < n; k++) {
			struct llmr_cost_row *r = llmr_cost_log_push(log);
			char rid[32];

			r->ts_ms = since + (int64_t)((double)k * (30.0 * LLMR_DAY_MS) / (double)n);
			snprintf(rid, sizeof(rid), "sim-%ld", serial++);
			r->rid = llmr_cost_hash(rid, strlen(rid));
			r->route = llmr_names_id(&log->names, p->route, strlen(p->route));
			r->model = llmr_names_id(&log->names, model, strlen(model));
			r->provider = llmr_names_id(&log->names, model, (size_t)(slash - model));
			r->complexity = llmr_names_id(&log->names, cx, strlen(cx));
			r->in = p->in;
			r->out = p->out;
			r->ok = true;
			r->cost = pr ? llmr_price_cost(pr, r->in, r->out, 0, 0) : 0;
		}
		free(c);
	}
	/* Profiles are spread over time, but logs come sorted: keep that. */
	qsort(log->rows, log->n, sizeof(*log->rows), cmp_row_ts);
	return 0;
}
