/*
 * config.c - finding, loading and freeing llmr.conf, and looking things up
 * in it. The YAML reading is in config_yaml.c, the schema walk in
 * config_parse.c, the cross-section checks in config_check.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/config_impl.h"

void llmr_diags_add(struct llmr_diags *d, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	d->msgs = cfg_grow(d->msgs, d->n, sizeof(*d->msgs));
	d->msgs[d->n++] = llmr_xstrdup(tmp);
}

void llmr_diags_release(struct llmr_diags *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	d->msgs = NULL;
	d->n = 0;
}

static char *path_join(const char *dir, const char *rest)
{
	size_t len = strlen(dir) + strlen(rest) + 1;
	char *s = llmr_xmalloc(len);

	snprintf(s, len, "%s%s", dir, rest);
	return s;
}

char *llmr_config_find(const char *explicit_path)
{
	const char *env = getenv("LLMR_CONFIG"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *p = NULL;

	if (explicit_path)
		return llmr_xstrdup(explicit_path);
	if (env && *env)
		return llmr_xstrdup(env);
	/* The XDG spec says to ignore a relative XDG_CONFIG_HOME. */
	if (xdg && xdg[0] == '/')
		p = path_join(xdg, "/llmr/llmr.conf");
	else if (home && *home)
		p = path_join(home, "/.config/llmr/llmr.conf");
	if (p && access(p, F_OK) == 0)
		return p;
	free(p);
	if (access("/etc/llmr.conf", F_OK) == 0)
		return llmr_xstrdup("/etc/llmr.conf");
	return NULL;
}

static int diag_cmp(const void *a, const void *b)
{
	const struct cfg_diag *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Hand the problems over in file order, each prefixed with its place. */
static int report(struct cfg_ctx *c, struct llmr_diags *diags, struct llmr_err *e)
{
	size_t i;

	qsort(c->diags, c->ndiags, sizeof(*c->diags), diag_cmp);
	for (i = 0; i < c->ndiags; i++) {
		struct cfg_diag *d = &c->diags[i];
		char line[1200];

		if (d->line)
			snprintf(line, sizeof(line), "%s:%d:%d: %s", c->file, d->line, d->col, d->msg);
		else
			snprintf(line, sizeof(line), "%s: %s", c->file, d->msg);
		if (diags)
			llmr_diags_add(diags, "%s", line);
		if (i == 0)
			llmr_errf(e, LLMR_EX_CONFIG, "%s", line);
		free(d->msg);
	}
	free(c->diags);
	c->diags = NULL;
	return -1;
}

static struct llmr_config *config_new(const char *path)
{
	struct llmr_config *cfg = llmr_xcalloc(1, sizeof(*cfg));

	cfg->path = llmr_xstrdup(path);
	cfg_set_defaults(cfg);
	return cfg;
}

int llmr_config_load(const char *path, struct llmr_config **out,
		     struct llmr_diags *diags, struct llmr_err *e)
{
	struct cfg_ctx c;
	yaml_document_t doc;
	struct llmr_config *cfg;

	*out = NULL;
	if (!path) {
		cfg = config_new("<built-in>");
		cfg_add_builtin_local(cfg);
		cfg->index_embedder = llmr_xstrdup("local");
		cfg_synth_default_route(cfg);
		*out = cfg;
		return 0;
	}
	memset(&c, 0, sizeof(c));
	c.file = path;
	c.doc = &doc;
	if (cfg_yaml_load(&c, path, &doc, e) < 0) {
		if (!c.ndiags) {
			/* Cannot open or read: e already says why. */
			if (diags)
				llmr_diags_add(diags, "%s", e ? e->msg : "cannot read config");
			return -1;
		}
		return report(&c, diags, e);
	}
	cfg = c.cfg = config_new(path);
	cfg_parse_root(&c, yaml_document_get_root_node(&doc));
	cfg_check(&c);
	cfg_check_calendar(&c);
	cfg_index_free(c.refs);
	yaml_document_delete(&doc);
	if (c.ndiags) {
		llmr_config_free(cfg);
		return report(&c, diags, e);
	}
	*out = cfg;
	return 0;
}

static void chain_release(struct llmr_chain *ch)
{
	size_t i;

	for (i = 0; i < ch->n; i++)
		free(ch->refs[i].spec);
	free(ch->refs);
}

static void provider_release(struct llmr_provider_cfg *p)
{
	size_t i;

	for (i = 0; i < p->nmodels; i++) {
		free(p->models[i].name);
		free(p->models[i].limits.rpd_reset);
		free(p->models[i].limits.tpd_reset);
	}
	free(p->limits.rpd_reset);
	free(p->limits.tpd_reset);
	free(p->key_expires);
	free(p->models);
	free(p->name);
	free(p->base_url);
	free(p->api_key_env);
	free(p->api_key_file);
	free(p->notes);
}

void llmr_config_free(struct llmr_config *cfg)
{
	size_t i;
	int t;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nproviders; i++)
		provider_release(&cfg->providers[i]);
	free(cfg->providers);
	for (i = 0; i < cfg->nroutes; i++) {
		for (t = 0; t < LLMR_NCOMPLEXITY; t++)
			chain_release(&cfg->routes[i].tiers[t]);
		free(cfg->routes[i].name);
		free(cfg->routes[i].index);
		free(cfg->routes[i].system);
		free(cfg->routes[i].template);
		free(cfg->routes[i].cache_namespace);
	}
	free(cfg->routes);
	free(cfg->path);
	free(cfg->state);
	free(cfg->default_route);
	free(cfg->index_embedder);
	free(cfg->router_classifier);
	free(cfg->cache_confirm_model);
	free(cfg->judge_model);
	cfg_serve_release(cfg);
	free(cfg->coordination);
	free(cfg->coordination_prefix);
	free(cfg->coordination_password_env);
	free(cfg->coordination_password_file);
	free(cfg);
}

const char *llmr_protocol_name(enum llmr_protocol p)
{
	static const char *const names[] = {"openai", "anthropic", "gemini", "ollama", "extractive"};

	return (unsigned)p < sizeof(names) / sizeof(names[0]) ? names[p] : "unknown";
}
