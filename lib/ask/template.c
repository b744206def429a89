/* Prompt templates: {{name}} and {{input}}, checked both ways. */
#include "ask/template.h"

#include <string.h>

/* The name inside "{{ name }}" at s (spaces allowed round it): its start
 * and length, and the end of the whole placeholder; 0 if s is not one. */
static int placeholder(const char *s, const char **name, size_t *len, const char **end)
{
	const char *p = s + 2, *q;

	if (strncmp(s, "{{", 2))
		return 0;
	while (*p == ' ')
		p++;
	for (q = p; (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		    (*q >= '0' && *q <= '9') || *q == '_' || *q == '-';
	     q++)
		;
	*name = p;
	*len = (size_t)(q - p);
	while (*q == ' ')
		q++;
	if (!*len || strncmp(q, "}}", 2))
		return -1;
	*end = q + 2;
	return 1;
}

bool llmr_template_uses(const char *tmpl, const char *name)
{
	const char *p, *n, *end;
	size_t len;

	for (p = tmpl; (p = strstr(p, "{{")); p += 2)
		if (placeholder(p, &n, &len, &end) == 1 && len == strlen(name) &&
		    !strncmp(n, name, len))
			return true;
	return false;
}

static const char *lookup(const char *name, size_t len, const char *input,
			  const struct llmr_tvar *vars, size_t n)
{
	if (len == 5 && !strncmp(name, "input", 5))
		return input;
	for (size_t i = 0; i < n; i++)
		if (strlen(vars[i].name) == len && !strncmp(vars[i].name, name, len))
			return vars[i].value;
	return NULL;
}

int llmr_template_render(const char *route, const char *tmpl, const char *input,
			 const struct llmr_tvar *vars, size_t n, struct llmr_buf *out,
			 struct llmr_err *e)
{
	const char *p = tmpl, *open, *name, *end, *v;
	size_t len;
	int kind;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(vars[i].name, "input") || !llmr_template_uses(tmpl, vars[i].name))
			return llmr_errf(e, LLMR_EX_USAGE,
					 "-p %s: the template of route '%s' has no {{%s}}",
					 vars[i].name, route, vars[i].name);
	while ((open = strstr(p, "{{"))) {
		llmr_buf_add(out, p, (size_t)(open - p));
		if (!(kind = placeholder(open, &name, &len, &end))) {
			llmr_buf_adds(out, "{{");
			p = open + 2;
			continue;
		}
		if (kind < 0)
			return llmr_errf(e, LLMR_EX_USAGE,
					 "the template of route '%s' has a malformed {{...}} "
					 "(a name of letters, digits, '_' and '-')", route);
		if (!(v = lookup(name, len, input, vars, n)))
			return llmr_errf(e, LLMR_EX_USAGE,
					 "the template of route '%s' needs {{%.*s}}: give -p %.*s VALUE",
					 route, (int)len, name, (int)len, name);
		llmr_buf_adds(out, v);
		p = end;
	}
	llmr_buf_adds(out, p);
	return 0;
}
