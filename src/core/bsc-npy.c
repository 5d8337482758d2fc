/* bsc-npy.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * NumPy .npy reader and writer.  The header is a Python dict literal
 * ({'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }) after a
 * magic string, a version and a little-endian length (2 bytes in version
 * 1, 4 bytes in versions 2 and 3).  Values are converted element by
 * element to float32 or int32 and returned in C order; Fortran-ordered
 * arrays are transposed on the way.  Object arrays, structured dtypes and
 * complex numbers are refused.  Writing produces version 1 headers padded
 * to 64 bytes, little-endian, C order, through a temporary file that is
 * renamed into place.
 */

#include "config.h"

#include "bsc-npy.h"
#include "bsc-error.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6

typedef struct
{
  char         kind;       /* 'f', 'i', 'u', 'b' */
  guint        itemsize;   /* bytes */
  gboolean     big_endian;
  gboolean     fortran;
  BscNpyShape  shape;
  const guint8 *data;
  gsize        data_offset;
} NpyHeader;

static gboolean
npy_fail (GError    **error,
          const char *path,
          gsize       offset,
          const char *what)
{
  g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA,
               "%s: offset %" G_GSIZE_FORMAT ": %s", path, offset, what);
  return FALSE;
}

/* Finds 'key': in the header dict and returns a pointer just after the
 * colon and any spaces, or NULL. */
static const char *
npy_find_key (const char *dict,
              const char *key)
{
  g_autofree char *quoted1 = g_strdup_printf ("'%s'", key);
  g_autofree char *quoted2 = g_strdup_printf ("\"%s\"", key);
  const char *p = strstr (dict, quoted1);

  if (p == NULL)
    p = strstr (dict, quoted2);
  if (p == NULL)
    return NULL;
  p += strlen (quoted1);
  while (*p == ' ')
    p++;
  if (*p != ':')
    return NULL;
  p++;
  while (*p == ' ')
    p++;
  return p;
}

static gboolean
npy_parse_descr (const char *value,
                 NpyHeader  *h)
{
  char quote = value[0];
  char order, kind;
  guint64 size;
  char *end;

  if (quote != '\'' && quote != '"')
    return FALSE;
  order = value[1];
  kind = value[2];
  if (order != '<' && order != '>' && order != '|' && order != '=')
    return FALSE;
  size = g_ascii_strtoull (value + 3, &end, 10);
  if (end == value + 3 || *end != quote)
    return FALSE;

  h->kind = kind;
  h->itemsize = (guint) size;
  h->big_endian = order == '>';
  if (kind == 'f')
    return size == 2 || size == 4 || size == 8;
  if (kind == 'i' || kind == 'u')
    return size == 1 || size == 2 || size == 4 || size == 8;
  if (kind == 'b')
    return size == 1;
  return FALSE;
}

static gboolean
npy_parse_shape (const char  *value,
                 BscNpyShape *shape)
{
  const char *p = value;

  memset (shape, 0, sizeof *shape);
  if (*p++ != '(')
    return FALSE;
  shape->n_values = 1;
  for (;;)
    {
      guint64 dim;
      char *end;

      while (*p == ' ' || *p == ',')
        p++;
      if (*p == ')')
        return TRUE;
      if (!g_ascii_isdigit (*p) || shape->ndim == BSC_NPY_MAX_DIMS)
        return FALSE;
      dim = g_ascii_strtoull (p, &end, 10);
      if (dim != 0 && shape->n_values > G_MAXSIZE / dim)
        return FALSE;
      shape->shape[shape->ndim++] = dim;
      shape->n_values *= dim;
      p = end;
      if (*p == 'L')   /* Python 2 longs */
        p++;
    }
}

