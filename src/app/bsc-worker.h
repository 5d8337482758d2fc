/* bsc-worker.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs one training run in its own thread.  The thread owns the trainer;
 * the main thread steers it through a mutex-guarded control block and
 * receives immutable snapshots (the "snapshot" signal, emitted on the main
 * context) at a bounded rate.  No call here ever waits for the thread.
 */

#pragma once

#include <gio/gio.h>
#include "bsc-config.h"
#include "bsc-dataset.h"
#include "bsc-snapshot.h"

G_BEGIN_DECLS

#define BSC_TYPE_WORKER (bsc_worker_get_type ())
G_DECLARE_FINAL_TYPE (BscWorker, bsc_worker, BSC, WORKER, GObject)

BscWorker       *bsc_worker_new            (BscDataset      *data,
                                            const BscConfig *config);
/* Starts the thread; start_paused leaves it waiting for resume or step. */
/* A run that continues a checkpoint (bootsc's or the explorer's) on
 * data, with the checkpoint's configuration; NULL if it cannot be read
 * (a checkpoint that does not fit data fails when the run starts). */
BscWorker       *bsc_worker_new_resumed    (BscDataset      *data,
                                            const char      *checkpoint,
                                            GError         **error);
/* TRUE for a run made by bsc_worker_new_resumed. */
gboolean         bsc_worker_is_resumed     (BscWorker       *self);
void             bsc_worker_start          (BscWorker       *self,
                                            gboolean         start_paused);
void             bsc_worker_pause          (BscWorker       *self);
void             bsc_worker_resume         (BscWorker       *self);
void             bsc_worker_step           (BscWorker       *self);
void             bsc_worker_stop           (BscWorker       *self);
/* Stops after the current step and evaluates the model as it stands
 * (bsc_worker_stop ends at once, for a closing window). */
void             bsc_worker_finish         (BscWorker       *self);
void             bsc_worker_set_lr_scale   (BscWorker       *self,
                                            double           scale);

/* The model as the run left it: saved every two minutes of training,
 * at the end, and on request into a file of the user's cache folder
 * (removed with the worker; left behind by a crash), for bootsc train
 * --resume.  NULL before the first save. */
const char      *bsc_worker_get_checkpoint (BscWorker       *self);
/* The newest autosave a crashed run left behind (free it), or NULL;
 * those older than 30 days are removed on the way. */
char            *bsc_worker_find_orphan    (void);
/* From now on, runs that end before their last epoch keep their
 * autosave (the session is ending: a logout, SIGTERM). */
void             bsc_worker_keep_unfinished (void);
/* Saves the model now (or, after the end, takes the last save): the
 * result is the checkpoint's path (free it). */
void             bsc_worker_save_model_async  (BscWorker           *self,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
char            *bsc_worker_save_model_finish (BscWorker           *self,
                                               GAsyncResult        *result,
                                               GError             **error);

guint            bsc_worker_get_generation (BscWorker       *self);
gboolean         bsc_worker_is_paused      (BscWorker       *self);
gboolean         bsc_worker_is_running     (BscWorker       *self);
BscDataset      *bsc_worker_get_dataset    (BscWorker       *self);
const BscConfig *bsc_worker_get_config     (BscWorker       *self);

G_END_DECLS
