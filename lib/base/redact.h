/*
 * redact.h - make a provider's error message safe to log and print.
 *
 * Providers echo parts of the key back ("Incorrect API key provided:
 * sk-abc***xyz"), and a message may carry control characters. Every error
 * message that comes from a provider goes through llmr_redact() before it
 * reaches a struct llmr_chat_result, a log line or a terminal.
 */
#ifndef LLMR_REDACT_H
#define LLMR_REDACT_H

#include <stddef.h>

/*
 * Copy the n bytes at src into dst (size bytes, always NUL-terminated),
 * replacing anything that looks like a secret with "[redacted]": tokens
 * starting sk- / sk_ (OpenAI, Anthropic "sk-ant-", OpenRouter "sk-or-"),
 * gsk_, xai-, AIza (Google), the value after "Bearer " or "key=", and any
 * run of 32 or more letters, digits and '_' mixing letters and digits. Control characters
 * (newlines and tabs included) become spaces, so the result is one line.
 * A copy cut short never ends inside a UTF-8 sequence. src may equal dst.
 * Cannot fail.
 */
void llmr_redact(char *dst, size_t size, const char *src, size_t n);

#endif
