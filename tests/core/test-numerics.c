/* test-numerics.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The polar factor and Sinkhorn-Knopp against naive oracles, and on
 * degenerate input (rank-deficient, zero, scores far apart).
 *
 * Polar oracle: O is the polar factor of full-rank E exactly when O^T O = I
 * and P = O^T E is symmetric positive semi-definite (E = O P); both are
 * checked with plain loops in double.  Sinkhorn oracle: the formula of
 * BOOTSC.md step 7 as written (no max shift), in double.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bsc-error.h"
#include "bsc-layers.h"
#include "bsc-polar.h"
#include "bsc-rng.h"
#include "bsc-sinkhorn.h"
#include "bsc-vmath.h"
#include "core-util.h"

static BscRng rng;

static float *
rand_matrix (gsize rows,
             gsize cols)
{
  float *v = g_new (float, rows * cols);

  for (gsize i = 0; i < rows * cols; i++)
    v[i] = (float) bsc_rng_normal (&rng);
  return v;
}

/* C (cols x cols) = A^T B for A, B rows x cols, naive, double. */
static double *
naive_atb (const float *a,
           const float *b,
           gsize        rows,
           gsize        cols)
{
  double *c = g_new0 (double, cols * cols);

  for (gsize i = 0; i < cols; i++)
    for (gsize j = 0; j < cols; j++)
      for (gsize r = 0; r < rows; r++)
        c[i * cols + j] += (double) a[r * cols + i] * b[r * cols + j];
  return c;
}

/* O^T O = I (or a projector of rank `rank` when rank-deficient: its trace
 * is the rank), O^T E symmetric with non-negative quadratic forms. */
static void
check_polar (const float *e,
             const float *o,
             gsize        rows,
             gsize        cols,
             gsize        rank,
             double       tol)
{
  g_autofree double *oto = naive_atb (o, o, rows, cols);
  g_autofree double *ote = naive_atb (o, e, rows, cols);
  double trace = 0.0, scale = 0.0;

  for (gsize i = 0; i < cols; i++)
    {
      trace += oto[i * cols + i];
      if (rank == cols)
        for (gsize j = 0; j < cols; j++)
          g_assert_cmpfloat_with_epsilon (oto[i * cols + j], i == j, tol);
      scale = MAX (scale, fabs (ote[i * cols + i]));
    }
  g_assert_cmpfloat_with_epsilon (trace, rank, tol * cols);
  for (gsize i = 0; i < cols; i++)
    for (gsize j = 0; j < cols; j++)
      g_assert_cmpfloat_with_epsilon (ote[i * cols + j], ote[j * cols + i],
                                      tol * scale);
  for (guint t = 0; t < 20; t++)
    {
      g_autofree float *x = rand_matrix (1, cols);
      double q = 0.0;

      for (gsize i = 0; i < cols; i++)
        for (gsize j = 0; j < cols; j++)
          q += x[i] * ote[i * cols + j] * x[j];
      g_assert_cmpfloat (q, >=, -tol * scale * cols);
    }
}

static void
test_polar_random (void)
{
  const gsize shapes[][2] = { { 8, 6 }, { 40, 40 }, { 256, 128 } };

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      gsize rows = shapes[s][0], cols = shapes[s][1];
      g_autofree float *e = rand_matrix (rows, cols);
      g_autofree float *o = g_new (float, rows * cols);
      g_autofree float *sv = g_new (float, cols);
      g_autoptr (GError) error = NULL;
      double fro = 0.0, ssum = 0.0;

      g_assert_true (bsc_polar (e, rows, cols, o, sv, &error));
      g_assert_no_error (error);
      check_polar (e, o, rows, cols, cols, 1e-5);
      /* Singular values: descending, squares sum to |E|_F^2. */
      for (gsize i = 0; i < rows * cols; i++)
        fro += (double) e[i] * e[i];
      for (gsize k = 0; k < cols; k++)
        {
          ssum += (double) sv[k] * sv[k];
          if (k > 0)
            g_assert_cmpfloat (sv[k], <=, sv[k - 1]);
        }
      g_assert_cmpfloat_with_epsilon (ssum, fro, 1e-5 * fro);
    }
}

