/*
 * fuzz_config.c - the config loader (YAML reader, schema walker, checks)
 * on any bytes. The loader reads a path, so the input goes into a memory
 * file named through /proc/self/fd.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf/config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct llmr_config *cfg = NULL;
	struct llmr_diags d = {0};
	struct llmr_err e = {0, ""};

	if (fd < 0) {
		fd = memfd_create("fuzz-config", 0);
		if (fd < 0)
			return 0;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	if (llmr_config_load(path, &cfg, &d, &e) == 0)
		llmr_config_free(cfg);
	llmr_diags_release(&d);
	return 0;
}
