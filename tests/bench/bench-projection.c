/* bench-projection.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Times bsc_projector_update on 70,000 x 128 random embeddings (the size
 * of Fashion-MNIST's training set) and prints milliseconds per update.
 */

#include <stdio.h>

#include "bsc-projection.h"

#define N 70000
#define D 128
#define K 10

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
  return 0;
}
