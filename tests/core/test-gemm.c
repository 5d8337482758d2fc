/* test-gemm.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The AVX-512 products of bsc-gemm.c against a naive loop in double, over
 * every transpose pair and shapes on both sides of each block and tile
 * edge, with leading dimensions wider than the matrices, beta 0 over a C
 * full of NaN (must not be read), beta 1 and beta 0.5; and OpenBLAS's
 * sgemm on the engine's own shapes.  Skipped where the processor has no
 * AVX-512.
 */

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "bsc-gemm-private.h"
#include "bsc-rng.h"

static BscRng rng;

typedef struct
{
  gboolean ta, tb;
  gsize    m, n, k, lda, ldb, ldc;
  float    beta;
} GemmCase;

static float *
rand_matrix (gsize n)
{
  float *v = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    v[i] = (float) (2.0 * bsc_rng_uniform (&rng) - 1.0);
  return v;
}

/* The largest |got - exact| over C, relative to the sum of |terms| of each
 * element (the natural scale of float rounding in a k-long dot product);
 * elements outside the m x n window must be untouched (padding sentinel). */
static double
gemm_error (const GemmCase *g,
            const float    *a,
            const float    *b,
            const float    *c0,
            const float    *c)
{
  double worst = 0.0;

  for (gsize i = 0; i < g->m; i++)
    for (gsize j = 0; j < g->ldc; j++)
      {
        double exact = 0.0, scale = 0.0;

        if (j >= g->n)
          {
            g_assert_cmpfloat (c[i * g->ldc + j], ==, 7.0f);
            continue;
          }
        for (gsize p = 0; p < g->k; p++)
          {
            double x = g->ta ? a[p * g->lda + i] : a[i * g->lda + p];
            double y = g->tb ? b[j * g->ldb + p] : b[p * g->ldb + j];

            exact += x * y;
            scale += fabs (x * y);
          }
        if (g->beta != 0.0f)
          {
            exact += g->beta * (double) c0[i * g->ldc + j];
            scale += fabs (g->beta * (double) c0[i * g->ldc + j]);
          }
        worst = MAX (worst, fabs (c[i * g->ldc + j] - exact)
                            / MAX (scale, 1e-30));
      }
  return worst;
}

/* C of case g from c0 (the columns past n hold 7, beta 0 starts from
 * NaN), with x's parts (or NULL). */
static void
run_case (const GemmCase *g,
          const float    *a,
          const float    *b,
          const float    *c0,
          float          *c,
          BscGemmExtra   *x)
{
  for (gsize i = 0; i < g->m; i++)
    for (gsize j = 0; j < g->ldc; j++)
      c[i * g->ldc + j] = j >= g->n ? 7.0f
                          : g->beta == 0.0f ? NAN : c0[i * g->ldc + j];
  g_assert_true (_bsc_sgemm_avx512 (g->ta, g->tb, g->m, g->n, g->k, a,
                                    g->lda, b, g->ldb, g->beta, c, g->ldc,
                                    x));
}

/* x (rows x cols, row stride ld) through map, as BatchNorm computes h:
 * the reference for the packing map. */
static float *
map_matrix (const float      *x,
            gsize             rows,
            gsize             cols,
            gsize             ld,
            const BscPackMap *map)
{
  float *y = g_new (float, rows * ld);

  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < ld; j++)
      {
        gsize g = (map->row0 + i) / map->group_rows, f = map->col0 + j;
        float v = j < cols ? x[i * ld + j] * map->scale[g * map->ld + f]
                             + map->shift[g * map->ld + f] : 0.0f;

        y[i * ld + j] = map->relu ? MAX (v, 0.0f) : v;
      }
  return y;
}

/* The map of an operand of rows x cols: rows in groups of 5 from sample
 * 3, columns from feature 2. */
static BscPackMap
test_map (gsize     rows,
          gsize     cols,
          float   **scale,
          gboolean  relu)
{
  gsize groups = (rows + 3 + 4) / 5, ld = cols + 2;

  *scale = rand_matrix (2 * groups * ld);
  return (BscPackMap) { *scale, *scale + groups * ld, ld, 5, 3, 2, relu };
}

