/* test-projection.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The 2-D projection against a naive oracle (thin SVD of the whole matrix
 * through LAPACK's dgesvd, then PCA), its alignment from one update to the
 * next, determinism and rank-deficient input.
 */

#include <math.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>

#include "bsc-projection.h"

#define N 300
#define D 12
#define K 4

static float *
random_matrix (GRand *rng,
               gsize  rows,
               guint  cols)
{
  float *m = g_new (float, rows * cols);

  for (gsize i = 0; i < rows * cols; i++)
    m[i] = (float) g_rand_double_range (rng, -1.0, 1.0)
           + (i % cols == 0 ? 2.0f : 0.0f);   /* distinct principal axes */
  return m;
}

/* A random d x d orthogonal matrix (QR of a Gaussian-ish matrix). */
static float *
random_rotation (GRand *rng,
                 guint  d)
{
  g_autofree double *a = g_new (double, (gsize) d * d);
  g_autofree double *tau = g_new (double, d);
  float *r = g_new (float, (gsize) d * d);

  for (guint i = 0; i < d * d; i++)
    a[i] = g_rand_double_range (rng, -1.0, 1.0);
  g_assert_cmpint (LAPACKE_dgeqrf (LAPACK_ROW_MAJOR, d, d, a, d, tau), ==, 0);
  g_assert_cmpint (LAPACKE_dorgqr (LAPACK_ROW_MAJOR, d, d, d, a, d, tau),
                   ==, 0);
  for (guint i = 0; i < d * d; i++)
    r[i] = (float) a[i];
  return r;
}

/* Naive oracle: Y = U V^T from dgesvd, rows normalised into z (n x d),
 * PCA by dsyev of the covariance, points up to the sign of each axis. */
static void
oracle (const float *e,
        gsize        n,
        guint        d,
        double      *z,
        double      *points)
{
  g_autofree double *a = g_new (double, n * d);
  g_autofree double *u = g_new (double, n * d);
  g_autofree double *vt = g_new (double, (gsize) d * d);
  g_autofree double *s = g_new (double, d);
  g_autofree double *sup = g_new (double, d);
  double cov[D * D] = { 0 }, mu[D] = { 0 }, lam[D];

  for (gsize i = 0; i < n * d; i++)
    a[i] = e[i];
  g_assert_cmpint (LAPACKE_dgesvd (LAPACK_ROW_MAJOR, 'S', 'S', n, d, a, d, s,
                                   u, d, vt, d, sup), ==, 0);
  for (gsize i = 0; i < n; i++)
    {
      double norm = 0.0;

      for (guint j = 0; j < d; j++)
        {
          double v = 0.0;

          for (guint k = 0; k < d; k++)
            v += u[i * d + k] * vt[k * d + j];
          z[i * d + j] = v;
          norm += v * v;
        }
      for (guint j = 0; j < d; j++)
        {
          z[i * d + j] /= sqrt (norm);
          mu[j] += z[i * d + j] / n;
        }
    }
  for (gsize i = 0; i < n; i++)
    for (guint j = 0; j < d; j++)
      for (guint k = 0; k < d; k++)
        cov[j * d + k] += (z[i * d + j] - mu[j]) * (z[i * d + k] - mu[k]);
  g_assert_cmpint (LAPACKE_dsyev (LAPACK_ROW_MAJOR, 'V', 'U', d, cov, d, lam),
                   ==, 0);
  for (gsize i = 0; i < n; i++)
    for (guint ax = 0; ax < 2; ax++)
      {
        double v = 0.0;

        for (guint j = 0; j < d; j++)
          v += (z[i * d + j] - mu[j]) * cov[j * d + (d - 1 - ax)];
        points[i * 2 + ax] = v;
      }
}

/* Same points up to the sign of each axis. */
static void
assert_same_up_to_sign (const float  *got,
                        const double *want,
                        gsize         n,
                        double        tol)
{
  for (guint ax = 0; ax < 2; ax++)
    {
      double sign = got[ax] * want[ax] < 0 ? -1.0 : 1.0;

      for (gsize i = 0; i < n; i++)
        g_assert_cmpfloat_with_epsilon (got[i * 2 + ax],
                                        sign * want[i * 2 + ax], tol);
    }
}

static void
test_oracle (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (1);
  g_autofree float *e = random_matrix (rng, N, D);
  g_autofree double *z = g_new (double, N * D);
  g_autofree double *want = g_new (double, N * 2);
  g_autoptr(BscProjector) proj = bsc_projector_new ();
  g_autoptr(GError) error = NULL;
  float points[N * 2], protos[K * D], proto_points[K * 2];
  guint pick[K] = { 0, 17, 123, 299 };

  oracle (e, N, D, z, want);
  for (guint k = 0; k < K; k++)   /* prototypes placed on samples */
    for (guint j = 0; j < D; j++)
      protos[k * D + j] = (float) z[pick[k] * D + j] * 3.0f;

  g_assert_true (bsc_projector_update (proj, e, N, D, protos, K, points,
                                       proto_points, &error));
  g_assert_no_error (error);
  assert_same_up_to_sign (points, want, N, 1e-5);
  for (guint k = 0; k < K; k++)
    for (guint ax = 0; ax < 2; ax++)
      g_assert_cmpfloat_with_epsilon (proto_points[k * 2 + ax],
                                      points[pick[k] * 2 + ax], 1e-5);
}

