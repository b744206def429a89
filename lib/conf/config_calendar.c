/*
 * config_calendar.c - the calendar values of a config, checked once loaded
 * so that a typo in a time zone is a config error (78) with its place,
 * not a quota that silently slides.
 */
#include "conf/config_impl.h"

#include "base/calreset.h"

static void check_reset(struct cfg_ctx *c, struct llmr_pos pos, const char *where,
			const char *key, const char *spec)
{
	char tz[128], why[300];
	int minute;

	if (spec && llmr_reset_parse(spec, &minute, tz, sizeof(tz), why, sizeof(why)) < 0)
		cfg_error_at(c, pos, "%s: limits.%s: %s", where, key, why);
}

static void check_limits(struct cfg_ctx *c, struct llmr_pos pos, const char *where,
			 const struct llmr_limits *l)
{
	check_reset(c, pos, where, "rpd_reset", l->rpd_reset);
	check_reset(c, pos, where, "tpd_reset", l->tpd_reset);
}

void cfg_check_calendar(struct cfg_ctx *c)
{
	const struct llmr_config *cfg = c->cfg;

	for (size_t i = 0; i < cfg->nproviders; i++) {
		const struct llmr_provider_cfg *p = &cfg->providers[i];

		check_limits(c, p->pos, p->name, &p->limits);
		for (size_t j = 0; j < p->nmodels; j++)
			check_limits(c, p->models[j].pos, p->models[j].name, &p->models[j].limits);
		if (p->key_expires && llmr_date_parse(p->key_expires) < 0)
			cfg_error_at(c, p->pos, "%s: key_expires: '%s' is not a date (YYYY-MM-DD)",
				     p->name, p->key_expires);
	}
}
