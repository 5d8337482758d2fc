/* bsc-model.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The BootSC model: backbone stage -> head stage -> polar factor -> row
 * normalisation -> prototypes, the two-view training step (Sinkhorn
 * targets, swapped cross-entropies with learned temperatures, backward,
 * SGD with momentum and weight decay) and inference.  BOOTSC.md and
 * reference/README.md give the math; the step order follows
 * reference/fixtures/MANIFEST.txt.  Both views are stacked into one 2B-row
 * matrix wherever rows are independent (every Linear product), and kept
 * apart where they are not (BatchNorm statistics, polar factor, affinity,
 * Sinkhorn).  The learning-rate schedule is the caller's.
 */

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "bsc-error.h"
#include "bsc-layers.h"
#include "bsc-model.h"
#include "bsc-parallel.h"
#include "bsc-polar.h"
#include "bsc-sinkhorn.h"
#include "bsc-stage.h"

#define ALIGN_FLOATS 16
#define NORM_EPS 1e-12

enum { OWN_PROTO_W, OWN_PROTO_B, OWN_LOGIT, OWN_LOGIT_W, N_OWN };

typedef struct
{
  float *data;
  gsize  n;
} TensorRef;

typedef struct
{
  const BscTensorSpec *spec;
  float              **value;
  float              **grad;
  gboolean            *bounded;   /* the stage's grad_bounded entry or NULL */
} Slot;

/* A parameter's gradient for the check before SGD. */
typedef struct
{
  const float    *grad;
  gsize           n;
  const gboolean *bounded;   /* TRUE: checked as it was written */
} GradCheck;

struct _BscModel
{
  BscConfig      config;
  guint          k;            /* clusters */
  guint          d;            /* embed_dim */
  BscStage      *backbone;
  BscStage      *head;
  BscTensorSpec  own_specs[N_OWN];
  float         *own[N_OWN];
  float         *own_grad[N_OWN];

  float         *params;       /* n_params, one block */
  float         *grads;
  float         *mom;
  float         *buffers;      /* n_buffers: BN running statistics */
  gsize          n_params;
  gsize          n_buffers;
  gboolean       has_momentum;
  GHashTable    *tensors;      /* name -> TensorRef */
  GArray        *grad_checks;  /* GradCheck of every parameter */
  GPtrArray     *state_names;

  /* Work space for up to cap rows per view (2 cap stacked). */
  gsize          cap;
  gsize          batch;        /* rows per view of the last forward */
  float         *x;            /* 2cap x D */
  float         *o;            /* 2cap x d */
  float         *z;
  float         *dz;
  float         *dy;
  float         *dyc;          /* scratch copy of dy */
  float         *norms;        /* 2cap */
  float         *p;            /* 2cap x K */
  float         *dp;
  float         *q;
  float         *aw;           /* 2 x cap x (cap-1) */
  float         *qw;
  float         *daw;
  float         *full;         /* 2 x cap x cap */
  float         *dh;           /* 2cap x hidden2 */
  float         *svals;        /* 2 x d */
  float         *saved;        /* n_buffers + K d + 2: rollback copy */
};

static void
model_free_work (BscModel *self)
{
  float **bufs[] = { &self->x, &self->o, &self->z, &self->dz, &self->dy, &self->dyc,
                     &self->norms, &self->p, &self->dp, &self->q, &self->aw,
                     &self->qw, &self->daw, &self->full, &self->dh };

  for (guint i = 0; i < G_N_ELEMENTS (bufs); i++)
    g_clear_pointer (bufs[i], g_free);
  self->cap = 0;
}

void
bsc_model_free (BscModel *self)
{
  if (self == NULL)
    return;
  model_free_work (self);
  _bsc_stage_free (self->backbone);
  _bsc_stage_free (self->head);
  for (guint i = 0; i < N_OWN; i++)
    g_free (self->own_specs[i].name);
  g_free (self->params);
  g_free (self->grads);
  g_free (self->mom);
  g_free (self->buffers);
  g_free (self->svals);
  g_free (self->saved);
  g_clear_pointer (&self->tensors, g_hash_table_unref);
  g_clear_pointer (&self->grad_checks, g_array_unref);
  g_clear_pointer (&self->state_names, g_ptr_array_unref);
  g_free (self);
}

