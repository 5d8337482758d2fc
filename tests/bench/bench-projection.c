/* bench-projection.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Times bsc_projector_update on 70,000 x 128 random embeddings (the size
 * of Fashion-MNIST's training set) and prints milliseconds per update.
 * Then the t-SNE map with the engine's threads (one per processor): the
 * first layout and a warm update of 2,000 x 128 clustered embeddings, and
 * of the 70,000 (landmarks laid out, the other rows placed).
 */

#include <stdio.h>
#include <cblas.h>

#include "bsc-parallel.h"
#include "bsc-projection.h"
#include "bsc-rng.h"
#include "bsc-tsne.h"

#define N 70000
#define D 128
#define K 10
#define N_SMALL 2000
#define CLUSTERS 10

/* n x D rows around CLUSTERS random centres (noise std 0.5 per column). */
static float *
clustered (gsize n)
{
  BscRng rng;
  float *x = g_new (float, n * D);
  float centres[CLUSTERS * D];

  bsc_rng_init (&rng, 1);
  for (guint i = 0; i < CLUSTERS * D; i++)
    centres[i] = (float) bsc_rng_normal (&rng);
  for (gsize i = 0; i < n; i++)
    for (guint k = 0; k < D; k++)
      x[i * D + k] = centres[(i % CLUSTERS) * D + k]
                     + 0.5f * (float) bsc_rng_normal (&rng);
  return x;
}

/* Milliseconds for one bsc_tsne_update, or a negative number on failure. */
static double
time_tsne (BscTsne     *tsne,
           const float *x,
           gsize        n,
           float       *out)
{
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  if (!bsc_tsne_update (tsne, x, n, D, NULL, 0, out, &error))
    {
      fprintf (stderr, "t-SNE failed: %s\n", error->message);
      return -1.0;
    }
  return (g_get_monotonic_time () - t0) / 1000.0;
}

/* The first layout and a warm update of N_SMALL clustered rows, best of
 * three fresh maps. */
static gboolean
bench_tsne_small (float *out)
{
  g_autofree float *small = clustered (N_SMALL);
  double first = G_MAXDOUBLE, warm = G_MAXDOUBLE;

  for (guint rep = 0; rep < 3; rep++)
    {
      g_autoptr(BscTsne) tsne = bsc_tsne_new (0);
      double a = time_tsne (tsne, small, N_SMALL, out);
      double b = time_tsne (tsne, small, N_SMALL, out);

      if (a < 0.0 || b < 0.0)
        return FALSE;
      first = MIN (first, a);
      warm = MIN (warm, b);
    }
  printf ("t-SNE %d x %d, %u threads: first layout %.1f ms, warm update "
          "%.1f ms (best of 3)\n", N_SMALL, D, _bsc_parallel_get_threads (),
          first, warm);
  return TRUE;
}

/* The first layout and a warm update of all N rows of e: landmarks, then
 * every other row placed. */
static gboolean
bench_tsne_large (const float *e,
                  float       *out)
{
  g_autoptr(BscTsne) tsne = bsc_tsne_new (0);
  double first = time_tsne (tsne, e, N, out);
  double warm = first < 0.0 ? -1.0 : time_tsne (tsne, e, N, out);

  if (warm < 0.0)
    return FALSE;
  printf ("t-SNE %d x %d (%d landmarks): first layout %.1f ms, warm update "
          "%.1f ms\n", N, D, BSC_TSNE_MAX_LANDMARKS, first, warm);
  return TRUE;
}

static gboolean
bench_tsne (const float *e)
{
  g_autofree float *out = g_new (float, (gsize) N * 2);

  /* as the engine runs: its own threads, OpenBLAS serial */
  openblas_set_num_threads (1);
  _bsc_parallel_set_threads (g_get_num_processors ());
  return bench_tsne_small (out) && bench_tsne_large (e, out);
}

int
main (int argc, char **argv)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (0);
  g_autofree float *e = g_new (float, (gsize) N * D);
  g_autofree float *points = g_new (float, (gsize) N * 2);
  float protos[K * D], proto_points[K * 2];
  g_autoptr(BscProjector) proj = bsc_projector_new ();
  g_autoptr(GError) error = NULL;
  double best = G_MAXDOUBLE;

  for (gsize i = 0; i < (gsize) N * D; i++)
    e[i] = (float) g_rand_double_range (rng, -1.0, 1.0);
  for (guint i = 0; i < K * D; i++)
    protos[i] = (float) g_rand_double_range (rng, -1.0, 1.0);

  for (guint rep = 0; rep < 5; rep++)
    {
      gint64 t0 = g_get_monotonic_time ();

      if (!bsc_projector_update (proj, e, N, D, protos, K, points,
                                 proto_points, &error))
        {
          fprintf (stderr, "projection failed: %s\n", error->message);
          return 1;
        }
      best = MIN (best, (g_get_monotonic_time () - t0) / 1000.0);
    }
  printf ("projection %d x %d: %.1f ms per update (best of 5)\n", N, D, best);
  return bench_tsne (e) ? 0 : 1;
}
