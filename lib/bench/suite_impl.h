/*
 * suite_impl.h - private to lib/bench/suite*.c: the reading context and
 * the YAML helpers. The contract is suite.h.
 */
#ifndef LLMR_BENCH_SUITE_IMPL_H
#define LLMR_BENCH_SUITE_IMPL_H

#include <stdarg.h>
#include <yaml.h>

#include "bench/suite.h"

struct sy_ctx {
	const char *file;
	yaml_document_t doc;
	int loaded;
	struct llmr_err *e;
};

/* Fill c->e with "FILE:LINE:COL: what" (65) at node n; returns -1. */
int sy_fail(struct sy_ctx *c, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *sy_scalar(const yaml_node_t *n);
/* "a string", "a list", "a mapping": for type errors. */
const char *sy_kind(const yaml_node_t *n);
int sy_load(struct sy_ctx *c, const char *path);
/* A YAML value as JSON (new reference), or NULL after sy_fail. */
json_t *sy_json(struct sy_ctx *c, yaml_node_t *n);
int sy_number(struct sy_ctx *c, yaml_node_t *n, const char *key, double *out);
int sy_string(struct sy_ctx *c, yaml_node_t *n, const char *key, char **out);
/* "unknown key 'x' in WHERE (did you mean 'y'?)"; returns -1. */
int sy_unknown(struct sy_ctx *c, yaml_node_t *k, const char *where, const char *const *keys);

#endif
