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

/* The source name of a path: as given, without "./" or trailing slashes. */
static char *clean(const char *path)
{
	size_t n;

	while (path[0] == '.' && path[1] == '/' && path[2])
		path += 2;
	n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	return llmr_xstrndup(path, n);
}

static int under(const char *source, const char *root)
{
	size_t n = strlen(root);

	if (!strcmp(root, "."))
		return source[0] != '/';
	return !strncmp(source, root, n) && (source[n] == '/' || source[n] == '\0');
}

static char *file_url(const char *path)
{
	char real[PATH_MAX];
	struct llmr_buf b = LLMR_BUF_INIT;
	const unsigned char *p;

	if (!realpath(path, real))
		return NULL;
	llmr_buf_adds(&b, "file://");
	for (p = (const unsigned char *)real; *p; p++) {
		if (*p <= ' ' || *p == '%' || *p == '#' || *p == '?' || *p >= 0x7f)
			llmr_buf_addf(&b, "%%%02X", *p);
		else
			llmr_buf_add(&b, p, 1);
	}
	return llmr_buf_detach(&b);
}

static int index_file(struct llmr_indexer *ix, const struct entry *en, struct llmr_err *e)
{
	struct llmr_index_docrec *d = llmr_index_find(ix, en->path);
	struct llmr_buf raw = LLMR_BUF_INIT, md = LLMR_BUF_INIT;
	struct llmr_index_write w;
	struct llmr_err xe = {0, ""};
	enum llmr_doc_format f = llmr_extract_format(en->path);
	char *hash, *url;
	int rc = 0;

	ix->c.files++;
	if (d) {
		d->seen = 1;
		if (d->size == en->size && d->mtime_ns == en->mtime_ns) {
			ix->c.unchanged++;
			return 0;
		}
	}
	raw.max = LLMR_EXTRACT_MAX_BYTES;
	if (llmr_read_file(en->path, &raw) < 0) {
		warn(ix, en->path, errno == EFBIG ? "file too large" : strerror(errno));
		llmr_buf_release(&raw);
		ix->c.failed++;
		return 0;
	}
	hash = llmr_index_sha256(raw.s, raw.len);
	if (d && !strcmp(d->hash, hash)) {
		/* Touched but not changed: remember the new stat only. */
		rc = llmr_index_touch_doc(ix, d->id, en->size, en->mtime_ns, e);
		ix->c.unchanged++;
		goto out;
	}
	memset(&w, 0, sizeof(w));
	url = file_url(en->path);
	w.source = en->path;
	w.origin = "file";
	w.url = url;
	w.format = llmr_extract_format_name(f);
	w.hash = hash;
	w.size = en->size;
	w.mtime_ns = en->mtime_ns;
	md.max = LLMR_EXTRACT_MAX_BYTES;
	if (llmr_extract_mem(f, raw.s, raw.len, &md, &xe) < 0) {
		/* Recorded with its error, so that the next runs skip it until
		 * it changes, and --stats can list it. */
		warn(ix, en->path, xe.msg);
		w.error = xe.msg;
		rc = llmr_index_write_doc(ix, &w, e);
		ix->c.failed++;
	} else {
		rc = llmr_index_store_text(ix, &w, md.s ? md.s : "", md.len, e);
		if (rc == 0) {
			if (d)
				ix->c.updated++;
			else
				ix->c.added++;
		}
	}
	free(url);
out:
	free(hash);
	llmr_buf_release(&raw);
	llmr_buf_release(&md);
	return rc;
}

int llmr_index_paths(struct llmr_indexer *ix, char *const *paths, size_t n, struct llmr_err *e)
{
	struct walk w = {NULL, 0, 0, ix};
	char **roots = llmr_xcalloc(n ? n : 1, sizeof(*roots));
	size_t nroots = 0, i, j;
	int rc = 0;

	for (i = 0; i < n; i++) {
		char *p = clean(paths[i]);
		struct stat sb;

		if (stat(p, &sb) < 0) {
			warn(ix, p, strerror(errno));
			ix->c.missing++;
			/* A named file that is gone leaves the index. */
			if (errno == ENOENT)
				roots[nroots++] = p;
			else
				free(p);
			continue;
		}
		if (S_ISDIR(sb.st_mode)) {
			walk_dir(&w, p, 0);
		} else if (llmr_extract_format(p) == LLMR_FMT_UNKNOWN) {
			warn(ix, p, "unsupported file type");
			ix->c.failed++;
		} else {
			add(&w, p, &sb);
		}
		roots[nroots++] = p;
	}
	for (i = 0; i < w.n && rc == 0; i++) {
		if (ix->o.progress)
			ix->o.progress(i, w.n, w.v[i].path, ix->o.ud);
		rc = index_file(ix, &w.v[i], e);
	}
	if (ix->o.progress && rc == 0)
		ix->o.progress(w.n, w.n, NULL, ix->o.ud);
	/* Files under a walked root that this run did not meet are gone. */
	for (i = 0; i < ix->ndocs && rc == 0; i++) {
		struct llmr_index_docrec *d = &ix->docs[i];

		if (d->seen || !d->file)
			continue;
		for (j = 0; j < nroots; j++) {
			if (under(d->source, roots[j])) {
				rc = llmr_index_delete_doc(ix, d->id, e);
				d->seen = 1;
				ix->c.deleted++;
				break;
			}
		}
	}
	for (i = 0; i < w.n; i++)
		free(w.v[i].path);
	free(w.v);
	for (i = 0; i < nroots; i++)
		free(roots[i]);
	free(roots);
	return rc;
}
