/*
 * bt.c - Bradley-Terry by minorization-maximization (Hunter 2004): for
 * strengths p, p_i <- W_i / sum_j n_ij / (p_i + p_j), where W_i counts
 * wins (ties half) and n_ij the games between i and j. Each step raises
 * the likelihood, so it converges where a Newton step might overshoot.
 *
 * The games are first counted into a win matrix, so an iteration costs
 * players squared whatever the number of games; players are updated in
 * turn with the newest strengths (cyclic MM, still an MM algorithm, about
 * twice as fast). The bootstrap redraws the games with replacement, which
 * is a multinomial draw of the matrix's counts, and refits by Newton's
 * method from the full fit's strengths (MM if Newton fails to converge).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bt.h"

#define BT_MAX_ITER 10000
#define BT_TOL 1e-10
/* Bootstrap fits stop at 1e-7 in log strength: 0.00002 rating points. */
#define BT_BOOT_TOL 1e-7

double llmr_bt_elo(double beta)
{
	return 400 * beta / log(10) + 1000;
}

void llmr_bt_count(size_t np, const struct llmr_bt_game *g, size_t ng, double *w)
{
	memset(w, 0, np * np * sizeof(*w));
	for (size_t k = 0; k < ng; k++) {
		w[g[k].a * np + g[k].b] += g[k].score_a;
		w[g[k].b * np + g[k].a] += 1 - g[k].score_a;
	}
}

static void centre(size_t np, double *p)
{
	double s = 0;

	for (size_t i = 0; i < np; i++)
		s += log(p[i]);
	s = exp(s / (double)np);
	for (size_t i = 0; i < np; i++)
		p[i] /= s;
}

/*
 * The games matrix n (symmetric) and each player's score wt, with the
 * prior: every pair of players plays prior / (np - 1) more games, drawn,
 * so each player has prior games in all. Drawn games between everyone
 * keep the likelihood unchanged by a common factor on all strengths, so
 * centring them costs nothing; they keep an unbeaten player finite.
 */
static void prepare(size_t np, const double *w, double prior, double *n, double *wt)
{
	double eps = np > 1 ? prior / (double)(np - 1) : 0;

	for (size_t i = 0; i < np; i++) {
		wt[i] = prior / 2;
		for (size_t j = 0; j < np; j++) {
			n[i * np + j] = j == i ? 0 : w[i * np + j] + w[j * np + i] + eps;
			wt[i] += w[i * np + j];
		}
	}
}

/* Iterate from p (strengths, updated in place) until no log strength moves
 * by tol. */
static int mm(size_t np, const double *n, const double *wt, double tol, double *p)
{
	int it;

	for (it = 1; it <= BT_MAX_ITER; it++) {
		double change = 0;

		for (size_t i = 0; i < np; i++) {
			const double *row = n + i * np;
			double d = 0, q;

			for (size_t j = 0; j < np; j++)
				d += row[j] / (p[i] + p[j]);
			q = d > 0 && wt[i] > 0 ? wt[i] / d : p[i];
			change = fmax(change, fabs(log(q / p[i])));
			p[i] = q;
		}
		centre(np, p);
		if (change < tol)
			break;
	}
	return it;
}

/* x . y over n: four sums, so that the additions do not wait on each
 * other (the compiler may not reorder them itself). */
static double dot(const double *x, const double *y, size_t n)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	size_t k = 0;

	for (; k + 4 <= n; k += 4) {
		s0 += x[k] * y[k];
		s1 += x[k + 1] * y[k + 1];
		s2 += x[k + 2] * y[k + 2];
		s3 += x[k + 3] * y[k + 3];
	}
	for (; k < n; k++)
		s0 += x[k] * y[k];
	return (s0 + s1) + (s2 + s3);
}

/* a = L L^T in place (lower triangle), then x <- a^-1 x. -1 when a is not
 * positive definite. */
