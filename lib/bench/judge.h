/*
 * judge.h - a model as judge: MT-Bench's single-answer grading (a rubric,
 * a score 0..10) and its pairwise comparison, asked twice with the answers
 * swapped so that position bias shows up as a tie rather than a win.
 */
#ifndef LLMR_BENCH_JUDGE_H
#define LLMR_BENCH_JUDGE_H

/* The grading prompt (new string): question, answer, rubric. */
char *llmr_judge_prompt(const char *question, const char *answer, const char *rubric);

/*
 * The score in a judge's reply, 0..10: the JSON object the prompt asks
 * for, {"score": 7, "reason": "..."}, validated (a JSON object whose
 * score is missing, not a number, out of range, or whose reason is not a
 * string gives -1); a reply without a JSON object is read the ways judges
 * wander to: "Rating: [[7]]" (MT-Bench), else
 * the last "score: 7", "rating: 7.5" or "7/10", else a reply that is only
 * a number. Returns 0 and *score, or -1 when no score in range is found.
 */
int llmr_judge_parse_score(const char *text, double *score);

/* The pairwise prompt (new string): A is shown first. */
char *llmr_judge_pair_prompt(const char *question, const char *answer_a, const char *answer_b);

/*
 * The verdict of a pairwise reply: 'A', 'B', 'C' (a tie, MT-Bench's
 * letter), or 0 when none can be read. The prompt asks for one JSON
 * object, {"winner": "A" | "B" | "tie", "reason": "..."}, which is
 * validated: an object whose winner is missing or another word, or whose
 * reason is not a string, gives 0. A reply without a JSON object is read
 * as MT-Bench's judges answer: exactly one of [[A]], [[B]], [[C]].
 */
int llmr_judge_parse_verdict(const char *text);

/* The reason of a reply's valid JSON verdict (new string), or NULL when
 * the reply holds no valid JSON verdict or it gives no reason. */
char *llmr_judge_verdict_reason(const char *text);

/*
 * MT-Bench's rule: first is the verdict with A shown first, second the one
 * with the answers swapped (its 'A' is the second model). Returns 'A' or
 * 'B' when both verdicts name the same model, else 'T' (a tie: the
 * verdicts disagree, say tie, or one could not be read).
 */
int llmr_judge_combine(int first, int second);

/* 1 when the two verdicts agree once the swap is undone (A then B, B then
 * A, tie then tie). Two readable verdicts that do not agree are counted
 * as inconsistent: the tie they make is the judge's position bias. */
int llmr_judge_consistent(int first, int second);

#endif
