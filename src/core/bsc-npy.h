/* bsc-npy.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * NumPy .npy files: format versions 1 to 3, little or big endian, C or
 * Fortran order; float16/32/64, signed and unsigned integers and bool are
 * read (converted to float32 or int32), float32 and int32 written.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BSC_NPY_MAX_DIMS 8

typedef struct
{
  guint  ndim;
  gsize  shape[BSC_NPY_MAX_DIMS];
  gsize  n_values;
} BscNpyShape;

/* Values converted to float32, returned in C order. */
float   *bsc_npy_read_float  (const char   *path,
                              BscNpyShape  *shape,
                              GError      **error);
/* Integer values (integral floats are accepted); any shape, C order. */
gint32  *bsc_npy_read_int    (const char   *path,
                              BscNpyShape  *shape,
                              GError      **error);
/* The same from memory (path names the file in error messages). */
float   *bsc_npy_parse_float (const guint8 *bytes,
                              gsize         size,
                              const char   *path,
                              BscNpyShape  *shape,
                              GError      **error);

/* Written to a temporary file and renamed. */
gboolean bsc_npy_write_float (const char   *path,
                              const float  *data,
                              guint         ndim,
                              const gsize  *shape,
                              GError      **error);
gboolean bsc_npy_write_int   (const char   *path,
                              const gint32 *data,
                              guint         ndim,
                              const gsize  *shape,
                              GError      **error);

G_END_DECLS