static int cholesky_solve(size_t np, double *a, double *x)
{
	for (size_t j = 0; j < np; j++) {
		double *rj = a + j * np, d = rj[j] - dot(rj, rj, j);

		if (!(d > 1e-300))
			return -1;
		rj[j] = sqrt(d);
		for (size_t i = j + 1; i < np; i++)
			a[i * np + j] = (a[i * np + j] - dot(a + i * np, rj, j)) / rj[j];
	}
	for (size_t i = 0; i < np; i++)
		x[i] = (x[i] - dot(a + i * np, x, i)) / a[i * np + i];
	for (size_t i = np; i-- > 0;) {
		for (size_t k = i + 1; k < np; k++)
			x[i] -= a[k * np + i] * x[k];
		x[i] /= a[i * np + i];
	}
	return 0;
}

/*
 * Newton's method on the log strengths from p, for the bootstrap refits,
 * which start near the answer: a few steps where MM takes dozens. The
 * Hessian is a graph Laplacian (singular along a common shift); adding a
 * constant to every entry makes it definite without changing the step,
 * whose components sum to 0 as the gradient's do. h: np * np scratch.
 * -1 when it does not converge (the caller goes on with MM).
 */
static int newton(size_t np, const double *n, const double *wt, double tol, double *p, double *h,
		  double *g)
{
	for (int it = 0; it < 30; it++) {
		double big = 0;

		for (size_t i = 0; i < np; i++) {
			g[i] = wt[i];
			h[i * np + i] = 1;
		}
		for (size_t i = 0; i < np; i++)
			for (size_t j = i + 1; j < np; j++) {
				double pij = p[i] / (p[i] + p[j]), v = n[i * np + j] * pij * (1 - pij);

				g[i] -= n[i * np + j] * pij;
				g[j] -= n[i * np + j] * (1 - pij);
				h[i * np + i] += v;
				h[j * np + j] += v;
				h[i * np + j] = h[j * np + i] = 1 - v;
			}
		if (cholesky_solve(np, h, g) < 0)
			return -1;
		for (size_t i = 0; i < np; i++)
			big = fmax(big, fabs(g[i]));
		for (size_t i = 0; i < np; i++)
			p[i] *= exp(big > 2 ? g[i] * 2 / big : g[i]);
		centre(np, p);
		if (big < tol)
			return 0;
	}
	return -1;
}

int llmr_bt_fit_matrix(size_t np, const double *w, double prior, double *beta)
{
	double *n = llmr_xcalloc(np * np + 2 * np + 1, sizeof(double)), *wt = n + np * np;
	double *p = wt + np;
	int it;

	for (size_t i = 0; i < np; i++)
		p[i] = 1;
	prepare(np, w, prior, n, wt);
	it = mm(np, n, wt, BT_TOL, p);
	for (size_t i = 0; i < np; i++)
		beta[i] = log(p[i]);
	free(n);
	return it;
}

int llmr_bt_fit(size_t np, const struct llmr_bt_game *g, size_t ng, double *beta)
{
	double *w = llmr_xcalloc(np * np + 1, sizeof(double));
	int it;

	llmr_bt_count(np, g, ng, w);
	it = llmr_bt_fit_matrix(np, w, LLMR_BT_PRIOR_GAMES, beta);
	free(w);
	return it;
}

/* splitmix64: small, seeded, the same on every platform. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The bootstrap's work space. A game is coded as its cell of the win
 * matrix and its outcome, (a * np + b) * 3 + (0: a won, 1: b won, 2: a
 * tie), in 4 bytes: redrawing 100,000 games reads 400 KB, which stays in
 * cache where the games themselves would not. Resampling games with
 * replacement counts them into cnt: a multinomial draw of the counts.
 */
struct boot {
	size_t np, ng, rounds;
	uint32_t *code, *cnt;
	double *w, *n, *wt, *h, *g, *p, *p0, *out;
	uint64_t st;
};