static float *
try_alloc (gsize     n,
           gboolean *ok)
{
  float *p = _bsc_big_alloc (MAX (n, 1) * sizeof (float));

  if (p == NULL)
    *ok = FALSE;
  return p;
}

/* Allocates the per-step work space for batches of up to rows rows. */
static gboolean
model_reserve (BscModel  *self,
               gsize      rows,
               GError   **error)
{
  gsize n2 = 2 * rows, d = self->d, k = self->k;
  gsize aff = 2 * rows * (rows - 1);
  gboolean ok = TRUE;

  if (rows <= self->cap)
    return TRUE;
  model_free_work (self);
  self->x = try_alloc (n2 * self->config.input_dim, &ok);
  self->o = try_alloc (n2 * d, &ok);
  self->z = try_alloc (n2 * d, &ok);
  self->dz = try_alloc (n2 * d, &ok);
  self->dy = try_alloc (n2 * d, &ok);
  self->dyc = try_alloc (n2 * d, &ok);
  self->norms = try_alloc (n2, &ok);
  self->p = try_alloc (n2 * k, &ok);
  self->dp = try_alloc (n2 * k, &ok);
  self->q = try_alloc (n2 * k, &ok);
  self->aw = try_alloc (aff, &ok);
  self->qw = try_alloc (aff, &ok);
  self->daw = try_alloc (aff, &ok);
  self->full = try_alloc (2 * rows * rows, &ok);
  self->dh = try_alloc (n2 * self->head->in_dim, &ok);
  if (ok)
    ok = self->backbone->klass->reserve (self->backbone, n2, error)
         && self->head->klass->reserve (self->head, n2, error);
  else
    g_set_error (error, BSC_ERROR, BSC_ERROR_NO_MEMORY,
                 "Out of memory for a batch of %" G_GSIZE_FORMAT " rows", rows);
  if (!ok)
    {
      model_free_work (self);
      return FALSE;
    }
  self->cap = rows;
  return TRUE;
}

static void
own_spec (BscModel   *self,
          guint       i,
          const char *name,
          gsize       n,
          BscInit     init,
          double      arg)
{
  self->own_specs[i] = (BscTensorSpec) { g_strdup (name), n, TRUE, init, arg };
}

/* Every tensor of the model in a stable order: backbone, head, own. */
static GArray *
model_slots (BscModel *self)
{
  GArray *slots = g_array_new (FALSE, FALSE, sizeof (Slot));
  BscStage *stages[] = { self->backbone, self->head };

  for (guint s = 0; s < G_N_ELEMENTS (stages); s++)
    for (guint i = 0; i < stages[s]->n_specs; i++)
      {
        Slot slot = { &stages[s]->specs[i], &stages[s]->values[i],
                      &stages[s]->grads[i], &stages[s]->grad_bounded[i] };

        g_array_append_val (slots, slot);
      }
  for (guint i = 0; i < N_OWN; i++)
    {
      Slot slot = { &self->own_specs[i], &self->own[i], &self->own_grad[i],
                    NULL };

      g_array_append_val (slots, slot);
    }
  return slots;
}

static gsize
aligned (gsize n)
{
  return (n + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
}

static void
add_tensor (BscModel   *self,
            char       *name,
            float      *data,
            gsize       n)
{
  TensorRef *ref = g_new (TensorRef, 1);

  ref->data = data;
  ref->n = n;
  g_hash_table_insert (self->tensors, name, ref);
}

/* The four blocks for np parameter and nb buffer values. */
static gboolean
model_alloc_blocks (BscModel  *self,
                    gsize      np,
                    gsize      nb,
                    GError   **error)
{
  self->params = _bsc_big_alloc0 (np * sizeof (float));
  self->grads = _bsc_big_alloc0 (np * sizeof (float));
  self->mom = _bsc_big_alloc0 (np * sizeof (float));
  self->buffers = g_try_malloc0 (MAX (nb, 1) * sizeof (float));
  self->saved = g_try_malloc0 ((nb + (gsize) self->k * self->d + 2)
                               * sizeof (float));
  if (!self->params || !self->grads || !self->mom || !self->buffers
      || !self->saved)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_NO_MEMORY,
                   "Out of memory for %" G_GSIZE_FORMAT " parameters", np);
      return FALSE;
    }
  self->n_params = np;
  self->n_buffers = nb;
  return TRUE;
}