static gboolean
npy_parse_dict (const char *dict,
                const char *path,
                NpyHeader  *h,
                GError    **error)
{
  const char *descr = npy_find_key (dict, "descr");
  const char *fortran = npy_find_key (dict, "fortran_order");
  const char *shape = npy_find_key (dict, "shape");

  if (descr == NULL || fortran == NULL || shape == NULL)
    return npy_fail (error, path, NPY_MAGIC_LEN + 4,
                     "header lacks 'descr', 'fortran_order' or 'shape'");
  if (!npy_parse_descr (descr, h))
    return npy_fail (error, path, NPY_MAGIC_LEN + 4,
                     "unsupported dtype (expected float16/32/64, "
                     "integers or bool)");
  if (g_str_has_prefix (fortran, "True"))
    h->fortran = TRUE;
  else if (g_str_has_prefix (fortran, "False"))
    h->fortran = FALSE;
  else
    return npy_fail (error, path, NPY_MAGIC_LEN + 4,
                     "'fortran_order' is neither True nor False");
  if (!npy_parse_shape (shape, &h->shape))
    return npy_fail (error, path, NPY_MAGIC_LEN + 4,
                     "'shape' is not a tuple of at most 8 sizes");
  return TRUE;
}

static gboolean
npy_parse_header (const guint8 *bytes,
                  gsize         size,
                  const char   *path,
                  NpyHeader    *h,
                  GError      **error)
{
  guint major;
  gsize hlen, start;
  g_autofree char *dict = NULL;

  memset (h, 0, sizeof *h);
  if (size < 10 || memcmp (bytes, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
    return npy_fail (error, path, 0, "not a NumPy .npy file (bad magic)");
  major = bytes[6];
  if (major < 1 || major > 3)
    return npy_fail (error, path, 6, "unsupported .npy version "
                     "(expected 1, 2 or 3)");
  if (major == 1)
    {
      hlen = bytes[8] | (bytes[9] << 8);
      start = 10;
    }
  else
    {
      if (size < 12)
        return npy_fail (error, path, size, "truncated header");
      hlen = (gsize) bytes[8] | ((gsize) bytes[9] << 8)
             | ((gsize) bytes[10] << 16) | ((gsize) bytes[11] << 24);
      start = 12;
    }
  if (hlen > size - start)
    return npy_fail (error, path, size, "truncated header");

  dict = g_strndup ((const char *) bytes + start, hlen);
  if (!npy_parse_dict (dict, path, h, error))
    return FALSE;

  h->data_offset = start + hlen;
  h->data = bytes + h->data_offset;
  if (h->shape.n_values > G_MAXSIZE / h->itemsize
      || h->shape.n_values * h->itemsize > size - h->data_offset)
    {
      g_autofree char *what =
        g_strdup_printf ("truncated data (expected %" G_GSIZE_FORMAT
                         " values of %u bytes)",
                         h->shape.n_values, h->itemsize);
      return npy_fail (error, path, size, what);
    }
  return TRUE;
}

static float
half_to_float (guint16 h)
{
  guint sign = h >> 15;
  guint exponent = (h >> 10) & 0x1f;
  guint mantissa = h & 0x3ff;
  float value;

  if (exponent == 0)
    value = ldexpf ((float) mantissa, -24);
  else if (exponent == 31)
    value = mantissa ? NAN : INFINITY;
  else
    value = ldexpf ((float) (mantissa | 0x400), (int) exponent - 25);
  return sign ? -value : value;
}

/* Reads element i as a double (every supported type fits, int64 up to
 * 2^53 exactly). */
static double
npy_get (const NpyHeader *h,
         gsize            i)
{
  const guint8 *p = h->data + i * h->itemsize;
  guint8 buf[8];
  guint k;

  for (k = 0; k < h->itemsize; k++)
    buf[k] = p[h->big_endian ? h->itemsize - 1 - k : k];

  switch (h->kind)
    {
    case 'b':
      return buf[0] != 0;
    case 'u':
      {
        guint64 v = 0;
        for (k = 0; k < h->itemsize; k++)
          v |= (guint64) buf[k] << (8 * k);
        return (double) v;
      }
    case 'i':
      {
        guint64 v = 0;
        for (k = 0; k < h->itemsize; k++)
          v |= (guint64) buf[k] << (8 * k);
        if (h->itemsize < 8 && (v >> (8 * h->itemsize - 1)))
          v |= ~(guint64) 0 << (8 * h->itemsize);
        return (double) (gint64) v;
      }
    case 'f':
    default:
      if (h->itemsize == 2)
        return half_to_float ((guint16) (buf[0] | (buf[1] << 8)));
      if (h->itemsize == 4)
        {
          float f;
          memcpy (&f, buf, 4);   /* host is little-endian after the swap */
          return f;
        }
      {
        double d;
        memcpy (&d, buf, 8);
        return d;
      }
    }
}

/* Maps the C-order index c to the storage index of the element: the
 * identity for C order, the reversed-stride index for Fortran order. */
static gsize
npy_storage_index (const NpyHeader *h,
                   gsize            c)
{
  gsize stride = 1, index = 0;
  guint d;

  if (!h->fortran || h->shape.ndim < 2)
    return c;
  /* Peel the C-order coordinates from the last axis; Fortran strides grow
   * from the first axis. */
  {
    gsize coord[BSC_NPY_MAX_DIMS];
    for (d = h->shape.ndim; d-- > 0;)
      {
        coord[d] = c % h->shape.shape[d];
        c /= h->shape.shape[d];
      }
    for (d = 0; d < h->shape.ndim; d++)
      {
        index += coord[d] * stride;
        stride *= h->shape.shape[d];
      }
  }
  return index;
}

#if G_BYTE_ORDER != G_LITTLE_ENDIAN
# error "bsc-npy.c assumes a little-endian host for float reinterpretation"
#endif

float *
bsc_npy_parse_float (const guint8 *bytes,
                     gsize         size,
                     const char   *path,
                     BscNpyShape  *shape,
                     GError      **error)
{
  NpyHeader h;
  float *out;
  gsize i;

  g_return_val_if_fail (bytes != NULL || size == 0, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (!npy_parse_header (bytes, size, path, &h, error))
    return NULL;
  out = g_try_malloc (MAX (h.shape.n_values, 1) * sizeof (float));
  if (out == NULL)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_NO_MEMORY,
                   "%s: out of memory for %" G_GSIZE_FORMAT " values",
                   path, h.shape.n_values);
      return NULL;
    }

  if (h.kind == 'f' && h.itemsize == 4 && !h.big_endian && !h.fortran)
    memcpy (out, h.data, h.shape.n_values * sizeof (float));
  else
    for (i = 0; i < h.shape.n_values; i++)
      out[i] = (float) npy_get (&h, npy_storage_index (&h, i));

  if (shape != NULL)
    *shape = h.shape;
  return out;
}

static gint32 *
npy_parse_int (const guint8 *bytes,
               gsize         size,
               const char   *path,
               BscNpyShape  *shape,
               GError      **error)
{
  NpyHeader h;
  g_autofree gint32 *out = NULL;
  gsize i;

  if (!npy_parse_header (bytes, size, path, &h, error))
    return NULL;
  out = g_try_malloc (MAX (h.shape.n_values, 1) * sizeof (gint32));
  if (out == NULL)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_NO_MEMORY,
                   "%s: out of memory", path);
      return NULL;
    }
  for (i = 0; i < h.shape.n_values; i++)
    {
      gsize at = npy_storage_index (&h, i);
      double v = npy_get (&h, at);

      if (!(v == floor (v)) || v < G_MININT32 || v > G_MAXINT32)
        {
          g_autofree char *what =
            g_strdup_printf ("value %g is not an int32 integer", v);
          npy_fail (error, path, h.data_offset + at * h.itemsize, what);
          return NULL;
        }
      out[i] = (gint32) v;
    }
  if (shape != NULL)
    *shape = h.shape;
  return g_steal_pointer (&out);
}

