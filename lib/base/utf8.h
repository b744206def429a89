/*
 * utf8.h - UTF-8 validity, as the extractors, the index and the JSON
 * output need it: overlong forms, surrogates and code points past U+10FFFF
 * are invalid.
 */
#ifndef LLMR_UTF8_H
#define LLMR_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
size_t llmr_utf8_seq(const unsigned char *s, size_t n);

/* Whether s[0..n) is valid UTF-8. */
int llmr_utf8_valid(const char *s, size_t n);

#endif