/* Points a parameter slot at offset op of the blocks and names it. */
static void
bind_param (BscModel *self,
            Slot     *sl,
            gsize     op)
{
  const BscTensorSpec *s = sl->spec;

  *sl->value = self->params + op;
  *sl->grad = self->grads + op;
  add_tensor (self, g_strdup (s->name), *sl->value, s->n_values);
  add_tensor (self, g_strconcat ("grad_", s->name, NULL), *sl->grad,
              s->n_values);
  add_tensor (self, g_strconcat ("mom_", s->name, NULL), self->mom + op,
              s->n_values);
  g_array_append_val (self->grad_checks,
                      ((GradCheck) { *sl->grad, s->n_values, sl->bounded }));
}

/* Lays the tensors out in the blocks, names them, initialises them.
 * State names: parameters, their momentum buffers, then BN buffers. */
static gboolean
model_layout (BscModel  *self,
              GError   **error)
{
  g_autoptr (GArray) slots = model_slots (self);
  g_autoptr (GPtrArray) bufs = g_ptr_array_new ();
  gsize np = 0, nb = 0, op = 0, ob = 0;
  guint n_par = 0;
  BscRng rng;

  for (guint i = 0; i < slots->len; i++)
    {
      const BscTensorSpec *s = g_array_index (slots, Slot, i).spec;

      *(s->is_param ? &np : &nb) += aligned (s->n_values);
    }
  if (!model_alloc_blocks (self, np, nb, error))
    return FALSE;

  bsc_rng_init (&rng, self->config.seed);
  for (guint i = 0; i < slots->len; i++)
    {
      Slot *sl = &g_array_index (slots, Slot, i);
      const BscTensorSpec *s = sl->spec;

      if (s->is_param)
        {
          bind_param (self, sl, op);
          g_ptr_array_add (self->state_names, g_strdup (s->name));
          op += aligned (s->n_values);
        }
      else
        {
          *sl->value = self->buffers + ob;
          *sl->grad = NULL;
          add_tensor (self, g_strdup (s->name), *sl->value, s->n_values);
          g_ptr_array_add (bufs, s->name);
          ob += aligned (s->n_values);
        }
      _bsc_tensor_init (*sl->value, s, &rng);
    }
  n_par = self->state_names->len;
  for (guint i = 0; i < n_par; i++)
    g_ptr_array_add (self->state_names,
                     g_strconcat ("mom_", (char *) self->state_names->pdata[i],
                                  NULL));
  for (guint i = 0; i < bufs->len; i++)
    g_ptr_array_add (self->state_names, g_strdup (bufs->pdata[i]));
  g_ptr_array_add (self->state_names, NULL);
  return TRUE;
}

static void
set_threads (const BscConfig *config)
{
  int n = config->threads ? (int) config->threads
                          : (int) g_get_num_processors ();

  /* The engine splits its matrix products over its own threads
   * (bsc-layers.c), so OpenBLAS runs serial: its idle workers would spin
   * beside ours. */
  openblas_set_num_threads (1);
  _bsc_parallel_set_threads (n);
}

BscModel *
bsc_model_new (const BscConfig  *config,
               GError          **error)
{
  g_autoptr (BscModel) self = NULL;
  const char *const bb_names[] = { "a1", "h1", "a2", "h2" };
  const char *const ph_names[] = { "a3", "h3", "a4", "y" };
  guint bb_dims[3], ph_dims[3];

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!bsc_config_validate (config, error))
    return NULL;
  if (config->input_dim == 0 || config->n_clusters < 2)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG,
                   "The model needs input_dim (%u) and n_clusters (%u) set",
                   config->input_dim, config->n_clusters);
      return NULL;
    }

  self = g_new0 (BscModel, 1);
  self->config = *config;
  self->k = config->n_clusters;
  self->d = config->embed_dim;
  bb_dims[0] = config->input_dim;
  bb_dims[1] = config->hidden1;
  bb_dims[2] = config->hidden2;
  ph_dims[0] = config->hidden2;
  ph_dims[1] = config->proj_hidden;
  ph_dims[2] = config->embed_dim;
  self->backbone = _bsc_mlp_stage_new ("bb", bb_dims, 2, TRUE, TRUE, bb_names);
  self->head = _bsc_mlp_stage_new ("ph", ph_dims, 2, FALSE, FALSE, ph_names);
  own_spec (self, OWN_PROTO_W, "proto_w", (gsize) self->k * self->d,
            BSC_INIT_FAN_IN, self->d);
  own_spec (self, OWN_PROTO_B, "proto_b", self->k, BSC_INIT_FAN_IN, self->d);
  own_spec (self, OWN_LOGIT, "logit_scale", 1, BSC_INIT_CONST,
            log (config->tau_init));
  own_spec (self, OWN_LOGIT_W, "logit_scale_w", 1, BSC_INIT_CONST,
            log (config->tau_init));
  self->tensors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         g_free);
  self->grad_checks = g_array_new (FALSE, FALSE, sizeof (GradCheck));
  self->state_names = g_ptr_array_new_with_free_func (g_free);
  self->svals = g_new0 (float, 2 * self->d);

  if (!model_layout (self, error)
      || !model_reserve (self, config->batch_size, error))
    return NULL;
  set_threads (config);
  return g_steal_pointer (&self);
}