static GMappedFile *
npy_map (const char *path,
         GError    **error)
{
  GError *local = NULL;
  GMappedFile *map = g_mapped_file_new (path, FALSE, &local);

  if (map == NULL)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_IO, "%s", local->message);
      g_error_free (local);
    }
  return map;
}

float *
bsc_npy_read_float (const char   *path,
                    BscNpyShape  *shape,
                    GError      **error)
{
  g_autoptr(GMappedFile) map = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  map = npy_map (path, error);
  if (map == NULL)
    return NULL;
  return bsc_npy_parse_float ((const guint8 *) g_mapped_file_get_contents (map),
                              g_mapped_file_get_length (map), path, shape,
                              error);
}

gint32 *
bsc_npy_read_int (const char   *path,
                  BscNpyShape  *shape,
                  GError      **error)
{
  g_autoptr(GMappedFile) map = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  map = npy_map (path, error);
  if (map == NULL)
    return NULL;
  return npy_parse_int ((const guint8 *) g_mapped_file_get_contents (map),
                        g_mapped_file_get_length (map), path, shape, error);
}

/* A version 1 header for descr and shape, padded with spaces so the data
 * starts at a multiple of 64 bytes, ending in a newline. */
static GString *
npy_make_header (const char  *descr,
                 guint        ndim,
                 const gsize *shape)
{
  GString *dict = g_string_new (NULL);
  GString *out;
  gsize total;
  guint d;

  g_string_append_printf (dict, "{'descr': '%s', 'fortran_order': False, "
                          "'shape': (", descr);
  for (d = 0; d < ndim; d++)
    g_string_append_printf (dict, "%s%" G_GSIZE_FORMAT, d ? ", " : "",
                            shape[d]);
  g_string_append (dict, ndim == 1 ? ",), }" : "), }");

  total = 10 + dict->len + 1;
  while (total % 64 != 0)
    {
      g_string_append_c (dict, ' ');
      total++;
    }
  g_string_append_c (dict, '\n');

  out = g_string_new_len (NPY_MAGIC, NPY_MAGIC_LEN);
  g_string_append_c (out, 1);
  g_string_append_c (out, 0);
  g_string_append_c (out, (char) (dict->len & 0xff));
  g_string_append_c (out, (char) (dict->len >> 8));
  g_string_append_len (out, dict->str, dict->len);
  g_string_free (dict, TRUE);
  return out;
}

