#include "cost/simulate.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Command-line changes for llmr-cost simulate: parsed here so that the
 * grammar is tested without running the program. */

void llmr_sim_changes_init(struct llmr_sim_changes *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->cache_rate = -1;
}

#define PUSH(arr, n) (arr = llmr_xrealloc(arr, (n + 1) * sizeof(*arr)), memset(&arr[n], 0, sizeof(*arr)), &arr[n++])

static int is_spec(const char *s)
{
	const char *slash = strchr(s, '/');

	return slash && slash > s && slash[1];
}

static int parse_num(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return end == s || *end || errno || !isfinite(*out) || *out < 0 ? -1 : 0;
}

/* "ROUTE[:COMPLEXITY]" into route and complexity (-1 when absent). */
static int scope(const char *s, size_t n, char **route, int *cx, struct llmr_err *e)
{
	const char *colon = memchr(s, ':', n);

	*cx = -1;
	if (colon) {
		char *c = llmr_xstrndup(colon + 1, n - (size_t)(colon + 1 - s));

		*cx = llmr_complexity_parse(c);
		if (*cx < 0) {
			llmr_errf(e, LLMR_EX_USAGE, "'%s': complexity must be simple, medium or complex", c);
			free(c);
			return -1;
		}
		free(c);
		n = (size_t)(colon - s);
	}
	if (!n)
		return llmr_errf(e, LLMR_EX_USAGE, "missing route name");
	*route = llmr_xstrndup(s, n);
	return 0;
}

int llmr_sim_add_replace(struct llmr_sim_changes *ch, const char *arg, struct llmr_err *e)
{
	const char *eq = strchr(arg, '='), *at = strrchr(arg, '@');
	struct llmr_sim_replace *r;
	char *route = NULL;
	int cx = -1;

	if (!eq || (at && at < eq))
		return llmr_errf(e, LLMR_EX_USAGE, "--replace '%s': expected FROM=TO[@ROUTE[:COMPLEXITY]]", arg);
	if (at && scope(at + 1, strlen(at + 1), &route, &cx, e))
		return -1;
	r = PUSH(ch->rep, ch->nrep);
	r->from = llmr_xstrndup(arg, (size_t)(eq - arg));
	r->to = at ? llmr_xstrndup(eq + 1, (size_t)(at - eq - 1)) : llmr_xstrdup(eq + 1);
	r->route = route && strcmp(route, "*") ? route : (free(route), NULL);
	r->complexity = cx;
	if (!is_spec(r->from) || !is_spec(r->to))
		return llmr_errf(e, LLMR_EX_USAGE, "--replace '%s': models are named provider/model", arg);
	return 0;
}

int llmr_sim_add_chain(struct llmr_sim_changes *ch, const char *arg, struct llmr_err *e)
{
	const char *eq = strchr(arg, '='), *p;
	struct llmr_sim_chain c;

	memset(&c, 0, sizeof(c));
	if (!eq || !eq[1])
		return llmr_errf(e, LLMR_EX_USAGE, "--chain '%s': expected ROUTE[:COMPLEXITY]=M1,M2,...", arg);
	if (scope(arg, (size_t)(eq - arg), &c.route, &c.complexity, e))
		return -1;
	for (p = eq + 1; *p;) {
		size_t n = strcspn(p, ",");

		c.models = llmr_xrealloc(c.models, (c.n + 1) * sizeof(*c.models));
		c.models[c.n++] = llmr_xstrndup(p, n);
		if (!is_spec(c.models[c.n - 1])) {
			*PUSH(ch->chains, ch->nchains) = c;
			return llmr_errf(e, LLMR_EX_USAGE, "--chain '%s': models are named provider/model", arg);
		}
		p += n + (p[n] == ',');
	}
	*PUSH(ch->chains, ch->nchains) = c;
	return 0;
}

int llmr_sim_add_price(struct llmr_sim_changes *ch, const char *arg, struct llmr_err *e)
{
	const char *eq = strchr(arg, '=');
	struct llmr_sim_price *p;
	double v[3] = {-1, -1, -1};
	char *list, *tok, *save = NULL;
	int i = 0, bad = 0;

	if (!eq)
		return llmr_errf(e, LLMR_EX_USAGE, "--price '%s': expected PROVIDER/MODEL=INPUT,OUTPUT[,CACHED]", arg);
	list = llmr_xstrdup(eq + 1);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save), i++)
		bad |= i >= 3 || parse_num(tok, &v[i]);
	free(list);
	if (bad || i < 2)
		return llmr_errf(e, LLMR_EX_USAGE, "--price '%s': expected PROVIDER/MODEL=INPUT,OUTPUT[,CACHED] in USD per 1M tokens", arg);
	p = PUSH(ch->prices, ch->nprices);
	p->spec = llmr_xstrndup(arg, (size_t)(eq - arg));
	p->p = (struct llmr_price){INT64_MIN, v[0], v[1], v[2], -1, -1, -1};
	if (!is_spec(p->spec))
		return llmr_errf(e, LLMR_EX_USAGE, "--price '%s': models are named provider/model", arg);
	return 0;
}

