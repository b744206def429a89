/*
 * jschema.c - the JSON Schema subset of jschema.h. Paths in messages are
 * JSON Pointers ("/items/0/name"), as validators print them.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/jschema.h"

static const char *const types[] = {"object", "array", "string", "number", "integer",
				    "boolean", "null", NULL};

static int is_type_name(const char *s)
{
	for (size_t i = 0; types[i]; i++)
		if (!strcmp(s, types[i]))
			return 1;
	return 0;
}

static int bad(char *why, size_t n, const char *path, const char *msg)
{
	snprintf(why, n, "%s: %s", *path ? path : "/", msg);
	return -1;
}

static int check_at(const json_t *s, const char *path, char *why, size_t n, int depth);

static int check_sub(const json_t *s, const char *path, const char *key, char *why, size_t n,
		     int depth)
{
	char p[256];

	if (snprintf(p, sizeof(p), "%s/%s", path, key) >= (int)sizeof(p))
		return bad(why, n, path, "nested too deeply");
	return check_at(s, p, why, n, depth + 1);
}

static int check_keyword(const char *k, const json_t *v, const char *path, char *why, size_t n,
			 int depth)
{
	size_t i;
	const char *pk;
	json_t *x;

	if (!strcmp(k, "type")) {
		if (json_is_string(v))
			return is_type_name(json_string_value(v)) ? 0 : bad(why, n, path, "unknown type");
		if (!json_is_array(v) || !json_array_size(v))
			return bad(why, n, path, "'type' must be a type name or a list of them");
		json_array_foreach(v, i, x)
			if (!json_is_string(x) || !is_type_name(json_string_value(x)))
				return bad(why, n, path, "unknown type");
		return 0;
	}
	if (!strcmp(k, "required")) {
		if (!json_is_array(v))
			return bad(why, n, path, "'required' must be a list of names");
		json_array_foreach(v, i, x)
			if (!json_is_string(x))
				return bad(why, n, path, "'required' must be a list of names");
		return 0;
	}
	if (!strcmp(k, "properties")) {
		if (!json_is_object(v))
			return bad(why, n, path, "'properties' must be a mapping of schemas");
		json_object_foreach((json_t *)v, pk, x) {
			char p[256];

			if (snprintf(p, sizeof(p), "%s/properties", path) >= (int)sizeof(p))
				return bad(why, n, path, "nested too deeply");
			if (check_sub(x, p, pk, why, n, depth) < 0)
				return -1;
		}
		return 0;
	}
	if (!strcmp(k, "items"))
		return check_sub(v, path, "items", why, n, depth);
	if (!strcmp(k, "enum"))
		return json_is_array(v) ? 0 : bad(why, n, path, "'enum' must be a list");
	if (!strcmp(k, "minimum") || !strcmp(k, "maximum"))
		return json_is_number(v) ? 0 : bad(why, n, path, "'minimum' and 'maximum' must be numbers");
	if (!strcmp(k, "minLength") || !strcmp(k, "maxLength"))
		return json_is_integer(v) && json_integer_value(v) >= 0
			       ? 0 : bad(why, n, path, "'minLength' and 'maxLength' must be whole numbers");
	if (!strcmp(k, "$schema") || !strcmp(k, "title") || !strcmp(k, "description"))
		return 0;
	snprintf(why, n, "%s: keyword '%s' is not supported (type, required, properties, items, "
		 "enum, minimum, maximum, minLength, maxLength)", *path ? path : "/", k);
	return -1;
}

static int check_at(const json_t *s, const char *path, char *why, size_t n, int depth)
{
	const char *k;
	json_t *v;

	if (depth > 32)
		return bad(why, n, path, "nested too deeply");
	if (!json_is_object(s))
		return bad(why, n, path, "a schema must be a mapping");
	json_object_foreach((json_t *)s, k, v)
		if (check_keyword(k, v, path, why, n, depth) < 0)
			return -1;
	return 0;
}

int llmr_jschema_check_schema(const json_t *schema, char *why, size_t n)
{
	return check_at(schema, "", why, n, 0);
}

/* A number with no fraction is an integer, as the spec says (1.0 is one). */
static int has_type(const json_t *inst, const char *t)
{
	if (!strcmp(t, "object"))
		return json_is_object(inst);
	if (!strcmp(t, "array"))
		return json_is_array(inst);
	if (!strcmp(t, "string"))
		return json_is_string(inst);
	if (!strcmp(t, "number"))
		return json_is_number(inst);
	if (!strcmp(t, "integer"))
		return json_is_integer(inst) ||
		       (json_is_real(inst) && floor(json_real_value(inst)) == json_real_value(inst));
	if (!strcmp(t, "boolean"))
		return json_is_boolean(inst);
	return json_is_null(inst);
}

