/*
 * coord_sync.h - which local reservations to copy into Redis when it comes
 * back (private to coord_quota.c).
 *
 * Every process of a host that returns from an outage would otherwise copy
 * the same rows: the copy is idempotent, but dozens of processes copying
 * hundreds of rows at once slow Redis past the bound and cause the very
 * outage they end. So rows are claimed: one transaction hands each row to
 * exactly one process, by a high-water mark kept in the state file.
 */
#ifndef LLMR_COORD_SYNC_H
#define LLMR_COORD_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

struct llmr_coord_row {
	int64_t id, t_end;
	long tokens;
	int held;
	char provider[128], model[128];
};

/* Claim the rows reserved since `since` (epoch ms) that no process has
 * claimed yet and that a window can still see. 0 and *rows (free()) with
 * *n of them, or -1. */
int llmr_coord_sync_claim(struct llmr_state *st, int64_t since, struct llmr_coord_row **rows, size_t *n);

#endif
