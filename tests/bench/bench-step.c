/* bench-step.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Training-step speed of the engine: the authors' widths, batch 256,
 * 784-d random inputs in [0, 1) (the Fashion-MNIST shape).  Prints
 * ms/step, the seconds of a 39-step epoch (Fashion-MNIST test split) and
 * the GFLOP/s of the step's matrix products.
 *   bench-step [STEPS] [THREADS]    (defaults 30 and 2)
 *   bench-step --peak [THREADS]     only the sgemm peak
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "bsc-gemm-private.h"
#include "bsc-layers.h"
#include "bsc-model.h"
#include "bsc-parallel.h"
#include "bsc-rng.h"

/* The best GFLOP/s of a 512 x 4096 x 1024 sgemm, the largest product of a
 * step at batch 256: on threads threads of OpenBLAS's own (the model
 * leaves OpenBLAS serial and splits its products itself), or (engine)
 * through the engine's Linear forward on its pool, whichever kernel that
 * runs (AVX-512 or OpenBLAS). */
static const char *
kernel_name (void)
{
  return _bsc_gemm_avx512_usable () ? "AVX-512" : "OpenBLAS";
}

static double
sgemm_peak (int      threads,
            gboolean engine)
{
  gsize m = 512, n = 4096, k = 1024;
  g_autofree float *a = g_new (float, m * k);
  g_autofree float *b = g_new (float, k * n);
  g_autofree float *c = g_new (float, m * n);
  double best = G_MAXDOUBLE;

  if (!engine)
    openblas_set_num_threads (threads);
  for (gsize i = 0; i < m * k; i++)
    a[i] = (float) (i % 7) * 0.1f;
  for (gsize i = 0; i < k * n; i++)
    b[i] = (float) (i % 5) * 0.1f;
  for (guint r = 0; r < 8; r++)
    {
      gint64 t = g_get_monotonic_time ();

      if (engine)
        bsc_linear_forward (c, a, NULL, b, NULL, m, k, n);
      else
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f,
                     a, k, b, n, 0.0f, c, n);
      best = MIN (best, (g_get_monotonic_time () - t) / 1e6);
    }
  return 2.0 * m * n * k / best / 1e9;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (BscModel) model = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree float *x = NULL;
  guint steps = argc > 1 ? (guint) atoi (argv[1]) : 30;
  guint warm = 3;
  gsize b = 256, dim = 784;
  BscConfig config;
  BscRng rng;
  gint64 t0 = 0;
  double sec, ms, flops, peak, best = G_MAXDOUBLE;

  if (argc > 1 && strcmp (argv[1], "--peak") == 0)
    {
      _bsc_parallel_set_threads (argc > 2 ? (guint) atoi (argv[2]) : 2);
      printf ("engine sgemm peak here (512 x 4096 x 1024, %s): %.1f "
              "GFLOP/s\n", kernel_name (),
              sgemm_peak (argc > 2 ? atoi (argv[2]) : 2, TRUE));
      return 0;
    }
  bsc_config_init (&config);
  config.input_dim = dim;
  config.threads = argc > 2 ? (guint) atoi (argv[2]) : 2;
  model = bsc_model_new (&config, &error);
  if (model == NULL)
    {
      fprintf (stderr, "bench-step: %s\n", error->message);
      return 1;
    }
  bsc_rng_init (&rng, 1);
  x = g_new (float, 2 * b * dim);
  for (gsize i = 0; i < 2 * b * dim; i++)
    x[i] = bsc_rng_uniform (&rng);

  for (guint s = 0; s < steps + warm; s++)
    {
      gint64 ts = g_get_monotonic_time ();
      BscStepStats st;

      if (s == warm)
        t0 = ts;
      if (!bsc_model_train_step (model, x, x + b * dim, b, 0.04, &st, &error))
        {
          fprintf (stderr, "bench-step: step %u: %s\n", s, error->message);
          return 1;
        }
      if (s >= warm)
        best = MIN (best, (g_get_monotonic_time () - ts) / 1e3);
    }
  sec = (g_get_monotonic_time () - t0) / 1e6;
  ms = 1e3 * sec / steps;
  flops = bsc_model_step_flops (model, b);
  printf ("bench-step: authors' widths, B %" G_GSIZE_FORMAT ", D %"
          G_GSIZE_FORMAT ", %u threads, %u steps, %s products\n", b, dim,
          config.threads, steps, kernel_name ());
  printf ("  %.1f ms/step, %.2f s/epoch-equivalent (39 steps), "
          "%.1f GFLOP/step, %.1f GFLOP/s\n",
          ms, 39.0 * ms / 1e3, flops / 1e9, flops / (ms * 1e6));
  printf ("  fastest step %.1f ms (%.2f s/epoch-equivalent, %.1f GFLOP/s); the "
          "machine is shared, so the mean moves with its load\n",
          best, 39.0 * best / 1e3, flops / (best * 1e6));
  peak = sgemm_peak ((int) config.threads, TRUE);
  printf ("  sgemm peak here (512 x 4096 x 1024): %.1f GFLOP/s on the "
          "engine's %s products, %.1f on OpenBLAS's own threads; the step "
          "reaches %.0f %% of the engine's (fastest step %.0f %%)\n", peak,
          kernel_name (), sgemm_peak ((int) config.threads, FALSE),
          100.0 * flops / (ms * 1e6) / peak,
          100.0 * flops / (best * 1e6) / peak);
  return 0;
}
