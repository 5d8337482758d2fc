/* bsc-dataset.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A loaded collection: n samples of dim values each, stored either as
 * float32 features or as compact uint8 pixels (value / 255), with optional
 * labels, source paths, thumbnails and the list of skipped files.
 * Immutable once loaded and shared by reference between threads.
 */

#pragma once

#include <glib.h>
#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  char    *path;     /* as on disk (filename encoding) */
  char    *reason;   /* UTF-8, for people */
  gboolean on_purpose; /* a folder left out by design, not a fault */
} BscSkipped;

typedef enum
{
  BSC_SOURCE_FEATURES,  /* .npy / .csv matrix */
  BSC_SOURCE_IMAGES,    /* image folder */
  BSC_SOURCE_IDX,       /* IDX (MNIST family) */
} BscSourceKind;

typedef struct _BscDataset BscDataset;

struct _BscDataset
{
  /*< public, read-only >*/
  BscSourceKind kind;
  char         *source;        /* the path that was opened */
  gsize         n_samples;
  gsize         dim;           /* values per sample */

  /* Exactly one of these holds the samples, row-major n_samples x dim. */
  float        *features;
  guint8       *pixels;        /* sample value = pixels[i] / 255.0f */

  /* Image geometry of a sample (IDX and image folders); 0 for features.
   * A sample is height x width x channels, channels 1 or 3. */
  guint         width;
  guint         height;
  guint         channels;

  /* Thumbnails for the views, n_samples x thumb_size^2 x thumb_channels
   * uint8; NULL when the samples are not images (or when the samples are
   * themselves small enough: then thumbnails == pixels' geometry and this
   * points to pixels, see bsc_dataset_get_thumbnail). */
  guint8       *thumbs;
  guint         thumb_size;
  guint         thumb_channels;

  gint32       *labels;        /* n_samples ground-truth indices, or NULL */
  guint         n_classes;
  GPtrArray    *class_names;   /* of char *, n_classes entries (UTF-8) */

  GPtrArray    *paths;         /* of char *, per sample source path, or NULL */
  GPtrArray    *display_names; /* of char *, per sample UTF-8 name, or NULL */

  GPtrArray    *skipped;       /* of BscSkipped *, never NULL */

  /*< private >*/
  gint          ref_count;
};

BscDataset *bsc_dataset_new              (BscSourceKind     kind,
                                          const char       *source);
BscDataset *bsc_dataset_ref              (BscDataset       *self);
void        bsc_dataset_unref            (BscDataset       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BscDataset, bsc_dataset_unref)

/* Copies row i as floats into out (dim values). */
void        bsc_dataset_get_row          (const BscDataset *self,
                                          gsize             i,
                                          float            *out);
/* Returns a pointer to the thumbnail of sample i (size x size x channels
 * uint8) or NULL when the dataset has no images. */
const guint8 *bsc_dataset_get_thumbnail  (const BscDataset *self,
                                          gsize             i,
                                          guint            *size,
                                          guint            *channels);
/* A UTF-8 name for sample i: the display name, else "#i". Free it. */
char       *bsc_dataset_dup_name         (const BscDataset *self,
                                          gsize             i);
/* Per-class counts (n_classes entries), NULL without labels. */
gsize      *bsc_dataset_class_counts     (const BscDataset *self);

void        bsc_dataset_add_skipped      (BscDataset       *self,
                                          const char       *path,
                                          const char       *reason);
/* A folder left out on purpose (bsc-load.h): listed, but not counted
 * among the files that could not be used. */
void        bsc_dataset_add_passed_over  (BscDataset       *self,
                                          const char       *path,
                                          const char       *reason);
/* How many skipped files could not be used (those left out on purpose
 * aside). */
guint       bsc_dataset_count_unusable   (const BscDataset *self);
/* A multi-line UTF-8 summary: samples, dims, labels and counts, skipped
 * files with reasons.  What `bootsc inspect` prints. */
char       *bsc_dataset_describe         (const BscDataset *self);

G_END_DECLS
