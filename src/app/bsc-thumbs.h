/* bsc-thumbs.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Textures of a dataset's thumbnails, made once on first use and shared
 * by every view of the dataset (main thread only).
 */

#pragma once

#include <gtk/gtk.h>
#include "bsc-dataset.h"

G_BEGIN_DECLS

#define BSC_TYPE_THUMBS (bsc_thumbs_get_type ())
G_DECLARE_FINAL_TYPE (BscThumbs, bsc_thumbs, BSC, THUMBS, GObject)

/* The cache of this dataset (a new one when the dataset changed). */
BscThumbs  *bsc_thumbs_get_for      (BscDataset *data);
BscDataset *bsc_thumbs_get_dataset  (BscThumbs  *self);
/* Borrowed; NULL when the dataset has no images. */
GdkTexture *bsc_thumbs_get          (BscThumbs  *self,
                                     gsize       index);
/* How many textures exist (tests check that only visible ones do). */
gsize       bsc_thumbs_get_n_made   (BscThumbs  *self);

G_END_DECLS
