/* bsc-trainer.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The training driver around BscModel: one call, one batch.
 *   order      each epoch a fresh permutation of 0..n-1 (Fisher-Yates from
 *              the shuffle stream); steps_per_epoch = n / B, the last
 *              incomplete batch is dropped;
 *   views      x_v = mask (x + N (0, noise_std^2)) per element, mask
 *              zeroing with probability mask_prob, independently for the
 *              two views; every (step, view, row) draws from its own
 *              stream derived from the augmentation seed, so rows are
 *              filled in parallel and the result never depends on the
 *              thread count;
 *   schedule   lr (e) = base * (1 - e / epochs) * lr_scale for the e-th
 *              epoch (0-based), constant within an epoch;
 *   evaluation eval-mode inference of all samples in chunks: cluster,
 *              confidence max softmax (P / tau_c), embeddings, metrics.
 * A failed step leaves the trainer and the model as they were.
 */

#define _GNU_SOURCE   /* sincosf */
#include <math.h>
#include <string.h>

#include "bsc-error.h"
#include "bsc-metrics.h"
#include "bsc-parallel.h"
#include "bsc-trainer-private.h"

#define EVAL_CHUNK 1024

static guint64
mix64 (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return x ^ (x >> 31);
}

guint64
_bsc_trainer_stream_seed (guint64   seed,
                          BscStream stream)
{
  return mix64 (seed ^ mix64 ((guint64) stream));
}

/* ---- validation ---------------------------------------------------- */

static gboolean
resolve_config (BscConfig        *config,
                const BscDataset *data,
                GError          **error)
{
  if (data->n_samples == 0 || data->dim == 0)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA,
                   "The dataset %s holds no samples", data->source);
      return FALSE;
    }
  if (config->input_dim != 0 && config->input_dim != data->dim)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_DATA,
                   "The model expects %u values per sample but %s has %"
                   G_GSIZE_FORMAT, config->input_dim, data->source, data->dim);
      return FALSE;
    }
  config->input_dim = data->dim;
  if (config->n_clusters == 0)
    {
      if (data->labels == NULL || data->n_classes < 2)
        {
          g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG,
                       "The number of clusters is not set and %s has no "
                       "labels (or a single one) to take it from; set it",
                       data->source);
          return FALSE;
        }
      config->n_clusters = data->n_classes;
    }
  return bsc_config_validate (config, error);
}

static gboolean
check_enough_samples (const BscConfig  *config,
                      const BscDataset *data,
                      GError          **error)
{
  if (data->n_samples < config->embed_dim)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW,
                   "%s has %" G_GSIZE_FORMAT " samples, fewer than a batch "
                   "of this network needs: at least %u (its embedding "
                   "width); use a network with a narrower embedding",
                   data->source, data->n_samples, config->embed_dim);
      return FALSE;
    }
  if (data->n_samples < config->batch_size)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW,
                   "%s has %" G_GSIZE_FORMAT " samples, fewer than one batch "
                   "of %u; lower the batch size (it must stay at least the "
                   "embedding width, %u)", data->source, data->n_samples,
                   config->batch_size, config->embed_dim);
      return FALSE;
    }
  if (data->n_samples < config->n_clusters)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW,
                   "%s has %" G_GSIZE_FORMAT " samples, fewer than the %u "
                   "clusters asked for", data->source, data->n_samples,
                   config->n_clusters);
      return FALSE;
    }
  return TRUE;
}

/* ---- construction -------------------------------------------------- */

/* The probe: batch_size distinct samples drawn once from the seed. */
static gsize *
choose_probe (gsize   n,
              guint   batch,
              guint64 seed)
{
  g_autofree gsize *all = g_new (gsize, n);
  gsize *probe;
  BscRng rng;

  bsc_rng_init (&rng, _bsc_trainer_stream_seed (seed, BSC_STREAM_PROBE));
  for (gsize i = 0; i < n; i++)
    all[i] = i;
  for (gsize i = 0; i < batch; i++)   /* partial Fisher-Yates */
    {
      gsize j = i + (gsize) bsc_rng_below (&rng, n - i), t = all[i];

      all[i] = all[j];
      all[j] = t;
    }
  probe = g_memdup2 (all, sizeof (gsize) * batch);
  for (gsize i = 1; i < batch; i++)   /* ascending: insertion sort */
    for (gsize j = i; j > 0 && probe[j - 1] > probe[j]; j--)
      {
        gsize t = probe[j];

        probe[j] = probe[j - 1];
        probe[j - 1] = t;
      }
  return probe;
}

