/*
 * index_pipe.c - the indexing pipeline. A document is a job: worker
 * threads read it, hash it, extract, chunk and (local embedder) sketch
 * its chunks; the caller's thread, the only one that touches the state
 * file, writes the finished jobs in the order they were given, inside the
 * batch transactions of index.c. So a run uses every core for the work
 * that can be shared and keeps one writer, and a kill -9 still loses at
 * most the open batch. Without workers (an API embedder, whose requests
 * are made per document outside any transaction) a job runs inline.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libxml/parser.h>

#include "index/extract.h"
#include "index/index_impl.h"

#define RING 64       /* jobs in flight */
#define MAX_WORKERS 4
#define WAIT_IN_BATCH_MS 50 /* then the open batch is committed */

struct llmr_index_pipe {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct llmr_index_job *ring[RING];
	size_t head, next, tail; /* oldest, next to take, next free */
	pthread_t th[MAX_WORKERS];
	size_t nth;
	int stop;
};

void llmr_index_job_free(struct llmr_index_job *j)
{
	if (!j)
		return;
	free(j->source);
	free(j->url);
	free(j->metas);
	free(j->text);
	free(j->hash);
	free(j->error);
	free(j->sk);
	free(j->q8);
	llmr_buf_release(&j->md);
	llmr_chunks_release(&j->ch);
	free(j);
}

static void sketch_chunks(struct llmr_index_job *j)
{
	struct llmr_buf in = LLMR_BUF_INIT;
	float *v = llmr_xmalloc(LLMR_EMBED_LOCAL_DIM * sizeof(float));
	size_t i;

	j->sk = llmr_xmalloc((j->ch.n ? j->ch.n : 1) * sizeof(*j->sk));
	j->q8 = llmr_xmalloc((j->ch.n ? j->ch.n : 1) * LLMR_ANN_VEC_LEN);
	for (i = 0; i < j->ch.n; i++) {
		llmr_buf_reset(&in);
		llmr_index_embed_input(j->ch.v[i].heading, j->ch.v[i].text, &in);
		llmr_embed_local(in.s, in.len, v);
		llmr_embed_sketch(v, LLMR_EMBED_LOCAL_DIM, j->sk[i]);
		llmr_ann_quantize(v, j->q8 + i * LLMR_ANN_VEC_LEN);
	}
	free(v);
	llmr_buf_release(&in);
}

/* A JSON-lines document: the hash covers url and meta too, so that
 * changing them updates the row. */
static void doc_hash(struct llmr_index_job *j)
{
	struct llmr_buf key = LLMR_BUF_INIT;

	llmr_buf_add(&key, j->text, j->n);
	llmr_buf_add(&key, "", 1);
	llmr_buf_adds(&key, j->url ? j->url : "");
	llmr_buf_add(&key, "", 1);
	llmr_buf_adds(&key, j->metas ? j->metas : "");
	j->hash = llmr_index_sha256(key.s, key.len);
	llmr_buf_release(&key);
}

/* Everything but the write; touches nothing shared. */
static void process(const struct llmr_indexer *ix, struct llmr_index_job *j)
{
	struct llmr_buf raw = LLMR_BUF_INIT;
	struct llmr_err xe = {0, ""};
	int rc;

	j->md.max = LLMR_EXTRACT_MAX_BYTES;
	if (j->file) {
		raw.max = LLMR_EXTRACT_MAX_BYTES;
		if (llmr_read_file(j->source, &raw) < 0) {
			j->read_errno = errno ? errno : EIO;
			llmr_buf_release(&raw);
			return;
		}
		j->hash = llmr_index_sha256(raw.s, raw.len);
		if (j->have_old && !strcmp(j->old_hash, j->hash)) {
			llmr_buf_release(&raw);
			return;
		}
		rc = llmr_extract_mem(j->fmt, raw.s, raw.len, &j->md, &xe);
		llmr_buf_release(&raw);
	} else {
		doc_hash(j);
		if (j->have_old && !strcmp(j->old_hash, j->hash))
			return;
		rc = llmr_extract_to_utf8(j->text, j->n, &j->md, &xe);
		free(j->text); /* the converted copy is what is kept */
		j->text = NULL;
	}
	if (rc < 0) {
		j->error = llmr_xstrdup(xe.msg);
		j->error_code = xe.code;
		return;
	}
	llmr_chunk_markdown(j->md.s ? j->md.s : "", j->md.len, ix->chunk_tokens, ix->overlap,
			    &j->ch);
	if (ix->em->local)
		sketch_chunks(j);
}

