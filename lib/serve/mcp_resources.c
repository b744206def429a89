/*
 * Collections as resources: llmr://collection/NAME (NAME percent-encoded),
 * whose content is the collection's stats (llmr-index --stats --json).
 */
#include "serve/mcp_impl.h"

#include <stdlib.h>
#include <string.h>

#include "index/index.h"

#define URI_PREFIX "llmr://collection/"

static int unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static void collection_uri(const char *name, struct llmr_buf *out)
{
	llmr_buf_adds(out, URI_PREFIX);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (unreserved(*p))
			llmr_buf_add(out, p, 1);
		else
			llmr_buf_addf(out, "%%%02X", *p);
	}
}

static int hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The collection name in uri, or -1 when uri names none of ours. */
static int collection_of(const char *uri, struct llmr_buf *name)
{
	const char *p;
	int hi, lo;

	if (strncmp(uri, URI_PREFIX, strlen(URI_PREFIX)))
		return -1;
	for (p = uri + strlen(URI_PREFIX); *p; p++) {
		if (*p != '%') {
			llmr_buf_add(name, p, 1);
			continue;
		}
		if ((hi = hex(p[1])) < 0 || (lo = hex(p[2])) < 0 || (!hi && !lo))
			return -1;
		llmr_buf_addf(name, "%c", (char)(hi * 16 + lo));
		p += 2;
	}
	return name->len ? 0 : -1;
}

static json_t *describe(json_t *stats)
{
	const char *name = json_string_value(json_object_get(stats, "collection"));
	struct llmr_buf uri = LLMR_BUF_INIT, desc = LLMR_BUF_INIT;
	json_t *r;

	collection_uri(name, &uri);
	llmr_buf_addf(&desc, "document collection: %lld documents, %lld chunks, embedder %s",
		      (long long)json_integer_value(json_object_get(stats, "documents")),
		      (long long)json_integer_value(json_object_get(stats, "chunks")),
		      json_string_value(json_object_get(stats, "embedder")));
	r = json_pack("{s:s, s:o, s:o, s:s}", "uri", uri.s, "name", llmr_mcp_string(name),
		      "description", llmr_mcp_string(desc.s), "mimeType", "application/json");
	llmr_buf_release(&uri);
	llmr_buf_release(&desc);
	return r;
}

json_t *llmr_mcp_resources_list(struct llmr_mcp *m, json_t *params, FILE *log,
				struct llmr_err *e)
{
	json_t *all, *list, *stats;
	size_t i;

	(void)params, (void)log;
	if (llmr_index_stats(m->o.st, NULL, &all, e) < 0) {
		e->code = MCP_INTERNAL_ERROR;
		return NULL;
	}
	list = json_array();
	json_array_foreach(all, i, stats)
		json_array_append_new(list, describe(stats));
	json_decref(all);
	return json_pack("{s:o}", "resources", list);
}

json_t *llmr_mcp_resources_read(struct llmr_mcp *m, json_t *params, FILE *log,
				struct llmr_err *e)
{
	const char *uri = json_string_value(json_object_get(params, "uri"));
	struct llmr_buf name = LLMR_BUF_INIT;
	json_t *stats = NULL, *r = NULL;
	char *text;
	int rc;

	(void)log;
	if (!uri) {
		llmr_errf(e, MCP_INVALID_PARAMS, "uri: expected a string");
		return NULL;
	}
	rc = collection_of(uri, &name);
	if (rc == 0)
		rc = llmr_index_stats(m->o.st, name.s, &stats, e);
	if (rc < 0) {
		/* SEP-2164 and the TypeScript SDK: not found is invalid params. */
		if (!e->code || e->code == LLMR_EX_NOINPUT)
			llmr_errf(e, MCP_INVALID_PARAMS, "resource not found: '%s'", uri);
		else
			e->code = MCP_INTERNAL_ERROR;
	} else {
		text = json_dumps(stats, JSON_COMPACT);
		r = json_pack("{s:[{s:s, s:s, s:s}]}", "contents", "uri", uri, "mimeType",
			      "application/json", "text", text ? text : "{}");
		free(text);
	}
	json_decref(stats);
	llmr_buf_release(&name);
	return r;
}
