/*
 * suite.c - walking a suite's YAML document into struct llmr_suite. The
 * first problem stops the reading: a suite is short and fixed by hand, one
 * message at a time, with its position.
 */
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "bench/jschema.h"
#include "bench/suite_impl.h"

#define FOR_PAIRS(c, map, k, v)                                                          \
	for (yaml_node_pair_t *pr_ = (map)->data.mapping.pairs.start;                       \
	     pr_ < (map)->data.mapping.pairs.top &&                                          \
	     ((k) = yaml_document_get_node(&(c)->doc, pr_->key),                             \
	     (v) = yaml_document_get_node(&(c)->doc, pr_->value), 1);                        \
	     pr_++)

static int want_map(struct sy_ctx *c, yaml_node_t *n, const char *what)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return sy_fail(c, n, "%s must be a mapping, not %s", what, sy_kind(n));
	return 0;
}

static int want_list(struct sy_ctx *c, yaml_node_t *n, const char *what)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return sy_fail(c, n, "%s must be a list, not %s", what, sy_kind(n));
	return 0;
}

static int read_type(struct sy_ctx *c, yaml_node_t *v, struct llmr_assert *a)
{
	const char *s = sy_scalar(v);

	if (!s)
		return sy_fail(c, v, "'type' must be a string, not %s", sy_kind(v));
	a->negate = !strncmp(s, "not-", 4);
	for (int t = 0; t < LLMR_A_NTYPES; t++)
		if (!strcmp(s + (a->negate ? 4 : 0), llmr_assert_type_name(t))) {
			a->type = (enum llmr_assert_type)t;
			return 0;
		}
	return sy_fail(c, v, "unknown assertion type '%s' (equals, contains, icontains, regex, "
			     "is-json, json-schema, max-cost, max-latency, judge, or not- before one)", s);
}

/* The value, checked against the type once both are known. */
static int read_value(struct sy_ctx *c, yaml_node_t *at, yaml_node_t *v, struct llmr_assert *a)
{
	char why[256];
	int rc;

	switch (a->type) {
	case LLMR_A_IS_JSON:
		if (v)
			return sy_fail(c, v, "'is-json' takes no value (json-schema checks a schema)");
		return 0;
	case LLMR_A_JSON_SCHEMA:
		if (!v || v->type != YAML_MAPPING_NODE)
			return sy_fail(c, v ? v : at, "'json-schema' needs a schema (a mapping) as its value");
		if (!(a->schema = sy_json(c, v)))
			return -1;
		if (llmr_jschema_check_schema(a->schema, why, sizeof(why)) < 0)
			return sy_fail(c, v, "bad schema: %s", why);
		return 0;
	case LLMR_A_MAX_COST:
	case LLMR_A_MAX_LATENCY:
		if (!v)
			return sy_fail(c, at, "'%s' needs a value", llmr_assert_type_name(a->type));
		return sy_number(c, v, "value", &a->limit);
	default:
		break;
	}
	if (!v || !sy_scalar(v))
		return sy_fail(c, v ? v : at, "'%s' needs a string value", llmr_assert_type_name(a->type));
	a->value = llmr_xstrdup(sy_scalar(v));
	if (a->type != LLMR_A_REGEX)
		return 0;
	rc = regcomp(&a->re, a->value, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		regerror(rc, &a->re, why, sizeof(why));
		free(a->value);
		a->value = NULL;
		return sy_fail(c, v, "bad regex: %s", why);
	}
	return 0;
}

