#include "cli/warm.h"

#include <string.h>

int llmr_warm_request(const struct llmr_config *cfg, const char *line, size_t len, json_t **obj,
		      struct llmr_ask_req *req, struct llmr_err *e)
{
	size_t i = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < len && line[i] == '{') {
		if (llmr_ask_req_parse_line(cfg, line, len, obj, req, e) < 0)
			return -1;
	} else {
		while (len > i && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
			len--;
		*obj = json_stringn(line + i, len - i);
		if (!*obj)
			return llmr_errf(e, LLMR_EX_DATAERR, "not UTF-8 text");
		req->prompt = json_string_value(*obj);
	}
	/* Warming is never worth more than the traffic it prepares for: the
	 * lowest priority, whatever the line or the command line says; and an
	 * answer already there is read, not bought again. */
	req->priority = 3;
	req->no_cache = false;
	req->no_store = false;
	return 0;
}

json_t *llmr_warm_summary(const json_t *resp, long lineno)
{
	json_t *o = json_pack("{s:I,s:O?}", "line", (json_int_t)lineno, "id",
			      json_object_get(resp, "id"));
	json_t *v;

	if ((v = json_object_get(resp, "skipped"))) {
		json_object_set(o, "skipped", v);
	} else if ((v = json_object_get(resp, "error"))) {
		json_object_set(o, "error", json_object_get(v, "class"));
	} else {
		json_object_set(o, "cache", json_object_get(resp, "cache"));
		json_object_set(o, "cost_usd", json_object_get(resp, "cost_usd"));
	}
	return o;
}
