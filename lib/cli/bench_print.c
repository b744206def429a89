/*
 * bench_print.c - the text reports of llmr-bench run, compare and ratings.
 * Model output is sanitized before it reaches a terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/bench_print.h"
#include "cli/cli.h"

#define S(o, k) json_string_value(json_object_get((o), (k)))
#define N(o, k) json_number_value(json_object_get((o), (k)))

static const char *clean(struct llmr_buf *b, const char *s)
{
	llmr_buf_reset(b);
	llmr_sanitize_for_tty(b, s ? s : "", s ? strlen(s) : 0);
	return b->s ? b->s : "";
}

/* The first reason a failed case failed. */
static const char *why_failed(const json_t *res)
{
	size_t i;
	json_t *a;

	if (S(res, "error"))
		return S(res, "error");
	json_array_foreach(json_object_get(res, "asserts"), i, a)
		if (S(a, "why"))
			return S(a, "why");
	return "below the threshold";
}

/* Plan 5.3's alerts: prose where JSON was asked in red, JSON wrapped in
 * text in yellow. */
static void print_format_flags(FILE *fp, const json_t *r, struct llmr_buf *b)
{
	bool color = llmr_cli_color(fp);
	json_t *res;
	size_t i;

	json_array_foreach(json_object_get(r, "results"), i, res) {
		const char *flag = S(json_object_get(res, "format"), "flag");
		int prose = flag && !strcmp(flag, "prose");

		if (!flag)
			continue;
		fprintf(fp, "%s%s %s case %lld: %s (format score %.3f)%s\n",
			color ? (prose ? "\033[31m" : "\033[33m") : "", prose ? "PROSE" : "WRAPPED",
			clean(b, S(res, "model")),
			(long long)json_integer_value(json_object_get(res, "case")),
			prose ? "prose where JSON was asked" : "JSON inside text",
			N(res, "format_score"), color ? "\033[0m" : "");
	}
}

static void print_model_line(FILE *fp, const json_t *m, struct llmr_buf *b)
{
	char pass[32];
	json_t *p50 = json_object_get(m, "p50_latency_ms"), *fmt = json_object_get(m, "mean_format_score");

	snprintf(pass, sizeof(pass), "%lld/%lld",
		 (long long)json_integer_value(json_object_get(m, "passed")),
		 (long long)json_integer_value(json_object_get(m, "cases")));
	fprintf(fp, "%-36s %7s %6.1f%% %6.3f %10.6f ", clean(b, S(m, "model")), pass,
		100 * N(m, "pass_rate"), N(m, "mean_score"), N(m, "cost_usd"));
	if (json_is_integer(p50))
		fprintf(fp, "%8lld ", (long long)json_integer_value(p50));
	else
		fprintf(fp, "%8s ", "-");
	if (json_is_number(fmt))
		fprintf(fp, "%6.3f\n", json_number_value(fmt));
	else
		fprintf(fp, "%6s\n", "-");
}

static void print_run(FILE *fp, const json_t *r)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	json_t *m, *res;
	size_t i;

	fprintf(fp, "suite %s (run %lld), threshold %g\n", clean(&b, S(r, "suite")),
		(long long)json_integer_value(json_object_get(r, "run")), N(r, "threshold"));
	fprintf(fp, "%-36s %7s %7s %6s %10s %8s %6s\n", "model", "pass", "rate", "score", "cost_usd",
		"p50_ms", "format");
	json_array_foreach(json_object_get(r, "models"), i, m)
		print_model_line(fp, m, &b);
	json_array_foreach(json_object_get(r, "results"), i, res)
		if (!json_is_true(json_object_get(res, "pass"))) {
			fprintf(fp, "FAIL %s case %lld (score %.3f): ", clean(&b, S(res, "model")),
				(long long)json_integer_value(json_object_get(res, "case")), N(res, "score"));
			fprintf(fp, "%s\n", clean(&b, why_failed(res)));
		}
	print_format_flags(fp, r, &b);
	if (json_is_true(json_object_get(r, "interrupted")))
		fprintf(fp, "interrupted: %s stored\n", llmr_bench_tally(r));
	llmr_buf_release(&b);
}

const char *llmr_bench_tally(const json_t *r)
{
	static char t[128];
	size_t i, passed = 0;
	json_t *res;

	json_array_foreach(json_object_get(r, "results"), i, res)
		passed += json_is_true(json_object_get(res, "pass"));
	snprintf(t, sizeof(t), "%zu of %zu results passed", passed,
		 json_array_size(json_object_get(r, "results")));
	return t;
}