static int read_assert(struct sy_ctx *c, yaml_node_t *n, struct llmr_assert *a)
{
	static const char *const keys[] = {"type", "value", "weight", NULL};
	yaml_node_t *k, *v, *type = NULL, *value = NULL;

	a->weight = 1;
	if (want_map(c, n, "an assertion") < 0)
		return -1;
	a->line = (int)n->start_mark.line + 1;
	a->col = (int)n->start_mark.column + 1;
	FOR_PAIRS(c, n, k, v) {
		const char *ks = sy_scalar(k);

		if (ks && !strcmp(ks, "type"))
			type = v;
		else if (ks && !strcmp(ks, "value"))
			value = v;
		else if (ks && !strcmp(ks, "weight")) {
			if (sy_number(c, v, "weight", &a->weight) < 0)
				return -1;
		} else
			return sy_unknown(c, k, "an assertion", keys);
	}
	if (!type)
		return sy_fail(c, n, "an assertion needs a 'type'");
	if (read_type(c, type, a) < 0)
		return -1;
	return read_value(c, n, value, a);
}

/* vars are substituted as the case is read: a case is one prompt. */
static int read_prompt(struct sy_ctx *c, struct llmr_case *cs, yaml_node_t *prompt,
		       yaml_node_t *msgs, const json_t *vars, yaml_node_t *at)
{
	size_t i;
	json_t *m;

	if (!prompt == !msgs)
		return sy_fail(c, at, "a case needs 'prompt' or 'messages' (one of them)");
	if (prompt) {
		if (!sy_scalar(prompt) || !*sy_scalar(prompt))
			return sy_fail(c, prompt, "'prompt' must be a non-empty string");
		cs->prompt = llmr_suite_subst(sy_scalar(prompt), vars);
		return 0;
	}
	if (want_list(c, msgs, "'messages'") < 0 || !(cs->messages = sy_json(c, msgs)))
		return -1;
	json_array_foreach(cs->messages, i, m) {
		json_t *content = json_object_get(m, "content");
		char *t;

		if (!json_is_string(json_object_get(m, "role")) || !json_is_string(content))
			return sy_fail(c, msgs, "message %zu needs a 'role' and a 'content' string", i + 1);
		t = llmr_suite_subst(json_string_value(content), vars);
		json_object_set_new(m, "content", json_string(t));
		free(t);
	}
	return 0;
}

static int read_case(struct sy_ctx *c, yaml_node_t *n, struct llmr_case *cs)
{
	static const char *const keys[] = {"prompt", "messages", "vars", "weight", "assert",
					   "description", NULL};
	yaml_node_t *k, *v, *prompt = NULL, *msgs = NULL, *asserts = NULL;
	json_t *vars = NULL;
	int rc = -1;

	cs->weight = 1;
	if (want_map(c, n, "a case") < 0)
		return -1;
	cs->line = (int)n->start_mark.line + 1;
	FOR_PAIRS(c, n, k, v) {
		const char *ks = sy_scalar(k) ? sy_scalar(k) : "";

		if (!strcmp(ks, "prompt"))
			prompt = v;
		else if (!strcmp(ks, "messages"))
			msgs = v;
		else if (!strcmp(ks, "assert"))
			asserts = v;
		else if (!strcmp(ks, "vars")) {
			if (want_map(c, v, "'vars'") < 0 || !(vars = sy_json(c, v)))
				goto out;
		} else if (!strcmp(ks, "weight")) {
			if (sy_number(c, v, "weight", &cs->weight) < 0)
				goto out;
		} else if (strcmp(ks, "description"))
			return json_decref(vars), sy_unknown(c, k, "a case", keys);
	}
	if (read_prompt(c, cs, prompt, msgs, vars, n) < 0)
		goto out;
	if (asserts) {
		if (want_list(c, asserts, "'assert'") < 0)
			goto out;
		cs->nasserts = (size_t)(asserts->data.sequence.items.top - asserts->data.sequence.items.start);
		cs->asserts = llmr_xcalloc(cs->nasserts + 1, sizeof(*cs->asserts));
		for (size_t i = 0; i < cs->nasserts; i++) {
			yaml_node_t *an = yaml_document_get_node(&c->doc, asserts->data.sequence.items.start[i]);

			if (read_assert(c, an, &cs->asserts[i]) < 0) {
				cs->nasserts = i + 1; /* release what was read */
				goto out;
			}
		}
	}
	rc = 0;
out:
	json_decref(vars);
	return rc;
}

