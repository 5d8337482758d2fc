/* bsc-mlp.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The MLP stage over feature vectors: n blocks of Linear -> BatchNorm1d ->
 * ReLU, used both as the backbone (with biases) and as the projection head
 * (no biases, no final ReLU).  Linear products run once over the stacked
 * views (rows = groups x batch); BatchNorm statistics are per group.
 * Activations kept for backward: a (pre-BN) and h (output) of each block,
 * and each group's mean and 1/std in double.
 *
 * In training, where the AVX-512 products run, a block followed by another
 * in the stage does not write h: the next block's products read a through
 * the BatchNorm's map (scale, shift and ReLU as it packs them: the same
 * bits), which spares a pass writing h and one reading it back.  h is
 * computed when asked for by name (the fixtures, the probe).
 */

#include <math.h>
#include <string.h>

#include "bsc-error.h"
#include "bsc-gemm-private.h"
#include "bsc-layers.h"
#include "bsc-parallel.h"
#include "bsc-stage.h"

#define BN_MOMENTUM 0.1
#define MAX_GROUPS 2

typedef struct
{
  guint   w, b, gamma, beta, rm, rv, nbt;   /* spec indices; b G_MAXUINT */
  char   *name_a;
  char   *name_h;
  float  *a;       /* rows x out */
  float  *h;       /* rows x out */
  double *mean;    /* MAX_GROUPS x out */
  double *invstd;  /* MAX_GROUPS x out */
  float  *scale;   /* MAX_GROUPS x out: the BatchNorm's map a -> h */
  float  *shift;
  gboolean lazy;   /* the last forward left h unwritten */
} Block;

typedef struct
{
  BscStage     parent;
  guint        n_blocks;
  guint       *dims;
  gboolean     last_relu;
  Block       *blocks;
  const float *x;
  gsize        rows;      /* of the last forward */
  guint        groups;
  gsize        cap;
  float       *scratch[2];
} BscMlpStage;

static void
mlp_free_buffers (BscMlpStage *self)
{
  for (guint i = 0; i < self->n_blocks; i++)
    {
      g_clear_pointer (&self->blocks[i].a, g_free);
      g_clear_pointer (&self->blocks[i].h, g_free);
    }
  g_clear_pointer (&self->scratch[0], g_free);
  g_clear_pointer (&self->scratch[1], g_free);
  self->cap = 0;
}

static void
mlp_finalize (BscStage *stage)
{
  BscMlpStage *self = (BscMlpStage *) stage;

  mlp_free_buffers (self);
  for (guint i = 0; i < self->n_blocks; i++)
    {
      Block *b = &self->blocks[i];

      g_free (b->name_a);
      g_free (b->name_h);
      g_free (b->mean);
      g_free (b->invstd);
      g_free (b->scale);
    }
  g_free (self->blocks);
  g_free (self->dims);
}

static gboolean
mlp_reserve (BscStage  *stage,
             gsize      rows,
             GError   **error)
{
  BscMlpStage *self = (BscMlpStage *) stage;
  gsize widest = 1;
  gboolean ok = TRUE;

  if (rows <= self->cap)
    return TRUE;
  mlp_free_buffers (self);
  for (guint i = 0; i < self->n_blocks; i++)
    {
      gsize n = rows * self->dims[i + 1];

      self->blocks[i].a = _bsc_big_alloc (n * sizeof (float));
      self->blocks[i].h = _bsc_big_alloc (n * sizeof (float));
      ok = ok && self->blocks[i].a != NULL && self->blocks[i].h != NULL;
      if (i > 0)
        widest = MAX (widest, self->dims[i]);
    }
  for (guint k = 0; k < 2; k++)
    {
      self->scratch[k] = _bsc_big_alloc (rows * widest * sizeof (float));
      ok = ok && self->scratch[k] != NULL;
    }
  if (!ok)
    {
      mlp_free_buffers (self);
      g_set_error (error, BSC_ERROR, BSC_ERROR_NO_MEMORY,
                   "Out of memory for the activations of %" G_GSIZE_FORMAT
                   " rows", rows);
      return FALSE;
    }
  self->cap = rows;
  return TRUE;
}

/* One block: a = x W^T (+ b); per group BN; h = ReLU (BN (a)) (or BN). */
/* Block i's input: the stage's x, block i - 1's h, or its a and map
 * (into *map) when its h was not written. */
