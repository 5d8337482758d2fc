/* bsc-load-images.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Image folders.  A walk collects every regular file below the root in
 * sorted path order, following links but entering no folder twice (folders
 * are identified by device and inode).  Worker threads then decode the
 * files (libpng for PNG, gdk-pixbuf for anything else, chosen by the first
 * bytes), composite transparency over mid gray, crop the central square
 * and area-average it to the training size S (S x S x C uint8) and, when
 * the image has more detail than S, to a thumbnail of at most thumb_size.
 * Grayscale or RGB is decided after all files are decoded: RGB when any
 * image has a pixel with R, G and B not all equal.  The area average of an
 * output pixel is the mean of the source pixels it covers, each weighted by
 * the fraction of it that lies inside (also used to enlarge thumbnails).
 */

#include "config.h"

#include "bsc-load-private.h"
#include "bsc-error.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#define GRAY_BACKGROUND 128
#define SMALL_FILE (8 << 20)
#define PROGRESS_EVERY 64

typedef struct
{
  char  *path;       /* filename encoding */
  char  *relpath;    /* relative to the root, filename encoding */
  int    top;        /* index of the first-level folder, -1 in the root */
} Entry;

typedef struct
{
  char   *reason;    /* why the file was skipped, or NULL */
  guint8 *rgb;       /* S x S x 3 when the image has colour (mode -1) */
  guint8 *thumb;     /* side x side x thumb_channels, or NULL */
  guint16 thumb_side;
  guint8  thumb_channels;
  guint8  colour;
} Result;

typedef struct
{
  const BscLoadOptions *options;
  GPtrArray    *entries;     /* of Entry * */
  GPtrArray    *top_names;   /* first-level folder names */
  GHashTable   *visited;     /* of "dev:inode" */
  BscDataset   *ds;
  GCancellable *cancellable;
  BscProgressFunc progress;  /* (found, 0) now and then, or NULL */
  gpointer      user_data;
} Walk;

/* Files found before the walk says how many so far. */
#define WALK_PROGRESS_EVERY 256

typedef struct
{
  const BscLoadOptions *options;
  GPtrArray       *entries;
  Result          *results;
  guint8          *samples;  /* n x S x S x (mode 1 ? 3 : 1) */
  guint            size;     /* S */
  int              mode;     /* -1 choose, 0 gray, 1 RGB */
  gsize            max_pixels;
  gint             next;
  gint             done;
  GMutex           progress_lock;
  BscProgressFunc  progress;
  gpointer         user_data;
  GCancellable    *cancellable;
} Decode;

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->path);
  g_free (entry->relpath);
  g_free (entry);
}

/* ---- walk ------------------------------------------------------------ */

/* Hidden files, documentation and build files beside the images (the
 * bundled sample has a LICENSE, a README and a meson.build) are not worth
 * a line in the skipped list. */
static gboolean
name_is_ignored (const char *name)
{
  static const char *docs[] = { "license", "licence", "readme", "copying" };
  guint k;

  if (name[0] == '.' || strcmp (name, "meson.build") == 0)
    return TRUE;
  for (k = 0; k < G_N_ELEMENTS (docs); k++)
    if (g_ascii_strncasecmp (name, docs[k], strlen (docs[k])) == 0)
      return TRUE;
  return FALSE;
}

static int
compare_names_cb (gconstpointer a,
                  gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static GPtrArray *
list_sorted (const char *dir,
             Walk       *walk)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GDir *d = g_dir_open (dir, 0, &error);
  const char *name;

  if (d == NULL)
    {
      /* GLib's message names the folder again: the system's reason */
      int err = g_access (dir, R_OK | X_OK) != 0 ? errno : 0;
      g_autofree char *reason = g_strdup_printf ("cannot open folder: %s",
                                                 err ? g_strerror (err)
                                                     : error->message);
      bsc_dataset_add_skipped (walk->ds, dir, reason);
      return names;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    if (!name_is_ignored (name))
      g_ptr_array_add (names, g_strdup (name));
  g_dir_close (d);
  g_ptr_array_sort (names, compare_names_cb);
  return names;
}

/* Why path cannot be followed, after stat() failed with saved_errno. */
static char *
stat_failure (const char *path,
              int         saved_errno)
{
  struct stat lst;

  if (saved_errno == ELOOP)
    return g_strdup ("symbolic link loop");
  if (lstat (path, &lst) == 0 && S_ISLNK (lst.st_mode)
      && saved_errno == ENOENT)
    return g_strdup ("broken symbolic link");
  return g_strdup_printf ("cannot read: %s", g_strerror (saved_errno));
}

/* TRUE the first time a folder is seen. */
static gboolean
mark_visited (Walk              *walk,
              const struct stat *st)
{
  char *key = g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT,
                               (guint64) st->st_dev, (guint64) st->st_ino);

  if (g_hash_table_contains (walk->visited, key))
    {
      g_free (key);
      return FALSE;
    }
  g_hash_table_add (walk->visited, key);
  return TRUE;
}

