#include "base/vocab.h"

#include <stdio.h>
#include <strings.h>

#include "base/util.h"

const char *const llmr_complexity_names[] = {"simple", "medium", "complex", NULL};
const char *const llmr_priority_names[] = {"P0", "P1", "P2", "P3", NULL};
const char *const llmr_strategy_names[] = {"order", "cheapest", "fastest", "best", NULL};

static int parse(const char *const *names, const char *s)
{
	for (int i = 0; s && names[i]; i++)
		if (!strcasecmp(names[i], s))
			return i;
	return -1;
}

int llmr_complexity_parse(const char *s)
{
	return parse(llmr_complexity_names, s);
}

int llmr_priority_parse(const char *s)
{
	return parse(llmr_priority_names, s);
}

int llmr_strategy_parse(const char *s)
{
	return parse(llmr_strategy_names, s);
}

const char *llmr_complexity_name(int c)
{
	return c >= 0 && c < LLMR_NCOMPLEXITY ? llmr_complexity_names[c] : "unknown";
}

const char *llmr_priority_name(int p)
{
	return llmr_priority_names[p >= 0 && p < LLMR_NPRIORITY ? p : LLMR_PRIORITY_DEFAULT];
}

const char *llmr_strategy_name(int s)
{
	return s >= 0 && s < LLMR_NSTRATEGY ? llmr_strategy_names[s] : "unknown";
}

char *llmr_vocab_choices(const char *const *names, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; names[i] && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i == 0 ? "" : names[i + 1] ? ", " : " or ",
					names[i]);
	return buf;
}

/* One row per class: its name, whether the next model may take over, and
 * the exit code when it ends the request. */
static const struct {
	const char *name;
	bool falls_back;
	int exit_code;
} errclasses[] = {
	[LLMR_ERR_NONE] = {"ok", false, LLMR_EX_OK},
	[LLMR_ERR_RATE_LIMITED] = {"rate_limited", true, LLMR_EX_TEMPFAIL},
	[LLMR_ERR_OVERLOADED] = {"overloaded", true, LLMR_EX_TEMPFAIL},
	[LLMR_ERR_AUTH] = {"auth", false, LLMR_EX_NOPERM},
	[LLMR_ERR_BAD_REQUEST] = {"bad_request", false, LLMR_EX_UNAVAILABLE},
	[LLMR_ERR_SERVER] = {"server", true, LLMR_EX_UNAVAILABLE},
	[LLMR_ERR_TIMEOUT] = {"timeout", true, LLMR_EX_UNAVAILABLE},
	[LLMR_ERR_NETWORK] = {"network", true, LLMR_EX_UNAVAILABLE},
	[LLMR_ERR_PROTOCOL] = {"protocol", true, LLMR_EX_UNAVAILABLE},
	[LLMR_ERR_NO_CANDIDATE] = {"no_candidate", false, LLMR_EX_UNAVAILABLE},
	[LLMR_ERR_BAD_INPUT] = {"bad_input", false, LLMR_EX_DATAERR},
	[LLMR_ERR_CONFIG] = {"config", false, LLMR_EX_CONFIG},
	[LLMR_ERR_CANCELLED] = {"cancelled", false, LLMR_EX_INTERRUPTED},
};

#define NCLASSES (sizeof(errclasses) / sizeof(errclasses[0]))

const char *llmr_errclass_name(enum llmr_errclass c)
{
	return (unsigned)c < NCLASSES ? errclasses[c].name : "unknown";
}

bool llmr_errclass_falls_back(enum llmr_errclass c)
{
	return (unsigned)c < NCLASSES && errclasses[c].falls_back;
}

int llmr_errclass_exit(enum llmr_errclass c)
{
	return (unsigned)c < NCLASSES ? errclasses[c].exit_code : LLMR_EX_SOFTWARE;
}

enum llmr_errclass llmr_errclass_from_status(long status)
{
	switch (status) {
	case 429: return LLMR_ERR_RATE_LIMITED;
	case 503: case 529: return LLMR_ERR_OVERLOADED;
	case 401: case 403: return LLMR_ERR_AUTH;
	case 400: case 404: case 413: case 422: return LLMR_ERR_BAD_REQUEST;
	}
	if (status >= 500 && status <= 599)
		return LLMR_ERR_SERVER;
	if (status >= 400 && status <= 499)
		return LLMR_ERR_BAD_REQUEST;
	return LLMR_ERR_NONE;
}