const BscConfig *
bsc_model_get_config (BscModel *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->config;
}

/* Per-step tensors: name without its view digit -> base, row width. */
static float *
step_tensor (BscModel   *self,
             const char *base,
             gsize      *width)
{
  struct { const char *name; float *data; gsize width; } t[] = {
    { "o", self->o, self->d }, { "z", self->z, self->d },
    { "p", self->p, self->k }, { "q", self->q, self->k },
    { "dL_dy", self->dy, self->d }, { "dL_dz", self->dz, self->d },
    { "dL_dp", self->dp, self->k },
  };
  float *data;

  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    if (strcmp (base, t[i].name) == 0)
      return (*width = t[i].width, t[i].data);
  data = self->backbone->klass->activation (self->backbone, base, width);
  if (data == NULL)
    data = self->head->klass->activation (self->head, base, width);
  return data;
}

static float *
step_lookup (BscModel   *self,
             const char *name,
             gsize      *n_values)
{
  g_autofree char *base = g_strdup (name);
  gsize len = strlen (base), b = self->batch, width = 0;
  guint view;
  float *data;

  if (len < 2 || b == 0)
    return NULL;
  if (strcmp (base, "svals0") == 0 || strcmp (base, "svals1") == 0)
    return (*n_values = self->d, self->svals + (base[5] - '0') * self->d);
  if (len == 4 && base[2] == '_' && base[3] == 'w'
      && (base[0] == 'p' || base[0] == 'q') && (base[1] == '0' || base[1] == '1'))
    {
      view = base[1] - '0';
      *n_values = b * (b - 1);
      return (base[0] == 'p' ? self->aw : self->qw) + view * b * (b - 1);
    }
  if (base[len - 1] != '0' && base[len - 1] != '1')
    return NULL;
  view = base[len - 1] - '0';
  base[len - 1] = '\0';
  data = step_tensor (self, base, &width);
  if (data == NULL)
    return NULL;
  *n_values = b * width;
  return data + view * b * width;
}

float *
bsc_model_tensor (BscModel   *self,
                  const char *name,
                  gsize      *n_values)
{
  TensorRef *ref;
  gsize n = 0;
  float *data;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  ref = g_hash_table_lookup (self->tensors, name);
  if (ref != NULL)
    {
      if (n_values != NULL)
        *n_values = ref->n;
      return ref->data;
    }
  data = step_lookup (self, name, &n);
  if (data != NULL && n_values != NULL)
    *n_values = n;
  return data;
}

const char * const *
bsc_model_state_names (BscModel *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const char * const *) self->state_names->pdata;
}

gboolean
bsc_model_has_momentum (BscModel *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->has_momentum;
}

void
bsc_model_set_has_momentum (BscModel *self,
                            gboolean  has_momentum)
{
  g_return_if_fail (self != NULL);

  self->has_momentum = !!has_momentum;
}

/* proto_w (K x d): each row /= max (|row|, 1e-12), in place. */
static void
normalise_rows (float *w,
                gsize  rows,
                gsize  cols)
{
  for (gsize r = 0; r < rows; r++)
    {
      double s = 0.0;
      float n;

      for (gsize c = 0; c < cols; c++)
        s += (double) w[r * cols + c] * w[r * cols + c];
      n = (float) MAX (sqrt (s), NORM_EPS);
      for (gsize c = 0; c < cols; c++)
        w[r * cols + c] /= n;
    }
}