static void walk_dir (Walk       *walk,
                      const char *dir,
                      const char *rel,
                      int         top);

static void
walk_child (Walk       *walk,
            const char *path,
            const char *rel,
            int         top,
            int         depth_top)
{
  struct stat st;

  if (stat (path, &st) != 0)
    {
      g_autofree char *reason = stat_failure (path, errno);
      bsc_dataset_add_skipped (walk->ds, path, reason);
    }
  else if (S_ISDIR (st.st_mode))
    {
      if (!mark_visited (walk, &st))
        bsc_dataset_add_skipped (walk->ds, path, "folder already searched "
                                 "(a link leads to it twice)");
      else
        walk_dir (walk, path, rel, depth_top);
    }
  else if (!S_ISREG (st.st_mode))
    bsc_dataset_add_skipped (walk->ds, path, "not a regular file");
  else if (st.st_size == 0)
    bsc_dataset_add_skipped (walk->ds, path, "empty file");
  else
    {
      Entry *entry = g_new0 (Entry, 1);
      entry->path = g_strdup (path);
      entry->relpath = g_strdup (rel);
      entry->top = top;
      g_ptr_array_add (walk->entries, entry);
      if (walk->progress != NULL
          && walk->entries->len % WALK_PROGRESS_EVERY == 0)
        walk->progress (walk->entries->len, 0, walk->user_data);
    }
}

/* TRUE when path is a metrics file bootsc wrote: a JSON object whose
 * "config" holds bootsc's own keys (a collection may hold a metrics.json
 * of its own). */
static gboolean
is_bootsc_metrics (const char *path)
{
  g_autofree char *text = NULL;
  gsize length;

  if (!g_file_get_contents (path, &text, &length, NULL) || length > (1 << 20))
    return FALSE;
  return strstr (text, "\"config\"") != NULL
         && strstr (text, "\"sk_iterations\"") != NULL
         && strstr (text, "\"embed_dim\"") != NULL;
}

