/* bsc-run-view.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What every view of a run implements: take a snapshot, forget a run,
 * draw itself for PNG export, and pop up its explanation.
 */

#pragma once

#include <gtk/gtk.h>
#include "bsc-dataset.h"
#include "bsc-snapshot.h"

G_BEGIN_DECLS

#define BSC_TYPE_RUN_VIEW (bsc_run_view_get_type ())
G_DECLARE_INTERFACE (BscRunView, bsc_run_view, BSC, RUN_VIEW, GtkWidget)

struct _BscRunViewInterface
{
  GTypeInterface parent_iface;

  /* A new dataset (NULL when none): forget everything shown. */
  void      (*reset)       (BscRunView     *self,
                            BscDataset  *data);
  /* Returns TRUE when the view took new data from the snapshot. */
  gboolean  (*update)      (BscRunView     *self,
                            BscSnapshot *snapshot);
  /* Draws the view for a PNG of width x height; FALSE when empty. */
  gboolean  (*draw_export) (BscRunView     *self,
                            cairo_t     *cr,
                            int          width,
                            int          height,
                            gboolean     dark);
  /* NULL pops up the view's menu button styled "view-info". */
  void      (*show_info)   (BscRunView     *self);
};

void      bsc_run_view_reset         (BscRunView     *self,
                                  BscDataset  *data);
void      bsc_run_view_update        (BscRunView     *self,
                                  BscSnapshot *snapshot);
gboolean  bsc_run_view_draw_export   (BscRunView     *self,
                                  cairo_t     *cr,
                                  int          width,
                                  int          height,
                                  gboolean     dark);
void      bsc_run_view_show_info     (BscRunView     *self);
/* How many snapshots brought new data to this view since the last reset
 * (the GUI tests read it). */
guint     bsc_run_view_get_n_updates (BscRunView     *self);

/* Helpers shared by the views. */
/* The name of label l ("?" when the dataset has fewer names). */
const char *bsc_run_view_label_name (const BscDataset *data,
                                     gint32            label);
gboolean  bsc_run_view_is_dark       (GtkWidget   *widget);
/* When an evaluation was made, as every view's header says it:
 * "after epoch N · step S" (N epochs completed), or "before training". */
char     *bsc_run_view_eval_when     (const BscEvalData *eval);

G_END_DECLS