static int read_models(struct sy_ctx *c, yaml_node_t *v, struct llmr_suite *s)
{
	if (want_list(c, v, "'models'") < 0)
		return -1;
	s->nmodels = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (!s->nmodels)
		return sy_fail(c, v, "'models' is empty");
	s->models = llmr_xcalloc(s->nmodels, sizeof(*s->models));
	for (size_t i = 0; i < s->nmodels; i++) {
		yaml_node_t *m = yaml_document_get_node(&c->doc, v->data.sequence.items.start[i]);

		if (sy_string(c, m, "models", &s->models[i]) < 0)
			return -1;
		if (!strchr(s->models[i], '/'))
			return sy_fail(c, m, "'%s' is not provider/model", s->models[i]);
		/* A result is stored per model and case: one model, one row. */
		for (size_t j = 0; j < i; j++)
			if (!strcmp(s->models[j], s->models[i]))
				return sy_fail(c, m, "'%s' is listed twice", s->models[i]);
	}
	return 0;
}

static int read_judge(struct sy_ctx *c, yaml_node_t *v, struct llmr_suite *s)
{
	static const char *const keys[] = {"model", NULL};
	yaml_node_t *k, *m;

	if (want_map(c, v, "'judge'") < 0)
		return -1;
	FOR_PAIRS(c, v, k, m) {
		if (!sy_scalar(k) || strcmp(sy_scalar(k), "model"))
			return sy_unknown(c, k, "'judge'", keys);
		if (sy_string(c, m, "model", &s->judge) < 0)
			return -1;
	}
	if (!s->judge)
		return sy_fail(c, v, "'judge' needs a 'model'");
	return 0;
}

static int read_cases(struct sy_ctx *c, yaml_node_t *v, struct llmr_suite *s)
{
	if (want_list(c, v, "'cases'") < 0)
		return -1;
	s->ncases = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (!s->ncases)
		return sy_fail(c, v, "'cases' is empty");
	s->cases = llmr_xcalloc(s->ncases, sizeof(*s->cases));
	for (size_t i = 0; i < s->ncases; i++)
		if (read_case(c, yaml_document_get_node(&c->doc, v->data.sequence.items.start[i]),
			      &s->cases[i]) < 0)
			return -1;
	return 0;
}

static int read_root(struct sy_ctx *c, yaml_node_t *root, struct llmr_suite *s)
{
	static const char *const keys[] = {"name", "description", "route", "models", "threshold",
					   "judge", "cases", NULL};
	yaml_node_t *k, *v, *cases = NULL;

	if (want_map(c, root, "a suite") < 0)
		return -1;
	FOR_PAIRS(c, root, k, v) {
		const char *ks = sy_scalar(k) ? sy_scalar(k) : "";
		int rc = 0;

		if (!strcmp(ks, "name"))
			rc = sy_string(c, v, "name", &s->name);
		else if (!strcmp(ks, "route"))
			rc = sy_string(c, v, "route", &s->route);
		else if (!strcmp(ks, "models"))
			rc = read_models(c, v, s);
		else if (!strcmp(ks, "threshold")) {
			rc = sy_number(c, v, "threshold", &s->threshold);
			if (!rc && s->threshold > 1)
				rc = sy_fail(c, v, "'threshold' must be from 0 to 1");
		} else if (!strcmp(ks, "judge")) {
			rc = read_judge(c, v, s);
			s->judge_line = (int)v->start_mark.line + 1;
			s->judge_col = (int)v->start_mark.column + 1;
		} else if (!strcmp(ks, "cases"))
			cases = v;
		else if (strcmp(ks, "description"))
			rc = sy_unknown(c, k, "the suite", keys);
		if (rc < 0)
			return -1;
	}
	if (!s->name)
		return sy_fail(c, root, "the suite needs a 'name'");
	if (s->route && s->models)
		return sy_fail(c, root, "give 'route' or 'models', not both");
	if (!cases)
		return sy_fail(c, root, "the suite needs 'cases'");
	return read_cases(c, cases, s);
}

