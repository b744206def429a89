/* fuzz_util.c - helpers for every harness (see fuzz.h). */
#include <string.h>

#include "base/util.h"
#include "fuzz.h"

char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = llmr_xmalloc(size + 1);

	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
