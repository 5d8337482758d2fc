/* bsc-worker.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The training thread.  Everything below the "thread side" mark runs in
 * the worker thread and touches only the trainer, the control block (under
 * its mutex) and the snapshot being built; snapshots reach the main thread
 * through idle sources on the main context.  The thread holds a reference
 * on the worker that the main thread drops once the thread has ended, so
 * every queued delivery finds the worker alive.
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "bsc-error.h"
#include "bsc-projection.h"
#include "bsc-trainer.h"
#include "bsc-worker.h"

/* Above this many samples a single step, a pause or the start of a run
 * does not evaluate every sample (seconds of work); epoch ends still do. */
#define EVAL_ON_STEP_MAX_SAMPLES 20000
/* At most five routine snapshots a second: each one redraws the window,
 * which on two cores takes time from the training's BLAS threads. */
#define PUBLISH_INTERVAL (G_USEC_PER_SEC / 5)
/* Routine evaluations (with their projection) take at most about this
 * share of the training time: on short epochs not every epoch end
 * evaluates (the last step always does). */
#define EVAL_BUDGET 0.08
/* The model is saved (the checkpoint bootsc train --resume reads) this
 * often while training runs, on request, and when the run ends: a crash
 * costs at most this much training. */
#define AUTOSAVE_US (120 * G_USEC_PER_SEC)

typedef enum
{
  WORK_RUN,
  WORK_STEP,
  WORK_REFRESH,
  WORK_SAVE,
  WORK_STOP,
} WorkKind;

struct _BscWorker
{
  GObject        parent_instance;

  /* Set before the thread starts, then read-only. */
  BscDataset    *data;
  BscConfig      config;
  guint          generation;
  GMainContext  *main_context;
  GThread       *thread;
  GCancellable  *cancellable;
  char          *checkpoint;     /* the run's autosave file */
  char          *resume;         /* a checkpoint to continue, or NULL */
  gint           unfinished;     /* atomic: the thread ended before the
                                  * last epoch (stopped, failed) */
  gint           saved;          /* atomic: checkpoint holds a model */

  /* Control block, guarded by lock. */
  GMutex         lock;
  GCond          cond;
  gboolean       paused;
  guint          pending_steps;
  gboolean       refresh;
  gboolean       stop;
  gboolean       stop_evaluate;   /* evaluate the last step before ending */
  GPtrArray     *save_tasks;      /* of GTask: Save Model requests */
  gboolean       thread_done;     /* the thread takes no more requests */
  double         lr_scale;
  gboolean       lr_changed;

  /* Main-thread state. */
  gboolean       running;
  gboolean       main_paused;

  /* Thread-side state (only the thread touches it). */
  BscTrainer    *trainer;
  BscProjector  *projector;
  GArray        *pending_points;
  BscEvalData   *eval;
  BscProbeData  *probe;
  gint64         last_publish;
  gint64         last_save;     /* when the model was last saved */
  gint64         last_rate_time;
  guint64        last_rate_step;
  double         rate;
  gint64         last_probe;
  gint64         last_eval;     /* when the last evaluation ended */
  gint64         eval_cost;     /* how long it took, microseconds */
  gint64         probe_interval; /* microseconds between routine probes */
  double         tau_a;         /* of the last step */
  gint64         train_start;  /* when the first step began */
  guint64        start_step;
  gint           in_flight;   /* atomic: step snapshots not yet delivered */
};

G_DEFINE_FINAL_TYPE (BscWorker, bsc_worker, G_TYPE_OBJECT)

enum { SIGNAL_SNAPSHOT, SIGNAL_FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];
static guint next_generation = 1;

typedef struct
{
  BscWorker   *worker;
  BscSnapshot *snapshot;
  gboolean     counted;
} Delivery;

/* Set when the session ends (SIGTERM): runs cut short keep their model. */
static gboolean keep_unfinished;

void
bsc_worker_keep_unfinished (void)
{
  keep_unfinished = TRUE;
}

