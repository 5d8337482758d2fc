/* bsc-plot-png.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PNG export with text chunks.  Cairo's own PNG writer cannot add tEXt
 * chunks, so the surface is converted to straight (unpremultiplied) RGBA
 * and written with libpng.  ASCII values go in tEXt chunks, others in
 * iTXt (UTF-8).  The file is written under a temporary name beside the
 * target and renamed, so a reader never sees half a PNG.
 */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "bsc-plot.h"

static void
png_error_cb (png_structp     png,
              png_const_charp message)
{
  g_debug ("libpng: %s", message);
  png_longjmp (png, 1);
}

static void
png_warning_cb (png_structp     png,
                png_const_charp message)
{
  g_debug ("libpng warning: %s", message);
}

static void
unpremultiply_row (const guint32 *src,
                   guint8        *dst,
                   int            width,
                   gboolean       has_alpha)
{
  for (int x = 0; x < width; x++)
    {
      guint32 p = src[x];
      guint a = has_alpha ? p >> 24 : 255;
      guint r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;

      if (a != 0 && a != 255)
        {
          r = MIN (255u, (r * 255 + a / 2) / a);
          g = MIN (255u, (g * 255 + a / 2) / a);
          b = MIN (255u, (b * 255 + a / 2) / a);
        }
      dst[4 * x] = r;
      dst[4 * x + 1] = g;
      dst[4 * x + 2] = b;
      dst[4 * x + 3] = a;
    }
}

static gboolean
is_ascii (const char *s)
{
  for (; *s; s++)
    if ((guchar) *s >= 0x80)
      return FALSE;
  return TRUE;
}

static png_text *
make_text (const char * const *keys,
           const char * const *values,
           int                *n_text)
{
  int n = keys ? (int) g_strv_length ((char **) keys) : 0;
  png_text *text = g_new0 (png_text, MAX (n, 1));

  for (int i = 0; i < n; i++)
    {
      text[i].key = (char *) keys[i];
      text[i].text = (char *) values[i];
      text[i].text_length = strlen (values[i]);
      if (is_ascii (values[i]))
        text[i].compression = text[i].text_length > 1024
                              ? PNG_TEXT_COMPRESSION_zTXt
                              : PNG_TEXT_COMPRESSION_NONE;
      else
        text[i].compression = PNG_ITXT_COMPRESSION_NONE;
    }
  *n_text = n;
  return text;
}

typedef struct
{
  png_structp  png;
  png_infop    info;
  guint8      *row;
  png_text    *text;
} PngWriter;

/* Everything libpng touches is in w, so a longjmp leaves nothing behind
 * that the caller cannot free. */
static gboolean
write_stream (PngWriter          *w,
              FILE               *fp,
              cairo_surface_t    *surface,
              const char * const *keys,
              const char * const *values)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  gboolean alpha = cairo_image_surface_get_format (surface)
                   == CAIRO_FORMAT_ARGB32;
  const guint8 *data = cairo_image_surface_get_data (surface);
  int n_text;

  if (setjmp (png_jmpbuf (w->png)))
    return FALSE;
  png_init_io (w->png, fp);
  png_set_IHDR (w->png, w->info, width, height, 8, PNG_COLOR_TYPE_RGB_ALPHA,
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                PNG_FILTER_TYPE_DEFAULT);
  w->text = make_text (keys, values, &n_text);
  if (n_text > 0)
    png_set_text (w->png, w->info, w->text, n_text);
  png_write_info (w->png, w->info);
  w->row = g_malloc ((gsize) width * 4);
  for (int y = 0; y < height; y++)
    {
      unpremultiply_row ((const guint32 *) (data + (gsize) y * stride),
                         w->row, width, alpha);
      png_write_row (w->png, w->row);
    }
  png_write_end (w->png, w->info);
  return TRUE;
}

static gboolean
write_png_file (cairo_surface_t    *surface,
                FILE               *fp,
                const char * const *keys,
                const char * const *values)
{
  PngWriter w = { 0 };
  gboolean ok;

  w.png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL,
                                   png_error_cb, png_warning_cb);
  if (w.png == NULL)
    return FALSE;
  w.info = png_create_info_struct (w.png);
  ok = w.info != NULL && write_stream (&w, fp, surface, keys, values);
  png_destroy_write_struct (&w.png, &w.info);
  g_free (w.row);
  g_free (w.text);
  return ok;
}

