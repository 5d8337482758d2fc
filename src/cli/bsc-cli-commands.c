/* bsc-cli-commands.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `bootsc inspect` and `bootsc export-clusters`.
 */

#include <stdio.h>

#include "bsc-cli.h"
#include "bsc-error.h"
#include "bsc-export.h"

int
bsc_cli_inspect (int    argc,
                 char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BscDataset) data = NULL;
  g_autofree char *describe = NULL;
  g_auto (GStrv) rest = NULL;
  g_autofree char *labels = NULL;
  g_autofree char *label_column = NULL;
  gint image_size = 28;
  gboolean rgb = FALSE, gray = FALSE;
  BscLoadOptions load;
  GOptionEntry entries[] = {
    { "labels", 'l', 0, G_OPTION_ARG_FILENAME, &labels,
      "Ground-truth labels for a matrix or IDX input", "FILE" },
    { "label-column", 0, 0, G_OPTION_ARG_STRING, &label_column,
      "CSV input: the column holding labels", "COLUMN" },
    { "image-size", 0, 0, G_OPTION_ARG_INT, &image_size,
      "Training resolution of images (28)", "PIXELS" },
    { "rgb", 0, 0, G_OPTION_ARG_NONE, &rgb, "Read images in colour", NULL },
    { "gray", 0, 0, G_OPTION_ARG_NONE, &gray, "Read images as grayscale",
      NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL,
      NULL },
    { NULL }
  };

  g_set_prgname ("bootsc inspect");
  context = g_option_context_new ("[INPUT]");
  g_option_context_set_summary (context,
                                "Show what a load of INPUT finds (samples, "
                                "dimensions, labels and their counts, skipped "
                                "files with the reason) without training.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return bsc_cli_usage_error ("inspect", error->message);
  if (rest && rest[0] && rest[1])
    return bsc_cli_usage_error ("inspect", "one INPUT at most");
  if (image_size < 4 || image_size > 1024 || (rgb && gray))
    return bsc_cli_usage_error ("inspect", "--image-size must be 4 to 1024, "
                                "and --rgb and --gray exclude each other");
  bsc_load_options_init (&load);
  load.image_size = image_size;
  load.image_rgb = rgb ? 1 : gray ? 0 : -1;
  load.labels_path = labels;
  load.label_column = label_column;
  data = bsc_cli_load (rest ? rest[0] : NULL, &load, TRUE, &error);
  if (data == NULL)
    return bsc_cli_fail (error);
  describe = bsc_dataset_describe (data);
  fputs (describe, stdout);
  if (*describe && describe[strlen (describe) - 1] != '\n')
    fputc ('\n', stdout);
  return BSC_EXIT_OK;
}

/* --from names a run folder or its assignments.csv. */
static char *
assignments_path (const char *from)
{
  if (g_file_test (from, G_FILE_TEST_IS_DIR))
    return g_build_filename (from, "assignments.csv", NULL);
  return g_strdup (from);
}

static int
export_from (const char *from,
             const char *to,
             gboolean    link)
{
  g_autofree char *csv = assignments_path (from);
  g_autoptr (GPtrArray) paths = NULL;
  g_autoptr (GArray) clusters = NULL;
  g_autoptr (GError) error = NULL;

  if (!bsc_export_read_assignments (csv, &paths, &clusters, &error))
    return bsc_cli_fail (error);
  if (paths == NULL)
    {
      g_set_error (&error, BSC_ERROR, BSC_ERROR_INVALID_DATA,
                   "%s has no path column: only runs on image folders can be "
                   "exported", csv);
      return bsc_cli_fail (error);
    }
  if (!bsc_export_clusters (to, (const char * const *) paths->pdata,
                            (const gint32 *) clusters->data, clusters->len,
                            link, NULL, &error))
    return bsc_cli_fail (error);
  printf ("Exported %u files into %s\n", clusters->len, to);
  return BSC_EXIT_OK;
}

int
bsc_cli_export_clusters (int    argc,
                         char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_auto (GStrv) rest = NULL;
  gboolean link = FALSE;
  GOptionEntry entries[] = {
    { "from", 'f', 0, G_OPTION_ARG_FILENAME, &from,
      "A run folder of bootsc train, or its assignments.csv", "DIR|FILE" },
    { "to", 't', 0, G_OPTION_ARG_FILENAME, &to,
      "Folder to create cluster-NN folders in", "DIR" },
    { "link", 0, 0, G_OPTION_ARG_NONE, &link,
      "Make symbolic links instead of copies", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL,
      NULL },
    { NULL }
  };

  g_set_prgname ("bootsc export-clusters");
  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                "Make one folder per cluster holding copies "
                                "(or symbolic links) of its images.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return bsc_cli_usage_error ("export-clusters", error->message);
  if (rest && rest[0])
    return bsc_cli_usage_error ("export-clusters", "unexpected argument");
  if (from == NULL || to == NULL)
    return bsc_cli_usage_error ("export-clusters",
                                "--from and --to are required");
  return export_from (from, to, link);
}
