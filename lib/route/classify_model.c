#include "route/classify_model.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/vocab.h"
#include "route/side_call.h"

/* The prompt is kept tiny: the classifier must cost a fraction of a cent. */
static const char sys_prompt[] =
	"Classify how hard the user's request is for a language model. "
	"Answer with exactly one word: simple, medium or complex.";

/* Long prompts are cut: the start says enough about the difficulty. */
#define CLASSIFY_MAX_BYTES 4000
/* One word is asked for. */
#define CLASSIFY_MAX_TOKENS 5

int llmr_classify_parse_tier(const char *answer)
{
	char w[16];
	size_t n = 0;

	if (!answer)
		return -1;
	while (*answer && !isalpha((unsigned char)*answer))
		answer++;
	while (isalpha((unsigned char)*answer) && n < sizeof(w) - 1)
		w[n++] = (char)tolower((unsigned char)*answer++);
	w[n] = '\0';
	return llmr_complexity_parse(w);
}

int llmr_classify_model(const struct llmr_config *cfg, struct llmr_state *st,
			const char *request_id, const char *text, size_t len, bool *called)
{
	struct llmr_side_call q = {cfg->router_classifier, "router", request_id, sys_prompt,
				   text, len, CLASSIFY_MAX_BYTES, CLASSIFY_MAX_TOKENS};
	struct llmr_buf answer = LLMR_BUF_INIT;
	int tier = -1;

	if (llmr_side_call(cfg, st, &q, &answer, called) == 0)
		tier = llmr_classify_parse_tier(answer.s);
	llmr_buf_release(&answer);
	return tier;
}
