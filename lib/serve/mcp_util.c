/*
 * What every part of the MCP server uses: the negotiated version, strings
 * safe for JSON, log lines, tool results.
 */
#include "serve/mcp_impl.h"

#include <stdarg.h>
#include <string.h>

#include "base/utf8.h"

bool llmr_mcp_structured(const struct llmr_mcp *m)
{
	/* Versions are dates: they compare as strings. */
	return m->version[0] && strcmp(m->version, "2025-06-18") >= 0;
}

json_t *llmr_mcp_string(const char *s)
{
	json_t *j = json_string(s);
	struct llmr_buf b = LLMR_BUF_INIT;
	size_t i = 0, n = strlen(s), len;

	if (j)
		return j;
	while (i < n) {
		len = llmr_utf8_seq((const unsigned char *)s + i, n - i);
		if (len) {
			llmr_buf_add(&b, s + i, len);
			i += len;
		} else {
			llmr_buf_add(&b, "?", 1);
			i++;
		}
	}
	j = json_string(b.s ? b.s : "");
	llmr_buf_release(&b);
	return j;
}

void llmr_mcp_log(const struct llmr_mcp *m, FILE *log, const char *fmt, ...)
{
	va_list ap;

	if (!log)
		return;
	fprintf(log, "%s: mcp: ", m->o.name);
	va_start(ap, fmt);
	vfprintf(log, fmt, ap);
	va_end(ap);
	fputc('\n', log);
	fflush(log);
}

json_t *llmr_mcp_tool_result(const struct llmr_mcp *m, const char *text, json_t *structured)
{
	json_t *r = json_object(), *content = json_array(), *c = json_object();

	json_object_set_new(c, "type", json_string("text"));
	json_object_set_new(c, "text", llmr_mcp_string(text));
	json_array_append_new(content, c);
	json_object_set_new(r, "content", content);
	if (structured && llmr_mcp_structured(m))
		json_object_set(r, "structuredContent", structured);
	json_decref(structured);
	return r;
}

json_t *llmr_mcp_tool_error(const struct llmr_mcp *m, FILE *log, const char *tool,
			    const char *msg)
{
	json_t *r = llmr_mcp_tool_result(m, msg, NULL);

	llmr_mcp_log(m, log, "tool %s: %s", tool, msg);
	json_object_set_new(r, "isError", json_true());
	return r;
}
