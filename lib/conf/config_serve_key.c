/*
 * config_serve_key.c - serve: keys: key_file: a client key kept in a file
 * of mode 0600 rather than as its sha256 in the config. The file is read
 * when the config is loaded (so again on SIGHUP), only its SHA-256 is
 * kept, and the bytes read are wiped. A file group or others can read, or
 * that is not a regular file, is a config error: the server fails closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sha256.h"
#include "conf/config_impl.h"

#define SERVE_KEY_MAX 4096

/* ~/ expanded; a new string. */
static char *expand(const char *path)
{
	const char *home = getenv("HOME");
	char *out;

	if (path[0] != '~' || path[1] != '/' || !home || !*home)
		return llmr_xstrdup(path);
	out = llmr_xmalloc(strlen(home) + strlen(path));
	sprintf(out, "%s%s", home, path + 1);
	return out;
}

/* The key's bytes into buf (NUL-terminated, the line end dropped);
 * NULL, or why it cannot be used. */
static const char *read_key(int fd, char *buf, size_t cap)
{
	struct stat st;
	size_t len = 0;
	ssize_t n;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return "is not a regular file";
	if (st.st_mode & 077)
		return "is accessible by group or others: chmod 600 it";
	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return "cannot be read";
		len += (size_t)n;
	}
	buf[len] = '\0';
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (!len)
		return "is empty";
	if (strcspn(buf, " \t\r\n") != len)
		return "holds more than one line or spaces";
	return NULL;
}

void cfg_read_serve_key_file(struct cfg_ctx *c, yaml_node_t *v, char sha256[65])
{
	char *path = expand(cfg_scalar(v)), buf[SERVE_KEY_MAX];
	const char *why;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		cfg_error(c, v, "key_file '%s': %s", cfg_quote(cfg_scalar(v)), strerror(errno));
	} else if ((why = read_key(fd, buf, sizeof(buf)))) {
		cfg_error(c, v, "key_file '%s' %s", cfg_quote(cfg_scalar(v)), why);
	} else {
		llmr_sha256_hex(buf, strlen(buf), sha256);
	}
	explicit_bzero(buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	free(path);
}
