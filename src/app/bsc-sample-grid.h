/* bsc-sample-grid.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A scrolling grid of sample thumbnails over a list model of indices:
 * GtkGridView makes widgets only for the visible cells, so tens of
 * thousands of samples scroll smoothly.
 */

#pragma once

#include <gtk/gtk.h>
#include "bsc-thumbs.h"

G_BEGIN_DECLS

#define BSC_TYPE_SAMPLE_GRID (bsc_sample_grid_get_type ())
G_DECLARE_FINAL_TYPE (BscSampleGrid, bsc_sample_grid, BSC, SAMPLE_GRID, GtkWidget)

GtkWidget *bsc_sample_grid_new         (void);
/* indices: n sample indices in display order (copied); confidence: per
 * sample of the whole dataset (may be NULL; copied only for n entries). */
void       bsc_sample_grid_set_samples (BscSampleGrid *self,
                                        BscThumbs     *thumbs,
                                        const guint32 *indices,
                                        gsize          n,
                                        const float   *confidence);
/* The smallest side of a cell in pixels (84 unless set; cells made
 * before the call keep theirs). */
void       bsc_sample_grid_set_cell_size (BscSampleGrid *self,
                                          int            cell);

G_END_DECLS
