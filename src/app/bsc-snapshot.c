/* bsc-snapshot.c
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "bsc-snapshot.h"

static gint n_alive;   /* atomic */

guint
_bsc_snapshot_get_n_alive (void)
{
  return g_atomic_int_get (&n_alive);
}

static void
snapshot_clear (gpointer data)
{
  BscSnapshot *self = data;

  g_atomic_int_add (&n_alive, -1);
  g_clear_pointer (&self->points, g_array_unref);
  g_clear_pointer (&self->eval, bsc_eval_data_unref);
  g_clear_pointer (&self->probe, bsc_probe_data_unref);
  g_clear_error (&self->error);
}

BscSnapshot *
bsc_snapshot_new (void)
{
  BscSnapshot *self = g_atomic_rc_box_new0 (BscSnapshot);

  g_atomic_int_inc (&n_alive);
  self->points = g_array_new (FALSE, FALSE, sizeof (BscCurvePoint));
  return self;
}

BscSnapshot *
bsc_snapshot_ref (BscSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
bsc_snapshot_unref (BscSnapshot *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, snapshot_clear);
}

static void
eval_data_clear (gpointer data)
{
  BscEvalData *self = data;

  g_atomic_int_add (&n_alive, -1);
  g_free (self->clusters);
  g_free (self->confidence);
  g_free (self->cluster_sizes);
  g_free (self->points);
  g_free (self->proto_points);
  g_free (self->rows);
  g_free (self->proto_rows);
}

BscEvalData *
bsc_eval_data_new (gsize n_samples,
                   guint n_clusters)
{
  BscEvalData *self = g_atomic_rc_box_new0 (BscEvalData);

  g_atomic_int_inc (&n_alive);
  self->n_samples = n_samples;
  self->n_clusters = n_clusters;
  self->clusters = g_new0 (gint32, n_samples);
  self->confidence = g_new0 (float, n_samples);
  self->cluster_sizes = g_new0 (gsize, n_clusters);
  return self;
}

BscEvalData *
bsc_eval_data_ref (BscEvalData *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
bsc_eval_data_unref (BscEvalData *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, eval_data_clear);
}

static void
probe_data_clear (gpointer data)
{
  BscProbeData *self = data;

  g_atomic_int_add (&n_alive, -1);
  g_free (self->indices);
  g_free (self->affinity);
  g_free (self->target);
  g_free (self->difference);
  g_free (self->clusters);
}

BscProbeData *
bsc_probe_data_new (guint batch)
{
  BscProbeData *self = g_atomic_rc_box_new0 (BscProbeData);

  g_atomic_int_inc (&n_alive);
  self->batch = batch;
  self->indices = g_new0 (gsize, batch);
  self->affinity = g_new0 (float, (gsize) batch * batch);
  self->target = g_new0 (float, (gsize) batch * batch);
  self->difference = g_new0 (float, (gsize) batch * batch);
  self->clusters = g_new0 (gint32, batch);
  return self;
}

BscProbeData *
bsc_probe_data_ref (BscProbeData *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
bsc_probe_data_unref (BscProbeData *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, probe_data_clear);
}

/* Row-wise softmax of A / tau over the off-diagonal entries (the
 * prediction the affinity loss compares with the target), minus the
 * target.  affinity, target, out: b x b row-major, zero diagonal. */
void
bsc_probe_difference (const float *affinity,
                      const float *target,
                      guint        b,
                      double       tau,
                      float       *out)
{
  for (guint i = 0; i < b; i++)
    {
      const float *ai = affinity + (gsize) i * b;
      const float *ti = target + (gsize) i * b;
      float *oi = out + (gsize) i * b;
      double max = -INFINITY, sum = 0;

      for (guint j = 0; j < b; j++)
        if (j != i)
          max = MAX (max, ai[j] / tau);
      for (guint j = 0; j < b; j++)
        {
          oi[j] = j != i ? (float) exp (ai[j] / tau - max) : 0;
          sum += oi[j];
        }
      for (guint j = 0; j < b; j++)
        oi[j] = j != i ? (float) (oi[j] / sum) - ti[j] : 0;
    }
}
