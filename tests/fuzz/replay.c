/*
 * replay.c - run a harness's entry point on saved inputs, without
 * libFuzzer: `fuzz-replay-NAME FILE...` exits 0 when every input ran to
 * its end. Under the sanitizer build a crash or undefined behaviour aborts
 * it, which is what the regression test looks for.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"
#include "fuzz.h"

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		struct llmr_buf b = LLMR_BUF_INIT;

		if (llmr_read_file(argv[i], &b) < 0) {
			perror(argv[i]);
			return 66;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)(b.s ? b.s : ""), b.len);
		llmr_buf_release(&b);
	}
	return 0;
}