/* The rows handed to a neighbourhood map are the oracle's normalised
 * polar factor, and the prototypes' rows are in the same space. */
static void
test_rows (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (3);
  g_autofree float *e = random_matrix (rng, N, D);
  g_autofree double *z = g_new (double, N * D);
  g_autofree double *want = g_new (double, N * 2);
  g_autofree float *rows = g_new (float, N * D);
  g_autoptr(BscProjector) proj = bsc_projector_new ();
  float points[N * 2], plain[N * 2], protos[K * D], proto_points[K * 2];
  float proto_rows[K * D];
  guint pick[K] = { 5, 50, 150, 250 };

  oracle (e, N, D, z, want);
  for (guint k = 0; k < K; k++)
    for (guint j = 0; j < D; j++)
      protos[k * D + j] = (float) z[pick[k] * D + j] * 0.25f;

  g_assert_true (bsc_projector_update_rows (proj, e, N, D, protos, K, points,
                                            proto_points, rows, proto_rows,
                                            NULL));
  for (gsize i = 0; i < N * D; i++)
    g_assert_cmpfloat_with_epsilon (rows[i], z[i], 1e-5);
  for (guint k = 0; k < K; k++)
    for (guint j = 0; j < D; j++)
      g_assert_cmpfloat_with_epsilon (proto_rows[k * D + j], z[pick[k] * D + j],
                                      1e-5);
  /* the same map as without rows */
  g_clear_pointer (&proj, bsc_projector_free);
  proj = bsc_projector_new ();
  g_assert_true (bsc_projector_update (proj, e, N, D, NULL, 0, plain, NULL, NULL));
  g_assert_cmpmem (plain, sizeof plain, points, sizeof points);
}

/* A second update with e2 (an orthogonal transform of e) lands on the
 * points of the first update with e. */
static void
assert_second_update_aligns (const float *e,
                             const float *e2)
{
  g_autoptr(BscProjector) proj = bsc_projector_new ();
  float first[N * 2], second[N * 2];

  g_assert_true (bsc_projector_update (proj, e, N, D, NULL, 0, first, NULL,
                                       NULL));
  g_assert_true (bsc_projector_update (proj, e2, N, D, NULL, 0, second, NULL,
                                       NULL));
  for (gsize i = 0; i < N * 2; i++)
    g_assert_cmpfloat_with_epsilon (second[i], first[i], 1e-4);
}

static void
test_rotated_copy_aligns (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (2);
  g_autofree float *e = random_matrix (rng, N, D);
  g_autofree float *r = random_rotation (rng, D);
  g_autofree float *er = g_new (float, N * D);

  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, D, D,
               1.0f, e, D, r, D, 0.0f, er, D);
  assert_second_update_aligns (e, er);
}

/* Column sign flips (the next update's PCA may pick other signs) are
 * turned back onto the previous map. */
static void
test_sign_flips_align (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (3);
  g_autofree float *e = random_matrix (rng, N, D);
  g_autofree float *e2 = g_memdup2 (e, sizeof (float) * N * D);

  for (gsize i = 0; i < N * D; i++)
    e2[i] *= (i % D) % 3 == 0 ? -1.0f : 1.0f;
  assert_second_update_aligns (e, e2);
}

static void
test_deterministic (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (4);
  g_autofree float *e = random_matrix (rng, N, D);
  g_autoptr(BscProjector) a = bsc_projector_new ();
  g_autoptr(BscProjector) b = bsc_projector_new ();
  float pa[N * 2], pb[N * 2];

  g_assert_true (bsc_projector_update (a, e, N, D, NULL, 0, pa, NULL, NULL));
  g_assert_true (bsc_projector_update (b, e, N, D, NULL, 0, pb, NULL, NULL));
  g_assert_cmpmem (pa, sizeof pa, pb, sizeof pb);
}

/* Rank 3 embeddings, constant rows and all-zero rows give finite points. */
static void
test_rank_deficient (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (5);
  g_autofree float *e = g_new0 (float, N * D);
  g_autoptr(BscProjector) proj = bsc_projector_new ();
  float points[N * 2];

  for (gsize i = 0; i < N - 10; i++)
    for (guint j = 0; j < 3; j++)
      e[i * D + j] = (float) g_rand_double_range (rng, -1.0, 1.0);
  g_assert_true (bsc_projector_update (proj, e, N, D, NULL, 0, points, NULL,
                                       NULL));
  for (gsize i = 0; i < N * 2; i++)
    g_assert_true (isfinite (points[i]));

  memset (e, 0, sizeof (float) * N * D);
  g_assert_true (bsc_projector_update (proj, e, N, D, NULL, 0, points, NULL,
                                       NULL));
  for (gsize i = 0; i < N * 2; i++)
    g_assert_cmpfloat (points[i], ==, 0.0f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/projection/oracle", test_oracle);
  g_test_add_func ("/projection/rows", test_rows);
  g_test_add_func ("/projection/rotated-copy-aligns", test_rotated_copy_aligns);
  g_test_add_func ("/projection/sign-flips-align", test_sign_flips_align);
  g_test_add_func ("/projection/deterministic", test_deterministic);
  g_test_add_func ("/projection/rank-deficient", test_rank_deficient);
  return g_test_run ();
}
