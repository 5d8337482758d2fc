/* bsc-load.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bsc_load: looks at what the path is (a folder, or a file's first bytes)
 * and hands it to the image, .npy, CSV or IDX loader, then attaches a
 * labels side file and checks there is something to train on.  The name
 * counts only for .npy: such a file without the NumPy magic is refused.
 */

#include "config.h"

#include "bsc-load-private.h"
#include "bsc-error.h"

#include <string.h>
#include <zlib.h>

void
bsc_load_options_init (BscLoadOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->image_size = 28;
  options->image_rgb = -1;
  options->thumb_size = 64;
  options->threads = 0;
  options->max_pixels = BSC_DEFAULT_MAX_PIXELS;
}

/* The first bytes of path, gunzipped when it is gzip. */
static gsize
sniff_file (const char *path,
            guint8     *head,
            gsize       size)
{
  gzFile gz = gzopen (path, "rb");
  int got;

  if (gz == NULL)
    return 0;
  got = gzread (gz, head, size);
  gzclose (gz);
  return got > 0 ? (gsize) got : 0;
}

static int
compare_paths_cb (gconstpointer a,
                  gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* IDX image files directly in dir (the layout of Debian's
 * dataset-fashion-mnist), sorted; NULL when there are none. */
static GStrv
find_idx_images (const char *dir)
{
  GPtrArray *paths = g_ptr_array_new ();
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (strstr (name, "-images-idx3-ubyte") != NULL
        && (g_str_has_suffix (name, "-ubyte") || g_str_has_suffix (name, ".gz")))
      g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  if (d != NULL)
    g_dir_close (d);
  if (paths->len == 0)
    {
      g_ptr_array_free (paths, TRUE);
      return NULL;
    }
  g_ptr_array_sort (paths, compare_paths_cb);
  g_ptr_array_add (paths, NULL);
  return (GStrv) g_ptr_array_free (paths, FALSE);
}

static gboolean
has_suffix_nocase (const char *path,
                   const char *suffix)
{
  gsize n = strlen (path), m = strlen (suffix);

  return n >= m && g_ascii_strcasecmp (path + n - m, suffix) == 0;
}

typedef enum
{
  FILE_NPY,
  FILE_NOT_NPY,   /* named .npy, without the magic */
  FILE_IDX,
  FILE_NOT_IDX,
  FILE_PNG,
  FILE_BINARY,
  FILE_CSV,
} FileKind;

/* What a file is, from its first bytes (and for .npy its name). */
static FileKind
file_kind (const char *path)
{
  guint8 head[16] = { 0 };
  gsize got = sniff_file (path, head, sizeof head);

  if (got >= 6 && memcmp (head, "\x93NUMPY", 6) == 0)
    return FILE_NPY;
  /* The name promises NumPy: reading the file as CSV instead would only
   * end in a puzzling count of samples. */
  if (has_suffix_nocase (path, ".npy"))
    return FILE_NOT_NPY;
  if (_bsc_idx_sniff (head, got))
    return FILE_IDX;
  /* Named like an MNIST-family file (train-images-idx3-ubyte[.gz]) */
  if (g_str_has_suffix (path, "-ubyte") || g_str_has_suffix (path, "-ubyte.gz")
      || has_suffix_nocase (path, ".idx"))
    return FILE_NOT_IDX;
  if (got >= 8 && memcmp (head, BSC_PNG_SIGNATURE, 8) == 0)
    return FILE_PNG;
  if (memchr (head, '\0', got) != NULL)
    return FILE_BINARY;
  return FILE_CSV;
}

static BscDataset *
load_file (const char           *path,
           const BscLoadOptions *options,
           GError              **error)
{
  g_autofree char *name = g_filename_display_name (path);
  const char *files[] = { path, NULL };

  switch (file_kind (path))
    {
    case FILE_NPY:
      return _bsc_load_npy (path, error);
    case FILE_NOT_NPY:
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA,
                   "%s: offset 0: not a NumPy .npy file (no \\x93NUMPY "
                   "magic)", name);
      return NULL;
    case FILE_IDX:
      return _bsc_load_idx (path, files, options->labels_path == NULL, error);
    case FILE_NOT_IDX:
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA,
                   "%s: offset 0: not an IDX file (an IDX file starts with "
                   "two zero bytes, a type code from 0x08 to 0x0E and the "
                   "number of dimensions)", name);
      return NULL;
    case FILE_PNG:
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG,
                   "%s is a single image: open the folder that holds the "
                   "images", name);
      return NULL;
    case FILE_BINARY:
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA,
                   "%s: offset 0: not a .npy, CSV or IDX file, nor a folder "
                   "of images", name);
      return NULL;
    case FILE_CSV:
    default:
      return _bsc_load_csv (path, options->label_column, error);
    }
}

gboolean
bsc_load_reads_csv (const char *path)
{
  g_return_val_if_fail (path != NULL, FALSE);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR)
         && file_kind (path) == FILE_CSV;
}

static BscDataset *
load_any (const char           *path,
          const BscLoadOptions *options,
          BscProgressFunc       progress,
          gpointer              user_data,
          GCancellable         *cancellable,
          GError              **error)
{
  g_autofree char *name = g_filename_display_name (path);
  g_auto(GStrv) idx = NULL;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      idx = find_idx_images (path);
      if (idx != NULL)
        return _bsc_load_idx (path, (const char * const *) idx,
                              options->labels_path == NULL, error);
      return _bsc_load_images (path, options, progress, user_data,
                               cancellable, error);
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_IO, "%s: no such file or "
                   "folder", name);
      return NULL;
    }
  return load_file (path, options, error);
}

BscDataset *
bsc_load (const char            *path,
          const BscLoadOptions  *options,
          BscProgressFunc        progress,
          gpointer               user_data,
          GCancellable          *cancellable,
          GError               **error)
{
  g_autoptr(BscDataset) ds = NULL;
  BscLoadOptions defaults;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options == NULL)
    {
      bsc_load_options_init (&defaults);
      options = &defaults;
    }
  if (options->image_size == 0)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG,
                   "image size must be at least 1");
      return NULL;
    }
  ds = load_any (path, options, progress, user_data, cancellable, error);
  if (ds == NULL)
    return NULL;
  if (options->labels_path != NULL
      && !_bsc_dataset_load_labels (ds, options->labels_path, error))
    return NULL;
  if (ds->n_samples < 2 || ds->dim == 0)
    {
      g_autofree char *name = g_filename_display_name (path);
      g_set_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW,
                   "%s: %" G_GSIZE_FORMAT " %s of %" G_GSIZE_FORMAT
                   " %s (expected at least 2 samples with values)",
                   name, ds->n_samples, ds->n_samples == 1 ? "sample" : "samples",
                   ds->dim, ds->dim == 1 ? "value" : "values");
      return NULL;
    }
  return g_steal_pointer (&ds);
}

char *
bsc_load_find_sample (void)
{
  const char *env = g_getenv ("BSC_SAMPLE_DIR");
  const char *candidates[] = { PKGDATADIR, SOURCE_DATADIR };
  guint k;

  if (env != NULL && g_file_test (env, G_FILE_TEST_IS_DIR))
    return g_strdup (env);
  for (k = 0; k < G_N_ELEMENTS (candidates); k++)
    {
      char *path = g_build_filename (candidates[k], "sample", NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        return path;
      g_free (path);
    }
  return NULL;
}