/* Why dir is not searched (bsc-load.h), or NULL. */
static const char *
results_folder (const char *dir)
{
  static const char *const marks[][2] = {
    { "metrics.json", "bootsc results (metrics.json), not searched" },
    { "failed-metrics.json", "bootsc results (failed-metrics.json), not searched" },
    { BSC_CLUSTERS_MARK, "clusters exported by bootsc (" BSC_CLUSTERS_MARK
      "), not searched" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (marks); i++)
    {
      g_autofree char *path = g_build_filename (dir, marks[i][0], NULL);

      if (i < 2 ? is_bootsc_metrics (path)
                : g_file_test (path, G_FILE_TEST_EXISTS))
        return marks[i][1];
    }
  return NULL;
}

/* top: the first-level folder index of everything below dir, or -2 when
 * dir is the root (its folders start new labels). */
static void
walk_dir (Walk       *walk,
          const char *dir,
          const char *rel,
          int         top)
{
  g_autoptr(GPtrArray) names = list_sorted (dir, walk);
  guint k;

  for (k = 0; k < names->len; k++)
    {
      const char *name = g_ptr_array_index (names, k);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *child_rel = rel[0] ? g_build_filename (rel, name, NULL)
                                          : g_strdup (name);
      int child_top = top;

      const char *why;

      if (g_cancellable_is_cancelled (walk->cancellable))
        return;
      if (g_file_test (path, G_FILE_TEST_IS_DIR)
          && (why = results_folder (path)) != NULL)
        {
          bsc_dataset_add_passed_over (walk->ds, path, why);
          continue;
        }
      if (top == -2)
        {
          child_top = walk->top_names->len;
          if (g_file_test (path, G_FILE_TEST_IS_DIR))
            g_ptr_array_add (walk->top_names, g_strdup (name));
          else
            child_top = -1;
        }
      walk_child (walk, path, child_rel, top == -2 ? -1 : top, child_top);
    }
}

/* ---- pixels ---------------------------------------------------------- */

/* Area weights from a source axis of length s to n outputs: output j
 * covers [j s / n, (j + 1) s / n); taps[j] source pixels from first[j],
 * with weights summing to 1, stored at weights[j * max_taps]. */
typedef struct
{
  guint  n;
  guint  max_taps;
  guint *first;
  guint *taps;
  float *weights;
} AxisWeights;

static void
axis_weights_init (AxisWeights *aw,
                   guint        s,
                   guint        n)
{
  guint j;

  aw->n = n;
  aw->max_taps = s / n + 2;
  aw->first = g_new (guint, n);
  aw->taps = g_new (guint, n);
  aw->weights = g_new0 (float, (gsize) n * aw->max_taps);
  for (j = 0; j < n; j++)
    {
      double lo = (double) j * s / n, hi = (double) (j + 1) * s / n;
      guint k = (guint) floor (lo), t = 0;

      aw->first[j] = k;
      for (; k < s && k < hi; k++, t++)
        aw->weights[j * aw->max_taps + t] =
          (float) ((MIN (hi, k + 1.0) - MAX (lo, (double) k)) / (hi - lo));
      g_assert (t <= aw->max_taps);
      aw->taps[j] = t;
    }
}

static void
axis_weights_clear (AxisWeights *aw)
{
  g_free (aw->first);
  g_free (aw->taps);
  g_free (aw->weights);
}

/* Resamples the s x s square at (x0, y0) of src (width w, c channels,
 * row-major, uint8) to n x n x c in dst by area averaging: first along
 * rows into a float s x n x c buffer, then along columns. */
static void
resize_area (const guint8 *src,
             guint         w,
             guint         c,
             guint         x0,
             guint         y0,
             guint         s,
             guint8       *dst,
             guint         n)
{
  g_autofree float *tmp = NULL;
  AxisWeights aw;
  guint y, j, i, ch, t;

  if (s == n)
    {
      for (y = 0; y < n; y++)
        memcpy (dst + (gsize) y * n * c,
                src + ((gsize) (y0 + y) * w + x0) * c, (gsize) n * c);
      return;
    }
  axis_weights_init (&aw, s, n);
  tmp = g_new0 (float, (gsize) s * n * c);
  for (y = 0; y < s; y++)
    {
      const guint8 *row = src + ((gsize) (y0 + y) * w + x0) * c;
      for (j = 0; j < n; j++)
        for (t = 0; t < aw.taps[j]; t++)
          for (ch = 0; ch < c; ch++)
            tmp[((gsize) y * n + j) * c + ch] +=
              aw.weights[j * aw.max_taps + t] * row[(aw.first[j] + t) * c + ch];
    }
  for (i = 0; i < n; i++)
    for (j = 0; j < (gsize) n * c; j++)
      {
        float v = 0.5f;
        for (t = 0; t < aw.taps[i]; t++)
          v += aw.weights[i * aw.max_taps + t]
               * tmp[(gsize) (aw.first[i] + t) * n * c + j];
        dst[(gsize) i * n * c + j] = (guint8) CLAMP (v, 0.0f, 255.0f);
      }
  axis_weights_clear (&aw);
}

/* Composites alpha over mid gray in place: 2 -> 1 or 4 -> 3 channels. */
static void
flatten_alpha (BscImage *image)
{
  guint c = image->channels, out_c = c - 1;
  gsize n = (gsize) image->width * image->height, i;
  guint ch;

  if (c != 2 && c != 4)
    return;
  for (i = 0; i < n; i++)
    {
      const guint8 *p = image->data + i * c;
      guint a = p[out_c];
      for (ch = 0; ch < out_c; ch++)
        image->data[i * out_c + ch] =
          (guint8) ((p[ch] * a + GRAY_BACKGROUND * (255 - a) + 127) / 255);
    }
  image->channels = out_c;
}

/* An RGB image whose pixels are all gray becomes 1 channel; returns
 * whether the image has colour. */
static gboolean
reduce_gray (BscImage *image)
{
  gsize n = (gsize) image->width * image->height, i;
  const guint8 *p = image->data;

  if (image->channels == 1)
    return FALSE;
  for (i = 0; i < n; i++, p += 3)
    if (p[0] != p[1] || p[1] != p[2])
      return TRUE;
  for (i = 0; i < n; i++)
    image->data[i] = image->data[i * 3];
  image->channels = 1;
  return FALSE;
}

/* ITU-R BT.601 luma of n RGB pixels, or a copy when already gray. */
static void
to_gray (const guint8 *src,
         guint         c,
         gsize         n,
         guint8       *dst)
{
  gsize i;

  if (c == 1)
    {
      memcpy (dst, src, n);
      return;
    }
  for (i = 0; i < n; i++, src += 3)
    dst[i] = (guint8) ((299 * src[0] + 587 * src[1] + 114 * src[2] + 500)
                       / 1000);
}

static void
to_rgb (const guint8 *src,
        guint         c,
        gsize         n,
        guint8       *dst)
{
  gsize i;

  if (c == 3)
    {
      memcpy (dst, src, n * 3);
      return;
    }
  for (i = 0; i < n; i++)
    dst[3 * i] = dst[3 * i + 1] = dst[3 * i + 2] = src[i];
}

/* ---- decoding -------------------------------------------------------- */

typedef struct
{
  gsize    max_pixels;
  guint    need;        /* the short side needed: 2 x max (S, thumb) */
  gboolean too_large;
  char    *reason;
} PixbufCheck;

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  PixbufCheck *check = user_data;
  int side = MIN (width, height);

  if (width > 0 && height > 0
      && (guint64) width * height <= check->max_pixels)
    {
      /* A large photo is decoded smaller (JPEG scales while decoding);
       * the area average does the rest. */
      if (side > (int) check->need * 2)
        gdk_pixbuf_loader_set_size (loader,
                                    MAX (1, (int) ((gint64) width * check->need / side)),
                                    MAX (1, (int) ((gint64) height * check->need / side)));
      return;
    }
  check->too_large = TRUE;
  check->reason = g_strdup_printf ("image is %d x %d, more than the limit of "
                                   "%" G_GSIZE_FORMAT " pixels", width,
                                   height, check->max_pixels);
  gdk_pixbuf_loader_set_size (loader, 1, 1);
}

