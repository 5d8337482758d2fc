/* bsc-load-private.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the loader files share: decoded images, PNG decoding and writing,
 * the per-format loaders that bsc_load dispatches to, and label helpers.
 */

#pragma once

#include "bsc-load.h"

G_BEGIN_DECLS

#define BSC_PNG_SIGNATURE "\x89PNG\r\n\x1a\n"
#define BSC_DEFAULT_MAX_PIXELS ((gsize) 50000000)

/* A decoded image: height rows of width x channels uint8, no padding.
 * channels: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. */
typedef struct
{
  guint   width;
  guint   height;
  guint   channels;
  guint8 *data;
} BscImage;

/* PNG through libpng, any colour type and depth, reduced to 8 bits.
 * Refuses images over max_pixels before allocating.  On failure returns
 * FALSE and sets *reason (UTF-8, free it). */
gboolean    _bsc_png_decode        (const guint8   *bytes,
                                    gsize           size,
                                    gsize           max_pixels,
                                    BscImage       *image,
                                    char          **reason);
/* Writes an 8-bit gray (1) or RGB (3) PNG, through a temporary file. */
gboolean    _bsc_png_write         (const char     *path,
                                    const guint8   *data,
                                    guint           width,
                                    guint           height,
                                    guint           channels,
                                    GError        **error);

BscDataset *_bsc_load_images       (const char           *path,
                                    const BscLoadOptions *options,
                                    BscProgressFunc       progress,
                                    gpointer              user_data,
                                    GCancellable         *cancellable,
                                    GError              **error);
BscDataset *_bsc_load_npy          (const char           *path,
                                    GError              **error);
BscDataset *_bsc_load_csv          (const char           *path,
                                    const char           *label_column,
                                    GError              **error);
/* One IDX file, or several concatenated (a NULL-terminated list). */
BscDataset *_bsc_load_idx          (const char           *source,
                                    const char * const   *files,
                                    gboolean              auto_labels,
                                    GError              **error);
/* TRUE if bytes start like an IDX file (after gunzip). */
gboolean    _bsc_idx_sniff         (const guint8   *bytes,
                                    gsize           size);
/* The whole file, gunzipped when it is gzip. */
GBytes     *_bsc_read_maybe_gzip   (const char     *path,
                                    GError        **error);

/* Reads a labels side file (.npy, IDX or text) and attaches it. */
gboolean    _bsc_dataset_load_labels (BscDataset   *self,
                                      const char   *path,
                                      GError      **error);
/* Takes integer labels (>= 0); class names "0".."K-1" (or the known
 * names of a recognised dataset). */
gboolean    _bsc_dataset_set_int_labels (BscDataset   *self,
                                         gint32       *labels,
                                         const char   *origin,
                                         GError      **error);
/* Labels given as names per sample: classes are the sorted unique names. */
void        _bsc_dataset_set_named_labels (BscDataset  *self,
                                           char       **names);

G_END_DECLS