static const float *
block_input (BscMlpStage *self,
             guint        i,
             BscBnMap    *map,
             gboolean    *mapped)
{
  const Block *p = i > 0 ? &self->blocks[i - 1] : NULL;

  *mapped = p != NULL && p->lazy;
  if (p == NULL)
    return self->x;
  if (!p->lazy)
    return p->h;
  *map = (BscBnMap) { p->scale, p->shift, self->rows / self->groups, TRUE };
  return p->a;
}

static void
block_forward (BscMlpStage  *self,
               guint         i,
               gsize         rows,
               guint         groups,
               BscStageMode  mode)
{
  BscStage *st = &self->parent;
  Block *b = &self->blocks[i];
  gsize in = self->dims[i], out = self->dims[i + 1], n = rows / groups;
  gboolean relu = i + 1 < self->n_blocks || self->last_relu;
  const float *bias = b->b == G_MAXUINT ? NULL : st->values[b->b];
  BscBnMap map;
  gboolean mapped;
  const float *x = block_input (self, i, &map, &mapped);

  bsc_linear_forward (b->a, x, mapped ? &map : NULL, st->values[b->w], bias,
                      rows, in, out);
  if (mode == BSC_STAGE_EVAL)
    {
      bsc_bn_forward_eval (b->h, b->a, st->values[b->gamma],
                           st->values[b->beta], st->values[b->rm],
                           st->values[b->rv], rows, out, relu);
      b->lazy = FALSE;
      return;
    }
  /* h not written where the next block reads a through the map */
  b->lazy = i + 1 < self->n_blocks && relu && _bsc_gemm_avx512_usable ();
  bsc_bn_forward_train (b->lazy ? NULL : b->h, b->mean, b->invstd, b->a,
                        st->values[b->gamma], st->values[b->beta], n, groups,
                        out, relu,
                        mode == BSC_STAGE_TRAIN ? st->values[b->rm] : NULL,
                        mode == BSC_STAGE_TRAIN ? st->values[b->rv] : NULL,
                        BN_MOMENTUM, b->scale, b->shift);
  if (mode == BSC_STAGE_TRAIN)
    st->values[b->nbt][0] += (float) groups;
}

static const float *
mlp_forward (BscStage     *stage,
             const float  *x,
             gsize         rows,
             guint         groups,
             BscStageMode  mode)
{
  BscMlpStage *self = (BscMlpStage *) stage;

  g_assert (rows <= self->cap && groups >= 1 && groups <= MAX_GROUPS);
  g_assert (rows % groups == 0);

  self->x = x;
  self->rows = rows;
  self->groups = groups;
  for (guint i = 0; i < self->n_blocks; i++)
    block_forward (self, i, rows, groups, mode);
  /* the last block writes h: it is the stage's output */
  return self->blocks[self->n_blocks - 1].h;
}

/* g (rows x out of block i) holds dL/dh; dx (rows x in) gets dL/dx. */
static void
block_backward (BscMlpStage *self,
                guint        i,
                float       *g,
                gsize        rows,
                guint        groups,
                float       *dx)
{
  BscStage *st = &self->parent;
  Block *b = &self->blocks[i];
  gsize in = self->dims[i], out = self->dims[i + 1], n = rows / groups;
  gboolean relu = i + 1 < self->n_blocks || self->last_relu;
  float *db = b->b == G_MAXUINT ? NULL : st->grads[b->b];
  BscBnMap map;
  gboolean mapped;
  const float *x = block_input (self, i, &map, &mapped);

  bsc_bn_backward (g, st->grads[b->gamma], st->grads[b->beta], b->a, b->mean,
                   b->invstd, st->values[b->gamma], st->values[b->beta],
                   relu, n, groups, out);
  bsc_linear_backward (dx, st->grads[b->w], db, g, x, mapped ? &map : NULL,
                       st->values[b->w], rows, in, out,
                       &st->grad_bounded[b->w]);
}

static void
mlp_backward (BscStage *stage,
              float    *dout,
              gsize     rows,
              guint     groups,
              float    *dx)
{
  BscMlpStage *self = (BscMlpStage *) stage;
  float *g = dout;

  for (guint i = self->n_blocks; i-- > 0;)
    {
      float *target = i > 0 ? self->scratch[i % 2] : dx;

      block_backward (self, i, g, rows, groups, target);
      g = target;
    }
}