static gboolean
pixbuf_to_image (GdkPixbuf *pixbuf,
                 BscImage  *image)
{
  g_autoptr(GdkPixbuf) oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  guint c = gdk_pixbuf_get_n_channels (oriented);
  guint w = gdk_pixbuf_get_width (oriented), h = gdk_pixbuf_get_height (oriented);
  gsize stride = gdk_pixbuf_get_rowstride (oriented), y;
  const guint8 *src = gdk_pixbuf_read_pixels (oriented);

  if (gdk_pixbuf_get_bits_per_sample (oriented) != 8 || (c != 3 && c != 4))
    return FALSE;
  image->width = w;
  image->height = h;
  image->channels = c;
  image->data = g_malloc ((gsize) w * h * c);
  for (y = 0; y < h; y++)
    memcpy (image->data + y * w * c, src + y * stride, (gsize) w * c);
  return TRUE;
}

/* Any format gdk-pixbuf knows, fed in chunks so a header announcing too
 * many pixels stops the decode early. */
static gboolean
decode_pixbuf (const guint8 *bytes,
               gsize         size,
               gsize         max_pixels,
               guint         need,
               BscImage     *image,
               char        **reason)
{
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr(GError) error = NULL;
  PixbufCheck check = { max_pixels, need, FALSE, NULL };
  gsize pos = 0, chunk = 65536;

  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb),
                    &check);
  while (pos < size && !check.too_large && error == NULL)
    {
      gsize len = MIN (chunk, size - pos);
      gdk_pixbuf_loader_write (loader, bytes + pos, len, &error);
      pos += len;
    }
  if (error == NULL && !check.too_large)
    gdk_pixbuf_loader_close (loader, &error);
  else
    gdk_pixbuf_loader_close (loader, NULL);

  if (check.too_large)
    *reason = g_steal_pointer (&check.reason);
  else if (error != NULL && g_error_matches (error, GDK_PIXBUF_ERROR,
                                             GDK_PIXBUF_ERROR_UNKNOWN_TYPE))
    *reason = g_strdup ("not an image (unknown format)");
  else if (error != NULL)
    *reason = g_strdup_printf ("damaged image: %s", error->message);
  else if (!pixbuf_to_image (gdk_pixbuf_loader_get_pixbuf (loader), image))
    *reason = g_strdup ("unsupported pixel format");
  g_free (check.reason);
  return *reason == NULL;
}

