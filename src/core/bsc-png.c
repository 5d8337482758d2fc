/* bsc-png.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PNG decoding and writing through libpng.  Decoding reads from memory,
 * expands palettes, low bit depths and tRNS transparency, scales 16-bit
 * samples to 8 and undoes interlacing, all through png_set_* transforms, so
 * every colour type comes out as 8-bit gray, gray+alpha, RGB or RGBA.
 * Errors inside libpng long-jump back here and become a reason string: a
 * damaged file never takes the process down.  Gamma and colour profiles
 * are ignored: samples are the stored values.
 */

#include "config.h"

#include "bsc-load-private.h"
#include "bsc-error.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

typedef struct
{
  const guint8 *bytes;
  gsize         size;
  gsize         pos;
  png_bytep    *rows;        /* freed by the caller, also after a jump */
  char          message[200];
} PngSource;

static void
png_error_cb (png_structp      png,
              png_const_charp  message)
{
  PngSource *src = png_get_error_ptr (png);

  g_strlcpy (src->message, message, sizeof src->message);
  png_longjmp (png, 1);
}

static void
png_warning_cb (png_structp      png,
                png_const_charp  message)
{
}

static void
png_read_cb (png_structp  png,
             png_bytep    out,
             png_size_t   length)
{
  PngSource *src = png_get_io_ptr (png);

  if (length > src->size - src->pos)
    png_error (png, "file is truncated");
  memcpy (out, src->bytes + src->pos, length);
  src->pos += length;
}

/* Sets the transforms that reduce any PNG to 8-bit 1-4 channels. */
static void
png_setup_transforms (png_structp png,
                      png_infop   info)
{
  int color_type = png_get_color_type (png, info);
  int depth = png_get_bit_depth (png, info);

  if (color_type == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb (png);
  if (color_type == PNG_COLOR_TYPE_GRAY && depth < 8)
    png_set_expand_gray_1_2_4_to_8 (png);
  if (png_get_valid (png, info, PNG_INFO_tRNS))
    png_set_tRNS_to_alpha (png);
  if (depth == 16)
    png_set_scale_16 (png);
  png_set_interlace_handling (png);
  png_read_update_info (png, info);
}

static char *
png_too_large (guint32 width,
               guint32 height,
               gsize   max_pixels)
{
  if (width == 0 || height == 0)
    return g_strdup ("image has no pixels");
  if ((guint64) width * height > max_pixels)
    return g_strdup_printf ("image is %u x %u, more than the limit of "
                            "%" G_GSIZE_FORMAT " pixels", width, height,
                            max_pixels);
  return NULL;
}

/* The size in the IHDR chunk, checked before libpng reads anything. */
static char *
png_header_too_large (const guint8 *bytes,
                      gsize         size,
                      gsize         max_pixels)
{
  guint32 width, height;

  if (size < 24 || memcmp (bytes + 12, "IHDR", 4) != 0)
    return NULL;   /* libpng will say what is wrong */
  memcpy (&width, bytes + 16, 4);
  memcpy (&height, bytes + 20, 4);
  width = GUINT32_FROM_BE (width);
  height = GUINT32_FROM_BE (height);
  return png_too_large (width, height, max_pixels);
}

/* The body that may long-jump; everything it allocates is reachable from
 * image and *rows so the caller frees it after a jump. */
static gboolean
png_decode_body (png_structp   png,
                 png_infop     info,
                 gsize         max_pixels,
                 BscImage     *image,
                 PngSource    *src,
                 char        **reason)
{
  guint32 width, height, y;
  gsize rowbytes;

  png_set_user_limits (png, 0x7fffffff, 0x7fffffff);
  png_read_info (png, info);
  width = png_get_image_width (png, info);
  height = png_get_image_height (png, info);
  *reason = png_too_large (width, height, max_pixels);
  if (*reason != NULL)
    return FALSE;

  png_setup_transforms (png, info);
  image->width = width;
  image->height = height;
  image->channels = png_get_channels (png, info);
  rowbytes = png_get_rowbytes (png, info);
  g_assert (rowbytes == (gsize) width * image->channels);

  image->data = g_try_malloc (rowbytes * height);
  src->rows = g_try_new (png_bytep, height);
  if (image->data == NULL || src->rows == NULL)
    {
      *reason = g_strdup ("out of memory");
      return FALSE;
    }
  for (y = 0; y < height; y++)
    src->rows[y] = image->data + y * rowbytes;
  png_read_image (png, src->rows);
  return TRUE;
}

gboolean
_bsc_png_decode (const guint8  *bytes,
                 gsize          size,
                 gsize          max_pixels,
                 BscImage      *image,
                 char         **reason)
{
  /* On the heap: its fields change between setjmp and a jump. */
  g_autofree PngSource *src = g_new0 (PngSource, 1);
  png_structp png;
  png_infop info;
  volatile gboolean ok = FALSE;

  memset (image, 0, sizeof *image);
  *reason = png_header_too_large (bytes, size, max_pixels);
  if (*reason != NULL)
    return FALSE;
  src->bytes = bytes;
  src->size = size;
  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, src, png_error_cb,
                                png_warning_cb);
  info = png ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    {
      png_destroy_read_struct (&png, NULL, NULL);
      *reason = g_strdup ("out of memory");
      return FALSE;
    }
  png_set_read_fn (png, src, png_read_cb);

  if (setjmp (png_jmpbuf (png)) == 0)
    ok = png_decode_body (png, info, max_pixels, image, src, reason);
  else
    *reason = g_strdup_printf ("damaged PNG: %s", src->message);

  png_destroy_read_struct (&png, &info, NULL);
  g_free (src->rows);
  if (!ok)
    g_clear_pointer (&image->data, g_free);
  return ok;
}