/* The rollback copy: what a step changes before its checks pass (BN
 * buffers, the renormalised prototypes, the clamped temperatures). */
static void
model_save (BscModel *self)
{
  gsize nb = self->n_buffers, np = (gsize) self->k * self->d;

  memcpy (self->saved, self->buffers, nb * sizeof (float));
  memcpy (self->saved + nb, self->own[OWN_PROTO_W], np * sizeof (float));
  self->saved[nb + np] = self->own[OWN_LOGIT][0];
  self->saved[nb + np + 1] = self->own[OWN_LOGIT_W][0];
}

static void
model_restore (BscModel *self)
{
  gsize nb = self->n_buffers, np = (gsize) self->k * self->d;

  memcpy (self->buffers, self->saved, nb * sizeof (float));
  memcpy (self->own[OWN_PROTO_W], self->saved + nb, np * sizeof (float));
  self->own[OWN_LOGIT][0] = self->saved[nb + np];
  self->own[OWN_LOGIT_W][0] = self->saved[nb + np + 1];
}

/* Rows 2b (views stacked) through both stages; returns y (2b x d). */
static const float *
model_embed (BscModel     *self,
             const float  *x,
             gsize         rows,
             guint         groups,
             BscStageMode  mode)
{
  const float *h;

  h = self->backbone->klass->forward (self->backbone, x, rows, groups, mode);
  return self->head->klass->forward (self->head, h, rows, groups, mode);
}

/* View v of the head: o = polar (y), z = o / |o|, p = z W^T + b, and the
 * affinity without its diagonal. */
static gboolean
view_forward (BscModel     *self,
              const float  *y,
              guint         v,
              gsize         b,
              GError      **error)
{
  gsize d = self->d, k = self->k, off = v * b * d;
  gsize aoff = v * b * (b - 1);

  if (!bsc_all_finite (y + off, b * d))
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_NUMERIC,
                   "The embedding of view %u is not finite (does the input "
                   "hold NaN or infinite values?); the model was left "
                   "unchanged", v);
      return FALSE;
    }
  if (!bsc_polar (y + off, b, d, self->o + off, self->svals + v * d, error))
    return FALSE;
  bsc_rownorm_forward (self->z + off, self->norms + v * b, self->o + off, b, d);
  bsc_linear_forward (self->p + v * b * k, self->z + off, NULL,
                      self->own[OWN_PROTO_W], self->own[OWN_PROTO_B], b, d, k);
  bsc_affinity_forward (self->aw + aoff, self->full + v * b * b,
                        self->z + off, b, d);
  return TRUE;
}

typedef struct
{
  BscModel    *self;
  const float *y;
  gsize        b;
  GError      *error[2];
} ViewJob;

static void
views_range (gsize    v0,
             gsize    v1,
             gpointer data)
{
  ViewJob *j = data;

  for (gsize v = v0; v < v1; v++)
    view_forward (j->self, j->y, (guint) v, j->b, &j->error[v]);
}

/* view_forward of n_views views side by side (independent work, small
 * BLAS calls); the first view's error wins. */
static gboolean
views_forward (BscModel     *self,
               const float  *y,
               guint         n_views,
               gsize         b,
               GError      **error)
{
  ViewJob j = { self, y, b, { NULL, NULL } };
  gboolean ok = TRUE;

  _bsc_parallel_tasks (n_views, views_range, &j);
  for (guint v = 0; v < n_views; v++)
    if (j.error[v] != NULL)
      {
        if (ok)
          g_propagate_error (error, j.error[v]);
        else
          g_error_free (j.error[v]);
        ok = FALSE;
      }
  return ok;
}

typedef struct
{
  BscModel *self;
  gsize     b;
  double    loss[4];
  double    dlogtau[4];
} HeadJob;

/* Task i of the targets: view i / 2, its affinity (i even) or its
 * prototype logits (i odd); the tasks are independent. */