static gboolean
npy_io_error (GError    **error,
              const char *path,
              const char *what,
              int         saved_errno)
{
  g_set_error (error, BSC_ERROR, BSC_ERROR_IO, "%s: %s: %s", path, what,
               g_strerror (saved_errno));
  return FALSE;
}

/* Writes header + values (4-byte little-endian items) to path.XXXXXX and
 * renames it to path. */
static gboolean
npy_write (const char   *path,
           const char   *descr,
           const void   *data,
           guint         ndim,
           const gsize  *shape,
           GError      **error)
{
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  g_autoptr(GString) header = npy_make_header (descr, ndim, shape);
  gsize n = 1, d;
  FILE *fp;
  int fd;

  for (d = 0; d < ndim; d++)
    n *= shape[d];

  fd = g_mkstemp (tmp);
  if (fd < 0)
    return npy_io_error (error, path, "cannot create a temporary file", errno);
  fchmod (fd, 0644);   /* g_mkstemp creates 0600 */
  fp = fdopen (fd, "wb");
  if (fp == NULL)
    {
      int saved = errno;
      close (fd);
      g_unlink (tmp);
      return npy_io_error (error, path, "cannot open", saved);
    }
  if (fwrite (header->str, 1, header->len, fp) != header->len
      || (n > 0 && fwrite (data, 4, n, fp) != n)
      || fflush (fp) != 0 || fsync (fileno (fp)) != 0)
    {
      int saved = errno;
      fclose (fp);
      g_unlink (tmp);
      return npy_io_error (error, path, "write failed", saved);
    }
  if (fclose (fp) != 0 || g_rename (tmp, path) != 0)
    {
      int saved = errno;
      g_unlink (tmp);
      return npy_io_error (error, path, "cannot write", saved);
    }
  return TRUE;
}

gboolean
bsc_npy_write_float (const char   *path,
                     const float  *data,
                     guint         ndim,
                     const gsize  *shape,
                     GError      **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (ndim <= BSC_NPY_MAX_DIMS, FALSE);
  g_return_val_if_fail (ndim == 0 || shape != NULL, FALSE);

  return npy_write (path, "<f4", data, ndim, shape, error);
}

gboolean
bsc_npy_write_int (const char   *path,
                   const gint32 *data,
                   guint         ndim,
                   const gsize  *shape,
                   GError      **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (ndim <= BSC_NPY_MAX_DIMS, FALSE);
  g_return_val_if_fail (ndim == 0 || shape != NULL, FALSE);

  return npy_write (path, "<i4", data, ndim, shape, error);
}
