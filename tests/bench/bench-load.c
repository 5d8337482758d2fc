/* bench-load.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loading benchmark: writes the 70,000 Fashion-MNIST images as a folder of
 * PNG files once (cached in the build folder), then loads it with 2 decoder
 * threads and prints images per second (goal: at least 15,000) and the
 * peak resident memory of the load (goal: under 400 MB, VmHWM).
 */

#include "bsc-load.h"
#include "bsc-load-private.h"

#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#define FMNIST "/usr/share/datasets/fashion-mnist"

static char *
class_folder (const char *root,
              const char *name)
{
  g_autofree char *safe = g_strdup (name);

  g_strdelimit (safe, "/ ", '_');
  return g_build_filename (root, safe, NULL);
}

/* One PNG per image in one folder per class, then a stamp file. */
static gboolean
write_png_folder (const char  *root,
                  GError     **error)
{
  g_autoptr(BscDataset) ds = bsc_load (FMNIST, NULL, NULL, NULL, NULL, error);
  g_autofree char *stamp = g_build_filename (root, ".complete", NULL);
  gsize i;

  if (ds == NULL)
    return FALSE;
  for (i = 0; i < ds->n_samples; i++)
    {
      g_autofree char *dir = class_folder (root, g_ptr_array_index (
                                             ds->class_names, ds->labels[i]));
      g_autofree char *name = g_strdup_printf ("%05" G_GSIZE_FORMAT ".png", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_mkdir_with_parents (dir, 0755);
      if (!_bsc_png_write (path, ds->pixels + i * ds->dim, ds->width,
                           ds->height, 1, error))
        return FALSE;
    }
  return g_file_set_contents (stamp, "", 0, error);
}

static double
vm_hwm_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line ? g_ascii_strtod (line + 6, NULL) / 1024.0 : -1;
}

static guint64
pixel_sum (const BscDataset *ds)
{
  guint64 sum = 0;
  gsize i;

  for (i = 0; i < ds->n_samples * ds->dim; i++)
    sum += ds->pixels[i];
  return sum;
}

int
main (int   argc,
      char *argv[])
{
  const char *build = g_getenv ("BSC_BUILD_DIR");
  g_autofree char *root = g_build_filename (build ? build : ".",
                                            "bench-data", "fmnist-png", NULL);
  g_autofree char *stamp = g_build_filename (root, ".complete", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BscDataset) ds = NULL, idx = NULL;
  BscLoadOptions options;
  gint64 t0;
  double seconds, peak;
  guint64 sum;

  if (!g_file_test (FMNIST, G_FILE_TEST_IS_DIR))
    {
      printf ("SKIP: %s is not installed (dataset-fashion-mnist)\n", FMNIST);
      return 77;
    }
  if (!g_file_test (stamp, G_FILE_TEST_EXISTS))
    {
      t0 = g_get_monotonic_time ();
      if (!write_png_folder (root, &error))
        {
          fprintf (stderr, "writing %s: %s\n", root, error->message);
          return 1;
        }
      printf ("wrote 70,000 PNG files to %s in %.1f s\n", root,
              (g_get_monotonic_time () - t0) / 1e6);
      /* forget the writer's peak so VmHWM measures the load alone */
      g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL);
    }

  bsc_load_options_init (&options);
  options.threads = 2;
  t0 = g_get_monotonic_time ();
  ds = bsc_load (root, &options, NULL, NULL, NULL, &error);
  seconds = (g_get_monotonic_time () - t0) / 1e6;
  peak = vm_hwm_mb ();
  if (ds == NULL)
    {
      fprintf (stderr, "loading %s: %s\n", root, error->message);
      return 1;
    }
  printf ("load-png: %" G_GSIZE_FORMAT " images, %u classes, %u skipped, "
          "2 threads\n", ds->n_samples, ds->n_classes, ds->skipped->len);
  printf ("load-png: %.2f s, %.0f images/s (goal >= 15000)\n", seconds,
          ds->n_samples / seconds);
  printf ("load-png: peak RSS (VmHWM) %.1f MB (goal < 400)\n", peak);

  sum = pixel_sum (ds);
  g_clear_pointer (&ds, bsc_dataset_unref);
  idx = bsc_load (FMNIST, NULL, NULL, NULL, NULL, &error);
  if (idx == NULL || pixel_sum (idx) != sum)
    {
      fprintf (stderr, "the PNG folder does not hold the IDX pixels\n");
      return 1;
    }
  printf ("load-png: pixels identical to the IDX files (sum %" G_GUINT64_FORMAT
          ")\n", sum);
  return 0;
}
