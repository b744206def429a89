/*
 * extract_child.c - document text for llmr-ask, from `llmr-index --extract`
 * run as a child process (fork and exec, no shell).
 *
 * Why a child: the extractors pull in poppler, libxml2, libzip, uchardet
 * and their dozens of dependencies, which would cost every llmr-ask start
 * about 8 ms to load, whether or not anything is attached. Plain UTF-8
 * text, the common case, needs no child at all.
 */
#include "cli/extract_child.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/utf8.h"

/* llmr-index beside our own executable (a build tree, a package), else
 * the one on PATH. */
static void find_indexer(char *out, size_t n)
{
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	snprintf(out, n, "llmr-index");
	if (len <= 0)
		return;
	self[len] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	if ((size_t)snprintf(out, n, "%s/llmr-index", self) < n && access(out, X_OK) == 0)
		return;
	snprintf(out, n, "llmr-index");
}

/* The child's complaint, without its "llmr-index: " prefix, as our reason. */
static int child_error(int status, struct llmr_buf *err, const char *what, struct llmr_err *e)
{
	char *msg = err->s ? err->s : "";
	int code = LLMR_EX_DATAERR;
	size_t n;

	while ((n = strlen(msg)) && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[n - 1] = '\0';
	if (strrchr(msg, '\n'))
		msg = strrchr(msg, '\n') + 1;
	if (!strncmp(msg, "llmr-index: ", 12))
		msg += 12;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return llmr_errf(e, LLMR_EX_UNAVAILABLE, "%s: cannot run llmr-index to extract it", what);
	if (WIFEXITED(status) && (WEXITSTATUS(status) == LLMR_EX_NOINPUT ||
				  WEXITSTATUS(status) == LLMR_EX_DATAERR))
		code = WEXITSTATUS(status);
	return llmr_errf(e, code, "%s", *msg ? msg : what);
}

/* Read fd to the end into out (capped at max), the child's stderr into err. */
static int drain(int out_fd, int err_fd, struct llmr_buf *out, size_t max, struct llmr_buf *err)
{
	char chunk[65536];
	ssize_t n;
	int over = 0;

	while ((n = read(out_fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (out->len + (size_t)n > max) {
			over = 1;
			break;
		}
		llmr_buf_add(out, chunk, (size_t)n);
	}
	close(out_fd);
	while ((n = read(err_fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || err->len > 4096)
			break;
		llmr_buf_add(err, chunk, (size_t)n);
	}
	close(err_fd);
	return over;
}

/* Run `llmr-index --extract arg` with stdin from in_fd (or /dev/null). */
static int run_extract(const char *arg, int in_fd, const char *what, size_t max,
		       struct llmr_buf *out, struct llmr_err *e)
{
	char prog[PATH_MAX];
	int po[2], pe[2], status = 0, over;
	struct llmr_buf err = LLMR_BUF_INIT;
	pid_t pid;

	find_indexer(prog, sizeof(prog));
	if (pipe(po) < 0 || pipe(pe) < 0)
		return llmr_errf(e, LLMR_EX_IOERR, "%s: pipe: %s", what, strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return llmr_errf(e, LLMR_EX_IOERR, "%s: fork: %s", what, strerror(errno));
	if (pid == 0) {
		if (in_fd >= 0)
			dup2(in_fd, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
		execlp(prog, "llmr-index", "--extract", "--", arg, (char *)NULL);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	over = drain(po[0], pe[0], out, max, &err);
	if (over)
		kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (over) {
		llmr_buf_release(&err);
		return llmr_errf(e, LLMR_EX_DATAERR, "%s: its text is larger than %zu MiB", what,
				 max >> 20);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		int rc = child_error(status, &err, what, e);

		llmr_buf_release(&err);
		return rc;
	}
	llmr_buf_release(&err);
	return 0;
}

static int plain_text_name(const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (!dot || (slash && dot < slash))
		return 1;
	return !strcasecmp(dot, ".txt") || !strcasecmp(dot, ".md") ||
	       !strcasecmp(dot, ".markdown") || !strcasecmp(dot, ".text");
}

/* Valid UTF-8 without NUL bytes goes as it is; CRs are dropped, as the
 * extractors drop them. */
static int take_utf8(const char *s, size_t n, struct llmr_buf *out)
{
	if (memchr(s, '\0', n) || !llmr_utf8_valid(s, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\r')
			llmr_buf_add(out, s + i, 1);
	return 1;
}

int llmr_child_text(const char *data, size_t n, size_t max, struct llmr_buf *out,
		    struct llmr_err *e)
{
	FILE *tmp;
	int rc;

	if (take_utf8(data, n, out))
		return 0;
	/* Another character set: llmr-index detects and converts it. */
	if (!(tmp = tmpfile()))
		return llmr_errf(e, LLMR_EX_IOERR, "standard input: temporary file: %s",
				 strerror(errno));
	if (fwrite(data, 1, n, tmp) != n || fflush(tmp) != 0) {
		fclose(tmp);
		return llmr_errf(e, LLMR_EX_IOERR, "standard input: temporary file: %s",
				 strerror(errno));
	}
	rewind(tmp);
	rc = run_extract("-", fileno(tmp), "standard input", max, out, e);
	fclose(tmp);
	return rc;
}

int llmr_child_file(const char *path, size_t max, struct llmr_buf *out, struct llmr_err *e)
{
	if (access(path, R_OK) < 0)
		return llmr_errf(e, errno == ENOENT ? LLMR_EX_NOINPUT : LLMR_EX_DATAERR, "%s: %s",
				 path, strerror(errno));
	if (plain_text_name(path)) {
		FILE *f = fopen(path, "rb");
		struct llmr_buf raw = LLMR_BUF_INIT;
		char chunk[65536];
		size_t n;
		int done;

		if (!f)
			return llmr_errf(e, LLMR_EX_NOINPUT, "%s: %s", path, strerror(errno));
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && raw.len <= max)
			llmr_buf_add(&raw, chunk, n);
		fclose(f);
		if (raw.len > max) {
			llmr_buf_release(&raw);
			return llmr_errf(e, LLMR_EX_DATAERR, "%s: larger than %zu MiB", path, max >> 20);
		}
		done = take_utf8(raw.s ? raw.s : "", raw.len, out);
		llmr_buf_release(&raw);
		if (done)
			return 0;
	}
	return run_extract(path, -1, path, max, out, e);
}
