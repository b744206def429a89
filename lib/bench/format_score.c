/*
 * format_score.c - the format score of format_score.h: the answer's JSON
 * (strict, else cut out of the text around it), then one walk of the
 * schema over it counting the required properties, containers and types
 * it checks and how many hold.
 */
#include <string.h>

#include "bench/format_score.h"
#include "bench/jschema.h"

struct tally {
	size_t req, req_ok, nest, nest_ok, typed, typed_ok;
};

static json_t *load(const char *s, size_t n)
{
	return json_loadb(s, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
}

/* JSON inside text: a ``` fence first, else the outermost braces or
 * brackets. NULL when neither parses. */
static json_t *cut_out(const char *t)
{
	const char *f = strstr(t, "```"), *open, *close;
	json_t *j;

	if (f) {
		const char *body = strchr(f + 3, '\n'), *end;

		if (body && (end = strstr(body, "```")) && (j = load(body, (size_t)(end - body))))
			return j;
	}
	for (const char *pair = "{}[]"; *pair; pair += 2) {
		open = strchr(t, pair[0]);
		close = strrchr(t, pair[1]);
		if (open && close > open && (j = load(open, (size_t)(close - open + 1))))
			return j;
	}
	return NULL;
}

/* The container a schema node describes: 'o', 'a' or 0. */
static int container(const json_t *s)
{
	json_t *t = json_object_get(s, "type");
	json_t *obj = json_object(), *arr = json_array();
	int c = 0;

	if (t) {
		if (llmr_jschema_type_ok(t, obj))
			c = 'o';
		else if (llmr_jschema_type_ok(t, arr))
			c = 'a';
	} else if (json_object_get(s, "properties") || json_object_get(s, "required"))
		c = 'o';
	else if (json_object_get(s, "items"))
		c = 'a';
	json_decref(obj);
	json_decref(arr);
	return c;
}

static void walk(const json_t *s, const json_t *inst, struct tally *t, int depth)
{
	json_t *x, *req = json_object_get(s, "required"), *type = json_object_get(s, "type");
	const char *k;
	size_t i;
	int c = container(s);

	if (depth > 32)
		return;
	if (type && (t->typed++, llmr_jschema_type_ok(type, inst)))
		t->typed_ok++;
	if (c && (t->nest++, (c == 'o' ? json_is_object(inst) : json_is_array(inst))))
		t->nest_ok++;
	json_array_foreach(req, i, x)
		if (t->req++, json_is_object(inst) && json_object_get(inst, json_string_value(x)))
			t->req_ok++;
	if (json_is_object(inst))
		json_object_foreach(json_object_get(s, "properties"), k, x)
			if (json_object_get(inst, k))
				walk(x, json_object_get(inst, k), t, depth + 1);
	if (json_is_array(inst) && (x = json_object_get(s, "items")))
		for (i = 0; i < json_array_size(inst); i++)
			walk(x, json_array_get(inst, i), t, depth + 1);
}

static double share(size_t ok, size_t n)
{
	return n ? (double)ok / (double)n : 1;
}

void llmr_format_score(const char *text, const json_t *schema, struct llmr_format_score *f)
{
	const char *t = text ? text : "";
	json_t *j = load(t, strlen(t));
	struct tally tl = {0, 0, 0, 0, 0, 0};

	memset(f, 0, sizeof(*f));
	f->parseable = 1;
	if (!j && (j = cut_out(t))) {
		f->parseable = 0.5;
		f->flag = "wrapped";
	}
	if (!j) {
		f->parseable = 0;
		f->flag = "prose";
		return;
	}
	if (schema)
		walk(schema, j, &tl, 0);
	json_decref(j);
	f->required = share(tl.req_ok, tl.req);
	f->nested = share(tl.nest_ok, tl.nest);
	f->types = share(tl.typed_ok, tl.typed);
	f->score = (f->parseable + f->required + f->nested + f->types) / 4;
}

json_t *llmr_format_score_json(const struct llmr_format_score *f)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:s?}", "score", f->score, "parseable",
			 f->parseable, "required", f->required, "nested", f->nested, "types",
			 f->types, "flag", f->flag);
}