static int type_ok(const json_t *t, const json_t *inst)
{
	size_t i;
	json_t *x;

	if (json_is_string(t))
		return has_type(inst, json_string_value(t));
	json_array_foreach(t, i, x)
		if (has_type(inst, json_string_value(x)))
			return 1;
	return 0;
}

/* Length in code points, as the spec counts it, not bytes. */
static size_t utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int invalid(char *why, size_t n, const char *path, const char *fmt, const char *arg)
{
	char msg[200];

	snprintf(msg, sizeof(msg), fmt, arg);
	snprintf(why, n, "%s: %s", *path ? path : "/", msg);
	return 0;
}

static int valid_at(const json_t *s, const json_t *inst, const char *path, char *why, size_t n);

static int valid_object(const json_t *s, const json_t *inst, const char *path, char *why, size_t n)
{
	json_t *req = json_object_get(s, "required"), *props = json_object_get(s, "properties"), *x;
	const char *k;
	size_t i;

	json_array_foreach(req, i, x)
		if (!json_object_get(inst, json_string_value(x)))
			return invalid(why, n, path, "required property '%s' is missing",
				       json_string_value(x));
	json_object_foreach(props, k, x) {
		json_t *v = json_object_get(inst, k);
		char p[256];

		if (snprintf(p, sizeof(p), "%s/%s", path, k) >= (int)sizeof(p))
			p[sizeof(p) - 1] = '\0'; /* a path too long to show whole */
		if (v && !valid_at(x, v, p, why, n))
			return 0;
	}
	return 1;
}

static int valid_scalar(const json_t *s, const json_t *inst, const char *path, char *why, size_t n)
{
	json_t *x;
	char num[64];

	if (json_is_number(inst)) {
		double d = json_number_value(inst);

		snprintf(num, sizeof(num), "%g", d);
		if ((x = json_object_get(s, "minimum")) && d < json_number_value(x))
			return invalid(why, n, path, "%s is below the minimum", num);
		if ((x = json_object_get(s, "maximum")) && d > json_number_value(x))
			return invalid(why, n, path, "%s is above the maximum", num);
	}
	if (json_is_string(inst)) {
		size_t len = utf8_len(json_string_value(inst));

		snprintf(num, sizeof(num), "%zu", len);
		if ((x = json_object_get(s, "minLength")) && (json_int_t)len < json_integer_value(x))
			return invalid(why, n, path, "a string of %s characters is shorter than minLength", num);
		if ((x = json_object_get(s, "maxLength")) && (json_int_t)len > json_integer_value(x))
			return invalid(why, n, path, "a string of %s characters is longer than maxLength", num);
	}
	return 1;
}

static int in_enum(const json_t *e, const json_t *inst)
{
	size_t i;
	json_t *x;

	json_array_foreach(e, i, x) {
		/* jansson's equality tells 1 from 1.0; JSON Schema does not. */
		if (json_is_number(x) && json_is_number(inst)) {
			if (json_number_value(x) == json_number_value(inst))
				return 1;
		} else if (json_equal(x, (json_t *)inst))
			return 1;
	}
	return 0;
}

static int valid_at(const json_t *s, const json_t *inst, const char *path, char *why, size_t n)
{
	json_t *t = json_object_get(s, "type"), *e = json_object_get(s, "enum"), *items;

	if (t && !type_ok(t, inst))
		return invalid(why, n, path, "wrong type%s", "");
	if (e && !in_enum(e, inst))
		return invalid(why, n, path, "not one of the enum's values%s", "");
	if (json_is_object(inst) && !valid_object(s, inst, path, why, n))
		return 0;
	if (json_is_array(inst) && (items = json_object_get(s, "items"))) {
		size_t i;
		json_t *x;

		json_array_foreach(inst, i, x) {
			char p[256];

			if (snprintf(p, sizeof(p), "%s/%zu", path, i) >= (int)sizeof(p))
				p[sizeof(p) - 1] = '\0'; /* a path too long to show whole */
			if (!valid_at(items, x, p, why, n))
				return 0;
		}
	}
	return valid_scalar(s, inst, path, why, n);
}

int llmr_jschema_valid(const json_t *schema, const json_t *inst, char *why, size_t n)
{
	if (n)
		*why = '\0';
	return valid_at(schema, inst, "", why, n);
}

int llmr_jschema_type_ok(const json_t *type, const json_t *inst)
{
	return type_ok(type, inst);
}
