/*
 * template.h - a route's prompt template: "{{name}}" stands for the value
 * of -p name VALUE, "{{input}}" for the prompt. Every variable the template
 * names must be given and every one given must be used, so a typo is an
 * error (64) rather than a prompt sent with a hole or a value dropped.
 */
#ifndef LLMR_ASK_TEMPLATE_H
#define LLMR_ASK_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

struct llmr_tvar {
	const char *name, *value;
};

/* Whether tmpl names the variable name ("input": whether it takes the prompt). */
bool llmr_template_uses(const char *tmpl, const char *name);

/*
 * Fill tmpl into out: input (may be NULL when the template has no
 * {{input}}) and the n vars. Returns 0, or -1 with e (LLMR_EX_USAGE)
 * naming the variable missing, unknown or malformed; route names the
 * template's route in the message.
 */
int llmr_template_render(const char *route, const char *tmpl, const char *input,
			 const struct llmr_tvar *vars, size_t n, struct llmr_buf *out,
			 struct llmr_err *e);

#endif