static gboolean
png_write_body (png_structp   png,
                png_infop     info,
                FILE         *fp,
                const guint8 *data,
                guint         width,
                guint         height,
                guint         channels)
{
  guint y;

  png_init_io (png, fp);
  png_set_IHDR (png, info, width, height, 8,
                channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  for (y = 0; y < height; y++)
    png_write_row (png, data + (gsize) y * width * channels);
  png_write_end (png, NULL);
  return TRUE;
}

static gboolean
png_write_file (FILE         *fp,
                const guint8 *data,
                guint         width,
                guint         height,
                guint         channels,
                char         *message,
                gsize         message_size)
{
  g_autofree PngSource *err = g_new0 (PngSource, 1);
  png_structp png;
  png_infop info;
  volatile gboolean ok = FALSE;

  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, err, png_error_cb,
                                 png_warning_cb);
  info = png ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    {
      png_destroy_write_struct (&png, NULL);
      g_strlcpy (message, "out of memory", message_size);
      return FALSE;
    }
  if (setjmp (png_jmpbuf (png)) == 0)
    ok = png_write_body (png, info, fp, data, width, height, channels);
  else
    g_strlcpy (message, err->message, message_size);
  png_destroy_write_struct (&png, &info);
  return ok;
}

gboolean
_bsc_png_write (const char    *path,
                const guint8  *data,
                guint          width,
                guint          height,
                guint          channels,
                GError       **error)
{
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  char message[200] = "";
  gboolean ok;
  FILE *fp;
  int fd;

  g_return_val_if_fail (channels == 1 || channels == 3, FALSE);

  fd = g_mkstemp (tmp);
  if (fd < 0 || (fp = fdopen (fd, "wb")) == NULL)
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, BSC_ERROR, BSC_ERROR_IO, "%s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  fchmod (fd, 0644);
  ok = png_write_file (fp, data, width, height, channels, message,
                       sizeof message);
  if (fclose (fp) != 0 && ok)
    g_strlcpy (message, g_strerror (errno), sizeof message), ok = FALSE;
  if (ok && g_rename (tmp, path) != 0)
    g_strlcpy (message, g_strerror (errno), sizeof message), ok = FALSE;
  if (!ok)
    {
      g_unlink (tmp);
      g_set_error (error, BSC_ERROR, BSC_ERROR_IO, "%s: %s", path, message);
    }
  return ok;
}