BscTrainer *
bsc_trainer_new (BscDataset       *data,
                 const BscConfig  *config,
                 GError          **error)
{
  g_autoptr(BscTrainer) self = NULL;
  BscConfig resolved;
  gsize n, width;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  resolved = *config;
  if (!resolve_config (&resolved, data, error)
      || !check_enough_samples (&resolved, data, error))
    return NULL;

  self = g_new0 (BscTrainer, 1);
  self->data = bsc_dataset_ref (data);
  self->config = resolved;
  self->model = bsc_model_new (&self->config, error);
  if (self->model == NULL)
    return NULL;

  n = data->n_samples;
  width = (gsize) resolved.batch_size * resolved.input_dim;
  self->steps_per_epoch = (guint) (n / resolved.batch_size);
  self->perm = g_new (gsize, n);
  self->next_perm = g_new (gsize, n);
  for (gsize i = 0; i < n; i++)
    self->perm[i] = i;
  bsc_rng_init (&self->shuffle_rng,
                _bsc_trainer_stream_seed (resolved.seed, BSC_STREAM_SHUFFLE));
  self->augment_seed = _bsc_trainer_stream_seed (resolved.seed,
                                                 BSC_STREAM_AUGMENT);
  self->lr_scale = 1.0;
  self->probe = choose_probe (n, resolved.batch_size, resolved.seed);
  /* one buffer, the views side by side: the model reads it in place */
  self->x0 = g_try_new (float, 2 * width);
  self->x1 = self->x0 != NULL ? self->x0 + width : NULL;
  if (self->x0 == NULL)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_NO_MEMORY,
                   "Out of memory for two batches of %u x %u values",
                   resolved.batch_size, resolved.input_dim);
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
bsc_trainer_free (BscTrainer *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->model, bsc_model_free);
  g_clear_pointer (&self->data, bsc_dataset_unref);
  g_free (self->perm);
  g_free (self->next_perm);
  g_free (self->probe);
  g_free (self->last_clusters);
  g_free (self->x0);   /* x1 lies in the same buffer */
  g_free (self->data_md5);
  g_free (self);
}

/* ---- accessors ----------------------------------------------------- */

const BscConfig *
bsc_trainer_get_config (BscTrainer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->config;
}

BscModel *
bsc_trainer_get_model (BscTrainer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->model;
}

BscDataset *
bsc_trainer_get_dataset (BscTrainer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->data;
}

guint
bsc_trainer_get_epoch (BscTrainer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->epoch;
}

guint64
bsc_trainer_get_step (BscTrainer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->step;
}

guint
bsc_trainer_get_steps_per_epoch (BscTrainer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->steps_per_epoch;
}

guint64
bsc_trainer_get_total_steps (BscTrainer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return (guint64) self->steps_per_epoch * self->config.epochs;
}

gboolean
bsc_trainer_is_finished (BscTrainer *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->epoch >= self->config.epochs;
}

double
bsc_trainer_get_lr (BscTrainer *self)
{
  double done;

  g_return_val_if_fail (self != NULL, 0.0);

  if (bsc_trainer_is_finished (self))
    return 0.0;
  done = (double) self->epoch / (double) self->config.epochs;
  return bsc_config_get_lr (&self->config) * (1.0 - done) * self->lr_scale;
}

void
bsc_trainer_set_lr_scale (BscTrainer *self,
                          double      scale)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (isfinite (scale) && scale >= 0.0);

  self->lr_scale = scale;
}

/* ---- augmentation -------------------------------------------------- */

typedef struct
{
  BscTrainer  *self;
  const gsize *indices;   /* batch sample indices */
  guint64      step;
} AugmentJob;

/* Fills row r of view v: each element of the data zeroed with probability
 * p, else given N (0, std^2) noise (ziggurat draws), from the row's own
 * stream. */
static void
augment_row (const BscTrainer *self,
             float            *x,
             gsize             sample,
             guint64           stream)
{
  bsc_dataset_get_row (self->data, sample, x);
  bsc_rng_noise_and_mask (stream, x, self->config.input_dim,
                          (float) self->config.noise_std,
                          self->config.mask_prob);
}

/* Rows [r0, r1) of both views; each row draws from its own stream, so the
 * result does not depend on how the rows are split. */
