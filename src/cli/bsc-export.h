/* bsc-export.h
 *
 * Copyright 2026 The BootSC Explorer authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Results of a run as files: assignments CSV, metrics JSON, history CSV,
 * the PNG charts and per-cluster folders.  Used by the bootsc command and
 * by the explorer's export actions, so both write the same files.  Every
 * file is written under a temporary name and renamed; numbers are written
 * in the C locale whatever the user's.
 */

#pragma once

#include <gio/gio.h>

#include "bsc-config.h"
#include "bsc-dataset.h"
#include "bsc-model.h"
#include "bsc-trainer.h"

G_BEGIN_DECLS

/* One training step, and the evaluation made after it, if any. */
typedef struct
{
  guint64       step;       /* 1-based: steps completed after this one */
  guint         epoch;      /* the 1-based epoch the step belongs to (an
                             * evaluation-only row: completed epochs) */
  BscStepStats  stats;
  gboolean      evaluated;
  gboolean      has_metrics;
  double        acc, nmi, ari;
  gsize         changed;
} BscHistoryRow;

typedef struct _BscHistory BscHistory;

BscHistory    *bsc_history_new          (void);
void           bsc_history_free         (BscHistory          *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BscHistory, bsc_history_free)

void           bsc_history_add_step     (BscHistory          *self,
                                         guint64              step,
                                         guint                epoch,
                                         const BscStepStats  *stats);
/* Attaches an evaluation to the last step (or to a step-0 row when no
 * step was recorded yet). */
void           bsc_history_add_eval     (BscHistory          *self,
                                         guint64              step,
                                         guint                epoch,
                                         const BscEvaluation *eval);
guint          bsc_history_get_n_rows   (const BscHistory    *self);
const BscHistoryRow *bsc_history_get_row (const BscHistory   *self,
                                          guint               i);
/* Reads a history.csv written by bsc_export_history, keeping the rows
 * with step <= max_step (to continue a resumed run's history). */
BscHistory    *bsc_history_load         (const char          *path,
                                         guint64              max_step,
                                         GError             **error);

/* Run facts for metrics.json and the PNG text chunks. */
typedef struct
{
  const BscConfig     *config;
  const BscDataset    *data;            /* NULL: the input did not load */
  const char          *source;          /* without data: the input named */
  const char          *labels_path;     /* --labels, or NULL */
  const char          *label_column;    /* --label-column, or NULL */
  const BscEvaluation *eval;            /* final evaluation */
  double               seconds_per_epoch;
  guint64              steps;
  gboolean             interrupted;
  const char          *error;           /* the run failed: why; or NULL */
  const char          *warning;         /* the clustering collapsed: why */
  const char * const  *unwritten;       /* NULL-terminated names of files
                                         * that could not be written, or NULL */
} BscRunInfo;

/* The metrics as a compact JSON object (acc, nmi, ari, samples, ...). */
char          *bsc_export_metrics_string (const BscRunInfo   *info,
                                          gboolean            pretty);
/* Keys and values for the PNG text chunks: Software, Source, and
 * bootsc:config / bootsc:metrics.  Free both with g_strfreev. */
void           bsc_export_png_text      (const BscRunInfo    *info,
                                         char              ***keys,
                                         char              ***values);

gboolean       bsc_export_assignments   (const char          *path,
                                         const BscDataset    *data,
                                         const BscEvaluation *eval,
                                         GError             **error);
gboolean       bsc_export_metrics       (const char          *path,
                                         const BscRunInfo    *info,
                                         GError             **error);
gboolean       bsc_export_history       (const char          *path,
                                         const BscHistory    *history,
                                         GError             **error);

/* Called for each chart that could not be written, with its file name. */
typedef void (*BscChartFailedFunc) (const char   *name,
                                    const GError *error,
                                    gpointer      user_data);

/* The charts of a run, into dir: curves.png, affinity.png (when probe is
 * not NULL), projection.png (when points is not NULL: n x 2, protos K x 2
 * or NULL), sizes.png, confusion.png (labels), mosaic-NN.png per cluster
 * (image datasets).  A chart that cannot be written does not keep the
 * others from being written: failed (when not NULL) hears of each, and
 * error holds the first. */
typedef struct
{
  const BscRunInfo    *info;
  const BscHistory    *history;
  const BscProbe      *probe;
  const float         *points;
  const float         *proto_points;
  gboolean             neighbours;     /* points are a t-SNE layout */
  guint                steps_per_epoch; /* curves use epochs as x */
  guint                mosaic_max;     /* thumbnails per mosaic; 0: 100 */
  BscChartFailedFunc   failed;
  gpointer             failed_data;
} BscChartSet;

gboolean       bsc_export_charts        (const char          *dir,
                                         const BscChartSet   *charts,
                                         GError             **error);

/* Per-cluster folders: to/cluster-NN/ holding a copy (or, with link, an
 * absolute symbolic link) of each sample's file; paths[i] is sample i's
 * file, clusters[i] its cluster.  Name clashes get the index prepended. */
gboolean       bsc_export_clusters      (const char          *to,
                                         const char * const  *paths,
                                         const gint32        *clusters,
                                         gsize                n,
                                         gboolean             link,
                                         GCancellable        *cancellable,
                                         GError             **error);

/* Reads an assignments.csv: paths (NULL when the file has no path
 * column) and clusters, n entries each. */
gboolean       bsc_export_read_assignments (const char       *path,
                                            GPtrArray       **paths,
                                            GArray          **clusters,
                                            GError          **error);

G_END_DECLS
