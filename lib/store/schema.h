/*
 * schema.h - the state file's migrations, in order. Step i takes the file
 * from user_version i to i+1. Append new steps at the end of the table in
 * schema.c; never edit a step that has shipped.
 */
#ifndef LLMR_SCHEMA_H
#define LLMR_SCHEMA_H

#include <stddef.h>

struct llmr_migration {
	const char *what;
	const char *sql;
};

extern const struct llmr_migration llmr_migrations[];
extern const size_t llmr_nmigrations;

#endif
