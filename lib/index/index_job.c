/*
 * index_job.c - the write side of the pipeline (index_pipe.c): a finished
 * job becomes a document row, its chunks and full-text rows, or only a
 * new stat for a file touched but not changed, or a recorded failure.
 * Runs on the caller's thread, the one that owns the state file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "index/extract.h"
#include "index/index_impl.h"

static void warn(struct llmr_indexer *ix, const char *path, const char *msg)
{
	if (ix->o.warn)
		ix->o.warn(path, msg, ix->o.ud);
}

static int same(const struct llmr_index_job *j)
{
	return j->have_old && j->hash && !strcmp(j->old_hash, j->hash);
}

int llmr_index_job_write(struct llmr_indexer *ix, struct llmr_index_job *j, struct llmr_err *e)
{
	struct llmr_index_write w;
	char *url = NULL;
	int rc;

	if (j->file && j->read_errno) {
		warn(ix, j->source, j->read_errno == EFBIG ? "file too large" : strerror(j->read_errno));
		ix->c.failed++;
		return 0;
	}
	if (same(j)) {
		/* Touched but not changed: remember the new stat only. */
		ix->c.unchanged++;
		return j->file ? llmr_index_touch_doc(ix, j->old_id, j->size, j->mtime_ns, e) : 0;
	}
	if (j->error && !j->file)
		return llmr_errf(e, j->error_code ? j->error_code : LLMR_EX_DATAERR, "%s", j->error);
	memset(&w, 0, sizeof(w));
	if (j->file)
		url = llmr_index_file_url(ix, j->source);
	w.source = j->source;
	w.origin = j->file ? "file" : "stdin";
	w.url = j->file ? url : j->url;
	w.meta = j->metas;
	w.format = j->file ? llmr_extract_format_name((enum llmr_doc_format)j->fmt) : "text";
	w.hash = j->hash;
	w.size = j->file ? j->size : -1;
	w.mtime_ns = j->file ? j->mtime_ns : -1;
	w.change = j->have_old ? "updated" : "added";
	if (j->error) {
		/* Recorded with its error, so that the next runs skip it until
		 * it changes, and --stats can list it. */
		warn(ix, j->source, j->error);
		w.error = j->error;
		w.change = NULL;
		rc = llmr_index_write_doc(ix, &w, e);
		ix->c.failed++;
		free(url);
		return rc;
	}
	w.sk = (const llmr_index_sketch *)j->sk;
	w.q8 = j->q8;
	rc = llmr_index_store_chunks(ix, &w, &j->ch, j->md.len, e);
	if (rc == 0) {
		if (j->have_old)
			ix->c.updated++;
		else
			ix->c.added++;
		if (!llmr_index_has_text(j->md.s, j->md.len))
			warn(ix, j->source,
			     j->file ? "no text in it: nothing of it can be found (an image-only PDF?)"
				     : "no text in it: nothing of it can be found");
	}
	free(url);
	return rc;
}
