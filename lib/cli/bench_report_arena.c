/*
 * bench_report_arena.c - the human arena's part of llmr-bench report, as
 * text and as HTML: per model the answers people scored, their mean score
 * (0..10, a person's, apart from the suites' 0..1) and the distribution of
 * tags, with a bar chart of the tags over every answer in the page.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/bench_report.h"
#include "cost/report.h"

#define S(o, k) json_string_value(json_object_get((o), (k)))
#define N(o, k) json_number_value(json_object_get((o), (k)))
#define I(o, k) ((long long)json_integer_value(json_object_get((o), (k))))

/* The first three tags of every list are the canonical ones (report.h). */
#define NCANON 3

static long long other_count(const json_t *tags)
{
	long long n = 0;

	for (size_t i = NCANON; i < json_array_size(tags); i++)
		n += I(json_array_get(tags, i), "count");
	return n;
}

static void tag_line(FILE *fp, struct llmr_buf *b, const char *lead, const json_t *tags, size_t from)
{
	if (json_array_size(tags) <= from)
		return;
	fprintf(fp, "%s", lead);
	for (size_t i = from; i < json_array_size(tags); i++) {
		const json_t *t = json_array_get(tags, i);
		const char *s = S(t, "tag");

		llmr_buf_reset(b);
		llmr_sanitize_for_tty(b, s, strlen(s));
		fprintf(fp, "%s%s %lld", i > from ? ", " : "", b->s ? b->s : "", I(t, "count"));
	}
	fputc('\n', fp);
}

void llmr_bench_report_arena_text(FILE *fp, struct llmr_buf *b, const json_t *r)
{
	const json_t *a = json_object_get(r, "arena");
	json_t *m;
	size_t i;

	fprintf(fp, "\nHuman arena (a person's score 0..10 from llmr-bench arena, apart from the"
		" suites' 0..1; answers given each tag)\n");
	if (!I(a, "answers")) {
		fprintf(fp, "no arena scores recorded\n");
		return;
	}
	fprintf(fp, "%-36s %7s %6s %6s %13s %12s %10s %6s\n", "model", "answers", "people", "human",
		"hallucination", "format error", "incomplete", "other");
	json_array_foreach(json_object_get(a, "models"), i, m) {
		const json_t *t = json_object_get(m, "tags");
		const char *s = S(m, "model");

		llmr_buf_reset(b);
		llmr_sanitize_for_tty(b, s, strlen(s));
		fprintf(fp, "%-36s %7lld %6lld %6.2f %13lld %12lld %10lld %6lld\n", b->s ? b->s : "",
			I(m, "answers"), I(m, "evaluators"), N(m, "mean_human_score"),
			I(json_array_get(t, 0), "count"), I(json_array_get(t, 1), "count"),
			I(json_array_get(t, 2), "count"), other_count(t));
		tag_line(fp, b, "  other tags: ", t, NCANON);
	}
	tag_line(fp, b, "tags over all answers: ", json_object_get(a, "tags"), 0);
}

/* One bar per tag over every answer scored. */
static void chart_tags(struct llmr_buf *b, const json_t *tags)
{
	const double X0 = 200, W = 400, ROW = 22;
	size_t i, n = json_array_size(tags);
	long long max = 1;
	json_t *t;

	json_array_foreach(tags, i, t)
		if (I(t, "count") > max)
			max = I(t, "count");
	llmr_buf_addf(b, "<svg id=\"chart-tags\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\""
		      " height=\"%.0f\">\n", X0 + W + 60, ROW * (double)n + 10);
	json_array_foreach(tags, i, t) {
		double y = ROW * (double)i + 4, w = (double)I(t, "count") / (double)max * W;

		llmr_buf_addf(b, "<text x=\"0\" y=\"%.0f\" font-size=\"12\">", y + 13);
		llmr_html_escape(b, S(t, "tag"));
		llmr_buf_addf(b, "</text><rect class=\"tag-bar\" x=\"%.0f\" y=\"%.0f\" width=\"%.1f\""
			      " height=\"16\" fill=\"%s\"/><text x=\"%.1f\" y=\"%.0f\" font-size=\"12\">%lld</text>\n",
			      X0, y, w, i < NCANON ? "#e15759" : "#4e79a7", X0 + w + 6, y + 13, I(t, "count"));
	}
	llmr_buf_adds(b, "</svg>\n");
}

void llmr_bench_report_arena_html(struct llmr_buf *b, const json_t *r)
{
	const json_t *a = json_object_get(r, "arena");
	json_t *m;
	size_t i;

	llmr_buf_addf(b, "<h2>Human arena</h2>\n<p>A person's scores (0 to 10, from llmr-bench arena),"
		      " apart from the suites' scores (0 to 1); how many answers were given each tag."
		      " Answers scored: <span id=\"arena-answers\">%lld</span>.</p>\n", I(a, "answers"));
	if (!I(a, "answers")) {
		llmr_buf_adds(b, "<p id=\"no-arena\">No arena scores recorded.</p>\n");
		return;
	}
	chart_tags(b, json_object_get(a, "tags"));
	llmr_buf_adds(b, "<table id=\"arena\">\n<tr><th>model</th><th>answers</th><th>people</th>"
		      "<th>human score</th><th>hallucination</th><th>format error</th><th>incomplete</th>"
		      "<th>other tags</th></tr>\n");
	json_array_foreach(json_object_get(a, "models"), i, m) {
		const json_t *t = json_object_get(m, "tags");

		llmr_buf_adds(b, "<tr><td>");
		llmr_html_escape(b, S(m, "model"));
		llmr_buf_addf(b, "</td><td>%lld</td><td>%lld</td><td>%.2f</td><td>%lld</td><td>%lld</td>"
			      "<td>%lld</td><td>", I(m, "answers"), I(m, "evaluators"),
			      N(m, "mean_human_score"), I(json_array_get(t, 0), "count"),
			      I(json_array_get(t, 1), "count"), I(json_array_get(t, 2), "count"));
		for (size_t k = NCANON; k < json_array_size(t); k++) {
			llmr_buf_adds(b, k > NCANON ? ", " : "");
			llmr_html_escape(b, S(json_array_get(t, k), "tag"));
			llmr_buf_addf(b, " %lld", I(json_array_get(t, k), "count"));
		}
		llmr_buf_adds(b, "</td></tr>\n");
	}
	llmr_buf_adds(b, "</table>\n");
}
