/*
 * sha256.h - SHA-256 (FIPS 180-4), so that a content hash does not pull a
 * general-purpose library (glib and its dependencies) into every program.
 */
#ifndef LLMR_SHA256_H
#define LLMR_SHA256_H

#include <stddef.h>

/* The digest of n bytes at data into out. */
void llmr_sha256(const void *data, size_t n, unsigned char out[32]);

/* The same as 64 lowercase hex digits and a NUL in hex. */
void llmr_sha256_hex(const void *data, size_t n, char hex[65]);

#endif
