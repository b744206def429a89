/*
 * format_score.h - how well an answer has the form asked for, when a case
 * asks for JSON (plan section 5.3): the mean of four parts, each 0..1.
 *   parseable  1 when the whole answer is JSON (white space aside), 0.5
 *              when JSON can only be cut out of it (a ``` fence, or text
 *              around the outermost braces), 0 when there is none;
 *   required   the share of the schema's required properties present, at
 *              every level the answer reaches;
 *   nested     the share of the schema's objects and arrays that are an
 *              object or an array in the answer;
 *   types      the share of the answer's values checked by a "type"
 *              keyword that have that type.
 * Without a schema (is-json) the last three are 1 when JSON was found.
 * With no JSON at all every part is 0 and the answer is flagged "prose";
 * JSON cut out of text is flagged "wrapped".
 */
#ifndef LLMR_BENCH_FORMAT_SCORE_H
#define LLMR_BENCH_FORMAT_SCORE_H

#include <jansson.h>

struct llmr_format_score {
	double parseable, required, nested, types;
	double score;         /* their mean */
	const char *flag;     /* "prose", "wrapped" or NULL (static) */
};

/* Score text against schema (may be NULL). */
void llmr_format_score(const char *text, const json_t *schema, struct llmr_format_score *f);

/* f as {"score","parseable","required","nested","types","flag"} (new). */
json_t *llmr_format_score_json(const struct llmr_format_score *f);

#endif
