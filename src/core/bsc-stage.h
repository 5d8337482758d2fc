/* bsc-stage.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Private to the engine: a network stage (the backbone, the projection
 * head) behind a small vtable, so a convolutional backbone can replace the
 * MLP without touching the head, the losses or the trainer.
 *
 * A stage declares its tensors (parameters and buffers such as BN running
 * statistics) as specs; the model lays them out in its contiguous
 * parameter, gradient, momentum and buffer blocks and hands each stage
 * pointers into them (values[i], grads[i]; grads[i] is NULL for buffers).
 * The stage owns its activations.  forward() processes `rows` rows made of
 * `groups` equal batches (the two views are stacked, each normalised with
 * its own batch statistics, view 0 first); the input pointer must stay
 * valid until backward().  backward() writes the gradients and may mark
 * those it checked in grad_bounded.
 */

#pragma once

#include <glib.h>

#include "bsc-rng.h"

G_BEGIN_DECLS

typedef enum
{
  BSC_STAGE_TRAIN,  /* batch statistics, running statistics updated */
  BSC_STAGE_PROBE,  /* batch statistics, nothing updated */
  BSC_STAGE_EVAL,   /* running statistics */
} BscStageMode;

typedef enum
{
  BSC_INIT_ZERO,
  BSC_INIT_ONE,
  BSC_INIT_FAN_IN,  /* U(-1/sqrt (arg), 1/sqrt (arg)), PyTorch's Linear */
  BSC_INIT_CONST,   /* arg */
} BscInit;

typedef struct
{
  char     *name;
  gsize     n_values;
  gboolean  is_param;
  BscInit   init;
  double    arg;
} BscTensorSpec;

typedef struct _BscStage BscStage;

typedef struct
{
  const char  *type_name;
  void         (*finalize)   (BscStage     *self);
  /* Allocates activations for up to rows rows. */
  gboolean     (*reserve)    (BscStage     *self,
                              gsize         rows,
                              GError      **error);
  /* Returns the output (rows x out_dim), owned by the stage. */
  const float *(*forward)    (BscStage     *self,
                              const float  *x,
                              gsize         rows,
                              guint         groups,
                              BscStageMode  mode);
  /* dout (rows x out_dim) is used as scratch; dx (rows x in_dim) is
   * written when not NULL. */
  void         (*backward)   (BscStage     *self,
                              float        *dout,
                              gsize         rows,
                              guint         groups,
                              float        *dx);
  /* A named activation of the last forward (all rows); width gets its
   * row length. */
  float       *(*activation) (BscStage     *self,
                              const char   *name,
                              gsize        *width);
  /* Multiply-add FLOPs of the matrix products of one forward (and of the
   * backward too when train) over rows rows. */
  double       (*flops)      (BscStage     *self,
                              gsize         rows,
                              gboolean      train,
                              gboolean      need_dx);
} BscStageClass;

struct _BscStage
{
  const BscStageClass *klass;
  guint          in_dim;
  guint          out_dim;
  BscTensorSpec *specs;
  guint          n_specs;
  float        **values;   /* n_specs, set by the model */
  float        **grads;    /* n_specs, NULL entries for buffers */
  /* n_specs: TRUE where backward() found the gradient finite and below
   * 2^BSC_GRAD_LIMIT_EXP as it wrote it (the model clears them before
   * and checks the others itself) */
  gboolean      *grad_bounded;
};

void      _bsc_stage_init_base (BscStage            *self,
                                const BscStageClass *klass,
                                guint                in_dim,
                                guint                out_dim,
                                guint                max_specs);
void      _bsc_stage_add_spec  (BscStage            *self,
                                const char          *name,
                                gsize                n_values,
                                gboolean             is_param,
                                BscInit              init,
                                double               arg);
void      _bsc_stage_free      (BscStage            *self);
void      _bsc_tensor_init     (float               *v,
                                const BscTensorSpec *spec,
                                BscRng              *rng);

/* The MLP stage: blocks Linear (+bias) -> BatchNorm -> ReLU; the last
 * block's ReLU is optional.  dims has n_blocks + 1 entries; names has
 * 2 n_blocks activation names (pre-BN, post-BN/ReLU of each block). */
BscStage *_bsc_mlp_stage_new   (const char          *prefix,
                                const guint         *dims,
                                guint                n_blocks,
                                gboolean             bias,
                                gboolean             last_relu,
                                const char * const  *names);

G_END_DECLS
