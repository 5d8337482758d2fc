/* bsc-projection-view.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include "bsc-run-view.h"

G_BEGIN_DECLS

#define BSC_TYPE_PROJECTION_VIEW (bsc_projection_view_get_type ())
G_DECLARE_FINAL_TYPE (BscProjectionView, bsc_projection_view, BSC, PROJECTION_VIEW, GtkBox)

/* The chart area (benchmarks time its drawing). */
GtkWidget *bsc_projection_view_get_area  (BscProjectionView *self);
/* What the pointer and the keyboard do: pan by pixels, zoom about the
 * centre, fit every point, hover the point under (x, y) of the area. */
void       bsc_projection_view_pan       (BscProjectionView *self,
                                          double             dx,
                                          double             dy);
void       bsc_projection_view_zoom      (BscProjectionView *self,
                                          double             factor);
void       bsc_projection_view_fit       (BscProjectionView *self);
/* TRUE while the map refits itself to every new evaluation: after a
 * reset (new run or collection) and Fit, until the person zooms or pans. */
gboolean   bsc_projection_view_is_following (BscProjectionView *self);
gssize     bsc_projection_view_hover_at  (BscProjectionView *self,
                                          double             x,
                                          double             y);
/* Selects the points inside a rectangle of the area, or inside a lasso
 * (n pixel vertices x, y), and shows their images beside the map;
 * returns how many. */
guint      bsc_projection_view_select_lasso (BscProjectionView *self,
                                             const double      *xy,
                                             guint              n);
guint      bsc_projection_view_select    (BscProjectionView *self,
                                          double             x0,
                                          double             y0,
                                          double             x1,
                                          double             y1);

/* TRUE once the neighbourhood layout is shown (it may be the previous
 * evaluation's while the newest one's is computed). */
gboolean   bsc_projection_view_shows_neighbours (BscProjectionView *self);
/* The points on the map now (n x 2). */
const float *bsc_projection_view_get_points (BscProjectionView *self,
                                             gsize             *n);
/* TRUE while a neighbourhood layout is being computed, or the points
 * move to the next layout. */
gboolean   bsc_projection_view_is_arranging (BscProjectionView *self);
/* The layout shown: 0 neighbourhoods (t-SNE), 1 linear (PCA). */
void       bsc_projection_view_set_layout (BscProjectionView *self,
                                           guint              layout);
/* The layout's drop-down (the window binds it to a setting). */
GtkDropDown *bsc_projection_view_get_layout_chooser (BscProjectionView *self);

G_END_DECLS
