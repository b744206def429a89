/*
 * semcache_bench - the semantic cache's store and lookup (semcache.c).
 * As a test (no arguments) it stores a few hundred entries and checks what
 * a lookup finds: the same question, a rewording, not another scope,
 * guard or an expired entry. tests/bench/cache.sh runs it with
 * "--bench N": N entries in one scope and one guard (the worst case: the
 * scan visits every sketch), then lookup times, p50 and p95.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ask/semcache.h"
#include "index/ann.h"
#include "index/embed.h"
#include "tap.h"

static const char *const words[] = {
	"recycle", "battery", "furniture", "donate", "shop", "opening", "hours", "refund",
	"policy", "shipping", "delivery", "account", "password", "invoice", "address", "repair",
	"bicycle", "oven", "clean", "install", "docker", "python", "list", "sort", "export",
	"import", "data", "weather", "spring", "garden", "compost", "paint", "wood", "metal",
	"glass", "plastic", "textile", "clothes", "books", "toys", "lamp", "chair", "table",
	"sofa", "bed", "fridge", "washing", "machine", "phone", "laptop", "screen", "cable"};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static void question(unsigned long seed, char *out, size_t n)
{
	size_t len = (size_t)snprintf(out, n, "how do i");

	for (int k = 0; k < 6; k++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		len += (size_t)snprintf(out + len, n - len, " %s", words[(seed >> 33) % NWORDS]);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* N entries in one transaction, the rows semcache.c writes (with the
 * packing of their sketches). */
static void fill(struct llmr_state *st, long n, const char *scope, int64_t now)
{
	sqlite3 *db = llmr_state_db(st);
	sqlite3_stmt *ins;
	float v[LLMR_EMBED_LOCAL_DIM];
	char q[256];

	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	sqlite3_prepare_v2(db,
			   "INSERT INTO semantic_cache (scope, guard, expires_ms, sketch, route, namespace,"
			   " created_ms, question, vec, response) VALUES (?1, '', ?2, ?3, 'r', 'r', ?4, ?5,"
			   " ?6, '{\"text\":\"x\"}')", -1, &ins, NULL);
	for (long i = 0; i < n; i++) {
		llmr_sketch sk;
		size_t len;
		void *blob;

		question((unsigned long)i + 1000, q, sizeof(q));
		llmr_embed_local(q, strlen(q), v);
		llmr_embed_sketch(v, LLMR_EMBED_LOCAL_DIM, sk);
		blob = llmr_embed_quantize(v, LLMR_EMBED_LOCAL_DIM, &len);
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, scope, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, now + 3600000);
		sqlite3_bind_blob(ins, 3, sk, sizeof(sk), SQLITE_TRANSIENT);
		sqlite3_bind_int64(ins, 4, now);
		sqlite3_bind_text(ins, 5, q, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(ins, 6, blob, (int)len, SQLITE_TRANSIENT);
		sqlite3_step(ins);
		llmr_semblock_append(db, scope, "", sqlite3_last_insert_rowid(db), sk, now);
		free(blob);
	}
	sqlite3_finalize(ins);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
}