/* Reads path into *buf (grown as needed) or maps it when large. */
static const guint8 *
read_file (const char   *path,
           GByteArray   *buf,
           GMappedFile **map,
           gsize        *size,
           char        **reason)
{
  struct stat st;
  gsize got = 0;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0 || fstat (fd, &st) != 0)
    {
      *reason = g_strdup_printf ("cannot read: %s", g_strerror (errno));
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  if (st.st_size > SMALL_FILE)
    {
      *map = g_mapped_file_new_from_fd (fd, FALSE, NULL);
      close (fd);
      if (*map == NULL)
        *reason = g_strdup ("cannot map the file");
      *size = *map ? g_mapped_file_get_length (*map) : 0;
      return *map ? (const guint8 *) g_mapped_file_get_contents (*map) : NULL;
    }
  g_byte_array_set_size (buf, st.st_size);
  while (got < (gsize) st.st_size)
    {
      gssize r = read (fd, buf->data + got, st.st_size - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          *reason = r < 0 ? g_strdup_printf ("cannot read: %s", g_strerror (errno))
                          : g_strdup ("file shrank while reading");
          close (fd);
          return NULL;
        }
      got += r;
    }
  close (fd);
  *size = got;
  return buf->data;
}

/* libjpeg fills a truncated JPEG with gray and only warns: require the
 * end-of-image marker after the last start-of-scan (an embedded EXIF
 * thumbnail has its own pair, before the main scan). */
static gboolean
jpeg_truncated (const guint8 *bytes,
                gsize         size)
{
  gsize i = size;

  if (size < 4 || bytes[0] != 0xff || bytes[1] != 0xd8)
    return FALSE;
  while (i-- > 1)
    if (bytes[i - 1] == 0xff && (bytes[i] == 0xd9 || bytes[i] == 0xda))
      return bytes[i] == 0xda;
  return TRUE;
}

static gboolean
decode_file (const char *path,
             gsize       max_pixels,
             guint       need,
             GByteArray *buf,
             BscImage   *image,
             char      **reason)
{
  g_autoptr(GMappedFile) map = NULL;
  gsize size = 0;
  const guint8 *bytes = read_file (path, buf, &map, &size, reason);

  if (bytes == NULL)
    return FALSE;
  if (size == 0)
    {
      *reason = g_strdup ("empty file");
      return FALSE;
    }
  if (size >= 8 && memcmp (bytes, BSC_PNG_SIGNATURE, 8) == 0)
    return _bsc_png_decode (bytes, size, max_pixels, image, reason);
  if (jpeg_truncated (bytes, size))
    {
      *reason = g_strdup ("damaged JPEG: file is truncated");
      return FALSE;
    }
  return decode_pixbuf (bytes, size, max_pixels, need, image, reason);
}

