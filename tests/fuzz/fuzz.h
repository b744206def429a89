/*
 * fuzz.h - what the harnesses in tests/fuzz share. Each harness defines
 * LLVMFuzzerTestOneInput; `make fuzz` links it with libFuzzer, and
 * replay.c links it with a small main that runs saved inputs, so the
 * regressions found by fuzzing are replayed by make check without clang.
 */
#ifndef LLMR_FUZZ_H
#define LLMR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of data (the parsers under test take C strings). */
char *fuzz_cstr(const uint8_t *data, size_t size);

#endif
