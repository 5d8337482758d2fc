/* bsc-export-clusters.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One folder per cluster with copies or symbolic links of its images.
 */

#include <errno.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "bsc-export.h"
#include "bsc-load.h"

/* The file's name in its cluster folder; a name already used in this
 * export (two classes with a 0001.png each) gets the sample index first.
 * used owns the names. */
static const char *
unique_target (GHashTable *used,
               const char *folder,
               const char *source,
               gsize       index)
{
  g_autofree char *base = g_path_get_basename (source);
  char *target = g_build_filename (folder, base, NULL);
  g_autofree char *prefixed = NULL;

  if (!g_hash_table_contains (used, target))
    {
      g_hash_table_add (used, target);
      return target;
    }
  g_free (target);
  prefixed = g_strdup_printf ("%06" G_GSIZE_FORMAT "-%s", index, base);
  target = g_build_filename (folder, prefixed, NULL);
  g_hash_table_add (used, target);
  return target;
}

/* Existing files of an earlier export are replaced. */
static gboolean
export_one (const char   *target,
            const char   *source,
            gboolean      link,
            GCancellable *cancellable,
            GError      **error)
{
  g_autoptr (GFile) src = NULL;
  g_autoptr (GFile) dst = NULL;

  if (link)
    {
      g_autofree char *absolute = g_canonicalize_filename (source, NULL);

      if (g_file_test (target, G_FILE_TEST_IS_SYMLINK))
        g_unlink (target);
      if (symlink (absolute, target) == 0)
        return TRUE;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "Cannot link %s to %s: %s", target, absolute,
                   g_strerror (errno));
      return FALSE;
    }
  src = g_file_new_for_path (source);
  dst = g_file_new_for_path (target);
  return g_file_copy (src, dst, G_FILE_COPY_OVERWRITE, cancellable, NULL, NULL,
                      error);
}

gboolean
bsc_export_clusters (const char         *to,
                     const char * const *paths,
                     const gint32       *clusters,
                     gsize               n,
                     gboolean            link,
                     GCancellable       *cancellable,
                     GError            **error)
{
  g_autoptr (GHashTable) made = g_hash_table_new (NULL, NULL);
  g_autoptr (GHashTable) used = g_hash_table_new_full (g_str_hash,
                                                       g_str_equal, g_free,
                                                       NULL);

  g_return_val_if_fail (to != NULL && paths != NULL && clusters != NULL,
                        FALSE);

  /* The mark by which a collection that holds this folder does not load
   * the copies as a class of their own (bsc-load-images.c). */
  if (g_mkdir_with_parents (to, 0755) == 0)
    {
      g_autofree char *mark = g_build_filename (to, BSC_CLUSTERS_MARK, NULL);

      g_file_set_contents (mark, "Images sorted into clusters by bootsc; image "
                           "collections that contain this folder skip it.\n",
                           -1, NULL);
    }

  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("cluster-%02d", clusters[i]);
      g_autofree char *folder = g_build_filename (to, name, NULL);

      if (paths[i] == NULL || *paths[i] == '\0')
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "Sample %" G_GSIZE_FORMAT " has no file to export "
                       "(only image folders can be exported)", i);
          return FALSE;
        }
      if (!g_hash_table_contains (made, GINT_TO_POINTER (clusters[i] + 1))
          && g_mkdir_with_parents (folder, 0777) != 0)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "Cannot create %s: %s", folder, g_strerror (errno));
          return FALSE;
        }
      g_hash_table_add (made, GINT_TO_POINTER (clusters[i] + 1));
      if (!export_one (unique_target (used, folder, paths[i], i), paths[i],
                       link, cancellable, error))
        return FALSE;
    }
  return TRUE;
}
