#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "index/extract.h"
#include "index/index_impl.h"

struct entry {
	char *path;
	int64_t size, mtime_ns;
};

struct walk {
	struct entry *v;
	size_t n, cap;
	struct llmr_indexer *ix;
	char **unread;        /* folders that could not be read: their */
	size_t nunread;       /* documents are not gone, only unseen */
};

/* What a named path turned out to be. A root that is not OK never loses
 * its documents, unless --prune says so for a missing or empty one. */
enum root_state { ROOT_OK, ROOT_MISSING, ROOT_UNREADABLE, ROOT_EMPTY };

struct root {
	char *path;    /* canonical */
	const char *given;
	enum root_state state;
	size_t first;  /* its files are the walk's entries from first on */
};

static void warn(struct llmr_indexer *ix, const char *path, const char *msg)
{
	if (ix->o.warn)
		ix->o.warn(path, msg, ix->o.ud);
}

static void add(struct walk *w, const char *path, const struct stat *sb)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		w->v = llmr_xrealloc(w->v, w->cap * sizeof(*w->v));
	}
	w->v[w->n].path = llmr_xstrdup(path);
	w->v[w->n].size = (int64_t)sb->st_size;
	w->v[w->n].mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
	w->n++;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk dir in name order (so runs are reproducible), skipping hidden names. */
static void walk_dir(struct walk *w, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (depth > 64)
		return;
	d = opendir(dir);
	if (!d) {
		warn(w->ix, dir, strerror(errno));
		w->unread = llmr_xrealloc(w->unread, (w->nunread + 1) * sizeof(*w->unread));
		w->unread[w->nunread++] = llmr_xstrdup(dir);
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = llmr_xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = llmr_xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1) /* an empty folder leaves names NULL */
		qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n; i++) {
		struct llmr_buf p = LLMR_BUF_INIT;
		struct stat sb;

		if (strcmp(dir, ".") != 0) {
			llmr_buf_adds(&p, dir);
			if (p.len && p.s[p.len - 1] != '/')
				llmr_buf_add(&p, "/", 1);
		}
		llmr_buf_adds(&p, names[i]);
		if (lstat(p.s, &sb) == 0) {
			/* Follow links to files, not to folders: a link to
			 * a parent would index the same files again and again. */
			int link = S_ISLNK(sb.st_mode);

			if (link && stat(p.s, &sb) < 0)
				sb.st_mode = 0;
			if (S_ISDIR(sb.st_mode) && !link)
				walk_dir(w, p.s, depth + 1);
			else if (S_ISDIR(sb.st_mode) && w->ix->o.verbose)
				warn(w->ix, p.s, "skipped: a link to a folder");
			else if (S_ISREG(sb.st_mode) && llmr_extract_format(p.s) != LLMR_FMT_UNKNOWN)
				add(w, p.s, &sb);
			else if (S_ISREG(sb.st_mode) && w->ix->o.verbose)
				warn(w->ix, p.s, "skipped: unsupported file type");
		}
		llmr_buf_release(&p);
		free(names[i]);
	}
	free(names);
}

static int under(const char *source, const char *root)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return source[0] == '/';
	return !strncmp(source, root, n) && (source[n] == '/' || source[n] == '\0');
}

/* Hand a file to the pipeline unless its stat says it is unchanged. */
static int index_file(struct llmr_indexer *ix, const struct entry *en, struct llmr_err *e)
{
	struct llmr_index_docrec *d = llmr_index_find(ix, en->path);
	struct llmr_index_job *j;

	ix->c.files++;
	if (d) {
		d->seen = 1;
		if (d->size == en->size && d->mtime_ns == en->mtime_ns) {
			ix->c.unchanged++;
			return 0;
		}
	}
	j = llmr_xcalloc(1, sizeof(*j));
	j->file = 1;
	j->source = llmr_xstrdup(en->path);
	j->size = en->size;
	j->mtime_ns = en->mtime_ns;
	j->fmt = (int)llmr_extract_format(en->path);
	if (d) {
		j->have_old = 1;
		j->old_id = d->id;
		memcpy(j->old_hash, d->hash, sizeof(j->old_hash));
	}
	return llmr_index_pipe_push(ix, j, e);
}