static void
augment_range (gsize    r0,
               gsize    r1,
               gpointer data)
{
  AugmentJob *job = data;
  BscTrainer *self = job->self;
  gsize dim = self->config.input_dim;
  guint64 base = mix64 (self->augment_seed ^ mix64 (job->step));

  for (gsize r = r0; r < r1; r++)
    {
      augment_row (self, self->x0 + r * dim, job->indices[r],
                   mix64 (base + 2 * (guint64) r));
      augment_row (self, self->x1 + r * dim, job->indices[r],
                   mix64 (base + 2 * (guint64) r + 1));
    }
}

/* Both views of the batch into x0 and x1, rows split between the engine's
 * threads. */
void
_bsc_trainer_augment_batch (BscTrainer  *self,
                            const gsize *indices,
                            guint64      step)
{
  AugmentJob job = { self, indices, step };

  _bsc_parallel_for (self->config.batch_size, 1, 0, augment_range, &job);
}

/* ---- stepping ------------------------------------------------------ */

/* The order of this step's batch: the current permutation, or at the
 * start of an epoch a fresh one in next_perm (rng advanced in *rng). */
static const gsize *
batch_order (BscTrainer *self,
             BscRng     *rng)
{
  gsize n = self->data->n_samples;

  if (self->position != 0)
    return self->perm;
  for (gsize i = 0; i < n; i++)
    self->next_perm[i] = i;
  bsc_rng_shuffle (rng, self->next_perm, n);
  return self->next_perm;
}

static void
commit_step (BscTrainer   *self,
             const BscRng *rng,
             const gsize  *order)
{
  if (order == self->next_perm)
    {
      self->next_perm = self->perm;
      self->perm = (gsize *) order;
      self->shuffle_rng = *rng;
    }
  self->step++;
  if (++self->position == self->steps_per_epoch)
    {
      self->position = 0;
      self->epoch++;
    }
}

gboolean
bsc_trainer_step (BscTrainer    *self,
                  BscStepStats  *stats,
                  GError       **error)
{
  BscRng rng;
  const gsize *order;
  BscStepStats local;
  GError *step_error = NULL;
  double lr;
  guint batch;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (bsc_trainer_is_finished (self))
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_FAILED,
                   "Training is finished (%u epochs)", self->config.epochs);
      return FALSE;
    }
  batch = self->config.batch_size;
  rng = self->shuffle_rng;
  order = batch_order (self, &rng);
  lr = bsc_trainer_get_lr (self);
  _bsc_trainer_augment_batch (self, order + (gsize) self->position * batch,
                              self->step);

  /* bsc_model_train_step rolls the model back itself when it fails. */
  if (!bsc_model_train_step (self->model, self->x0, self->x1, batch, lr,
                             stats != NULL ? stats : &local, &step_error))
    {
      g_propagate_prefixed_error (error, step_error,
                                  "Step %" G_GUINT64_FORMAT " (epoch %u): ",
                                  self->step + 1, self->epoch + 1);
      return FALSE;
    }
  if (stats != NULL)
    stats->lr = lr;
  commit_step (self, &rng, order);
  return TRUE;
}

/* ---- evaluation ---------------------------------------------------- */

/* tau_c as the next step would use it (log-temperature clamped at 0). */
static double
cluster_temperature (BscModel *model)
{
  float *s = bsc_model_tensor (model, "logit_scale", NULL);

  return s != NULL ? exp (MIN ((double) s[0], 0.0)) : 1.0;
}

/* Row r of logits (k values): cluster = argmax, confidence = the
 * winner's softmax (logits / tau). */
static void
assign (const float *logits,
        guint        k,
        double       tau,
        gint32      *cluster,
        float       *confidence)
{
  guint best = 0;
  double sum = 0.0;

  for (guint j = 1; j < k; j++)
    if (logits[j] > logits[best])
      best = j;
  for (guint j = 0; j < k; j++)
    sum += exp (((double) logits[j] - logits[best]) / tau);
  *cluster = (gint32) best;
  *confidence = (float) (1.0 / sum);
}

static BscEvaluation *
evaluation_new (BscTrainer *self)
{
  BscEvaluation *ev = g_new0 (BscEvaluation, 1);
  gsize n = self->data->n_samples;
  guint k = self->config.n_clusters, d = self->config.embed_dim;

  ev->epoch = self->epoch;
  ev->step = self->step;
  ev->n_samples = n;
  ev->n_clusters = k;
  ev->embed_dim = d;
  ev->clusters = g_new (gint32, n);
  ev->confidence = g_new (float, n);
  ev->embeddings = g_try_new (float, n * d);
  ev->logits = g_try_new (float, n * k);
  ev->prototypes = g_new (float, (gsize) k * d);
  ev->cluster_sizes = g_new0 (gsize, k);
  return ev;
}