static void print_compare(FILE *fp, const json_t *r)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	const char *a = S(r, "model_a"), *bm = S(r, "model_b");
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(r, "pairs"), i, p) {
		const char *w = S(p, "winner");

		fprintf(fp, "case %lld: ", (long long)json_integer_value(json_object_get(p, "case")));
		if (!w)
			fprintf(fp, "skipped: %s\n", clean(&b, S(p, "error")));
		else
			fprintf(fp, "%s%s (verdicts %s, then %s with the answers swapped)%s\n",
				!strcmp(w, "tie") ? "tie" : clean(&b, !strcmp(w, "a") ? a : bm),
				!strcmp(w, "tie") ? "" : " wins", S(p, "first"), S(p, "second"),
				json_is_true(json_object_get(p, "inconsistent")) ? ": inconsistent" : "");
	}
	fprintf(fp, "%s: %lld wins; ", clean(&b, a), (long long)json_integer_value(json_object_get(r, "a")));
	fprintf(fp, "%s: %lld wins; %lld ties (%lld inconsistent); %lld skipped (judge %s)\n",
		clean(&b, bm), (long long)json_integer_value(json_object_get(r, "b")),
		(long long)json_integer_value(json_object_get(r, "tie")),
		(long long)json_integer_value(json_object_get(r, "inconsistent")),
		(long long)json_integer_value(json_object_get(r, "skipped")), S(r, "judge"));
	if (json_is_true(json_object_get(r, "interrupted")))
		fprintf(fp, "interrupted: %zu cases compared\n", json_array_size(json_object_get(r, "pairs")));
	llmr_buf_release(&b);
}

static void print_ratings(FILE *fp, const json_t *r)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	json_t *m;
	size_t i;

	if (!json_array_size(json_object_get(r, "models"))) {
		fprintf(fp, "no pairwise results yet: llmr-bench compare makes some\n");
		return;
	}
	fprintf(fp, "%4s %-36s %7s %15s %6s %5s %5s\n", "rank", "model", "rating", "95% CI", "games",
		"wins", "ties");
	json_array_foreach(json_object_get(r, "models"), i, m) {
		char ci[40];

		snprintf(ci, sizeof(ci), "%.0f..%.0f", N(m, "ci_low"), N(m, "ci_high"));
		fprintf(fp, "%4lld %-36s %7.0f %15s %6lld %5lld %5lld\n",
			(long long)json_integer_value(json_object_get(m, "rank")), clean(&b, S(m, "model")),
			N(m, "rating"), ci, (long long)json_integer_value(json_object_get(m, "games")),
			(long long)json_integer_value(json_object_get(m, "wins")),
			(long long)json_integer_value(json_object_get(m, "ties")));
	}
	fprintf(fp, "Bradley-Terry over %lld pairwise results; 95%% intervals from %lld bootstrap "
		"rounds (seed %lld); rank = 1 + the models wholly above.\n", (long long)json_integer_value(json_object_get(r, "games")),
		(long long)json_integer_value(json_object_get(r, "rounds")),
		(long long)json_integer_value(json_object_get(r, "seed")));
	llmr_buf_release(&b);
}

void llmr_bench_print(FILE *fp, const char *cmd, const json_t *r, bool json)
{
	if (json) {
		json_dumpf(r, fp, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		fputc('\n', fp);
	} else if (!strcmp(cmd, "run"))
		print_run(fp, r);
	else if (!strcmp(cmd, "compare"))
		print_compare(fp, r);
	else
		print_ratings(fp, r);
}

int llmr_bench_unanswered(const char *cmd, const json_t *r)
{
	if (!strcmp(cmd, "run"))
		return json_integer_value(json_object_get(r, "answered")) ? 0 : LLMR_EX_UNAVAILABLE;
	if (!strcmp(cmd, "compare"))
		return json_integer_value(json_object_get(r, "skipped")) ==
				       (json_int_t)json_array_size(json_object_get(r, "pairs"))
			       ? LLMR_EX_UNAVAILABLE : 0;
	return 0;
}

const char *llmr_bench_first_error(const json_t *r)
{
	json_t *x = json_object_get(r, "results") ? json_object_get(r, "results")
						  : json_object_get(r, "pairs");
	size_t i;
	json_t *o;

	json_array_foreach(x, i, o)
		if (S(o, "error"))
			return S(o, "error");
	return "no answer";
}

static void csv_field(FILE *fp, const json_t *v)
{
	char *t = NULL;
	const char *s = "";

	if (json_is_string(v))
		s = json_string_value(v);
	else if (v && !json_is_null(v))
		s = t = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(6));
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', fp);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', fp);
			fputc(*s, fp);
		}
		fputc('"', fp);
	} else
		fputs(s, fp);
	free(t);
}

void llmr_bench_print_export(FILE *fp, const json_t *rows, bool csv)
{
	static const char *const cols[] = {"kind", "run", "suite", "source", "ts_ms", "model", "case",
					   "model_a", "model_b", "prompt", "output", "answer_a",
					   "answer_b", "winner", "error", "score", "pass", "cost_usd",
					   "latency_ms", "ttft_ms", "output_tps", "suite_hash",
					   "evaluator", "label", "answer", "tags", "comment",
					   "confidence", "time_ms", "answered_by", "itl_ms",
					   "input_tokens", "output_tokens", "format_score", "format",
					   "run_status", "run_finished_ms", "judge_reasons", NULL};
	size_t i;
	json_t *r;

	if (csv)
		for (int c = 0; cols[c]; c++)
			fprintf(fp, "%s%s", cols[c], cols[c + 1] ? "," : "\r\n");
	json_array_foreach(rows, i, r) {
		if (!csv) {
			json_dumpf(r, fp, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
			fputc('\n', fp);
			continue;
		}
		for (int c = 0; cols[c]; c++) {
			csv_field(fp, json_object_get(r, cols[c]));
			fputs(cols[c + 1] ? "," : "\r\n", fp);
		}
	}
}