static void
bsc_worker_finalize (GObject *object)
{
  BscWorker *self = BSC_WORKER (object);

  g_assert (self->thread == NULL);
  /* The autosave outlives only a crash, or a run the session's end cut
   * short: a run that ends normally takes its file along (Save Model
   * keeps a copy). */
  if (self->checkpoint != NULL
      && !(keep_unfinished && g_atomic_int_get (&self->unfinished)))
    g_unlink (self->checkpoint);
  g_free (self->checkpoint);
  g_free (self->resume);
  g_clear_pointer (&self->save_tasks, g_ptr_array_unref);
  g_clear_pointer (&self->data, bsc_dataset_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (bsc_worker_parent_class)->finalize (object);
}

static void
bsc_worker_class_init (BscWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bsc_worker_finalize;

  /* snapshot (BscSnapshot *): a new immutable snapshot, main thread. */
  signals[SIGNAL_SNAPSHOT] =
    g_signal_new ("snapshot", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* finished: the thread has ended (after the last snapshot). */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bsc_worker_init (BscWorker *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->lr_scale = 1.0;
  self->cancellable = g_cancellable_new ();
  self->save_tasks = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Where runs save their model: one file each, run-PID-GENERATION. */
static char *
autosave_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "bootsc-explorer",
                           "autosave", NULL);
}

BscWorker *
bsc_worker_new (BscDataset      *data,
                const BscConfig *config)
{
  BscWorker *self;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (BSC_TYPE_WORKER, NULL);
  self->data = bsc_dataset_ref (data);
  self->config = *config;
  self->generation = next_generation++;
  {
    g_autofree char *dir = autosave_dir ();
    g_autofree char *name = g_strdup_printf ("run-%d-%u.safetensors",
                                             (int) getpid (), self->generation);

    self->checkpoint = g_build_filename (dir, name, NULL);
  }
  return self;
}

BscWorker *
bsc_worker_new_resumed (BscDataset  *data,
                        const char  *checkpoint,
                        GError     **error)
{
  BscConfig config;
  BscWorker *self;

  g_return_val_if_fail (data != NULL && checkpoint != NULL, NULL);

  if (!bsc_checkpoint_read_config (checkpoint, &config, error))
    return NULL;
  self = bsc_worker_new (data, &config);
  self->resume = g_strdup (checkpoint);
  return self;
}

gboolean
bsc_worker_is_resumed (BscWorker *self)
{
  g_return_val_if_fail (BSC_IS_WORKER (self), FALSE);

  return self->resume != NULL;
}

/* ---- the model's checkpoint ----------------------------------------- */

/* Autosaves older than this, left by crashed runs, are removed. */
#define ORPHAN_MAX_AGE (30 * G_TIME_SPAN_DAY)

char *
bsc_worker_find_orphan (void)
{
  g_autofree char *dir = autosave_dir ();
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  gint64 now = g_get_real_time (), newest = 0;
  char *found = NULL;
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      int pid = 0;
      GStatBuf st;

      /* run-PID-GENERATION.safetensors of a process that is gone */
      if (sscanf (name, "run-%d-", &pid) != 1 || pid <= 0
          || !g_str_has_suffix (name, ".safetensors")
          || (kill (pid, 0) == 0 || errno != ESRCH)
          || g_stat (path, &st) != 0)
        continue;
      if (now - (gint64) st.st_mtime * G_USEC_PER_SEC > ORPHAN_MAX_AGE)
        {
          g_unlink (path);
          continue;
        }
      if ((gint64) st.st_mtime > newest)
        {
          newest = st.st_mtime;
          g_free (found);
          found = g_steal_pointer (&path);
        }
    }
  return found;
}

const char *
bsc_worker_get_checkpoint (BscWorker *self)
{
  g_return_val_if_fail (BSC_IS_WORKER (self), NULL);

  return g_atomic_int_get (&self->saved) ? self->checkpoint : NULL;
}

void
bsc_worker_save_model_async (BscWorker           *self,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gboolean queued = FALSE;

  g_return_if_fail (BSC_IS_WORKER (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_name (task, "[bsc] save model");
  g_mutex_lock (&self->lock);
  if (self->thread != NULL && !self->thread_done)
    {
      g_ptr_array_add (self->save_tasks, g_object_ref (task));
      g_cond_signal (&self->cond);
      queued = TRUE;
    }
  g_mutex_unlock (&self->lock);
  if (queued)
    return;
  /* the run has ended: its last save is all there is */
  if (bsc_worker_get_checkpoint (self) != NULL)
    g_task_return_pointer (task, g_strdup (self->checkpoint), g_free);
  else
    g_task_return_new_error (task, BSC_ERROR, BSC_ERROR_FAILED,
                             _("This run has no model to save"));
}

char *
bsc_worker_save_model_finish (BscWorker     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- main thread side ------------------------------------------------ */

static gboolean
deliver_cb (gpointer user_data)
{
  Delivery *d = user_data;

  /* main_paused follows the person's actions only: a snapshot queued
   * before a resume still says "paused". */
  if (d->counted)
    g_atomic_int_dec_and_test (&d->worker->in_flight);
  g_signal_emit (d->worker, signals[SIGNAL_SNAPSHOT], 0, d->snapshot);
  return G_SOURCE_REMOVE;
}

static void
delivery_free (gpointer user_data)
{
  Delivery *d = user_data;

  bsc_snapshot_unref (d->snapshot);
  g_free (d);
}

static gboolean
finished_cb (gpointer user_data)
{
  BscWorker *self = user_data;

  g_thread_join (g_steal_pointer (&self->thread));
  self->running = FALSE;
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
  g_object_unref (self);   /* the thread's reference */
  return G_SOURCE_REMOVE;
}

static gpointer train_worker (gpointer data);

/* Always through an idle source: g_main_context_invoke () would run the
 * function right here in the worker when the default context happens to
 * be free, since it is every thread's default. */
static void
post_to_main (BscWorker      *self,
              GSourceFunc     func,
              gpointer        data,
              GDestroyNotify  notify)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[bsc-worker] deliver");
  g_source_attach (source, self->main_context);
  g_source_unref (source);
}

void
bsc_worker_start (BscWorker *self,
                  gboolean   start_paused)
{
  g_return_if_fail (BSC_IS_WORKER (self));
  g_return_if_fail (self->thread == NULL && !self->running);

  self->main_context = g_main_context_ref_thread_default ();
  self->paused = start_paused;
  self->main_paused = start_paused;
  self->running = TRUE;
  self->thread = g_thread_new ("bsc-train", train_worker, g_object_ref (self));
}

static void
control_update (BscWorker *self,
                gboolean   paused,
                guint      add_steps,
                gboolean   refresh)
{
  g_mutex_lock (&self->lock);
  self->paused = paused;
  self->pending_steps += add_steps;
  self->refresh |= refresh;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
bsc_worker_pause (BscWorker *self)
{
  g_return_if_fail (BSC_IS_WORKER (self));

  self->main_paused = TRUE;
  control_update (self, TRUE, 0, TRUE);
}

void
bsc_worker_resume (BscWorker *self)
{
  g_return_if_fail (BSC_IS_WORKER (self));

  self->main_paused = FALSE;
  control_update (self, FALSE, 0, FALSE);
}

void
bsc_worker_step (BscWorker *self)
{
  g_return_if_fail (BSC_IS_WORKER (self));

  self->main_paused = TRUE;
  control_update (self, TRUE, 1, FALSE);
}

void
bsc_worker_stop (BscWorker *self)
{
  g_return_if_fail (BSC_IS_WORKER (self));

  g_mutex_lock (&self->lock);
  self->stop = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_cancellable_cancel (self->cancellable);
}

void
bsc_worker_finish (BscWorker *self)
{
  g_return_if_fail (BSC_IS_WORKER (self));

  /* No cancel: a running evaluation completes, the step in hand too. */
  g_mutex_lock (&self->lock);
  self->stop = TRUE;
  self->stop_evaluate = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
bsc_worker_set_lr_scale (BscWorker *self,
                         double     scale)
{
  g_return_if_fail (BSC_IS_WORKER (self));
  g_return_if_fail (scale > 0);

  g_mutex_lock (&self->lock);
  self->lr_scale = scale;
  self->lr_changed = TRUE;
  g_mutex_unlock (&self->lock);
}

guint
bsc_worker_get_generation (BscWorker *self)
{
  g_return_val_if_fail (BSC_IS_WORKER (self), 0);

  return self->generation;
}

gboolean
bsc_worker_is_paused (BscWorker *self)
{
  g_return_val_if_fail (BSC_IS_WORKER (self), FALSE);

  return self->main_paused;
}

gboolean
bsc_worker_is_running (BscWorker *self)
{
  g_return_val_if_fail (BSC_IS_WORKER (self), FALSE);

  return self->running;
}

BscDataset *
bsc_worker_get_dataset (BscWorker *self)
{
  g_return_val_if_fail (BSC_IS_WORKER (self), NULL);

  return self->data;
}

const BscConfig *
bsc_worker_get_config (BscWorker *self)
{
  g_return_val_if_fail (BSC_IS_WORKER (self), NULL);

  return &self->config;
}

/* ---- thread side ----------------------------------------------------- */

static void
update_rate (BscWorker *self,
             gint64     now)
{
  guint64 step = bsc_trainer_get_step (self->trainer);
  double dt = (now - self->last_rate_time) / (double) G_USEC_PER_SEC;
  double r;

  if (self->last_rate_time == 0 || step < self->last_rate_step || dt <= 0)
    goto reset;
  if (dt < 0.5)
    return;
  r = (step - self->last_rate_step) / dt;
  self->rate = self->rate > 0 ? 0.5 * self->rate + 0.5 * r : r;
reset:
  self->last_rate_time = now;
  self->last_rate_step = step;
}

/* Queues a snapshot.  Routine (unforced) snapshots are skipped while one
 * is still waiting on the main thread or the interval has not passed; the
 * curve points keep accumulating for the next one. */
static void
publish (BscWorker   *self,
         BscRunState  state,
         gboolean     force,
         GError      *error)
{
  gint64 now = g_get_monotonic_time ();
  BscSnapshot *snap;
  Delivery *d;

  if (!force && (now - self->last_publish < PUBLISH_INTERVAL
                 || g_atomic_int_get (&self->in_flight) > 0))
    return;

  snap = bsc_snapshot_new ();
  snap->generation = self->generation;
  snap->state = state;
  snap->error = error;
  snap->epochs = self->config.epochs;
  if (self->trainer != NULL)
    {
      if (state == BSC_RUN_RUNNING)
        update_rate (self, now);
      snap->step = bsc_trainer_get_step (self->trainer);
      snap->total_steps = bsc_trainer_get_total_steps (self->trainer);
      snap->epoch = bsc_trainer_get_epoch (self->trainer);
      snap->lr = bsc_trainer_get_lr (self->trainer);
    }
  snap->steps_per_second = self->rate;
  if (self->rate <= 0 && self->trainer != NULL && self->train_start > 0
      && now > self->train_start)
    snap->steps_per_second = (snap->step - self->start_step)
                             / ((now - self->train_start) / (double) G_USEC_PER_SEC);
  g_array_unref (snap->points);
  snap->points = g_steal_pointer (&self->pending_points);
  self->pending_points = g_array_new (FALSE, FALSE, sizeof (BscCurvePoint));
  snap->eval = self->eval ? bsc_eval_data_ref (self->eval) : NULL;
  snap->probe = self->probe ? bsc_probe_data_ref (self->probe) : NULL;

  d = g_new0 (Delivery, 1);
  d->worker = self;
  d->snapshot = snap;
  d->counted = !force;
  if (d->counted)
    g_atomic_int_inc (&self->in_flight);
  self->last_publish = now;
  post_to_main (self, deliver_cb, d, delivery_free);
}

static BscEvalData *
eval_data_from (BscWorker     *self,
                BscEvaluation *ev,
                guint          serial)
{
  BscEvalData *e = bsc_eval_data_new (ev->n_samples, ev->n_clusters);
  g_autoptr(GError) error = NULL;

  e->serial = serial;
  e->epoch = ev->epoch;
  e->step = ev->step;
  memcpy (e->clusters, ev->clusters, ev->n_samples * sizeof (gint32));
  memcpy (e->confidence, ev->confidence, ev->n_samples * sizeof (float));
  memcpy (e->cluster_sizes, ev->cluster_sizes, ev->n_clusters * sizeof (gsize));
  e->has_metrics = ev->has_metrics;
  e->acc = ev->acc;
  e->nmi = ev->nmi;
  e->ari = ev->ari;
  e->changed = ev->changed;

  gint64 t0 = g_get_monotonic_time ();

  e->points = g_new (float, ev->n_samples * 2);
  e->proto_points = g_new (float, ev->n_clusters * 2);
  /* The map view lays these out as neighbourhoods in its own thread;
   * without the memory it keeps to the linear map. */
  e->embed_dim = ev->embed_dim;
  e->rows = g_try_new (float, ev->n_samples * ev->embed_dim);
  e->proto_rows = g_new (float, (gsize) ev->n_clusters * ev->embed_dim);
  if (!bsc_projector_update_rows (self->projector, ev->embeddings, ev->n_samples,
                                  ev->embed_dim, ev->prototypes, ev->n_clusters,
                                  e->points, e->proto_points, e->rows,
                                  e->proto_rows, &error))
    {
      g_debug ("Projection failed: %s", error->message);
      g_clear_pointer (&e->points, g_free);
      g_clear_pointer (&e->proto_points, g_free);
      g_clear_pointer (&e->rows, g_free);
    }
  if (e->rows == NULL)
    g_clear_pointer (&e->proto_rows, g_free);
  g_debug ("projection took %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  return e;
}

static gboolean
evaluate (BscWorker  *self,
          GError    **error)
{
  g_autoptr(BscEvaluation) ev = NULL;
  guint serial = self->eval ? self->eval->serial + 1 : 1;
  gint64 t0 = g_get_monotonic_time ();

  ev = bsc_trainer_evaluate (self->trainer, self->cancellable, error);
  if (ev == NULL)
    return FALSE;
  g_clear_pointer (&self->eval, bsc_eval_data_unref);
  self->eval = eval_data_from (self, ev, serial);
  self->last_eval = g_get_monotonic_time ();
  self->eval_cost = self->last_eval - t0;
  g_debug ("evaluation and projection took %.1f ms", self->eval_cost / 1000.0);
  return TRUE;
}

static gboolean
probe (BscWorker  *self,
       GError    **error)
{
  g_autoptr(BscProbe) p = NULL;
  gint64 t0 = g_get_monotonic_time ();
  BscProbeData *d;
  gsize bb;

  p = bsc_trainer_probe (self->trainer, error);
  if (p == NULL)
    return FALSE;
  bb = (gsize) p->batch * p->batch;
  d = bsc_probe_data_new (p->batch);
  d->serial = self->probe ? self->probe->serial + 1 : 1;
  d->step = bsc_trainer_get_step (self->trainer);
  memcpy (d->indices, p->indices, p->batch * sizeof (gsize));
  memcpy (d->affinity, p->affinity, bb * sizeof (float));
  memcpy (d->target, p->target, bb * sizeof (float));
  memcpy (d->clusters, p->clusters, p->batch * sizeof (gint32));
  d->tau_a = self->tau_a > 0 ? self->tau_a : self->config.tau_init;
  bsc_probe_difference (d->affinity, d->target, d->batch, d->tau_a, d->difference);
  g_clear_pointer (&self->probe, bsc_probe_data_unref);
  self->probe = d;
  self->last_probe = g_get_monotonic_time ();
  g_debug ("probe took %.1f ms", (self->last_probe - t0) / 1000.0);
  /* Routine probes cost at most about 2 % of the training time. */
  self->probe_interval = MAX (G_USEC_PER_SEC, 50 * (self->last_probe - t0));
  return TRUE;
}

static gboolean
refresh_views (BscWorker  *self,
               gboolean    with_eval,
               GError    **error)
{
  if (with_eval && !evaluate (self, error))
    return FALSE;
  return probe (self, error);
}

static WorkKind
next_work (BscWorker *self)
{
  WorkKind kind;

  g_mutex_lock (&self->lock);
  while (!self->stop && self->paused && self->pending_steps == 0
         && !self->refresh && self->save_tasks->len == 0)
    g_cond_wait (&self->cond, &self->lock);
  if (self->stop)
    kind = WORK_STOP;
  else if (self->save_tasks->len > 0)
    kind = WORK_SAVE;
  else if (self->refresh)
    kind = WORK_REFRESH;
  else if (self->paused)
    kind = WORK_STEP;
  else
    kind = WORK_RUN;
  if (kind == WORK_REFRESH)
    self->refresh = FALSE;
  if (kind == WORK_STEP)
    self->pending_steps--;
  if (self->lr_changed && self->trainer != NULL)
    bsc_trainer_set_lr_scale (self->trainer, self->lr_scale);
  self->lr_changed = FALSE;
  g_mutex_unlock (&self->lock);
  return kind;
}

/* An evaluation is due when the training since the last one took at
 * least cost / EVAL_BUDGET: long epochs evaluate at every end, epochs of
 * a few steps every few ends. */
static gboolean
eval_due (BscWorker *self)
{
  gint64 since = g_get_monotonic_time () - self->last_eval;

  return self->last_eval == 0 || since * EVAL_BUDGET >= self->eval_cost;
}

/* Writes the model into the run's checkpoint (training thread). */
static gboolean
save_checkpoint (BscWorker  *self,
                 GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (self->checkpoint);
  gint64 t0 = g_get_monotonic_time ();

  if (self->trainer == NULL)
    {
      g_set_error_literal (error, BSC_ERROR, BSC_ERROR_FAILED,
                           _("This run has no model to save"));
      return FALSE;
    }
  g_mkdir_with_parents (dir, 0700);
  if (!bsc_trainer_save (self->trainer, self->checkpoint, error))
    return FALSE;
  g_atomic_int_set (&self->saved, 1);
  self->last_save = g_get_monotonic_time ();
  g_debug ("model saved in %s in %.1f ms", self->checkpoint,
           (self->last_save - t0) / 1000.0);
  return TRUE;
}

/* Answers the waiting Save Model requests with a fresh save; closing
 * marks the thread as taking no more. */
static void
answer_saves (BscWorker *self,
              gboolean   closing)
{
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_mutex_lock (&self->lock);
  tasks = g_steal_pointer (&self->save_tasks);
  self->save_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  self->thread_done |= closing;
  g_mutex_unlock (&self->lock);
  if (tasks->len == 0)
    return;
  ok = save_checkpoint (self, &error);
  for (guint i = 0; i < tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (tasks, i);

      if (ok)
        g_task_return_pointer (task, g_strdup (self->checkpoint), g_free);
      else
        g_task_return_error (task, g_error_copy (error));
    }
}

static gboolean
train_one (BscWorker  *self,
           GError    **error)
{
  BscCurvePoint pt = { 0 };
  guint spe = bsc_trainer_get_steps_per_epoch (self->trainer);
  guint every = MAX (self->config.eval_every, 1);

  if (self->train_start == 0)
    {
      self->train_start = g_get_monotonic_time ();
      self->start_step = bsc_trainer_get_step (self->trainer);
    }
  if (!bsc_trainer_step (self->trainer, &pt.stats, error))
    return FALSE;
  pt.step = bsc_trainer_get_step (self->trainer);
  self->tau_a = pt.stats.tau_a;
  g_array_append_val (self->pending_points, pt);
  if (g_get_monotonic_time () - self->last_save > AUTOSAVE_US)
    {
      g_autoptr(GError) local = NULL;

      /* a full disk costs the autosave, not the run */
      if (!save_checkpoint (self, &local))
        {
          g_warning ("Could not save the model: %s", local->message);
          self->last_save = g_get_monotonic_time ();
        }
    }

  /* Evaluate at every eval_every-th epoch end whose time has come, and
   * at the last step. */
  if ((pt.step % spe == 0 && (pt.step / spe) % every == 0
       && eval_due (self))
      || bsc_trainer_is_finished (self->trainer))
    return refresh_views (self, TRUE, error);
  if (g_get_monotonic_time () - self->last_probe > self->probe_interval)
    return probe (self, error);
  return TRUE;
}

/* Stop: the views and exports show the model as training left it, not
 * an evaluation epochs old (or the untrained one). */
static gboolean
stop_evaluation (BscWorker  *self,
                 GError    **error)
{
  gboolean wanted;

  g_mutex_lock (&self->lock);
  wanted = self->stop_evaluate;
  g_mutex_unlock (&self->lock);
  if (!wanted || (self->eval != NULL
                  && self->eval->step == bsc_trainer_get_step (self->trainer)))
    return TRUE;
  return refresh_views (self, TRUE, error);
}

static gboolean
run_loop (BscWorker  *self,
          GError    **error)
{
  while (!bsc_trainer_is_finished (self->trainer))
    {
      WorkKind kind = next_work (self);
      gboolean small = self->data->n_samples <= EVAL_ON_STEP_MAX_SAMPLES;

      if (kind == WORK_STOP)
        return stop_evaluation (self, error);
      if (kind == WORK_SAVE)
        {
          answer_saves (self, FALSE);
          continue;
        }
      if (kind != WORK_RUN)
        {
          /* steps/s measures running time only: a pause, a single step
           * or a refresh starts the measurement afresh. */
          self->train_start = 0;
          self->last_rate_time = 0;
        }
      if (kind == WORK_REFRESH)
        {
          if (!refresh_views (self, small, error))
            return FALSE;
          publish (self, BSC_RUN_PAUSED, TRUE, NULL);
          continue;
        }
      if (!train_one (self, error))
        return FALSE;
      if (kind == WORK_STEP)
        {
          if (small && !refresh_views (self, TRUE, error))
            return FALSE;
          publish (self, BSC_RUN_PAUSED, TRUE, NULL);
        }
      else
        publish (self, BSC_RUN_RUNNING, FALSE, NULL);
    }
  return TRUE;
}

static void
finish (BscWorker *self,
        GError    *error)
{
  BscRunState state;

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_clear_error (&error);
  if (error != NULL && g_error_matches (error, BSC_ERROR, BSC_ERROR_CANCELLED))
    g_clear_error (&error);

  if (error != NULL)
    state = BSC_RUN_FAILED;
  else if (self->trainer != NULL && bsc_trainer_is_finished (self->trainer))
    state = BSC_RUN_FINISHED;
  else
    state = BSC_RUN_STOPPED;
  g_atomic_int_set (&self->unfinished, state != BSC_RUN_FINISHED);
  publish (self, state, TRUE, error);
}

/* The run itself: a trainer, a first look for the views, then the loop. */
static void
run (BscWorker  *self,
     GError    **error)
{
  gboolean small = self->data->n_samples <= EVAL_ON_STEP_MAX_SAMPLES;
  gboolean paused;
  gint64 t0 = g_get_monotonic_time ();

  self->trainer = self->resume != NULL
                  ? bsc_trainer_load (self->data, self->resume, error)
                  : bsc_trainer_new (self->data, &self->config, error);
  if (self->trainer == NULL)
    return;
  g_debug ("network made in %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  self->last_save = g_get_monotonic_time ();
  g_mutex_lock (&self->lock);
  paused = self->paused;
  bsc_trainer_set_lr_scale (self->trainer, self->lr_scale);
  self->lr_changed = FALSE;
  g_mutex_unlock (&self->lock);
  if (!refresh_views (self, small, error))
    return;
  publish (self, paused ? BSC_RUN_PAUSED : BSC_RUN_RUNNING, TRUE, NULL);
  g_debug ("first look ready after %.1f ms",
           (g_get_monotonic_time () - t0) / 1000.0);
  run_loop (self, error);
  g_debug ("run ended after %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
}

static gpointer
train_worker (gpointer data)
{
  BscWorker *self = data;
  GError *error = NULL;

  /* Not niced: OpenBLAS's helper threads keep the normal priority, and
   * a niced caller leaves them spinning while it waits for the CPU. */
  self->pending_points = g_array_new (FALSE, FALSE, sizeof (BscCurvePoint));
  self->projector = bsc_projector_new ();
  run (self, &error);
  finish (self, error);
  /* the run's last state, for Save Model after the end (and a crash) */
  if (self->trainer != NULL && bsc_trainer_get_step (self->trainer) > 0)
    {
      g_autoptr(GError) local = NULL;

      if (!save_checkpoint (self, &local))
        g_warning ("Could not save the model: %s", local->message);
    }
  answer_saves (self, TRUE);

  g_clear_pointer (&self->trainer, bsc_trainer_free);
  g_clear_pointer (&self->projector, bsc_projector_free);
  g_clear_pointer (&self->pending_points, g_array_unref);
  g_clear_pointer (&self->eval, bsc_eval_data_unref);
  g_clear_pointer (&self->probe, bsc_probe_data_unref);
  post_to_main (self, finished_cb, self, NULL);
  return NULL;
}
