/*
 * quota.h - rate limits shared by every process that uses the state file.
 *
 * Each call takes a reservation: one row in quota_log, inserted inside a
 * BEGIN IMMEDIATE transaction after counting what the windows already hold,
 * so two processes can never both take the last slot. The row holds the
 * estimated tokens until llmr_quota_settle() writes the actual usage, or
 * llmr_quota_release() gives it back on failure.
 *
 * Windows slide (rps/tps 1 s, rpm/tpm 60 s, rpd/tpd 24 h). A request counts
 * in a window from its reservation until one window length after it ended:
 * whenever the provider saw it arrive, it is counted for every window the
 * provider could put it in, so llmr never admits more than the limit
 * whatever the provider's window alignment (it may admit a little less).
 * A crashed process's reservation ends at its lease (the provider timeout
 * plus 10 s), so nothing stays held forever.
 *
 * Limits learned from response headers (the ratelimits table, written by
 * llmr-ask) win when they say less is left than the config allows: a
 * retry-after is a cooldown until it passes; "0 requests remaining, reset
 * in 20s" blocks for 20 s minus what was admitted since.
 */
#ifndef LLMR_QUOTA_H
#define LLMR_QUOTA_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/config.h"
#include "store/state.h"
#include "base/util.h"

enum llmr_qwin { LLMR_QW_RPS, LLMR_QW_RPM, LLMR_QW_RPD, LLMR_QW_TPS, LLMR_QW_TPM, LLMR_QW_TPD,
		 LLMR_QW_CONCURRENT, LLMR_QW_N };

/* "rps", "rpm", ... "concurrent" (static). */
const char *llmr_qwin_name(int w);

struct llmr_quota_win {
	long used;        /* requests or tokens in the window (in flight now, for concurrent) */
	long limit;       /* -1: no limit */
	int64_t free_at;  /* epoch ms when the oldest entry leaves; 0 if empty */
};

/* What the state file and the headers say about one provider (and model). */
struct llmr_quota_status {
	struct llmr_quota_win w[LLMR_QW_N];  /* provider scope */
	struct llmr_quota_win mw[LLMR_QW_N]; /* model scope; limits -1 if none */
	/* From the latest response headers (-1 when unknown). */
	long hdr_req_limit, hdr_req_remaining, hdr_tok_limit, hdr_tok_remaining;
	int64_t hdr_req_reset_at, hdr_tok_reset_at, hdr_seen_ms;
	long req_since_hdr, tok_since_hdr;   /* admitted by llmr since then */
	int64_t cooldown_until;              /* retry-after; 0 none */
};

/* Fill s for provider p (and model m, may be NULL) at now. Returns 0 or -1
 * with e. Runs inside the caller's transaction if there is one. */
int llmr_quota_status(struct llmr_state *st, const struct llmr_provider_cfg *p,
		      const struct llmr_model_cfg *m, int64_t now,
		      struct llmr_quota_status *s, struct llmr_err *e);

/*
 * Can a request of tokens estimated tokens be admitted under s at now?
 * Returns 0 if so; else 1, why gets "rpm exhausted (60/60, frees in 12s)"
 * and *free_at the earliest time worth trying again. Pure: no I/O.
 */
int llmr_quota_check(const struct llmr_quota_status *s, long tokens, int64_t now,
		     char *why, size_t n, int64_t *free_at);

struct llmr_quota_res {
	int64_t id;       /* quota_log row; 0 when nothing is held */
	int64_t t_start;
	long tokens;
	/* Held in Redis (route/coord.h), not the state file: the id and
	 * t_start are Redis's, and these say which keys. */
	int remote;
	const struct llmr_provider_cfg *p;
	const struct llmr_model_cfg *m;
};

/*
 * Reserve one request and tokens estimated tokens on p/m, waiting up to
 * max_wait_ms in a fair queue (rank orders waiters: lower goes first; use
 * llmr_quota_rank()). max_wait_ms 0 tries once. Returns 1 with *res held,
 * 0 when not admitted in time (why says which limit), -1 on error.
 */
int llmr_quota_acquire(struct llmr_state *st, const struct llmr_provider_cfg *p,
		       const struct llmr_model_cfg *m, long tokens, int rank,
		       int64_t max_wait_ms, struct llmr_quota_res *res, char *why, size_t n,
		       struct llmr_err *e);

/* Queue rank: priority first (P0 before P3), then simple before complex. */
int llmr_quota_rank(int priority, int complexity);

/* After the call: record the actual tokens; the request keeps counting in
 * its windows from now. res is emptied. */
int llmr_quota_settle(struct llmr_state *st, struct llmr_quota_res *res, long tokens,
		      struct llmr_err *e);

/* On failure: give the tokens back. sent: the provider saw the request, so
 * it still counts as one request; otherwise the row is removed. */
int llmr_quota_release(struct llmr_state *st, struct llmr_quota_res *res, bool sent,
		       struct llmr_err *e);

/* Forget the cooldown and header-learned limits of provider (NULL: all). */
int llmr_quota_reset_cooldown(struct llmr_state *st, const char *provider, struct llmr_err *e);

/* Requests waiting in the queue now (all providers). */
int llmr_quota_queue_depth(struct llmr_state *st, long *depth, struct llmr_err *e);

#endif
