/*
 * cooc_svd.c - the top eigenvectors of a symmetric sparse matrix, by
 * randomised subspace iteration (Halko, Martinsson and Tropp) from a fixed
 * seed, then Jacobi rotations on the small projected matrix.
 */
#include "index/cooc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* Extra directions beyond d, and rounds of power iteration. */
#define OVERSAMPLE 16
#define POWER_ROUNDS 3
#define JACOBI_SWEEPS 30

/* y[v * k] = M x[v * k], both row-major. */
static void spmm(size_t v, const uint32_t *rp, const uint32_t *col, const float *val,
		 const float *x, float *y, size_t k)
{
	size_t i, c;
	uint32_t p;

	memset(y, 0, v * k * sizeof(*y));
	for (i = 0; i < v; i++) {
		float *yi = y + i * k;

		for (p = rp[i]; p < rp[i + 1]; p++) {
			const float *xj = x + (size_t)col[p] * k;
			float a = val[p];

			for (c = 0; c < k; c++)
				yi[c] += a * xj[c];
		}
	}
}

/* Orthonormalise the k columns of y[v * k] (modified Gram-Schmidt). */
static void orthonormalise(float *y, size_t v, size_t k)
{
	size_t a, b, i;

	for (a = 0; a < k; a++) {
		double n = 0;

		for (b = 0; b < a; b++) {
			double d = 0;

			for (i = 0; i < v; i++)
				d += (double)y[i * k + a] * y[i * k + b];
			for (i = 0; i < v; i++)
				y[i * k + a] -= (float)(d * y[i * k + b]);
		}
		for (i = 0; i < v; i++)
			n += (double)y[i * k + a] * y[i * k + a];
		n = n > 1e-20 ? 1 / sqrt(n) : 0;
		for (i = 0; i < v; i++)
			y[i * k + a] = (float)(y[i * k + a] * n);
	}
}

/* Eigenvalues w[k] and vectors (columns of z[k * k]) of symmetric t[k * k]
 * (destroyed), by cyclic Jacobi rotations. */
static void jacobi(double *t, size_t k, double *w, double *z)
{
	size_t p, q, r, s;

	for (p = 0; p < k; p++)
		for (q = 0; q < k; q++)
			z[p * k + q] = p == q;
	for (s = 0; s < JACOBI_SWEEPS; s++) {
		double off = 0;

		for (p = 0; p < k; p++)
			for (q = p + 1; q < k; q++)
				off += t[p * k + q] * t[p * k + q];
		if (off < 1e-18)
			break;
		for (p = 0; p < k; p++)
			for (q = p + 1; q < k; q++) {
				double apq = t[p * k + q], th, tn, c, sn;

				if (fabs(apq) < 1e-30)
					continue;
				th = (t[q * k + q] - t[p * k + p]) / (2 * apq);
				tn = (th >= 0 ? 1 : -1) / (fabs(th) + sqrt(th * th + 1));
				c = 1 / sqrt(tn * tn + 1);
				sn = tn * c;
				for (r = 0; r < k; r++) { /* columns p, q */
					double a = t[r * k + p], b = t[r * k + q];

					t[r * k + p] = c * a - sn * b;
					t[r * k + q] = sn * a + c * b;
				}
				for (r = 0; r < k; r++) { /* rows p, q */
					double a = t[p * k + r], b = t[q * k + r];

					t[p * k + r] = c * a - sn * b;
					t[q * k + r] = sn * a + c * b;
				}
				for (r = 0; r < k; r++) {
					double a = z[r * k + p], b = z[r * k + q];

					z[r * k + p] = c * a - sn * b;
					z[r * k + q] = sn * a + c * b;
				}
			}
	}
	for (p = 0; p < k; p++)
		w[p] = t[p * k + p];
}