static void
targets_range (gsize    i0,
               gsize    i1,
               gpointer data)
{
  HeadJob *j = data;
  BscModel *self = j->self;
  gsize b = j->b, k = self->k;
  double eps = self->config.sk_epsilon;
  guint it = self->config.sk_iterations;

  for (gsize i = i0; i < i1; i++)
    {
      gsize v = i / 2, aoff = v * b * (b - 1);

      if (i % 2 == 0)
        bsc_sinkhorn (self->aw + aoff, b, b - 1, eps, it, self->qw + aoff);
      else
        bsc_sinkhorn (self->p + v * b * k, b, k, eps, it, self->q + v * b * k);
    }
}

/* Sinkhorn targets of n_views views, no gradient (BOOTSC.md step 7). */
static void
model_targets (BscModel *self,
               gsize     b,
               guint     n_views)
{
  HeadJob j = { self, b, { 0 }, { 0 } };

  _bsc_parallel_for (2 * n_views, 1, 0, targets_range, &j);
}

/* Task i of the losses: the affinity (i even) or cluster (i odd) term of
 * view i / 2 against the other view's target; loss, dL/dscores and
 * dL/dlog tau of each task land in its own slots. */
static void
losses_range (gsize    i0,
              gsize    i1,
              gpointer data)
{
  HeadJob *j = data;
  BscModel *self = j->self;
  gsize b = j->b, k = self->k, na = b * (b - 1);

  for (gsize i = i0; i < i1; i++)
    {
      gsize v = i / 2, w = 1 - v;

      if (i % 2 == 0)
        j->loss[i] = bsc_soft_ce (self->aw + v * na, self->qw + w * na, b,
                                  b - 1, exp (self->own[OWN_LOGIT_W][0]), 0.5,
                                  self->daw + v * na, &j->dlogtau[i]);
      else
        j->loss[i] = bsc_soft_ce (self->p + v * b * k, self->q + w * b * k, b,
                                  k, exp (self->own[OWN_LOGIT][0]),
                                  0.5 * self->config.lambda,
                                  self->dp + v * b * k, &j->dlogtau[i]);
    }
}

/* L = lambda (CE (p0, q1) + CE (p1, q0)) / 2 + (CE (A0, Qw1) + CE (A1,
 * Qw0)) / 2 with the learned temperatures; dL/dp, dL/dA of both views
 * and dL/dlog tau into the gradients. */
static void
model_losses (BscModel     *self,
              gsize         b,
              BscStepStats *st)
{
  HeadJob j = { self, b, { 0 }, { 0 } };

  _bsc_parallel_for (4, 1, 0, losses_range, &j);
  self->own_grad[OWN_LOGIT][0] = (float) (j.dlogtau[1] + j.dlogtau[3]);
  self->own_grad[OWN_LOGIT_W][0] = (float) (j.dlogtau[0] + j.dlogtau[2]);
  st->loss_cluster = 0.5 * (j.loss[1] + j.loss[3]);
  st->loss_affinity = 0.5 * (j.loss[0] + j.loss[2]);
  st->loss = self->config.lambda * st->loss_cluster + st->loss_affinity;
  st->tau_c = exp (self->own[OWN_LOGIT][0]);
  st->tau_a = exp (self->own[OWN_LOGIT_W][0]);
}

/* View v's affinity term into dL/dz, then dL/dy through the row
 * normalisation; the views are independent. */
static void
view_backward_range (gsize    v0,
                     gsize    v1,
                     gpointer data)
{
  ViewJob *j = data;
  BscModel *self = j->self;
  gsize b = j->b, d = self->d;

  for (gsize v = v0; v < v1; v++)
    {
      gsize off = v * b * d;

      bsc_affinity_backward (self->dz + off, self->full + v * b * b,
                             self->daw + v * b * (b - 1), self->z + off, b, d);
      bsc_rownorm_backward (self->dy + off, self->dz + off, self->z + off,
                            self->norms + v * b, b, d);
    }
}

/* Backward from the losses to dL/dy (2b x d), then through the stages. */
static void
model_backward (BscModel *self,
                gsize     b)
{
  gsize d = self->d, k = self->k, n2 = 2 * b;
  ViewJob j = { self, NULL, b, { NULL, NULL } };

  for (guint s = 0; s < 2; s++)
    {
      BscStage *st = s ? self->head : self->backbone;

      memset (st->grad_bounded, 0, st->n_specs * sizeof (gboolean));
    }
  bsc_linear_backward (self->dz, self->own_grad[OWN_PROTO_W],
                       self->own_grad[OWN_PROTO_B], self->dp, self->z, NULL,
                       self->own[OWN_PROTO_W], n2, d, k, NULL);
  _bsc_parallel_tasks (2, view_backward_range, &j);
  /* The head and backbone use their dout as scratch: pass a copy of dy so
   * the fixture value dL/dy survives. */
  memcpy (self->dyc, self->dy, n2 * d * sizeof (float));
  self->head->klass->backward (self->head, self->dyc, n2, 2, self->dh);
  self->backbone->klass->backward (self->backbone, self->dh, n2, 2, NULL);
}

