/* bsc-curves-view.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Losses, temperatures, learning rate and metrics over the steps of a run.
 * Keeps the run's history (snapshots only bring what is new).
 */

#pragma once

#include <gtk/gtk.h>
#include "bsc-run-view.h"

G_BEGIN_DECLS

#define BSC_TYPE_CURVES_VIEW (bsc_curves_view_get_type ())
G_DECLARE_FINAL_TYPE (BscCurvesView, bsc_curves_view, BSC, CURVES_VIEW, GtkBox)

/* Steps received so far, and points a loss series holds for drawing
 * (tests). */
guint bsc_curves_view_get_n_points (BscCurvesView *self);
guint bsc_curves_view_get_n_drawn  (BscCurvesView *self);

G_END_DECLS
