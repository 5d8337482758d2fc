/* bench-fmnist.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * BootSC on Fashion-MNIST from Debian's dataset-fashion-mnist (pixels
 * / 255, authors' widths, batch 256): per seed ACC / NMI / ARI after the
 * last epoch, seconds per epoch, GFLOP/s of the matrix products, and the
 * mean NMI over the seeds (goal >= 0.53 for 3 seeds x 20 epochs on the
 * test split).  With --memory it trains one epoch on all 70,000 images
 * (training and test split) and prints the peak resident memory (goal
 * <= 500 MB).  Exits 77 (skipped)
 * when the dataset is not installed.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bsc-load.h"
#include "bsc-trainer.h"

#define FMNIST_DIR "/usr/share/datasets/fashion-mnist"

static int    opt_epochs = 20;
static char  *opt_seeds = NULL;
static int    opt_threads = 2;
static char  *opt_split = NULL;
static char  *opt_preset = NULL;
static gboolean opt_memory = FALSE;

static const GOptionEntry entries[] = {
  { "epochs", 'e', 0, G_OPTION_ARG_INT, &opt_epochs, "Epochs (20)", "N" },
  { "seeds", 's', 0, G_OPTION_ARG_STRING, &opt_seeds, "Seeds (0,1,2)", "LIST" },
  { "threads", 't', 0, G_OPTION_ARG_INT, &opt_threads, "Threads (2)", "N" },
  { "split", 0, 0, G_OPTION_ARG_STRING, &opt_split, "test, train or all",
    "SPLIT" },
  { "preset", 0, 0, G_OPTION_ARG_STRING, &opt_preset, "Widths", "NAME" },
  { "memory", 'm', 0, G_OPTION_ARG_NONE, &opt_memory,
    "Train 1 epoch on all 70,000 images, print peak memory", NULL },
  { NULL }
};

/* Peak resident set size in MB (VmHWM), or -1. */
static double
peak_rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1.0;
  line = strstr (status, "VmHWM:");
  return line ? g_ascii_strtod (line + 6, NULL) / 1024.0 : -1.0;
}

static BscDataset *
load_split (const char  *split,
            GError     **error)
{
  g_autofree char *images = g_strdup_printf ("%s/%s-images-idx3-ubyte.gz",
                                             FMNIST_DIR, split);
  g_autofree char *labels = g_strdup_printf ("%s/%s-labels-idx1-ubyte.gz",
                                             FMNIST_DIR, split);
  BscLoadOptions options;

  bsc_load_options_init (&options);
  options.labels_path = labels;
  options.threads = (guint) opt_threads;
  return bsc_load (images, &options, NULL, NULL, NULL, error);
}

/* All 70,000 images: the test split appended to the training split in
 * place (g_realloc), so peak memory counts one copy of the pixels. */
static BscDataset *
load_all (GError **error)
{
  g_autoptr(BscDataset) test = NULL;
  g_autoptr(BscDataset) all = load_split ("train", error);
  gsize n, bytes;
  gboolean shared_thumbs;

  if (all == NULL || (test = load_split ("t10k", error)) == NULL)
    return NULL;
  g_assert (all->pixels != NULL && test->pixels != NULL && all->labels != NULL
            && test->labels != NULL && all->dim == test->dim);
  n = all->n_samples + test->n_samples;
  bytes = test->n_samples * test->dim;
  shared_thumbs = all->thumbs == all->pixels;
  all->pixels = g_realloc (all->pixels, n * all->dim);
  memcpy (all->pixels + all->n_samples * all->dim, test->pixels, bytes);
  if (shared_thumbs)
    all->thumbs = all->pixels;
  else
    g_clear_pointer (&all->thumbs, g_free);
  all->labels = g_realloc (all->labels, n * sizeof (gint32));
  memcpy (all->labels + all->n_samples, test->labels,
          test->n_samples * sizeof (gint32));
  g_clear_pointer (&all->paths, g_ptr_array_unref);
  g_clear_pointer (&all->display_names, g_ptr_array_unref);
  all->n_samples = n;
  return g_steal_pointer (&all);
}