static void remove_db(const char *path)
{
	char w[300];

	unlink(path);
	snprintf(w, sizeof(w), "%s-wal", path);
	unlink(w);
	snprintf(w, sizeof(w), "%s-shm", path);
	unlink(w);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int bench(struct llmr_state *st, long n, int64_t now)
{
	enum { Q = 200 };
	double t[Q], t0 = now_s();
	float v[LLMR_EMBED_LOCAL_DIM];
	char q[256];
	long hits = 0;

	fill(st, n, "bench", now);
	printf("# semantic cache: %ld entries stored in %.1f s\n", n, now_s() - t0);
	for (int i = 0; i < Q; i++) {
		struct llmr_err e;
		json_t *resp;
		double sim;

		/* Half stored questions, half new ones. */
		question(i % 2 ? (unsigned long)(i * 37 % n) + 1000 : (unsigned long)(n + i) + 1000, q,
			 sizeof(q));
		t0 = now_s();
		llmr_embed_local(q, strlen(q), v);
		hits += llmr_semcache_find(st, "bench", "", v, LLMR_EMBED_LOCAL_DIM, 0.92, now, &resp,
					   &sim, &e) == 1;
		t[i] = (now_s() - t0) * 1000;
		json_decref(resp);
	}
	qsort(t, Q, sizeof(t[0]), cmp_d);
	printf("semantic lookup at %ld entries (one scope, one guard: every sketch scanned): "
	       "p50 %.2f ms, p95 %.2f ms, max %.2f ms; %ld of %d lookups hit\n",
	       n, t[Q / 2], t[Q * 95 / 100], t[Q - 1], hits, Q);
	return 0;
}

static void put(struct llmr_state *st, const char *scope, const char *guard, const char *q,
		int64_t now, int64_t ttl)
{
	float v[LLMR_EMBED_LOCAL_DIM];
	struct llmr_semcache_entry ent = {scope, guard, "r", "ns", q, v, LLMR_EMBED_LOCAL_DIM};
	json_t *resp = json_pack("{s:s}", "text", q);
	struct llmr_err e;

	llmr_embed_local(q, strlen(q), v);
	llmr_semcache_put(st, &ent, resp, now, now + ttl, &e);
	json_decref(resp);
}

static const char *find(struct llmr_state *st, const char *scope, const char *guard,
			const char *q, int64_t now, double *sim)
{
	static char text[256];
	float v[LLMR_EMBED_LOCAL_DIM];
	struct llmr_err e;
	json_t *resp;

	llmr_embed_local(q, strlen(q), v);
	if (llmr_semcache_find(st, scope, guard, v, LLMR_EMBED_LOCAL_DIM, 0.92, now, &resp, sim,
			       &e) != 1)
		return NULL;
	snprintf(text, sizeof(text), "%s", json_string_value(json_object_get(resp, "text")));
	json_decref(resp);
	return text;
}

int main(int argc, char **argv)
{
	char path[256], q[256];
	struct llmr_state *st;
	struct llmr_err e;
	int64_t now = 1700000000000LL;
	const char *got;
	double sim = 0;

	snprintf(path, sizeof(path), "%s/llmr-semcache-%d.db",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	if (llmr_state_open(path, &st, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		return 1;
	}
	if (argc == 3 && !strcmp(argv[1], "--bench")) {
		bench(st, atol(argv[2]), now);
		llmr_state_close(st);
		remove_db(path);
		return 0;
	}
	/* Past one block of sketches, half of them short-lived: the group is
	 * rebuilt without them. */
	for (int i = 0; i < 1100; i++) {
		question((unsigned long)i, q, sizeof(q));
		/* The later ones are stored once the early short-lived ones expired. */
		if (i < 600)
			put(st, "s", "", q, now, i % 2 ? 500 : 60000);
		else
			put(st, "s", "", q, now + 600, 60000);
	}
	put(st, "s", "", "Please summarize the return policy.", now, 60000);
	put(st, "s", "", "What are the opening hours of the shop?", now, 1000);
	got = find(st, "s", "", "Please summarize the return policy.", now, &sim);
	is_str(got, "Please summarize the return policy.", "the same question among 1102");
	ok(sim > 0.99, "... similarity 1 (%.3f)", sim);
	got = find(st, "s", "", "Summarize the return policy, please.", now, &sim);
	is_str(got, "Please summarize the return policy.", "a rewording (%.3f)", sim);
	ok(!find(st, "t", "", "Please summarize the return policy.", now, &sim), "another scope: none");
	ok(!find(st, "s", "n:3", "Please summarize the return policy.", now, &sim),
	   "another guard: none");
	ok(!find(st, "s", "", "Please explain the refund of damaged textile", now, &sim),
	   "another question: none");
	ok(find(st, "s", "", "What are the opening hours of the shop?", now + 999, &sim) != NULL,
	   "an entry within its lifetime");
	ok(!find(st, "s", "", "What are the opening hours of the shop?", now + 1000, &sim),
	   "... not once expired");
	question(1, q, sizeof(q));
	ok(!find(st, "s", "", q, now + 600, &sim), "an expired entry is not served after a rebuild");
	question(2, q, sizeof(q));
	ok(find(st, "s", "", q, now + 600, &sim) != NULL, "... a live one is");
	put(st, "s", "", "Where can I donate old furniture?", now + 600, 60000);
	ok(find(st, "s", "", "Where can I donate old furniture?", now + 600, &sim) != NULL,
	   "an entry stored after the rebuild is found");
	{
		sqlite3_stmt *c;
		int ids = 0;

		sqlite3_prepare_v2(llmr_state_db(st), "SELECT sum(n) FROM semantic_blocks WHERE scope = 's'",
				   -1, &c, NULL);
		if (sqlite3_step(c) == SQLITE_ROW)
			ids = sqlite3_column_int(c, 0);
		sqlite3_finalize(c);
		ok(ids < 1103, "the rebuild dropped expired ids (%d packed for 1103 stored)", ids);
	}
	llmr_state_close(st);
	remove_db(path);
	return done_testing();
}
