/* bsc-load.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loaders: image folders (recursive, ImageFolder labels), NumPy .npy,
 * CSV, IDX (gzip or not).  The kind is chosen from what the path is and
 * from the file's first bytes, never from its name alone; a name ending
 * in .npy only makes a file without the NumPy magic an error.
 */

#pragma once

#include "bsc-dataset.h"

G_BEGIN_DECLS

typedef struct
{
  guint        image_size;    /* training resolution, square; 28 */
  int          image_rgb;     /* -1: choose from the collection; 0 gray; 1 RGB */
  guint        thumb_size;    /* 64; thumbnails are never larger than this */
  const char  *labels_path;   /* optional side file of labels (.npy, text, IDX) */
  const char  *label_column;  /* CSV: name (or 0-based index) of the label column */
  guint        threads;       /* decoder threads; 0 means all cores */
  gsize        max_pixels;    /* refuse images larger than this (w*h); 0: 50e6 */
} BscLoadOptions;

void bsc_load_options_init (BscLoadOptions *options);

/* Subfolders of an image folder that hold bootsc's own results
 * (metrics.json, failed-metrics.json) or cluster folders it exported
 * (this mark) are not searched: their images would come back as a class
 * of their own.  The folder opened itself is always searched. */
#define BSC_CLUSTERS_MARK ".bootsc-clusters"

/* Progress: done of total items, from any thread (keep it cheap).  While
 * a folder is still searched, total is 0 and done counts the files found
 * so far. */
typedef void (*BscProgressFunc) (gsize    done,
                                 gsize    total,
                                 gpointer user_data);

BscDataset *bsc_load          (const char            *path,
                               const BscLoadOptions  *options,
                               BscProgressFunc        progress,
                               gpointer               user_data,
                               GCancellable          *cancellable,
                               GError               **error);

/* TRUE when bsc_load reads the file at path as CSV, the one kind of
 * input that BscLoadOptions.label_column applies to. */
gboolean    bsc_load_reads_csv (const char *path);

/* The bundled sample: the installed copy, or the source tree's when run
 * uninstalled.  Returns a newly allocated path, or NULL if not found. */
char       *bsc_load_find_sample (void);

G_END_DECLS