static void *worker(void *ud)
{
	struct llmr_indexer *ix = ud;
	struct llmr_index_pipe *p = ix->pipe;

	for (;;) {
		struct llmr_index_job *j;

		pthread_mutex_lock(&p->mu);
		while (!p->stop && p->next == p->tail)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		j = p->ring[p->next++ % RING];
		pthread_mutex_unlock(&p->mu);
		process(ix, j);
		pthread_mutex_lock(&p->mu);
		j->done = 1;
		pthread_cond_broadcast(&p->done);
		pthread_mutex_unlock(&p->mu);
	}
}

void llmr_index_pipe_start(struct llmr_indexer *ix)
{
	struct llmr_index_pipe *p;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	float v[LLMR_EMBED_LOCAL_DIM] = {0}, proj[LLMR_SKETCH_BITS];
	size_t i;

	if (!ix->em->local)
		return;
	/* Set up what the workers share before they start: libxml2's
	 * globals and the sketch's hyperplanes are made on first use. */
	xmlInitParser();
	llmr_embed_project(v, LLMR_EMBED_LOCAL_DIM, proj);
	p = llmr_xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	ix->pipe = p;
	for (i = 0; i < (size_t)(ncpu < 1 ? 1 : ncpu > MAX_WORKERS ? MAX_WORKERS : ncpu); i++)
		if (pthread_create(&p->th[p->nth], NULL, worker, ix) == 0)
			p->nth++;
	if (!p->nth) { /* no thread: jobs run inline */
		ix->pipe = NULL;
		llmr_index_pipe_stop(p);
	}
}

void llmr_index_pipe_stop(struct llmr_index_pipe *p)
{
	size_t i;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	for (i = p->head; i != p->tail; i++)
		llmr_index_job_free(p->ring[i % RING]);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p);
}

/* Write the oldest job once it is done. */
static int write_oldest(struct llmr_indexer *ix, struct llmr_err *e)
{
	struct llmr_index_pipe *p = ix->pipe;
	struct llmr_index_job *j;
	int rc;

	pthread_mutex_lock(&p->mu);
	j = p->ring[p->head % RING];
	if (!j->done && ix->in_batch) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += WAIT_IN_BATCH_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (!j->done && pthread_cond_timedwait(&p->done, &p->mu, &ts) == 0)
			;
	}
	if (!j->done && ix->in_batch) {
		/* Never hold the write lock while a worker is busy (a long PDF):
		 * commit what is written first. */
		pthread_mutex_unlock(&p->mu);
		if (llmr_index_batch_end(ix, 1, e) < 0)
			return -1;
		if (ix->o.change)
			llmr_index_change_flush(ix);
		pthread_mutex_lock(&p->mu);
	}
	while (!j->done)
		pthread_cond_wait(&p->done, &p->mu);
	p->head++;
	pthread_mutex_unlock(&p->mu);
	rc = llmr_index_job_write(ix, j, e);
	llmr_index_job_free(j);
	return rc;
}

int llmr_index_pipe_push(struct llmr_indexer *ix, struct llmr_index_job *j, struct llmr_err *e)
{
	struct llmr_index_pipe *p = ix->pipe;
	int rc;

	if (!p) {
		process(ix, j);
		rc = llmr_index_job_write(ix, j, e);
		llmr_index_job_free(j);
		return rc;
	}
	/* Write what is finished as it comes, and make room when full. */
	for (;;) {
		int full, ready;

		pthread_mutex_lock(&p->mu);
		full = p->tail - p->head == RING;
		ready = p->head != p->tail && p->ring[p->head % RING]->done;
		pthread_mutex_unlock(&p->mu);
		if (!full && !ready)
			break;
		if (write_oldest(ix, e) < 0) {
			llmr_index_job_free(j);
			return -1;
		}
	}
	pthread_mutex_lock(&p->mu);
	p->ring[p->tail++ % RING] = j;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

int llmr_index_pipe_drain(struct llmr_indexer *ix, struct llmr_err *e)
{
	struct llmr_index_pipe *p = ix->pipe;

	while (p && p->head != p->tail)
		if (write_oldest(ix, e) < 0)
			return -1;
	return 0;
}

/* JSON lines: a document given as text becomes a job like a file. */
int llmr_index_doc(struct llmr_indexer *ix, const char *id, const char *text, size_t n,
		   const char *url, json_t *meta, struct llmr_err *e)
{
	struct llmr_index_docrec *d = llmr_index_find(ix, id);
	struct llmr_index_job *j = llmr_xcalloc(1, sizeof(*j));

	ix->c.files++;
	if (d) {
		d->seen = 1;
		j->have_old = 1;
		j->old_id = d->id;
		memcpy(j->old_hash, d->hash, sizeof(j->old_hash));
	}
	j->source = llmr_xstrdup(id);
	j->text = llmr_xmalloc(n + 1);
	memcpy(j->text, text, n);
	j->text[n] = '\0';
	j->n = n;
	j->url = url ? llmr_xstrdup(url) : NULL;
	j->metas = meta ? json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	return llmr_index_pipe_push(ix, j, e);
}
