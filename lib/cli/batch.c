#include "cli/batch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/interrupt.h"

/* Results kept until their turn: a ring indexed by sequence number. */
struct pending {
	char *line; /* NULL: nothing to print */
	int status;
	int ready;
};

struct worker {
	pid_t pid;
	int to, from;  /* request pipe (write end), result pipe (read end) */
	int busy;
	struct llmr_buf inbuf; /* partial result bytes */
};

static int write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int emit(FILE *out, const char *line, int *worst, int status)
{
	if (status > *worst)
		*worst = status;
	if (line && (fputs(line, out) == EOF || fputc('\n', out) == EOF || fflush(out) == EOF))
		return -1;
	return 0;
}

static int run_serial(FILE *in, FILE *out, llmr_batch_fn fn, void *ud, int *worst,
		      struct llmr_err *e)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int rc = 0;

	while ((n = getline(&line, &cap, in)) >= 0) {
		int status = 0;
		char *res;

		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n)
			continue;
		res = fn(line, (size_t)n, lineno, &status, ud);
		if (emit(out, res, worst, status) < 0)
			rc = llmr_errf(e, LLMR_EX_IOERR, "cannot write output: %s", strerror(errno));
		free(res);
		if (rc)
			break;
	}
	free(line);
	return rc;
}

/* Child: read "seq lineno len\n<bytes>" frames, answer "seq status len\n<bytes>". */
static void worker_main(int in_fd, int out_fd, llmr_batch_fn fn, void *ud)
{
	FILE *in = fdopen(in_fd, "r");
	long seq, lineno;
	size_t len;

	while (in && fscanf(in, "%ld %ld %zu", &seq, &lineno, &len) == 3 && fgetc(in) == '\n') {
		char *buf = llmr_xmalloc(len + 1), *res;
		char head[64];
		int status = 0;
		size_t rlen;

		if (fread(buf, 1, len, in) != len) {
			free(buf);
			break;
		}
		buf[len] = '\0';
		res = fn(buf, len, lineno, &status, ud);
		rlen = res ? strlen(res) : 0;
		snprintf(head, sizeof(head), "%ld %d %zu %d\n", seq, status, rlen, res != NULL);
		if (write_all(out_fd, head, strlen(head)) < 0 || write_all(out_fd, res ? res : "", rlen) < 0)
			exit(LLMR_EX_IOERR);
		free(res);
		free(buf);
	}
	if (in)
		fclose(in);
	close(out_fd);
}

static int spawn(struct worker *w, struct worker *all, int n, llmr_batch_fn fn, void *ud)
{
	int req[2], res[2], i;

	if (pipe(req) < 0)
		return -1;
	if (pipe(res) < 0) {
		close(req[0]);
		close(req[1]);
		return -1;
	}
	fflush(NULL);
	w->pid = fork();
	if (w->pid < 0)
		return -1;
	if (w->pid == 0) {
		llmr_interrupt_forwarded_by(getppid());
		for (i = 0; i < n; i++)
			if (all[i].pid > 0) {
				close(all[i].to);
				close(all[i].from);
			}
		close(req[1]);
		close(res[0]);
		worker_main(req[0], res[1], fn, ud);
		exit(0);
	}
	close(req[0]);
	close(res[1]);
	w->to = req[1];
	w->from = res[0];
	return 0;
}

/* Parse complete result frames out of w->inbuf into the pending ring. */
static void collect(struct worker *w, struct pending *ring, size_t ringsz)
{
	for (;;) {
		char *nl = w->inbuf.s ? memchr(w->inbuf.s, '\n', w->inbuf.len) : NULL;
		long seq;
		int status, has;
		size_t len, head;
		struct pending *p;

		if (!nl || sscanf(w->inbuf.s, "%ld %d %zu %d", &seq, &status, &len, &has) != 4)
			return;
		head = (size_t)(nl - w->inbuf.s) + 1;
		if (w->inbuf.len < head + len)
			return;
		p = &ring[(size_t)seq % ringsz];
		p->line = has ? llmr_xstrndup(w->inbuf.s + head, len) : NULL;
		p->status = status;
		p->ready = 1;
		memmove(w->inbuf.s, w->inbuf.s + head + len, w->inbuf.len - head - len);
		w->inbuf.len -= head + len;
		w->busy = 0;
	}
}

/* The parent was interrupted: tell each worker once, so that the call it
 * has in flight stops too (a signal sent to the parent alone, as
 * timeout(1) sends, would not reach them). */
static void forward_interrupt(struct worker *ws, int n)
{
	static int done;
	int sig = llmr_interrupt_signal();

	if (!sig || done)
		return;
	done = 1;
	for (int i = 0; i < n; i++)
		if (ws[i].pid > 0)
			kill(ws[i].pid, sig);
}

