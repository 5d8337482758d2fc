/* bsc-window-private.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the GUI tests and benchmarks look at inside a window.
 */

#pragma once

#include "bsc-snapshot.h"
#include "bsc-run-view.h"
#include "bsc-window.h"
#include "bsc-worker.h"

G_BEGIN_DECLS

typedef struct
{
  guint        n_snapshots;     /* of the current run */
  guint64      last_step;       /* step of the last snapshot */
  gint64       eval_step;       /* step of its evaluation, -1 for none */
  BscRunState  last_state;
  gboolean     loading;
  gboolean     has_data;
  gboolean     error_shown;
  gboolean     recover_shown;   /* a crashed run's autosave is pointed out */
  gboolean     running;         /* a worker thread is alive */
  gboolean     start_enabled;
  gboolean     step_enabled;
  const char  *start_label;     /* the main button's, with its mnemonic */
} BscWindowStatus;

void        _bsc_window_get_status (BscWindow       *self,
                                    BscWindowStatus *status);
/* The views, NULL-terminated, in stack order. */
BscRunView   **_bsc_window_get_views  (BscWindow       *self,
                                    guint           *n_views);
BscWorker  *_bsc_window_get_worker (BscWindow       *self);
const char *_bsc_window_get_error  (BscWindow       *self);
void        _bsc_window_show_view  (BscWindow       *self,
                                    guint            index);
/* Writes every view as PNG into dir (what the export action does). */
gboolean    _bsc_window_export_pngs (BscWindow      *self,
                                     const char     *dir,
                                     GError        **error);

/* Saves the run's model at path (the Save Model action, after its dialog);
 * the status line says when it is done.  FALSE without a run. */
gboolean    _bsc_window_save_model  (BscWindow      *self,
                                     const char     *path);

/* Continues the checkpoint at path on the open collection, paused (the
 * Continue a Saved Model action, after its dialog).  FALSE with the
 * reason shown when it cannot be read. */
gboolean    _bsc_window_continue_model (BscWindow   *self,
                                        const char  *path);

/* Writes the last evaluation's assignments as CSV (the export action). */
gboolean    _bsc_window_export_csv  (BscWindow      *self,
                                     const char     *path,
                                     GError        **error);

/* Opens the collection's details window (the Details button). */
void        _bsc_window_show_details (BscWindow     *self);

/* Where export dialogs open: the last export folder, else home. */
char       *_bsc_window_export_folder (BscWindow     *self);

/* The 1-based epoch a step (completed steps) belongs to. */
guint       bsc_window_step_epoch    (guint64         step,
                                      guint64         total_steps,
                                      guint           epochs);

/* The window's settings: the installed schema, else build_dir's compiled
 * one, else the built-in copy with in-memory storage and a warning. */
GSettings  *_bsc_window_new_settings (const char     *build_dir);

G_END_DECLS
