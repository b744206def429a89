/* Where the state file lives, and making it exist with the right modes. */
#include "store/state.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/state_int.h"

static char *join_path(const char *dir, const char *rest)
{
	size_t a = strlen(dir), b = strlen(rest);
	char *s = llmr_xmalloc(a + b + 2);

	memcpy(s, dir, a);
	s[a] = '/';
	memcpy(s + a + 1, rest, b + 1);
	return s;
}

static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h && *h)
		return h;
	pw = getpwuid(getuid());
	return pw && pw->pw_dir ? pw->pw_dir : ".";
}

char *llmr_state_path(const char *explicit_path, const struct llmr_config *cfg)
{
	const char *env = getenv("LLMR_STATE"), *xdg = getenv("XDG_DATA_HOME");

	if (explicit_path && *explicit_path)
		return llmr_xstrdup(explicit_path);
	if (env && *env)
		return llmr_xstrdup(env);
	if (cfg && cfg->state && *cfg->state) {
		if (!strncmp(cfg->state, "~/", 2))
			return join_path(home_dir(), cfg->state + 2);
		return llmr_xstrdup(cfg->state);
	}
	/* The XDG spec says to ignore a relative XDG_DATA_HOME. */
	if (xdg && *xdg == '/')
		return join_path(xdg, "llmr/state.db");
	return join_path(home_dir(), ".local/share/llmr/state.db");
}

/* mkdir -p of path's parent, new directories 0700 (the state is private). */
static int make_parent(const char *path, struct llmr_err *e)
{
	char *dir = llmr_xstrdup(path), *slash = strrchr(dir, '/'), *p;
	struct stat sb;

	if (!slash || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	if (stat(dir, &sb) == 0) {
		free(dir);
		return 0;
	}
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			llmr_errf(e, LLMR_EX_IOERR, "cannot create directory '%s': %s", dir,
				  strerror(errno));
			free(dir);
			return -1;
		}
		*p = c;
		if (!c)
			break;
	}
	free(dir);
	return 0;
}

/*
 * Make sure the file exists with mode 0600 before SQLite opens it: SQLite
 * would create it 0644 under the usual umask, and gives the -wal and -shm
 * files the database file's mode. O_EXCL makes a racing creator harmless.
 */
int llmr_state_prepare_file(const char *path, struct llmr_err *e)
{
	struct stat sb;
	int fd;

	if (make_parent(path, e) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		if (fchmod(fd, 0600) < 0) {
			int err = errno;

			close(fd);
			return llmr_errf(e, LLMR_EX_IOERR, "cannot create state file '%s': %s",
					 path, strerror(err));
		}
		close(fd);
		return 0;
	}
	if (errno != EEXIST)
		return llmr_errf(e, LLMR_EX_IOERR, "cannot create state file '%s': %s", path,
				 strerror(errno));
	if (stat(path, &sb) < 0)
		return llmr_errf(e, LLMR_EX_IOERR, "cannot open state file '%s': %s", path,
				 strerror(errno));
	if (S_ISDIR(sb.st_mode))
		return llmr_errf(e, LLMR_EX_IOERR, "cannot open state file '%s': %s", path,
				 strerror(EISDIR));
	if (!S_ISREG(sb.st_mode))
		return llmr_errf(e, LLMR_EX_IOERR, "cannot open state file '%s': not a regular file",
				 path);
	/* SQLite would quietly fall back to read-only: say why instead. */
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return llmr_errf(e, LLMR_EX_IOERR, "cannot open state file '%s': %s", path,
				 strerror(errno));
	close(fd);
	return 0;
}
