#include "cost/report.h"

#include <string.h>

/*
 * Everything `llmr-cost report` shows, from one load of the log: the
 * period, the previous one and the forecast window are read at once.
 */
int llmr_cost_run(sqlite3 *db, const struct llmr_config *cfg, int64_t since, int64_t until, int by,
		  const char *baseline, struct llmr_cost_run *run, struct llmr_err *e)
{
	int64_t ps, pu, first;

	memset(run, 0, sizeof(*run));
	llmr_cost_prev_period(since, until, &ps, &pu);
	if (llmr_forecast_window(until) < ps)
		ps = llmr_forecast_window(until);
	if (llmr_pricebook_load(&run->pb, cfg, db, e) || llmr_cost_first_ts(db, &first, e) ||
	    llmr_cost_log_load(db, ps, until, &run->log, e))
		return -1;
	if (llmr_cost_report_build(&run->log, since, until, by, &run->report, e))
		return -1;
	run->built = true;
	if (llmr_forecast_from_log(&run->log, first, until, &run->forecast, e) ||
	    llmr_savings_compute(&run->log, since, until, cfg, &run->pb, baseline, &run->savings, e))
		return -1;
	return 0;
}

void llmr_cost_run_release(struct llmr_cost_run *run)
{
	if (run->built)
		llmr_cost_report_release(&run->report);
	llmr_pricebook_release(&run->pb);
	llmr_cost_log_release(&run->log);
	memset(run, 0, sizeof(*run));
}
