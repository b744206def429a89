/* Key presence and the model list (key_status.h). */
#include "conf/key_status.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *llmr_key_missing(const struct llmr_provider_cfg *p, char *why, size_t n)
{
	const char *v;

	if (p->protocol == LLMR_PROTO_EXTRACTIVE || (!p->api_key_env && !p->api_key_file))
		return NULL;
	if (p->api_key_env && (v = getenv(p->api_key_env)) && *v)
		return NULL;
	if (p->api_key_file && access(p->api_key_file, R_OK) == 0)
		return NULL;
	if (p->api_key_env)
		snprintf(why, n, "%s is not set", p->api_key_env);
	else
		snprintf(why, n, "key file '%s' is not readable", p->api_key_file);
	return why;
}

static const char *tier_name(enum llmr_tier t)
{
	return t == LLMR_TIER_FREE ? "free" : t == LLMR_TIER_ENTERPRISE ? "enterprise" : "paid";
}

static const char *status_name(enum llmr_pstatus s)
{
	return s == LLMR_PSTATUS_INACTIVE ? "inactive" : s == LLMR_PSTATUS_TESTING ? "testing"
										  : "active";
}

static json_t *price(double v)
{
	return v >= 0 ? json_real(v) : json_null();
}

static json_t *model_json(const struct llmr_provider_cfg *p, const struct llmr_model_cfg *m,
			  const char *missing)
{
	char spec[512];
	json_t *o = json_object();

	snprintf(spec, sizeof(spec), "%s/%s", p->name, m->name);
	json_object_set_new(o, "model", json_string(spec));
	json_object_set_new(o, "provider", json_string(p->name));
	json_object_set_new(o, "protocol", json_string(llmr_protocol_name(p->protocol)));
	json_object_set_new(o, "tier", json_string(tier_name(p->tier)));
	json_object_set_new(o, "status", json_string(status_name(p->status)));
	json_object_set_new(o, "key", json_string(missing ? "absent"
					     : p->api_key_env || p->api_key_file ? "present"
										 : "none"));
	json_object_set_new(o, "key_env", p->api_key_env ? json_string(p->api_key_env) : json_null());
	if (missing)
		json_object_set_new(o, "why", json_string(missing));
	json_object_set_new(o, "input", price(m->input));
	json_object_set_new(o, "output", price(m->output));
	json_object_set_new(o, "cached_input", price(m->cached_input));
	json_object_set_new(o, "context", m->context >= 0 ? json_integer(m->context) : json_null());
	json_object_set_new(o, "quality", m->quality >= 0 ? json_integer(m->quality) : json_null());
	return o;
}

json_t *llmr_models_json(const struct llmr_config *cfg)
{
	json_t *a = json_array();
	char why[600];

	for (size_t i = 0; i < cfg->nproviders; i++) {
		const struct llmr_provider_cfg *p = &cfg->providers[i];
		const char *missing = llmr_key_missing(p, why, sizeof(why));

		for (size_t j = 0; j < p->nmodels; j++)
			json_array_append_new(a, model_json(p, &p->models[j], missing));
	}
	return a;
}

static void add_price(struct llmr_buf *b, json_t *v)
{
	if (json_is_number(v))
		llmr_buf_addf(b, " %8.3f", json_number_value(v));
	else
		llmr_buf_addf(b, " %8s", "-");
}

void llmr_models_text(json_t *models, struct llmr_buf *out)
{
	json_t *m;
	size_t i;

	llmr_buf_addf(out, "%-40s %-10s %-8s %-7s %8s %8s %8s\n", "MODEL", "TIER", "STATUS", "KEY",
		      "IN/1M", "OUT/1M", "CONTEXT");
	json_array_foreach(models, i, m) {
		json_t *ctx = json_object_get(m, "context");

		llmr_buf_addf(out, "%-40s %-10s %-8s %-7s",
			      json_string_value(json_object_get(m, "model")),
			      json_string_value(json_object_get(m, "tier")),
			      json_string_value(json_object_get(m, "status")),
			      json_string_value(json_object_get(m, "key")));
		add_price(out, json_object_get(m, "input"));
		add_price(out, json_object_get(m, "output"));
		if (json_is_integer(ctx))
			llmr_buf_addf(out, " %8lld\n", (long long)json_integer_value(ctx));
		else
			llmr_buf_addf(out, " %8s\n", "-");
	}
}