static void
check_case (const GemmCase *g)
{
  gsize arows = g->ta ? g->k : g->m, brows = g->tb ? g->n : g->k;
  g_autofree float *a = rand_matrix (arows * g->lda);
  g_autofree float *b = rand_matrix (brows * g->ldb);
  g_autofree float *c0 = rand_matrix (g->m * g->ldc);
  g_autofree float *c = g_new (float, g->m * g->ldc);
  g_autofree float *cb = g_new (float, g->m * g->ldc);
  g_autofree float *bias = rand_matrix (g->n);
  g_autofree float *sa = NULL, *sb = NULL, *am = NULL, *bm = NULL;
  BscGemmExtra x = { 0 };
  BscPackMap ma, mb;
  float top = 0.0f;
  guint32 bits;
  double err;

  run_case (g, a, b, c0, c, NULL);
  err = gemm_error (g, a, b, c0, c);
  if (err > 1e-6)
    g_test_message ("ta %d tb %d m %zu n %zu k %zu beta %g: error %g",
                    g->ta, g->tb, g->m, g->n, g->k, g->beta, err);
  /* float products summed in float: a few ulps of the term sum */
  g_assert_cmpfloat (err, <, 1e-6);

  /* The check as C is stored: the largest |C| reaches its own bits, not
   * the next float's (the 7s past column n, above most of C, are not
   * looked at). */
  for (gsize i = 0; i < g->m; i++)
    for (gsize j = 0; j < g->n; j++)
      top = MAX (top, fabsf (c[i * g->ldc + j]));
  memcpy (&bits, &top, sizeof bits);
  x.limit = bits + 1;
  run_case (g, a, b, c0, c, &x);
  g_assert_false (x.over);
  x.limit = bits;
  run_case (g, a, b, c0, c, &x);
  g_assert_true (x.over);
  x.limit = 0;

  /* Operands not transposed read through BatchNorm maps as they are
   * packed: the same bits as the mapped matrices. */
  if (!g->ta)
    {
      ma = test_map (g->m, g->k, &sa, g->m % 2);
      am = map_matrix (a, g->m, g->k, g->lda, &ma);
      x.map_a = &ma;
    }
  if (!g->tb)
    {
      mb = test_map (g->k, g->n, &sb, g->k % 2 == 0);
      bm = map_matrix (b, g->k, g->n, g->ldb, &mb);
      x.map_b = &mb;
    }
  run_case (g, am ? am : a, bm ? bm : b, c0, c, NULL);
  run_case (g, a, b, c0, cb, &x);
  for (gsize i = 0; i < g->m; i++)
    g_assert_cmpmem (cb + i * g->ldc, g->n * sizeof (float),
                     c + i * g->ldc, g->n * sizeof (float));

  /* A bias row added as the first pass stores C: the same bits as the
   * row copied into C beforehand and beta 1. */
  if (g->beta == 0.0f)
    {
      GemmCase g1 = *g;

      g1.beta = 1.0f;
      for (gsize i = 0; i < g->m; i++)
        memcpy (c0 + i * g->ldc, bias, g->n * sizeof (float));
      run_case (&g1, a, b, c0, c, NULL);
      x.bias = bias;
      x.map_a = x.map_b = NULL;
      run_case (g, a, b, c0, cb, &x);
      for (gsize i = 0; i < g->m; i++)
        g_assert_cmpmem (cb + i * g->ldc, g->n * sizeof (float),
                         c + i * g->ldc, g->n * sizeof (float));
    }
}

static gboolean
need_avx512 (void)
{
  if (_bsc_gemm_avx512_usable ())
    return TRUE;
  g_test_skip ("no AVX-512 on this processor (or BSC_GEMM=openblas)");
  return FALSE;
}

static void
test_gemm_edges (void)
{
  /* tile 12 x 32 (last rows of a block on 4- or 8-row tiles), blocks up
   * to 144 x 512 x 256: each side below, at and above an edge */
  const gsize ms[] = { 1, 4, 5, 8, 9, 12, 13, 145, 300 };
  const gsize ns[] = { 1, 16, 31, 32, 33, 1025 };
  const gsize ks[] = { 1, 15, 16, 17, 321, 700 };
  const float betas[] = { 0.0f, 1.0f, 0.5f };
  guint cases = 0;

  if (!need_avx512 ())
    return;
  bsc_rng_init (&rng, 11);
  for (guint t = 0; t < 4; t++)
    for (guint x = 0; x < G_N_ELEMENTS (ms); x++)
      {
        /* every m and n; k and beta rotate with them to bound the time */
        gsize m = ms[x], n = ns[(x + t) % G_N_ELEMENTS (ns)];

        for (guint y = 0; y < G_N_ELEMENTS (ks); y++)
          {
            GemmCase g = { t & 1, t >> 1, m, n, ks[y], 0, 0, 0,
                           betas[(x + y + t) % 3] };

            g.lda = (g.ta ? g.m : g.k) + y % 2 * 3;
            g.ldb = (g.tb ? g.k : g.n) + x % 2 * 5;
            g.ldc = g.n + (y % 3 == 0 ? 2 : 0);
            check_case (&g);
            cases++;
          }
      }
  g_assert_cmpuint (cases, ==, 4 * 9 * 6);
}

/* The engine's products at batch 256 (two views, one thread's half):
 * against OpenBLAS, which also sums in float. */
static void
test_gemm_engine_shapes (void)
{
  const gsize shapes[][5] = {
    /* ta tb m n k */
    { 0, 1, 256, 1024, 784 },   /* forward x W^T */
    { 0, 1, 256, 128, 4096 },
    { 1, 0, 512, 784, 512 },    /* dW = dY^T X */
    { 1, 0, 128, 4096, 512 },
    { 0, 0, 256, 512, 4096 },   /* dX = dY W */
  };

  if (!need_avx512 ())
    return;
  bsc_rng_init (&rng, 12);
  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      gboolean ta = shapes[s][0], tb = shapes[s][1];
      gsize m = shapes[s][2], n = shapes[s][3], k = shapes[s][4];
      g_autofree float *a = rand_matrix (m * k);
      g_autofree float *b = rand_matrix (k * n);
      g_autofree float *c = g_new (float, m * n);
      g_autofree float *ref = g_new (float, m * n);
      double worst = 0.0;

      g_assert_true (_bsc_sgemm_avx512 (ta, tb, m, n, k, a, ta ? m : k, b,
                                        tb ? k : n, 0.0f, c, n, NULL));
      cblas_sgemm (CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                   tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
                   ta ? m : k, b, tb ? k : n, 0.0f, ref, n);
      for (gsize i = 0; i < m * n; i++)
        worst = MAX (worst, fabs (c[i] - ref[i]));
      /* terms of size <= 1, k <= 4096: float sums agree to ~1e-4 */
      g_assert_cmpfloat (worst, <, 2e-4);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gemm/edges", test_gemm_edges);
  g_test_add_func ("/gemm/engine-shapes", test_gemm_engine_shapes);
  return g_test_run ();
}
