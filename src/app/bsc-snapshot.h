/* bsc-snapshot.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the worker publishes to the main thread: immutable, reference
 * counted, shared read-only once published.  A snapshot carries the curve
 * points since the previous snapshot (the window keeps the history) and
 * references to the latest evaluation and probe, which are shared between
 * snapshots until the next ones are computed.
 */

#pragma once

#include <glib.h>
#include "bsc-dataset.h"
#include "bsc-model.h"

G_BEGIN_DECLS

typedef enum
{
  BSC_RUN_RUNNING,
  BSC_RUN_PAUSED,
  BSC_RUN_FINISHED,   /* all epochs done */
  BSC_RUN_STOPPED,    /* the person stopped it */
  BSC_RUN_FAILED,     /* error holds why */
} BscRunState;

typedef struct
{
  guint64      step;     /* completed steps after this one */
  BscStepStats stats;
} BscCurvePoint;

/* One evaluation of every sample, with its 2-D projection. */
typedef struct
{
  guint     serial;         /* increases with every evaluation of a run */
  guint     epoch;
  guint64   step;
  gsize     n_samples;
  guint     n_clusters;
  gint32   *clusters;       /* n_samples */
  float    *confidence;     /* n_samples */
  gsize    *cluster_sizes;  /* n_clusters */
  float    *points;         /* n_samples x 2, or NULL if projection failed */
  float    *proto_points;   /* n_clusters x 2 */
  /* What a neighbourhood map lays out (bsc-tsne.h), or NULL: */
  guint     embed_dim;
  float    *rows;           /* n_samples x embed_dim, normalised polar factor */
  float    *proto_rows;     /* n_clusters x embed_dim, in the same space */
  gboolean  has_metrics;
  double    acc, nmi, ari;
  gsize     changed;
} BscEvalData;

/* The probe batch: affinity, Sinkhorn target and the batch's clusters. */
typedef struct
{
  guint     serial;
  guint64   step;
  guint     batch;
  gsize    *indices;        /* batch sample indices */
  float    *affinity;       /* batch x batch */
  float    *target;         /* batch x batch */
  float    *difference;     /* batch x batch: softmax (A / tau_a) - target */
  double    tau_a;          /* the temperature the difference used */
  gint32   *clusters;       /* batch */
} BscProbeData;

typedef struct
{
  guint         generation;   /* the run this belongs to */
  BscRunState   state;
  guint64       step;
  guint64       total_steps;
  guint         epoch;        /* completed epochs */
  guint         epochs;
  double        lr;           /* what the next step uses */
  double        steps_per_second;
  GArray       *points;       /* of BscCurvePoint, new since the last snapshot */
  BscEvalData  *eval;         /* latest, may be NULL; shared */
  BscProbeData *probe;        /* latest, may be NULL; shared */
  GError       *error;        /* when state is BSC_RUN_FAILED */
} BscSnapshot;

BscSnapshot  *bsc_snapshot_new        (void);
BscSnapshot  *bsc_snapshot_ref        (BscSnapshot  *self);
void          bsc_snapshot_unref      (BscSnapshot  *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BscSnapshot, bsc_snapshot_unref)

BscEvalData  *bsc_eval_data_new       (gsize         n_samples,
                                       guint         n_clusters);
BscEvalData  *bsc_eval_data_ref       (BscEvalData  *self);
void          bsc_eval_data_unref     (BscEvalData  *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BscEvalData, bsc_eval_data_unref)

BscProbeData *bsc_probe_data_new      (guint         batch);
BscProbeData *bsc_probe_data_ref      (BscProbeData *self);
void          bsc_probe_data_unref    (BscProbeData *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BscProbeData, bsc_probe_data_unref)

void          bsc_probe_difference    (const float  *affinity,
                                       const float  *target,
                                       guint         b,
                                       double        tau,
                                       float        *out);

/* Snapshots, evaluations and probes alive (the clean-close test checks
 * that a closed window leaves none behind). */
guint         _bsc_snapshot_get_n_alive (void);

G_END_DECLS
