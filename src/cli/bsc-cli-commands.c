/* bsc-cli-commands.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `bootsc inspect` and `bootsc export-clusters`.
 */

#include <stdio.h>

#include "config.h"

#include <glib/gi18n-lib.h>

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
      N_("Ground-truth labels for a matrix or IDX input"), N_("FILE") },
    { "label-column", 0, 0, G_OPTION_ARG_STRING, &label_column,
      N_("CSV input: the column holding labels"), N_("COLUMN") },
    { "image-size", 0, 0, G_OPTION_ARG_INT, &image_size,
      N_("Training resolution of images (28)"), N_("PIXELS") },
    { "rgb", 0, 0, G_OPTION_ARG_NONE, &rgb, N_("Read images in colour"), NULL },
    { "gray", 0, 0, G_OPTION_ARG_NONE, &gray, N_("Read images as grayscale"),
      NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL,
      NULL },
    { NULL }
  };

  g_set_prgname ("bootsc inspect");
  context = g_option_context_new ("[INPUT]");
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Show what a load of INPUT finds (samples, "
                                "dimensions, labels and their counts, skipped "
                                "files with the reason) without training."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return bsc_cli_usage_error ("inspect", error->message);
  if (rest && rest[0] && rest[1])
    return bsc_cli_usage_error ("inspect", _("one INPUT at most"));
  /* The same words as bootsc train, naming only the fault there is. */
  if (image_size < 4 || image_size > 1024)
    {
      g_autofree char *message = g_strdup_printf (_("--image-size is %d; it "
                                                    "must be between 4 and "
                                                    "1024"), image_size);
      return bsc_cli_usage_error ("inspect", message);
    }
  if (rgb && gray)
    return bsc_cli_usage_error ("inspect",
                                _("--rgb and --gray exclude each other"));
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
                   _("%s has no path column: only runs on image folders can be "
                   "exported"), csv);
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
      N_("A run folder of bootsc train, or its assignments.csv"), N_("DIR|FILE") },
    { "to", 't', 0, G_OPTION_ARG_FILENAME, &to,
      N_("Folder to create cluster-NN folders in"), N_("DIR") },
    { "link", 0, 0, G_OPTION_ARG_NONE, &link,
      N_("Make symbolic links instead of copies"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL,
      NULL },
    { NULL }
  };

  g_set_prgname ("bootsc export-clusters");
  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Make one folder per cluster holding copies "
                                "(or symbolic links) of its images."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return bsc_cli_usage_error ("export-clusters", error->message);
  if (rest && rest[0])
    return bsc_cli_usage_error ("export-clusters", _("unexpected argument"));
  if (from == NULL || to == NULL)
    return bsc_cli_usage_error ("export-clusters",
                                _("--from and --to are required"));
  return export_from (from, to, link);
}
