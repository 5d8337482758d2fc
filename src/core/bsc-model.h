/* bsc-model.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The BootSC network (backbone -> projection head -> orthonormal
 * re-parameterisation -> row normalisation -> prototypes), its two-view
 * training step with Sinkhorn targets and SGD, and inference.  See
 * ../shared/BOOTSC.md.  The backbone is a replaceable stage (bsc-stage.h).
 *
 * Tensors are addressed by the names of the reference fixtures:
 *   parameters   bb_fc1_w bb_fc1_b bb_bn1_w bb_bn1_b bb_fc2_w bb_fc2_b
 *                bb_bn2_w bb_bn2_b ph_fc1_w ph_bn1_w ph_bn1_b ph_fc2_w
 *                ph_bn2_w ph_bn2_b proto_w proto_b logit_scale logit_scale_w
 *   gradients    "grad_" + parameter name (of the last step, before decay)
 *   momentum     "mom_" + parameter name
 *   BN state     bb_bn1_rm bb_bn1_rv bb_bn1_nbt ... ph_bn2_nbt
 *   last step    a10 h10 ... y0 o0 z0 p0 q0 p0_w q0_w dL_dy0 dL_dz0 dL_dp0
 *                (and the same ending in 1), svals0/1 when available.
 */

#pragma once

#include <glib.h>
#include "bsc-config.h"

G_BEGIN_DECLS

typedef struct _BscModel BscModel;

typedef struct
{
  double loss;           /* lambda * loss_cluster + loss_affinity */
  double loss_cluster;
  double loss_affinity;
  double tau_c;          /* exp (logit_scale) used in this step */
  double tau_a;          /* exp (logit_scale_w) */
  double lr;             /* learning rate of this step */
} BscStepStats;

/* Initialises parameters like PyTorch's defaults from the seed.
 * config->input_dim must be set. */
BscModel        *bsc_model_new          (const BscConfig *config,
                                         GError         **error);
void             bsc_model_free         (BscModel        *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BscModel, bsc_model_free)

const BscConfig *bsc_model_get_config   (BscModel        *self);

/* A named tensor (see above); NULL if the name is unknown.  n_values gets
 * its size.  The pointer stays valid for the model's life and may be
 * written (checkpoint loading, tests).  The last-step tensors (a10 ...
 * dL_dp1) hold the values of the last train step until the next call of
 * train_step, infer or probe (NULL after infer or probe), and move when a
 * larger batch than before is trained. */
float           *bsc_model_tensor       (BscModel        *self,
                                         const char      *name,
                                         gsize           *n_values);
/* Names of the tensors that make the model's whole state (parameters,
 * momentum, BN state), in a stable order; NULL-terminated, owned by the
 * model. */
const char * const *bsc_model_state_names (BscModel      *self);
/* TRUE once the momentum buffers hold a value (after the first step). */
gboolean         bsc_model_has_momentum (BscModel        *self);
void             bsc_model_set_has_momentum (BscModel    *self,
                                             gboolean     has_momentum);

/* One training step on two views (batch rows of input_dim each, already
 * augmented): forward, Sinkhorn targets, losses, backward, SGD at lr.
 * When x1 follows x0 in one buffer the step reads them in place (no copy);
 * they must then stay unchanged until it returns. */
gboolean         bsc_model_train_step   (BscModel        *self,
                                         const float     *x0,
                                         const float     *x1,
                                         gsize            batch,
                                         double           lr,
                                         BscStepStats    *stats,
                                         GError         **error);

/* Eval mode (BN running statistics, no re-parameterisation) on n rows.
 * Any output may be NULL: y (n x embed_dim, head output), z (n x
 * embed_dim, rows normalised), logits (n x K). */
gboolean         bsc_model_infer        (BscModel        *self,
                                         const float     *x,
                                         gsize            n,
                                         float           *y,
                                         float           *z,
                                         float           *logits,
                                         GError         **error);

/* The probe: a train-mode forward of one batch (batch statistics, polar
 * factor) that changes nothing in the model.  affinity and target are
 * batch x batch with a zero diagonal: Z Z^T and its Sinkhorn target;
 * logits batch x K.  Any output may be NULL. */
gboolean         bsc_model_probe        (BscModel        *self,
                                         const float     *x,
                                         gsize            batch,
                                         float           *affinity,
                                         float           *target,
                                         float           *logits,
                                         GError         **error);

/* Prototype rows (K x embed_dim), normalised to unit length into out. */
void             bsc_model_get_prototypes (BscModel      *self,
                                           float         *out);

/* Total floating-point operations of the matrix products of one
 * training step at this batch size (for GFLOP/s reports). */
double           bsc_model_step_flops   (BscModel        *self,
                                         gsize            batch);

G_END_DECLS