static gboolean
infer_all (BscTrainer    *self,
           BscEvaluation *ev,
           GCancellable  *cancellable,
           GError       **error)
{
  gsize n = ev->n_samples, dim = self->config.input_dim;
  g_autofree float *x = g_new (float, EVAL_CHUNK * dim);

  for (gsize r0 = 0; r0 < n; r0 += EVAL_CHUNK)
    {
      gsize rows = MIN (EVAL_CHUNK, n - r0);

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error (error, BSC_ERROR, BSC_ERROR_CANCELLED,
                       "Evaluation cancelled");
          return FALSE;
        }
      for (gsize i = 0; i < rows; i++)
        bsc_dataset_get_row (self->data, r0 + i, x + i * dim);
      if (!bsc_model_infer (self->model, x, rows,
                            ev->embeddings + r0 * ev->embed_dim, NULL,
                            ev->logits + r0 * ev->n_clusters, error))
        return FALSE;
    }
  return TRUE;
}

static void
summarise (BscTrainer    *self,
           BscEvaluation *ev)
{
  double tau = cluster_temperature (self->model);
  gsize n = ev->n_samples;

  for (gsize i = 0; i < n; i++)
    {
      assign (ev->logits + i * ev->n_clusters, ev->n_clusters, tau,
              &ev->clusters[i], &ev->confidence[i]);
      ev->cluster_sizes[ev->clusters[i]]++;
      if (self->last_clusters != NULL)
        ev->changed += self->last_clusters[i] != ev->clusters[i];
    }
  bsc_model_get_prototypes (self->model, ev->prototypes);
  if (self->data->labels != NULL)
    {
      BscMetrics m;

      bsc_metrics_compute (self->data->labels, ev->clusters, n, &m);
      ev->has_metrics = TRUE;
      ev->acc = m.acc;
      ev->nmi = m.nmi;
      ev->ari = m.ari;
    }
  g_free (self->last_clusters);
  self->last_clusters = g_memdup2 (ev->clusters, sizeof (gint32) * n);
}

BscEvaluation *
bsc_trainer_evaluate (BscTrainer    *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(BscEvaluation) ev = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ev = evaluation_new (self);
  if (ev->embeddings == NULL || ev->logits == NULL)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_NO_MEMORY,
                   "Out of memory for the embeddings of %" G_GSIZE_FORMAT
                   " samples", ev->n_samples);
      return NULL;
    }
  if (!infer_all (self, ev, cancellable, error))
    return NULL;
  summarise (self, ev);
  return g_steal_pointer (&ev);
}

void
bsc_evaluation_free (BscEvaluation *eval)
{
  if (eval == NULL)
    return;
  g_free (eval->clusters);
  g_free (eval->confidence);
  g_free (eval->embeddings);
  g_free (eval->logits);
  g_free (eval->prototypes);
  g_free (eval->cluster_sizes);
  g_free (eval);
}

/* ---- probe --------------------------------------------------------- */

BscProbe *
bsc_trainer_probe (BscTrainer  *self,
                   GError     **error)
{
  g_autoptr(BscProbe) probe = NULL;
  g_autofree float *x = NULL, *logits = NULL;
  guint b, k, dim;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  b = self->config.batch_size;
  k = self->config.n_clusters;
  dim = self->config.input_dim;
  probe = g_new0 (BscProbe, 1);
  probe->batch = b;
  probe->indices = g_memdup2 (self->probe, sizeof (gsize) * b);
  probe->affinity = g_new (float, (gsize) b * b);
  probe->target = g_new (float, (gsize) b * b);
  probe->clusters = g_new (gint32, b);
  x = g_new (float, (gsize) b * dim);
  logits = g_new (float, (gsize) b * k);
  for (guint i = 0; i < b; i++)
    bsc_dataset_get_row (self->data, self->probe[i], x + (gsize) i * dim);

  if (!bsc_model_probe (self->model, x, b, probe->affinity, probe->target,
                        logits, error))
    return NULL;
  for (guint i = 0; i < b; i++)
    {
      float unused;

      assign (logits + (gsize) i * k, k, 1.0, &probe->clusters[i], &unused);
    }
  return g_steal_pointer (&probe);
}

void
bsc_probe_free (BscProbe *probe)
{
  if (probe == NULL)
    return;
  g_free (probe->indices);
  g_free (probe->affinity);
  g_free (probe->target);
  g_free (probe->clusters);
  g_free (probe);
}