static void
model_sgd (BscModel *self,
           double    lr)
{
  bsc_sgd (self->params, self->mom, self->grads, self->n_params, lr,
           self->config.momentum, self->config.weight_decay,
           !self->has_momentum);
  self->has_momentum = TRUE;
}

/* Names the first parameter tensor whose gradient is not finite. */
static const char *
bad_gradient (BscModel *self)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->tensors);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      TensorRef *ref = value;

      if (g_str_has_prefix (key, "grad_")
          && !bsc_all_bounded (ref->data, ref->n, BSC_GRAD_LIMIT_EXP))
        return key;
    }
  return "?";
}

/* Every gradient finite and below 2^BSC_GRAD_LIMIT_EXP; those a stage
 * checked as its backward pass wrote them (the large dW of its Linear
 * layers) are not read again. */
static gboolean
grads_bounded (BscModel *self)
{
  for (guint i = 0; i < self->grad_checks->len; i++)
    {
      const GradCheck *c = &g_array_index (self->grad_checks, GradCheck, i);

      if ((c->bounded == NULL || !*c->bounded)
          && !bsc_all_bounded (c->grad, c->n, BSC_GRAD_LIMIT_EXP))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_step (BscModel      *self,
            BscStepStats  *st,
            GError       **error)
{
  if (!isfinite (st->loss))
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_NUMERIC,
                   "The loss is not finite (cluster %g, affinity %g); the "
                   "model was left unchanged", st->loss_cluster,
                   st->loss_affinity);
      return FALSE;
    }
  if (!grads_bounded (self))
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_NUMERIC,
                   "The gradient %s is not finite or beyond 2^%d (loss %g); "
                   "the model was left unchanged", bad_gradient (self),
                   BSC_GRAD_LIMIT_EXP, st->loss);
      return FALSE;
    }
  if (!bsc_all_finite (self->buffers, self->n_buffers))
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_NUMERIC,
                   "The BatchNorm running statistics overflowed (input values "
                   "too large?); the model was left unchanged");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_batch (BscModel  *self,
             gsize      batch,
             GError   **error)
{
  if (batch < self->d || batch < 2)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_TOO_FEW,
                   "A batch of %" G_GSIZE_FORMAT " rows is too small: the "
                   "re-parameterisation needs at least %u (embed_dim)",
                   batch, MAX (self->d, 2));
      return FALSE;
    }
  return model_reserve (self, batch, error);
}

/* Step start (MANIFEST step order 1-2): renormalise the prototypes,
 * clamp the log-temperatures at 0. */
static void
pre_step (BscModel *self)
{
  normalise_rows (self->own[OWN_PROTO_W], self->k, self->d);
  self->own[OWN_LOGIT][0] = MIN (self->own[OWN_LOGIT][0], 0.0f);
  self->own[OWN_LOGIT_W][0] = MIN (self->own[OWN_LOGIT_W][0], 0.0f);
}

gboolean
bsc_model_train_step (BscModel      *self,
                      const float   *x0,
                      const float   *x1,
                      gsize          batch,
                      double         lr,
                      BscStepStats  *stats,
                      GError       **error)
{
  gsize dim = self ? self->config.input_dim : 0;
  BscStepStats st = { 0 };
  const float *x, *y;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (x0 != NULL && x1 != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!isfinite (lr) || lr < 0.0)
    {
      g_set_error (error, BSC_ERROR, BSC_ERROR_INVALID_ARG,
                   "The learning rate %g is not a finite non-negative number",
                   lr);
      return FALSE;
    }
  if (!check_batch (self, batch, error))
    return FALSE;
  model_save (self);
  pre_step (self);
  /* The views side by side: the caller's buffer if they already are. */
  x = x0;
  if (x1 != x0 + batch * dim)
    {
      memcpy (self->x, x0, batch * dim * sizeof (float));
      memcpy (self->x + batch * dim, x1, batch * dim * sizeof (float));
      x = self->x;
    }
  self->batch = batch;
  y = model_embed (self, x, 2 * batch, 2, BSC_STAGE_TRAIN);
  if (!views_forward (self, y, 2, batch, error))
    {
      model_restore (self);
      return FALSE;
    }
  model_targets (self, batch, 2);
  /* Every gradient is written (not added to) by the backward below. */
  model_losses (self, batch, &st);
  model_backward (self, batch);
  if (!check_step (self, &st, error))
    {
      model_restore (self);
      return FALSE;
    }
  model_sgd (self, lr);
  st.lr = lr;
  if (stats != NULL)
    *stats = st;
  return TRUE;
}

