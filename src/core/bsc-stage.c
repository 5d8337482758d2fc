/* bsc-stage.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parts every stage shares: its tensor specs and their PyTorch-style
 * initialisation.
 */

#include <math.h>

#include "bsc-stage.h"

void
_bsc_stage_init_base (BscStage            *self,
                      const BscStageClass *klass,
                      guint                in_dim,
                      guint                out_dim,
                      guint                max_specs)
{
  self->klass = klass;
  self->in_dim = in_dim;
  self->out_dim = out_dim;
  self->specs = g_new0 (BscTensorSpec, max_specs);
  self->n_specs = 0;
  self->values = g_new0 (float *, max_specs);
  self->grads = g_new0 (float *, max_specs);
  self->grad_bounded = g_new0 (gboolean, max_specs);
}

void
_bsc_stage_add_spec (BscStage   *self,
                     const char *name,
                     gsize       n_values,
                     gboolean    is_param,
                     BscInit     init,
                     double      arg)
{
  BscTensorSpec *s = &self->specs[self->n_specs++];

  s->name = g_strdup (name);
  s->n_values = n_values;
  s->is_param = is_param;
  s->init = init;
  s->arg = arg;
}

void
_bsc_stage_free (BscStage *self)
{
  if (self == NULL)
    return;
  self->klass->finalize (self);
  for (guint i = 0; i < self->n_specs; i++)
    g_free (self->specs[i].name);
  g_free (self->specs);
  g_free (self->values);
  g_free (self->grads);
  g_free (self->grad_bounded);
  g_free (self);
}

/* Fills v (spec->n_values) as PyTorch initialises nn.Linear and
 * nn.BatchNorm1d: weights and biases U(-1/sqrt (fan_in), 1/sqrt (fan_in))
 * (kaiming-uniform with a = sqrt 5 reduces to this), gamma 1, beta 0. */
void
_bsc_tensor_init (float               *v,
                  const BscTensorSpec *spec,
                  BscRng              *rng)
{
  double bound = spec->init == BSC_INIT_FAN_IN ? 1.0 / sqrt (spec->arg) : 0.0;

  for (gsize i = 0; i < spec->n_values; i++)
    switch (spec->init)
      {
      case BSC_INIT_ZERO:
        v[i] = 0.0f;
        break;
      case BSC_INIT_ONE:
        v[i] = 1.0f;
        break;
      case BSC_INIT_FAN_IN:
        v[i] = (float) ((2.0 * bsc_rng_uniform (rng) - 1.0) * bound);
        break;
      case BSC_INIT_CONST:
        v[i] = (float) spec->arg;
        break;
      default:
        g_assert_not_reached ();
      }
}