static double
seed_failed (guint64       seed,
             const GError *error)
{
  fprintf (stderr, "seed %" G_GUINT64_FORMAT ": %s\n", seed, error->message);
  return -1.0;
}

/* Trains one seed to the end; prints and returns its NMI (-1 on error). */
static double
run_seed (BscDataset *data,
          guint64     seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BscTrainer) trainer = NULL;
  g_autoptr(BscEvaluation) ev = NULL;
  BscConfig config;
  BscPreset preset = BSC_PRESET_AUTHORS;
  gint64 t0;
  double secs, flops;
  guint64 steps;

  bsc_config_init (&config);
  if (opt_preset != NULL && !bsc_config_parse_preset (opt_preset, &preset))
    fprintf (stderr, "unknown preset %s, using authors\n", opt_preset);
  bsc_config_set_preset (&config, preset);
  config.n_clusters = 0;
  config.batch_size = 256;
  config.epochs = (guint) opt_epochs;
  config.seed = seed;
  config.threads = (guint) opt_threads;
  trainer = bsc_trainer_new (data, &config, &error);
  if (trainer == NULL)
    return seed_failed (seed, error);

  t0 = g_get_monotonic_time ();
  while (!bsc_trainer_is_finished (trainer))
    if (!bsc_trainer_step (trainer, NULL, &error))
      return seed_failed (seed, error);
  secs = (g_get_monotonic_time () - t0) / 1e6;
  steps = bsc_trainer_get_step (trainer);
  flops = bsc_model_step_flops (bsc_trainer_get_model (trainer), 256) * steps;

  ev = bsc_trainer_evaluate (trainer, NULL, &error);
  if (ev == NULL)
    return seed_failed (seed, error);
  printf ("seed %" G_GUINT64_FORMAT ": epochs %d ACC %.4f NMI %.4f ARI %.4f  "
          "%.3f s/epoch  %.1f GFLOP/s\n", seed, opt_epochs, ev->acc, ev->nmi,
          ev->ari, secs / opt_epochs, flops / secs / 1e9);
  fflush (stdout);
  return ev->nmi;
}

static int
run_quality (BscDataset *data)
{
  g_auto(GStrv) seeds = g_strsplit (opt_seeds ? opt_seeds : "0,1,2", ",", -1);
  double sum = 0.0;
  guint n = 0;

  for (guint i = 0; seeds[i] != NULL; i++)
    {
      double nmi = run_seed (data, g_ascii_strtoull (seeds[i], NULL, 10));

      if (nmi < 0)
        return 1;
      sum += nmi;
      n++;
    }
  printf ("mean NMI over %u seeds: %.4f (goal >= 0.53 for 3 seeds x 20 "
          "epochs)\n", n, sum / n);
  printf ("peak memory: %.0f MB (goal <= 500 MB for --memory)\n",
          peak_rss_mb ());
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) data = NULL;
  const char *split;
  gint64 t0;

  ctx = g_option_context_new ("- BootSC on Fashion-MNIST");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (opt_memory)
    opt_epochs = 1, g_free (opt_seeds), opt_seeds = g_strdup ("0");
  split = opt_memory ? "all" : (opt_split ? opt_split : "t10k");
  if (g_str_equal (split, "test"))
    split = "t10k";

  t0 = g_get_monotonic_time ();
  data = g_str_equal (split, "all") ? load_all (&error)
                                    : load_split (split, &error);
  if (data == NULL)
    {
      printf ("SKIP: Fashion-MNIST not readable: %s\n", error->message);
      return 77;
    }
  printf ("Fashion-MNIST %s: %" G_GSIZE_FORMAT " x %" G_GSIZE_FORMAT
          ", %u classes, loaded in %.2f s; %d threads\n", split,
          data->n_samples, data->dim, data->n_classes,
          (g_get_monotonic_time () - t0) / 1e6, opt_threads);
  return run_quality (data);
}