static int limit_field(struct llmr_limits *l, const char *k, double v)
{
	static const char *const names[] = {"rps", "rpm", "rpd", "tps", "tpm", "tpd"};
	long *f[] = {&l->rps, &l->rpm, &l->rpd, &l->tps, &l->tpm, &l->tpd};
	size_t i;

	for (i = 0; i < 6; i++)
		if (!strcmp(k, names[i])) {
			*f[i] = (long)v;
			return 0;
		}
	return -1;
}

int llmr_sim_add_plan(struct llmr_sim_changes *ch, const char *arg, struct llmr_err *e)
{
	const char *colon = strchr(arg, ':');
	struct llmr_sim_plan *p;
	char *list, *tok, *save = NULL;
	int bad = 0;

	if (!colon || colon == arg || !colon[1])
		return llmr_errf(e, LLMR_EX_USAGE, "--plan '%s': expected PROVIDER:fee=USD,discount=PCT,credit=USD,rpm=N,...", arg);
	p = PUSH(ch->plans, ch->nplans);
	p->provider = llmr_xstrndup(arg, (size_t)(colon - arg));
	p->limits = (struct llmr_limits){-1, -1, -1, -1, -1, -1, -1, NULL, NULL};
	list = llmr_xstrdup(colon + 1);
	for (tok = strtok_r(list, ",", &save); tok && !bad; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		double v;

		if (!eq || parse_num(eq + 1, &v)) {
			bad = 1;
			break;
		}
		*eq = '\0';
		if (!strcmp(tok, "fee"))
			p->fee_usd = v;
		else if (!strcmp(tok, "discount"))
			p->discount = v > 1 ? v / 100 : v;
		else if (!strcmp(tok, "credit"))
			p->credit_usd = v;
		else if (limit_field(&p->limits, tok, v))
			bad = 1;
	}
	free(list);
	if (bad || p->discount > 1)
		return llmr_errf(e, LLMR_EX_USAGE, "--plan '%s': expected PROVIDER:fee=USD,discount=PCT,credit=USD,rpm=N,rpd=N,tpm=N,tpd=N", arg);
	return 0;
}

int llmr_sim_add_profile(struct llmr_sim_changes *ch, const char *arg, struct llmr_err *e)
{
	const char *eq = strchr(arg, '=');
	struct llmr_sim_profile *p;
	char *list, *tok, *save = NULL;
	int bad = 0, first = 1;

	if (!eq || eq == arg)
		return llmr_errf(e, LLMR_EX_USAGE, "--profile '%s': expected ROUTE=PER_DAY[,in=N][,out=N][,complexity=C][,model=P/M]", arg);
	p = PUSH(ch->profiles, ch->nprofiles);
	p->route = llmr_xstrndup(arg, (size_t)(eq - arg));
	p->in = 500;
	p->out = 200;
	list = llmr_xstrdup(eq + 1);
	for (tok = strtok_r(list, ",", &save); tok && !bad; tok = strtok_r(NULL, ",", &save), first = 0) {
		char *v = strchr(tok, '=');
		double d;

		if (first) {
			bad = parse_num(tok, &p->per_day);
			continue;
		}
		if (!v) {
			bad = 1;
			break;
		}
		*v++ = '\0';
		if (!strcmp(tok, "model"))
			p->model = llmr_xstrdup(v);
		else if (!strcmp(tok, "complexity"))
			bad = (p->complexity = llmr_complexity_parse(v)) < 0;
		else if (!parse_num(v, &d) && !strcmp(tok, "in"))
			p->in = (long)d;
		else if (!parse_num(v, &d) && !strcmp(tok, "out"))
			p->out = (long)d;
		else
			bad = 1;
	}
	free(list);
	if (bad || first)
		return llmr_errf(e, LLMR_EX_USAGE, "--profile '%s': expected ROUTE=PER_DAY[,in=N][,out=N][,complexity=C][,model=P/M]", arg);
	return 0;
}

void llmr_sim_changes_release(struct llmr_sim_changes *ch)
{
	size_t i, j;

	for (i = 0; i < ch->nrep; i++) {
		free(ch->rep[i].from);
		free(ch->rep[i].to);
		free(ch->rep[i].route);
	}
	free(ch->rep);
	for (i = 0; i < ch->nchains; i++) {
		for (j = 0; j < ch->chains[i].n; j++)
			free(ch->chains[i].models[j]);
		free(ch->chains[i].models);
		free(ch->chains[i].route);
	}
	free(ch->chains);
	for (i = 0; i < ch->nprices; i++)
		free(ch->prices[i].spec);
	free(ch->prices);
	for (i = 0; i < ch->nplans; i++)
		free(ch->plans[i].provider);
	free(ch->plans);
	for (i = 0; i < ch->nprofiles; i++) {
		free(ch->profiles[i].route);
		free(ch->profiles[i].model);
	}
	free(ch->profiles);
	llmr_sim_changes_init(ch);
}
