/* bsc-plot-area.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A widget that draws itself through a Cairo function (one of the
 * renderers in src/plot) in its snapshot.  The owning view keeps the data
 * and the hover state; this only knows how to paint and how large it is.
 */

#pragma once

#include <gtk/gtk.h>
#include "bsc-plot.h"

G_BEGIN_DECLS

#define BSC_TYPE_PLOT_AREA (bsc_plot_area_get_type ())
G_DECLARE_FINAL_TYPE (BscPlotArea, bsc_plot_area, BSC, PLOT_AREA, GtkWidget)

typedef void (*BscPlotAreaDrawFunc) (BscPlotArea        *area,
                                     cairo_t            *cr,
                                     int                 width,
                                     int                 height,
                                     const BscPlotTheme *theme,
                                     gpointer            user_data);

GtkWidget *bsc_plot_area_new           (void);
void       bsc_plot_area_set_draw_func (BscPlotArea         *self,
                                        BscPlotAreaDrawFunc  func,
                                        gpointer             user_data);
/* The theme matching the widget's colours (dark or light). */
void       bsc_plot_area_get_theme     (BscPlotArea         *self,
                                        BscPlotTheme        *theme);

G_END_DECLS