/* Wait for at least one result; returns -1 when a worker died. */
static int pump(struct worker *ws, int n, struct pending *ring, size_t ringsz)
{
	struct pollfd pf[64];
	char buf[65536];
	int i, k = 0;

	forward_interrupt(ws, n);
	for (i = 0; i < n; i++) {
		pf[i].fd = ws[i].busy ? ws[i].from : -1;
		pf[i].events = POLLIN;
		pf[i].revents = 0;
		k += ws[i].busy;
	}
	if (!k)
		return 0;
	if (poll(pf, (nfds_t)n, -1) < 0) {
		forward_interrupt(ws, n);
		return errno == EINTR ? 0 : -1;
	}
	for (i = 0; i < n; i++) {
		ssize_t r;

		if (!pf[i].revents)
			continue;
		r = read(ws[i].from, buf, sizeof(buf));
		if (r <= 0)
			return -1;
		llmr_buf_add(&ws[i].inbuf, buf, (size_t)r);
		collect(&ws[i], ring, ringsz);
	}
	return 0;
}

static int flush_ready(FILE *out, struct pending *ring, size_t ringsz, long *next, long sent,
		       int *worst)
{
	while (*next < sent && ring[(size_t)*next % ringsz].ready) {
		struct pending *p = &ring[(size_t)*next % ringsz];
		int rc = emit(out, p->line, worst, p->status);

		free(p->line);
		memset(p, 0, sizeof(*p));
		(*next)++;
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int run_parallel(FILE *in, FILE *out, int n, llmr_batch_fn fn, void *ud, int *worst,
			struct llmr_err *e)
{
	struct worker ws[64];
	size_t ringsz = (size_t)n * 64;
	struct pending *ring = NULL;
	char *line = NULL, head[64];
	size_t cap = 0;
	ssize_t len;
	long lineno = 0, sent = 0, next = 0;
	int i, rc = 0;

	memset(ws, 0, sizeof(ws));
	for (i = 0; i < n; i++)
		if (spawn(&ws[i], ws, n, fn, ud) < 0) {
			rc = llmr_errf(e, LLMR_EX_SOFTWARE, "cannot start a worker: %s", strerror(errno));
			n = i;
			goto out;
		}
	/* After the forks: the workers have no use for it. */
	ring = llmr_xcalloc(ringsz, sizeof(*ring));
	while (!rc && (len = getline(&line, &cap, in)) >= 0) {
		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len)
			continue;
		/* Wait for a free worker, and keep the reorder ring from overflowing. */
		for (;;) {
			for (i = 0; i < n && ws[i].busy; i++)
				;
			if (i < n && sent - next < (long)ringsz)
				break;
			if (pump(ws, n, ring, ringsz) < 0) {
				rc = llmr_errf(e, LLMR_EX_SOFTWARE, "a worker died");
				break;
			}
			if (flush_ready(out, ring, ringsz, &next, sent, worst) < 0)
				rc = llmr_errf(e, LLMR_EX_IOERR, "cannot write output: %s", strerror(errno));
			if (rc)
				break;
		}
		if (rc)
			break;
		snprintf(head, sizeof(head), "%ld %ld %zd\n", sent, lineno, len);
		if (write_all(ws[i].to, head, strlen(head)) < 0 || write_all(ws[i].to, line, (size_t)len) < 0) {
			rc = llmr_errf(e, LLMR_EX_SOFTWARE, "a worker died");
			break;
		}
		ws[i].busy = 1;
		sent++;
	}
	while (!rc && next < sent) {
		if (pump(ws, n, ring, ringsz) < 0)
			rc = llmr_errf(e, LLMR_EX_SOFTWARE, "a worker died");
		else if (flush_ready(out, ring, ringsz, &next, sent, worst) < 0)
			rc = llmr_errf(e, LLMR_EX_IOERR, "cannot write output: %s", strerror(errno));
	}
out:
	for (i = 0; i < n; i++) {
		close(ws[i].to);
		if (rc)
			kill(ws[i].pid, SIGTERM);
		close(ws[i].from);
		waitpid(ws[i].pid, NULL, 0);
		llmr_buf_release(&ws[i].inbuf);
	}
	for (size_t j = 0; ring && j < ringsz; j++)
		free(ring[j].line);
	free(ring);
	free(line);
	return rc;
}

int llmr_batch_run(FILE *in, FILE *out, int parallel, llmr_batch_fn fn, void *ud, int *worst,
		   struct llmr_err *e)
{
	*worst = 0;
	if (parallel > 64)
		parallel = 64;
	if (parallel <= 1)
		return run_serial(in, out, fn, ud, worst, e);
	return run_parallel(in, out, parallel, fn, ud, worst, e);
}
