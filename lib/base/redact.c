#include "base/redact.h"

#include <string.h>

#include "base/util.h"

#define REDACTED "[redacted]"
/* Shorter runs are words or ids; a bare 32-char run is how Mistral keys look. */
#define LONG_TOKEN 32

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Characters keys are made of; '*' because providers mask the middle. */
static int is_keych(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '_' || c == '*';
}

static size_t key_run(const char *s, size_t n, size_t i)
{
	size_t j = i;

	while (j < n && is_keych((unsigned char)s[j]))
		j++;
	return j - i;
}

static int has_prefix(const char *s, size_t n, size_t i, const char *pre)
{
	size_t len = strlen(pre);

	return n - i >= len && !memcmp(s + i, pre, len);
}

static int is_tokch(unsigned char c)
{
	return is_alnum(c) || c == '_';
}

/* Length of a key with a known prefix starting at s[i], or 0. */
static size_t prefixed_at(const char *s, size_t n, size_t i)
{
	static const char *const prefixes[] = {"sk-", "sk_", "gsk_", "xai-", "AIza"};
	size_t k, run;

	for (k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++)
		if (has_prefix(s, n, i, prefixes[k])) {
			run = key_run(s, n, i);
			if (run > strlen(prefixes[k]) + 2)
				return run;
		}
	return 0;
}

/*
 * A bare token: LONG_TOKEN or more letters, digits and '_' mixing letters
 * and digits. Dashes end it, so model names ("DeepSeek-R1-Distill-Llama-
 * 70B") and UUIDs stay readable.
 */
static size_t bare_at(const char *s, size_t n, size_t i)
{
	size_t j, letters = 0, digits = 0;

	for (j = i; j < n && is_tokch((unsigned char)s[j]); j++) {
		if (s[j] >= '0' && s[j] <= '9')
			digits++;
		else
			letters++;
	}
	return j - i >= LONG_TOKEN && letters && digits ? j - i : 0;
}

/* After "Bearer " or "key=", whatever token follows is the secret. */
static size_t label_at(const char *s, size_t n, size_t i)
{
	static const char *const labels[] = {"Bearer ", "bearer ", "key=", "KEY="};
	size_t k;

	for (k = 0; k < sizeof(labels) / sizeof(labels[0]); k++)
		if (has_prefix(s, n, i, labels[k]))
			return strlen(labels[k]);
	return 0;
}

static void redact_into(struct llmr_buf *b, const char *s, size_t n)
{
	size_t i = 0, len, lab, run;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		int word_start = i == 0 || !is_keych((unsigned char)s[i - 1]);

		if (word_start && (lab = label_at(s, n, i)) &&
		    (run = key_run(s, n, i + lab)) > 0) {
			llmr_buf_add(b, s + i, lab);
			llmr_buf_adds(b, REDACTED);
			/* JWT-like bearer tokens carry dots */
			for (i += lab + run; i < n && (s[i] == '.' || is_keych((unsigned char)s[i])); i++)
				;
			continue;
		}
		if ((word_start && (len = prefixed_at(s, n, i))) ||
		    ((i == 0 || !is_tokch((unsigned char)s[i - 1])) && (len = bare_at(s, n, i)))) {
			llmr_buf_adds(b, REDACTED);
			i += len;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			c = ' ';
		llmr_buf_add(b, &c, 1);
		i++;
	}
}

/* Cut to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	size_t cut;

	if (len <= max)
		return len;
	cut = max;
	while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	return cut;
}

void llmr_redact(char *dst, size_t size, const char *src, size_t n)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	size_t len;

	if (!size)
		return;
	redact_into(&b, src ? src : "", src ? n : 0);
	len = b.s ? utf8_cut(b.s, b.len, size - 1) : 0;
	if (len)
		memcpy(dst, b.s, len);
	dst[len] = '\0';
	llmr_buf_release(&b);
}