/* Named paths to roots: resolved, looked at, walked into w. */
static void collect(struct llmr_indexer *ix, char *const *paths, size_t n, struct walk *w,
		    struct root *roots)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct root *r = &roots[i];
		struct stat sb;
		size_t unread = w->nunread;

		r->given = paths[i];
		r->path = llmr_index_canonical(paths[i]);
		r->first = w->n;
		if (stat(paths[i], &sb) < 0 || !r->path) {
			r->state = errno == ENOENT || errno == ENOTDIR ? ROOT_MISSING : ROOT_UNREADABLE;
			warn(ix, paths[i], strerror(errno));
			ix->c.missing++;
		} else if (S_ISDIR(sb.st_mode)) {
			walk_dir(w, r->path, 0);
			if (w->nunread > unread && !strcmp(w->unread[unread], r->path))
				r->state = ROOT_UNREADABLE;
			else if (w->n == r->first)
				r->state = ROOT_EMPTY;
			ix->c.missing += w->nunread - unread;
		} else if (llmr_extract_format(r->path) == LLMR_FMT_UNKNOWN) {
			warn(ix, paths[i], "unsupported file type");
			ix->c.failed++;
		} else {
			add(w, r->path, &sb);
		}
	}
}

static int in_unread(const struct walk *w, const char *source)
{
	size_t i;

	for (i = 0; i < w->nunread; i++)
		if (under(source, w->unread[i]))
			return 1;
	return 0;
}

/*
 * Documents under a root that this run did not meet are gone, but only
 * when the root could be read and held files: a missing folder (an
 * unmounted drive under cron) or an empty one must not empty the
 * collection. --prune lets missing and empty roots go too.
 */
static int drop_gone(struct llmr_indexer *ix, const struct root *r, const struct walk *w,
		     struct llmr_err *e)
{
	int allowed = r->state == ROOT_OK ||
		      (ix->o.prune && (r->state == ROOT_MISSING || r->state == ROOT_EMPTY));
	size_t i, kept = 0;
	char msg[160];

	for (i = 0; i < ix->ndocs; i++) {
		struct llmr_index_docrec *d = &ix->docs[i];

		if (d->seen || !d->file || !under(d->source, r->path))
			continue;
		d->seen = 1;
		if (!allowed || in_unread(w, d->source)) {
			kept++;
			continue;
		}
		if (ix->o.change) {
			char *url = llmr_index_stored_url(ix, d->id);

			llmr_index_change_queue(ix, "deleted", d->source, url, NULL);
			free(url);
		}
		if (llmr_index_delete_doc(ix, d->id, e) < 0)
			return -1;
		ix->c.deleted++;
	}
	if (kept && r->state != ROOT_OK) {
		static const char *const why[] = {"", "missing", "unreadable", "no files found"};

		snprintf(msg, sizeof(msg), "%s: its %zu document%s kept%s", why[r->state], kept,
			 kept == 1 ? " is" : "s are",
			 r->state == ROOT_UNREADABLE ? "" : " (--prune removes them)");
		warn(ix, r->given, msg);
		if (r->state == ROOT_EMPTY)
			ix->c.missing++;
	}
	return 0;
}

int llmr_index_paths(struct llmr_indexer *ix, char *const *paths, size_t n, struct llmr_err *e)
{
	struct walk w = {NULL, 0, 0, ix, NULL, 0};
	struct root *roots = llmr_xcalloc(n ? n : 1, sizeof(*roots));
	size_t i;
	int rc = llmr_index_migrate_sources(ix, e);

	if (rc == 0 && ix->o.url_base && n != 1)
		rc = llmr_errf(e, LLMR_EX_USAGE, "--url-base: name one root, not %zu", n);
	if (rc == 0)
		collect(ix, paths, n, &w, roots);
	if (rc == 0 && ix->o.url_base) {
		if (!roots[0].path)
			rc = llmr_errf(e, LLMR_EX_NOINPUT, "--url-base: cannot resolve '%s'", paths[0]);
		else
			rc = llmr_index_set_url_base(ix, roots[0].path, ix->o.url_base, e);
	}
	for (i = 0; i < w.n && rc == 0; i++) {
		if (ix->o.progress)
			ix->o.progress(i, w.n, w.v[i].path, ix->o.ud);
		rc = index_file(ix, &w.v[i], e);
	}
	/* Every file written before any is found gone. */
	if (rc == 0)
		rc = llmr_index_pipe_drain(ix, e);
	if (ix->o.progress && rc == 0)
		ix->o.progress(w.n, w.n, NULL, ix->o.ud);
	for (i = 0; i < n && rc == 0; i++)
		if (roots[i].path)
			rc = drop_gone(ix, &roots[i], &w, e);
	for (i = 0; i < w.n; i++)
		free(w.v[i].path);
	free(w.v);
	for (i = 0; i < w.nunread; i++)
		free(w.unread[i]);
	free(w.unread);
	for (i = 0; i < n; i++)
		free(roots[i].path);
	free(roots);
	return rc;
}
