#include "base/vocab.h"

#include "base/util.h"

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