gboolean
bsc_model_infer (BscModel     *self,
                 const float  *x,
                 gsize         n,
                 float        *y,
                 float        *z,
                 float        *logits,
                 GError      **error)
{
  gsize dim, d, k, chunk;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (x != NULL || n == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dim = self->config.input_dim;
  d = self->d;
  k = self->k;
  chunk = 2 * self->cap;
  for (gsize start = 0; start < n; start += chunk)
    {
      gsize rows = MIN (chunk, n - start);
      const float *yc;

      yc = model_embed (self, x + start * dim, rows, 1, BSC_STAGE_EVAL);
      if (y != NULL)
        memcpy (y + start * d, yc, rows * d * sizeof (float));
      bsc_rownorm_forward (self->z, self->norms, yc, rows, d);
      if (z != NULL)
        memcpy (z + start * d, self->z, rows * d * sizeof (float));
      if (logits != NULL)
        bsc_linear_forward (logits + start * k, self->z, NULL,
                            self->own[OWN_PROTO_W], self->own[OWN_PROTO_B],
                            rows, d, k);
    }
  self->batch = 0;
  return TRUE;
}

/* Scatters a (b x (b-1)) into full (b x b) with a zero diagonal. */
static void
scatter_offdiag (float       *full,
                 const float *a,
                 gsize        b)
{
  for (gsize i = 0; i < b; i++)
    {
      memcpy (full + i * b, a + i * (b - 1), i * sizeof (float));
      full[i * b + i] = 0.0f;
      memcpy (full + i * b + i + 1, a + i * (b - 1) + i,
              (b - 1 - i) * sizeof (float));
    }
}

gboolean
bsc_model_probe (BscModel     *self,
                 const float  *x,
                 gsize         batch,
                 float        *affinity,
                 float        *target,
                 float        *logits,
                 GError      **error)
{
  const float *y;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (x != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_batch (self, batch, error))
    return FALSE;
  y = model_embed (self, x, batch, 1, BSC_STAGE_PROBE);
  self->batch = 0;
  if (!views_forward (self, y, 1, batch, error))
    return FALSE;
  model_targets (self, batch, 1);
  if (affinity != NULL)
    scatter_offdiag (affinity, self->aw, batch);
  if (target != NULL)
    scatter_offdiag (target, self->qw, batch);
  if (logits != NULL)
    memcpy (logits, self->p, batch * self->k * sizeof (float));
  return TRUE;
}

void
bsc_model_get_prototypes (BscModel *self,
                          float    *out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  memcpy (out, self->own[OWN_PROTO_W], self->k * self->d * sizeof (float));
  normalise_rows (out, self->k, self->d);
}

double
bsc_model_step_flops (BscModel *self,
                      gsize     batch)
{
  double b = batch, d = self ? self->d : 0, k = self ? self->k : 0;
  double total;

  g_return_val_if_fail (self != NULL, 0.0);

  total = self->backbone->klass->flops (self->backbone, 2 * batch, TRUE, FALSE)
          + self->head->klass->flops (self->head, 2 * batch, TRUE, TRUE);
  /* Per view: Gram E^T E (b d^2), V V^T (d^3), O = E M (2 b d^2),
   * prototypes forward and backward (6 b d k), affinity Z Z^T and
   * (G + G^T) Z (4 b^2 d). */
  total += 2.0 * (b * d * d + d * d * d + 2.0 * b * d * d + 6.0 * b * d * k
                  + 4.0 * b * b * d);
  return total;
}
