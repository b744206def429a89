/*
 * jschema.h - a JSON Schema subset for the json-schema assertion: type,
 * required, properties, items, enum, minimum, maximum, minLength,
 * maxLength (draft 2020-12 meanings). Other keywords are refused when the
 * suite is read rather than ignored, so a schema never checks less than
 * its author thinks; "$schema", "title" and "description" are annotations.
 */
#ifndef LLMR_BENCH_JSCHEMA_H
#define LLMR_BENCH_JSCHEMA_H

#include <jansson.h>
#include <stddef.h>

/* 0 if schema uses only the subset, correctly typed; else -1 with why. */
int llmr_jschema_check_schema(const json_t *schema, char *why, size_t n);

/* 1 if inst is valid against schema, 0 if not (why says where and what). */
int llmr_jschema_valid(const json_t *schema, const json_t *inst, char *why, size_t n);

/* 1 if inst has the type the "type" keyword's value names (a name or a
 * list of names; 2.0 is an integer), else 0. */
int llmr_jschema_type_ok(const json_t *type, const json_t *inst);

#endif
