/* bsc-trainer.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Drives training of a BscModel on a BscDataset one step at a time:
 * shuffling (last incomplete batch dropped), two-view augmentation, the
 * linear learning-rate schedule, evaluation, the probe batch, and
 * checkpoints that resume bit for bit.  The caller owns the loop (CLI,
 * GUI worker), so pausing is simply not calling bsc_trainer_step.
 * Not thread-safe: one thread drives a trainer.
 */

#pragma once

#include <gio/gio.h>
#include "bsc-config.h"
#include "bsc-dataset.h"
#include "bsc-model.h"

G_BEGIN_DECLS

typedef struct _BscTrainer BscTrainer;

typedef struct
{
  guint     epoch;          /* completed epochs when evaluated */
  guint64   step;           /* completed steps */
  gsize     n_samples;
  guint     n_clusters;
  guint     embed_dim;
  gint32   *clusters;       /* n_samples: argmax of the logits */
  float    *confidence;     /* n_samples: softmax (P / tau_c) of the winner */
  float    *embeddings;     /* n_samples x embed_dim: eval-mode head output y */
  float    *logits;         /* n_samples x n_clusters */
  float    *prototypes;     /* n_clusters x embed_dim, unit rows */
  gsize    *cluster_sizes;  /* n_clusters */
  gboolean  has_metrics;    /* the dataset has labels */
  double    acc, nmi, ari;
  gsize     changed;        /* samples whose cluster changed since the last evaluation */
} BscEvaluation;

typedef struct
{
  guint     batch;
  gsize    *indices;        /* batch sample indices (fixed for a trainer) */
  float    *affinity;       /* batch x batch, zero diagonal */
  float    *target;         /* batch x batch, its Sinkhorn target */
  gint32   *clusters;       /* batch: argmax of the probe's logits */
} BscProbe;

BscTrainer      *bsc_trainer_new            (BscDataset       *data,
                                             const BscConfig  *config,
                                             GError          **error);
void             bsc_trainer_free           (BscTrainer       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BscTrainer, bsc_trainer_free)

const BscConfig *bsc_trainer_get_config     (BscTrainer       *self);
BscModel        *bsc_trainer_get_model      (BscTrainer       *self);
BscDataset      *bsc_trainer_get_dataset    (BscTrainer       *self);

guint            bsc_trainer_get_epoch      (BscTrainer       *self); /* completed */
guint64          bsc_trainer_get_step       (BscTrainer       *self); /* completed */
guint            bsc_trainer_get_steps_per_epoch (BscTrainer  *self);
guint64          bsc_trainer_get_total_steps (BscTrainer      *self);
gboolean         bsc_trainer_is_finished    (BscTrainer       *self);
/* The learning rate the next step will use (schedule times scale). */
double           bsc_trainer_get_lr         (BscTrainer       *self);
/* Multiplies the schedule from now on (the GUI changes lr during a run). */
void             bsc_trainer_set_lr_scale   (BscTrainer       *self,
                                             double            scale);

/* One batch.  Returns FALSE with error on a numeric failure (the model
 * is left as it was before the step, so the run can still be saved). */
gboolean         bsc_trainer_step           (BscTrainer       *self,
                                             BscStepStats     *stats,
                                             GError          **error);

BscEvaluation   *bsc_trainer_evaluate       (BscTrainer       *self,
                                             GCancellable     *cancellable,
                                             GError          **error);
void             bsc_evaluation_free        (BscEvaluation    *eval);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BscEvaluation, bsc_evaluation_free)

BscProbe        *bsc_trainer_probe          (BscTrainer       *self,
                                             GError          **error);
void             bsc_probe_free             (BscProbe         *probe);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BscProbe, bsc_probe_free)

/* Checkpoints (safetensors: every model tensor, the trainer's position,
 * RNG state and the configuration as metadata). */
gboolean         bsc_trainer_save           (BscTrainer       *self,
                                             const char       *path,
                                             GError          **error);
BscTrainer      *bsc_trainer_load           (BscDataset       *data,
                                             const char       *path,
                                             GError          **error);
/* Reads only the configuration stored in a checkpoint. */
gboolean         bsc_checkpoint_read_config (const char       *path,
                                             BscConfig        *config,
                                             GError          **error);

G_END_DECLS
