/*
 * config_value.c - reading one scalar value of the config: numbers,
 * enumerations, durations, URLs with ${VAR}, variable names. Each reader
 * records its own error, worded after the key, and leaves the destination
 * alone when the value is bad.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config_impl.h"

int cfg_want_scalar(struct cfg_ctx *c, const char *key, yaml_node_t *v, const char *what)
{
	if (v->type == YAML_SCALAR_NODE)
		return 1;
	cfg_error(c, v, "'%s' must be %s, not %s", key, what, cfg_kind_name(v));
	return 0;
}

/* Strict decimal syntax: strtod alone would take "inf", "nan" and hex. */
static int is_decimal(const char *s)
{
	int digits = 0;

	if (*s == '-' || *s == '+')
		s++;
	for (; isdigit((unsigned char)*s); s++)
		digits++;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			digits++;
	if (!digits)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!isdigit((unsigned char)*s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return !*s;
}

/* A number that must not be negative. Returns 0 and sets *out, or -1. */
int cfg_read_number(struct cfg_ctx *c, const char *key, yaml_node_t *v, double *out)
{
	const char *s;

	if (!cfg_want_scalar(c, key, v, "a number"))
		return -1;
	s = cfg_scalar(v);
	if (v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || !is_decimal(s)) {
		cfg_error(c, v, "'%s' must be a number, not the string '%s'", key, cfg_quote(s));
		return -1;
	}
	errno = 0;
	*out = strtod(s, NULL);
	if (errno == ERANGE || !isfinite(*out)) {
		cfg_error(c, v, "'%s': number out of range '%s'", key, cfg_quote(s));
		return -1;
	}
	if (*out < 0) {
		cfg_error(c, v, "'%s' must not be negative (got %s)", key, cfg_quote(s));
		return -1;
	}
	return 0;
}

int cfg_read_whole(struct cfg_ctx *c, const char *key, yaml_node_t *v, double max, long *out)
{
	double d;

	if (cfg_read_number(c, key, v, &d) < 0)
		return -1;
	if (d != floor(d)) {
		cfg_error(c, v, "'%s' must be a whole number (got %s)", key, cfg_quote(cfg_scalar(v)));
		return -1;
	}
	if (d > max) {
		cfg_error(c, v, "'%s' must be at most %.0f (got %s)", key, max, cfg_quote(cfg_scalar(v)));
		return -1;
	}
	*out = (long)d;
	return 0;
}

int cfg_read_enum(struct cfg_ctx *c, const char *key, yaml_node_t *v,
		     const char *const *names, int *out)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	const char *s;
	int i;

	if (!cfg_want_scalar(c, key, v, "a name"))
		return -1;
	s = cfg_scalar(v);
	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], s)) {
			*out = i;
			return 0;
		}
	for (i = 0; names[i]; i++)
		llmr_buf_addf(&b, "%s%s", i ? ", " : "", names[i]);
	cfg_error(c, v, "'%s': unknown value '%s' (valid: %s)", key, cfg_quote(s), b.s);
	llmr_buf_release(&b);
	return -1;
}

static int valid_env_name(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/*
 * Expand ${VAR} and only that: a config is data, not a shell script.
 * Every unset variable is reported. Returns a new string or NULL.
 */
static char *expand_vars(struct cfg_ctx *c, const char *key, yaml_node_t *v, const char *s)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	int bad = 0;

	b.max = 8192;
	while (*s) {
		const char *open = strstr(s, "${"), *close, *val;
		char name[128];
		size_t len;

		if (!open) {
			llmr_buf_adds(&b, s);
			break;
		}
		llmr_buf_add(&b, s, (size_t)(open - s));
		close = strchr(open + 2, '}');
		if (!close) {
			cfg_error(c, v, "'%s': unterminated '${' in '%s'", key, cfg_quote(s));
			bad = 1;
			break;
		}
		len = (size_t)(close - open - 2);
		if (len >= sizeof(name) || (memcpy(name, open + 2, len), name[len] = '\0', !valid_env_name(name))) {
			cfg_error(c, v, "'%s': bad variable name in '%s'", key, cfg_quote(s));
			bad = 1;
		} else if (!(val = getenv(name))) {
			cfg_error(c, v, "'%s': environment variable '%s' is not set", key, name);
			bad = 1;
		} else if (llmr_buf_adds(&b, val) < 0) {
			cfg_error(c, v, "'%s': '%s' expands to more than 8 KiB", key, name);
			bad = 1;
		}
		s = close + 1;
	}
	if (bad) {
		llmr_buf_release(&b);
		return NULL;
	}
	return llmr_buf_detach(&b);
}

void cfg_read_url(struct cfg_ctx *c, const char *key, yaml_node_t *v, char **dst)
{
	char *url;
	size_t n;

	if (!cfg_want_scalar(c, key, v, "a URL") || !(url = expand_vars(c, key, v, cfg_scalar(v))))
		return;
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
		/* Quote what the file says, not the expansion: a variable
		 * may hold something that must not reach a log. */
		cfg_error(c, v, "'%s' must start with http:// or https:// (got '%s')", key,
			  cfg_quote(cfg_scalar(v)));
		free(url);
		return;
	}
	/* Providers append "/chat/completions" and the like. */
	n = strlen(url);
	while (n > 8 && url[n - 1] == '/')
		url[--n] = '\0';
	free(*dst);
	*dst = url;
}

void cfg_read_envname(struct cfg_ctx *c, const char *key, yaml_node_t *v, char **dst)
{
	if (!cfg_want_scalar(c, key, v, "a variable name"))
		return;
	/* Do not echo the value: this is where people paste the key itself. */
	if (!valid_env_name(cfg_scalar(v))) {
		cfg_error(c, v, "'%s' must be the name of an environment variable (letters, digits, '_'), not the key itself",
			  key);
		return;
	}
	free(*dst);
	*dst = llmr_xstrdup(cfg_scalar(v));
}

void cfg_read_duration(struct cfg_ctx *c, const char *key, yaml_node_t *v, int64_t *dst)
{
	if (!cfg_want_scalar(c, key, v, "a duration"))
		return;
	if (llmr_parse_duration_ms(cfg_scalar(v), dst) < 0)
		cfg_error(c, v, "'%s': invalid duration '%s' (use e.g. 500ms, 30s, 5m, 1h, 1d)",
			  key, cfg_quote(cfg_scalar(v)));
}