gboolean
bsc_plot_write_png (cairo_surface_t    *surface,
                    const char         *path,
                    const char * const *keys,
                    const char * const *values,
                    GError            **error)
{
  g_autofree char *tmp = NULL;
  cairo_format_t format;
  FILE *fp;
  int fd;
  gboolean ok;

  g_return_val_if_fail (surface != NULL && path != NULL, FALSE);
  g_return_val_if_fail ((keys == NULL) == (values == NULL), FALSE);

  format = cairo_image_surface_get_format (surface);
  if (format != CAIRO_FORMAT_ARGB32 && format != CAIRO_FORMAT_RGB24)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "Cannot write %s: the surface is not ARGB32 or RGB24", path);
      return FALSE;
    }
  cairo_surface_flush (surface);
  tmp = g_strconcat (path, ".XXXXXX", NULL);
  fd = g_mkstemp_full (tmp, O_WRONLY, 0666);
  if (fd < 0 || (fp = fdopen (fd, "wb")) == NULL)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot write %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  /* A failed fwrite (a full disk) leaves its errno: say that, not only
   * that the encoding stopped. */
  errno = 0;
  ok = write_png_file (surface, fp, keys, values);
  ok = (fclose (fp) == 0) && ok;
  if (ok && g_rename (tmp, path) == 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               "Cannot write %s: %s", path,
               ok || errno != 0 ? g_strerror (errno) : "PNG encoding failed");
  g_unlink (tmp);
  return FALSE;
}

gboolean
bsc_plot_export_png (BscPlotDrawFunc     draw_func,
                     gpointer            user_data,
                     int                 width,
                     int                 height,
                     double              scale,
                     const char         *path,
                     const char * const *keys,
                     const char * const *values,
                     GError            **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  gboolean ok;

  g_return_val_if_fail (draw_func != NULL && width > 0 && height > 0, FALSE);

  scale = scale > 0 ? scale : 1;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                        (int) ceil (width * scale),
                                        (int) ceil (height * scale));
  cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  draw_func (cr, width, height, user_data);
  cairo_destroy (cr);
  ok = bsc_plot_write_png (surface, path, keys, values, error);
  cairo_surface_destroy (surface);
  return ok;
}

typedef struct
{
  png_structp  png;
  png_infop    info;
} PngReader;

static gboolean
read_text (PngReader  *r,
           FILE       *fp,
           GHashTable *table)
{
  png_textp text;
  int n = 0;

  if (setjmp (png_jmpbuf (r->png)))
    return FALSE;
  png_init_io (r->png, fp);
  png_read_png (r->png, r->info, PNG_TRANSFORM_IDENTITY, NULL);
  png_get_text (r->png, r->info, &text, &n);
  for (int i = 0; i < n; i++)
    {
      char *value = text[i].compression >= PNG_ITXT_COMPRESSION_NONE
                    || g_utf8_validate (text[i].text, -1, NULL)
                    ? g_strdup (text[i].text)
                    : g_convert (text[i].text, -1, "UTF-8", "ISO-8859-1",
                                 NULL, NULL, NULL);

      g_hash_table_insert (table, g_strdup (text[i].key), value);
    }
  return TRUE;
}

GHashTable *
bsc_plot_read_png_text (const char  *path,
                        GError     **error)
{
  PngReader r = { 0 };
  GHashTable *table;
  FILE *fp;
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);

  fp = g_fopen (path, "rb");
  if (fp == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot read %s: %s", path, g_strerror (saved));
      return NULL;
    }
  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  r.png = png_create_read_struct (PNG_LIBPNG_VER_STRING, NULL,
                                  png_error_cb, png_warning_cb);
  r.info = r.png ? png_create_info_struct (r.png) : NULL;
  ok = r.info != NULL && read_text (&r, fp, table);
  png_destroy_read_struct (&r.png, &r.info, NULL);
  fclose (fp);
  if (ok)
    return table;
  g_hash_table_unref (table);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "Cannot read %s: not a valid PNG file", path);
  return NULL;
}
