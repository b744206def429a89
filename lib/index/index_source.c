/*
 * index_source.c - the name a file is indexed under: its canonical
 * absolute path. Collections indexed before sources were canonical hold
 * relative names; they are moved to the canonical name when the file is
 * still there, and dropped when they duplicate a canonical row.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "index/index_impl.h"

/*
 * The source name of a path: canonical and absolute (realpath), so the same
 * file reached from another folder or spelling is the same document. The
 * last component is kept as named, not resolved (a link to a file is
 * indexed under its own name, as a folder walk finds it), and a path that
 * does not exist is resolved through its folder. NULL when neither can be.
 */
char *llmr_index_canonical(const char *path)
{
	char real[PATH_MAX], *copy, *slash, *base;
	struct llmr_buf b = LLMR_BUF_INIT;
	const char *parent;
	size_t n = strlen(path);
	struct stat sb;

	while (n > 1 && path[n - 1] == '/')
		n--;
	copy = llmr_xstrndup(path, n);
	if (stat(copy, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		char *r = realpath(copy, real) ? llmr_xstrdup(real) : NULL;

		free(copy);
		return r;
	}
	slash = strrchr(copy, '/');
	if (!slash) {
		parent = ".";
		base = copy;
	} else {
		*slash = '\0';
		parent = slash == copy ? "/" : copy;
		base = slash + 1;
	}
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || !realpath(parent, real)) {
		free(copy);
		return NULL;
	}
	llmr_buf_adds(&b, real);
	if (strcmp(real, "/"))
		llmr_buf_add(&b, "/", 1);
	llmr_buf_adds(&b, base);
	free(copy);
	return llmr_buf_detach(&b);
}

/* Written before sources were canonical: relative, or with "." or ".."
 * or doubled slashes in it. */
static int needs_migration(const char *source)
{
	size_t n = strlen(source);

	return source[0] != '/' || strstr(source, "/./") || strstr(source, "/../") ||
	       strstr(source, "//") || (n >= 2 && !strcmp(source + n - 2, "/.")) ||
	       (n >= 3 && !strcmp(source + n - 3, "/.."));
}

int llmr_index_migrate_sources(struct llmr_indexer *ix, struct llmr_err *e)
{
	size_t i;

	if (ix->migrated)
		return 0;
	ix->migrated = 1;
	for (i = 0; i < ix->ndocs; i++) {
		struct llmr_index_docrec *d = &ix->docs[i];
		struct stat sb;
		char *canon;

		if (!d->file || !needs_migration(d->source))
			continue;
		/* Relative to where this run stands: the likeliest place, as
		 * cron runs from the same folder each time. */
		canon = llmr_index_canonical(d->source);
		if (!canon || stat(canon, &sb) < 0) {
			free(canon);
			continue;
		}
		if (llmr_index_find(ix, canon)) {
			/* The same file indexed twice: the canonical row stays. */
			if (llmr_index_delete_doc(ix, d->id, e) < 0) {
				free(canon);
				return -1;
			}
			d->file = 0;
			d->seen = 1;
			free(canon);
			continue;
		}
		if (llmr_index_rename_doc(ix, d->id, canon, e) < 0) {
			free(canon);
			return -1;
		}
		free(d->source);
		d->source = canon;
		llmr_index_map_add(ix, i);
	}
	return 0;
}