/* Badly conditioned (sigma ratio 1e4, as training reaches) stays accurate. */
static void
test_polar_ill_conditioned (void)
{
  gsize rows = 64, cols = 16;
  g_autofree float *e = rand_matrix (rows, cols);
  g_autofree float *o = g_new (float, rows * cols);
  g_autoptr (GError) error = NULL;

  for (gsize r = 0; r < rows; r++)
    for (gsize c = 0; c < cols; c++)
      e[r * cols + c] *= (float) pow (10.0, -4.0 * c / (cols - 1));
  g_assert_true (bsc_polar (e, rows, cols, o, NULL, &error));
  check_polar (e, o, rows, cols, cols, 1e-4);
}

/* Rank-deficient and zero E: finite, O^T O a projector of the rank. */
static void
test_polar_rank_deficient (void)
{
  gsize rows = 10, cols = 4;
  g_autofree float *e = rand_matrix (rows, cols);
  g_autofree float *o = g_new (float, rows * cols);
  g_autofree float *sv = g_new (float, cols);
  g_autoptr (GError) error = NULL;

  /* Column 3 = column 2, column 1 = 0: rank 2. */
  for (gsize r = 0; r < rows; r++)
    {
      e[r * cols + 3] = e[r * cols + 2];
      e[r * cols + 1] = 0.0f;
    }
  g_assert_true (bsc_polar (e, rows, cols, o, sv, &error));
  g_assert_no_error (error);
  g_assert_true (bsc_all_finite (o, rows * cols));
  /* The float SVD completes the null directions (O^T O = I); the Gram
   * route (BSC_POLAR=gram) drops them (O^T O a projector of rank 2). */
  check_polar (e, o, rows, cols, polar_by_svd () ? cols : 2, 1e-4);
  g_assert_cmpfloat (sv[3], <, 1e-3);

  memset (e, 0, rows * cols * sizeof (float));
  g_assert_true (bsc_polar (e, rows, cols, o, sv, &error));
  if (polar_by_svd ())   /* any orthonormal O: finite, unit columns */
    for (gsize c = 0; c < cols; c++)
      {
        double n2 = 0.0;

        for (gsize r = 0; r < rows; r++)
          n2 += (double) o[r * cols + c] * o[r * cols + c];
        g_assert_cmpfloat_with_epsilon (n2, 1.0, 1e-4);
      }
  else
    for (gsize i = 0; i < rows * cols; i++)
      g_assert_cmpfloat (o[i], ==, 0.0f);

  /* Identical rows: rank 1. */
  for (gsize r = 0; r < rows; r++)
    for (gsize c = 0; c < cols; c++)
      e[r * cols + c] = (float) (c + 1);
  g_assert_true (bsc_polar (e, rows, cols, o, sv, &error));
  check_polar (e, o, rows, cols, polar_by_svd () ? cols : 1, 1e-4);
}

/* LAPACK refusing its input (info != 0: LAPACKE rejects NaN) goes through
 * the sgesdd fallback and ends in a BSC_ERROR_LAPACK naming the call. */
static void
test_polar_lapack_error (void)
{
  gsize rows = 8, cols = 4;
  g_autofree float *e = rand_matrix (rows, cols);
  g_autofree float *o = g_new (float, rows * cols);
  g_autoptr (GError) error = NULL;

  e[5] = NAN;
  g_assert_false (bsc_polar (e, rows, cols, o, NULL, &error));
  g_assert_error (error, BSC_ERROR, BSC_ERROR_LAPACK);
  g_assert_nonnull (strstr (error->message, "info"));
}