/* Turns a decoded image into the sample (and thumbnail) of entry i. */
static void
make_sample (Decode   *dec,
             gsize     i,
             BscImage *image)
{
  Result *res = &dec->results[i];
  guint S = dec->size, T = dec->options->thumb_size;
  guint side = MIN (image->width, image->height);
  guint x0 = (image->width - side) / 2, y0 = (image->height - side) / 2;
  guint c = image->channels;
  gsize n = (gsize) S * S;
  g_autofree guint8 *small = g_malloc (n * c);

  resize_area (image->data, image->width, c, x0, y0, side, small, S);
  res->colour = c == 3;
  if (dec->mode == 1)
    to_rgb (small, c, n, dec->samples + i * n * 3);
  else
    to_gray (small, c, n, dec->samples + i * n);
  if (dec->mode == -1 && c == 3)
    res->rgb = g_steal_pointer (&small);

  if (side > S && T > 0)
    {
      res->thumb_side = MIN (T, side);
      res->thumb_channels = c;
      res->thumb = g_malloc ((gsize) res->thumb_side * res->thumb_side * c);
      resize_area (image->data, image->width, c, x0, y0, side, res->thumb,
                   res->thumb_side);
    }
}

static void
decode_one (Decode     *dec,
            gsize       i,
            GByteArray *buf)
{
  Entry *entry = g_ptr_array_index (dec->entries, i);
  guint need = 2 * MAX (dec->size, dec->options->thumb_size);
  BscImage image = { 0 };
  char *reason = NULL;

  if (!decode_file (entry->path, dec->max_pixels, need, buf, &image, &reason))
    {
      dec->results[i].reason = reason ? reason : g_strdup ("unusable");
      return;
    }
  flatten_alpha (&image);
  reduce_gray (&image);
  make_sample (dec, i, &image);
  g_free (image.data);
}

static gpointer
decode_worker (gpointer data)
{
  Decode *dec = data;
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  gsize n = dec->entries->len;

  for (;;)
    {
      gsize i = (gsize) g_atomic_int_add (&dec->next, 1);
      gsize done;

      if (i >= n || g_cancellable_is_cancelled (dec->cancellable))
        break;
      decode_one (dec, i, buf);
      done = (gsize) g_atomic_int_add (&dec->done, 1) + 1;
      if (dec->progress != NULL && (done % PROGRESS_EVERY == 0 || done == n))
        {
          g_mutex_lock (&dec->progress_lock);
          dec->progress (done, n, dec->user_data);
          g_mutex_unlock (&dec->progress_lock);
        }
    }
  return NULL;
}

static void
decode_all (Decode *dec,
            guint   threads)
{
  g_autoptr(GPtrArray) workers = g_ptr_array_new ();
  guint t;

  threads = MAX (1, MIN (threads, dec->entries->len));
  for (t = 1; t < threads; t++)
    g_ptr_array_add (workers, g_thread_new ("bsc-decode", decode_worker, dec));
  decode_worker (dec);
  for (t = 0; t < workers->len; t++)
    g_thread_join (g_ptr_array_index (workers, t));
}

/* ---- assembly -------------------------------------------------------- */

/* The kept samples in final form: channels C, compacted in order. */
static void
assemble_pixels (Decode     *dec,
                 BscDataset *ds,
                 GArray     *kept)
{
  gsize n = (gsize) dec->size * dec->size, k;
  gboolean colour = FALSE;

  for (k = 0; k < kept->len; k++)
    colour |= dec->results[g_array_index (kept, guint, k)].colour;
  ds->channels = dec->mode == 1 || (dec->mode == -1 && colour) ? 3 : 1;
  ds->width = ds->height = dec->size;
  ds->dim = n * ds->channels;

  if (dec->mode == -1 && ds->channels == 3)
    {
      ds->pixels = g_malloc (MAX (kept->len, 1) * n * 3);
      for (k = 0; k < kept->len; k++)
        {
          guint i = g_array_index (kept, guint, k);
          const guint8 *rgb = dec->results[i].rgb;
          to_rgb (rgb ? rgb : dec->samples + i * n, rgb ? 3 : 1, n,
                  ds->pixels + k * n * 3);
        }
      return;
    }
  for (k = 0; k < kept->len; k++)
    memmove (dec->samples + k * ds->dim,
             dec->samples + g_array_index (kept, guint, k) * ds->dim, ds->dim);
  ds->pixels = g_realloc (g_steal_pointer (&dec->samples),
                          MAX (kept->len, 1) * ds->dim);
}