static int check_judge(struct sy_ctx *c, struct llmr_suite *s, const char *judge_default)
{
	if (!s->judge && judge_default)
		s->judge = llmr_xstrdup(judge_default);
	for (size_t i = 0; i < s->ncases; i++)
		for (size_t j = 0; j < s->cases[i].nasserts; j++) {
			const struct llmr_assert *a = &s->cases[i].asserts[j];

			if (a->type == LLMR_A_JUDGE && !s->judge)
				return llmr_errf(c->e, LLMR_EX_DATAERR,
						 "%s:%d:%d: a judge assertion needs a judge model "
						 "(judge: {model: provider/model})",
						 c->file, a->line, a->col);
		}
	return 0;
}

/* The suite's identity in the results: its bytes, as read. */
static int hash_file(struct sy_ctx *c, struct llmr_suite *s)
{
	struct llmr_buf b = LLMR_BUF_INIT;

	if (llmr_read_file(s->file, &b) < 0) {
		llmr_buf_release(&b);
		return llmr_errf(c->e, LLMR_EX_NOINPUT, "%s: cannot read", s->file);
	}
	llmr_sha256_hex(b.s ? b.s : "", b.len, s->hash);
	llmr_buf_release(&b);
	return 0;
}

int llmr_suite_load(const char *path, const char *judge_default, struct llmr_suite *s,
		    struct llmr_err *e)
{
	struct sy_ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.file = path;
	c.e = e;
	memset(s, 0, sizeof(*s));
	s->threshold = 1;
	s->file = llmr_xstrdup(path);
	rc = sy_load(&c, path);
	if (!rc)
		rc = hash_file(&c, s);
	if (!rc)
		rc = read_root(&c, yaml_document_get_root_node(&c.doc), s);
	if (!rc)
		rc = check_judge(&c, s, judge_default);
	if (c.loaded)
		yaml_document_delete(&c.doc);
	if (rc < 0)
		llmr_suite_release(s);
	return rc;
}

void llmr_suite_release(struct llmr_suite *s)
{
	for (size_t i = 0; i < s->nmodels; i++)
		free(s->models[i]);
	for (size_t i = 0; i < s->ncases; i++) {
		struct llmr_case *cs = &s->cases[i];

		for (size_t j = 0; j < cs->nasserts; j++) {
			if (cs->asserts[j].type == LLMR_A_REGEX && cs->asserts[j].value)
				regfree(&cs->asserts[j].re);
			free(cs->asserts[j].value);
			json_decref(cs->asserts[j].schema);
		}
		free(cs->asserts);
		free(cs->prompt);
		json_decref(cs->messages);
	}
	free(s->cases);
	free(s->models);
	free(s->file);
	free(s->name);
	free(s->route);
	free(s->judge);
	memset(s, 0, sizeof(*s));
}

int llmr_suite_set_models(struct llmr_suite *s, const char *list, struct llmr_err *e)
{
	char **m = NULL;
	size_t n = 0;
	const char *p = list;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *name = llmr_xstrndup(p, len);

		m = llmr_xrealloc(m, (n + 1) * sizeof(*m));
		m[n++] = name;
		if (!*name || !strchr(name, '/'))
			goto bad;
		for (size_t j = 0; j + 1 < n; j++)
			if (!strcmp(m[j], name))
				goto twice;
		if (!comma)
			break;
		p = comma + 1;
	}
	for (size_t i = 0; i < s->nmodels; i++)
		free(s->models[i]);
	free(s->models);
	free(s->route);
	s->route = NULL;
	s->models = m;
	s->nmodels = n;
	return 0;
twice:
	llmr_errf(e, LLMR_EX_USAGE, "--models: '%s' is listed twice", m[n - 1]);
	goto out;
bad:
	llmr_errf(e, LLMR_EX_USAGE, "--models: '%s' is not provider/model", m[n - 1]);
out:
	for (size_t i = 0; i < n; i++)
		free(m[i]);
	free(m);
	return -1;
}