/* The formula of BOOTSC.md step 7 as written, in double. */
static void
naive_sinkhorn (const float *s,
                gsize        rows,
                gsize        cols,
                double       eps,
                guint        iters,
                double      *out)
{
  g_autofree double *q = g_new (double, rows * cols);   /* cols x rows */
  double total = 0.0;

  for (gsize b = 0; b < rows; b++)
    for (gsize m = 0; m < cols; m++)
      total += q[m * rows + b] = exp (s[b * cols + m] / eps);
  for (gsize i = 0; i < rows * cols; i++)
    q[i] /= total;
  for (guint it = 0; it < iters; it++)
    {
      for (gsize m = 0; m < cols; m++)
        {
          double sum = 0.0;

          for (gsize b = 0; b < rows; b++)
            sum += q[m * rows + b];
          for (gsize b = 0; b < rows; b++)
            q[m * rows + b] /= sum;
        }
      for (gsize b = 0; b < rows; b++)
        {
          double sum = 0.0;

          for (gsize m = 0; m < cols; m++)
            sum += q[m * rows + b];
          for (gsize m = 0; m < cols; m++)
            q[m * rows + b] /= sum * rows;
        }
    }
  for (gsize b = 0; b < rows; b++)
    for (gsize m = 0; m < cols; m++)
      out[b * cols + m] = q[m * rows + b] * rows;
}

static void
test_sinkhorn_naive (void)
{
  gsize rows = 12, cols = 5, n = rows * cols;
  g_autofree float *s = rand_matrix (rows, cols);
  g_autofree float *q = g_new (float, n);
  g_autofree double *qn = g_new (double, n);

  for (gsize i = 0; i < n; i++)
    s[i] *= 0.3f;
  for (guint iters = 1; iters <= 5; iters += 2)
    {
      bsc_sinkhorn (s, rows, cols, 0.05, iters, q);
      naive_sinkhorn (s, rows, cols, 0.05, iters, qn);
      for (gsize i = 0; i < n; i++)
        g_assert_cmpfloat_with_epsilon (q[i], qn[i], 1e-6);
    }
}

/* Scores far apart: whole rows underflow exp; the result is finite, rows
 * sum to 1 and every column carries mass. */
static void
test_sinkhorn_far_apart (void)
{
  gsize rows = 6, cols = 3, n = rows * cols;
  g_autofree float *s = rand_matrix (rows, cols);
  g_autofree float *q = g_new (float, n);

  for (gsize b = 0; b < rows; b++)
    for (gsize m = 0; m < cols; m++)
      s[b * cols + m] += (float) (b * 500.0);
  s[0] = -1e30f;
  bsc_sinkhorn (s, rows, cols, 0.05, 3, q);
  g_assert_true (bsc_all_finite (q, n));
  for (gsize b = 0; b < rows; b++)
    {
      double sum = 0.0;

      for (gsize m = 0; m < cols; m++)
        {
          g_assert_cmpfloat (q[b * cols + m], >=, 0.0f);
          sum += q[b * cols + m];
        }
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
    }

  /* Constant scores: the uniform assignment. */
  for (gsize i = 0; i < n; i++)
    s[i] = 3.0f;
  bsc_sinkhorn (s, rows, cols, 0.05, 3, q);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (q[i], 1.0 / cols, 1e-6);
}

/* The engine's exponential: within 1 ulp of libm's over its range
 * (relative 4.5e-16), exact at 0, 0 below the normal range, infinity
 * above, NaN kept; the same bits with the portable loop. */
