#include "base/utf8.h"

size_t llmr_utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned c = s[0], cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int llmr_utf8_valid(const char *s, size_t n)
{
	size_t i = 0, l;

	while (i < n) {
		l = llmr_utf8_seq((const unsigned char *)s + i, n - i);
		if (!l)
			return 0;
		i += l;
	}
	return 1;
}