/* The k-th largest of x[0..n) (k < n), reordering x (quickselect). */
static float kth_largest(float *x, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		float piv = x[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;

		while (i <= j) {
			while (x[i] > piv)
				i++;
			while (x[j] < piv)
				j--;
			if (i <= j) {
				float t = x[i];

				x[i++] = x[j];
				x[j] = t;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return x[k];
	}
	return x[k];
}

void llmr_cooc_prune(size_t v, uint32_t *rp, uint32_t *col, float *val, size_t keep)
{
	float *thr = llmr_xcalloc(v, sizeof(*thr)), *tmp = NULL;
	size_t i, cap = 0, w = 0;
	uint32_t p, start;

	for (i = 0; i < v; i++) {
		size_t n = rp[i + 1] - rp[i];

		if (n <= keep)
			continue;
		if (n > cap)
			tmp = llmr_xrealloc(tmp, (cap = n) * sizeof(*tmp));
		memcpy(tmp, val + rp[i], n * sizeof(*tmp));
		thr[i] = kth_largest(tmp, n, keep - 1);
	}
	/* Kept when among the largest of either row: the matrix stays
	 * symmetric. Compacted in place (writes never pass reads). */
	for (i = 0, start = 0; i < v; i++) {
		for (p = start; p < rp[i + 1]; p++)
			if (val[p] > 0 && (val[p] >= thr[i] || val[p] >= thr[col[p]])) {
				col[w] = col[p];
				val[w++] = val[p];
			}
		start = rp[i + 1];
		rp[i + 1] = (uint32_t)w;
	}
	free(thr);
	free(tmp);
}

static float seeded(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (float)((double)(z >> 11) / (double)(1ULL << 53) * 2 - 1);
}

void llmr_cooc_eigen(size_t v, const uint32_t *rp, const uint32_t *col, const float *val,
		     size_t d, float *out)
{
	size_t k = d + OVERSAMPLE, i, a, b, r;
	float *q = llmr_xmalloc(v * k * sizeof(*q)), *y = llmr_xmalloc(v * k * sizeof(*y));
	double *t = llmr_xcalloc(k * k, sizeof(*t)), *w = llmr_xmalloc(k * sizeof(*w));
	double *z = llmr_xmalloc(k * k * sizeof(*z));
	size_t *order = llmr_xmalloc(k * sizeof(*order));
	uint64_t seed = 0x1234567;

	if (k > v)
		k = v;
	for (i = 0; i < v * k; i++)
		q[i] = seeded(&seed);
	for (r = 0; r <= POWER_ROUNDS; r++) {
		spmm(v, rp, col, val, q, y, k);
		memcpy(q, y, v * k * sizeof(*q));
		orthonormalise(q, v, k);
	}
	/* The projected matrix T = Q' M Q. */
	spmm(v, rp, col, val, q, y, k);
	for (i = 0; i < v; i++)
		for (a = 0; a < k; a++)
			for (b = 0; b < k; b++)
				t[a * k + b] += (double)q[i * k + a] * y[i * k + b];
	for (a = 0; a < k; a++)
		for (b = a + 1; b < k; b++)
			t[a * k + b] = t[b * k + a] = (t[a * k + b] + t[b * k + a]) / 2;
	jacobi(t, k, w, z);
	/* The d largest eigenvalues, in order (selection: k is small). */
	for (a = 0; a < k; a++)
		order[a] = a;
	for (a = 0; a < k; a++)
		for (b = a + 1; b < k; b++)
			if (w[order[b]] > w[order[a]]) {
				size_t s = order[a];

				order[a] = order[b];
				order[b] = s;
			}
	memset(out, 0, v * d * sizeof(*out));
	for (b = 0; b < d && b < k; b++) {
		size_t c = order[b];
		double sc = w[c] > 0 ? sqrt(w[c]) : 0;

		for (i = 0; i < v; i++) {
			double s = 0;

			for (a = 0; a < k; a++)
				s += (double)q[i * k + a] * z[a * k + c];
			out[i * d + b] = (float)(s * sc);
		}
	}
	free(q);
	free(y);
	free(t);
	free(w);
	free(z);
	free(order);
}