static void boot_init(struct boot *bt, size_t np, const struct llmr_bt_game *g, size_t ng)
{
	bt->code = llmr_xcalloc(ng + 3 * np * np + 1, sizeof(uint32_t));
	bt->cnt = bt->code + ng;
	for (size_t k = 0; k < ng; k++)
		bt->code[k] = (uint32_t)((g[k].a * np + g[k].b) * 3 +
					 (g[k].score_a > 0.75 ? 0 : g[k].score_a < 0.25 ? 1 : 2));
	bt->w = llmr_xcalloc(3 * np * np + 4 * np + 1, sizeof(double));
	bt->n = bt->w + np * np;
	bt->h = bt->n + np * np;
	bt->wt = bt->h + np * np;
	bt->g = bt->wt + np;
	bt->p = bt->g + np;
	bt->p0 = bt->p + np;
}

/* One bootstrap fit: ng games drawn with replacement, fitted from p0's
 * strengths; the ratings go to out[i * rounds]. */
static void boot_round(struct boot *bt, double *out)
{
	size_t np = bt->np, ng = bt->ng;

	memset(bt->cnt, 0, 3 * np * np * sizeof(*bt->cnt));
	for (size_t k = 0; k < ng; k++) {
		/* A uniform index without an integer division (53 random bits). */
		size_t i = (size_t)((double)(next_rand(&bt->st) >> 11) * (1.0 / 9007199254740992.0) * (double)ng);

		bt->cnt[bt->code[i < ng ? i : ng - 1]]++;
	}
	for (size_t c = 0; c < np * np; c++) {
		const uint32_t *x = bt->cnt + 3 * c;

		bt->w[c] = x[0] + 0.5 * x[2];
	}
	for (size_t a = 0; a < np; a++)
		for (size_t b = 0; b < np; b++)
			bt->w[b * np + a] += bt->cnt[3 * (a * np + b) + 1] + 0.5 * bt->cnt[3 * (a * np + b) + 2];
	memcpy(bt->p, bt->p0, np * sizeof(double));
	prepare(np, bt->w, LLMR_BT_PRIOR_GAMES, bt->n, bt->wt);
	if (newton(np, bt->n, bt->wt, BT_BOOT_TOL, bt->p, bt->h, bt->g) < 0) {
		memcpy(bt->p, bt->p0, np * sizeof(double));
		mm(np, bt->n, bt->wt, BT_BOOT_TOL, bt->p);
	}
	for (size_t i = 0; i < np; i++)
		out[i * bt->rounds] = llmr_bt_elo(log(bt->p[i]));
}

/* LMSYS's rank: one plus the models whose interval lies wholly above. */
static void ranks(size_t np, struct llmr_bt_rating *out)
{
	for (size_t i = 0; i < np; i++) {
		out[i].rank = 1;
		for (size_t j = 0; j < np; j++)
			if (j != i && out[j].lo > out[i].hi)
				out[i].rank++;
	}
}

void llmr_bt_ratings(size_t np, const struct llmr_bt_game *g, size_t ng, size_t rounds,
		     uint64_t seed, struct llmr_bt_rating *out)
{
	struct boot bt = {.np = np, .ng = ng, .rounds = rounds, .st = seed};
	double *beta = llmr_xcalloc(np + 1, sizeof(double));
	double *boot = llmr_xcalloc(np * rounds + 1, sizeof(double));

	boot_init(&bt, np, g, ng);
	llmr_bt_fit(np, g, ng, beta);
	for (size_t i = 0; i < np; i++) {
		out[i].rating = out[i].lo = out[i].hi = llmr_bt_elo(beta[i]);
		bt.p0[i] = exp(beta[i]);
	}
	for (size_t r = 0; r < rounds && ng; r++)
		boot_round(&bt, boot + r);
	for (size_t i = 0; i < np && rounds && ng; i++) {
		double *b = boot + i * rounds;

		qsort(b, rounds, sizeof(*b), cmp_double);
		out[i].lo = b[(size_t)floor(0.025 * (double)(rounds - 1) + 0.5)];
		out[i].hi = b[(size_t)floor(0.975 * (double)(rounds - 1) + 0.5)];
	}
	ranks(np, out);
	free(bt.code);
	free(bt.w);
	free(boot);
	free(beta);
}