/* Thumbnails: the samples themselves when no image had more detail than
 * S, else every image at the largest thumbnail side made. */
static void
assemble_thumbs (Decode     *dec,
                 BscDataset *ds,
                 GArray     *kept)
{
  guint T = 0, C = ds->channels;
  gsize k, tn;

  for (k = 0; k < kept->len; k++)
    T = MAX (T, dec->results[g_array_index (kept, guint, k)].thumb_side);
  if (T == 0)
    {
      ds->thumbs = ds->pixels;
      ds->thumb_size = ds->width;
      ds->thumb_channels = C;
      return;
    }
  tn = (gsize) T * T;
  ds->thumb_size = T;
  ds->thumb_channels = C;
  ds->thumbs = g_malloc (kept->len * tn * C);
  for (k = 0; k < kept->len; k++)
    {
      Result *res = &dec->results[g_array_index (kept, guint, k)];
      const guint8 *src = res->thumb ? res->thumb : ds->pixels + k * ds->dim;
      guint side = res->thumb ? res->thumb_side : ds->width;
      guint c = res->thumb ? res->thumb_channels : C;
      g_autofree guint8 *tmp = g_malloc (tn * c);

      resize_area (src, side, c, 0, 0, side, tmp, T);
      if (C == 3)
        to_rgb (tmp, c, tn, ds->thumbs + k * tn * 3);
      else
        to_gray (tmp, c, tn, ds->thumbs + k * tn);
    }
}

/* ImageFolder labels: the first-level folder of each kept image, unless
 * some image lies directly in the root. */
static void
assemble_labels (Walk       *walk,
                 BscDataset *ds,
                 GArray     *kept)
{
  g_autofree int *class_of_top = NULL;
  guint k, t;

  if (walk->top_names->len == 0)
    return;
  for (k = 0; k < kept->len; k++)
    {
      Entry *e = g_ptr_array_index (walk->entries, g_array_index (kept, guint, k));
      if (e->top < 0)
        return;
    }
  class_of_top = g_new (int, walk->top_names->len);
  for (t = 0; t < walk->top_names->len; t++)
    class_of_top[t] = -1;
  ds->labels = g_new (gint32, MAX (kept->len, 1));
  for (k = 0; k < kept->len; k++)
    {
      Entry *e = g_ptr_array_index (walk->entries, g_array_index (kept, guint, k));
      if (class_of_top[e->top] < 0)
        class_of_top[e->top] = 0;   /* used; numbered below in order */
    }
  for (t = 0; t < walk->top_names->len; t++)
    if (class_of_top[t] == 0)
      {
        class_of_top[t] = ds->n_classes++;
        g_ptr_array_add (ds->class_names, g_filename_display_name (
                           g_ptr_array_index (walk->top_names, t)));
      }
  for (k = 0; k < kept->len; k++)
    {
      Entry *e = g_ptr_array_index (walk->entries, g_array_index (kept, guint, k));
      ds->labels[k] = class_of_top[e->top];
    }
}

static void
assemble_names (Walk       *walk,
                Decode     *dec,
                BscDataset *ds,
                GArray     *kept)
{
  guint k;

  ds->paths = g_ptr_array_new_full (kept->len, g_free);
  ds->display_names = g_ptr_array_new_full (kept->len, g_free);
  for (k = 0; k < kept->len; k++)
    {
      Entry *e = g_ptr_array_index (walk->entries, g_array_index (kept, guint, k));
      g_ptr_array_add (ds->paths, g_strdup (e->path));
      g_ptr_array_add (ds->display_names, g_filename_display_name (e->relpath));
    }
}

static GArray *
collect_results (Walk   *walk,
                 Decode *dec)
{
  GArray *kept = g_array_new (FALSE, FALSE, sizeof (guint));
  guint i;

  for (i = 0; i < walk->entries->len; i++)
    {
      Result *res = &dec->results[i];
      Entry *e = g_ptr_array_index (walk->entries, i);

      if (res->reason != NULL)
        bsc_dataset_add_skipped (walk->ds, e->path, res->reason);
      else
        g_array_append_val (kept, i);
    }
  return kept;
}

