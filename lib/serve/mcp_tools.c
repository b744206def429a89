#include "serve/mcp_impl.h"

#include <stdlib.h>
#include <string.h>

#define MAX_K 1000

/* {"type": type, "description": desc}: one property of a schema. */
static json_t *prop(const char *type, const char *desc)
{
	return json_pack("{s:s, s:s}", "type", type, "description", desc);
}

static json_t *search_tool(const struct llmr_mcp *m)
{
	json_t *props = json_object(), *t;
	char desc[300];

	json_object_set_new(props, "query", prop("string", "the words or question to look for"));
	snprintf(desc, sizeof(desc), "the collection to search (default: %s)",
		 m->o.collection ? m->o.collection : "default");
	json_object_set_new(props, "collection", prop("string", desc));
	json_object_set_new(props, "k", json_pack("{s:s, s:i, s:i, s:s}", "type", "integer",
						  "minimum", 1, "maximum", MAX_K, "description",
						  "how many hits to return (default 10)"));
	json_object_set_new(props, "mode", json_pack("{s:s, s:[sss], s:s}", "type", "string", "enum",
						     "hybrid", "bm25", "vector", "description",
						     "keywords (bm25), meaning (vector) or both fused "
						     "(hybrid, the default)"));
	t = json_pack("{s:s, s:s, s:s, s:{s:s, s:o, s:[s]}, s:{s:b, s:b}}",
		      "name", "search", "title", "Search documents",
		      "description",
		      "Search an indexed document collection. Returns the best passages, one "
		      "JSON object per line: source (file), chunk, heading, snippet, score, url, "
		      "collection.",
		      "inputSchema", "type", "object", "properties", props, "required", "query",
		      "annotations", "readOnlyHint", 1, "openWorldHint", 0);
	if (llmr_mcp_structured(m))
		json_object_set_new(t, "outputSchema",
				    json_pack("{s:s, s:{s:{s:s, s:{s:s}}}, s:[s]}", "type", "object",
					      "properties", "hits", "type", "array", "items", "type",
					      "object", "required", "hits"));
	return t;
}

json_t *llmr_mcp_tools_list(struct llmr_mcp *m, json_t *params, FILE *log, struct llmr_err *e)
{
	(void)params, (void)log, (void)e;
	/* Two tools: no pagination, whatever the cursor. */
	return json_pack("{s:[oo]}", "tools", search_tool(m), llmr_mcp_ask_tool(m));
}

/* The search arguments into o; -1 with a message for the model in e. */
static int search_args(const struct llmr_mcp *m, json_t *args, struct llmr_search_opts *o,
		       const char **query, struct llmr_err *e)
{
	json_t *v;
	int mode;

	*query = json_string_value(json_object_get(args, "query"));
	if (!*query || !**query)
		return llmr_errf(e, MCP_INVALID_PARAMS, "query: expected a non-empty string");
	o->collection = m->o.collection;
	o->k = m->o.k ? m->o.k : 10;
	o->mode = m->o.mode;
	if ((v = json_object_get(args, "collection"))) {
		if (!json_is_string(v) || !json_string_length(v))
			return llmr_errf(e, MCP_INVALID_PARAMS, "collection: expected a name");
		o->collection = json_string_value(v);
	}
	if ((v = json_object_get(args, "k"))) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > MAX_K)
			return llmr_errf(e, MCP_INVALID_PARAMS, "k: expected an integer from 1 to %d",
					 MAX_K);
		o->k = (size_t)json_integer_value(v);
	}
	if ((v = json_object_get(args, "mode"))) {
		mode = json_is_string(v) ? llmr_search_mode_parse(json_string_value(v)) : -1;
		if (mode < 0)
			return llmr_errf(e, MCP_INVALID_PARAMS,
					 "mode: expected hybrid, bm25 or vector");
		o->mode = (enum llmr_search_mode)mode;
	}
	return 0;
}

static json_t *search(struct llmr_mcp *m, json_t *args, FILE *log)
{
	struct llmr_search_opts o = {NULL, 10, LLMR_SEARCH_HYBRID, -1, -1, 0, 0};
	struct llmr_err e = {0, ""};
	struct llmr_hits hits;
	struct llmr_buf text = LLMR_BUF_INIT;
	const char *query;
	json_t *arr, *r;
	char *line;

	if (search_args(m, args, &o, &query, &e) < 0 ||
	    llmr_search(m->o.st, m->o.cfg, &o, query, &hits, &e) < 0)
		return llmr_mcp_tool_error(m, log, "search", e.msg);
	/* The text is what llmr-search --json prints: one hit a line. */
	arr = json_array();
	for (size_t i = 0; i < hits.n; i++) {
		json_t *h = llmr_hit_json(&hits.v[i], hits.collection, query);

		line = json_dumps(h, JSON_COMPACT);
		if (line) {
			llmr_buf_addf(&text, "%s\n", line);
			free(line);
		}
		json_array_append_new(arr, h);
	}
	if (!hits.n)
		llmr_buf_addf(&text, "no match in collection '%s'", hits.collection);
	r = llmr_mcp_tool_result(m, text.s, json_pack("{s:o}", "hits", arr));
	llmr_buf_release(&text);
	llmr_hits_release(&hits);
	return r;
}

json_t *llmr_mcp_tools_call(struct llmr_mcp *m, json_t *params, FILE *log, struct llmr_err *e)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	json_t *args = json_object_get(params, "arguments");

	if (!name) {
		llmr_errf(e, MCP_INVALID_PARAMS, "name: expected a tool name");
		return NULL;
	}
	if (args && !json_is_object(args)) {
		llmr_errf(e, MCP_INVALID_PARAMS, "arguments: expected an object");
		return NULL;
	}
	if (!strcmp(name, "search"))
		return search(m, args, log);
	if (!strcmp(name, "ask"))
		return llmr_mcp_ask(m, args, log);
	llmr_errf(e, MCP_INVALID_PARAMS, "unknown tool: '%s'", name);
	return NULL;
}
