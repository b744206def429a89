/*
 * config_key.c - fetching a provider's API key from the environment or a
 * private key file. The key never goes into an error message, and the
 * buffers that held it are wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/config.h"

#define KEY_MAX 8192

/* A key goes into an HTTP header: a stray newline or space would split or
 * corrupt it (and a newline could smuggle in a header of its own). */
static int key_is_clean(const char *k)
{
	for (; *k; k++)
		if ((unsigned char)*k <= 0x20 || (unsigned char)*k == 0x7f)
			return 0;
	return 1;
}

/* "~/x" -> "$HOME/x": key files usually live under the home directory and
 * the config is not read by a shell. */
static char *expand_home(const char *path)
{
	const char *home = getenv("HOME");
	size_t len;
	char *s;

	if (path[0] != '~' || path[1] != '/' || !home || !*home)
		return llmr_xstrdup(path);
	len = strlen(home) + strlen(path);
	s = llmr_xmalloc(len);
	memcpy(s, home, strlen(home));
	memcpy(s + strlen(home), path + 1, strlen(path));
	return s;
}

static int read_key_fd(int fd, char *buf, size_t cap, size_t *len)
{
	ssize_t n;

	*len = 0;
	while (*len < cap - 1) {
		n = read(fd, buf + *len, cap - 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	buf[*len] = '\0';
	return 0;
}

static char *key_from_file(const struct llmr_provider_cfg *p, struct llmr_err *e)
{
	char *path = expand_home(p->api_key_file), *key = NULL;
	char buf[KEY_MAX];
	struct stat st;
	size_t len;
	int fd;

	/* fstat the descriptor we read, so the mode checked is the file's. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		llmr_errf(e, LLMR_EX_NOPERM, "provider '%s': cannot open key file '%s': %s",
			  p->name, p->api_key_file, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		llmr_errf(e, LLMR_EX_NOPERM, "provider '%s': key file '%s' is not a regular file",
			  p->name, p->api_key_file);
		goto out;
	}
	if (st.st_mode & 077) {
		llmr_errf(e, LLMR_EX_NOPERM,
			  "provider '%s': key file '%s' is accessible by group or others: chmod 600 it",
			  p->name, p->api_key_file);
		goto out;
	}
	if (read_key_fd(fd, buf, sizeof(buf), &len) < 0) {
		llmr_errf(e, LLMR_EX_NOPERM, "provider '%s': cannot read key file '%s': %s",
			  p->name, p->api_key_file, strerror(errno));
		goto wipe;
	}
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (!len)
		llmr_errf(e, LLMR_EX_NOPERM, "provider '%s': key file '%s' is empty", p->name, p->api_key_file);
	else if (!key_is_clean(buf))
		llmr_errf(e, LLMR_EX_NOPERM, "provider '%s': key file '%s' holds more than one line or spaces",
			  p->name, p->api_key_file);
	else
		key = llmr_xstrdup(buf);
wipe:
	explicit_bzero(buf, sizeof(buf));
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return key;
}

char *llmr_provider_api_key(const struct llmr_provider_cfg *p, struct llmr_err *e)
{
	const char *v = p->api_key_env ? getenv(p->api_key_env) : NULL;

	if (v && *v) {
		if (!key_is_clean(v)) {
			llmr_errf(e, LLMR_EX_NOPERM, "provider '%s': %s contains spaces or control characters",
				  p->name, p->api_key_env);
			return NULL;
		}
		return llmr_xstrdup(v);
	}
	if (p->api_key_file)
		return key_from_file(p, e);
	if (p->api_key_env) {
		llmr_errf(e, LLMR_EX_NOPERM, "provider '%s': no API key: set %s", p->name, p->api_key_env);
		return NULL;
	}
	return llmr_xstrdup("");
}
