/*
 * report.h - llmr-bench report: what the bench tables say, in one JSON
 * object that the text, JSON and HTML outputs all print from.
 *
 * The skill of a result is the name of its suite: suites have no skill or
 * tag field, and a suite is written per skill (tests/demo/bench/).
 */
#ifndef LLMR_BENCH_REPORT_H
#define LLMR_BENCH_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include "store/state.h"

struct llmr_bench_report_opts {
	int64_t run;	  /* only this run's results and pairs (0: every run) */
	int64_t since_ms; /* only runs started and pairs judged since (0: all) */
	size_t rounds;	  /* bootstrap rounds of the ratings */
	uint64_t seed;	  /* of the bootstrap */
};

/*
 * {"run","since_ms",
 *  "runs":[{"id","suite","kind","started_ms","results"}] oldest first,
 *  "models":[{"model","results","mean_score","pass_rate","mean_cost_usd",
 *             "mean_latency_ms"}] best mean score first,
 *  "skills":[{"skill","models":[{"model", ... as above, "frontier"}]}]
 *           where frontier is true for the models no other model of the
 *           skill dominates (as cheap or cheaper on mean cost per case, as
 *           good or better on mean score, and better on one),
 *  "trends":[{"model","points":[{"run","started_ms","suite","mean_score"}]}],
 *  "pairs":{"judge":N,"human":N},
 *  "win_matrix":{"models":[...],"cells":[[null | {"wins","losses","ties",
 *                "games","rate"}]]} row against column, rate = (wins +
 *                ties / 2) / games, models in rating order,
 *  "ratings": as llmr_bench_ratings_of,
 *  "arena":{"answers","tags":[{"tag","count"}],
 *           "models":[{"model","answers","mean_human_score","evaluators",
 *                      "tags":[{"tag","count"}]}] best mean human score first}
 *          the answers people scored in llmr-bench arena (since: scored
 *          since), a person's scores 0..10 kept apart from the suites';
 *          tags: how many answers were given each tag, "hallucination",
 *          "format error" and "incomplete" always first, then free text,
 *          most given first}
 * Scores are case-weighted means (0..1), as llmr-bench run reports them.
 * New reference, or NULL and e (EX_NOINPUT when opts->run does not exist).
 */
json_t *llmr_bench_report(struct llmr_state *st, const struct llmr_bench_report_opts *opts,
			  struct llmr_err *e);

#endif