static float *
mlp_activation (BscStage   *stage,
                const char *name,
                gsize      *width)
{
  BscMlpStage *self = (BscMlpStage *) stage;

  for (guint i = 0; i < self->n_blocks; i++)
    {
      Block *b = &self->blocks[i];

      *width = self->dims[i + 1];
      if (g_strcmp0 (name, b->name_a) == 0)
        return b->a;
      if (g_strcmp0 (name, b->name_h) == 0)
        {
          if (b->lazy)
            {
              bsc_bn_apply (b->h, b->a, b->scale, b->shift,
                            self->rows / self->groups, self->groups,
                            *width, TRUE);
              b->lazy = FALSE;
            }
          return b->h;
        }
    }
  return NULL;
}

static double
mlp_flops (BscStage *stage,
           gsize     rows,
           gboolean  train,
           gboolean  need_dx)
{
  BscMlpStage *self = (BscMlpStage *) stage;
  double total = 0.0;

  for (guint i = 0; i < self->n_blocks; i++)
    {
      double f = 2.0 * rows * self->dims[i] * self->dims[i + 1];

      total += f;
      if (train)
        total += (i > 0 || need_dx) ? 2.0 * f : f;
    }
  return total;
}

static const BscStageClass mlp_class = {
  .type_name = "mlp",
  .finalize = mlp_finalize,
  .reserve = mlp_reserve,
  .forward = mlp_forward,
  .backward = mlp_backward,
  .activation = mlp_activation,
  .flops = mlp_flops,
};

static guint
add_spec (BscStage   *st,
          const char *prefix,
          const char *what,
          guint       index,
          const char *suffix,
          gsize       n,
          gboolean    is_param,
          BscInit     init,
          double      arg)
{
  g_autofree char *name = g_strdup_printf ("%s_%s%u_%s", prefix, what, index,
                                           suffix);

  _bsc_stage_add_spec (st, name, n, is_param, init, arg);
  return st->n_specs - 1;
}

BscStage *
_bsc_mlp_stage_new (const char         *prefix,
                    const guint        *dims,
                    guint               n_blocks,
                    gboolean            bias,
                    gboolean            last_relu,
                    const char * const *names)
{
  BscMlpStage *self = g_new0 (BscMlpStage, 1);
  BscStage *st = &self->parent;

  _bsc_stage_init_base (st, &mlp_class, dims[0], dims[n_blocks], 7 * n_blocks);
  self->n_blocks = n_blocks;
  self->dims = g_memdup2 (dims, (n_blocks + 1) * sizeof (guint));
  self->last_relu = last_relu;
  self->blocks = g_new0 (Block, n_blocks);
  for (guint i = 0; i < n_blocks; i++)
    {
      Block *b = &self->blocks[i];
      gsize in = dims[i], out = dims[i + 1];

      b->w = add_spec (st, prefix, "fc", i + 1, "w", in * out, TRUE,
                       BSC_INIT_FAN_IN, in);
      b->b = bias ? add_spec (st, prefix, "fc", i + 1, "b", out, TRUE,
                              BSC_INIT_FAN_IN, in) : G_MAXUINT;
      b->gamma = add_spec (st, prefix, "bn", i + 1, "w", out, TRUE, BSC_INIT_ONE, 0);
      b->beta = add_spec (st, prefix, "bn", i + 1, "b", out, TRUE, BSC_INIT_ZERO, 0);
      b->name_a = g_strdup (names[2 * i]);
      b->name_h = g_strdup (names[2 * i + 1]);
      b->mean = g_new0 (double, MAX_GROUPS * out);
      b->invstd = g_new0 (double, MAX_GROUPS * out);
      b->scale = g_new0 (float, 2 * MAX_GROUPS * out);
      b->shift = b->scale + MAX_GROUPS * out;
    }
  /* Buffers after all parameters, in block order. */
  for (guint i = 0; i < n_blocks; i++)
    {
      Block *b = &self->blocks[i];
      gsize out = dims[i + 1];

      b->rm = add_spec (st, prefix, "bn", i + 1, "rm", out, FALSE, BSC_INIT_ZERO, 0);
      b->rv = add_spec (st, prefix, "bn", i + 1, "rv", out, FALSE, BSC_INIT_ONE, 0);
      b->nbt = add_spec (st, prefix, "bn", i + 1, "nbt", 1, FALSE, BSC_INIT_ZERO, 0);
    }
  return st;
}
