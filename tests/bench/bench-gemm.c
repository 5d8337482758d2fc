/* bench-gemm.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GFLOP/s of one thread's share of each matrix product of a training step
 * (authors' widths, batch 256, two views split over two threads), on the
 * engine's AVX-512 sgemm and on OpenBLAS's serial sgemm, best of ROUNDS.
 *   bench-gemm [ROUNDS]    (default 20)
 */

#include <stdio.h>
#include <stdlib.h>

#include <cblas.h>

#include "bsc-gemm-private.h"

typedef struct
{
  const char *what;
  gboolean    ta, tb;
  gsize       m, n, k;
} Shape;

static const Shape shapes[] = {
  { "fwd 1  x W^T", 0, 1, 512, 512, 784 },
  { "fwd 2  x W^T", 0, 1, 256, 512, 1024 },
  { "fwd 3  x W^T", 0, 1, 512, 2048, 512 },
  { "fwd 4  x W^T", 0, 1, 256, 128, 4096 },
  { "dW 1  dY^T X", 1, 0, 512, 784, 512 },
  { "dW 2  dY^T X", 1, 0, 512, 512, 512 },
  { "dW 3  dY^T X", 1, 0, 2048, 512, 512 },
  { "dW 4  dY^T X", 1, 0, 128, 2048, 512 },
  { "dX 2  dY W", 0, 0, 512, 512, 512 },
  { "dX 3  dY W", 0, 0, 256, 512, 4096 },
  { "dX 4  dY W", 0, 0, 512, 2048, 128 },
};

static double
best_seconds (const Shape *s,
              gboolean     ours,
              const float *a,
              const float *b,
              float       *c,
              guint        rounds)
{
  double best = G_MAXDOUBLE;

  for (guint r = 0; r < rounds; r++)
    {
      gint64 t = g_get_monotonic_time ();

      if (ours)
        _bsc_sgemm_avx512 (s->ta, s->tb, s->m, s->n, s->k, a,
                           s->ta ? s->m : s->k, b, s->tb ? s->k : s->n, 0.0f,
                           c, s->n, NULL);
      else
        cblas_sgemm (CblasRowMajor, s->ta ? CblasTrans : CblasNoTrans,
                     s->tb ? CblasTrans : CblasNoTrans, s->m, s->n, s->k,
                     1.0f, a, s->ta ? s->m : s->k, b, s->tb ? s->k : s->n,
                     0.0f, c, s->n);
      best = MIN (best, (g_get_monotonic_time () - t) / 1e6);
    }
  return best;
}

int
main (int   argc,
      char *argv[])
{
  guint rounds = argc > 1 ? (guint) atoi (argv[1]) : 20;
  double total_ours = 0.0, total_blas = 0.0, flops = 0.0;

  openblas_set_num_threads (1);
  if (!_bsc_gemm_avx512_usable ())
    {
      printf ("SKIP: no AVX-512 here (or BSC_GEMM=openblas)\n");
      return 77;
    }
  printf ("one thread, best of %u; GFLOP/s: AVX-512 (ours) / OpenBLAS %s\n",
          rounds, openblas_get_corename ());
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      const Shape *s = &shapes[i];
      g_autofree float *a = g_new0 (float, s->m * s->k);
      g_autofree float *b = g_new0 (float, s->k * s->n);
      g_autofree float *c = g_new0 (float, s->m * s->n);
      double f = 2.0 * s->m * s->n * s->k, t0, t1;

      for (gsize j = 0; j < s->m * s->k; j++)
        a[j] = (float) (j % 7) * 0.1f;
      for (gsize j = 0; j < s->k * s->n; j++)
        b[j] = (float) (j % 5) * 0.1f;
      t0 = best_seconds (s, TRUE, a, b, c, rounds);
      t1 = best_seconds (s, FALSE, a, b, c, rounds);
      printf ("  %-14s %4zu x %4zu x %4zu: %6.1f / %6.1f\n", s->what, s->m,
              s->n, s->k, f / t0 / 1e9, f / t1 / 1e9);
      total_ours += t0;
      total_blas += t1;
      flops += f;
    }
  printf ("all: %.1f / %.1f GFLOP/s (%.2f / %.2f ms)\n",
          flops / total_ours / 1e9, flops / total_blas / 1e9,
          1e3 * total_ours, 1e3 * total_blas);
  return 0;
}
