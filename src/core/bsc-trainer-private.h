/* bsc-trainer-private.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The trainer's state, shared by bsc-trainer.c and bsc-checkpoint.c.
 */

#pragma once

#include "bsc-rng.h"
#include "bsc-trainer.h"

G_BEGIN_DECLS

/* Streams derived from the seed; the model draws its own init stream. */
typedef enum
{
  BSC_STREAM_SHUFFLE = 1,
  BSC_STREAM_AUGMENT = 2,
  BSC_STREAM_PROBE   = 3,
} BscStream;

struct _BscTrainer
{
  BscDataset *data;
  BscConfig   config;          /* resolved: input_dim and n_clusters set */
  BscModel   *model;

  guint       steps_per_epoch; /* n_samples / batch: last batch dropped */
  guint       epoch;           /* completed epochs */
  guint64     step;            /* completed steps */
  guint       position;        /* batches of the current epoch done */
  gsize      *perm;            /* n_samples: this epoch's order */
  BscRng      shuffle_rng;     /* state before the next epoch's shuffle */
  char       *data_md5;        /* fingerprint of data's values, or NULL
                                * before the first checkpoint */
  guint64     augment_seed;    /* per-row augmentation streams derive from it */
  double      lr_scale;

  gsize      *probe;           /* batch_size sample indices, ascending */
  gint32     *last_clusters;   /* n_samples, of the last evaluation, or NULL */

  float      *x0, *x1;         /* batch x input_dim buffers for two views */
  gsize      *next_perm;       /* scratch for the next epoch's shuffle */
};

guint64 _bsc_trainer_stream_seed  (guint64      seed,
                                   BscStream    stream);
/* Fills x0 and x1 with the two augmented views of the batch rows
 * indices[0..batch) as step number step would (tests). */
void    _bsc_trainer_augment_batch (BscTrainer  *self,
                                    const gsize *indices,
                                    guint64      step);

G_END_DECLS