static void
decode_clear (Decode *dec)
{
  guint i;

  for (i = 0; i < dec->entries->len; i++)
    {
      g_free (dec->results[i].reason);
      g_free (dec->results[i].rgb);
      g_free (dec->results[i].thumb);
    }
  g_free (dec->results);
  g_free (dec->samples);
  g_mutex_clear (&dec->progress_lock);
}

/* The first SKIPPED_SHOWN skipped files with their reasons, one a line
 * after a colon, then "and N more"; "" when none was skipped. */
#define SKIPPED_SHOWN 20

static char *
skipped_list (const BscDataset *ds)
{
  GString *out = g_string_new (NULL);
  guint n = ds->skipped->len;

  for (guint k = 0; k < MIN (n, SKIPPED_SHOWN); k++)
    {
      const BscSkipped *s = g_ptr_array_index (ds->skipped, k);
      g_autofree char *path = g_filename_display_name (s->path);

      g_string_append_printf (out, "%s\n  %s: %s", k == 0 ? ":" : "", path,
                              s->reason);
    }
  if (n > SKIPPED_SHOWN)
    g_string_append_printf (out, "\n  and %u more", n - SKIPPED_SHOWN);
  return g_string_free (out, FALSE);
}

static gboolean
check_result (BscDataset   *ds,
              GCancellable *cancellable,
              GError      **error)
{
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_CANCELLED,
                   "%s: loading was cancelled", ds->source);
      return FALSE;
    }
  if (ds->n_samples < 2)
    {
      g_autofree char *name = g_filename_display_name (ds->source);
      g_autofree char *list = skipped_list (ds);

      g_set_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW,
                   "%s: %" G_GSIZE_FORMAT " usable image%s found (at least 2 "
                   "needed); %u file%s skipped%s", name, ds->n_samples,
                   ds->n_samples == 1 ? "" : "s", ds->skipped->len,
                   ds->skipped->len == 1 ? "" : "s", list);
      return FALSE;
    }
  return TRUE;
}

static void
walk_root (Walk       *walk,
           const char *path)
{
  struct stat st;

  if (stat (path, &st) == 0)
    mark_visited (walk, &st);
  walk_dir (walk, path, "", -2);
}

BscDataset *
_bsc_load_images (const char           *path,
                  const BscLoadOptions *options,
                  BscProgressFunc       progress,
                  gpointer              user_data,
                  GCancellable         *cancellable,
                  GError              **error)
{
  g_autoptr(BscDataset) ds = bsc_dataset_new (BSC_SOURCE_IMAGES, path);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (entry_free);
  g_autoptr(GPtrArray) tops = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) visited = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                         g_free, NULL);
  Walk walk = { options, entries, tops, visited, ds, cancellable, progress,
                user_data };
  Decode dec = { 0 };
  g_autoptr(GArray) kept = NULL;
  gsize n;

  walk_root (&walk, path);
  dec.options = options;
  dec.entries = entries;
  dec.size = options->image_size;
  dec.mode = options->image_rgb < 0 ? -1 : options->image_rgb > 0;
  dec.max_pixels = options->max_pixels ? options->max_pixels
                                       : BSC_DEFAULT_MAX_PIXELS;
  dec.results = g_new0 (Result, MAX (entries->len, 1));
  n = (gsize) dec.size * dec.size * (dec.mode == 1 ? 3 : 1);
  dec.samples = g_malloc (MAX (entries->len, 1) * n);
  dec.progress = progress;
  dec.user_data = user_data;
  dec.cancellable = cancellable;
  g_mutex_init (&dec.progress_lock);

  if (!g_cancellable_is_cancelled (cancellable))
    decode_all (&dec, options->threads ? options->threads
                                       : g_get_num_processors ());
  kept = collect_results (&walk, &dec);
  ds->n_samples = kept->len;
  assemble_pixels (&dec, ds, kept);
  assemble_thumbs (&dec, ds, kept);
  assemble_labels (&walk, ds, kept);
  assemble_names (&walk, &dec, ds, kept);
  decode_clear (&dec);

  if (!check_result (ds, cancellable, error))
    return NULL;
  return g_steal_pointer (&ds);
}