static void
test_exp_accuracy (void)
{
  const double specials[] = { -INFINITY, -1e300, -709.0, INFINITY, 710.0,
                              0.0 };
  const double expect[] = { 0.0, 0.0, 0.0, INFINITY, INFINITY, 1.0 };
  double out[G_N_ELEMENTS (specials)], nan_in = NAN, nan_out = 0.0;
  gsize n = 0;
  g_autofree double *x = g_new (double, 1417001);
  g_autofree double *y = g_new (double, 1417001);
  g_autofree double *yp = g_new (double, 1417001);
  double worst = 0.0;

  for (int i = -708000; i <= 709000; i++)
    x[n++] = i / 1000.0 + 1e-4 * abs (i % 13);
  x[n - 1] = 709.0;
  _bsc_exp (y, x, n);
  for (gsize i = 0; i < n; i++)
    worst = MAX (worst, fabs (y[i] - exp (x[i])) / exp (x[i]));
  g_test_message ("worst relative error %g", worst);
  g_assert_cmpfloat (worst, <, 4.5e-16);
  _bsc_vmath_set_portable (TRUE);
  _bsc_exp (yp, x, n);
  _bsc_vmath_set_portable (FALSE);
  g_assert_cmpmem (y, n * sizeof (double), yp, n * sizeof (double));

  _bsc_exp (out, specials, G_N_ELEMENTS (specials));
  for (guint i = 0; i < G_N_ELEMENTS (specials); i++)
    g_assert_cmpfloat (out[i], ==, expect[i]);
  _bsc_exp (&nan_out, &nan_in, 1);
  g_assert_true (isnan (nan_out));
}

/* The soft cross-entropy gives the portable loops' bits, for every width
 * around the vector lengths, and matches a plain double evaluation. */
static void
test_soft_ce_paths (void)
{
  const gsize widths[] = { 1, 7, 8, 9, 10, 15, 16, 17, 33, 255 };

  bsc_rng_init (&rng, 23);
  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      gsize rows = 5, cols = widths[w], n = rows * cols;
      g_autofree float *sc = rand_matrix (rows, cols);
      g_autofree float *q = rand_matrix (rows, cols);
      g_autofree float *da = g_new (float, n), *db = g_new (float, n);
      double la, lb, ta = 0.0, tb = 0.0, ref = 0.0;

      for (gsize i = 0; i < n; i++)
        q[i] = fabsf (q[i]);
      la = bsc_soft_ce (sc, q, rows, cols, 0.07, 0.5, da, &ta);
      _bsc_vmath_set_portable (TRUE);
      lb = bsc_soft_ce (sc, q, rows, cols, 0.07, 0.5, db, &tb);
      _bsc_vmath_set_portable (FALSE);
      g_assert_cmpmem (&la, sizeof la, &lb, sizeof lb);
      g_assert_cmpmem (&ta, sizeof ta, &tb, sizeof tb);
      g_assert_cmpmem (da, n * sizeof (float), db, n * sizeof (float));
      for (gsize i = 0; i < rows; i++)
        {
          double m = -INFINITY, sum = 0.0;

          for (gsize j = 0; j < cols; j++)
            m = MAX (m, sc[i * cols + j] / 0.07);
          for (gsize j = 0; j < cols; j++)
            sum += exp (sc[i * cols + j] / 0.07 - m);
          for (gsize j = 0; j < cols; j++)
            ref -= q[i * cols + j] * (sc[i * cols + j] / 0.07 - m - log (sum));
        }
      g_assert_cmpfloat (fabs (la - ref / rows), <, 1e-5 * MAX (1.0, fabs (la)));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  bsc_rng_init (&rng, 7);
  g_test_add_func ("/polar/random", test_polar_random);
  g_test_add_func ("/polar/ill-conditioned", test_polar_ill_conditioned);
  g_test_add_func ("/polar/rank-deficient", test_polar_rank_deficient);
  g_test_add_func ("/polar/lapack-error", test_polar_lapack_error);
  g_test_add_func ("/sinkhorn/naive", test_sinkhorn_naive);
  g_test_add_func ("/sinkhorn/far-apart", test_sinkhorn_far_apart);
  g_test_add_func ("/exp/accuracy", test_exp_accuracy);
  g_test_add_func ("/exp/soft-ce-paths", test_soft_ce_paths);
  return g_test_run ();
}
